"""Base model: Python-side timestamps (visible under frozen time) and optimistic locking."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from fuyuan.accounts.models import Person
from fuyuan.core.models import StaleObjectError

FROZEN = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_timestamps_are_set_in_python_under_frozen_time():
    with time_machine.travel(FROZEN, tick=False):
        person = Person.objects.create(name="甲")
    assert person.created_at == FROZEN
    assert Person.objects.get(pk=person.pk).updated_at == FROZEN


@pytest.mark.django_db
def test_stale_edit_is_reported_not_overwritten():
    person = Person.objects.create(name="甲")
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    first.name = "乙"
    first.save_checked(first.version)
    second.name = "丙"
    with pytest.raises(StaleObjectError):
        second.save_checked(second.version)
    stored = Person.objects.get(pk=person.pk)
    assert stored.name == "乙"
    assert stored.version == 2
    assert stored.updated_at <= timezone.now()
