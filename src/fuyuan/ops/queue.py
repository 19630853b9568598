"""What the queue page shows: tasks per queue and state, the oldest waiting task, running and
stale tasks, recent failures, and the scheduler's jobs with their last and next run."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actions import last_line

STATUS_LABELS = {
    "READY": gettext_lazy("Queued"),
    "RUNNING": gettext_lazy("Running"),
    "FAILED": gettext_lazy("Failed"),
    "SUCCESSFUL": gettext_lazy("Succeeded"),
}
RECENT_FAILURES = 20
RUNNING_SHOWN = 50


@dataclass(frozen=True)
class JobRow:
    name: str
    task_path: str
    schedule: str
    last_run: datetime.datetime | None
    next_due: datetime.datetime | None
    overdue: bool


def next_due(job: Any, last_run: datetime.datetime | None, now: datetime.datetime) -> Any:
    """When the scheduler will next enqueue `job` (None: at its next tick)."""
    if job.every is not None:
        return None if last_run is None else last_run + job.every
    local_now = timezone.localtime(now)
    slot = timezone.make_aware(datetime.datetime.combine(local_now.date(), job.at))
    if local_now >= slot and (last_run is None or last_run < slot):
        return slot  # due today and not yet run
    if local_now < slot:
        return slot
    return timezone.make_aware(
        datetime.datetime.combine(local_now.date() + datetime.timedelta(days=1), job.at)
    )


def jobs(now: datetime.datetime) -> list[JobRow]:
    from fuyuan.core import scheduler

    done = scheduler.last_runs()
    tick = datetime.timedelta(seconds=settings.FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS)
    rows = []
    for job in scheduler.registered():
        last = done.get(job.name)
        due = next_due(job, last, now)
        if job.every is not None:
            seconds = int(job.every.total_seconds())
            schedule = (
                _("every %(n)s s") % {"n": seconds}
                if seconds % 60
                else _("every %(n)s min") % {"n": seconds // 60}
            )
        else:
            schedule = _("daily at %(time)s") % {"time": f"{job.at:%H:%M}"}
        rows.append(
            JobRow(
                name=job.name,
                task_path=job.task_path,
                schedule=schedule,
                last_run=last,
                next_due=due,
                overdue=due is not None and now - due > tick,
            )
        )
    return rows


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FUYUAN_TASK_STALE_AFTER_SECONDS)


def overview(now: datetime.datetime | None = None) -> dict[str, Any]:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    rows = DBTaskResult.objects.all()
    by_queue: dict[str, dict[str, int]] = {}
    for item in rows.values("queue_name", "status").annotate(n=Count("pk")).order_by():
        by_queue.setdefault(item["queue_name"], {})[item["status"]] = item["n"]
    statuses = [status for status, _label in TaskResultStatus.choices]
    waiting = rows.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now)
    )
    oldest = {
        item["queue_name"]: item["oldest"]
        for item in waiting.values("queue_name").annotate(oldest=Min("enqueued_at")).order_by()
    }
    queues = [
        {
            "name": name,
            "counts": [by_queue[name].get(status, 0) for status in statuses],
            "oldest_waiting": oldest.get(name),
            "oldest_age": (now - oldest[name]) if name in oldest else None,
        }
        for name in sorted(by_queue)
    ]
    cutoff = now - stale_after()
    running = [
        {
            "id": row.pk,
            "task_path": row.task_path,
            "queue_name": row.queue_name,
            "started_at": row.started_at,
            "running_for": (now - row.started_at) if row.started_at else None,
            "worker": (row.worker_ids or [""])[-1],
            "stale": row.started_at is not None and row.started_at < cutoff,
        }
        for row in rows.filter(status=TaskResultStatus.RUNNING).order_by("started_at")[
            :RUNNING_SHOWN
        ]
    ]
    failures = [
        {
            "id": row.pk,
            "task_path": row.task_path,
            "queue_name": row.queue_name,
            "finished_at": row.finished_at,
            "exception": row.exception_class_path,
            "error": last_line(row.traceback),
        }
        for row in rows.filter(status=TaskResultStatus.FAILED)
        .only("pk", "task_path", "queue_name", "finished_at", "exception_class_path", "traceback")
        .order_by("-finished_at")[:RECENT_FAILURES]
    ]
    return {
        "now": now,
        "statuses": statuses,
        "status_labels": [STATUS_LABELS.get(status, status) for status in statuses],
        "queues": queues,
        "running": running,
        "stale_count": sum(1 for row in running if row["stale"]),
        "stale_after_seconds": settings.FUYUAN_TASK_STALE_AFTER_SECONDS,
        "failures": failures,
        "jobs": jobs(now),
    }
