"""Working-day arithmetic on the calendar table: holidays and 调休 weekends as the package
publishes them for 2026, a year without data refused, bounded queries, the seed command."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay, CalendarYear

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FROZEN = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
D = datetime.date


@pytest.fixture
def year_2026(db):
    calendar.seed_year(2026)


@time_machine.travel(FROZEN, tick=False)
def test_five_working_days_from_28_september_cross_national_day_and_end_on_a_worked_saturday(
    year_2026,
):
    # chinesecalendar 1.11: 10-01..10-07 off, 10-08/09 worked, Saturday 10-10 worked (调休).
    assert not calendar.is_working_day(D(2026, 10, 1))
    assert not calendar.is_working_day(D(2026, 10, 7))
    assert calendar.is_working_day(D(2026, 10, 8))
    assert D(2026, 10, 10).weekday() == 5
    assert calendar.is_working_day(D(2026, 10, 10))
    # 09-29, 09-30, 10-08, 10-09, 10-10 (Saturday, worked).
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 9, 28), 6) == D(2026, 10, 12)
    assert calendar.working_days_between(D(2026, 9, 28), D(2026, 10, 10)) == 5
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 28)) == -5


@time_machine.travel(FROZEN, tick=False)
def test_a_worked_sunday_counts_and_the_mid_autumn_friday_does_not(year_2026):
    assert D(2026, 9, 20).weekday() == 6
    # Friday 09-18 + 1 working day: the worked Sunday 09-20, not Monday 09-21.
    assert calendar.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)
    # Thursday 09-24 + 1: Friday 09-25 is 中秋节, the weekend is off → Monday 09-28.
    assert calendar.add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)
    assert CalendarDay.objects.get(date=D(2026, 9, 25)).name == "中秋节"
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).name == "国庆节调休上班"


@time_machine.travel(FROZEN, tick=False)
def test_a_year_without_calendar_data_is_refused_with_its_code(year_2026):
    with pytest.raises(calendar.CalendarMissing) as exc:
        calendar.is_working_day(D(2027, 1, 4))
    assert exc.value.code == "calendar.year_missing"
    assert exc.value.year == 2027
    assert "2027" in exc.value.message
    # A span that runs from a known year into the unknown one is refused too, not guessed.
    with pytest.raises(calendar.CalendarMissing) as exc:
        calendar.add_working_days(D(2026, 12, 28), 10)
    assert exc.value.year == 2027
    with pytest.raises(calendar.CalendarMissing):
        calendar.working_days_between(D(2026, 12, 1), D(2027, 1, 15))


@time_machine.travel(FROZEN, tick=False)
def test_an_office_override_changes_the_count_at_once(year_2026):
    assert calendar.add_working_days(D(2026, 9, 1), 10) == D(2026, 9, 15)
    CalendarDay.objects.create(date=D(2026, 9, 10), kind="holiday", name="test", source="office")
    assert calendar.add_working_days(D(2026, 9, 1), 10) == D(2026, 9, 16)


@time_machine.travel(FROZEN, tick=False)
def test_add_working_days_reads_each_year_once_however_long_the_span(
    year_2026, django_assert_num_queries
):
    calendar.seed_year(2025)
    # 60 working days inside 2026: the year's two queries, not one per day.
    with django_assert_num_queries(2):
        end = calendar.add_working_days(D(2026, 3, 2), 60)
    assert end > D(2026, 5, 1)
    # 200 working days from November 2025 into 2026: two queries a year.
    with django_assert_num_queries(4):
        end = calendar.add_working_days(D(2025, 11, 3), 200)
    assert end.year == 2026
    with django_assert_num_queries(4):
        assert calendar.working_days_between(D(2025, 11, 3), end) == 200


@time_machine.travel(FROZEN, tick=False)
def test_a_cached_block_reads_each_year_once_for_many_calls(year_2026, django_assert_num_queries):
    with django_assert_num_queries(2), calendar.cached():
        for month in range(1, 10):
            calendar.add_working_days(D(2026, month, 1), 15)


@time_machine.travel(FROZEN, tick=False)
def test_seed_command_loads_known_years_and_names_the_years_the_package_lacks(db):
    out = io.StringIO()
    call_command("calendar", "seed", stdout=out)  # default: 2026, 2027, 2028
    text = out.getvalue()
    assert "2026: loaded" in text
    assert "2027: skipped" in text and "2028: skipped" in text
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2026]
    out = io.StringIO()
    call_command("calendar", "seed", "2026", stdout=out)
    assert "2026: already in the calendar" in out.getvalue()
    assert CalendarDay.objects.filter(date__year=2026, name="国庆节").count() == 5


@time_machine.travel(FROZEN, tick=False)
def test_show_command_lists_a_year_and_refuses_an_unknown_one(year_2026):
    out = io.StringIO()
    call_command("calendar", "show", "2026", stdout=out)
    text = out.getvalue()
    assert "2026-10-01" in text and "国庆节" in text
    assert "2026-10-10" in text and "working" in text
    assert "working days in 2026:" in text
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "show", "2027")
    assert "2027" in str(exc.value)
