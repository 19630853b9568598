"""Loss-risk warnings (败诉风险预警): thresholds give the level, a flagged body gets one
rectification matter in its own mechanism with its liaison officers and the office notified,
a later run raises the level but never lowers it, and running twice changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fuyuan.accounts.actions import SYSTEM_USERNAME
from fuyuan.audit.models import AuditEntry
from fuyuan.litigation import figures
from fuyuan.litigation.models import LossRiskWarning, RiskLevel
from fuyuan.matters.models import Matter
from fuyuan.notify.models import InboxMessage
from fuyuan.org.settings_schema import MechanismSettings

from .test_figures import make_case, set_config

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 30, 8)), tick=False):
        yield


def d(month: int, day: int) -> datetime.date:
    return datetime.date(TODAY.year, month, day)


def concluded(world: Any, body: str, outcomes: list[str]) -> None:
    for n, outcome in enumerate(outcomes):
        make_case(world, body, d(1, 10 + n), concluded_on=d(6, 1 + n), outcome=outcome)


def row(**values: Any) -> figures.FigureRow:
    return figures.FigureRow(**values)


# --- levels ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("losses", "concluded_cases", "new_cases", "level"),
    [
        (2, 10, 0, None),  # 20.0% < 25
        (1, 10, 0, None),  # 10.0%
        (3, 10, 0, RiskLevel.YELLOW),  # 30.0% ≥ 25
        (7, 20, 0, RiskLevel.ORANGE),  # 35.0% ≥ 35
        (5, 10, 0, RiskLevel.RED),  # 50.0% ≥ 45
        (2, 2, 0, None),  # 100% but fewer concluded cases than loss_risk_min_cases
        (0, 0, 5, RiskLevel.YELLOW),  # new cases ≥ 5
        (0, 0, 12, RiskLevel.ORANGE),
        (0, 0, 40, RiskLevel.RED),
        (3, 10, 40, RiskLevel.RED),  # the worse of the two
        (5, 10, 5, RiskLevel.RED),
    ],
)
def test_thresholds_give_the_level(
    losses: int, concluded_cases: int, new_cases: int, level: str | None
) -> None:
    config = MechanismSettings(
        loss_risk_min_cases=3,
        loss_risk_yellow_percent=25,
        loss_risk_orange_percent=35,
        loss_risk_red_percent=45,
        new_cases_yellow=5,
        new_cases_orange=10,
        new_cases_red=30,
    )
    body = row(losses=losses, concluded=concluded_cases, new_cases=new_cases)
    found, reasons = figures.assess(config, body)
    assert found == level
    assert bool(reasons) == (level is not None)


def test_a_threshold_of_zero_is_switched_off() -> None:
    config = MechanismSettings(new_cases_yellow=0, new_cases_orange=0, new_cases_red=0)
    assert figures.assess(config, row(new_cases=0)) == (None, [])


def test_the_loss_threshold_uses_the_mechanism_s_denominator() -> None:
    config = MechanismSettings(loss_denominator="judgments", loss_risk_min_cases=3)
    # 2 losses of 6 concluded, 2 of them mediated: 2 ÷ 4 = 50% under "judgments".
    body = figures._new_row(config, losses=2, concluded=6, mediated=2)
    assert body.loss_rate == Decimal("50.0")
    assert figures.assess(config, body)[0] == RiskLevel.RED


# --- the job --------------------------------------------------------------------------------------
def test_a_flagged_body_gets_a_warning_a_matter_and_notifications_once(world: Any) -> None:
    city = world.mechanisms["city"]
    set_config(city, loss_risk_min_cases=3)
    concluded(world, "hrss", ["revoked", "dismissed", "dismissed", "dismissed"])  # 25%
    assert figures.raise_loss_risk_warnings(TODAY) == 1
    warning = LossRiskWarning.objects.get()
    assert (warning.unit, warning.year, warning.level) == (world.units["hrss"], 2026, "yellow")
    assert warning.loss_rate == Decimal("25.0") and warning.new_cases == 4
    assert warning.mechanism == city
    matter = warning.matter
    assert matter is not None
    assert (matter.lead_unit, matter.mechanism, matter.state) == (
        world.units["hrss"],
        city,
        "assigned",
    )
    assert (matter.source_kind, matter.source_ref) == ("litigation.loss_risk", str(warning.pk))
    assert matter.deadline == TODAY + datetime.timedelta(days=30)
    # Written by the system account, which cannot sign in.
    system = matter.created_by
    assert system.username == SYSTEM_USERNAME
    assert not system.is_active and not system.has_usable_password()
    assert AuditEntry.objects.filter(action="litigation.loss_risk.raise", actor=system).count() == 1
    notified = set(
        InboxMessage.objects.filter(ref_kind="litigation.loss_risk").values_list(
            "user__username", flat=True
        )
    )
    assert {"hrss_liaison", "city_office"} <= notified
    assert "housing_liaison" not in notified and "a_office" not in notified
    # A second run the same day changes nothing: no new warning, matter or message.
    messages = InboxMessage.objects.count()
    assert figures.raise_loss_risk_warnings(TODAY) == 0
    assert LossRiskWarning.objects.count() == 1
    assert Matter.objects.filter(source_kind="litigation.loss_risk").count() == 1
    assert InboxMessage.objects.count() == messages


def test_a_later_run_raises_the_level_and_keeps_the_one_matter(world: Any) -> None:
    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    concluded(world, "hrss", ["revoked", "dismissed", "dismissed", "dismissed"])  # 25% yellow
    figures.raise_loss_risk_warnings(TODAY)
    warning = LossRiskWarning.objects.get()
    matter_pk = warning.matter_id
    concluded(world, "hrss", ["revoked", "revoked", "revoked"])  # 4 of 7: 57.1% red
    assert figures.raise_loss_risk_warnings(TODAY) == 1
    warning.refresh_from_db()
    assert warning.level == RiskLevel.RED
    assert warning.loss_rate == Decimal("57.1")
    assert warning.matter_id == matter_pk
    assert Matter.objects.filter(source_kind="litigation.loss_risk").count() == 1
    assert AuditEntry.objects.filter(action="litigation.loss_risk.escalate").count() == 1


def test_a_later_run_never_lowers_the_level(world: Any) -> None:
    city = world.mechanisms["city"]
    set_config(city, loss_risk_min_cases=3)
    concluded(world, "hrss", ["revoked", "revoked", "dismissed"])  # 66.7%: red
    figures.raise_loss_risk_warnings(TODAY)
    assert LossRiskWarning.objects.get().level == RiskLevel.RED
    concluded(world, "hrss", ["dismissed"] * 7)  # 2 of 10: 20%, yellow at most
    set_config(city, loss_risk_yellow_percent=20)
    assert figures.raise_loss_risk_warnings(TODAY) == 0
    warning = LossRiskWarning.objects.get()
    assert warning.level == RiskLevel.RED
    assert warning.loss_rate == Decimal("66.7")


def test_a_county_body_is_warned_in_its_county_s_mechanism(world: Any) -> None:
    county = world.mechanisms["a"]
    set_config(county, new_cases_yellow=2)
    for n in range(2):  # heard by 上蔡县's court; it is still 西平县's body
        make_case(world, "a_hrss", d(3, 1 + n), court="b_court")
    assert figures.raise_loss_risk_warnings(TODAY) == 1
    warning = LossRiskWarning.objects.get()
    assert (warning.unit, warning.mechanism, warning.level) == (
        world.units["a_hrss"],
        county,
        RiskLevel.YELLOW,
    )
    assert warning.matter.mechanism == county
    assert warning.matter.lead_unit == world.units["a_hrss"]
    notified = set(
        InboxMessage.objects.filter(ref_kind="litigation.loss_risk").values_list(
            "user__username", flat=True
        )
    )
    assert notified == {"a_hrss_liaison", "a_office"}


def test_few_concluded_cases_and_last_year_s_cases_raise_nothing(world: Any) -> None:
    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    concluded(world, "hrss", ["revoked", "revoked"])  # 100% of only 2
    make_case(
        world,
        "housing",
        datetime.date(2025, 3, 1),
        concluded_on=datetime.date(2025, 6, 1),
        outcome="revoked",
    )
    assert figures.raise_loss_risk_warnings(TODAY) == 0
    assert not LossRiskWarning.objects.exists()


def test_the_daily_job_runs_the_check(world: Any) -> None:
    from fuyuan.litigation import jobs

    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    concluded(world, "hrss", ["revoked"] * 3)
    assert jobs.run_daily(TODAY)["loss_risk_warnings"] == 1


def test_the_office_runs_the_check_for_its_own_jurisdictions(world: Any) -> None:
    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    set_config(world.mechanisms["a"], new_cases_yellow=1)
    concluded(world, "hrss", ["revoked"] * 3)
    make_case(world, "a_hrss", d(3, 1), court="b_court")
    assert figures.run_check_now(world.users["a_office"], TODAY) == 1
    warning = LossRiskWarning.objects.get()
    assert warning.unit == world.units["a_hrss"]
    assert warning.matter.created_by == world.users["a_office"]
    with pytest.raises(PermissionDenied):
        figures.run_check_now(world.users["hrss_liaison"], TODAY)


def test_who_sees_warnings(world: Any) -> None:
    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    set_config(world.mechanisms["a"], new_cases_yellow=1)
    concluded(world, "hrss", ["revoked"] * 3)
    make_case(world, "a_hrss", d(3, 1), court="b_court")
    figures.raise_loss_risk_warnings(TODAY)

    def seen(name: str) -> set[str]:
        return {
            w.unit.name for w in figures.visible_warnings(world.users[name]).select_related("unit")
        }

    hrss, a_hrss = world.units["hrss"].name, world.units["a_hrss"].name
    assert seen("city_office") == {hrss, a_hrss}
    assert seen("city_leader") == {hrss, a_hrss}
    assert seen("a_office") == {a_hrss}
    assert seen("hrss_liaison") == {hrss}
    assert seen("housing_liaison") == set()
    assert seen("b_court_staff") == {a_hrss}  # its court hears the case
    assert seen("court_staff") == {hrss}
    assert seen("system_admin") == set()
