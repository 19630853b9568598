"""Computed warnings for the office: minutes not issued within the mechanism's limit of
working days after the meeting, and no plenary held or scheduled in the current year."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.core import calendar

from . import workflow as wf
from .models import Meeting, MeetingKind

logger = logging.getLogger(__name__)

DEFAULT_MINUTES_DUE_WORKING_DAYS = 3
# Held meetings older than this are not chased any more (and need no calendar data).
LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class MeetingWarning:
    kind: str  # "minutes_late" | "no_plenary"
    mechanism: Any
    text: str
    meeting: Any = None
    due_date: datetime.date | None = None


def minutes_due(meeting: Meeting) -> datetime.date:
    """The last day to issue the minutes: N working days after the day the meeting started."""
    days = getattr(meeting.mechanism.config, "minutes_due_working_days", None)
    if days is None:
        days = DEFAULT_MINUTES_DUE_WORKING_DAYS
    return calendar.add_working_days(timezone.localtime(meeting.starts_at).date(), int(days))


def late_minutes(mechanisms: Iterable[Any], today: datetime.date) -> list[MeetingWarning]:
    ids = [m.pk for m in mechanisms]
    since = timezone.now() - datetime.timedelta(days=LOOKBACK_DAYS)
    meetings = (
        Meeting.objects.filter(mechanism_id__in=ids, state=wf.HELD, starts_at__gte=since)
        .filter(Q(minutes__isnull=True) | ~Q(minutes__state=wf.ISSUED))
        .select_related("mechanism", "mechanism__jurisdiction")
        .order_by("starts_at", "pk")
    )
    found: list[MeetingWarning] = []
    with calendar.cached():
        for meeting in meetings:
            try:
                due = minutes_due(meeting)
            except calendar.CalendarMissing as exc:
                logger.warning("meetings: %s", exc.message)
                continue
            if today > due:
                found.append(
                    MeetingWarning(
                        "minutes_late",
                        meeting.mechanism,
                        _("The minutes of “%(title)s” were due by %(date)s and are not issued.")
                        % {"title": meeting.title, "date": due.isoformat()},
                        meeting=meeting,
                        due_date=due,
                    )
                )
    return found


def no_plenary(mechanisms: Iterable[Any], today: datetime.date) -> list[MeetingWarning]:
    mechanisms = list(mechanisms)
    covered = set(
        Meeting.objects.filter(
            mechanism_id__in=[m.pk for m in mechanisms],
            kind=MeetingKind.PLENARY,
            state__in=[wf.SCHEDULED, wf.HELD],
            starts_at__year=today.year,
        ).values_list("mechanism_id", flat=True)
    )
    return [
        MeetingWarning(
            "no_plenary",
            m,
            _("%(mechanism)s has no plenary meeting held or scheduled in %(year)d.")
            % {"mechanism": m.name, "year": today.year},
            due_date=datetime.date(today.year, 12, 31),
        )
        for m in mechanisms
        if m.pk not in covered
    ]


def warnings_for(mechanisms: Iterable[Any], today: datetime.date | None = None) -> list[Any]:
    today = today or timezone.localdate()
    mechanisms = list(mechanisms)
    return [*late_minutes(mechanisms, today), *no_plenary(mechanisms, today)]
