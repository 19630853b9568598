"""Bankruptcy cases: the number, the court, the debtor's credit code (structural error refused,
a bad check character overridable by office staff with a reason), stages and dates, and who
sees a case."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from fuyuan.audit.models import AuditEntry

from .. import actions
from ..models import BankruptcyCase
from ..queries import visible_cases
from .helpers import BAD_CHECK_CODE, TODAY, VALID_CODE, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


def _codes(exc: ValidationError, field: str) -> set[str]:
    return {e.code for e in exc.error_dict[field]}  # type: ignore[misc]


def test_a_case_is_registered_with_its_parsed_number_and_the_courts_meeting(world):
    case = make_case(world)
    assert case.type_code == "破" and case.year == 2026
    assert case.mechanism == world.mechanisms["city"]
    b_case = make_case(world, court="b_court")
    assert b_case.mechanism == world.mechanisms["b"]
    assert AuditEntry.objects.filter(action="bankruptcy.case.create").count() == 2


def test_a_number_that_is_not_a_bankruptcy_case_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, number="（2026）豫17行初3号")
    assert "bankruptcy.not_bankruptcy_case" in _codes(exc.value, "number")


def test_a_number_of_another_court_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, number="（2026）豫1722破9号")
    assert "bankruptcy.court_mismatch" in _codes(exc.value, "court")


def test_the_same_number_twice_is_refused(world):
    make_case(world, number="（2026）豫17破申1号", stage="application")
    with pytest.raises(ValidationError) as exc:
        make_case(world, number="(2026)豫17破申1号", stage="application")
    assert "bankruptcy.duplicate_number" in _codes(exc.value, "number")


def test_a_malformed_credit_code_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, debtor_credit_code="91411700MA44A1B2")
    assert "uscc.length" in _codes(exc.value, "debtor_credit_code")


def test_a_bad_check_character_is_a_warning_the_court_cannot_override(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, debtor_credit_code=BAD_CHECK_CODE)
    assert _codes(exc.value, "debtor_credit_code") == {"uscc.checksum"}
    with pytest.raises(ValidationError) as exc:
        actions.create_case(
            world.users["court_staff"],
            override_reason="营业执照原件如此",
            number="（2026）豫17破77号",
            court=world.units["court"],
            debtor_name="某公司",
            debtor_credit_code=BAD_CHECK_CODE,
            applied_on=TODAY,
            accepted_on=TODAY,
            stage="accepted",
        )
    assert "bankruptcy.override_not_allowed" in _codes(exc.value, "debtor_credit_code")


def test_office_staff_keep_a_code_failing_its_check_with_a_reason(world):
    case = actions.create_case(
        world.users["city_office"],
        override_reason="早期试点代码，经市场监管局核实",
        number="（2026）豫17破78号",
        court=world.units["court"],
        debtor_name="某公司",
        debtor_credit_code=BAD_CHECK_CODE.lower(),
        applied_on=TODAY,
        accepted_on=TODAY,
        stage="accepted",
    )
    assert case.debtor_credit_code == BAD_CHECK_CODE
    assert case.credit_code_override.startswith("早期试点")
    # The court may later edit other fields: the reason stays while the code is unchanged.
    actions.update_case(world.users["court_staff"], case, employees=5)
    case.refresh_from_db()
    assert case.credit_code_override and case.employees == 5
    # A valid code clears the reason.
    actions.update_case(world.users["court_staff"], case, debtor_credit_code=VALID_CODE)
    case.refresh_from_db()
    assert case.credit_code_override == ""


def test_stage_and_dates_must_agree(world):
    with pytest.raises(ValidationError) as exc:
        make_case(world, stage="liquidation", accepted_on=None)
    assert "bankruptcy.accepted_on_required" in _codes(exc.value, "accepted_on")
    with pytest.raises(ValidationError) as exc:
        make_case(world, stage="concluded")
    assert "bankruptcy.concluded_on_required" in _codes(exc.value, "concluded_on")
    with pytest.raises(ValidationError) as exc:
        make_case(world, accepted_on=datetime.date(2025, 12, 1))
    assert "bankruptcy.date_order" in _codes(exc.value, "accepted_on")
    with pytest.raises(ValidationError) as exc:
        make_case(world, applied_on=datetime.date(2026, 4, 1))
    assert "bankruptcy.date_in_future" in _codes(exc.value, "applied_on")


def test_only_the_court_or_an_office_above_it_registers_a_case(world):
    with pytest.raises(PermissionDenied):
        actions.create_case(
            world.users["b_court_staff"],
            number="（2026）豫17破90号",
            court=world.units["court"],
            debtor_name="某公司",
            applied_on=TODAY,
            stage="application",
        )
    with pytest.raises(PermissionDenied):
        actions.create_case(
            world.users["hrss_liaison"],
            number="（2026）豫17破91号",
            court=world.units["court"],
            debtor_name="某公司",
            applied_on=TODAY,
            stage="application",
        )


def test_a_stale_edit_is_refused(world):
    from fuyuan.core.models import StaleObjectError

    case = make_case(world)
    actions.update_case(world.users["court_staff"], case, employees=3)
    stale = BankruptcyCase.objects.get(pk=case.pk)
    with pytest.raises(StaleObjectError):
        actions.update_case(world.users["city_office"], stale, expected_version=1, employees=4)


def test_visibility_court_offices_above_and_units_involved(world):
    city_case = make_case(world)
    b_case = make_case(world, court="b_court")
    u = world.users

    def ids(name: str) -> set[int]:
        return set(visible_cases(u[name]).values_list("pk", flat=True))

    assert ids("court_staff") == {city_case.pk}
    assert ids("b_court_staff") == {b_case.pk}
    assert ids("city_office") == ids("city_leader") == {city_case.pk, b_case.pk}
    assert ids("b_office") == {b_case.pk}
    assert ids("a_office") == set()
    assert ids("hrss_liaison") == set()
    assert ids("nobody") == set()
    # A unit with a coordination item or a query on the case sees it.
    actions.add_item(
        u["court_staff"],
        city_case,
        kind="wages",
        description="协调垫付职工工资",
        lead_unit=world.units["hrss"],
        deadline=datetime.date(2026, 4, 30),
    )
    assert ids("hrss_liaison") == {city_case.pk}
    assert ids("housing_liaison") == set()
