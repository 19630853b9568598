"""The daily job of the enforcement app: urge departments that have not given feedback on
hits (check_actions) and that have not answered inquiries by their due date
(inquiry_actions). Idempotent through the outbox keys."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from fuyuan.core import scheduler


def run_daily(today: datetime.date | None = None) -> dict[str, int]:
    from . import check_actions, inquiry_actions

    today = today or timezone.localdate()
    return {
        "hits_urged": check_actions.urge_unanswered_hits(today),
        "inquiries_urged": inquiry_actions.urge_overdue_inquiries(today),
    }


@task()
def run_daily_task() -> dict[str, int]:
    from fuyuan.notify.tasks import deliver_notifications

    result = run_daily()
    deliver_notifications.enqueue()
    return result


scheduler.register(
    "enforcement.daily", "fuyuan.enforcement.jobs.run_daily_task", at=datetime.time(8, 20)
)
