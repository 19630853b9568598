"""Every write of the risks app: risk events (report, edit, progress notes, state changes,
coordination matters) and the stalled-housing ledger (add, edit with optimistic locking).

Permission check, one transaction, write, audit (before/after); notifications queued in the
outbox in the same transaction (delivery kicked on commit). Validation errors carry codes
(`risks.*`, and `uscc.*` from the credit-code parser)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.identifiers import IdentifierError, parse_credit_code
from fuyuan.org.models import Jurisdiction, Mechanism, Unit

from . import workflow as wf
from .models import (
    EntryKind,
    ProjectStatus,
    RiskEvent,
    RiskEventEntry,
    RiskKind,
    RiskLevel,
    RiskMatter,
    StalledProject,
)

EVENT_KIND = "risks.event"

Errors = dict[str, list[ValidationError]]


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def event_url(event: RiskEvent | int) -> str:
    pk = event if isinstance(event, int) else event.pk
    return reverse("risks:event_detail", args=[pk])


# --- who --------------------------------------------------------------------------------------
def mechanism_for(jurisdiction: Jurisdiction) -> Mechanism | None:
    """The joint meeting of the jurisdiction, else the nearest one above it (a zone without its
    own mechanism works with its city's)."""
    return Mechanism.objects.covering(jurisdiction)


def office_mechanisms(actor: Any) -> QuerySet[Mechanism]:
    """Joint meetings whose jurisdiction the actor oversees as office staff."""
    q = Q(pk__in=[])
    for path in scope_for(actor).oversight.get(Role.OFFICE, ()):
        q |= Q(jurisdiction__path__startswith=path)
    return Mechanism.objects.filter(q).select_related("jurisdiction").order_by("jurisdiction__path")


def office_jurisdictions(actor: Any) -> QuerySet[Jurisdiction]:
    """Jurisdictions the actor oversees as office staff (their subtrees)."""
    q = Q(pk__in=[])
    for path in scope_for(actor).oversight.get(Role.OFFICE, ()):
        q |= Q(path__startswith=path)
    return Jurisdiction.objects.filter(q).order_by("path")


def may_report(actor: Any) -> bool:
    """Office staff report risk events and keep the stalled-housing ledger."""
    return bool(scope_for(actor).oversight.get(Role.OFFICE))


def units_near(jurisdiction: Jurisdiction) -> QuerySet[Unit]:
    """Current units that may take part in a jurisdiction's risk work: its own and those below,
    and the bodies of the levels above (a city department or the intermediate court)."""
    q = Q(jurisdiction__path__startswith=jurisdiction.path) | Q(
        jurisdiction__path__in=jurisdiction.ancestor_paths()
    )
    return (
        Unit.objects.current()
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def _within(unit: Unit, jurisdiction: Jurisdiction) -> bool:
    return unit.jurisdiction.path.startswith(jurisdiction.path)


def _near(unit: Unit, jurisdiction: Jurisdiction) -> bool:
    return _within(unit, jurisdiction) or unit.jurisdiction.path in jurisdiction.ancestor_paths()


def _active_users(q: Q) -> list[Any]:
    assignments = RoleAssignment.objects.active_on(_today()).filter(q)
    return list(
        User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by("pk")
    )


def _event_recipients(event: RiskEvent) -> list[Any]:
    unit_ids = [event.lead_unit_id, *(u.pk for u in event.units_involved.all())]
    return _active_users(
        Q(role__in=[Role.LIAISON, Role.COURT], unit_id__in=unit_ids)
        | Q(role=Role.OFFICE, jurisdiction_id=event.mechanism.jurisdiction_id)
    )


def _notify(
    actor: Any, event: RiskEvent, kind: str, recipients: Iterable[Any], subject: str
) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = {u.pk: u for u in recipients if u is not None and u.pk != getattr(actor, "pk", None)}
    if not people:
        return
    notify(
        ref_kind=EVENT_KIND,
        ref_id=event.pk,
        kind=kind,
        due_date=_today(),
        recipients=list(people.values()),
        subject=subject[:200],
        url=event_url(event),
    )
    kick_delivery()


# --- risk events ------------------------------------------------------------------------------
def _check_event(
    actor: Any,
    errors: Errors,
    *,
    mechanism: Mechanism,
    title: str,
    kind: str,
    level: str,
    description: str,
    lead_unit: Unit | None,
    units_involved: Iterable[Unit],
    reported_on: datetime.date | None,
    project: StalledProject | None,
) -> None:
    jurisdiction = mechanism.jurisdiction
    if not title:
        _add(errors, "title", _("Name the risk event."), "required")
    if kind not in RiskKind.values:
        _add(errors, "kind", _("Choose the kind of risk."), "invalid_choice")
    if level not in RiskLevel.values:
        _add(errors, "level", _("Choose the level of the risk."), "invalid_choice")
    if not description:
        _add(errors, "description", _("Describe the risk."), "required")
    if reported_on is None:
        _add(errors, "reported_on", _("Enter the date it was reported."), "required")
    elif reported_on > _today():
        _add(
            errors,
            "reported_on",
            _("The date cannot be in the future."),
            "risks.date_future",
        )
    if lead_unit is None:
        _add(errors, "lead_unit", _("Choose the lead unit."), "required")
    elif not _within(lead_unit, jurisdiction):
        _add(
            errors,
            "lead_unit",
            _("The lead unit must belong to the joint meeting's jurisdiction."),
            "risks.lead_unit_outside",
        )
    outside = [u.name for u in units_involved if not _near(u, jurisdiction)]
    if outside:
        _add(
            errors,
            "units_involved",
            _("Not a unit of this jurisdiction or above: %(units)s.")
            % {"units": "、".join(outside)},
            "risks.unit_outside",
        )
    if project is not None:
        if kind != RiskKind.STALLED_HOUSING:
            _add(
                errors,
                "project",
                _("Only a stalled-housing event is linked to a project."),
                "risks.project_kind_mismatch",
            )
        elif not project.jurisdiction.path.startswith(jurisdiction.path) or not (
            StalledProject.objects.visible_to(actor).filter(pk=project.pk).exists()
        ):
            _add(
                errors,
                "project",
                _("The project must be in the joint meeting's jurisdiction."),
                "risks.project_outside",
            )


@transaction.atomic
def report_event(
    actor: Any,
    *,
    mechanism: Mechanism,
    title: str,
    kind: str,
    level: str,
    description: str,
    lead_unit: Unit | None,
    reported_on: datetime.date | None,
    units_involved: Iterable[Unit] = (),
    project: StalledProject | None = None,
) -> RiskEvent:
    """Register a risk event of `mechanism` (office staff overseeing its jurisdiction). The
    lead unit must belong to the jurisdiction; the units involved may also be bodies of the
    levels above (a city department, the intermediate court). The lead unit, the units
    involved and the office are notified."""
    if not scope_for(actor).oversees(mechanism.jurisdiction.path, Role.OFFICE):
        raise PermissionDenied("risks.event.report")
    involved = list(units_involved)
    title, description = (title or "").strip(), (description or "").strip()
    errors: Errors = {}
    _check_event(
        actor,
        errors,
        mechanism=mechanism,
        title=title,
        kind=kind,
        level=level,
        description=description,
        lead_unit=lead_unit,
        units_involved=involved,
        reported_on=reported_on,
        project=project,
    )
    _raise(errors)
    assert lead_unit is not None and reported_on is not None
    event = RiskEvent(
        mechanism=mechanism,
        title=title,
        kind=kind,
        level=level,
        description=description,
        lead_unit=lead_unit,
        project=project,
        reported_on=reported_on,
        reported_by=actor,
        state=wf.REPORTED,
    )
    event.save()
    event.units_involved.set([u for u in involved if u.pk != lead_unit.pk])
    record(
        actor,
        "risks.event.report",
        event,
        after={**(snapshot(event) or {}), "units_involved": sorted(u.pk for u in involved)},
    )
    _notify(
        actor,
        event,
        "risk.reported",
        _event_recipients(event),
        _("Risk event reported: %(title)s (%(level)s)")
        % {"title": title, "level": RiskLevel(level).label},
    )
    return event


@transaction.atomic
def update_event(
    actor: Any,
    event: RiskEvent,
    *,
    expected_version: int,
    title: str,
    kind: str,
    level: str,
    description: str,
    lead_unit: Unit | None,
    reported_on: datetime.date | None,
    units_involved: Iterable[Unit] = (),
    project: StalledProject | None = None,
) -> RiskEvent:
    """Correct or regrade an open event (the office). A stale version is refused."""
    require(actor, "edit", event)
    involved = list(units_involved)
    title, description = (title or "").strip(), (description or "").strip()
    errors: Errors = {}
    _check_event(
        actor,
        errors,
        mechanism=event.mechanism,
        title=title,
        kind=kind,
        level=level,
        description=description,
        lead_unit=lead_unit,
        units_involved=involved,
        reported_on=reported_on,
        project=project,
    )
    _raise(errors)
    assert lead_unit is not None
    before = {
        **(snapshot(event) or {}),
        "units_involved": sorted(u.pk for u in event.units_involved.all()),
    }
    event.title, event.kind, event.level = title, kind, level
    event.description, event.lead_unit, event.project = description, lead_unit, project
    event.reported_on = reported_on  # type: ignore[assignment]
    event.save_checked(
        expected_version,
        fields=["title", "kind", "level", "description", "lead_unit", "project", "reported_on"],
    )
    event.units_involved.set([u for u in involved if u.pk != lead_unit.pk])
    record(
        actor,
        "risks.event.update",
        event,
        before=before,
        after={**(snapshot(event) or {}), "units_involved": sorted(u.pk for u in involved)},
    )
    return event


@transaction.atomic
def add_note(
    actor: Any, event: RiskEvent, *, on: datetime.date | None, text: str
) -> RiskEventEntry:
    """A dated progress note by the office, the lead unit, a unit involved or an involved court,
    while the event is open. The first note of the lead unit or the office starts handling."""
    require(actor, "add_note", event)
    errors: Errors = {}
    text = (text or "").strip()
    if not text:
        _add(errors, "text", _("Say what was done."), "required")
    if on is None:
        _add(errors, "on", _("Enter the date."), "required")
    elif on > _today():
        _add(errors, "on", _("The date cannot be in the future."), "risks.date_future")
    elif on < event.reported_on:
        _add(
            errors,
            "on",
            _("The note cannot be before the event was reported (%(date)s).")
            % {"date": event.reported_on.isoformat()},
            "risks.note_before_report",
        )
    _raise(errors)
    assert on is not None
    entry = RiskEventEntry(event=event, on=on, kind=EntryKind.NOTE, text=text, author=actor)
    entry.save()
    record(actor, "risks.event_entry.create", entry, after=snapshot(entry))
    if event.state == wf.REPORTED and "start" in {
        t.name for t in wf.EVENT_WORKFLOW.available(event.state, relations_to(actor, event))
    }:
        event_transition(actor, event, "start")
    return entry


@transaction.atomic
def event_transition(
    actor: Any,
    event: RiskEvent,
    name: str,
    comment: str = "",
    *,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> RiskEvent:
    """Take a transition of the event's graph (start handling; the office resolves, closes or
    reopens with a comment). `on` (default today) dates a resolution or closure."""
    comment = (comment or "").strip()
    step = wf.EVENT_WORKFLOW.check(name, event.state, relations_to(actor, event), comment=comment)
    when = on or _today()
    final = step.target in wf.FINAL
    if final:
        errors: Errors = {}
        if when > _today():
            _add(errors, "on", _("The date cannot be in the future."), "risks.date_future")
        elif when < event.reported_on:
            _add(
                errors,
                "on",
                _("The event cannot end before it was reported (%(date)s).")
                % {"date": event.reported_on.isoformat()},
                "risks.closed_before_report",
            )
        _raise(errors)
    before = snapshot(event)
    event.state = step.target
    event.closed_on = when if final else None
    event.save_checked(
        event.version if expected_version is None else expected_version,
        fields=["state", "closed_on"],
    )
    RiskEventEntry.objects.create(
        event=event,
        on=when if final else _today(),
        kind=EntryKind.TRANSITION,
        transition=name,
        text=comment,
        author=actor,
    )
    record(
        actor,
        f"risks.event.{name}",
        event,
        before=before,
        after=snapshot(event),
        detail={"comment": comment} if comment else None,
    )
    if final:
        _notify(
            actor,
            event,
            f"risk.{name}",
            _event_recipients(event),
            _("Risk event %(state)s: %(title)s")
            % {"state": wf.EVENT_WORKFLOW.state(step.target).label, "title": event.title},
        )
    return event


def matter_units(event: RiskEvent) -> QuerySet[Unit]:
    """Units a coordination matter of the event may be given to: current units of the joint
    meeting's own jurisdiction (the matter engine's rule)."""
    return (
        Unit.objects.current()
        .filter(jurisdiction_id=event.mechanism.jurisdiction_id)
        .select_related("jurisdiction")
        .order_by("order_no", "pk")
    )


@transaction.atomic
def open_matter(
    actor: Any,
    event: RiskEvent,
    *,
    title: str,
    lead_unit: Unit | None,
    deadline: datetime.date | None,
    description: str = "",
) -> RiskMatter:
    """Open a coordination matter for the event (the office): registered and assigned to
    `lead_unit` at once, supervised by the matter engine. The lead unit must belong to the
    joint meeting's own jurisdiction; the deadline must not be in the past."""
    require(actor, "open_matter", event)
    from fuyuan.matters import actions as matter_actions

    errors: Errors = {}
    title = (title or "").strip()
    if not title:
        _add(errors, "title", _("Name the task."), "required")
    if lead_unit is None:
        _add(errors, "lead_unit", _("Choose the lead unit."), "required")
    elif lead_unit.jurisdiction_id != event.mechanism.jurisdiction_id:
        _add(
            errors,
            "lead_unit",
            _("The lead unit must belong to the joint meeting's jurisdiction."),
            "risks.matter_lead_unit_outside",
        )
    if deadline is None:
        _add(errors, "deadline", _("Enter the deadline."), "required")
    elif deadline < _today():
        _add(errors, "deadline", _("The deadline cannot be in the past."), "risks.deadline_past")
    _raise(errors)
    assert deadline is not None
    matter = matter_actions.open_for_source(
        actor,
        mechanism=event.mechanism,
        source_kind=EVENT_KIND,
        source_ref=str(event.pk),
        title=title,
        lead_unit=lead_unit,
        start_date=_today(),
        deadline=deadline,
        description=(description or "").strip() or event.description,
    )
    link = RiskMatter.objects.create(event=event, matter=matter)
    record(
        actor,
        "risks.event.open_matter",
        event,
        after={"matter": matter.pk, "lead_unit": lead_unit.pk if lead_unit else None},
    )
    if event.state == wf.REPORTED:
        event_transition(actor, event, "start")
    return link


# --- stalled-housing ledger -------------------------------------------------------------------
PROJECT_FIELDS = (
    "name",
    "developer",
    "developer_credit_code",
    "location",
    "households_affected",
    "households_delivered",
    "status",
    "stopped_on",
    "restarted_on",
    "delivered_on",
    "white_list",
    "responsible_unit",
    "note",
)


def check_project(
    actor: Any,
    project: StalledProject,
    data: dict[str, Any],
    override_reason: str = "",
) -> dict[str, Any]:
    """Validate a ledger row's values and return them normalised (with
    `credit_code_override`); raise ValidationError({field: [errors with codes]}).

    The credit code (DOMAIN.md §5): a structural error is refused; a failed check character is
    refused unless the office gives a reason, which is stored (kept while the code does not
    change). Dates follow the status: stopped → no restart or delivery date; restarted → a
    restart date not before the stop; delivered → a delivery date not before the stop or
    restart, every household delivered. No date in the future."""
    values = {f: data.get(f, getattr(project, f, None)) for f in PROJECT_FIELDS}
    errors: Errors = {}
    for text_field in ("name", "developer", "developer_credit_code", "location", "note"):
        values[text_field] = (values[text_field] or "").strip()
    if not values["name"]:
        _add(errors, "name", _("Enter the project's name."), "required")
    if not values["developer"]:
        _add(errors, "developer", _("Enter the developer."), "required")
    if values["responsible_unit"] is None:
        _add(errors, "responsible_unit", _("Choose the responsible unit."), "required")
    elif not _near_or_same(values["responsible_unit"], project.jurisdiction):
        _add(
            errors,
            "responsible_unit",
            _("The responsible unit must belong to the project's jurisdiction or one above it."),
            "risks.responsible_unit_outside",
        )

    # Credit code.
    reason = (override_reason or "").strip()
    values["credit_code_override"] = ""
    if values["developer_credit_code"]:
        try:
            parsed = parse_credit_code(values["developer_credit_code"])
        except IdentifierError as exc:
            _add(errors, "developer_credit_code", exc.message, exc.code)
        else:
            values["developer_credit_code"] = parsed.value
            if parsed.warnings:
                # A reason the office gave earlier stays while the code does not change.
                kept = bool(
                    project.pk
                    and project.credit_code_override
                    and parsed.value == project.developer_credit_code
                )
                office = scope_for(actor).oversees(project.jurisdiction.path, Role.OFFICE)
                if reason and office:
                    values["credit_code_override"] = reason[:200]
                elif kept and not reason:
                    values["credit_code_override"] = project.credit_code_override
                else:
                    for warning in parsed.warnings:
                        _add(errors, "developer_credit_code", warning.message, warning.code)
                    if reason and not office:
                        _add(
                            errors,
                            "developer_credit_code",
                            _("Only the office may accept a code that fails its check."),
                            "risks.override_office_only",
                        )

    # Households.
    affected, delivered = values["households_affected"], values["households_delivered"] or 0
    values["households_delivered"] = delivered
    if affected is None:
        _add(errors, "households_affected", _("Enter the households affected."), "required")
    elif affected < 1:
        _add(
            errors,
            "households_affected",
            _("A stalled project affects at least one household."),
            "risks.households_none",
        )
    elif delivered > affected:
        _add(
            errors,
            "households_delivered",
            _("More households delivered than affected (%(n)d).") % {"n": affected},
            "risks.delivered_exceeds_affected",
        )

    # Status and dates.
    status = values["status"]
    stopped, restarted, done = values["stopped_on"], values["restarted_on"], values["delivered_on"]
    today = _today()
    if status not in ProjectStatus.values:
        _add(errors, "status", _("Choose the status."), "invalid_choice")
    for name in ("stopped_on", "restarted_on", "delivered_on"):
        day = values[name]
        if day is not None and day > today:
            _add(errors, name, _("The date cannot be in the future."), "risks.date_future")
    if stopped is None:
        _add(errors, "stopped_on", _("Enter the date work stopped."), "required")
    if status == ProjectStatus.STOPPED:
        if restarted is not None:
            _add(
                errors,
                "restarted_on",
                _("A stopped project has no restart date."),
                "risks.restart_date_unexpected",
            )
        if done is not None:
            _add(
                errors,
                "delivered_on",
                _("A stopped project has no delivery date."),
                "risks.delivery_date_unexpected",
            )
    if status == ProjectStatus.RESTARTED:
        if restarted is None:
            _add(
                errors,
                "restarted_on",
                _("Enter the date work restarted."),
                "risks.restart_date_required",
            )
        if done is not None:
            _add(
                errors,
                "delivered_on",
                _("A project not yet delivered has no delivery date."),
                "risks.delivery_date_unexpected",
            )
    if status == ProjectStatus.DELIVERED:
        if done is None:
            _add(
                errors,
                "delivered_on",
                _("Enter the delivery date."),
                "risks.delivery_date_required",
            )
        if affected is not None and delivered < affected:
            _add(
                errors,
                "households_delivered",
                _("A delivered project has every household delivered (%(n)d).") % {"n": affected},
                "risks.delivered_incomplete",
            )
    if stopped is not None and restarted is not None and restarted < stopped:
        _add(
            errors,
            "restarted_on",
            _("Work cannot restart before it stopped (%(date)s).") % {"date": stopped.isoformat()},
            "risks.restart_before_stop",
        )
    start = restarted or stopped
    if start is not None and done is not None and done < start:
        _add(
            errors,
            "delivered_on",
            _("Delivery cannot be before %(date)s.") % {"date": start.isoformat()},
            "risks.delivery_before_start",
        )
    values["white_list"] = bool(values["white_list"])
    _raise(errors)
    return values


def _near_or_same(unit: Unit, jurisdiction: Jurisdiction) -> bool:
    return unit.jurisdiction.path in jurisdiction.ancestor_paths()


def _project_snapshot(project: StalledProject) -> dict[str, Any]:
    return snapshot(project) or {}


@transaction.atomic
def create_project(
    actor: Any,
    *,
    jurisdiction: Jurisdiction,
    override_reason: str = "",
    **data: Any,
) -> StalledProject:
    """Add a project to the stalled-housing ledger (office staff overseeing `jurisdiction`)."""
    if not scope_for(actor).oversees(jurisdiction.path, Role.OFFICE):
        raise PermissionDenied("risks.project.create")
    project = StalledProject(jurisdiction=jurisdiction)
    values = check_project(actor, project, data, override_reason)
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    record(actor, "risks.project.create", project, after=_project_snapshot(project))
    return project


@transaction.atomic
def update_project(
    actor: Any,
    project: StalledProject,
    *,
    expected_version: int,
    override_reason: str = "",
    **data: Any,
) -> StalledProject:
    """Change a ledger row (the office, or the responsible unit's liaison officer): a stale
    version is refused (StaleObjectError), every change is audited with before and after."""
    require(actor, "edit", project)
    values = check_project(actor, project, data, override_reason)
    before = _project_snapshot(project)
    for name, value in values.items():
        setattr(project, name, value)
    project.save_checked(expected_version)
    record(actor, "risks.project.update", project, before=before, after=_project_snapshot(project))
    return project


__all__ = [
    "EVENT_KIND",
    "add_note",
    "check_project",
    "create_project",
    "event_transition",
    "event_url",
    "matter_units",
    "may_report",
    "mechanism_for",
    "office_jurisdictions",
    "office_mechanisms",
    "open_matter",
    "report_event",
    "units_near",
    "update_event",
    "update_project",
]
