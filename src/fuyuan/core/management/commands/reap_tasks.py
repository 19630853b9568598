"""`fuyuan reap_tasks`: return tasks left running by a dead worker to the queue."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fuyuan.core.scheduler import reap_stale_tasks


class Command(BaseCommand):
    help = "Requeue tasks that have been running longer than the stale timeout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds (default FUYUAN_TASK_STALE_AFTER_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["older_than"]
        stale_after = datetime.timedelta(seconds=seconds) if seconds is not None else None
        self.stdout.write(f"requeued {reap_stale_tasks(stale_after)} stale task(s)")
