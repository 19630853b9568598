"""Referrals for substantive resolution of administrative disputes (行政争议实质性化解):
referral before filing and during a case, coordination steps, outcomes through the graph,
who may do what, who sees what, and the figures (实质化解率)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.litigation import dispute_actions as actions
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import AdminCase, CoDefendant, Dispute
from fuyuan.notify.models import InboxMessage

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def make_case(
    world: Any,
    *,
    defendant: str = "hrss",
    court: str = "court",
    number: str = "（2026）豫17行初3号",
    filed_on: datetime.date = datetime.date(2026, 1, 5),
    co_defendants: tuple[str, ...] = (),
    mechanism: str = "city",
) -> AdminCase:
    """A case as the court's export would bring it (test set-up, not a domain write)."""
    unit = world.units[defendant]
    case = AdminCase(
        mechanism=world.mechanisms[mechanism],
        number=number,
        year=filed_on.year,
        court=world.units[court],
        type_code="行初",
        plaintiffs="张某\n李某",
        defendant=unit,
        jurisdiction=unit.jurisdiction,
        cause="工伤认定",
        filed_on=filed_on,
    )
    case.save()
    for key in co_defendants:
        CoDefendant.objects.create(case=case, unit=world.units[key])
    return case


def refer(world: Any, actor: str = "hrss_liaison", unit: str = "hrss", **extra: Any) -> Dispute:
    values: dict[str, Any] = {
        "title": "张某工伤认定争议",
        "applicant": "张某",
        "summary": "申请人对工伤认定结论不服。",
        "referred_on": TODAY - datetime.timedelta(days=5),
        "mediator": "市行政争议调解中心",
    }
    values.update(extra)
    return actions.refer_dispute(world.users[actor], unit=world.units[unit], **values)


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


# --- referral ---------------------------------------------------------------------------------
def test_the_body_refers_a_dispute_before_filing_to_its_own_joint_meeting(world):
    dispute = refer(world)
    assert dispute.state == wf.REFERRED and dispute.case is None
    assert dispute.mechanism == world.mechanisms["city"]
    assert dispute.referred_by == world.users["hrss_liaison"]
    entry = AuditEntry.objects.get(action="litigation.dispute.refer")
    assert entry.object_id == str(dispute.pk)
    assert entry.after["applicant"] != "张某"  # the applicant is personal data: redacted
    # The office of the joint meeting is told; the referring liaison officer is not.
    assert InboxMessage.objects.filter(user=world.users["city_office"], ref_id=dispute.pk).exists()
    assert not InboxMessage.objects.filter(user=world.users["hrss_liaison"]).exists()


def test_the_court_refers_a_dispute_during_its_case(world):
    case = make_case(world)
    dispute = refer(world, "court_staff", case=case)
    assert dispute.case == case and dispute.unit == world.units["hrss"]
    # The body's liaison officer and the office hear of it.
    for user in ("hrss_liaison", "city_office"):
        assert InboxMessage.objects.filter(user=world.users[user], ref_id=dispute.pk).exists()


def test_a_county_body_heard_in_another_county_goes_to_its_own_county_meeting(world):
    """相对集中管辖: 上蔡县's court hears a case against 西平县's body; the referral belongs to
    西平县's joint meeting, not to the court's county."""
    case = make_case(world, defendant="a_hrss", court="b_court", number="（2026）豫1722行初8号")
    dispute = refer(world, "b_court_staff", unit="a_hrss", case=case)
    assert dispute.mechanism == world.mechanisms["a"]
    assert InboxMessage.objects.filter(user=world.users["a_office"], ref_id=dispute.pk).exists()


def test_a_co_defendant_may_be_the_body_concerned(world):
    case = make_case(world, co_defendants=("housing",))
    dispute = refer(world, "city_office", unit="housing", case=case)
    assert dispute.unit == world.units["housing"]


def test_the_body_must_be_a_defendant_of_the_linked_case(world):
    case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        refer(world, "city_office", unit="housing", case=case)
    assert codes(exc.value) == {"unit": ["litigation.dispute_unit_not_defendant"]}


def test_a_linked_case_must_be_visible_to_the_referrer(world):
    city_case = make_case(world)
    with pytest.raises(ValidationError) as exc:
        refer(world, "a_office", unit="a_hrss", case=city_case)
    assert codes(exc.value) == {"case": ["litigation.dispute_case_not_visible"]}


@pytest.mark.parametrize(
    ("actor", "unit", "with_case"),
    [
        ("housing_liaison", "hrss", False),  # another body's liaison
        ("a_office", "hrss", False),  # a county office, for a city body
        ("b_office", "a_hrss", False),  # another county's office
        ("court_staff", "hrss", False),  # a court, without a case of its own
        ("city_leader", "hrss", False),  # leaders follow, they do not refer
        ("b_court_staff", "hrss", True),  # a court that does not hear the case
    ],
)
def test_only_the_office_the_body_or_the_court_of_the_case_refer(world, actor, unit, with_case):
    case = make_case(world) if with_case else None
    with pytest.raises(PermissionDenied):
        refer(world, actor, unit=unit, case=case)
    assert not Dispute.objects.exists()


def test_referral_needs_its_facts_and_sensible_dates(world):
    with pytest.raises(ValidationError) as exc:
        refer(world, title=" ", applicant="", summary="", referred_on=TODAY + datetime.timedelta(1))
    assert codes(exc.value) == {
        "title": ["required"],
        "applicant": ["required"],
        "summary": ["required"],
        "referred_on": ["litigation.dispute_date_future"],
    }
    case = make_case(world, filed_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        refer(world, case=case, referred_on=datetime.date(2026, 2, 20))
    assert codes(exc.value) == {"referred_on": ["litigation.dispute_before_case"]}


# --- steps and outcomes -----------------------------------------------------------------------
def test_the_first_step_starts_coordination(world):
    dispute = refer(world)
    actions.add_step(
        world.users["city_office"], dispute, on=TODAY, kind="talk", note="与申请人谈话。"
    )
    dispute.refresh_from_db()
    assert dispute.state == wf.COORDINATING
    actions.add_step(
        world.users["hrss_liaison"], dispute, on=TODAY, kind="mediation", note="组织调解。"
    )
    dispute.refresh_from_db()
    assert dispute.state == wf.COORDINATING
    assert [s.kind for s in dispute.steps.order_by("pk")] == ["talk", "mediation"]
    assert AuditEntry.objects.filter(action="litigation.dispute.start").count() == 1
    assert AuditEntry.objects.filter(action="litigation.dispute_step.create").count() == 2


def test_the_court_of_the_case_records_steps_others_may_not(world):
    case = make_case(world)
    dispute = refer(world, case=case)
    actions.add_step(
        world.users["court_staff"], dispute, on=TODAY, kind="meeting", note="诉前协调会"
    )
    for outsider in ("housing_liaison", "a_office", "city_leader", "b_court_staff"):
        with pytest.raises(PermissionDenied):
            actions.add_step(world.users[outsider], dispute, on=TODAY, kind="talk", note="x")
    assert dispute.steps.count() == 1


def test_a_step_is_refused_without_a_note_or_before_the_referral(world):
    dispute = refer(world)
    with pytest.raises(ValidationError) as exc:
        actions.add_step(
            world.users["city_office"],
            dispute,
            on=dispute.referred_on - datetime.timedelta(days=1),
            kind="nonsense",
            note=" ",
        )
    assert codes(exc.value) == {
        "kind": ["invalid_choice"],
        "note": ["required"],
        "on": ["litigation.dispute_step_before_referral"],
    }
    dispute.refresh_from_db()
    assert dispute.state == wf.REFERRED


@pytest.mark.parametrize(
    ("name", "state"),
    [("resolve", wf.RESOLVED), ("settle", wf.SETTLED), ("fail", wf.FAILED)],
)
def test_the_office_records_the_outcome(world, name, state):
    case = make_case(world)
    dispute = refer(world, case=case)
    actions.add_step(world.users["city_office"], dispute, on=TODAY, kind="talk", note="谈话")
    dispute.refresh_from_db()
    actions.dispute_transition(
        world.users["city_office"], dispute, name, "双方达成一致。", on=TODAY
    )
    dispute.refresh_from_db()
    assert dispute.state == state
    assert dispute.closed_on == TODAY and dispute.outcome_note == "双方达成一致。"
    assert AuditEntry.objects.filter(action=f"litigation.dispute.{name}").exists()
    # The body, the court of the case and the office (not the actor) hear the outcome.
    outcome = InboxMessage.objects.filter(ref_id=dispute.pk, subject__contains=dispute.title)
    told = set(outcome.values_list("user__username", flat=True))
    assert {"hrss_liaison", "court_staff"} <= told
    # The dispute is closed: no more steps.
    with pytest.raises(PermissionDenied):
        actions.add_step(world.users["city_office"], dispute, on=TODAY, kind="talk", note="x")


def test_only_the_coordinating_office_records_an_outcome_with_a_reason(world):
    dispute = refer(world)
    for actor in ("hrss_liaison", "court_staff", "city_leader"):
        with pytest.raises(TransitionError) as exc:
            actions.dispute_transition(world.users[actor], dispute, "resolve", "撤诉")
        assert exc.value.code == "workflow.not_allowed"
    with pytest.raises(TransitionError) as exc:
        actions.dispute_transition(world.users["city_office"], dispute, "fail", " ")
    assert exc.value.code == "workflow.comment_required"
    with pytest.raises(ValidationError) as verr:
        actions.dispute_transition(
            world.users["city_office"],
            dispute,
            "fail",
            "未能达成一致",
            on=dispute.referred_on - datetime.timedelta(days=1),
        )
    assert codes(verr.value) == {"on": ["litigation.dispute_closed_before_referral"]}
    dispute.refresh_from_db()
    assert dispute.state == wf.REFERRED and dispute.closed_on is None


def test_a_county_dispute_is_coordinated_by_its_county_office_and_the_city(world):
    dispute = refer(world, "a_hrss_liaison", unit="a_hrss")
    actions.dispute_transition(world.users["a_office"], dispute, "start")
    dispute.refresh_from_db()
    assert dispute.state == wf.COORDINATING
    with pytest.raises(TransitionError):
        actions.dispute_transition(world.users["b_office"], dispute, "settle", "和解")
    actions.dispute_transition(world.users["city_office"], dispute, "settle", "和解")
    dispute.refresh_from_db()
    assert dispute.state == wf.SETTLED


def test_who_sees_a_dispute(world):
    before_filing = refer(world)
    during = refer(world, "court_staff", case=make_case(world))
    county = refer(world, "a_office", unit="a_hrss")

    def seen(user: str) -> set[int]:
        return set(Dispute.objects.visible_to(world.users[user]).values_list("pk", flat=True))

    assert seen("city_office") == {before_filing.pk, during.pk, county.pk}
    assert seen("city_leader") == {before_filing.pk, during.pk, county.pk}
    assert seen("hrss_liaison") == {before_filing.pk, during.pk}
    assert seen("court_staff") == {during.pk}
    assert seen("a_office") == {county.pk}
    assert seen("a_hrss_liaison") == {county.pk}
    assert seen("b_office") == set()
    assert seen("housing_liaison") == set()


# --- figures ----------------------------------------------------------------------------------
def test_figures_count_outcomes_and_the_resolution_rate(world):
    office = world.users["city_office"]
    case = make_case(world)
    other = make_case(world, number="（2026）豫17行初4号")
    outcomes = ["resolve", "resolve", "settle", "fail", None, None]
    for i, outcome in enumerate(outcomes):
        dispute = refer(world, case=(case if i < 2 else other if i == 4 else None))
        if outcome:
            actions.dispute_transition(office, dispute, outcome, "结果")
    refer(world, "a_office", unit="a_hrss")  # county a: filtered out below
    figures = actions.dispute_figures(
        Dispute.objects.visible_to(office).filter(mechanism=world.mechanisms["city"])
    )
    assert figures == {
        "referred": 6,
        "open": 2,
        "closed": 4,
        "resolved": 3,
        "resolved_withdrawn": 2,
        "settled": 1,
        "failed": 1,
        "resolution_rate": Decimal("75.0"),
        "before_filing": 3,
        "during_case": 3,
    }


def test_no_closed_dispute_has_no_rate_and_rates_round_to_one_decimal(world):
    refer(world)
    figures = actions.dispute_figures(Dispute.objects.all())
    assert figures["closed"] == 0 and figures["resolution_rate"] is None
    assert actions.dispute_figures(Dispute.objects.none())["referred"] == 0
    assert actions.resolution_rate(2, 3) == Decimal("66.7")
    assert actions.resolution_rate(1, 6) == Decimal("16.7")
    assert actions.resolution_rate(0, 4) == Decimal("0.0")
