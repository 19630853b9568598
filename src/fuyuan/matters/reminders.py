"""Automatic reminders (the daily job): before the deadline (default 7, 3 and 1 days), overdue
(the day after, then weekly), overdue to sign for, and report late — to the handler, the unit
leader in charge, the lead unit's liaison officers and the supervising leader. The logic lives
here; `notify` only delivers. Idempotent: each reminder is keyed by (matter, kind, the date it
concerns, recipient, channel) in the outbox, so running the job twice, or on two workers, or
catching up after a day the scheduler was down, sends each reminder once.

MattersConfig.ready imports this module, which registers the job with the scheduler."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from fuyuan.core import scheduler
from fuyuan.notify.channels import enabled_channels
from fuyuan.notify.outbox import notify

from . import workflow as wf
from .models import Matter, TimelineEntry

REF_KIND = "matters.matter"
# Days allowed to sign for a matter whose sign-for deadline is empty.
DEFAULT_SIGN_DAYS = 3
REPEAT_EVERY_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    kind: str
    due_date: datetime.date
    subject: str


def before_offset(
    deadline: datetime.date, today: datetime.date, offsets: Iterable[int]
) -> int | None:
    """The reminder point (days before the deadline) reached most recently, if any: with
    offsets 7, 3, 1 and 5 days left, 7 (sent once, when 7 were left or on catching up)."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    reached = [n for n in offsets if n >= days_left]
    return min(reached) if reached else None


def late_point(due: datetime.date, today: datetime.date) -> datetime.date | None:
    """For something due on `due` and not done: the day after, then every week after that —
    the most recent such day up to today (None while not late)."""
    if today <= due:
        return None
    days = (today - due).days
    return due + datetime.timedelta(days=1 + REPEAT_EVERY_DAYS * ((days - 1) // REPEAT_EVERY_DAYS))


def reminders_for(
    matter: Matter, today: datetime.date, offsets: Iterable[int], assigned_on: datetime.date | None
) -> list[Reminder]:
    found: list[Reminder] = []
    title = matter.title
    if matter.state == wf.ASSIGNED:
        sign_due = matter.sign_deadline or (
            (assigned_on or matter.start_date) + datetime.timedelta(days=DEFAULT_SIGN_DAYS)
        )
        point = late_point(sign_due, today)
        if point is not None:
            found.append(
                Reminder(
                    "overdue_to_sign",
                    point,
                    _("Not signed for since %(date)s: %(title)s")
                    % {"date": sign_due.isoformat(), "title": title},
                )
            )
    n = before_offset(matter.deadline, today, offsets)
    if n is not None:
        days_left = (matter.deadline - today).days
        found.append(
            Reminder(
                f"reminder_before_{n}",
                matter.deadline,
                _("Due on %(date)s (%(days)s days left): %(title)s")
                % {"date": matter.deadline.isoformat(), "days": days_left, "title": title},
            )
        )
    point = late_point(matter.deadline, today)
    if point is not None:
        found.append(
            Reminder(
                "overdue",
                point,
                _("Overdue since %(date)s (%(days)s days): %(title)s")
                % {
                    "date": matter.deadline.isoformat(),
                    "days": (today - matter.deadline).days,
                    "title": title,
                },
            )
        )
    if matter.next_feedback_due is not None:
        point = late_point(matter.next_feedback_due, today)
        if point is not None:
            found.append(
                Reminder(
                    "report_late",
                    point,
                    _("Progress report was due on %(date)s: %(title)s")
                    % {"date": matter.next_feedback_due.isoformat(), "title": title},
                )
            )
    return found


def matter_url(matter: Matter) -> str:
    try:
        return reverse("matters:matter_detail", kwargs={"pk": matter.pk})
    except NoReverseMatch:
        return ""


def _unit_contacts(unit_ids: set[int], today: datetime.date) -> dict[int, list[Any]]:
    from fuyuan.accounts.models import Role, RoleAssignment

    contacts: dict[int, list[Any]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.active_on(today)
        .filter(unit_id__in=sorted(unit_ids), role__in=[Role.LIAISON, Role.COURT])
        .select_related("user__person")
    )
    for row in rows:
        if row.unit_id is not None:
            contacts[row.unit_id].append(row.user)
    return contacts


def recipients_of(matter: Matter, contacts: dict[int, list[Any]]) -> list[Any]:
    people: list[Any] = [matter.handler, matter.unit_leader, *contacts.get(matter.lead_unit_id, [])]
    leader = matter.supervising_leader
    if leader is not None:
        people.append(getattr(leader, "user", None))
    return [u for u in people if u is not None and u.is_active]


def queue_reminders(today: datetime.date | None = None) -> int:
    """Queue every reminder due today for running matters; returns how many outbox and inbox
    messages were newly queued (0 when the job already ran today)."""
    today = today or timezone.localdate()
    offsets = tuple(settings.FUYUAN_REMINDER_OFFSETS)
    channels = enabled_channels()
    assigned_on = (
        TimelineEntry.objects.filter(matter=OuterRef("pk"), to_state=wf.ASSIGNED)
        .order_by("-at")
        .values("at")[:1]
    )
    matters = (
        Matter.objects.filter(state__in=wf.RUNNING_STATES)
        .select_related("handler__person", "unit_leader__person", "supervising_leader__user")
        .annotate(assigned_at=Subquery(assigned_on))
        .order_by("pk")
    )
    queued = 0
    with translation.override(settings.LANGUAGE_CODE):
        batch = list(matters)
        contacts = _unit_contacts({m.lead_unit_id for m in batch}, today)
        for matter in batch:
            assigned = getattr(matter, "assigned_at", None)
            assigned_day = timezone.localtime(assigned).date() if assigned else None
            found = reminders_for(matter, today, offsets, assigned_day)
            if not found:
                continue
            people = recipients_of(matter, contacts)
            for reminder in found:
                queued += notify(
                    ref_kind=REF_KIND,
                    ref_id=matter.pk,
                    kind=reminder.kind,
                    due_date=reminder.due_date,
                    recipients=people,
                    subject=reminder.subject[:200],
                    url=matter_url(matter),
                    channels=channels,
                )
    return queued


@task()
def send_reminders() -> int:
    """The daily job: queue today's reminders, then ask for delivery."""
    from fuyuan.notify.tasks import deliver_notifications

    queued = queue_reminders()
    if queued:
        deliver_notifications.enqueue()
    return queued


scheduler.register(
    "matters.reminders",
    "fuyuan.matters.reminders.send_reminders",
    at=settings.FUYUAN_REMINDER_TIME,
)
