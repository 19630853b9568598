"""Deadlines: the rule (fixed date, N working days, N calendar days) and the dates computed
from it — the deadline, `warn_from`, and the next report due on the calendar cadence."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from fuyuan.core import calendar

from .models import DeadlineKind, FeedbackCadence


class DeadlineError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def compute_deadline(
    kind: str, start: datetime.date, days: int | None, fixed: datetime.date | None
) -> datetime.date:
    """The deadline a rule gives. Working days follow the office's calendar table and raise
    calendar.CalendarMissing for a year it does not hold."""
    if kind == DeadlineKind.DATE:
        if fixed is None:
            raise DeadlineError("deadline.date_required", _("Give the deadline date."))
        if fixed < start:
            raise DeadlineError("deadline.before_start", _("The deadline is before the start."))
        return fixed
    if not days:
        raise DeadlineError("deadline.days_required", _("Give the number of days allowed."))
    if kind == DeadlineKind.WORKING_DAYS:
        return calendar.add_working_days(start, days)
    if kind == DeadlineKind.CALENDAR_DAYS:
        return start + datetime.timedelta(days=days)
    raise DeadlineError("deadline.kind", _("Unknown deadline rule."))


def compute_warn_from(deadline: datetime.date, warn_days: int) -> datetime.date:
    """The first day of the "near the deadline" colour: `warn_days` calendar days before."""
    return deadline - datetime.timedelta(days=max(0, warn_days))


def _month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - datetime.timedelta(days=1)


def next_report_due(
    cadence: str,
    after: datetime.date,
    *,
    day_of_month: int | None = None,
    milestones: list[Any] | None = None,
    deadline: datetime.date | None = None,
) -> datetime.date | None:
    """The next report date strictly after `after`, anchored to the calendar ("每月25日前",
    "每季度末"), not to an interval from the start; never after the deadline."""
    due: datetime.date | None
    if cadence == FeedbackCadence.MONTHLY:
        dom = min(max(day_of_month or 25, 1), 28)
        candidate = after.replace(day=dom)
        if candidate <= after:
            candidate = (_month_end(after) + datetime.timedelta(days=1)).replace(day=dom)
        due = candidate
    elif cadence == FeedbackCadence.QUARTERLY:
        month = ((after.month - 1) // 3 + 1) * 3
        candidate = _month_end(datetime.date(after.year, month, 1))
        if candidate <= after:
            month += 3
            year = after.year + (month > 12)
            candidate = _month_end(datetime.date(year, month - 12 if month > 12 else month, 1))
        due = candidate
    elif cadence == FeedbackCadence.MILESTONE:
        pending = sorted(m.due_date for m in (milestones or []) if m.reached_on is None)
        due = next((d for d in pending if d > after), pending[0] if pending else None)
    else:
        due = None
    if due is not None and deadline is not None and due > deadline:
        return deadline
    return due
