"""`fuyuan load_demo_assessment [--if-empty]`: the demo year's assessment of the city's joint
meeting, scored from the other demos' records (see `fuyuan.assessment.demo`). Load it after
`load_demo`, `load_demo_matters`, `load_demo_mechanism`, `load_demo_litigation` and
`load_demo_enforcement`, so the figures have records behind them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone


class Command(BaseCommand):
    help = "Load the demo year's assessment scheme, scored from the demo data (needs the demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any assessment scheme exists already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fuyuan.assessment.demo import AssessmentDemo, DemoError
        from fuyuan.assessment.models import Scheme

        if Scheme.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Assessment schemes exist already; the demo was not loaded.")
                return
            raise CommandError(
                "The database holds assessment schemes already: the assessment demo loads only "
                "into a database without schemes (use --if-empty to skip quietly)."
            )
        try:
            with transaction.atomic():
                counts = AssessmentDemo(timezone.localdate().year).load()
        except (DemoError, ValidationError, PermissionDenied) as exc:
            raise CommandError(f"The assessment demo could not be loaded: {exc}") from exc
        self.stdout.write(
            "Assessment demo loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
