"""Government-debtor and livelihood cases: registering (validation codes, who may, the matter
it opens), payments (never above the amount owed), closing (结案销号) and the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.enforcement import case_actions as actions
from fuyuan.enforcement.models import EnforcementCase, EnforcementCaseState
from fuyuan.matters import workflow as matter_wf
from fuyuan.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


_N = iter(range(100, 10_000))


def register(w: Any, actor: str = "court_staff", **values: Any) -> EnforcementCase:
    defaults: dict[str, Any] = {
        "number": f"（2025）豫17执{next(_N)}号",
        "court": w.units["court"],
        "kind": "government_debtor",
        "debtor_unit": w.units["hrss"],
        "debtor_name": "驻马店市人力资源和社会保障局",
        "creditor": "驻马店市恒达建筑工程有限公司",
        "filed_on": datetime.date(2025, 9, 1),
        "amount_owed": "120000.00",
    }
    defaults.update(values)
    return actions.register_case(w.users[actor], **defaults)


def codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}


# --- registering ------------------------------------------------------------------------------
def test_court_registers_a_case_and_its_matter_is_assigned_to_the_debtor_body(world):
    case = register(world)
    assert case.mechanism == world.mechanisms["city"]
    assert case.jurisdiction == world.city
    assert case.matter is not None
    assert case.matter.source_kind == "enforcement.case"
    assert case.matter.source_ref == str(case.pk)
    assert case.matter.lead_unit == world.units["hrss"]
    assert case.matter.state == matter_wf.ASSIGNED
    assert case.matter.deadline == datetime.date(2026, 3, 1)  # six months after filing
    assert AuditEntry.objects.filter(action="enforcement.case.register").count() == 1


def test_full_width_brackets_are_normalised_and_a_deadline_can_be_given(world):
    case = register(world, number="(2025)豫17执恢12号", deadline=datetime.date(2026, 6, 30))
    assert case.number == "（2025）豫17执恢12号"
    assert case.matter.deadline == datetime.date(2026, 6, 30)


def test_a_non_enforcement_number_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        register(world, number="（2025）豫17行初12号")
    assert "enforcement.not_enforcement_case" in codes(exc.value)["number"]


def test_the_number_must_belong_to_the_court(world):
    with pytest.raises(ValidationError) as exc:
        register(world, number="（2025）豫1722执12号")
    assert "enforcement.court_mismatch" in codes(exc.value)["court"]


def test_a_duplicate_number_is_refused(world):
    register(world, number="（2025）豫17执55号")
    with pytest.raises(ValidationError) as exc:
        register(world, number="（2025）豫17执55号")
    assert "enforcement.duplicate_number" in codes(exc.value)["number"]


def test_a_government_kind_needs_the_debtor_body(world):
    with pytest.raises(ValidationError) as exc:
        register(world, kind="enterprise_arrears", debtor_unit=None)
    assert "enforcement.debtor_body_required" in codes(exc.value)["debtor_unit"]


def test_paid_above_owed_and_a_zero_amount_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        register(world, amount_owed="100", amount_paid="150")
    assert "enforcement.overpaid" in codes(exc.value)["amount_owed"]
    with pytest.raises(ValidationError) as exc:
        register(world, amount_owed="0")
    assert "enforcement.amount_owed" in codes(exc.value)["amount_owed"]


def test_arrears_to_an_enterprise_are_tagged_enterprise_related(world):
    case = register(world, kind="enterprise_arrears")
    assert case.enterprise_related is True


def test_county_body_case_belongs_to_the_county_and_its_matter_to_the_county(world):
    case = register(world, debtor_unit=world.units["a_hrss"], debtor_name="西平县人社局")
    assert case.jurisdiction == world.county_a
    assert case.mechanism == world.mechanisms["a"]
    assert case.matter.lead_unit == world.units["a_hrss"]


def test_livelihood_case_without_body_belongs_to_the_court_which_leads_its_matter(world):
    case = register(
        world,
        actor="b_court_staff",
        number="（2025）豫1722执301号",
        court=world.units["b_court"],
        kind="wages",
        debtor_unit=None,
        debtor_name="上蔡县某服装厂",
        creditor="农民工王某等12人",
    )
    assert case.jurisdiction == world.county_b
    assert case.matter.lead_unit == world.units["b_court"]


def test_office_over_the_jurisdiction_registers_but_another_county_office_may_not(world):
    case = register(
        world, actor="a_office", debtor_unit=world.units["a_hrss"], debtor_name="西平县人社局"
    )
    assert case.pk
    with pytest.raises(PermissionDenied):
        register(world, actor="b_office", debtor_unit=world.units["a_hrss"])


@pytest.mark.parametrize("who", ["hrss_liaison", "city_leader", "b_court_staff", "nobody"])
def test_others_may_not_register(world, who):
    with pytest.raises(PermissionDenied):
        register(world, actor=who)


# --- correcting -------------------------------------------------------------------------------
def test_update_changes_the_case_and_refuses_a_stale_version(world):
    case = register(world)
    old = case.version
    actions.update_case(world.users["city_office"], case, creditor="恒达公司", state="plan")
    case.refresh_from_db()
    assert case.creditor == "恒达公司" and case.state == EnforcementCaseState.PLAN
    with pytest.raises(StaleObjectError):
        actions.update_case(world.users["court_staff"], case, note="x", expected_version=old)
    with pytest.raises(PermissionDenied):
        actions.update_case(world.users["hrss_liaison"], case, note="x")


# --- payments ---------------------------------------------------------------------------------
def test_payments_add_up_and_never_exceed_the_amount_owed(world):
    case = register(world, amount_owed="1000")
    actions.record_payment(
        world.users["court_staff"], case, amount="400", paid_on=TODAY, note="第一笔"
    )
    actions.record_payment(world.users["city_office"], case, amount="600", paid_on=TODAY)
    case.refresh_from_db()
    assert case.amount_paid == Decimal("1000.00")
    assert "第一笔" in case.note
    with pytest.raises(ValidationError) as exc:
        actions.record_payment(world.users["court_staff"], case, amount="0.01", paid_on=TODAY)
    assert codes(exc.value)["amount"] == ["enforcement.overpaid"]
    assert AuditEntry.objects.filter(action="enforcement.case.payment").count() == 2
    assert case.matter.timeline.filter(kind="enforcement.payment").count() == 2


def test_a_payment_needs_a_positive_amount_and_a_past_date(world):
    case = register(world)
    with pytest.raises(ValidationError) as exc:
        actions.record_payment(
            world.users["court_staff"],
            case,
            amount="-5",
            paid_on=TODAY + datetime.timedelta(days=1),
        )
    found = codes(exc.value)
    assert found["amount"] == ["enforcement.amount"]
    assert found["paid_on"] == ["enforcement.date_future"]


def test_a_stale_payment_is_refused(world):
    case = register(world)
    version = case.version
    actions.record_payment(world.users["court_staff"], case, amount="10", paid_on=TODAY)
    with pytest.raises(StaleObjectError):
        actions.record_payment(
            world.users["court_staff"],
            case,
            amount="10",
            paid_on=TODAY,
            expected_version=version,
        )


def test_the_debtor_body_may_not_record_payments(world):
    case = register(world)
    with pytest.raises(PermissionDenied):
        actions.record_payment(world.users["hrss_liaison"], case, amount="10", paid_on=TODAY)


# --- closing ----------------------------------------------------------------------------------
def test_a_fully_paid_case_closes_and_the_office_is_told(world):
    case = register(world, amount_owed="500", amount_paid="500")
    actions.close_case(world.users["court_staff"], case, TODAY)
    case.refresh_from_db()
    assert case.state == EnforcementCaseState.CLOSED and case.closed_on == TODAY
    assert OutboxMessage.objects.filter(
        kind="enforcement.case.closed", recipient=world.users["city_office"]
    ).exists()
    with pytest.raises(ValidationError) as exc:
        actions.record_payment(world.users["court_staff"], case, amount="1", paid_on=TODAY)
    assert "enforcement.case_closed" in codes(exc.value)["amount"]


def test_a_case_not_fully_paid_closes_only_with_a_reason(world):
    case = register(world, amount_owed="500", amount_paid="200")
    with pytest.raises(ValidationError) as exc:
        actions.close_case(world.users["court_staff"], case, TODAY)
    assert codes(exc.value)["note"] == ["enforcement.close_note_required"]
    actions.close_case(world.users["court_staff"], case, TODAY, "执行和解协议已履行完毕")
    case.refresh_from_db()
    assert case.state == EnforcementCaseState.CLOSED
    with pytest.raises(ValidationError) as exc:
        actions.close_case(world.users["court_staff"], case, TODAY, "again")
    assert "enforcement.case_closed" in codes(exc.value)["closed_on"]


def test_closing_by_the_office_closes_a_reported_matter(world):
    from fuyuan.matters import actions as matter_actions

    case = register(world, amount_owed="500", amount_paid="500")
    matter = case.matter
    liaison = world.users["hrss_liaison"]
    matter_actions.transition(liaison, matter, "sign")
    matter_actions.transition(liaison, matter, "start")
    matter_actions.transition(liaison, matter, "report", values={"summary": "已全额支付"})
    actions.close_case(world.users["city_office"], case, TODAY)
    matter.refresh_from_db()
    assert matter.state == matter_wf.CLOSED


# --- figures ----------------------------------------------------------------------------------
def test_figures_on_a_known_set(world):
    register(world, amount_owed="1000", amount_paid="250")
    closed = register(world, amount_owed="3000", amount_paid="3000", kind="enterprise_arrears")
    actions.close_case(world.users["court_staff"], closed, TODAY)
    register(
        world,
        debtor_unit=world.units["a_hrss"],
        debtor_name="西平县人社局",
        amount_owed="1000",
        filed_on=datetime.date(2025, 1, 10),
    )
    figures = actions.case_figures(EnforcementCase.objects.all())
    t = figures["totals"]
    assert (t["count"], t["open"], t["closed"]) == (3, 2, 1)
    assert t["owed"] == Decimal("5000.00") and t["paid"] == Decimal("3250.00")
    assert t["closure_rate"] == Decimal("33.3")
    assert t["paid_rate"] == Decimal("65.0")
    assert t["outstanding"] == Decimal("1750.00")
    assert t["oldest_open"] == datetime.date(2025, 1, 10)
    kinds = {r["kind"]: r for r in figures["by_kind"]}
    assert kinds["enterprise_arrears"]["closure_rate"] == Decimal("100.0")
    assert kinds["government_debtor"]["paid_rate"] == Decimal("12.5")
    bodies = {r["debtor_unit__name"]: r for r in figures["by_body"]}
    assert bodies["驻马店市人力资源和社会保障局"]["count"] == 2
    places = {r["jurisdiction__name"]: r for r in figures["by_jurisdiction"]}
    assert places["西平县"]["open"] == 1 and places["西平县"]["paid_rate"] == Decimal("0.0")


def test_figures_of_nothing_have_no_rates(world):
    t = actions.case_figures(EnforcementCase.objects.none())["totals"]
    assert t["count"] == 0 and t["closure_rate"] is None and t["paid_rate"] is None


def test_case_url_for_matter_points_to_the_case_page(world):
    case = register(world)
    assert actions.case_url_for_matter(case.matter) == f"/enforcement/cases/{case.pk}/"
