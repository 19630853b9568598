"""Periodic jobs: a registry apps fill in AppConfig.ready, a single-instance lock, a tick that
enqueues each due job's django-tasks task, and the reaper for tasks left running by a dead
worker. django-tasks-db runs queued tasks but schedules nothing (ARCHITECTURE.md, "Background
work"), hence this small module; `fuyuan scheduler` drives it.

Jobs must be idempotent: the last-run times live in the shared database cache, so a lost update
or a second scheduler at worst enqueues a job twice, which does no harm.
"""

from __future__ import annotations

import datetime
import fcntl
import logging
import os
import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger(__name__)

CACHE_PREFIX = "fuyuan:scheduler:last:"
# Written at every tick: the readiness check (ops) reads how long ago a scheduler last ticked.
HEARTBEAT_KEY = "fuyuan:scheduler:heartbeat"
# pg_try_advisory_lock takes a bigint; derive a stable one from a name.
LOCK_NAME = "fuyuan.scheduler"


@dataclass(frozen=True)
class Job:
    """A periodic job: enqueue the task at `task_path` every `every`, or daily at `at`."""

    name: str
    task_path: str
    every: datetime.timedelta | None = None
    at: datetime.time | None = None

    def is_due(self, last_run: datetime.datetime | None, now: datetime.datetime) -> bool:
        if self.every is not None:
            return last_run is None or now - last_run >= self.every
        assert self.at is not None
        local_now = timezone.localtime(now)
        slot = timezone.make_aware(datetime.datetime.combine(local_now.date(), self.at))
        return local_now >= slot and (last_run is None or last_run < slot)


_REGISTRY: dict[str, Job] = {}


def register(
    name: str,
    task_path: str,
    *,
    every: datetime.timedelta | None = None,
    at: datetime.time | str | None = None,
) -> Job:
    """Register (or replace) a periodic job. `at` may be "HH:MM" local time."""
    if (every is None) == (at is None):
        raise ValueError("a job runs either every <interval> or daily at <time>")
    if isinstance(at, str):
        at = datetime.time.fromisoformat(at)
    job = Job(name=name, task_path=task_path, every=every, at=at)
    _REGISTRY[name] = job
    return job


def registered() -> list[Job]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def last_runs() -> dict[str, datetime.datetime]:
    found = cache.get_many([CACHE_PREFIX + job.name for job in _REGISTRY.values()])
    return {key.removeprefix(CACHE_PREFIX): value for key, value in found.items()}


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; return the names enqueued. A job whose task cannot be
    enqueued is logged and retried at the next tick (its last-run time is not moved)."""
    now = now or timezone.now()
    cache.set(
        HEARTBEAT_KEY,
        {"at": timezone.now(), "host": socket.gethostname(), "pid": os.getpid()},
        timeout=None,
    )
    done = last_runs()
    enqueued: list[str] = []
    for job in registered():
        if not job.is_due(done.get(job.name), now):
            continue
        try:
            import_string(job.task_path).enqueue()
        except Exception:
            logger.exception("scheduler: could not enqueue %s", job.name)
            continue
        cache.set(CACHE_PREFIX + job.name, now, timeout=None)
        enqueued.append(job.name)
    return enqueued


# --- one instance at a time -----------------------------------------------------------------


class AlreadyRunning(Exception):
    """Another scheduler holds the lock."""


def _lock_key() -> int:
    return zlib.crc32(LOCK_NAME.encode()) - 2**31


@contextmanager
def single_instance() -> Iterator[None]:
    """Hold the scheduler lock for the block or raise AlreadyRunning. PostgreSQL: a session
    advisory lock on a connection of its own (released if the process dies); SQLite: an
    exclusive flock on a file under VAR_DIR (released by the kernel when the process dies)."""
    if connection.vendor == "postgresql":
        raw: Any = connection.get_new_connection(connection.get_connection_params())
        try:
            raw.autocommit = True
            with raw.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key()])
                if not cursor.fetchone()[0]:
                    raise AlreadyRunning(LOCK_NAME)
            yield
        finally:
            raw.close()  # ends the session, which releases the advisory lock
        return
    path = Path(settings.VAR_DIR) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(str(path)) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor drops the flock


# --- the reaper -------------------------------------------------------------------------------


def reap_stale_tasks(
    stale_after: datetime.timedelta | None = None, now: datetime.datetime | None = None
) -> int:
    """Return tasks left RUNNING longer than `stale_after` (a worker killed mid-task never
    marks them finished) to the queue: READY, worker ids and start time cleared. Safe because
    every task is idempotent. Returns how many were requeued."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if stale_after is None:
        stale_after = datetime.timedelta(
            seconds=getattr(settings, "FUYUAN_TASK_STALE_AFTER_SECONDS", 1800)
        )
    cutoff = (now or timezone.now()) - stale_after
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).values_list("pk", "task_path", "worker_ids")
    count = 0
    for pk, task_path, workers in list(stale):
        # The status condition makes a task that finished meanwhile stay finished.
        count += DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ).update(status=TaskResultStatus.READY, started_at=None, worker_ids=[])
        logger.warning("reaper: requeued %s (%s) left running by %s", pk, task_path, workers)
    return count


@task()
def reap_stale_tasks_task() -> int:
    return reap_stale_tasks()


register(
    "core.reap_stale_tasks",
    "fuyuan.core.scheduler.reap_stale_tasks_task",
    every=datetime.timedelta(minutes=5),
)
