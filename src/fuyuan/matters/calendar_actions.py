"""Writes to the working-day calendar (holidays, 调休 working days, known years) by the
office, each followed by the recomputation of the deadlines the change moves: saved with a
version bump, written to each matter's timeline, audited, and notified to the handler and
the lead unit's liaison officers.

The calendar is one national table (core.CalendarDay / CalendarYear), so any office may keep
it, and a change recomputes matters of every jurisdiction. Notifications are written to the
outbox inside the same transaction (a transactional outbox): they exist exactly when the
change does, and the outbox's unique key keeps a retry from sending twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay, CalendarDayKind, CalendarYear, StaleObjectError
from fuyuan.notify.outbox import notify
from fuyuan.org.models import Mechanism

from . import deadlines
from . import workflow as wf
from .actions import SEARCH_KIND, add_timeline

OFFICE_SOURCE = "office"


def may_edit_calendar(user: Any) -> bool:
    """The calendar is one table for the whole deployment and a change moves deadlines in
    every county, so it is kept by the office of the top level (a jurisdiction with no parent
    mechanism above it: the city), not by county offices."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(
        a.role == Role.OFFICE
        and a.jurisdiction is not None
        and not Mechanism.objects.filter(
            jurisdiction__path__in=a.jurisdiction.ancestor_paths()[:-1]
        ).exists()
        for a in user.active_assignments()
    )


def _require(actor: Any) -> None:
    if not may_edit_calendar(actor):
        raise PermissionDenied(_("Only office staff keep the working-day calendar."))


@dataclass
class CalendarChange:
    """What a calendar action did: the row written and the deadlines it moved."""

    obj: Any
    changed: list[deadlines.DeadlineChange] = field(default_factory=list)
    extended: list[Any] = field(default_factory=list)
    missing: list[tuple[Any, calendar.CalendarMissing]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "recomputed": [c.matter.pk for c in self.changed],
            "kept_extended": [m.pk for m in self.extended],
            "calendar_missing": [m.pk for m, _exc in self.missing],
        }


# --- validation ------------------------------------------------------------------------------
def _check_day(date: datetime.date, kind: str, exclude_pk: int | None = None) -> None:
    if kind not in CalendarDayKind.values:
        raise ValidationError(
            {"kind": [ValidationError(_("Choose holiday or working day."), code="calendar.kind")]}
        )
    if kind == CalendarDayKind.HOLIDAY and date.weekday() >= 5:
        raise ValidationError(
            {
                "date": [
                    ValidationError(
                        _("%(date)s is a weekend day: it is a day off already.")
                        % {"date": date.isoformat()},
                        code="calendar.holiday_on_weekend",
                    )
                ]
            }
        )
    if kind == CalendarDayKind.WORKDAY and date.weekday() < 5:
        raise ValidationError(
            {
                "date": [
                    ValidationError(
                        _("%(date)s is a weekday: it is a working day already.")
                        % {"date": date.isoformat()},
                        code="calendar.workday_on_weekday",
                    )
                ]
            }
        )
    clash = CalendarDay.objects.filter(date=date)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "date": [
                    ValidationError(
                        _("%(date)s is in the calendar already: edit that entry instead.")
                        % {"date": date.isoformat()},
                        code="calendar.day_exists",
                    )
                ]
            }
        )


# --- recomputation ----------------------------------------------------------------------------
def _acting_units(unit_ids: set[int]) -> dict[int, set[int]]:
    """For each unit, itself and its successors: their liaison officers act for it."""
    from fuyuan.org.models import Unit

    successor = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "successor_id"))
    frontier = {s for s in successor.values() if s is not None and s not in successor}
    while frontier:
        found = dict(Unit.objects.filter(pk__in=frontier).values_list("pk", "successor_id"))
        successor.update(found)
        frontier = {s for s in found.values() if s is not None and s not in successor}
    acting: dict[int, set[int]] = {}
    for unit_id in unit_ids:
        chain: set[int] = set()
        current: int | None = unit_id
        while current is not None and current not in chain:
            chain.add(current)
            current = successor.get(current)
        acting[unit_id] = chain
    return acting


def _liaisons_by_unit(unit_ids: set[int]) -> dict[int, list[Any]]:
    """The users acting for each lead unit today (liaison officers; court staff for a court)."""
    if not unit_ids:
        return {}
    acting = _acting_units(unit_ids)
    all_units = {u for chain in acting.values() for u in chain}
    by_unit: dict[int, list[Any]] = {}
    for assignment in (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role__in=[Role.LIAISON, Role.COURT], unit_id__in=sorted(all_units))
        .select_related("user")
    ):
        if assignment.unit_id is not None:
            by_unit.setdefault(assignment.unit_id, []).append(assignment.user)
    return {
        unit_id: [user for u in sorted(chain) for user in by_unit.get(u, [])]
        for unit_id, chain in acting.items()
    }


def recompute_deadlines(
    actor: Any, first: datetime.date, last: datetime.date, reason: str
) -> CalendarChange:
    """Recompute the working-day deadlines the calendar of first..last may move (see
    deadlines.affected_matters) and write each change: fields saved with a version bump, a
    "deadline_recomputed" timeline entry, an audit entry, and a "deadline_changed" message to
    the handler and the lead unit's liaison officers (not for drafts, which no unit holds
    yet). Matters with an extension granted keep their extended date (see plan_recompute).
    Call inside the transaction of the calendar write."""
    calendar.invalidate()
    plan = deadlines.plan_recompute(first, last, lock=True)
    result = CalendarChange(obj=None, extended=plan.extended, missing=plan.missing)
    notified = [c for c in plan.changes if c.matter.state != wf.DRAFT]
    liaisons = _liaisons_by_unit({c.matter.lead_unit_id for c in notified})
    for change in plan.changes:
        matter = change.matter
        before = deadlines_snapshot(matter)
        matter.deadline = change.new_deadline
        matter.warn_from = change.new_warn_from
        matter.next_feedback_due = change.new_next_feedback_due
        # The rows are locked by plan_recompute (PostgreSQL; SQLite's IMMEDIATE transaction
        # serialises writers), so the version cannot have moved since it was read.
        matter.save_checked(matter.version, fields=["deadline", "warn_from", "next_feedback_due"])
        detail = {
            "old": change.old_deadline.isoformat(),
            "new": change.new_deadline.isoformat(),
            "reason": reason,
        }
        add_timeline(
            matter,
            actor,
            "deadline_recomputed",
            text=_("Deadline recomputed after a calendar change (%(reason)s): %(old)s → %(new)s")
            % {"reason": reason, "old": detail["old"], "new": detail["new"]},
            detail=detail,
        )
        record(
            actor,
            "matters.matter.deadline_recomputed",
            matter,
            before=before,
            after=deadlines_snapshot(matter),
            detail=detail,
        )
        if matter.state != wf.DRAFT:
            notify(
                ref_kind=SEARCH_KIND,
                ref_id=matter.pk,
                kind="deadline_changed",
                due_date=change.new_deadline,
                recipients=[matter.handler, *liaisons.get(matter.lead_unit_id, [])],
                subject=_("Deadline moved to %(new)s: %(title)s")
                % {"new": detail["new"], "title": matter.title},
                body=_(
                    "The working-day calendar changed (%(reason)s). The deadline of this "
                    "matter is now %(new)s (was %(old)s)."
                )
                % detail,
                url=f"/matters/m/{matter.pk}/",
            )
        result.changed.append(change)
    return result


def deadlines_snapshot(matter: Any) -> dict[str, Any]:
    """The audited fields of a recomputation (the whole matter adds nothing)."""
    return {
        "deadline": matter.deadline.isoformat() if matter.deadline else None,
        "warn_from": matter.warn_from.isoformat() if matter.warn_from else None,
        "next_feedback_due": (
            matter.next_feedback_due.isoformat() if matter.next_feedback_due else None
        ),
        "version": matter.version,
    }


def _describe(day: CalendarDay) -> str:
    kind = _("holiday") if day.kind == CalendarDayKind.HOLIDAY else _("working day")
    return f"{day.date.isoformat()} {day.name or ''} {kind}".replace("  ", " ")


def _finish(
    actor: Any,
    action: str,
    obj: Any,
    first: datetime.date,
    last: datetime.date,
    reason: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    object_kind: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> CalendarChange:
    result = recompute_deadlines(actor, first, last, reason)
    result.obj = obj
    record(
        actor,
        action,
        obj,
        before=before,
        after=after,
        detail={"reason": reason, **result.summary()},
        object_kind=object_kind,
        object_id=object_id,
        object_repr=object_repr,
    )
    return result


# --- the office's actions -------------------------------------------------------------------
@transaction.atomic
def add_day(actor: Any, *, date: datetime.date, kind: str, name: str = "") -> CalendarChange:
    """Enter a public holiday on a weekday, or a weekend day that is worked (调休)."""
    _require(actor)
    _check_day(date, kind)
    day = CalendarDay(date=date, kind=kind, name=name.strip(), source=OFFICE_SOURCE)
    day.save()
    reason = _("%(day)s added") % {"day": _describe(day)}
    return _finish(
        actor, "calendar.day.create", day, date, date, reason, before=None, after=snapshot(day)
    )


@transaction.atomic
def update_day(
    actor: Any,
    day: CalendarDay,
    *,
    date: datetime.date,
    kind: str,
    name: str = "",
    expected_version: int | None = None,
) -> CalendarChange:
    """Correct an entry (its date, kind or name); a stale form raises StaleObjectError."""
    _require(actor)
    _check_day(date, kind, exclude_pk=day.pk)
    before = snapshot(day)
    old_date = day.date
    day.date, day.kind, day.name = date, kind, name.strip()
    day.source = OFFICE_SOURCE
    day.save_checked(day.version if expected_version is None else expected_version)
    reason = _("%(day)s changed") % {"day": _describe(day)}
    return _finish(
        actor,
        "calendar.day.update",
        day,
        min(old_date, date),
        max(old_date, date),
        reason,
        before=before,
        after=snapshot(day),
    )


@transaction.atomic
def delete_day(
    actor: Any, day: CalendarDay, *, expected_version: int | None = None
) -> CalendarChange:
    """Remove an entry: the day falls back to the Monday–Friday rule."""
    _require(actor)
    if expected_version is not None and expected_version != day.version:
        raise StaleObjectError(day)
    before = snapshot(day)
    pk, date, described = day.pk, day.date, _describe(day)
    if CalendarDay.objects.filter(pk=pk, version=day.version).delete()[0] != 1:
        raise StaleObjectError(day)
    reason = _("%(day)s removed") % {"day": described}
    return _finish(
        actor,
        "calendar.day.delete",
        None,
        date,
        date,
        reason,
        before=before,
        after=None,
        object_kind=CalendarDay._meta.label_lower,
        object_id=str(pk),
        object_repr=described,
    )


def _year_exists(year: int) -> ValidationError:
    return ValidationError(
        {
            "year": [
                ValidationError(
                    _("%(year)d is marked complete already.") % {"year": year},
                    code="calendar.year_exists",
                )
            ]
        }
    )


@transaction.atomic
def declare_year(actor: Any, *, year: int, note: str = "") -> CalendarChange:
    """Mark a year's arrangement complete after entering its days by hand: from now on
    working days are counted in it (and deadlines across it can be computed)."""
    _require(actor)
    if CalendarYear.objects.filter(year=year).exists():
        raise _year_exists(year)
    entry = CalendarYear(year=year, source=OFFICE_SOURCE, note=note.strip())
    entry.save()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reason = _("%(year)d marked complete") % {"year": year}
    return _finish(
        actor,
        "calendar.year.declare",
        entry,
        first,
        last,
        reason,
        before=None,
        after=snapshot(entry),
    )


@transaction.atomic
def load_year_from_package(actor: Any, *, year: int) -> CalendarChange:
    """Load (or reload) a year from the installed chinesecalendar package: its rows of the
    year are replaced, days the office entered are kept, and the year is marked known."""
    _require(actor)
    written = calendar.seed_year(year)
    if written is None:
        raise ValidationError(
            {
                "year": [
                    ValidationError(
                        _(
                            "The installed calendar package has no data for %(year)d. Enter "
                            "the year's holidays and working weekends by hand, then mark the "
                            "year complete."
                        )
                        % {"year": year},
                        code="calendar.package_lacks_year",
                    )
                ]
            }
        )
    entry = CalendarYear.objects.get(year=year)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reason = _("%(year)d loaded from the calendar package") % {"year": year}
    return _finish(
        actor,
        "calendar.year.seed",
        entry,
        first,
        last,
        reason,
        before=None,
        after={**(snapshot(entry) or {}), "days_written": written},
    )
