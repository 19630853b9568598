"""The stalled-housing ledger (问题楼盘): validation codes (credit code, households, dates
consistent with the status), the office's credit-code override, optimistic locking and audit,
who may write and see a row, and the figures (by status, households, delivery rate)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.risks import actions, queries
from fuyuan.risks.models import StalledProject

from .helpers import bad_check, credit_code, make_project, project_data

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {f: {e.code for e in errs} for f, errs in exc.error_dict.items()}  # type: ignore[misc]


def refused(world, **overrides) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        make_project(world, **overrides)
    return codes(info.value)


def test_a_well_formed_project_is_stored_and_audited(world):
    project = make_project(world, developer_credit_code=credit_code().lower())
    assert project.developer_credit_code == credit_code()
    assert project.credit_code_override == ""
    entry = AuditEntry.objects.get(action="risks.project.create")
    assert entry.object_id == str(project.pk)


def test_a_structurally_broken_credit_code_is_refused_with_its_code(world):
    assert refused(world, developer_credit_code="91411700ABC")["developer_credit_code"] == {
        "uscc.length"
    }
    assert (
        "uscc.charset"
        in refused(world, developer_credit_code="91411700MA44R8Y2IO")["developer_credit_code"]
    )


def test_a_bad_check_character_is_a_warning_the_office_overrides_with_a_reason(world):
    code = bad_check(credit_code())
    assert refused(world, developer_credit_code=code)["developer_credit_code"] == {"uscc.checksum"}
    project = make_project(
        world, developer_credit_code=code, override_reason="营业执照原件核对无误"
    )
    assert project.developer_credit_code == code
    assert project.credit_code_override == "营业执照原件核对无误"


def test_only_the_office_may_override_a_failed_check(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as info:
        actions.update_project(
            world.users["housing_liaison"],
            project,
            expected_version=project.version,
            override_reason="核对无误",
            **project_data(world, developer_credit_code=bad_check(credit_code())),
        )
    assert codes(info.value)["developer_credit_code"] == {
        "uscc.checksum",
        "risks.override_office_only",
    }


def test_an_accepted_code_keeps_its_reason_while_unchanged(world):
    code = bad_check(credit_code())
    project = make_project(world, developer_credit_code=code, override_reason="核对无误")
    actions.update_project(
        world.users["housing_liaison"],
        project,
        expected_version=project.version,
        **project_data(world, developer_credit_code=code, households_delivered=10),
    )
    project.refresh_from_db()
    assert project.credit_code_override == "核对无误"
    assert project.households_delivered == 10


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"restarted_on": D(2025, 1, 1)}, "restarted_on", "risks.restart_date_unexpected"),
        ({"delivered_on": D(2025, 1, 1)}, "delivered_on", "risks.delivery_date_unexpected"),
        ({"status": "restarted"}, "restarted_on", "risks.restart_date_required"),
        (
            {"status": "restarted", "restarted_on": D(2024, 4, 1)},
            "restarted_on",
            "risks.restart_before_stop",
        ),
        (
            {"status": "restarted", "restarted_on": D(2025, 1, 1), "delivered_on": D(2025, 9, 1)},
            "delivered_on",
            "risks.delivery_date_unexpected",
        ),
        (
            {"status": "delivered", "households_delivered": 420},
            "delivered_on",
            "risks.delivery_date_required",
        ),
        (
            {
                "status": "delivered",
                "households_delivered": 420,
                "restarted_on": D(2025, 1, 1),
                "delivered_on": D(2024, 12, 1),
            },
            "delivered_on",
            "risks.delivery_before_start",
        ),
        (
            {"status": "delivered", "households_delivered": 400, "delivered_on": D(2025, 12, 1)},
            "households_delivered",
            "risks.delivered_incomplete",
        ),
        ({"stopped_on": D(2026, 4, 1)}, "stopped_on", "risks.date_future"),
        ({"stopped_on": None}, "stopped_on", "required"),
        ({"households_delivered": 421}, "households_delivered", "risks.delivered_exceeds_affected"),
        ({"households_affected": 0}, "households_affected", "risks.households_none"),
        ({"responsible_unit": None}, "responsible_unit", "required"),
    ],
)
def test_dates_and_households_must_agree_with_the_status(world, overrides, field, code):
    assert code in refused(world, **overrides)[field]


def test_a_county_project_cannot_be_given_to_another_countys_unit(world):
    errors = refused(
        world, jurisdiction="a", actor="a_office", responsible_unit=world.units["b_office"]
    )
    assert errors["responsible_unit"] == {"risks.responsible_unit_outside"}
    # A city department may be responsible for a county's project (a level above).
    assert make_project(world, jurisdiction="a", actor="city_office").jurisdiction == world.county_a


def test_a_restarted_then_delivered_project_is_accepted(world):
    project = make_project(
        world,
        status="delivered",
        restarted_on=D(2024, 10, 8),
        delivered_on=D(2025, 12, 20),
        households_delivered=420,
        white_list=True,
    )
    assert project.status == "delivered" and project.white_list


def test_a_stale_edit_is_refused_and_every_change_audited(world):
    project = make_project(world)
    office = world.users["city_office"]
    stale = StalledProject.objects.get(pk=project.pk)
    actions.update_project(
        office,
        project,
        expected_version=project.version,
        **project_data(world, status="restarted", restarted_on=D(2025, 2, 1)),
    )
    with pytest.raises(StaleObjectError):
        actions.update_project(
            office, stale, expected_version=stale.version, **project_data(world, note="旧表单")
        )
    entry = AuditEntry.objects.get(action="risks.project.update")
    assert entry.before["status"] == "stopped" and entry.after["status"] == "restarted"
    assert StalledProject.objects.get(pk=project.pk).version == 2


def test_who_may_add_and_edit_a_project(world):
    with pytest.raises(PermissionDenied):
        make_project(world, actor="housing_liaison")
    with pytest.raises(PermissionDenied):
        make_project(
            world, actor="a_office", jurisdiction="b", responsible_unit=world.units["b_office"]
        )
    project = make_project(world)
    for name in ("hrss_liaison", "city_leader", "a_office", "court_staff"):
        with pytest.raises(PermissionDenied):
            actions.update_project(
                world.users[name], project, expected_version=project.version, **project_data(world)
            )


def test_a_project_is_seen_by_its_overseers_and_the_responsible_unit_only(world):
    city = make_project(world)
    county = make_project(
        world,
        jurisdiction="a",
        actor="a_office",
        name="西平县锦绣花园",
        responsible_unit=world.units["a_gov"],
    )

    def seen(name: str) -> set[int]:
        return set(
            StalledProject.objects.visible_to(world.users[name]).values_list("pk", flat=True)
        )

    assert seen("city_office") == {city.pk, county.pk}
    assert seen("city_leader") == {city.pk, county.pk}
    assert seen("a_office") == {county.pk}
    assert seen("b_office") == set()
    assert seen("housing_liaison") == {city.pk}
    assert seen("hrss_liaison") == set()
    assert seen("court_staff") == set()


def test_figures_of_a_known_ledger(world):
    make_project(world, name="甲", households_affected=100)
    make_project(
        world,
        name="乙",
        households_affected=200,
        households_delivered=50,
        status="restarted",
        restarted_on=D(2025, 1, 1),
        white_list=True,
    )
    make_project(
        world,
        name="丙",
        households_affected=300,
        households_delivered=300,
        status="delivered",
        restarted_on=D(2025, 1, 1),
        delivered_on=D(2025, 11, 1),
        white_list=True,
    )
    make_project(
        world,
        name="丁",
        jurisdiction="a",
        actor="a_office",
        households_affected=400,
        households_delivered=400,
        status="delivered",
        delivered_on=D(2025, 6, 1),
        responsible_unit=world.units["a_gov"],
    )
    figures = queries.project_figures(StalledProject.objects.all())
    assert figures["total"] == 4
    assert (figures["stopped"], figures["restarted"], figures["delivered"]) == (1, 1, 2)
    assert figures["white_list"] == 2
    assert figures["households_affected"] == 1000
    assert figures["households_delivered"] == 750
    assert figures["delivery_rate"] == Decimal("75.0")
    assert figures["project_rate"] == Decimal("50.0")
    county = queries.project_figures(StalledProject.objects.visible_to(world.users["a_office"]))
    assert county["total"] == 1 and county["delivery_rate"] == Decimal("100.0")
    assert queries.project_figures(StalledProject.objects.none())["delivery_rate"] is None
