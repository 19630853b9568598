"""Working-day arithmetic on the office's calendar table (CalendarDay, CalendarYear).

Placeholder contract for the [matters] calendar work: `add_working_days` and
`is_working_day` raise CalendarMissing for a year the table does not hold.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _


class CalendarMissing(LookupError):
    """The calendar has no data for this year: refuse rather than guess."""

    code = "calendar.year_missing"

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = _(
            "The working-day calendar has no data for %(year)d yet. The office must enter "
            "that year's holiday arrangement first."
        ) % {"year": year}
        super().__init__(self.message)


def _year_days(year: int) -> tuple[set[datetime.date], set[datetime.date]]:
    from .models import CalendarDay, CalendarYear

    if not CalendarYear.objects.filter(year=year).exists():
        raise CalendarMissing(year)
    holidays: set[datetime.date] = set()
    workdays: set[datetime.date] = set()
    for day, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
        (holidays if kind == "holiday" else workdays).add(day)
    return holidays, workdays


def is_working_day(day: datetime.date) -> bool:
    holidays, workdays = _year_days(day.year)
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
