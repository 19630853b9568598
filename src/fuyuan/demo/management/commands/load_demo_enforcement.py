"""`fuyuan load_demo_enforcement [--if-empty]`: the enforcement-linkage demo on top of the org
demo (`fuyuan load_demo`): the court's debtor list (imported as the court's file), checks by
departments with their feedback, government-debtor and livelihood cases with payments,
point-to-point inquiries, bankruptcy cases with coordination items, queries and the cost
fund, and major-risk events with the stalled-housing ledger. Each area's module in
`fuyuan.demo` says what it writes and how.

Dates are relative to today; random choices use fixed seeds, so the same day gives the same
demo.
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
        "Load the demo debtor list, checks and feedback, government-debtor cases, inquiries, "
        "bankruptcy cases and the cost fund, and risk events (needs `fuyuan load_demo`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the debtor list holds entries already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fuyuan.demo import (
            bankruptcy,
            enforcement_cases,
            enforcement_checks,
            enforcement_debtors,
            risks,
        )
        from fuyuan.enforcement.models import DebtorRecord

        if DebtorRecord.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The debtor list holds entries; the demo was not loaded.")
                return
            raise CommandError(
                "The debtor list holds entries already: this demo loads only into an empty "
                "list (use --if-empty to skip quietly)."
            )
        started = time.monotonic()
        today = timezone.localdate()
        calendar.seed_from_package(
            sorted({today.year - 1, today.year, today.year + 1}), provisional=True
        )
        counts: dict[str, int] = {}
        try:
            with transaction.atomic():
                for area in (
                    enforcement_debtors,
                    enforcement_checks,
                    enforcement_cases,
                    bankruptcy,
                    risks,
                ):
                    counts.update(area.load(today))
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(f"The enforcement demo could not be loaded: {exc}") from exc
        summary = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(
            f"Enforcement demo loaded in {time.monotonic() - started:.1f}s: {summary}."
        )
