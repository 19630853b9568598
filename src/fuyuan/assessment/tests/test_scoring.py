"""A scheme applied to a hand-built year gives known scores for each unit, and the scoring
and ranking rules on their own."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from fuyuan.assessment import actions, scoring
from fuyuan.assessment import workflow as wf
from fuyuan.assessment.indicators import Figure
from fuyuan.assessment.models import Ranking, Result
from fuyuan.audit.models import AuditEntry

from .helpers import EXPECTED, SCORING_TIME, scored

pytestmark = pytest.mark.django_db


def test_the_scheme_gives_each_unit_its_known_scores(year):
    scheme = scored(year)
    results = {r.unit_id: r for r in Result.objects.filter(scheme=scheme)}
    assert set(results) == {year.units[k].pk for k in EXPECTED}  # the court is not assessed
    for key, expected in EXPECTED.items():
        result = results[year.units[key].pk]
        scores = list(result.scores.order_by("indicator__order"))
        assert [s.score for s in scores] == expected["scores"], key
        assert [s.value for s in scores] == expected["values"], key
        assert result.computed_total == expected["total"], key
        assert result.total == expected["total"], key
        assert result.state == wf.SCORED
        assert str(result.figures_as_of) == "2025-12-31"


def test_the_raw_figures_are_kept_with_numerator_and_denominator(year):
    scheme = scored(year)
    hrss = Result.objects.get(scheme=scheme, unit=year.units["hrss"])
    on_time, cards, evaluation, replies = hrss.scores.order_by("indicator__order")
    assert (on_time.numerator, on_time.denominator, on_time.target) == (1, 3, Decimal("100"))
    assert cards.detail == {"yellow": 0, "red": 2, "matters": 3, "formal_talk": False}
    assert (evaluation.denominator, evaluation.target) == (1, Decimal("5"))
    assert replies.value is None and replies.target == Decimal("90")
    housing = Result.objects.get(scheme=scheme, unit=year.units["housing"])
    assert [(s.numerator, s.denominator) for s in housing.scores.order_by("indicator__order")][
        3
    ] == (2, 3)


def test_scoring_is_one_audit_entry_and_rescoring_keeps_adjustments(year):
    scheme = scored(year)
    office = year.users["city_office"]
    assert AuditEntry.objects.filter(action="assessment.scheme.score").count() == 1
    housing = Result.objects.get(scheme=scheme, unit=year.units["housing"])
    with time_machine.travel(SCORING_TIME, tick=False):
        actions.adjust(office, housing, delta="-2", reason="未按要求报送年度总结")
        run = actions.score(office, scheme)
    assert (run.created, run.rescored, run.kept) == (0, 3, 0)
    housing.refresh_from_db()
    assert housing.computed_total == Decimal("88.35")
    assert housing.total == Decimal("86.35")


def _indicator(**values):
    base = {
        "weight": Decimal("20"),
        "target": None,
        "deduction_step": None,
        "yellow_points": None,
        "red_points": None,
        "if_no_data": "full",
        "kind_obj": SimpleNamespace(method="ratio", default_target=lambda m: Decimal("100")),
    }
    base.update(values)
    return SimpleNamespace(**base)


MECHANISM = SimpleNamespace(config=SimpleNamespace(yellow_card_points=1, red_card_points=2))


def test_a_rate_scores_in_proportion_below_the_target_and_full_at_it():
    ind = _indicator(target=Decimal("80"))
    assert scoring.score(ind, Figure(Decimal("60.0")), MECHANISM).score == Decimal("15.00")
    assert scoring.score(ind, Figure(Decimal("80.0")), MECHANISM).score == Decimal("20.00")
    assert scoring.score(ind, Figure(Decimal("95.0")), MECHANISM).score == Decimal("20.00")


def test_a_deduction_step_takes_points_per_point_short_never_below_zero():
    ind = _indicator(target=Decimal("70"), deduction_step=Decimal("0.5"))
    assert scoring.score(ind, Figure(Decimal("62.5")), MECHANISM).score == Decimal("16.25")
    assert scoring.score(ind, Figure(Decimal("10.0")), MECHANISM).score == Decimal("0.00")


def test_no_records_scores_full_or_nothing_as_the_indicator_says():
    assert scoring.score(_indicator(), None, MECHANISM).score == Decimal("20.00")
    assert scoring.score(_indicator(if_no_data="zero"), None, MECHANISM).score == Decimal("0")


def test_cards_deduct_the_indicator_points_or_the_mechanism_settings():
    cards = SimpleNamespace(method="cards", default_target=lambda m: None)
    figure = Figure(detail={"yellow": 3, "red": 2})
    default = scoring.score(_indicator(kind_obj=cards), figure, MECHANISM)
    assert (default.value, default.score) == (Decimal("7.00"), Decimal("13.00"))
    own = _indicator(kind_obj=cards, yellow_points=Decimal("0.5"), red_points=Decimal("3"))
    assert scoring.score(own, figure, MECHANISM).score == Decimal("12.50")
    many = Figure(detail={"yellow": 0, "red": 15})
    assert scoring.score(_indicator(kind_obj=cards), many, MECHANISM).score == Decimal("0")


def test_equal_totals_share_a_rank_standard_or_dense():
    totals = [
        ("a", Decimal("90")),
        ("b", Decimal("85")),
        ("c", Decimal("85")),
        ("d", Decimal("70")),
    ]
    standard = scoring.ranks(totals, Ranking.STANDARD)
    assert [(standard[k].rank, standard[k].tied) for k in "abcd"] == [
        (1, False),
        (2, True),
        (2, True),
        (4, False),
    ]
    dense = scoring.ranks(totals, Ranking.DENSE)
    assert [dense[k].rank for k in "abcd"] == [1, 2, 2, 3]
