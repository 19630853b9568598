"""The daily job of the litigation app, registered with the scheduler when the app loads:
hearing reminders and automatic confirmation of head-appearance records (actions), urging
overdue recommendation replies (recommendation_actions), and loss-risk warnings (figures).
Each step is idempotent (outbox keys, unique warnings), so a second run changes nothing."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from fuyuan.core import scheduler


def run_daily(today: datetime.date | None = None) -> dict[str, int]:
    from . import actions, figures, recommendation_actions

    today = today or timezone.localdate()
    return {
        "hearing_reminders": actions.send_hearing_reminders(today),
        "auto_confirmed": actions.auto_confirm_appearances(today),
        "replies_urged": recommendation_actions.urge_overdue_replies(today),
        "loss_risk_warnings": figures.raise_loss_risk_warnings(today),
    }


@task()
def run_daily_task() -> dict[str, int]:
    from fuyuan.notify.tasks import deliver_notifications

    result = run_daily()
    deliver_notifications.enqueue()
    return result


scheduler.register(
    "litigation.daily", "fuyuan.litigation.jobs.run_daily_task", at=datetime.time(8, 15)
)
