"""Readiness checks: the database answers, every migration is applied, a scheduler ticks and a
worker takes tasks. Each check returns ok/fail and a detail for the system administrator
(never shown to anonymous callers: load balancers see names and ok/fail only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHECK_LABELS = {
    "process": gettext_lazy("Process"),
    "database": gettext_lazy("Database"),
    "migrations": gettext_lazy("Database migrations"),
    "scheduler": gettext_lazy("Scheduler"),
    "worker": gettext_lazy("Background worker"),
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    @property
    def label(self) -> str:
        return str(CHECK_LABELS.get(self.name, self.name))


def _age(value: Any, now: datetime.datetime) -> float | None:
    at = value.get("at") if isinstance(value, dict) else value
    if not isinstance(at, datetime.datetime):
        return None
    return max((now - at).total_seconds(), 0.0)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check(
            "database",
            False,
            _("The database does not answer: %(error)s") % {"error": type(exc).__name__},
        )
    return Check("database", True, connection.vendor)


def unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> Check:
    try:
        pending = unapplied_migrations()
    except Exception as exc:
        return Check("migrations", False, type(exc).__name__)
    if pending:
        return Check(
            "migrations",
            False,
            _("%(count)s migrations not applied, first %(first)s")
            % {"count": len(pending), "first": pending[0]},
        )
    return Check("migrations", True, _("all applied"))


def scheduler_max_silence() -> int:
    return int(settings.FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS)


def worker_max_silence() -> int:
    return int(settings.FUYUAN_WORKER_MAX_SILENCE_SECONDS)


def worker_runs_in_process() -> bool:
    """The immediate backend (tests, `make run` without a worker) runs tasks in the process
    that enqueues them: there is no separate worker to watch."""
    backend = settings.TASKS["default"]["BACKEND"]
    return backend.endswith("ImmediateBackend")


def check_scheduler(now: datetime.datetime | None = None) -> Check:
    from fuyuan.core.scheduler import HEARTBEAT_KEY

    now = now or timezone.now()
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as exc:
        return Check("scheduler", False, type(exc).__name__)
    age = _age(beat, now)
    if age is None:
        return Check("scheduler", False, _("no scheduler has ticked yet"))
    if age > scheduler_max_silence():
        return Check(
            "scheduler",
            False,
            _("last tick %(seconds)s s ago (limit %(limit)s s)")
            % {"seconds": int(age), "limit": scheduler_max_silence()},
        )
    return Check("scheduler", True, _("last tick %(seconds)s s ago") % {"seconds": int(age)})


def check_worker(now: datetime.datetime | None = None) -> Check:
    from .tasks import WORKER_HEARTBEAT_KEY

    if worker_runs_in_process():
        return Check("worker", True, _("tasks run in the web process (immediate backend)"))
    now = now or timezone.now()
    try:
        beat = cache.get(WORKER_HEARTBEAT_KEY)
    except Exception as exc:
        return Check("worker", False, type(exc).__name__)
    age = _age(beat, now)
    if age is None:
        return Check("worker", False, _("no worker has run the heartbeat task yet"))
    if age > worker_max_silence():
        return Check(
            "worker",
            False,
            _("last heartbeat %(seconds)s s ago (limit %(limit)s s)")
            % {"seconds": int(age), "limit": worker_max_silence()},
        )
    return Check("worker", True, _("last heartbeat %(seconds)s s ago") % {"seconds": int(age)})


def readiness(now: datetime.datetime | None = None) -> list[Check]:
    """Every readiness check; after a failed database check the others are reported failed
    without being tried (each would only wait for the same database)."""
    database = check_database()
    if not database.ok:
        skipped = _("not checked: the database does not answer")
        return [database] + [
            Check(name, False, skipped) for name in ("migrations", "scheduler", "worker")
        ]
    return [database, check_migrations(), check_scheduler(now), check_worker(now)]


def heartbeats() -> dict[str, Any]:
    """The raw heartbeats for the queue page."""
    from fuyuan.core.scheduler import HEARTBEAT_KEY

    from .tasks import WORKER_HEARTBEAT_KEY

    return {
        "scheduler": cache.get(HEARTBEAT_KEY),
        "worker": cache.get(WORKER_HEARTBEAT_KEY),
    }
