"""The calendar table is seeded from chinesecalendar; 2026's National Day and its 调休."""

import datetime

import pytest

from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay


@pytest.mark.django_db
def test_seed_2026_and_refuse_2027():
    assert calendar.seed_from_package([2026, 2027]) == 1
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 1)).name == "国庆节"
    assert not calendar.is_working_day(datetime.date(2026, 10, 1))
    assert calendar.is_working_day(datetime.date(2026, 9, 30))
    with pytest.raises(calendar.CalendarMissing) as exc:
        calendar.is_working_day(datetime.date(2027, 1, 4))
    assert "2027" in exc.value.message
    assert calendar.seed_from_package([2026]) == 1  # idempotent
    assert CalendarDay.objects.filter(date__year=2026, name="国庆节").count() >= 5
