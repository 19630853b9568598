"""`fuyuan scheduler`: the single instance that enqueues periodic jobs (`--once` for one tick,
e.g. from cron or a test). A second instance waits as a standby until the lock is free."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from fuyuan.core import scheduler


class Command(BaseCommand):
    help = "Enqueue periodic jobs when they are due (one instance at a time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between ticks (default FUYUAN_SCHEDULER_TICK_SECONDS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or settings.FUYUAN_SCHEDULER_TICK_SECONDS
        if options["once"]:
            try:
                with scheduler.single_instance():
                    self._tick()
            except scheduler.AlreadyRunning:
                self.stderr.write("another scheduler is running; nothing done")
            return
        names = ", ".join(job.name for job in scheduler.registered())
        self.stdout.write(f"scheduler: jobs {names}")
        while True:
            try:
                with scheduler.single_instance():
                    self.stdout.write("scheduler: holding the lock")
                    while True:
                        close_old_connections()
                        self._tick()
                        time.sleep(interval)
            except scheduler.AlreadyRunning:
                # Standby: take over when the running instance goes away.
                time.sleep(interval)

    def _tick(self) -> None:
        for name in scheduler.tick():
            self.stdout.write(f"enqueued {name}")
