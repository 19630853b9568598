"""`fuyuan calendar seed [YEAR ...]` loads years the table lacks from the chinesecalendar
package; `fuyuan calendar show YEAR` prints a year's holidays and 调休 working days.

The command only adds years the table does not hold yet: no deadline can have been computed
across such a year, so nothing needs recomputing. Changing a known year is the office's work
on the calendar page, which audits the change and recomputes the deadlines it moves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "Seed the working-day calendar from the chinesecalendar package, or show a year."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        seed = sub.add_parser(
            "seed", help="load years from the package (default: this year and the next two)"
        )
        seed.add_argument("years", nargs="*", type=int)
        show = sub.add_parser("show", help="print a year's holidays and worked weekend days")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "seed":
            self.seed(options["years"])
        else:
            self.show(options["year"])

    def seed(self, years: list[int]) -> None:
        if not years:
            this_year = timezone.localdate().year
            years = [this_year, this_year + 1, this_year + 2]
        known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        for year in years:
            if year in known:
                self.stdout.write(
                    f"{year}: already in the calendar, left unchanged (edit it on the "
                    "calendar page, which recomputes the deadlines it affects)"
                )
                continue
            written = calendar.seed_year(year)
            if written is None:
                self.stdout.write(
                    self.style.WARNING(
                        f"{year}: skipped — the installed chinesecalendar package has no data "
                        "for this year. The State Council publishes each year's arrangement "
                        "in the autumn before: enter it on the calendar page "
                        "(/matters/calendar/) or upgrade the package."
                    )
                )
                continue
            self.stdout.write(self.style.SUCCESS(f"{year}: loaded {written} days"))

    def show(self, year: int) -> None:
        entry = CalendarYear.objects.filter(year=year).first()
        if entry is None:
            raise CommandError(calendar.CalendarMissing(year).message)
        self.stdout.write(
            f"{year} (source: {entry.source}){f' — {entry.note}' if entry.note else ''}"
        )
        for day in CalendarDay.objects.filter(date__year=year).order_by("date"):
            kind = "holiday" if day.kind == "holiday" else "working"
            self.stdout.write(
                f"  {day.date.isoformat()} {day.date:%a}  {kind:8} {day.name}"
                f"{f'  [{day.source}]' if day.source else ''}"
            )
        # Counting starts the day after `a`, so only days of `year` are read.
        working = calendar.working_days_between(
            datetime.date(year - 1, 12, 31), datetime.date(year, 12, 31)
        )
        self.stdout.write(f"working days in {year}: {working}")
