"""The worker's heartbeat: a periodic job (enqueued by the scheduler) whose run proves that a
worker takes tasks from the queue. Its completion time, the worker's id and the queue delay
go into the shared cache, which the readiness check reads."""

from __future__ import annotations

import datetime
import os
import socket
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django_tasks import TaskContext, task

WORKER_HEARTBEAT_KEY = "fuyuan:ops:worker:heartbeat"


@task(takes_context=True)
def worker_heartbeat(context: TaskContext) -> str:
    now = timezone.now()
    result: Any = context.task_result
    enqueued = getattr(result, "enqueued_at", None)
    delay = (now - enqueued).total_seconds() if isinstance(enqueued, datetime.datetime) else 0.0
    worker_ids = list(getattr(result, "worker_ids", []) or [])
    cache.set(
        WORKER_HEARTBEAT_KEY,
        {
            "at": now,
            "worker": worker_ids[-1] if worker_ids else "",
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "queue_delay_seconds": round(max(delay, 0.0), 3),
        },
        timeout=None,
    )
    return now.isoformat()
