"""`fuyuan load_demo_litigation [--if-empty]`: two full years and the current year of
administrative litigation on top of the org demo (`fuyuan load_demo`): cases and hearings
imported as the court's export, heads' appearance records, recommendations with replies,
disputes referred for substantive resolution, the court's text of last year's annual report,
then one run of the litigation daily job (reminders, urging, loss-risk warnings). See
`fuyuan.demo.litigation` for what is written how.

Dates are relative to today (timezone.localdate()); the random choices use a fixed seed, so
the same day gives the same demo.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from fuyuan.core import calendar


class Command(BaseCommand):
    help = (
        "Load demo administrative cases, hearings, heads' appearance, recommendations, disputes "
        "and the annual report's text (needs `fuyuan load_demo`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any administrative case exists already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fuyuan.core.importing import ImportFileError
        from fuyuan.demo.litigation import DemoError, LitigationDemo
        from fuyuan.litigation.models import AdminCase

        if AdminCase.objects.exists():
            if options["if_empty"]:
                self.stdout.write(
                    "Administrative cases exist already; the litigation demo was not loaded."
                )
                return
            raise CommandError(
                "The database holds administrative cases already: the litigation demo loads "
                "only into a database without cases (use --if-empty to skip quietly)."
            )
        started = time.monotonic()
        today = timezone.localdate()
        calendar.seed_from_package(
            sorted({today.year - 2, today.year - 1, today.year, today.year + 1}), provisional=True
        )
        try:
            with transaction.atomic():
                counts = LitigationDemo(today).load()
        except (DemoError, ValidationError, PermissionDenied, ImportFileError) as exc:
            raise CommandError(f"The litigation demo could not be loaded: {exc}") from exc
        seconds = time.monotonic() - started
        self.stdout.write(
            "Litigation demo loaded: "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
            + f" ({seconds:.0f} s)"
        )
