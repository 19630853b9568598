"""Deadlines: the rule (fixed date, N working days, N calendar days) and the dates computed
from it — the deadline, `warn_from`, and the next report due on the calendar cadence — and
the plan of what a change of the working-day calendar moves (`plan_recompute`; the writes are
in `calendar_actions`).

A working-day rule on a year the calendar lacks raises `calendar.CalendarMissing` (code
"calendar.year_missing"), never a guess; `as_validation_error` turns it, like DeadlineError,
into a form error with its code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fuyuan.core import calendar

from . import workflow as wf
from .models import DeadlineKind, FeedbackCadence, Matter


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


def as_validation_error(
    exc: DeadlineError | calendar.CalendarMissing, field_name: str = "deadline"
) -> ValidationError:
    """A deadline rule's refusal as a form error on `field_name`, keeping its code (a form
    calls `form.add_error(None, as_validation_error(exc))` or lets the action raise it)."""
    return ValidationError({field_name: [ValidationError(exc.message, code=exc.code)]})


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


# --- recomputation after a calendar change ------------------------------------------------
# States whose deadline still counts: the running ones, drafts (not yet assigned) and reported
# matters awaiting review. Suspended matters are left alone: their deadline is set again when
# they resume; finished matters keep the deadline they were judged against.
RECOMPUTED_STATES = (wf.DRAFT, *wf.RUNNING_STATES, wf.REPORTED)


@dataclass
class DeadlineChange:
    """One matter whose deadline a calendar change moves."""

    matter: Matter
    old_deadline: datetime.date
    new_deadline: datetime.date
    old_warn_from: datetime.date | None
    new_warn_from: datetime.date
    old_next_feedback_due: datetime.date | None
    new_next_feedback_due: datetime.date | None


@dataclass
class RecomputePlan:
    changes: list[DeadlineChange] = field(default_factory=list)
    # Matters with an extension granted keep the date the extension decision set.
    extended: list[Matter] = field(default_factory=list)
    # Matters whose new deadline would fall in a year the calendar lacks: left unchanged.
    missing: list[tuple[Matter, calendar.CalendarMissing]] = field(default_factory=list)
    checked: int = 0


def affected_matters(
    first: datetime.date, last: datetime.date, *, lock: bool = False
) -> QuerySet[Matter]:
    """Matters counted in working days whose span start_date..deadline touches the years of
    first..last (the changed days): only those can move when the calendar of those years
    changes. The calendar is one national table, so this is not scoped to a jurisdiction.
    `lock` takes row locks for a recomputation that will write (inside its transaction)."""
    rows = (
        Matter.objects.filter(
            deadline_kind=DeadlineKind.WORKING_DAYS,
            state__in=RECOMPUTED_STATES,
            deadline_days__isnull=False,
        )
        .filter(Q(start_date__year__lte=last.year) & Q(deadline__year__gte=first.year))
        .select_related("mechanism", "lead_unit", "handler")
        .order_by("pk")
    )
    return rows.select_for_update(of=("self",)) if lock else rows


def _next_feedback_after_move(
    matter: Matter, old: datetime.date, new: datetime.date
) -> datetime.date | None:
    """The next report due once the deadline moves: a due date capped at the old deadline
    follows the cadence again up to the new one; one past the new deadline is capped."""
    due = matter.next_feedback_due
    if due is None:
        return None
    if (
        due == old
        and new > old
        and matter.feedback_cadence
        in (
            FeedbackCadence.MONTHLY,
            FeedbackCadence.QUARTERLY,
        )
    ):
        return next_report_due(
            matter.feedback_cadence,
            old - datetime.timedelta(days=1),
            day_of_month=matter.feedback_day,
            deadline=new,
        )
    return min(due, new)


def plan_recompute(
    first: datetime.date, last: datetime.date, *, lock: bool = False
) -> RecomputePlan:
    """What the calendar as it stands now gives for every affected matter (reads only).

    Matters with an extension granted (`extension_count > 0`) are skipped: their deadline is
    the date the extension decision fixed, not the rule's result."""
    plan = RecomputePlan()
    with calendar.cached():
        for matter in affected_matters(first, last, lock=lock):
            plan.checked += 1
            if matter.extension_count > 0:
                plan.extended.append(matter)
                continue
            try:
                new = calendar.add_working_days(matter.start_date, matter.deadline_days or 0)
            except calendar.CalendarMissing as exc:
                plan.missing.append((matter, exc))
                continue
            warn = compute_warn_from(new, matter.mechanism.config.warn_days_before_deadline)
            if new == matter.deadline and warn == matter.warn_from:
                continue
            plan.changes.append(
                DeadlineChange(
                    matter=matter,
                    old_deadline=matter.deadline,
                    new_deadline=new,
                    old_warn_from=matter.warn_from,
                    new_warn_from=warn,
                    old_next_feedback_due=matter.next_feedback_due,
                    new_next_feedback_due=_next_feedback_after_move(matter, matter.deadline, new),
                )
            )
    return plan
