"""`fuyuan gen_data --scale city5y|quick|tiny [--seed 2026] [--today YYYY-MM-DD] [--reset]`:
write the deterministic stress-scale data set of fuyuan.demo.scale for the benchmarks.

It needs a database without generated data: it refuses when matters (or jurisdictions)
exist. `--reset` empties the WHOLE database first (Django's `flush`: every table of every
app, not only the generated ones) — meant for a benchmark database; for anything else use a
fresh database instead."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fuyuan.demo.scale import COUNTS, generate
from fuyuan.matters.models import Matter
from fuyuan.org.models import Jurisdiction


class Command(BaseCommand):
    help = "Generate the deterministic stress-scale data set (city5y, quick or tiny)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(COUNTS), required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the five years of data end on (YYYY-MM-DD; default today).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the whole database (every table) before generating.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            self.stdout.write("Emptying the database (flush) …")
            call_command("flush", interactive=False, verbosity=0)
        elif Matter.objects.exists() or Jurisdiction.objects.exists():
            raise CommandError(
                "The database holds data already (matters or jurisdictions): gen_data writes "
                "only into a fresh database. Use a new database, or --reset to empty this one "
                "entirely."
            )
        started = time.perf_counter()
        written = generate(
            options["scale"], seed=options["seed"], today=options["today"], stdout=self.stdout
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Generated scale {options['scale']} (seed {options['seed']}) in {seconds:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in written.items())
        )
