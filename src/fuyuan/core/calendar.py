"""Working-day arithmetic on the office's calendar table (CalendarDay, CalendarYear).

China moves working days around public holidays (调休), and the State Council publishes each
year's arrangement only the autumn before. So the arrangement lives in a table the office can
edit, seeded from the `chinesecalendar` package, and a year the table does not hold is an
error (CalendarMissing), never a guess from the Monday–Friday week.

Every public function loads each year it needs at most once per call (two queries a year);
`cached()` widens that to a whole block of work, e.g. recomputing many deadlines.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Iterator

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


class WorkingCalendar:
    """The calendar table as read once: each year's holidays and 调休 working days, loaded on
    first use. Not shared between requests (the office may edit the table at any time)."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[frozenset[datetime.date], frozenset[datetime.date]]] = {}

    def year_days(self, year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
        """(holidays, worked weekend days) of `year`; CalendarMissing if the year is unknown."""
        cached = self._years.get(year)
        if cached is not None:
            return cached
        from .models import CalendarDay, CalendarDayKind, CalendarYear

        if not CalendarYear.objects.filter(year=year).exists():
            raise CalendarMissing(year)
        holidays: set[datetime.date] = set()
        workdays: set[datetime.date] = set()
        for day, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
            (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
        loaded = (frozenset(holidays), frozenset(workdays))
        self._years[year] = loaded
        return loaded

    def is_working_day(self, day: datetime.date) -> bool:
        holidays, workdays = self.year_days(day.year)
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `start` (start itself not counted); `days`
        working days before `start` when negative."""
        step = datetime.timedelta(days=1 if days >= 0 else -1)
        day = start
        remaining = abs(days)
        while remaining > 0:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, a: datetime.date, b: datetime.date) -> int:
        """Working days after `a` up to and including `b` (negative when `b` is before `a`),
        so that `working_days_between(a, add_working_days(a, n)) == n`."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def forget(self) -> None:
        self._years.clear()


_active: contextvars.ContextVar[WorkingCalendar | None] = contextvars.ContextVar(
    "fuyuan_working_calendar", default=None
)


@contextlib.contextmanager
def cached() -> Iterator[WorkingCalendar]:
    """Within the block, every function of this module shares one WorkingCalendar, so each
    year is read once for the whole block (a recomputation over many matters, an import)."""
    current = _active.get()
    if current is not None:
        yield current
        return
    calendar = WorkingCalendar()
    token = _active.set(calendar)
    try:
        yield calendar
    finally:
        _active.reset(token)


def invalidate() -> None:
    """Forget what the active cached() block has read: the table just changed."""
    current = _active.get()
    if current is not None:
        current.forget()


def _calendar() -> WorkingCalendar:
    return _active.get() or WorkingCalendar()


def is_working_day(day: datetime.date) -> bool:
    return _calendar().is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted)."""
    return _calendar().add_working_days(start, days)


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days after `a` up to and including `b` (negative if `b` is before `a`)."""
    return _calendar().working_days_between(a, b)


def known_years() -> list[int]:
    from .models import CalendarYear

    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


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
WORKDAY_NAME = "调休上班"


def package_year(year: int) -> list[tuple[datetime.date, str, str]] | None:
    """The package's overrides of `year` as (date, kind, name) — holidays on weekdays and
    worked weekend days — or None when the installed package does not know the year."""
    import chinese_calendar

    rows: list[tuple[datetime.date, str, str]] = []
    day = datetime.date(year, 1, 1)
    try:
        while day.year == year:
            working = chinese_calendar.is_workday(day)
            if day.weekday() < 5 and not working:
                _on, name = chinese_calendar.get_holiday_detail(day)
                rows.append((day, "holiday", HOLIDAY_NAMES.get(name, name or "")))
            elif day.weekday() >= 5 and working:
                _on, name = chinese_calendar.get_holiday_detail(day)
                label = HOLIDAY_NAMES.get(name, name or "")
                rows.append((day, "workday", f"{label}{WORKDAY_NAME}" if label else WORKDAY_NAME))
            day += datetime.timedelta(days=1)
    except NotImplementedError:
        return None
    return rows


def seed_year(year: int, source: str = "chinesecalendar") -> int | None:
    """Load one year's arrangement from the package (idempotent: the package's rows of that
    year are replaced, days the office entered by hand are kept) and mark the year known.
    Returns the number of override days written, or None if the package lacks the year."""
    from .models import CalendarDay, CalendarYear

    rows = package_year(year)
    if rows is None:
        return None
    now = timezone.now()
    CalendarDay.objects.filter(date__year=year, source=source).delete()
    existing = set(CalendarDay.objects.filter(date__year=year).values_list("date", flat=True))
    new = [
        CalendarDay(date=day, kind=kind, name=name, source=source, created_at=now, updated_at=now)
        for day, kind, name in rows
        if day not in existing
    ]
    CalendarDay.objects.bulk_create(new)
    CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
    invalidate()
    return len(new)


PROVISIONAL = "provisional"


def seed_from_package(
    years: list[int], source: str = "chinesecalendar", *, provisional: bool = False
) -> int:
    """Load the holiday arrangement of `years` from the chinesecalendar package into the
    calendar table (idempotent); a year the package does not know is skipped — or, with
    `provisional` (the demo data only), marked known with weekends alone (source
    "provisional", a note saying so) until the office enters the published arrangement.
    Returns the number of years loaded from the package."""
    from .models import CalendarYear

    loaded = 0
    for year in years:
        if seed_year(year, source) is not None:
            loaded += 1
        elif provisional:
            CalendarYear.objects.get_or_create(
                year=year,
                defaults={
                    "source": PROVISIONAL,
                    "note": "演示数据：该年度节假日安排尚未录入，暂只按周末计。",
                },
            )
            invalidate()
    return loaded
