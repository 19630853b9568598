"""Litigation figures on a hand-built data set where every count and rate is known in advance:
for a body (市人社局) and for a jurisdiction (the city, 西平县), for a year with data and a
year without (None, shown as "—"), with the mechanism's definitions (which outcomes are a
loss, the denominator) changing the loss rate, and a case of 西平县人社局 heard by 上蔡县's
court counted for 西平县 (the defendant's jurisdiction)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.litigation import figures
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import (
    AdminCase,
    Appearance,
    CaseStage,
    Dispute,
    HeadRank,
    Hearing,
    HearingState,
    Instance,
)
from fuyuan.org.models import Mechanism

pytestmark = pytest.mark.django_db

YEAR = 2025
PERIOD = figures.Period.year(YEAR)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


# --- builders (test set-up, not domain writes) ----------------------------------------------------
def make_case(
    world: Any,
    defendant: str,
    filed_on: datetime.date,
    *,
    court: str = "court",
    instance: str = Instance.FIRST,
    concluded_on: datetime.date | None = None,
    outcome: str = "",
    mechanism: str | None = None,
) -> AdminCase:
    unit = world.units[defendant]
    code = world.units[court].court_code
    type_code = "行初" if instance == Instance.FIRST else "行终"
    case = AdminCase(
        mechanism=world.mechanisms[mechanism or ("a" if defendant.startswith("a_") else "city")],
        number=f"（{filed_on.year}）{code}{type_code}{next(_numbers)}号",
        year=filed_on.year,
        court=world.units[court],
        type_code=type_code,
        instance=instance,
        plaintiffs="张某",
        defendant=unit,
        jurisdiction=unit.jurisdiction,
        cause="工伤认定",
        filed_on=filed_on,
        stage=CaseStage.CONCLUDED if concluded_on else CaseStage.HEARING,
        concluded_on=concluded_on,
        outcome=outcome,
    )
    case.save()
    return case


def hold_hearing(
    case: AdminCase,
    day: datetime.date,
    rank: str | None = None,
    *,
    spoke: bool = False,
    state: str = HearingState.HELD,
) -> Hearing:
    """A hearing of the case on `day` at 9:00; with `rank`, the court's appearance record."""
    hearing = Hearing(
        case=case,
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        state=state,
    )
    hearing.save()
    if rank is not None:
        Appearance(
            case=case,
            hearing=hearing,
            unit=case.defendant,
            rank=rank,
            spoke=spoke,
            recorded_on=day,
            state=wf.CONFIRMED,
        ).save()
    return hearing


def make_dispute(
    world: Any, unit: str, state: str, closed_on: datetime.date | None = None
) -> Dispute:
    dispute = Dispute(
        mechanism=world.mechanisms["city"],
        title="工伤认定争议",
        applicant="王某",
        unit=world.units[unit],
        referred_on=datetime.date(YEAR, 1, 2),
        referred_by=world.users["city_office"],
        summary="申请人对工伤认定不服",
        state=state,
        closed_on=closed_on,
    )
    dispute.save()
    return dispute


def d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


def build_data(world: Any) -> dict[str, AdminCase]:
    """The data set (YEAR = 2025):

    市人社局 (hrss, city): filed 2024: P1 (withdrawn 2025-01-15), P2 (open); filed 2025: C1
    revoked, C2 dismissed, C3 mediated, C4 open; S1 a second-instance case.
      new 4, last year 2 (+100.0%); concluded C1 C2 C3 P1 = 4, losses 1 (C1), mediated 1,
      withdrawn 1 → loss rate 25.0% (judgments: 1 ÷ 2 = 50.0%), mediated/withdrawn 50.0%.
      Hearings held in 2025: C1 twice (no head, then a deputy), C2 (top official, spoke),
      C4 (no head), S1 (top official); C3's 2025 hearing was cancelled; P1 was heard in 2024.
      heard 4, appeared 3 (75.0%), top 2 (50.0%), spoke 1 of 3 (33.3%).
      Disputes closed in 2025: resolved, settled, failed → 66.7%; one still coordinating,
      one closed in 2024.
    西平县人社局 (a_hrss, county a): A1 filed 2025, heard by 上蔡县人民法院 without a head,
      confirmed unlawful: new 1 (last year 0: change —), concluded 1, loss 1 (100.0%),
      heard 1, appeared 0 (0.0%, below target), spoke — (nobody appeared).
    """
    cases = {
        "P1": make_case(world, "hrss", d(11, 3, 2024), concluded_on=d(1, 15), outcome="withdrawn"),
        "P2": make_case(world, "hrss", d(12, 20, 2024)),
        "C1": make_case(world, "hrss", d(2, 10), concluded_on=d(6, 1), outcome="revoked"),
        "C2": make_case(world, "hrss", d(3, 5), concluded_on=d(7, 1), outcome="dismissed"),
        "C3": make_case(world, "hrss", d(4, 1), concluded_on=d(8, 1), outcome="mediated"),
        "C4": make_case(world, "hrss", d(5, 1)),
        "S1": make_case(world, "hrss", d(5, 20), instance=Instance.SECOND),
        "A1": make_case(
            world,
            "a_hrss",
            d(3, 1),
            court="b_court",
            concluded_on=d(9, 1),
            outcome="confirmed_unlawful",
        ),
    }
    hold_hearing(cases["P1"], d(11, 20, 2024), HeadRank.TOP, spoke=True)
    hold_hearing(cases["C1"], d(4, 1), HeadRank.NONE)
    hold_hearing(cases["C1"], d(5, 6), HeadRank.DEPUTY)
    hold_hearing(cases["C2"], d(5, 10), HeadRank.TOP, spoke=True)
    hold_hearing(cases["C3"], d(6, 1), state=HearingState.CANCELLED)
    hold_hearing(cases["C4"], d(9, 1), HeadRank.NONE)
    hold_hearing(cases["S1"], d(10, 8), HeadRank.TOP)
    hold_hearing(cases["A1"], d(6, 15), HeadRank.NONE)
    make_dispute(world, "hrss", wf.RESOLVED, d(3, 1))
    make_dispute(world, "hrss", wf.SETTLED, d(4, 1))
    make_dispute(world, "hrss", wf.FAILED, d(5, 1))
    make_dispute(world, "hrss", wf.COORDINATING)
    make_dispute(world, "hrss", wf.RESOLVED, d(12, 1, 2024))
    return cases


def row_of(rows: list[figures.FigureRow], label: str) -> figures.FigureRow:
    return next(r for r in rows if r.label == label)


def set_config(mechanism: Mechanism, **values: Any) -> None:
    settings = dict(mechanism.settings or {})
    settings.update(values)
    Mechanism.objects.filter(pk=mechanism.pk).update(settings=settings)
    mechanism.refresh_from_db()


# --- the figures ---------------------------------------------------------------------------------
def test_a_body_s_figures_are_the_ones_known_in_advance(world: Any) -> None:
    build_data(world)
    result = figures.litigation_figures(
        world.users["city_office"], PERIOD, mechanism=world.mechanisms["city"]
    )
    hrss = row_of(result.by_body, world.units["hrss"].name)
    assert (hrss.new_cases, hrss.new_cases_last_year) == (4, 2)
    assert hrss.new_cases_change == Decimal("100.0")
    assert (hrss.concluded, hrss.losses, hrss.mediated, hrss.withdrawn) == (4, 1, 1, 1)
    assert hrss.loss_rate == Decimal("25.0")
    assert hrss.mediated_withdrawn_rate == Decimal("50.0")
    assert (hrss.heard, hrss.appeared, hrss.top_appeared, hrss.spoke) == (4, 3, 2, 1)
    assert hrss.appearance_rate == Decimal("75.0")
    assert hrss.top_rate == Decimal("50.0")
    assert hrss.spoke_rate == Decimal("33.3")
    assert not hrss.below_target
    assert (hrss.disputes_closed, hrss.disputes_resolved) == (3, 2)
    assert hrss.resolution_rate == Decimal("66.7")
    assert hrss.shown["loss_rate"] == "25.0%"
    assert hrss.shown["new_cases_change"] == "+100.0%"


def test_a_jurisdiction_s_figures_and_the_total(world: Any) -> None:
    build_data(world)
    result = figures.litigation_figures(
        world.users["city_office"], PERIOD, mechanism=world.mechanisms["city"]
    )
    labels = [r.label for r in result.by_jurisdiction]
    assert labels == [world.city.name, world.county_a.name]  # 上蔡县 has no defendant
    city = row_of(result.by_jurisdiction, world.city.name)
    assert (city.new_cases, city.concluded, city.losses, city.heard) == (4, 4, 1, 4)
    county = row_of(result.by_jurisdiction, world.county_a.name)
    assert (county.new_cases, county.new_cases_last_year) == (1, 0)
    assert county.new_cases_change is None
    assert county.shown["new_cases_change"] == figures.NO_VALUE
    assert (county.concluded, county.losses) == (1, 1)
    assert county.loss_rate == Decimal("100.0")
    assert (county.heard, county.appeared) == (1, 0)
    assert county.appearance_rate == Decimal("0.0")
    assert county.below_target
    assert county.spoke_rate is None and county.shown["spoke_rate"] == "—"
    assert county.resolution_rate is None
    total = result.total
    assert (total.new_cases, total.new_cases_last_year) == (5, 2)
    assert total.new_cases_change == Decimal("150.0")
    assert (total.concluded, total.losses) == (5, 2)
    assert total.loss_rate == Decimal("40.0")
    assert total.mediated_withdrawn_rate == Decimal("40.0")
    assert (total.heard, total.appeared, total.top_appeared, total.spoke) == (5, 3, 2, 1)
    assert total.appearance_rate == Decimal("60.0")
    assert total.below_target  # 60.0 < 70
    assert total.top_rate == Decimal("40.0")
    assert total.spoke_rate == Decimal("33.3")
    assert total.resolution_rate == Decimal("66.7")


def test_a_case_heard_in_another_county_s_court_counts_for_the_defendant_s_county(
    world: Any,
) -> None:
    build_data(world)
    # 上蔡县's court staff see the case they heard; it counts for 西平县, not 上蔡县.
    result = figures.litigation_figures(world.users["b_court_staff"], PERIOD)
    assert [r.label for r in result.by_jurisdiction] == [world.county_a.name]
    assert [r.label for r in result.by_body] == [world.units["a_hrss"].name]
    assert result.by_jurisdiction[0].losses == 1
    # 西平县's office counts it too, with its own cases only.
    county = figures.litigation_figures(world.users["a_office"], PERIOD)
    assert [(r.label, r.new_cases, r.heard) for r in county.by_jurisdiction] == [
        (world.county_a.name, 1, 1)
    ]
    # And 上蔡县's office, whose court heard it, has no figure from it.
    assert figures.litigation_figures(world.users["b_office"], PERIOD).total.is_empty


def test_a_period_without_cases_has_no_rate_and_no_division_by_zero(world: Any) -> None:
    build_data(world)
    result = figures.litigation_figures(
        world.users["city_office"], figures.Period.year(2023), mechanism=world.mechanisms["city"]
    )
    assert result.by_body == [] and result.by_jurisdiction == []
    total = result.total
    assert total.is_empty
    for name in figures.RATE_FIELDS:
        assert getattr(total, name) is None
        assert total.shown[name] == "—"
    assert total.new_cases_change is None
    assert not total.below_target


def test_the_year_after_counts_last_year_s_cases_as_the_comparison(world: Any) -> None:
    build_data(world)
    result = figures.litigation_figures(world.users["city_office"], figures.Period.year(YEAR + 1))
    assert result.total.new_cases == 0
    assert result.total.new_cases_last_year == 5
    assert result.total.new_cases_change == Decimal("-100.0")


def test_a_date_range_counts_only_its_days(world: Any) -> None:
    build_data(world)
    period = figures.Period(d(5, 1), d(6, 30))
    result = figures.litigation_figures(world.users["city_office"], period)
    hrss = row_of(result.by_body, world.units["hrss"].name)
    assert hrss.new_cases == 1  # C4 (S1 is a second-instance case)
    assert hrss.concluded == 1 and hrss.losses == 1  # C1 on 1 June
    # Held in May–June: C1 (deputy), C2 (top, spoke); C3's hearing was cancelled.
    assert (hrss.heard, hrss.appeared, hrss.top_appeared, hrss.spoke) == (2, 2, 1, 1)
    assert period.previous() == figures.Period(d(5, 1, 2024), d(6, 30, 2024))


def test_the_loss_definition_follows_the_mechanism_s_settings(world: Any) -> None:
    build_data(world)
    city = world.mechanisms["city"]
    set_config(city, loss_denominator="judgments")
    hrss = row_of(
        figures.litigation_figures(world.users["city_office"], PERIOD, mechanism=city).by_body,
        world.units["hrss"].name,
    )
    assert hrss.loss_denominator == 2  # 4 concluded − 1 mediated − 1 withdrawn
    assert hrss.loss_rate == Decimal("50.0")
    set_config(city, loss_denominator="concluded", loss_outcomes=["revoked", "dismissed"])
    result = figures.litigation_figures(world.users["city_office"], PERIOD, mechanism=city)
    hrss = row_of(result.by_body, world.units["hrss"].name)
    assert hrss.losses == 2 and hrss.loss_rate == Decimal("50.0")
    assert (
        "Claims dismissed" in result.definitions["losses"]
        or "驳回" in (result.definitions["losses"])
    )


def test_definitions_name_the_settings(world: Any) -> None:
    city = world.mechanisms["city"]
    set_config(city, appearance_target_percent=85, loss_denominator="judgments")
    texts = figures.definitions(city.config)
    assert "85" in texts["appearance_rate"]
    assert str(figures.LOSS_DENOMINATORS["judgments"]) in texts["loss_rate"]
    assert set(figures.FIGURE_LABELS) == set(texts)


def test_the_appearance_target_comes_from_the_settings(world: Any) -> None:
    build_data(world)
    city = world.mechanisms["city"]
    set_config(city, appearance_target_percent=80)
    result = figures.litigation_figures(world.users["city_office"], PERIOD, mechanism=city)
    assert row_of(result.by_body, world.units["hrss"].name).below_target  # 75.0 < 80


def test_a_liaison_officer_sees_only_the_own_body(world: Any) -> None:
    build_data(world)
    result = figures.litigation_figures(world.users["hrss_liaison"], PERIOD)
    assert [r.label for r in result.by_body] == [world.units["hrss"].name]
    assert result.total.new_cases == 4


def test_the_queries_do_not_grow_with_the_number_of_bodies(world: Any) -> None:
    user = world.users["city_office"]
    make_case(world, "hrss", d(2, 1), concluded_on=d(3, 1), outcome="revoked")
    figures.litigation_figures(user, PERIOD)  # the scope is cached on the user
    with CaptureQueriesContext(connection) as one:
        figures.litigation_figures(user, PERIOD)
    for key in ("housing", "a_hrss", "new_regulator", "a_gov", "b_gov", "city_gov"):
        case = make_case(world, key, d(2, 1), concluded_on=d(3, 1), outcome="revoked")
        hold_hearing(case, d(2, 20), HeadRank.TOP)
        make_dispute(world, key, wf.RESOLVED, d(3, 3))
    with CaptureQueriesContext(connection) as many:
        result = figures.litigation_figures(user, PERIOD)
    assert len(result.by_body) == 7
    assert len(many.captured_queries) == len(one.captured_queries) <= 5


def test_monthly_new_cases(world: Any) -> None:
    build_data(world)
    months = figures.monthly_new_cases(AdminCase.objects.all(), YEAR)
    assert months == [0, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert figures.monthly_new_cases(AdminCase.objects.all(), 2024) == [0] * 10 + [1, 1]


def test_home_mechanism_is_the_user_s_own_level(world: Any) -> None:
    m = world.mechanisms
    assert figures.home_mechanism(world.users["city_office"]) == m["city"]
    assert figures.home_mechanism(world.users["a_office"]) == m["a"]
    assert figures.home_mechanism(world.users["hrss_liaison"]) == m["city"]
    assert figures.home_mechanism(world.users["b_court_staff"]) == m["b"]
    assert figures.home_mechanism(world.users["system_admin"]) is None


def test_rates_round_half_up_to_one_decimal() -> None:
    assert figures.rate(1, 3) == Decimal("33.3")
    assert figures.rate(2, 3) == Decimal("66.7")
    assert figures.rate(1, 8) == Decimal("12.5")
    assert figures.rate(1, 0) is None
    assert figures.change(3, 0) is None
    assert figures.change(1, 3) == Decimal("-66.7")


def test_a_period_a_year_earlier_handles_29_february() -> None:
    period = figures.Period(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert period.previous() == figures.Period(
        datetime.date(2023, 2, 1), datetime.date(2023, 2, 28)
    )
    assert figures.Period.year(2025).is_year and not period.is_year
