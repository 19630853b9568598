"""REST API of enforcement linkage (enforcement.api): the debtor list (scoped, filtered as on
the page, identifiers masked for people and clients without personal access, in clear for the
court's own client), list checks run and answered through check_actions (flat query count
whatever the batch size), government-debtor cases and inquiries with the department's answer."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.enforcement import case_actions, inquiry_actions
from fuyuan.enforcement import check_actions as actions
from fuyuan.enforcement.models import (
    Check,
    CheckHit,
    DebtorState,
    FeedbackAction,
    HitState,
    InquiryState,
    Scenario,
)
from fuyuan.exchange.models import AccessGrant, AccessLog, GrantState
from fuyuan.testing import World

from .test_checks import entry, person_id

pytestmark = pytest.mark.django_db

_SEQ = itertools.count(1)
DEBTORS = "/api/v1/enforcement/debtors/"
CHECKS = "/api/v1/enforcement/checks/"
CASES = "/api/v1/enforcement/cases/"
INQUIRIES = "/api/v1/enforcement/inquiries/"


def api_for(world: World, name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[name])
    return client


def token_client(world: World, unit_key: str, role: str, scopes: dict[str, str]) -> APIClient:
    """A system client of the unit (its service user holds `role` there) with a token."""
    from fuyuan.exchange.testing import client_token

    api = APIClient()
    token = client_token(unit=world.units[unit_key], role=role, scopes=scopes)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def _debtor(name: str = "王建国", seq: int = 1, **extra: Any) -> Any:
    item = entry(name, person_id(seq), **extra)
    return item


# --- debtor list ---------------------------------------------------------------------------------
def test_members_list_debtors_masked_and_administrators_are_refused(world: World) -> None:
    item = _debtor()
    clear = person_id(1)
    for name in ("city_office", "hrss_liaison", "court_staff"):
        response = api_for(world, name).get(DEBTORS)
        assert response.status_code == 200, name
        [row] = response.json()["results"]
        assert row["id"] == item.pk and row["identifier"] == item.id_display
        assert clear not in response.content.decode()
        assert row["identifier"].startswith(clear[:6]) and "*" in row["identifier"]
    assert api_for(world, "system_admin").get(DEBTORS).status_code == 403
    assert APIClient().get(DEBTORS).status_code == 401
    detail = api_for(world, "hrss_liaison").get(f"{DEBTORS}{item.pk}/")
    assert detail.status_code == 200
    assert detail.json()["case_number"] == item.case_number and clear not in detail.content.decode()


def test_debtor_filters_mirror_the_page(world: World) -> None:
    a = _debtor("王建国", 1)
    b = _debtor("李秀英", 2, state=DebtorState.REMOVED)
    type(a).objects.filter(pk=a.pk).update(published_on=datetime.date(2024, 3, 1))
    type(b).objects.filter(pk=b.pk).update(
        published_on=datetime.date(2025, 6, 1), court_name="上蔡县人民法院"
    )
    api = api_for(world, "hrss_liaison")

    def ids(query: str) -> set[int]:
        response = api.get(f"{DEBTORS}?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("q=秀英") == {b.pk}
    # The exact identifier, found through the blind index (spaces and case do not matter).
    assert ids(f"ident={person_id(1)}") == {a.pk}
    assert ids(f"ident={person_id(1)[:9]} {person_id(1)[9:]}") == {a.pk}
    assert ids(f"ident={person_id(3)}") == set()
    assert ids("court=上蔡县") == {b.pk}
    assert ids("state=removed") == {b.pk}
    assert ids("year=2024") == {a.pk}
    assert ids("published_from=2025-01-01") == {b.pk}
    assert ids("published_to=2024-12-31") == {a.pk}
    bad = api.get(f"{DEBTORS}?state=nonsense")
    assert bad.status_code == 400 and bad.json()["code"] == "api.invalid"


def test_the_debtor_list_query_count_does_not_grow_with_rows(world: World) -> None:
    api = api_for(world, "city_office")
    for seq in (1, 2):
        _debtor(seq=seq)
    api.get(DEBTORS)
    with CaptureQueriesContext(connection) as two:
        assert len(api.get(DEBTORS).json()["results"]) == 2
    for seq in range(3, 11):
        _debtor(seq=seq)
    with CaptureQueriesContext(connection) as ten:
        assert len(api.get(DEBTORS).json()["results"]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_the_courts_own_client_reads_identifiers_in_clear(world: World) -> None:
    _debtor()
    api = token_client(world, "court", Role.COURT, {"enforcement.debtors": "read"})
    response = api.get(DEBTORS)
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["identifier"] == person_id(1)
    # The pull is logged for the provider, with personal fields in clear.
    [pull] = AccessLog.objects.filter(dataset="enforcement.debtors")
    assert pull.personal_revealed and pull.row_count == 1


def test_a_department_client_without_a_grant_is_refused(world: World) -> None:
    _debtor()
    api = token_client(world, "hrss", Role.LIAISON, {"enforcement.debtors": "read"})
    response = api.get(DEBTORS)
    assert response.status_code == 403
    assert response.json()["code"] == "api.no_grant"


def test_a_department_client_with_a_grant_reads_masked_unless_personal_fields_granted(
    world: World,
) -> None:
    _debtor()
    api = token_client(world, "hrss", Role.LIAISON, {"enforcement.debtors": "read"})
    today = timezone.localdate()
    grant = AccessGrant.objects.create(
        dataset="enforcement.debtors",
        requesting_unit=world.units["hrss"],
        provider_unit=world.units["court"],
        purpose="社会保险待遇发放前核查",
        valid_from=today - datetime.timedelta(days=1),
        valid_to=today + datetime.timedelta(days=30),
        personal_requested=True,
        state=GrantState.APPROVED,
        requested_by=world.users["hrss_liaison"],
    )
    response = api.get(DEBTORS)
    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["identifier"] != person_id(1)
    AccessGrant.objects.filter(pk=grant.pk).update(personal_granted=True)
    assert api.get(DEBTORS).json()["results"][0]["identifier"] == person_id(1)


def test_a_token_without_the_scope_is_refused(world: World) -> None:
    _debtor()
    api = token_client(world, "court", Role.COURT, {"enforcement.checks": "read"})
    response = api.get(DEBTORS)
    assert response.status_code == 403 and response.json()["code"] == "api.scope"


# --- checks --------------------------------------------------------------------------------------
def _post_check(api: APIClient, world: World, parties: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"unit": world.units["hrss"].pk, "scenario": Scenario.PROCUREMENT, "parties": parties}
    body.update(extra)
    return api.post(CHECKS, body, format="json")


def test_a_department_checks_parties_and_gets_hits_with_masked_identifiers_and_measures(
    world: World,
) -> None:
    _debtor("王建国", 1)
    _debtor("刘桂芳", 2)
    api = api_for(world, "hrss_liaison")
    response = _post_check(
        api,
        world,
        [
            {"name": "王建国", "identifier": person_id(1)},
            {"name": "刘桂芳", "identifier": ""},
            {"name": "张三", "id_type": "resident_id", "identifier": person_id(9)},
        ],
        reference="2026年办公设备采购",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["party_count"] == 3 and body["hit_count"] == 1 and body["to_confirm_count"] == 1
    assert body["unanswered_count"] == 1 and body["unit"] == world.units["hrss"].pk
    text = response.content.decode()
    assert person_id(1) not in text and person_id(2) not in text
    hit, to_confirm = body["hits"]
    assert hit["state"] == HitState.HIT and not hit["needs_confirmation"] and hit["counts_as_hit"]
    clear = person_id(1)
    assert hit["party_identifier"] == clear[:6] + "*" * 8 + clear[-4:]
    assert "*" in hit["list_identifier"]
    keys = {m["key"] for m in hit["measures"]}
    assert "procurement.supplier" in keys and all(m["basis"] for m in hit["measures"])
    assert to_confirm["needs_confirmation"] and to_confirm["row_number"] == 2
    check = Check.objects.get(pk=body["id"])
    assert check.checked_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(action="enforcement.check.run").count() == 1


def test_a_checks_query_count_does_not_depend_on_the_number_of_parties(world: World) -> None:
    _debtor("王建国", 1)
    api = api_for(world, "hrss_liaison")

    def run(n: int) -> int:
        parties = [{"name": "王建国", "identifier": person_id(1)}]
        parties += [{"name": f"当事人{i}", "identifier": person_id(100 + i)} for i in range(n - 1)]
        with CaptureQueriesContext(connection) as queries:
            response = _post_check(api, world, parties)
        assert response.status_code == 201, response.content
        assert response.json()["party_count"] == n
        return len(queries.captured_queries)

    run(2)  # warm the caches (calendar, scope) as a second request would find them
    assert run(200) == run(2000)


def test_check_refusals_use_the_error_shape_with_codes(world: World) -> None:
    api = api_for(world, "a_office")
    refused = _post_check(api, world, [{"name": "王建国"}])
    assert refused.status_code == 403 and refused.json()["code"] == "api.forbidden"
    api = api_for(world, "hrss_liaison")
    bad = _post_check(
        api,
        world,
        [{"name": "王建国", "identifier": person_id(1)}, {"name": "李四", "identifier": "4117"}],
    )
    assert bad.status_code == 400
    [error] = bad.json()["errors"]
    assert error["field"] == "parties.1.identifier" and error["code"].startswith("identifier.")
    empty = _post_check(api, world, [])
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "parties"
    assert _post_check(api, world, [{"name": "王"}], scenario="x").status_code == 400
    # The unit may be left out when the user checks for one department only.
    alone = api.post(CHECKS, {"scenario": "subsidy", "parties": [{"name": "王"}]}, format="json")
    assert alone.status_code == 201 and alone.json()["unit"] == world.units["hrss"].pk
    assert not Check.objects.filter(unit=world.units["a_office"]).exists()


def test_a_read_only_token_cannot_run_a_check(world: World) -> None:
    api = token_client(world, "hrss", Role.LIAISON, {"enforcement.checks": "read"})
    response = _post_check(api, world, [{"name": "王建国"}])
    assert response.status_code == 403 and response.json()["code"] == "api.scope"
    api = token_client(world, "hrss", Role.LIAISON, {"enforcement.checks": "write"})
    assert _post_check(api, world, [{"name": "王建国"}]).status_code == 201


def _hrss_check(world: World) -> Check:
    _debtor("王建国", 1)
    _debtor("刘桂芳", 2)
    return actions.run_check(
        world.users["hrss_liaison"],
        unit=world.units["hrss"],
        scenario=Scenario.PROCUREMENT,
        parties=[("王建国", person_id(1)), ("刘桂芳", "")],
    )


def test_checks_are_listed_for_the_department_and_its_overseers_only(world: World) -> None:
    check = _hrss_check(world)
    for name in ("hrss_liaison", "city_office", "city_leader"):
        response = api_for(world, name).get(CHECKS)
        assert [row["id"] for row in response.json()["results"]] == [check.pk], name
        detail = api_for(world, name).get(f"{CHECKS}{check.pk}/")
        assert detail.status_code == 200 and len(detail.json()["hits"]) == 2
    for name in ("a_office", "court_staff", "housing_liaison"):
        assert api_for(world, name).get(CHECKS).json()["results"] == [], name
        assert api_for(world, name).get(f"{CHECKS}{check.pk}/").status_code == 404, name
    api = api_for(world, "hrss_liaison")
    assert [r["id"] for r in api.get(f"{CHECKS}?unanswered=true").json()["results"]] == [check.pk]
    assert api.get(f"{CHECKS}?scenario=subsidy").json()["results"] == []


def test_the_check_list_query_count_does_not_grow_with_checks(world: World) -> None:
    api = api_for(world, "city_office")
    for _i in range(2):
        _hrss_check(world)
    api.get(CHECKS)
    with CaptureQueriesContext(connection) as two:
        api.get(CHECKS)
    for _i in range(8):
        _hrss_check(world)
    with CaptureQueriesContext(connection) as ten:
        assert api.get(CHECKS).json()["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def _feedback_url(check: Check, hit: CheckHit, what: str = "feedback") -> str:
    return f"{CHECKS}{check.pk}/hits/{hit.pk}/{what}/"


def test_the_department_records_feedback_through_the_action(world: World) -> None:
    check = _hrss_check(world)
    hit = check.matches.get(state=HitState.HIT)
    api = api_for(world, "hrss_liaison")
    response = api.post(
        _feedback_url(check, hit),
        {"action": FeedbackAction.APPLIED, "measure": "procurement.supplier"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["feedback"] == "applied" and response.json()["measure_text"]
    hit.refresh_from_db()
    assert hit.feedback == FeedbackAction.APPLIED and hit.fed_back_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(action="enforcement.check.feedback").count() == 1
    reason = api.post(_feedback_url(check, hit), {"action": "not_applicable"}, format="json")
    assert reason.status_code == 400 and reason.json()["code"] == "enforcement.reason_required"
    assert reason.json()["errors"][0]["field"] == "note"
    stale = api.post(
        _feedback_url(check, hit),
        {"action": "not_applicable", "note": "已终止采购", "version": hit.version - 1},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "api.stale"
    done = api.post(
        _feedback_url(check, hit),
        {"action": "not_applicable", "note": "已终止采购", "version": hit.version},
        format="json",
    )
    assert done.status_code == 200 and done.json()["feedback"] == "not_applicable"


def test_feedback_refusals(world: World) -> None:
    check = _hrss_check(world)
    hit = check.matches.get(state=HitState.HIT)
    data = {"action": FeedbackAction.APPLIED, "measure": "procurement.supplier"}
    office = api_for(world, "city_office").post(_feedback_url(check, hit), data, format="json")
    assert office.status_code == 403 and office.json()["code"] == "api.forbidden"
    other = api_for(world, "a_office").post(_feedback_url(check, hit), data, format="json")
    assert other.status_code == 404 and other.json()["code"] == "api.not_found"
    api = api_for(world, "hrss_liaison")
    to_confirm = check.matches.get(state=HitState.NEEDS_CONFIRMATION)
    early = api.post(_feedback_url(check, to_confirm), data, format="json")
    assert early.status_code == 400 and early.json()["code"] == "enforcement.feedback_not_hit"
    wrong = api.post(_feedback_url(check, hit), {**data, "measure": "subsidy.grant"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "enforcement.measure_unknown"
    missing = api.post(f"{CHECKS}{check.pk}/hits/999999/feedback/", data, format="json")
    assert missing.status_code == 404
    assert not CheckHit.objects.exclude(feedback="").exists()


def test_the_department_confirms_a_match_then_gives_feedback(world: World) -> None:
    check = _hrss_check(world)
    match = check.matches.get(state=HitState.NEEDS_CONFIRMATION)
    api = api_for(world, "hrss_liaison")
    response = api.post(_feedback_url(check, match, "confirm"), {"same": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == HitState.CONFIRMED_HIT
    again = api.post(_feedback_url(check, match, "confirm"), {"same": True}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "enforcement.not_to_confirm"
    check.refresh_from_db()
    assert check.hits == 2 and check.to_confirm == 0


# --- cases and inquiries -------------------------------------------------------------------------
def _case(world: World, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "number": f"（2025）豫17执{700 + next(_SEQ)}号",
        "court": world.units["court"],
        "kind": "government_debtor",
        "debtor_unit": world.units["hrss"],
        "debtor_name": "驻马店市人力资源和社会保障局",
        "creditor": "驻马店市恒达建筑工程有限公司",
        "filed_on": timezone.localdate() - datetime.timedelta(days=90),
        "amount_owed": "50000",
    }
    values.update(extra)
    return case_actions.register_case(world.users["court_staff"], **values)


def test_cases_are_listed_as_on_the_ledger(world: World) -> None:
    case = _case(world)
    wages = _case(
        world,
        kind="wages",
        debtor_unit=None,
        debtor_name="驻马店市某劳务公司",
        creditor="张某某",
        amount_owed="8000",
    )
    api = api_for(world, "city_office")
    response = api.get(CASES)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {case.pk, wages.pk}
    # People signed in see what the ledger shows.
    assert rows[wages.pk]["creditor"] == "张某某" and rows[case.pk]["outstanding"] == "50000.00"
    assert rows[case.pk]["paid_rate"] == "0.0" and rows[case.pk]["matter"] == case.matter_id
    assert [r["id"] for r in api.get(f"{CASES}?government=true").json()["results"]] == [case.pk]
    assert [r["id"] for r in api.get(f"{CASES}?kind=wages").json()["results"]] == [wages.pk]
    assert [r["id"] for r in api.get(f"{CASES}?q=恒达").json()["results"]] == [case.pk]
    hrss = api_for(world, "hrss_liaison").get(CASES).json()["results"]
    assert [r["id"] for r in hrss] == [case.pk]
    assert api_for(world, "a_office").get(CASES).json()["results"] == []
    assert api_for(world, "a_office").get(f"{CASES}{case.pk}/").status_code == 404
    assert api_for(world, "court_staff").get(f"{CASES}{case.pk}/").status_code == 200


def test_a_clients_view_of_a_case_hides_a_persons_name_unless_its_access_opens_it(
    world: World,
) -> None:
    wages = _case(world, kind="wages", creditor="张某某", amount_owed="8000")
    # A person signed in sees what the ledger shows.
    row = api_for(world, "hrss_liaison").get(f"{CASES}{wages.pk}/").json()
    assert row["creditor"] == "张某某"
    # The court's own client: the provider, personal fields open.
    court = token_client(world, "court", Role.COURT, {"enforcement.cases": "read"})
    assert court.get(f"{CASES}{wages.pk}/").json()["creditor"] == "张某某"
    # The debtor body's client: a grant without personal fields shows the name masked.
    hrss = token_client(world, "hrss", Role.LIAISON, {"enforcement.cases": "read"})
    assert hrss.get(CASES).json()["code"] == "api.no_grant"
    today = timezone.localdate()
    AccessGrant.objects.create(
        dataset="enforcement.cases",
        requesting_unit=world.units["hrss"],
        provider_unit=world.units["court"],
        purpose="核对本单位涉执行案件",
        valid_from=today,
        valid_to=today + datetime.timedelta(days=30),
        state=GrantState.APPROVED,
        requested_by=world.users["hrss_liaison"],
    )
    [row] = hrss.get(CASES).json()["results"]
    assert row["creditor"] == "张**" and row["debtor_name"] == "驻马店市人力资源和社会保障局"
    assert "张某某" not in hrss.get(f"{CASES}{wages.pk}/").content.decode()


def test_only_a_persons_name_is_masked() -> None:
    from fuyuan.enforcement.api import mask_party_name

    assert mask_party_name("张某某") == "张**"
    assert mask_party_name("驻马店市恒达建筑工程有限公司") == "驻马店市恒达建筑工程有限公司"
    assert mask_party_name("驻马店市人力资源和社会保障局") == "驻马店市人力资源和社会保障局"
    assert mask_party_name("") == ""


def _inquiry(world: World) -> Any:
    from fuyuan.core.identifiers import resident_id_check_char

    base = "41170219900307123"
    return inquiry_actions.send_inquiry(
        world.users["court_staff"],
        court=world.units["court"],
        department=world.units["hrss"],
        case_number=f"（2025）豫17执{800 + next(_SEQ)}号",
        kind="social_insurance",
        party_name="张某某",
        party_id_type="resident_id",
        party_id_number=base + resident_id_check_char(base),
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )


def test_inquiries_are_listed_masked_and_the_department_answers(world: World) -> None:
    item = _inquiry(world)
    clear = item.party_id_number
    for name in ("court_staff", "hrss_liaison", "city_office"):
        response = api_for(world, name).get(INQUIRIES)
        assert [r["id"] for r in response.json()["results"]] == [item.pk], name
        assert clear not in response.content.decode()
    assert api_for(world, "a_office").get(f"{INQUIRIES}{item.pk}/").status_code == 404
    url = f"{INQUIRIES}{item.pk}/answer/"
    refused = api_for(world, "court_staff").post(url, {"result": "无"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "api.forbidden"
    api = api_for(world, "hrss_liaison")
    empty = api.post(url, {"result": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "result"
    upload = SimpleUploadedFile("参保证明.txt", "参保正常".encode(), "text/plain")
    response = api.post(url, {"result": "参保正常，单位：某公司", "files": [upload]})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == InquiryState.ANSWERED
    assert [a["name"] for a in response.json()["attachments"]] == ["参保证明.txt"]
    item.refresh_from_db()
    assert item.state == InquiryState.ANSWERED and item.answered_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(action="enforcement.inquiry.answer").count() == 1
    again = api.post(url, {"result": "再答"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "enforcement.inquiry_not_open"
    assert api.get(f"{INQUIRIES}?state=answered").json()["count"] == 1


def test_the_inquirys_identifier_in_clear_is_an_audited_request(world: World) -> None:
    item = _inquiry(world)
    url = f"{INQUIRIES}{item.pk}/reveal/"
    response = api_for(world, "hrss_liaison").post(url)
    assert (
        response.status_code == 200 and response.json()["party_id_number"] == item.party_id_number
    )
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="enforcement.inquiry.reveal").count() == 1
    assert api_for(world, "city_office").post(url).status_code == 403
    assert api_for(world, "a_office").post(url).status_code == 404
