"""`fuyuan load_demo_exchange [--if-empty] [--show-tokens]`: the data-exchange demo on top of the
org demo (`fuyuan load_demo`) and the litigation and enforcement demos (`fuyuan
load_demo_litigation`, `fuyuan load_demo_enforcement`): five system clients with their tokens,
access grants of the court's datasets in every state, the pull log of the last weeks, the
court system's pushed batches, a file dropped through the gateway and an export package. See
`fuyuan.demo.exchange` for what is written how.

The tokens are shown only with `--show-tokens` (to try the API against the demo); they are
random, everything else is deterministic for a given day.
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
        "Load demo system clients, access grants, the pull log, pushed batches, a file drop and "
        "an export package (needs `fuyuan load_demo`, `load_demo_litigation` and "
        "`load_demo_enforcement`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any system client exists already.",
        )
        parser.add_argument(
            "--show-tokens",
            action="store_true",
            help="Print the usable tokens of the demo clients (shown once; only hashes are kept).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fuyuan.core.importing import ImportFileError
        from fuyuan.demo.exchange import DemoError, ExchangeDemo
        from fuyuan.enforcement.models import DebtorRecord
        from fuyuan.exchange.models import ApiClient
        from fuyuan.exchange.packages import PackageError
        from fuyuan.litigation.models import AdminCase

        if ApiClient.objects.exists():
            if options["if_empty"]:
                self.stdout.write("System clients exist already; the exchange demo was not loaded.")
                return
            raise CommandError(
                "The database holds system clients already: the exchange demo loads only into a "
                "database without clients (use --if-empty to skip quietly)."
            )
        if not AdminCase.objects.exists() or not DebtorRecord.objects.exists():
            raise CommandError(
                "The litigation and enforcement demos are missing: run `fuyuan load_demo`, "
                "`fuyuan load_demo_litigation` and `fuyuan load_demo_enforcement` first."
            )
        started = time.monotonic()
        today = timezone.localdate()
        calendar.seed_from_package(
            sorted({today.year - 1, today.year, today.year + 1}), provisional=True
        )
        try:
            with transaction.atomic():
                demo = ExchangeDemo(today)
                counts = demo.load()
        except (DemoError, ValidationError, PermissionDenied, ImportFileError, PackageError) as exc:
            raise CommandError(f"The exchange demo could not be loaded: {exc}") from exc
        summary = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(f"Exchange demo loaded in {time.monotonic() - started:.1f}s: {summary}.")
        if options["show_tokens"]:
            for name, token in demo.tokens.items():
                self.stdout.write(f"{name}: {token}")
        else:
            self.stdout.write("Tokens are not shown (--show-tokens prints them).")
