"""The review of results: the scheme's rules (weights add up, locked once published), an
adjustment needs a written reason, a second reviewer other than whoever reviewed or adjusted
confirms, and a final result or scheme cannot change — refused by the actions and by the
models' save path."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fuyuan.accounts.models import Role
from fuyuan.assessment import actions
from fuyuan.assessment import workflow as wf
from fuyuan.assessment.models import (
    Adjustment,
    FinalRecordError,
    Indicator,
    IndicatorScore,
    Result,
    Scheme,
)
from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.testing import make_user

from .helpers import SCHEME_2025, SCORING_TIME, scheme, scored

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def _result(w, s, key):
    return Result.objects.get(scheme=s, unit=w.units[key])


def _confirm_all(w, s):
    """The office submits every result; the city's leader confirms them."""
    office, leader = w.users["city_office"], w.users["city_leader"]
    assert actions.transition_all(office, s, "submit") == 3
    assert actions.transition_all(leader, s, "confirm") == 3


def test_weights_must_add_up_to_the_total(year):
    rows = [dict(r) for r in SCHEME_2025]
    rows[0]["weight"] = "35"
    with pytest.raises(ValidationError) as exc:
        scheme(year, rows)
    assert _codes(exc.value) == {"assessment.weights_sum"}
    assert "95.00" in str(exc.value) and "100.00" in str(exc.value)
    assert not Scheme.objects.exists()
    assert scheme(year, rows, total_points="95").total_points == Decimal("95")


def test_only_the_office_of_the_mechanism_draws_up_and_scores(year):
    with pytest.raises(PermissionDenied):
        actions.save_scheme(
            year.users["a_office"],
            year.mechanisms["city"],
            year=2025,
            title="x",
            indicators=SCHEME_2025,
        )
    s = scored(year)
    for name in ("a_office", "city_leader", "hrss_liaison"):
        with pytest.raises(PermissionDenied):
            actions.score(year.users[name], s)


def test_a_published_scheme_is_locked(year):
    s = scored(year)
    with pytest.raises(PermissionDenied):
        actions.save_scheme(
            year.users["city_office"],
            scheme=s,
            year=2025,
            title="改",
            indicators=SCHEME_2025,
        )
    indicator = s.indicators.first()
    indicator.weight = Decimal("1")
    with pytest.raises(FinalRecordError):
        indicator.save()


def test_an_adjustment_without_a_reason_is_refused(year):
    s = scored(year)
    hrss = _result(year, s, "hrss")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            actions.adjust(year.users["city_office"], hrss, delta="2", reason=reason)
        assert "assessment.reason_required" in _codes(exc.value)
    assert not Adjustment.objects.exists()
    hrss.refresh_from_db()
    assert hrss.total == Decimal("66.64")


def test_an_adjustment_with_a_reason_changes_the_total_and_is_audited(year):
    s = scored(year)
    office = year.users["city_office"]
    hrss = _result(year, s, "hrss")
    indicator = s.indicators.get(kind="cards")
    with time_machine.travel(SCORING_TIME, tick=False):
        actions.adjust(
            office, hrss, delta="1.5", reason="红牌事项系不可抗力所致", indicator=indicator
        )
    hrss.refresh_from_db()
    assert (hrss.adjustment_total, hrss.total) == (Decimal("1.50"), Decimal("68.14"))
    entry = AuditEntry.objects.get(action="assessment.result.adjust")
    assert entry.detail["reason"] == "红牌事项系不可抗力所致"
    with pytest.raises(PermissionDenied):
        actions.adjust(year.users["city_leader"], hrss, delta="1", reason="理由")


def test_the_same_person_cannot_confirm(year):
    s = scored(year)
    office = year.users["city_office"]
    hrss = _result(year, s, "hrss")
    actions.transition_result(office, hrss, "submit")
    with pytest.raises(ValidationError) as exc:
        actions.transition_result(office, hrss, "confirm")
    assert _codes(exc.value) == {"assessment.same_reviewer"}
    hrss.refresh_from_db()
    assert hrss.state == wf.REVIEWED
    # Nor may someone who adjusted it, even when another office member submitted it.
    colleague = make_user("city_office2", Role.OFFICE, jurisdiction=year.city)
    housing = _result(year, s, "housing")
    actions.adjust(office, housing, delta="-1", reason="迟报")
    actions.transition_result(colleague, housing, "submit")
    for reviewer in (office, colleague):
        with pytest.raises(ValidationError) as exc:
            actions.transition_result(reviewer, housing, "confirm")
        assert _codes(exc.value) == {"assessment.same_reviewer"}
    # The city's leader is another person: the confirmation goes through.
    actions.transition_result(year.users["city_leader"], hrss, "confirm")
    hrss.refresh_from_db()
    assert (hrss.state, hrss.confirmed_by) == (wf.CONFIRMED, year.users["city_leader"])
    # Another office member who neither submitted nor adjusted it may confirm.
    regulator = _result(year, s, "new_regulator")
    actions.transition_result(office, regulator, "submit")
    actions.transition_result(colleague, regulator, "confirm")
    # A liaison officer is no reviewer at all.
    with pytest.raises(TransitionError):
        actions.transition_result(year.users["hrss_liaison"], housing, "confirm")


def test_the_second_reviewer_sends_back_with_a_comment(year):
    s = scored(year)
    hrss = _result(year, s, "hrss")
    actions.transition_result(year.users["city_office"], hrss, "submit")
    leader = year.users["city_leader"]
    with pytest.raises(TransitionError):
        actions.transition_result(leader, hrss, "send_back")
    actions.transition_result(leader, hrss, "send_back", comment="请核实红牌事项")
    hrss.refresh_from_db()
    assert (hrss.state, hrss.return_comment) == (wf.SCORED, "请核实红牌事项")


def test_reviewed_results_are_not_rescored(year):
    s = scored(year)
    office = year.users["city_office"]
    actions.transition_result(office, _result(year, s, "hrss"), "submit")
    with time_machine.travel(SCORING_TIME, tick=False):
        run = actions.score(office, s)
    assert (run.rescored, run.kept) == (2, 1)


def test_finalizing_needs_every_result_confirmed_then_ranks(year):
    s = scored(year)
    office = year.users["city_office"]
    with time_machine.travel(SCORING_TIME, tick=False):
        actions.adjust(office, _result(year, s, "housing"), delta="-2", reason="未按时报送总结")
        actions.adjust(office, _result(year, s, "hrss"), delta="1.5", reason="经验被省里推广")
    actions.transition_all(office, s, "submit")
    with pytest.raises(ValidationError) as exc:
        actions.transition_scheme(office, s, "finalize")
    assert _codes(exc.value) == {"assessment.unconfirmed"}
    actions.transition_all(year.users["city_leader"], s, "confirm")
    with pytest.raises(TransitionError):
        actions.transition_scheme(year.users["city_leader"], s, "finalize")
    actions.transition_scheme(office, s, "finalize")
    ranks = {r.unit_id: (r.rank, r.total, r.state) for r in Result.objects.filter(scheme=s)}
    u = year.units
    assert ranks == {
        u["housing"].pk: (1, Decimal("86.35"), wf.FINAL),
        u["hrss"].pk: (2, Decimal("68.14"), wf.FINAL),
        u["new_regulator"].pk: (3, Decimal("60.00"), wf.FINAL),
    }
    s.refresh_from_db()
    assert s.state == wf.S_FINAL


def test_a_final_result_cannot_be_changed(year):
    s = scored(year)
    office = year.users["city_office"]
    _confirm_all(year, s)
    actions.transition_scheme(office, s, "finalize")
    hrss = _result(year, s, "hrss")
    refusals = [
        lambda: actions.adjust(office, hrss, delta="1", reason="补充理由"),
        lambda: actions.score(office, s),
        lambda: actions.save_scheme(
            office, scheme=s, year=2025, title="改", indicators=SCHEME_2025
        ),
        lambda: actions.transition_result(year.users["city_leader"], hrss, "send_back", "x"),
        lambda: actions.transition_scheme(office, s, "finalize"),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError) as exc:
            refuse()
        assert _codes(exc.value) == {"assessment.final"}
    # The save path refuses too, whatever the caller.
    hrss.total = Decimal("99")
    with pytest.raises(FinalRecordError):
        hrss.save()
    with pytest.raises(FinalRecordError):
        hrss.delete()
    score = IndicatorScore.objects.filter(result=hrss).first()
    score.score = Decimal("0")
    with pytest.raises(FinalRecordError):
        score.save()
    with pytest.raises(FinalRecordError):
        Adjustment.objects.create(
            result=hrss, delta=Decimal("1"), reason="r", made_by=office, made_at=hrss.scored_at
        )
    s.title = "改"
    with pytest.raises(FinalRecordError):
        s.save()
    with pytest.raises(FinalRecordError):
        Indicator.objects.filter(scheme=s).first().save()
    hrss.refresh_from_db()
    assert hrss.total == Decimal("66.64")
