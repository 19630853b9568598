"""Every write of the matter engine: permission check, one transaction, write, timeline,
audit, search index — and notifications queued on commit."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.permissions import relations_to
from fuyuan.audit.record import record, snapshot
from fuyuan.core import search
from fuyuan.core.workflow import TransitionError

from . import deadlines
from . import workflow as wf
from .models import Matter, MatterCoUnit, TimelineEntry

SEARCH_KIND = "matters.matter"


def add_timeline(
    matter: Matter,
    actor: Any,
    kind: str,
    *,
    text: str = "",
    from_state: str = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        matter=matter,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        text=text,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
    )


def reindex(matter: Matter) -> None:
    """Rewrite the matter's search entry (title, description, units, tags)."""
    units = [matter.lead_unit_id, *matter.co_units.values_list("unit_id", flat=True)]
    text = " ".join(
        [
            matter.title,
            matter.description,
            matter.lead_unit.name,
            " ".join(str(t) for t in (matter.tags or [])),
        ]
    )
    search.index(SEARCH_KIND, matter.pk, matter.jurisdiction.path, units, text)


def _office_may_create(actor: Any, mechanism: Any) -> None:
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    if not scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        raise PermissionDenied(_("Only the office of this joint meeting registers matters."))


@transaction.atomic
def create_matter(
    actor: Any,
    *,
    mechanism: Any,
    title: str,
    lead_unit: Any,
    start_date: datetime.date,
    deadline_kind: str = "date",
    deadline_days: int | None = None,
    deadline: datetime.date | None = None,
    co_units: list[Any] | None = None,
    parent: Matter | None = None,
    shared_upward: bool = True,
    **fields: Any,
) -> Matter:
    """Register (立项) a matter in the draft state. Deadline, warning date and next report
    date are computed from the rule; the typed fields go through model validation."""
    _office_may_create(actor, mechanism)
    try:
        due = deadlines.compute_deadline(deadline_kind, start_date, deadline_days, deadline)
    except deadlines.DeadlineError as exc:
        raise ValidationError({"deadline": [ValidationError(exc.message, code=exc.code)]}) from exc
    config = mechanism.config
    matter = Matter(
        mechanism=mechanism,
        jurisdiction=mechanism.jurisdiction,
        year=start_date.year,
        title=title.strip(),
        lead_unit=lead_unit,
        start_date=start_date,
        deadline_kind=deadline_kind,
        deadline_days=deadline_days,
        deadline=due,
        warn_from=deadlines.compute_warn_from(due, config.warn_days_before_deadline),
        parent=parent,
        shared_upward=shared_upward,
        created_by=actor,
        **fields,
    )
    matter.next_feedback_due = deadlines.next_report_due(
        matter.feedback_cadence, start_date, day_of_month=matter.feedback_day, deadline=due
    )
    matter.full_clean(exclude=["created_at", "updated_at"])
    matter.save()
    for unit in co_units or []:
        MatterCoUnit.objects.create(matter=matter, unit=unit)
    add_timeline(matter, actor, "created", to_state=matter.state)
    reindex(matter)
    record(actor, "matters.matter.create", matter, after=snapshot(matter))
    return matter


def transition(
    actor: Any,
    matter: Matter,
    name: str,
    *,
    comment: str = "",
    values: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Matter:
    """Take a transition of the matter workflow. The graph decides who may, and whether a
    comment or fields are needed (raises TransitionError); see `_TRANSITION_EFFECTS` for what
    each transition writes besides the state."""
    with transaction.atomic():
        values = dict(values or {})
        step = wf.MATTER_WORKFLOW.check(
            name,
            matter.state,
            relations_to(actor, matter),
            comment=comment,
            values=values,
            enabled_steps=matter.enabled_steps(),
        )
        before = snapshot(matter)
        from_state = matter.state
        effect = _TRANSITION_EFFECTS.get(name)
        if effect is not None:
            effect(actor, matter, values, comment)
        matter.state = step.target
        matter.save_checked(matter.version if expected_version is None else expected_version)
        add_timeline(
            matter,
            actor,
            f"transition:{name}",
            text=comment,
            from_state=from_state,
            to_state=step.target,
        )
        record(
            actor,
            f"matters.matter.{name}",
            matter,
            before=before,
            after=snapshot(matter),
            detail={"comment": comment} if comment else None,
        )
    return matter


def _on_sign(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.signed_at = timezone.now()


def _on_hand_to_handler(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.handler = values["handler"]
    if values.get("unit_leader") is not None:
        matter.unit_leader = values["unit_leader"]


def _on_report(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.summary = str(values["summary"]).strip()
    matter.reported_at = timezone.now()


def _on_complete(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.completed_at = timezone.now()
    matter.progress = 100


def _on_close(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.closed_at = timezone.now()


_TRANSITION_EFFECTS = {
    "sign": _on_sign,
    "hand_to_handler": _on_hand_to_handler,
    "report": _on_report,
    "submit_for_check": _on_report,
    "complete": _on_complete,
    "close": _on_close,
}

__all__ = [
    "SEARCH_KIND",
    "TransitionError",
    "add_timeline",
    "create_matter",
    "reindex",
    "transition",
]
