"""Access grants: a department asks the court for a dataset with a purpose and a period of at
most a year; only the provider decides (personal fields only if asked), refusing and revoking
need a reason; the requester may withdraw; the other side is told. The check then opens the
dataset to the department's system only within the period, masked unless granted."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.exchange import access, grant_actions
from fuyuan.exchange.models import AccessGrant, GrantState
from fuyuan.notify.models import InboxMessage

from .client_helpers import (
    GRANTS_READ,
    GRANTS_WRITE,
    FakeRequest,
    approved,
    ask,
    bearer,
    make_client,
    signed_in,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _check(world, unit: str = "hrss", dataset: str = "enforcement.debtors"):
    client, token, _raw = make_client(world, unit, name=f"{unit}系统")
    return access.check(FakeRequest(user=client.service_user, auth=token), dataset)


def _code(exc_info) -> str:
    return exc_info.value.get_codes()


# --- the flow -------------------------------------------------------------------------------
@pytest.mark.parametrize("personal", [False, True])
def test_request_approve_then_check_reveals_as_granted(world, personal):
    grant = ask(world, personal=True)
    assert grant.state == GrantState.REQUESTED
    with pytest.raises(ApiPermissionDenied) as exc:
        _check(world)
    assert _code(exc) == "api.no_grant"
    grant_actions.approve(world.users["court_staff"], grant, personal_granted=personal)
    decided = _check(world)
    assert decided.reveal_personal is personal
    assert decided.grant_id == grant.pk
    assert AuditEntry.objects.filter(action="exchange.grant.approve").exists()


def test_provider_of_the_dataset_needs_no_grant(world):
    assert _check(world, "court").reveal_personal is True
    assert _check(world, "b_court").reveal_personal is True


def test_a_person_signed_in_is_never_asked_for_a_grant(world):
    decided = access.check(FakeRequest(user=world.users["hrss_liaison"]), "enforcement.debtors")
    assert decided.reveal_personal is False and decided.grant_id is None


def test_grant_outside_its_period_opens_nothing(world):
    today = TODAY()
    approved(
        world,
        valid_from=today + datetime.timedelta(days=5),
        valid_to=today + datetime.timedelta(days=30),
    )
    with pytest.raises(ApiPermissionDenied) as exc:
        _check(world)
    assert _code(exc) == "api.no_grant"
    grant = AccessGrant.objects.get()
    assert access.active_grant(world.units["hrss"], "enforcement.debtors") is None
    assert (
        access.active_grant(
            world.units["hrss"], "enforcement.debtors", on=today + datetime.timedelta(days=5)
        )
        == grant
    )
    assert (
        access.active_grant(
            world.units["hrss"], "enforcement.debtors", on=today + datetime.timedelta(days=31)
        )
        is None
    )


def test_a_grant_for_one_dataset_opens_no_other(world):
    approved(world)
    with pytest.raises(ApiPermissionDenied):
        _check(world, dataset="bankruptcy.cases")


def test_revoked_grant_opens_nothing(world):
    grant = approved(world)
    assert _check(world).grant_id == grant.pk
    with pytest.raises(ValidationError) as exc:
        grant_actions.revoke(world.users["court_staff"], grant, reason="  ")
    assert exc.value.error_dict["reason"][0].code == "grant.reason_required"
    grant_actions.revoke(world.users["court_staff"], grant, reason="用途已完成")
    grant.refresh_from_db()
    assert grant.state == GrantState.REVOKED and grant.end_reason == "用途已完成"
    with pytest.raises(ApiPermissionDenied) as exc:
        _check(world)
    assert _code(exc) == "api.no_grant"


def test_refusal_needs_a_reason(world):
    grant = ask(world)
    with pytest.raises(ValidationError) as exc:
        grant_actions.refuse(world.users["court_staff"], grant, reason="")
    assert exc.value.error_dict["reason"][0].code == "grant.reason_required"
    grant.refresh_from_db()
    assert grant.state == GrantState.REQUESTED
    grant_actions.refuse(world.users["court_staff"], grant, reason="目的不明确")
    grant.refresh_from_db()
    assert grant.state == GrantState.REFUSED and grant.decision_note == "目的不明确"


def test_personal_fields_only_if_asked(world):
    grant = ask(world, personal=False)
    with pytest.raises(ValidationError) as exc:
        grant_actions.approve(world.users["court_staff"], grant, personal_granted=True)
    assert exc.value.error_dict["personal_granted"][0].code == "grant.personal_not_requested"


def test_a_dataset_without_personal_fields_cannot_be_asked_in_clear(world):
    grant = ask(world, dataset="bankruptcy.cases", personal=True)
    assert grant.personal_requested is False


@pytest.mark.parametrize("who", ["hrss_liaison", "b_court_staff", "city_office", "system_admin"])
def test_only_the_provider_decides(world, who):
    grant = ask(world)
    with pytest.raises(PermissionDenied):
        grant_actions.approve(world.users[who], grant)


def test_requester_withdraws_a_pending_request_and_the_provider_cannot(world):
    grant = ask(world)
    with pytest.raises(PermissionDenied):
        grant_actions.withdraw(world.users["court_staff"], grant)
    grant_actions.withdraw(world.users["hrss_liaison"], grant)
    grant.refresh_from_db()
    assert grant.state == GrantState.WITHDRAWN and grant.ended_by == world.users["hrss_liaison"]
    with pytest.raises(TransitionError) as exc:
        grant_actions.approve(world.users["court_staff"], grant)
    assert exc.value.code == "workflow.not_allowed"


# --- asking: the rules --------------------------------------------------------------------------
def test_period_rules(world):
    today = TODAY()
    with pytest.raises(ValidationError) as exc:
        ask(world, valid_from=today, valid_to=today - datetime.timedelta(days=1))
    assert exc.value.error_dict["valid_to"][0].code == "grant.period_order"
    with pytest.raises(ValidationError) as exc:
        ask(
            world,
            valid_from=today,
            valid_to=grant_actions.last_allowed_day(today) + datetime.timedelta(days=1),
        )
    assert exc.value.error_dict["valid_to"][0].code == "grant.period_too_long"
    ask(world, valid_from=today, valid_to=grant_actions.last_allowed_day(today))
    assert grant_actions.last_allowed_day(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)
    assert grant_actions.last_allowed_day(datetime.date(2026, 1, 1)) == datetime.date(2026, 12, 31)


def test_a_past_period_is_refused(world):
    today = TODAY()
    with pytest.raises(ValidationError) as exc:
        ask(
            world,
            valid_from=today - datetime.timedelta(days=30),
            valid_to=today - datetime.timedelta(days=1),
        )
    assert exc.value.error_dict["valid_to"][0].code == "grant.period_past"


def test_provider_must_provide_the_dataset(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, provider="housing")
    assert exc.value.error_dict["provider_unit"][0].code == "grant.not_provider"


def test_purpose_is_required(world):
    with pytest.raises(ValidationError) as exc:
        grant_actions.request_access(
            world.users["hrss_liaison"],
            requesting_unit=world.units["hrss"],
            provider_unit=world.units["court"],
            dataset="enforcement.debtors",
            purpose="   ",
            valid_from=TODAY(),
            valid_to=TODAY(),
        )
    assert exc.value.error_dict["purpose"][0].code == "grant.purpose_required"


def test_one_pending_request_at_a_time(world):
    ask(world)
    with pytest.raises(ValidationError) as exc:
        ask(world)
    assert exc.value.error_list[0].code == "grant.pending_exists"


def test_nobody_asks_for_a_unit_they_do_not_act_for(world):
    with pytest.raises(PermissionDenied):
        ask(world, requester="housing_liaison", unit="hrss")
    with pytest.raises(PermissionDenied):
        ask(world, requester="system_admin", unit="hrss")


def test_a_court_needs_no_grant_for_court_data(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, requester="b_court_staff", unit="b_court")
    assert exc.value.error_dict["requesting_unit"][0].code == "grant.own_data"


def test_office_staff_ask_for_the_office_unit(world):
    grant = ask(world, requester="city_office", unit="city_office")
    assert grant.requesting_unit == world.units["city_office"]


# --- the other side is told -------------------------------------------------------------------
def test_each_side_is_notified(world):
    grant = ask(world)
    assert InboxMessage.objects.filter(user=world.users["court_staff"], ref_id=grant.pk).exists()
    assert not InboxMessage.objects.filter(user=world.users["b_court_staff"]).exists()
    grant_actions.approve(world.users["court_staff"], grant)
    assert InboxMessage.objects.filter(
        user=world.users["hrss_liaison"], ref_kind="exchange.grant", ref_id=grant.pk
    ).exists()


def test_service_users_are_not_notified(world):
    client, _token, _raw = make_client(world, "court")
    ask(world)
    assert not InboxMessage.objects.filter(user=client.service_user).exists()


# --- pages --------------------------------------------------------------------------------------
def test_request_page_then_incoming_page_then_approve(world, client_for):
    liaison = client_for("hrss_liaison")
    today = TODAY()
    response = liaison.post(
        reverse("exchange:grant_create"),
        {
            "requesting_unit": world.units["hrss"].pk,
            "dataset": "enforcement.debtors",
            "provider_unit": world.units["court"].pk,
            "purpose": "招聘录用前核查",
            "legal_basis": "",
            "valid_from": today.isoformat(),
            "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
            "personal_requested": "on",
        },
    )
    assert response.status_code == 302
    grant = AccessGrant.objects.get()
    assert grant.personal_requested
    mine = liaison.get(reverse("exchange:grant_list"))
    assert [g.pk for g in mine.context["page"]] == [grant.pk]
    court = client_for("court_staff")
    incoming = court.get(reverse("exchange:grant_incoming"))
    assert [g.pk for g in incoming.context["page"]] == [grant.pk]
    detail = court.get(reverse("exchange:grant_detail", args=[grant.pk]))
    assert [t.name for t in detail.context["transitions"]] == ["approve", "refuse"]
    refused = court.post(
        reverse("exchange:grant_transition", args=[grant.pk, "refuse"]),
        {"version": grant.version, "reason": ""},
    )
    assert refused.status_code == 200
    assert refused.context["form"].has_error("reason", "grant.reason_required")
    approved_page = court.post(
        reverse("exchange:grant_transition", args=[grant.pk, "approve"]),
        {"version": grant.version, "personal_granted": "on"},
    )
    assert approved_page.status_code == 302
    grant.refresh_from_db()
    assert grant.state == GrantState.APPROVED and grant.personal_granted


def test_request_page_refusal_stays_on_the_form(world, client_for):
    today = TODAY()
    response = client_for("hrss_liaison").post(
        reverse("exchange:grant_create"),
        {
            "requesting_unit": world.units["hrss"].pk,
            "dataset": "enforcement.debtors",
            "provider_unit": world.units["court"].pk,
            "purpose": "核查",
            "valid_from": today.isoformat(),
            "valid_to": (today + datetime.timedelta(days=400)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("valid_to", "grant.period_too_long")


def test_grant_pages_scoped(world, client_for):
    grant = ask(world)
    url = reverse("exchange:grant_detail", args=[grant.pk])
    for role in ("hrss_liaison", "court_staff", "city_office"):
        assert client_for(role).get(url).status_code == 200, role
    for role in ("a_office", "b_court_staff", "housing_liaison", "system_admin"):
        assert client_for(role).get(url).status_code == 404, role
    # The request page is for units that need grants; the incoming page for providers.
    assert client_for("court_staff").get(reverse("exchange:grant_create")).status_code == 403
    assert client_for("hrss_liaison").get(reverse("exchange:grant_incoming")).status_code == 403
    assert client_for("system_admin").get(reverse("exchange:grant_list")).status_code == 403
    wrong = client_for("hrss_liaison").post(
        reverse("exchange:grant_transition", args=[grant.pk, "approve"]), {}
    )
    assert wrong.status_code == 403


# --- API ------------------------------------------------------------------------------------------
def _request_body(world, **extra):
    today = TODAY()
    return {
        "dataset": "enforcement.debtors",
        "provider_unit": world.units["court"].pk,
        "purpose": "联合惩戒核查",
        "valid_from": today.isoformat(),
        "valid_to": (today + datetime.timedelta(days=60)).isoformat(),
        **extra,
    }


def test_api_request_by_a_client_defaults_to_its_unit(world):
    _client, _token, raw = make_client(world, "hrss", scopes=GRANTS_WRITE)
    response = bearer(raw).post("/api/v1/exchange/grants/", _request_body(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["requesting_unit"] == world.units["hrss"].pk and body["state"] == "requested"
    assert AuditEntry.objects.filter(action="exchange.grant.request").exists()


def test_api_refusal_without_reason_has_its_code(world):
    grant = ask(world)
    court = signed_in(world.users["court_staff"])
    url = f"/api/v1/exchange/grants/{grant.pk}/refuse/"
    response = court.post(url, {"reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "grant.reason_required"
    ok = court.post(url, {"reason": "不符合条件"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "refused"


def test_api_approve_withdraw_revoke(world):
    grant = ask(world, personal=True)
    court = signed_in(world.users["court_staff"])
    hrss = signed_in(world.users["hrss_liaison"])
    assert hrss.post(f"/api/v1/exchange/grants/{grant.pk}/approve/", {}).status_code == 403
    answer = court.post(
        f"/api/v1/exchange/grants/{grant.pk}/approve/", {"personal_granted": True}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json()["personal_granted"] is True and answer.json()["in_force"] is True
    again = court.post(f"/api/v1/exchange/grants/{grant.pk}/approve/", {}, format="json")
    assert again.status_code == 409
    revoked = court.post(
        f"/api/v1/exchange/grants/{grant.pk}/revoke/", {"reason": "期满提前终止"}, format="json"
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    other = ask(world)
    withdrawn = hrss.post(f"/api/v1/exchange/grants/{other.pk}/withdraw/", {}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"


def test_api_grants_list_scoped(world):
    grant = ask(world)
    assert [
        g["id"]
        for g in signed_in(world.users["hrss_liaison"])
        .get("/api/v1/exchange/grants/")
        .json()["results"]
    ] == [grant.pk]
    housing = signed_in(world.users["housing_liaison"])
    assert housing.get("/api/v1/exchange/grants/").json()["count"] == 0
    assert housing.get(f"/api/v1/exchange/grants/{grant.pk}/").status_code == 404
    _client, _token, raw = make_client(world, "housing", scopes=GRANTS_READ)
    assert bearer(raw).get(f"/api/v1/exchange/grants/{grant.pk}/").status_code == 404


def test_api_grants_list_query_count_is_flat(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = signed_in(world.users["court_staff"])
    for _ in range(2):
        approved(world)
    with CaptureQueriesContext(connection) as two:
        assert api.get("/api/v1/exchange/grants/").json()["count"] == 2
    for _ in range(8):
        approved(world)
    with CaptureQueriesContext(connection) as ten:
        assert api.get("/api/v1/exchange/grants/").json()["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_office_sees_every_request_of_its_jurisdiction_on_the_all_tab(world, client_for):
    grant = ask(world)
    county = ask(world, requester="a_hrss_liaison", unit="a_hrss")
    office = client_for("city_office")
    own = office.get(reverse("exchange:grant_list"))
    assert list(own.context["page"]) == []
    everything = office.get(reverse("exchange:grant_list"), {"all": "1"})
    assert {g.pk for g in everything.context["page"]} == {grant.pk, county.pk}
    county_office = client_for("a_office").get(reverse("exchange:grant_list"), {"all": "1"})
    assert [g.pk for g in county_office.context["page"]] == [county.pk]
    liaison = client_for("hrss_liaison").get(reverse("exchange:grant_list"), {"all": "1"})
    assert [g.pk for g in liaison.context["page"]] == [grant.pk]


def test_a_court_outside_the_users_remit_is_not_a_provider_for_them(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, provider="b_court")
    assert exc.value.error_dict["provider_unit"][0].code == "grant.not_provider"
