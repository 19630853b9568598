"""The daily job: queue the meetings warnings in the office's inbox (idempotent through the
outbox key: one message per warning, office user and day it concerns)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from fuyuan.core import scheduler
from fuyuan.notify.outbox import notify
from fuyuan.org.models import Mechanism

from .actions import office_users
from .warnings import warnings_for


def send_warnings(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    mechanisms = list(Mechanism.objects.select_related("jurisdiction"))
    queued = 0
    for warning in warnings_for(mechanisms, today):
        recipients = office_users(warning.mechanism)
        if warning.kind == "minutes_late":
            ref_kind, ref_id = "meetings.meeting", warning.meeting.pk
            url = reverse("meetings:meeting_detail", args=[warning.meeting.pk])
            due = today  # repeat daily until issued
        else:
            ref_kind, ref_id = "org.mechanism", warning.mechanism.pk
            url = reverse("meetings:meeting_list")
            # Once a month is enough for the plenary reminder.
            due = today.replace(day=1)
        queued += notify(
            ref_kind=ref_kind,
            ref_id=ref_id,
            kind=f"meetings.{warning.kind}",
            due_date=due,
            recipients=recipients,
            subject=warning.text,
            url=url,
        )
    return queued


@task()
def send_warnings_task() -> int:
    return send_warnings()


scheduler.register(
    "meetings.warnings", "fuyuan.meetings.jobs.send_warnings_task", at=datetime.time(8, 30)
)
