"""The scheduled brief: every Monday each leader receives last week's brief of the
jurisdiction they lead, computed as that leader sees it (their scope, not the office's), in
the inbox and the work messenger. Idempotent through the outbox key (leader, week)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from fuyuan.accounts.models import Role, RoleAssignment
from fuyuan.audit.record import record
from fuyuan.core import scheduler

from . import brief_docs, figures
from .area import area_from

WEEKDAY = 0  # Monday


def push_weekly_briefs(today: datetime.date | None = None, *, force: bool = False) -> int:
    """On Mondays (or with `force`), queue last week's brief to every leader; returns the
    number of messages newly queued."""
    today = today or timezone.localdate()
    if today.weekday() != WEEKDAY and not force:
        return 0
    last_week = (today - datetime.timedelta(days=7)).isoformat()
    queued = 0
    assignments = (
        RoleAssignment.objects.active_on(today)
        .filter(role=Role.LEADER, user__is_active=True, jurisdiction__isnull=False)
        .select_related("user", "jurisdiction")
        .order_by("pk")
    )
    for assignment in assignments:
        leader = assignment.user
        area = area_from(
            leader,
            {"j": str(assignment.jurisdiction_id), "period": "week", "on": last_week},
            today=today,
        )
        queued += brief_docs.deliver(figures.brief(leader, area), [leader])
    record(None, "dashboard.weekly_briefs", after={"day": today.isoformat(), "queued": queued})
    return queued


@task()
def push_weekly_briefs_task() -> int:
    return push_weekly_briefs()


scheduler.register(
    "dashboard.weekly_brief", "fuyuan.dashboard.jobs.push_weekly_briefs_task", at="08:00"
)
