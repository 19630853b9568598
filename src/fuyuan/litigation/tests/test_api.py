"""REST API of litigation: cases, hearings and head appearance records, recommendations and
dispute referrals are served from the pages' `visible_to` with the pages' filters — a case
heard by another county's court (相对集中管辖) reaches its defendant body, a case of county
b's body never reaches county a — and the writes go through the same actions (audited),
refusals answering in the one error shape with a code."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.audit.models import AuditEntry
from fuyuan.litigation import actions, dispute_actions, recommendation_actions
from fuyuan.litigation.api import mask_embedded
from fuyuan.litigation.models import AdminCase, Appearance, Hearing, Recommendation
from fuyuan.testing import World

pytestmark = pytest.mark.django_db

_NUMBERS = itertools.count(300)


# --- builders -----------------------------------------------------------------------------------
def api(world: World, name: str | None = None, token: Any = None) -> APIClient:
    client = APIClient()
    if name is not None:
        client.force_authenticate(user=world.users[name], token=token)
    return client


def a_case_heard_in_b(world: World, **extra: Any) -> AdminCase:
    """西平县人社局 (county a) before 上蔡县人民法院 (county b): 相对集中管辖."""
    values: dict[str, Any] = {
        "plaintiffs": "王秀兰\n李建国",
        "cause": "工伤认定",
        "enterprise_related": False,
        "filed_on": timezone.localdate() - datetime.timedelta(days=40),
        "stage": "filed",
    }
    values.update(extra)
    return actions.create_case(
        world.users["b_court_staff"],
        number=f"（2024）豫1722行初{next(_NUMBERS)}号",
        court=world.units["b_court"],
        defendant=world.units["a_hrss"],
        **values,
    )


def b_case(world: World) -> AdminCase:
    """A case of county b's own body, heard by county b's court."""
    return actions.create_case(
        world.users["b_court_staff"],
        number=f"（2024）豫1722行初{next(_NUMBERS)}号",
        court=world.units["b_court"],
        defendant=world.units["b_office"],
        plaintiffs="赵德胜",
        cause="政府信息公开",
        enterprise_related=False,
        filed_on=timezone.localdate() - datetime.timedelta(days=20),
        stage="filed",
    )


def city_case(world: World, **extra: Any) -> AdminCase:
    values: dict[str, Any] = {
        "plaintiffs": "驻马店市宏达物流有限公司",
        "cause": "劳动保障监察",
        "enterprise_related": True,
        "filed_on": timezone.localdate() - datetime.timedelta(days=60),
        "stage": "filed",
    }
    values.update(extra)
    return actions.create_case(
        world.users["court_staff"],
        number=f"（2024）豫17行初{next(_NUMBERS)}号",
        court=world.units["court"],
        defendant=world.units["hrss"],
        **values,
    )


def past_hearing(world: World, case: AdminCase | None = None, days: int = -1) -> Hearing:
    case = case or a_case_heard_in_b(world)
    court = "b_court_staff" if case.court == world.units["b_court"] else "court_staff"
    when = timezone.now() + datetime.timedelta(days=days)
    return actions.add_hearing(world.users[court], case, when, "第二审判庭")


def record(world: World, hearing: Hearing | None = None) -> Appearance:
    return actions.record_appearance(
        world.users["b_court_staff"],
        hearing or past_hearing(world),
        rank="deputy",
        head_name="赵国强",
        head_post="副局长",
        spoke=True,
    )


def recommendation(
    world: World, state: str = "delivered", title: str = "规范送达", number: int = 3
) -> Any:
    rec = recommendation_actions.create_recommendation(
        world.users["court_staff"],
        kind="judicial",
        scope="case_type",
        issuer=world.units["court"],
        recipient=world.units["hrss"],
        title=title,
        content="审理中发现的问题。",
        items=["规范送达程序", "加强执法培训"],
        document_number=f"驻中法建〔2024〕{number}号",
    )
    if state in ("delivered", "replied"):
        recommendation_actions.deliver(
            world.users["court_staff"], rec, timezone.localdate() - datetime.timedelta(days=3)
        )
    rec.refresh_from_db()
    return rec


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


class StubToken:
    """What ScopePermission asks of `request.auth`: a token with read-only scopes."""

    client = None

    def __init__(self, scopes: dict[str, str]) -> None:
        self.scopes = scopes

    def allows(self, resource: str, *, write: bool) -> bool:
        given = self.scopes.get(resource)
        return given == "write" or (given == "read" and not write)


# --- cases: scope, 相对集中管辖, filters ---------------------------------------------------------
def test_anonymous_gets_401_in_the_error_shape(world):
    response = api(world).get(reverse("api:litigation-case-list"))
    assert response.status_code == 401
    assert response.json()["code"] == "api.not_authenticated"


def test_a_case_of_county_b_is_not_visible_to_county_a(world):
    theirs, ours = b_case(world), a_case_heard_in_b(world)
    listed = ids(api(world, "a_office").get(reverse("api:litigation-case-list")))
    assert ours.pk in listed and theirs.pk not in listed
    response = api(world, "a_office").get(
        reverse("api:litigation-case-detail", kwargs={"pk": theirs.pk})
    )
    assert response.status_code == 404
    assert response.json()["code"] == "api.not_found"


def test_case_heard_in_another_county_reaches_the_defendant_body(world):
    case = a_case_heard_in_b(world)
    for name in ("a_hrss_liaison", "a_office", "b_court_staff", "city_office"):
        assert case.pk in ids(api(world, name).get(reverse("api:litigation-case-list"))), name
    for name in ("b_office", "hrss_liaison", "court_staff", "system_admin"):
        assert case.pk not in ids(api(world, name).get(reverse("api:litigation-case-list"))), name
    row = api(world, "a_hrss_liaison").get(
        reverse("api:litigation-case-detail", kwargs={"pk": case.pk})
    )
    assert row.status_code == 200
    assert row.json()["heard_elsewhere"] is True
    assert row.json()["court"] == {"id": world.units["b_court"].pk, "name": "上蔡县人民法院"}
    elsewhere = api(world, "city_office").get(
        reverse("api:litigation-case-list"), {"elsewhere": "true"}
    )
    assert case.pk in ids(elsewhere)


def test_case_list_takes_the_ledgers_filters(world):
    labour = city_case(world, cause="劳动保障监察")
    injury = city_case(world, cause="工伤认定", stage="hearing")
    client = api(world, "city_office")
    url = reverse("api:litigation-case-list")
    assert ids(client.get(url, {"q": "工伤"})) == {injury.pk}
    assert ids(client.get(url, {"stage": "hearing"})) == {injury.pk}
    assert labour.pk in ids(client.get(url, {"enterprise": "true"}))
    assert ids(client.get(url, {"defendant": world.units["hrss"].pk})) >= {labour.pk, injury.pk}
    refused = client.get(url, {"stage": "nonsense"})
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "api.invalid" and body["errors"][0]["field"] == "stage"


def test_case_detail_has_co_defendants_hearings_records_and_outcome(world):
    case = a_case_heard_in_b(world, co_defendants=[world.units["a_gov"]])
    item = record(world, past_hearing(world, case))
    actions.update_case(
        world.users["b_court_staff"],
        case,
        stage="concluded",
        concluded_on=timezone.localdate(),
        outcome="dismissed",
    )
    data = (
        api(world, "a_hrss_liaison")
        .get(reverse("api:litigation-case-detail", kwargs={"pk": case.pk}))
        .json()
    )
    assert data["co_defendants"] == [{"id": world.units["a_gov"].pk, "name": "西平县人民政府"}]
    assert data["plaintiffs"] == ["王秀兰", "李建国"]
    assert (data["stage"], data["outcome"]) == ("concluded", "dismissed")
    (hearing,) = data["hearings"]
    assert hearing["state"] == "held"
    assert hearing["appearance"]["id"] == item.pk
    assert hearing["appearance"]["state"] == "recorded"
    assert hearing["appearance"]["confirm_by"] == actions.confirm_by(item).isoformat()


def test_identity_numbers_in_plaintiff_lines_are_masked(world):
    case = a_case_heard_in_b(world, plaintiffs="王秀兰 411721199001011234 13812345678")
    data = (
        api(world, "a_office")
        .get(reverse("api:litigation-case-detail", kwargs={"pk": case.pk}))
        .json()
    )
    assert data["plaintiffs"] == ["王秀兰 411721********1234 138****5678"]
    assert mask_embedded("李建国") == "李建国"


def test_case_list_query_count_does_not_grow_with_rows(world):
    client = api(world, "city_office")
    url = reverse("api:litigation-case-list")
    for _ in range(2):
        city_case(world, co_defendants=[world.units["housing"]])
    client.get(url)  # warm caches (content types, settings)
    with CaptureQueriesContext(connection) as two:
        assert len(ids(client.get(url))) == 2
    for _ in range(8):
        city_case(world, co_defendants=[world.units["housing"]])
    with CaptureQueriesContext(connection) as ten:
        assert len(ids(client.get(url))) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


# --- hearings and head appearance records --------------------------------------------------------
def test_hearing_list_shows_the_next_30_days_unless_dated(world):
    case = a_case_heard_in_b(world)
    soon = past_hearing(world, case, days=3)
    old = past_hearing(world, case, days=-10)
    client = api(world, "a_hrss_liaison")
    url = reverse("api:litigation-hearing-list")
    assert ids(client.get(url)) == {soon.pk}
    since = (timezone.localdate() - datetime.timedelta(days=11)).isoformat()
    assert ids(client.get(url, {"date_from": since})) == {soon.pk, old.pk}
    # A detail is never hidden by the list's window.
    detail = client.get(reverse("api:litigation-hearing-detail", kwargs={"pk": old.pk}))
    assert detail.status_code == 200 and detail.json()["case"]["number"] == case.number
    assert client.get(url, {"date_from": since}).json()["results"][0]["court"]["id"] == (
        world.units["b_court"].pk
    )
    assert ids(api(world, "hrss_liaison").get(url, {"date_from": since})) == set()


def test_court_records_an_appearance_through_the_action(world):
    hearing = past_hearing(world)
    url = reverse("api:litigation-hearing-record-appearance", kwargs={"pk": hearing.pk})
    payload = {"rank": "top", "head_name": "孙明亮", "head_post": "局长", "spoke": True}
    response = api(world, "b_court_staff").post(url, payload, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["rank"], data["state"], data["unit"]["id"]) == (
        "top",
        "recorded",
        world.units["a_hrss"].pk,
    )
    assert AuditEntry.objects.filter(
        action="litigation.appearance.create", object_id=str(data["id"])
    ).exists()
    again = api(world, "b_court_staff").post(url, payload, format="json")
    assert again.status_code == 400 and again.json()["code"] == "litigation.appearance_exists"


def test_recording_is_refused_to_the_body_and_for_a_hearing_to_come(world):
    hearing = past_hearing(world)
    url = reverse("api:litigation-hearing-record-appearance", kwargs={"pk": hearing.pk})
    body = api(world, "a_hrss_liaison").post(url, {"rank": "top", "head_name": "孙明亮"})
    assert body.status_code == 403 and body.json()["code"] == "api.forbidden"
    outsider = api(world, "hrss_liaison").post(url, {"rank": "top", "head_name": "孙明亮"})
    assert outsider.status_code == 404
    future = past_hearing(world, hearing.case, days=2)
    url = reverse("api:litigation-hearing-record-appearance", kwargs={"pk": future.pk})
    early = api(world, "b_court_staff").post(url, {"rank": "top", "head_name": "孙明亮"})
    assert early.status_code == 400 and early.json()["code"] == "litigation.hearing_not_held"
    absent = api(world, "b_court_staff").post(
        reverse("api:litigation-hearing-record-appearance", kwargs={"pk": hearing.pk}),
        {"rank": "none"},
    )
    assert absent.status_code == 400
    assert absent.json()["code"] == "litigation.absence_reason_required"
    assert not Appearance.objects.exists()


def test_body_confirms_a_record_and_cannot_confirm_twice(world):
    item = record(world)
    url = reverse("api:litigation-appearance-confirm", kwargs={"pk": item.pk})
    court = api(world, "b_court_staff").post(url, {})
    assert court.status_code == 403 and court.json()["code"] == "api.forbidden"
    response = api(world, "a_hrss_liaison").post(url, {"version": item.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "confirmed"
    assert response.json()["confirm_by"] is None
    assert AuditEntry.objects.filter(action="litigation.appearance.confirm").count() == 1
    again = api(world, "a_hrss_liaison").post(url, {})
    assert again.status_code == 409 and again.json()["code"] == "workflow.not_allowed"


def test_body_disputes_with_its_reason_and_the_court_keeps_the_record(world):
    item = record(world)
    url = reverse("api:litigation-appearance-dispute", kwargs={"pk": item.pk})
    bare = api(world, "a_hrss_liaison").post(url, {})
    assert bare.status_code == 400
    assert bare.json()["errors"][0]["field"] == "comment"
    stale = api(world, "a_hrss_liaison").post(url, {"comment": "正职出庭", "version": 99})
    assert stale.status_code == 409 and stale.json()["code"] == "api.stale"
    disputed = api(world, "a_hrss_liaison").post(url, {"comment": "实为正职出庭"})
    assert disputed.status_code == 200
    assert (disputed.json()["state"], disputed.json()["dispute_reason"]) == (
        "disputed",
        "实为正职出庭",
    )
    upheld = api(world, "b_court_staff").post(
        reverse("api:litigation-appearance-uphold", kwargs={"pk": item.pk}),
        {"comment": "以庭审笔录为准"},
    )
    assert upheld.status_code == 200 and upheld.json()["state"] == "confirmed"
    assert AuditEntry.objects.filter(action="litigation.appearance.uphold").count() == 1


def test_court_corrects_a_disputed_record_back_to_the_body(world):
    item = record(world)
    actions.appearance_transition(world.users["a_hrss_liaison"], item, "dispute", "正职出庭")
    url = reverse("api:litigation-appearance-correct", kwargs={"pk": item.pk})
    body = api(world, "a_hrss_liaison").post(url, {"rank": "top"})
    assert body.status_code == 403
    bare = api(world, "b_court_staff").post(url, {"rank": "top", "head_post": "局长"})
    assert bare.status_code == 409 and bare.json()["code"] == "workflow.comment_required"
    response = api(world, "b_court_staff").post(
        url, {"rank": "top", "head_post": "局长", "comment": "核对录像后更正"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["rank"], data["state"], data["court_answer"]) == (
        "top",
        "recorded",
        "核对录像后更正",
    )
    assert AuditEntry.objects.filter(action="litigation.appearance.correct").count() == 1


def test_appearance_list_filters_by_state_and_is_scoped(world):
    waiting = record(world)
    done = record(world)
    actions.appearance_transition(world.users["a_hrss_liaison"], done, "confirm")
    url = reverse("api:litigation-appearance-list")
    client = api(world, "a_hrss_liaison")
    assert ids(client.get(url, {"state": "recorded"})) == {waiting.pk}
    assert ids(client.get(url)) == {waiting.pk, done.pk}
    assert ids(api(world, "hrss_liaison").get(url)) == set()


def test_a_read_only_token_cannot_write(world):
    item = record(world)
    token = StubToken({"litigation.cases": "read"})
    client = api(world, "a_hrss_liaison", token=token)
    assert client.get(reverse("api:litigation-appearance-list")).status_code == 200
    response = client.post(reverse("api:litigation-appearance-confirm", kwargs={"pk": item.pk}))
    assert response.status_code == 403 and response.json()["code"] == "api.scope"
    item.refresh_from_db()
    assert item.state == "recorded"
    other = api(world, "a_hrss_liaison", token=StubToken({"litigation.cases": "read"}))
    refused = other.get(reverse("api:litigation-recommendation-list"))
    assert refused.status_code == 403 and refused.json()["code"] == "api.scope"


# --- recommendations ------------------------------------------------------------------------------
def test_recommendation_read_has_items_with_their_matters_and_the_due_date(world):
    rec = recommendation(world)
    draft = recommendation(world, state="draft", title="草稿", number=4)
    client = api(world, "hrss_liaison")
    assert ids(client.get(reverse("api:litigation-recommendation-list"))) == {rec.pk}
    data = client.get(reverse("api:litigation-recommendation-detail", kwargs={"pk": rec.pk}))
    data = data.json()
    assert (data["kind"], data["number"], data["state"]) == (
        "judicial",
        "驻中法建〔2024〕3号",
        "delivered",
    )
    assert data["recipient"]["id"] == world.units["hrss"].pk
    assert data["reply_due"] == rec.reply_due.isoformat() and data["overdue"] is False
    assert [i["text"] for i in data["items"]] == ["规范送达程序", "加强执法培训"]
    assert all(i["matter"] for i in data["items"])
    assert draft.pk in ids(
        api(world, "court_staff").get(reverse("api:litigation-recommendation-list"))
    )
    hidden = api(world, "a_office").get(
        reverse("api:litigation-recommendation-detail", kwargs={"pk": rec.pk})
    )
    assert hidden.status_code == 404


def test_recommendation_list_filters_as_the_page(world):
    rec = recommendation(world)
    recommendation(world, state="draft", title="草稿", number=4)
    client = api(world, "court_staff")
    url = reverse("api:litigation-recommendation-list")
    assert ids(client.get(url, {"state": "delivered"})) == {rec.pk}
    assert ids(client.get(url, {"overdue": "true"})) == set()
    Recommendation.objects.filter(pk=rec.pk).update(
        reply_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert ids(client.get(url, {"overdue": "true"})) == {rec.pk}
    assert ids(client.get(url, {"year": timezone.localdate().year, "state": "delivered"})) == {
        rec.pk
    }


def test_recipient_replies_with_the_adoption_of_every_item(world):
    rec = recommendation(world)
    first, second = rec.items.order_by("order")
    url = reverse("api:litigation-recommendation-reply", kwargs={"pk": rec.pk})
    today = timezone.localdate().isoformat()
    issuer = api(world, "court_staff").post(url, {}, format="json")
    assert issuer.status_code == 403 and issuer.json()["code"] == "api.forbidden"
    missing = api(world, "hrss_liaison").post(
        url,
        {
            "replied_on": today,
            "reply_text": "已整改。",
            "adoptions": [{"item": first.pk, "adoption": "adopted"}],
        },
        format="json",
    )
    assert missing.status_code == 400
    assert missing.json()["code"] == "litigation.adoption_required"
    assert missing.json()["errors"][0]["field"] == f"adoption_{second.pk}"
    no_reason = api(world, "hrss_liaison").post(
        url,
        {
            "replied_on": today,
            "reply_text": "已整改。",
            "adoptions": [
                {"item": first.pk, "adoption": "adopted"},
                {"item": second.pk, "adoption": "partly"},
            ],
        },
        format="json",
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "litigation.adoption_reason_required"
    response = api(world, "hrss_liaison").post(
        url,
        {
            "replied_on": today,
            "reply_text": "已整改。",
            "adoptions": [
                {"item": first.pk, "adoption": "adopted"},
                {"item": second.pk, "adoption": "partly", "reason": "培训计划明年实施"},
            ],
            "version": rec.version,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["state"], data["replied_on"], data["reply"]) == ("replied", today, "已整改。")
    assert [i["adoption"] for i in data["items"]] == ["adopted", "partly"]
    assert AuditEntry.objects.filter(action="litigation.recommendation.reply").count() == 1


def test_a_draft_cannot_be_replied_to_and_the_shape_is_checked(world):
    draft = recommendation(world, state="draft", title="草稿", number=4)
    url = reverse("api:litigation-recommendation-reply", kwargs={"pk": draft.pk})
    assert api(world, "hrss_liaison").post(url, {}, format="json").status_code == 404
    rec = recommendation(world)
    url = reverse("api:litigation-recommendation-reply", kwargs={"pk": rec.pk})
    bad = api(world, "hrss_liaison").post(url, {"reply_text": "x"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "api.invalid"
    assert {e["field"] for e in bad.json()["errors"]} == {"replied_on", "adoptions"}


# --- dispute referrals ----------------------------------------------------------------------------
def test_disputes_are_read_with_their_steps_scoped_and_filtered(world):
    case = a_case_heard_in_b(world)
    during = dispute_actions.refer_dispute(
        world.users["a_office"],
        unit=world.units["a_hrss"],
        title="工伤认定争议",
        applicant="王秀兰 411721199001011234",
        summary="对工伤认定结论不服。",
        referred_on=timezone.localdate(),
        case=case,
    )
    before = dispute_actions.refer_dispute(
        world.users["a_office"],
        unit=world.units["a_hrss"],
        title="社保补缴争议",
        applicant="李建国",
        summary="要求补缴社保。",
        referred_on=timezone.localdate(),
    )
    dispute_actions.add_step(
        world.users["a_office"], during, on=timezone.localdate(), kind="talk", note="约谈双方"
    )
    client = api(world, "a_hrss_liaison")
    url = reverse("api:litigation-dispute-list")
    assert ids(client.get(url)) == {during.pk, before.pk}
    assert ids(client.get(url, {"has_case": "no"})) == {before.pk}
    assert ids(api(world, "b_office").get(url)) == set()
    data = client.get(reverse("api:litigation-dispute-detail", kwargs={"pk": during.pk})).json()
    assert data["applicant"] == "王秀兰 411721********1234"
    assert data["case"] == {"id": case.pk, "number": case.number}
    assert [s["note"] for s in data["steps"]] == ["约谈双方"]
    assert data["state"] == "coordinating"
    hidden = api(world, "hrss_liaison").get(
        reverse("api:litigation-dispute-detail", kwargs={"pk": during.pk})
    )
    assert hidden.status_code == 404
    refused = client.post(url, {})
    assert refused.status_code == 405
