"""Coordination items become matters of the unit that must act; information queries are due in
3 working days, their turnaround is counted and overdue ones are urged once a day."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fuyuan.matters import sources
from fuyuan.notify.models import OutboxMessage

from .. import actions, jobs
from ..models import QueryState
from ..queries import figures
from .helpers import make_case, seed_calendar

pytestmark = pytest.mark.django_db


def at(day: datetime.date):  # type: ignore[no-untyped-def]
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with at(datetime.date(2026, 3, 10)):
        seed_calendar()
        yield


def test_an_item_opens_an_assigned_matter_for_the_lead_unit(world):
    case = make_case(world)
    item = actions.add_item(
        world.users["court_staff"],
        case,
        kind="asset_disposal",
        description="协调处置厂房土地",
        lead_unit=world.units["housing"],
        deadline=datetime.date(2026, 5, 31),
    )
    matter = item.matter
    assert matter.source_kind == "bankruptcy.item" and matter.source_ref == str(item.pk)
    assert matter.state == "assigned"
    assert matter.lead_unit == world.units["housing"]
    assert matter.mechanism == world.mechanisms["city"]
    assert sources.url_of(matter) == f"/bankruptcy/cases/{case.pk}/"


def test_a_county_item_on_a_city_case_goes_to_the_countys_meeting(world):
    case = make_case(world)
    item = actions.add_item(
        world.users["city_office"],
        case,
        kind="social_stability",
        description="做好职工稳定工作",
        lead_unit=world.units["a_hrss"],
        deadline=datetime.date(2026, 4, 30),
    )
    assert item.matter.mechanism == world.mechanisms["a"]


def test_an_item_for_a_unit_outside_the_cases_meeting_is_refused(world):
    case = make_case(world, court="b_court")
    with pytest.raises(ValidationError) as exc:
        actions.add_item(
            world.users["b_court_staff"],
            case,
            kind="tax",
            description="税务注销",
            lead_unit=world.units["a_hrss"],
            deadline=datetime.date(2026, 4, 30),
        )
    assert exc.value.error_dict["lead_unit"][0].code == "bankruptcy.lead_unit"


def test_a_liaison_cannot_add_items(world):
    case = make_case(world)
    with pytest.raises(PermissionDenied):
        actions.add_item(
            world.users["hrss_liaison"],
            case,
            kind="wages",
            description="x",
            lead_unit=world.units["hrss"],
            deadline=datetime.date(2026, 4, 30),
        )


def test_a_query_is_due_in_three_working_days_and_its_turnaround_counted(world):
    case = make_case(world)
    query = actions.ask_query(
        world.users["court_staff"],
        case,
        department=world.units["housing"],
        kind="real_estate",
        question="查询债务人名下不动产登记情况",
        for_administrator=True,
    )
    assert query.due_on == datetime.date(2026, 3, 13)
    assert OutboxMessage.objects.filter(
        ref_kind="bankruptcy.query", recipient=world.users["housing_liaison"]
    ).exists()
    with pytest.raises(PermissionDenied):
        actions.answer_query(world.users["hrss_liaison"], query, result="无")
    with at(datetime.date(2026, 3, 12)):
        actions.answer_query(world.users["housing_liaison"], query, result="名下有房产两处")
    query.refresh_from_db()
    assert query.state == QueryState.ANSWERED and query.answer_working_days == 2
    rows = figures(world.users["city_office"], datetime.date(2026, 3, 12))["turnaround"]
    assert rows[0]["department__name"] == world.units["housing"].name
    assert rows[0]["answered"] == 1 and rows[0]["on_time"] == 1 and rows[0]["average"] == 2.0


def test_only_the_court_asks_queries(world):
    case = make_case(world)
    with pytest.raises(PermissionDenied):
        actions.ask_query(
            world.users["city_office"],
            case,
            department=world.units["housing"],
            kind="real_estate",
            question="x",
        )


def test_overdue_queries_are_urged_once_a_day(world):
    case = make_case(world)
    late = actions.ask_query(
        world.users["court_staff"],
        case,
        department=world.units["hrss"],
        kind="social_insurance",
        question="查询欠缴社保及欠薪",
    )
    on_time = actions.ask_query(
        world.users["court_staff"],
        case,
        department=world.units["housing"],
        kind="real_estate",
        question="查询不动产",
    )
    actions.answer_query(world.users["housing_liaison"], on_time, result="无")
    assert jobs.run_daily(datetime.date(2026, 3, 13)) == {"queries_urged": 0}
    with at(datetime.date(2026, 3, 16)):
        assert jobs.run_daily(datetime.date(2026, 3, 16)) == {"queries_urged": 1}
        assert jobs.run_daily(datetime.date(2026, 3, 16)) == {"queries_urged": 0}
    urged = OutboxMessage.objects.filter(kind="bankruptcy.query_overdue", ref_id=late.pk)
    assert urged.filter(recipient=world.users["hrss_liaison"]).exists()
    count = urged.count()
    with at(datetime.date(2026, 3, 17)):
        assert jobs.run_daily(datetime.date(2026, 3, 17)) == {"queries_urged": 1}
    assert urged.count() > count
    figs = figures(world.users["city_office"], datetime.date(2026, 3, 17))
    hrss_row = next(r for r in figs["turnaround"] if r["department_id"] == world.units["hrss"].pk)
    assert hrss_row["overdue"] == 1 and hrss_row["answered"] == 0


def test_figures_count_cases_by_stage_and_items_open_and_done(world):
    make_case(world)
    make_case(world, stage="application")
    case = make_case(world, stage="liquidation")
    actions.add_item(
        world.users["court_staff"],
        case,
        kind="deregistration",
        description="办理注销登记",
        lead_unit=world.units["hrss"],
        deadline=datetime.date(2026, 6, 30),
    )
    figs = figures(world.users["city_office"])
    stages = {r["stage"]: r["count"] for r in figs["stages"]}
    assert stages["administration"] == 1 and stages["application"] == 1
    assert stages["liquidation"] == 1 and figs["case_total"] == 3
    dereg = next(r for r in figs["items"] if r["kind"] == "deregistration")
    assert dereg == {**dereg, "total": 1, "open": 1, "done": 0}
