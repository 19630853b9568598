"""Working-day arithmetic on the office's calendar table (CalendarDay, CalendarYear).

Placeholder contract for the [matters] calendar work: `add_working_days` and
`is_working_day` raise CalendarMissing for a year the table does not hold.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
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


# Chinese names of the holidays chinesecalendar reports in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def seed_from_package(years: list[int], source: str = "chinesecalendar") -> int:
    """Load the holiday arrangement of `years` from the chinesecalendar package into the
    calendar table (idempotent); a year the package does not know is skipped. Returns the
    number of years loaded."""
    import chinese_calendar

    from .models import CalendarDay, CalendarYear

    loaded = 0
    for year in years:
        day = datetime.date(year, 1, 1)
        rows: list[CalendarDay] = []
        try:
            while day.year == year:
                working = chinese_calendar.is_workday(day)
                if day.weekday() < 5 and not working:
                    _, name = chinese_calendar.get_holiday_detail(day)
                    rows.append(
                        CalendarDay(
                            date=day, kind="holiday", name=HOLIDAY_NAMES.get(name, name or ""),
                            source=source,
                        )
                    )
                elif day.weekday() >= 5 and working:
                    rows.append(CalendarDay(date=day, kind="workday", name="调休上班", source=source))
                day += datetime.timedelta(days=1)
        except NotImplementedError:
            continue
        now = timezone.now()
        for row in rows:
            row.created_at = row.updated_at = now
        CalendarDay.objects.filter(date__year=year, source=source).delete()
        existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
        CalendarDay.objects.bulk_create([r for r in rows if r.date not in existing])
        CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
        loaded += 1
    return loaded
