"""The daily job of the bankruptcy app: urge the departments of information queries past
their due date (actions.urge_overdue_queries). Idempotent through `last_urged_on` and the
outbox keys."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from fuyuan.core import scheduler


def run_daily(today: datetime.date | None = None) -> dict[str, int]:
    from . import actions

    today = today or timezone.localdate()
    return {"queries_urged": actions.urge_overdue_queries(today)}


@task()
def run_daily_task() -> dict[str, int]:
    from fuyuan.notify.tasks import deliver_notifications

    result = run_daily()
    deliver_notifications.enqueue()
    return result


scheduler.register(
    "bankruptcy.daily", "fuyuan.bankruptcy.jobs.run_daily_task", at=datetime.time(8, 25)
)
