"""The register of document numbers: format checks, uniqueness (action and database), release."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.documents import actions
from fuyuan.documents.models import DocumentNumber
from fuyuan.testing import World


def codes(exc: ValidationError) -> list[str]:
    return [e.code for errors in exc.error_dict.values() for e in errors]  # type: ignore[misc]


def test_office_reserves_a_number_normalised_to_hexagonal_brackets(world: World) -> None:
    number = actions.reserve_number(
        world.users["city_office"], world.mechanisms["city"], "驻府院办[2026]3号"
    )
    assert number.number == "驻府院办〔2026〕3号"
    assert (number.issuer_code, number.year, number.sequence) == ("驻府院办", 2026, 3)
    assert AuditEntry.objects.filter(action="documents.number.reserve").count() == 1


def test_a_number_reserved_twice_is_refused(world: World) -> None:
    office = world.users["city_office"]
    actions.reserve_number(office, world.mechanisms["city"], "驻府院办〔2026〕3号")
    with pytest.raises(ValidationError) as caught:
        actions.reserve_number(office, world.mechanisms["city"], "驻府院办【2026】3号")
    assert codes(caught.value) == ["docno.taken"]
    # Another office typing the same number is refused too: numbers are unique everywhere.
    with pytest.raises(ValidationError) as caught:
        actions.reserve_number(world.users["a_office"], world.mechanisms["a"], "驻府院办(2026)3号")
    assert codes(caught.value) == ["docno.taken"]
    assert DocumentNumber.objects.count() == 1


def test_the_database_refuses_a_duplicate_number(world: World) -> None:
    first = actions.reserve_number(
        world.users["city_office"], world.mechanisms["city"], "驻府院办〔2026〕4号"
    )
    duplicate = DocumentNumber(
        mechanism=first.mechanism,
        number=first.number,
        issuer_code="驻府院办",
        year=2026,
        sequence=4,
        reserved_by=first.reserved_by,
        reserved_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_race_lost_at_the_constraint_is_reported_as_taken(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    actions.reserve_number(
        world.users["city_office"], world.mechanisms["city"], "驻府院办〔2026〕5号"
    )
    # Simulate the other office's insert landing between our check and our write.
    monkeypatch.setattr(
        DocumentNumber.objects, "filter", lambda **kw: DocumentNumber.objects.none()
    )
    with pytest.raises(ValidationError) as caught:
        actions.reserve_number(
            world.users["city_office"], world.mechanisms["city"], "驻府院办〔2026〕5号"
        )
    assert codes(caught.value) == ["docno.taken"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("驻府院办〔2026〕03号", "docno.leading_zero"),
        ("驻府院办〔2026〕第3号", "docno.format"),
        ("驻府院办〔2026〕3", "docno.format"),
    ],
)
def test_malformed_numbers_are_refused_with_their_code(world: World, raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.reserve_number(world.users["city_office"], world.mechanisms["city"], raw)
    assert codes(caught.value) == [code]


@pytest.mark.parametrize("name", ["hrss_liaison", "a_office", "city_leader", "court_staff"])
def test_only_the_mechanisms_office_keeps_its_register(world: World, name: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.reserve_number(world.users[name], world.mechanisms["city"], "驻府院办〔2026〕6号")


def test_a_free_number_can_be_released_and_reserved_again(world: World) -> None:
    office = world.users["city_office"]
    number = actions.reserve_number(office, world.mechanisms["city"], "驻府院办〔2026〕7号")
    actions.release_number(office, number)
    assert not DocumentNumber.objects.exists()
    assert actions.reserve_number(office, world.mechanisms["city"], "驻府院办〔2026〕7号").pk
