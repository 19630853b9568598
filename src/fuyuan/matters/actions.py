"""Every write of the matter engine: permission check, one transaction, write, timeline,
audit, search index — and notifications queued on commit."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar, search
from fuyuan.core.workflow import TransitionError

from . import deadlines
from . import workflow as wf
from .models import (
    Attachment,
    DeadlineKind,
    Evaluation,
    ExtensionRequest,
    Feedback,
    FeedbackStatus,
    Matter,
    MatterCoUnit,
    Milestone,
    TimelineEntry,
)

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
    from .search_index import row

    search.index_row(SEARCH_KIND, row(matter))


def _office_may_create(actor: Any, mechanism: Any, *, from_above: bool = False) -> None:
    """The office of the mechanism's jurisdiction registers its matters; with `from_above`
    (decomposition) the office of an ancestor jurisdiction may register them too."""
    from fuyuan.accounts.models import Role

    scope = scope_for(actor)
    if scope.assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        return
    if from_above:
        path = mechanism.jurisdiction.path
        if any(path.startswith(p) and p != path for p in scope.oversight.get(Role.OFFICE, ())):
            return
    raise PermissionDenied(_("Only the office of this joint meeting registers matters."))


def _compute_deadline(
    kind: str, start: datetime.date, days: int | None, fixed: datetime.date | None
) -> datetime.date:
    try:
        return deadlines.compute_deadline(kind, start, days, fixed)
    except deadlines.DeadlineError as exc:
        raise ValidationError({"deadline": [ValidationError(exc.message, code=exc.code)]}) from exc
    except calendar.CalendarMissing as exc:
        raise ValidationError({"deadline": [ValidationError(exc.message, code=exc.code)]}) from exc


def _register(
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
    milestones: list[dict[str, Any]] | None = None,
    from_above: bool = False,
    authorised_by_source: bool = False,
    **fields: Any,
) -> Matter:
    if not authorised_by_source:
        _office_may_create(actor, mechanism, from_above=from_above)
    if lead_unit.jurisdiction_id != mechanism.jurisdiction_id:
        raise ValidationError(
            {
                "lead_unit": [
                    ValidationError(
                        _("The lead unit must belong to the joint meeting's jurisdiction."),
                        code="matter.lead_unit_jurisdiction",
                    )
                ]
            }
        )
    due = _compute_deadline(deadline_kind, start_date, deadline_days, deadline)
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
    matter.full_clean(exclude=["created_at", "updated_at"])
    matter.save()
    for unit in co_units or []:
        if unit.pk != lead_unit.pk:
            MatterCoUnit.objects.create(matter=matter, unit=unit)
    for row in milestones or []:
        _new_milestone(matter, row)
    stones = list(matter.milestones.all())
    matter.next_feedback_due = deadlines.next_report_due(
        matter.feedback_cadence,
        start_date,
        day_of_month=matter.feedback_day,
        milestones=stones,
        deadline=due,
    )
    matter.next_milestone_due = _next_milestone_due(stones)
    matter.save(update_fields=["next_feedback_due", "next_milestone_due"])
    add_timeline(matter, actor, "created", to_state=matter.state)
    reindex(matter)
    record(actor, "matters.matter.create", matter, after=snapshot(matter))
    return matter


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
    milestones: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Matter:
    """Register (立项) a matter in the draft state. Deadline, warning date and next report
    date are computed from the rule; the typed fields go through model validation.
    `milestones`: optional rows {title, due_date, weight}."""
    return _register(
        actor,
        mechanism=mechanism,
        title=title,
        lead_unit=lead_unit,
        start_date=start_date,
        deadline_kind=deadline_kind,
        deadline_days=deadline_days,
        deadline=deadline,
        co_units=co_units,
        parent=parent,
        shared_upward=shared_upward,
        milestones=milestones,
        **fields,
    )


@transaction.atomic
def open_for_source(
    actor: Any,
    *,
    mechanism: Any,
    source_kind: str,
    source_ref: str,
    title: str,
    lead_unit: Any,
    start_date: datetime.date,
    deadline: datetime.date,
    **fields: Any,
) -> Matter:
    """Register a business record's matter and assign it to the lead unit at once. For
    records whose own permission check stands in for the office's: the caller (a business
    app's action) has already decided that `actor` may create the record — e.g. a court
    recording the delivery of a judicial recommendation opens a rectification matter per item,
    or the daily loss-risk job opens one for a flagged body. The matter is the office's to
    supervise from then on, exactly like one the office registered; the audit trail names the
    actor."""
    if not source_kind or not source_ref:
        raise ValueError("open_for_source needs a registered source kind and reference")
    matter = _register(
        actor,
        mechanism=mechanism,
        title=title,
        lead_unit=lead_unit,
        start_date=start_date,
        deadline=deadline,
        source_kind=source_kind,
        source_ref=source_ref,
        authorised_by_source=True,
        **fields,
    )
    return transition(actor, matter, "assign", as_roles={wf.OFFICE})


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def _today() -> datetime.date:
    return timezone.localdate()


# --- the workflow -----------------------------------------------------------------------------
def transition(
    actor: Any,
    matter: Matter,
    name: str,
    *,
    comment: str = "",
    values: dict[str, Any] | None = None,
    expected_version: int | None = None,
    as_roles: set[str] | None = None,
) -> Matter:
    """Take a transition of the matter workflow. The graph decides who may, and whether a
    comment or fields are needed (raises TransitionError); see `_TRANSITION_EFFECTS` for what
    each transition writes besides the state (an effect may return detail for the timeline).
    `as_roles` is for `open_for_source` only: the roles the graph is asked with instead of the
    actor's own relations to the matter."""
    with transaction.atomic():
        values = dict(values or {})
        step = wf.MATTER_WORKFLOW.check(
            name,
            matter.state,
            as_roles if as_roles is not None else relations_to(actor, matter),
            comment=comment,
            values=values,
            enabled_steps=matter.enabled_steps(),
        )
        before = snapshot(matter)
        from_state = matter.state
        effect = _TRANSITION_EFFECTS.get(name)
        detail = effect(actor, matter, values, comment) if effect is not None else None
        matter.state = step.target
        matter.save_checked(matter.version if expected_version is None else expected_version)
        add_timeline(
            matter,
            actor,
            f"transition:{name}",
            text=comment,
            from_state=from_state,
            to_state=step.target,
            detail=detail,
        )
        record(
            actor,
            f"matters.matter.{name}",
            matter,
            before=before,
            after=snapshot(matter),
            detail={"comment": comment} if comment else None,
        )
        recompute_progress(matter)
    return matter


def _on_sign(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.signed_at = timezone.now()


def _unit_users(unit_id: int) -> Any:
    """Users holding an active role for the unit today (liaison officers, court staff)."""
    from fuyuan.accounts.models import RoleAssignment, User

    active = RoleAssignment.objects.active_on(_today()).filter(unit_id=unit_id)
    return User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("username")


def handler_candidates(matter: Matter) -> Any:
    """Whom the lead unit may hand the matter to, or name as its leader in charge."""
    return _unit_users(matter.lead_unit_id)


def _check_unit_member(matter: Matter, user: Any, field: str) -> None:
    if user is not None and not handler_candidates(matter).filter(pk=user.pk).exists():
        raise TransitionError(f"matter.{field}_not_in_unit", _("Choose a person of the lead unit."))


def _on_hand_to_handler(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    _check_unit_member(matter, values["handler"], "handler")
    matter.handler = values["handler"]
    if values.get("unit_leader") is not None:
        _check_unit_member(matter, values["unit_leader"], "unit_leader")
        matter.unit_leader = values["unit_leader"]


def _consolidate(matter: Matter) -> dict[str, Any] | None:
    """With "lead_unit_consolidation", the lead unit reports only once every co-unit has
    reported to it; their reports go into the timeline entry of the report."""
    if "lead_unit_consolidation" not in matter.enabled_steps():
        return None
    rows = list(matter.co_units.select_related("unit").order_by("unit__order_no", "pk"))
    pending = [r.unit.name for r in rows if r.reported_at is None]
    if pending:
        raise TransitionError(
            "matter.co_units_pending",
            _("Co-units have not reported yet: %(units)s.") % {"units": ", ".join(pending)},
        )
    now = timezone.now()
    for row in rows:
        row.consolidated_at = now
        row.save(update_fields=["consolidated_at"])
    if not rows:
        return None
    return {"co_unit_reports": [{"unit": r.unit.name, "report": r.report} for r in rows]}


def _on_report(
    actor: Any, matter: Matter, values: dict[str, Any], comment: str
) -> dict[str, Any] | None:
    detail = _consolidate(matter)
    matter.summary = str(values["summary"]).strip()
    matter.reported_at = timezone.now()
    return detail


def _on_submit_for_check(
    actor: Any, matter: Matter, values: dict[str, Any], comment: str
) -> dict[str, Any] | None:
    if values.get("unit_leader") is not None:
        _check_unit_member(matter, values["unit_leader"], "unit_leader")
        matter.unit_leader = values["unit_leader"]
    if matter.unit_leader_id is None:
        raise TransitionError(
            "matter.unit_leader_required", _("Name the leader in charge who checks the report.")
        )
    return _on_report(actor, matter, values, comment)


def _on_complete(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.completed_at = timezone.now()
    matter.progress = 100


def _on_close(actor: Any, matter: Matter, values: dict[str, Any], comment: str) -> None:
    matter.closed_at = timezone.now()


_TRANSITION_EFFECTS: dict[str, Any] = {
    "sign": _on_sign,
    "hand_to_handler": _on_hand_to_handler,
    "report": _on_report,
    "submit_for_check": _on_submit_for_check,
    "complete": _on_complete,
    "close": _on_close,
}


# --- progress ---------------------------------------------------------------------------------
def _next_milestone_due(milestones: list[Milestone]) -> datetime.date | None:
    pending = [m.due_date for m in milestones if m.reached_on is None]
    return min(pending) if pending else None


def derived_progress(matter: Matter) -> int:
    """Milestones (weights reached / total) if any; else the children weighted by their
    weight; else the typed percentage. A finished matter is 100."""
    if matter.state in wf.DONE_STATES:
        return 100
    stones = list(matter.milestones.all())
    if stones:
        total = sum(m.weight for m in stones)
        reached = sum(m.weight for m in stones if m.reached_on is not None)
        return round(100 * reached / total) if total else 0
    children = list(matter.children.values_list("progress", "weight"))
    if children:
        total = sum(w for _p, w in children)
        return round(sum(p * w for p, w in children) / total) if total else 0
    return min(100, matter.progress_typed or 0)


def recompute_progress(matter: Matter) -> None:
    """Derive the progress and next milestone date, then roll up to the parent, its parent…
    Written with UPDATE (no version bump): it is a figure computed from other records."""
    seen: set[int] = set()
    current: Matter | None = matter
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        progress = derived_progress(current)
        milestone_due = _next_milestone_due(list(current.milestones.all()))
        if progress != current.progress or milestone_due != current.next_milestone_due:
            Matter.objects.filter(pk=current.pk).update(
                progress=progress, next_milestone_due=milestone_due
            )
            current.progress = progress
            current.next_milestone_due = milestone_due
        current = Matter.objects.filter(pk=current.parent_id).first() if current.parent_id else None


# --- urging -----------------------------------------------------------------------------------
def matter_url(matter: Matter) -> str:
    from django.urls import reverse

    return reverse("matters:matter_detail", args=[matter.pk])


def _queue(matter: Matter, kind: str, recipients: list[Any], subject: str, body: str = "") -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return
    due = _today()
    url = matter_url(matter)

    def send() -> None:
        notify(
            ref_kind=SEARCH_KIND,
            ref_id=matter.pk,
            kind=kind,
            due_date=due,
            recipients=people,
            subject=subject,
            body=body,
            url=url,
        )
        # Deliver now rather than at the scheduler's next tick.
        kick_delivery()

    transaction.on_commit(send)


@transaction.atomic
def urge(actor: Any, matter: Matter, text: str) -> TimelineEntry:
    """催办: the office presses the lead unit (its liaison officers and the handler)."""
    require(actor, "urge", matter)
    text = text.strip()
    if not text:
        raise _error("text", _("Write what the lead unit is urged to do."), "urge.text_required")
    entry = add_timeline(matter, actor, "urge", text=text)
    recipients = [*_unit_users(matter.lead_unit_id), matter.handler]
    record(actor, "matters.matter.urge", matter, detail={"text": text})
    _queue(
        matter,
        "urge",
        recipients,
        _("Urged: %(title)s") % {"title": matter.title},
        text,
    )
    return entry


# --- feedback ---------------------------------------------------------------------------------
def _check_milestone(matter: Matter, milestone: Milestone | None) -> None:
    if milestone is not None and milestone.matter_id != matter.pk:
        raise _error(
            "milestone", _("That milestone belongs to another matter."), "feedback.milestone"
        )


def _check_progress(progress: int | None) -> None:
    if progress is not None and not 0 <= progress <= 100:
        raise _error("progress", _("Progress is a percentage from 0 to 100."), "feedback.progress")


def own_draft(actor: Any, matter: Matter) -> Feedback | None:
    return (
        Feedback.objects.filter(matter=matter, author=actor, status=FeedbackStatus.DRAFT)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def save_feedback_draft(
    actor: Any,
    matter: Matter,
    text: str,
    progress: int | None = None,
    milestone: Milestone | None = None,
) -> Feedback:
    """Create or update the author's draft report (autosave). Drafts are seen by the author
    only."""
    require(actor, "feedback", matter)
    _check_progress(progress)
    _check_milestone(matter, milestone)
    draft = own_draft(actor, matter)
    created = draft is None
    if draft is None:
        draft = Feedback(matter=matter, unit=matter.lead_unit, author=actor)
    draft.text = text
    draft.progress = progress
    draft.milestone = milestone
    draft.save()
    # Autosave runs every few seconds of typing: audit the draft once, when it is started;
    # its content is audited when it is submitted.
    if created:
        record(actor, "matters.feedback.draft", draft, after=snapshot(draft))
    return draft


@transaction.atomic
def submit_feedback(actor: Any, feedback: Feedback) -> Feedback:
    """Submit a draft: it records the date it was due, marks its milestone reached, updates
    progress and moves the next report date along the cadence."""
    matter = Matter.objects.select_related("mechanism").get(pk=feedback.matter_id)
    require(actor, "feedback", matter)
    if feedback.author_id != actor.pk or feedback.status != FeedbackStatus.DRAFT:
        raise PermissionDenied("feedback")
    if not feedback.text.strip():
        raise _error("text", _("Write the progress made."), "feedback.text_required")
    _check_progress(feedback.progress)
    _check_milestone(matter, feedback.milestone)
    today = _today()
    before = snapshot(feedback)
    feedback.status = FeedbackStatus.SUBMITTED
    feedback.submitted_at = timezone.now()
    feedback.due_date = matter.next_feedback_due
    feedback.save()
    if feedback.milestone is not None and feedback.milestone.reached_on is None:
        feedback.milestone.reached_on = today
        feedback.milestone.save(update_fields=["reached_on"])
    matter_before = snapshot(matter)
    if feedback.progress is not None:
        matter.progress_typed = feedback.progress
    stones = list(matter.milestones.all())
    anchor = max(today, matter.next_feedback_due or today)
    matter.next_feedback_due = deadlines.next_report_due(
        matter.feedback_cadence,
        anchor,
        day_of_month=matter.feedback_day,
        milestones=stones,
        deadline=matter.deadline,
    )
    matter.save_checked(matter.version, ["progress_typed", "next_feedback_due"])
    recompute_progress(matter)
    add_timeline(
        matter,
        actor,
        "feedback",
        text=feedback.text,
        detail={
            "feedback": feedback.pk,
            "progress": matter.progress,
            "milestone": feedback.milestone.title if feedback.milestone else None,
            "late": feedback.was_late,
        },
    )
    record(actor, "matters.feedback.submit", feedback, before=before, after=snapshot(feedback))
    record(actor, "matters.matter.feedback", matter, before=matter_before, after=snapshot(matter))
    return feedback


# --- milestones -------------------------------------------------------------------------------
def _new_milestone(matter: Matter, row: dict[str, Any]) -> Milestone:
    stone = Milestone(
        matter=matter,
        title=str(row["title"]).strip(),
        due_date=row["due_date"],
        weight=row.get("weight") or 1,
    )
    stone.full_clean(exclude=["matter", "created_at", "updated_at"])
    stone.save()
    return stone


@transaction.atomic
def set_milestones(actor: Any, matter: Matter, rows: list[dict[str, Any]]) -> list[Milestone]:
    """Add, change or remove (unreached only) milestones; rows carry `id` for existing ones
    and `delete` to remove. Progress and the next milestone date follow."""
    require(actor, "edit", matter)
    existing = {m.pk: m for m in matter.milestones.all()}
    before = [snapshot(m) for m in existing.values()]
    for row in rows:
        stone = existing.get(row.get("id") or 0)
        if stone is None:
            if row.get("title") and not row.get("delete"):
                _new_milestone(matter, row)
            continue
        if row.get("delete"):
            if stone.reached_on is not None:
                raise _error(
                    None, _("A milestone already reached cannot be removed."), "milestone.reached"
                )
            stone.delete()
            continue
        stone.title = str(row["title"]).strip()
        stone.due_date = row["due_date"]
        stone.weight = row.get("weight") or 1
        stone.full_clean(exclude=["matter", "created_at", "updated_at"])
        stone.save()
    stones = list(matter.milestones.all())
    recompute_progress(matter)
    add_timeline(
        matter,
        actor,
        "milestones",
        detail={"milestones": [[m.title, m.due_date.isoformat(), m.weight] for m in stones]},
    )
    record(
        actor,
        "matters.matter.milestones",
        matter,
        detail={"before": before, "after": [snapshot(m) for m in stones]},
    )
    return stones


# --- co-units ---------------------------------------------------------------------------------
@transaction.atomic
def co_unit_report(actor: Any, matter: Matter, text: str) -> MatterCoUnit:
    """A co-unit's report to the lead unit (配合单位反馈), kept for its consolidation."""
    require(actor, "co_unit_report", matter)
    text = text.strip()
    if not text:
        raise _error("text", _("Write the co-unit's report."), "co_unit.text_required")
    units = scope_for(actor).unit_ids
    row = matter.co_units.filter(unit_id__in=sorted(units)).select_related("unit").first()
    if row is None:  # pragma: no cover - permits() already asked the same question
        raise PermissionDenied("co_unit_report")
    if row.consolidated_at is not None:
        raise _error(
            "text",
            _("The lead unit has already consolidated this report."),
            "co_unit.consolidated",
        )
    before = snapshot(row)
    row.report = text
    row.reported_at = timezone.now()
    row.reported_by = actor
    row.save()
    add_timeline(matter, actor, "co_unit_report", text=text, detail={"unit": row.unit.name})
    record(actor, "matters.co_unit.report", row, before=before, after=snapshot(row))
    return row


# --- extensions -------------------------------------------------------------------------------
@transaction.atomic
def request_extension(
    actor: Any,
    matter: Matter,
    reason: str,
    new_deadline: datetime.date,
    progress_note: str,
) -> ExtensionRequest:
    """延期申请: filed before the deadline, with a reason, a later date and the progress made;
    one pending at a time."""
    require(actor, "request_extension", matter)
    if _today() > matter.deadline:
        raise _error(
            None,
            _("An extension must be requested before the deadline has passed."),
            "extension.too_late",
        )
    if new_deadline <= matter.deadline:
        raise _error(
            "new_deadline",
            _("The new deadline must be after the current one."),
            "extension.not_later",
        )
    if not reason.strip():
        raise _error("reason", _("Give the reason."), "extension.reason_required")
    if not progress_note.strip():
        raise _error(
            "progress_note", _("Describe the progress so far."), "extension.progress_required"
        )
    if matter.extensions.filter(state=wf.EXT_PENDING).exists():
        raise _error(None, _("An extension request is already waiting."), "extension.pending")
    request = ExtensionRequest.objects.create(
        matter=matter,
        requested_by=actor,
        reason=reason.strip(),
        progress_note=progress_note.strip(),
        old_deadline=matter.deadline,
        new_deadline=new_deadline,
        level=matter.extension_count + 1,
    )
    add_timeline(
        matter,
        actor,
        "extension_requested",
        text=request.reason,
        detail={"new_deadline": new_deadline.isoformat(), "level": request.level},
    )
    record(actor, "matters.extension.request", request, after=snapshot(request))
    return request


def extension_action(request: ExtensionRequest) -> str:
    """The permission that decides this request: the office the first, a leader later ones."""
    return "decide_extension" if request.level <= 1 else "decide_second_extension"


@transaction.atomic
def decide_extension(
    actor: Any, request: ExtensionRequest, approve: bool, comment: str = ""
) -> ExtensionRequest:
    matter = Matter.objects.select_related("mechanism").get(pk=request.matter_id)
    require(actor, extension_action(request), matter)
    if request.state != wf.EXT_PENDING:
        raise _error(None, _("This request has already been decided."), "extension.decided")
    if not approve and not comment.strip():
        raise _error("comment", _("Give the reason for refusing."), "extension.comment_required")
    before = snapshot(request)
    request.state = wf.EXT_APPROVED if approve else wf.EXT_REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment.strip()
    request.save()
    detail: dict[str, Any] = {"level": request.level, "approved": approve}
    if approve:
        matter_before = snapshot(matter)
        detail["old_deadline"] = matter.deadline.isoformat()
        detail["old_rule"] = [matter.deadline_kind, matter.deadline_days]
        # The granted date is a fixed date: a calendar edit must not move it back.
        matter.deadline_kind = DeadlineKind.DATE
        matter.deadline_days = None
        matter.deadline = request.new_deadline
        matter.warn_from = deadlines.compute_warn_from(
            matter.deadline, matter.mechanism.config.warn_days_before_deadline
        )
        matter.extension_count += 1
        matter.save_checked(
            matter.version,
            ["deadline_kind", "deadline_days", "deadline", "warn_from", "extension_count"],
        )
        detail["new_deadline"] = matter.deadline.isoformat()
        record(
            actor,
            "matters.matter.extend",
            matter,
            before=matter_before,
            after=snapshot(matter),
        )
    add_timeline(
        matter,
        actor,
        "extension_approved" if approve else "extension_refused",
        text=request.decision_comment,
        detail=detail,
    )
    record(actor, "matters.extension.decide", request, before=before, after=snapshot(request))
    _queue(
        matter,
        "extension_decided",
        [request.requested_by],
        (_("Extension approved: %(title)s") if approve else _("Extension refused: %(title)s"))
        % {"title": matter.title},
        request.decision_comment,
    )
    return request


# --- decomposition (分解细化) -----------------------------------------------------------------
@transaction.atomic
def decompose(actor: Any, matter: Matter, parts: list[dict[str, Any]]) -> list[Matter]:
    """Split a matter into sub-matters: for county offices (a county's mechanism, led by its
    office or one of its units) or, at the same level, for units. A sub-matter of a lower
    level is seen from above at once; one kept at the same level stays private until the
    office shares it upward. Each part: {mechanism, lead_unit, title, deadline, weight}."""
    require(actor, "decompose", matter)
    if matter.state in wf.DONE_STATES or matter.state == wf.SUSPENDED:
        raise _error(None, _("A finished or suspended matter cannot be split."), "decompose.state")
    if not parts:
        raise _error(None, _("Give at least one sub-matter."), "decompose.empty")
    today = _today()
    children = []
    for part in parts:
        mechanism = part["mechanism"]
        jurisdiction = mechanism.jurisdiction
        if not jurisdiction.path.startswith(matter.jurisdiction.path):
            raise _error(
                "mechanism",
                _("A sub-matter goes to this jurisdiction or one below it."),
                "decompose.jurisdiction",
            )
        deadline = part["deadline"]
        if deadline > matter.deadline:
            raise _error(
                "deadline",
                _("A sub-matter's deadline cannot be after the matter's own."),
                "decompose.deadline_after_parent",
            )
        same_level = jurisdiction.pk == matter.jurisdiction_id
        child = _register(
            actor,
            mechanism=mechanism,
            title=part.get("title") or matter.title,
            lead_unit=part["lead_unit"],
            start_date=min(today, deadline),
            deadline=deadline,
            parent=matter,
            shared_upward=not same_level,
            from_above=True,
            weight=part.get("weight") or 1,
            description=matter.description,
            matter_type=matter.matter_type,
            task_area=matter.task_area if same_level else None,
            is_key_issue=matter.is_key_issue,
            enterprise_related=matter.enterprise_related,
            tags=list(matter.tags or []),
            feedback_cadence=matter.feedback_cadence,
            feedback_day=matter.feedback_day,
        )
        # Assigned at once: the decomposition is the assignment.
        child.state = wf.ASSIGNED
        child.save_checked(child.version, ["state"])
        add_timeline(
            child,
            actor,
            "transition:assign",
            from_state=wf.DRAFT,
            to_state=wf.ASSIGNED,
            detail={"parent": matter.pk},
        )
        record(actor, "matters.matter.assign", child, after=snapshot(child))
        _queue(
            child,
            "assigned",
            list(_unit_users(child.lead_unit_id)),
            _("Assigned: %(title)s") % {"title": child.title},
        )
        children.append(child)
    recompute_progress(matter)
    add_timeline(
        matter,
        actor,
        "decomposed",
        detail={"children": [[c.pk, c.jurisdiction.name, c.lead_unit.name] for c in children]},
    )
    record(
        actor,
        "matters.matter.decompose",
        matter,
        detail={"children": [c.pk for c in children]},
    )
    return children


@transaction.atomic
def share_upward(actor: Any, matter: Matter) -> Matter:
    """The office of the matter's level lets the level above see it (and its details)."""
    require(actor, "share_upward", matter)
    before = snapshot(matter)
    matter.shared_upward = True
    matter.save_checked(matter.version, ["shared_upward"])
    add_timeline(matter, actor, "shared_upward")
    record(actor, "matters.matter.share_upward", matter, before=before, after=snapshot(matter))
    return matter


# --- evaluation -------------------------------------------------------------------------------
@transaction.atomic
def evaluate(
    actor: Any,
    matter: Matter,
    timeliness: int,
    quality: int,
    effect: int,
    comment: str = "",
) -> Evaluation:
    """The assigning side rates a finished matter once; the score goes to the lead unit."""
    require(actor, "evaluate", matter)
    if Evaluation.objects.filter(matter=matter).exists():
        raise _error(None, _("This matter has already been rated."), "evaluation.exists")
    for name, value in (("timeliness", timeliness), ("quality", quality), ("effect", effect)):
        if not 1 <= int(value) <= 5:
            raise _error(name, _("Rate from 1 to 5."), "evaluation.score")
    evaluation = Evaluation.objects.create(
        matter=matter,
        unit=matter.lead_unit,
        rated_by=actor,
        timeliness=timeliness,
        quality=quality,
        effect=effect,
        comment=comment.strip(),
    )
    add_timeline(
        matter,
        actor,
        "evaluated",
        text=evaluation.comment,
        detail={"timeliness": timeliness, "quality": quality, "effect": effect},
    )
    record(actor, "matters.evaluation.create", evaluation, after=snapshot(evaluation))
    return evaluation


# --- attachments ------------------------------------------------------------------------------
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Types recognised from the content (filetype) that may be attached.
_ALLOWED_KINDS = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Zip containers whose kind only the name tells (OOXML written by WPS, OFD e-documents).
_ZIP_BASED = {
    "docx": _ALLOWED_KINDS["docx"],
    "xlsx": _ALLOWED_KINDS["xlsx"],
    "pptx": _ALLOWED_KINDS["pptx"],
    "ofd": "application/ofd",
}


# The parts a zip container of each kind must hold: any other zip (an archive of programs
# renamed .docx) is refused.
_ZIP_PARTS = {
    "docx": ("[Content_Types].xml", "word/"),
    "xlsx": ("[Content_Types].xml", "xl/"),
    "pptx": ("[Content_Types].xml", "ppt/"),
    "ofd": ("OFD.xml", ""),
}


def _zip_holds(content: bytes, ext: str) -> bool:
    import io
    import zipfile

    marker, folder = _ZIP_PARTS[ext]
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return marker in names and (not folder or any(n.startswith(folder) for n in names))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(name: str, content: bytes, field: str = "file") -> tuple[str, str]:
    """(content type, file name) for an upload, judged by its bytes; the name's extension is
    corrected when the content says otherwise. Raises ValidationError "attachment.type"."""
    import filetype

    ext = _extension(name)
    stem = name[: -len(ext) - 1] if ext else name
    kind = filetype.guess(content[:8192])
    if kind is not None:
        if kind.extension in _ALLOWED_KINDS:
            fixed = "jpg" if kind.extension == "jpg" and ext == "jpeg" else kind.extension
            return _ALLOWED_KINDS[kind.extension], f"{stem}.{fixed}"
        if kind.extension == "zip" and ext in _ZIP_BASED and _zip_holds(content, ext):
            return _ZIP_BASED[ext], name
    elif ext == "txt":
        for encoding in ("utf-8", "gb18030"):
            try:
                content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "text/plain", name
    raise _error(
        field,
        _(
            "This kind of file cannot be attached. Attach PDF, Word, Excel, OFD, JPEG, PNG "
            "or plain text files."
        ),
        "attachment.type",
    )


def check_upload(uploaded: Any, field: str = "file") -> tuple[str, str, bytes]:
    """(content type, corrected name, bytes) of an upload: size limit, then type judged by
    the content. The one check every app's attachments go through (matters, liaison,
    reporting); errors are keyed to `field` with codes "attachment.size" / "attachment.type"."""
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise _error(
            field,
            _("The file is larger than %(limit)d MB.")
            % {"limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            "attachment.size",
        )
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    content_type, name = sniff(uploaded.name or "file", content, field)
    return content_type, fit_name(name), content


def fit_name(name: str, limit: int = 200) -> str:
    """A file name cut to `limit` characters (the stored names' length) keeping its
    extension, so a long name still ends in what the content is."""
    if len(name) <= limit:
        return name
    ext = _extension(name)
    if not ext or len(ext) > 10:
        return name[:limit]
    return name[: limit - len(ext) - 1] + "." + ext


def may_attach(actor: Any, matter: Matter) -> bool:
    return any(can(actor, a, matter) for a in ("feedback", "edit", "co_unit_report"))


@transaction.atomic
def add_attachment(
    actor: Any, matter: Matter, uploaded_file: Any, feedback: Feedback | None = None
) -> Attachment:
    """Attach a file to the matter or to one of the author's reports, type checked by its
    content and limited in size."""
    if not may_attach(actor, matter):
        raise PermissionDenied("attach")
    if feedback is not None and (feedback.matter_id != matter.pk or feedback.author_id != actor.pk):
        raise PermissionDenied("attach")
    content_type, name, _content = check_upload(uploaded_file)
    attachment = Attachment(
        matter=matter,
        feedback=feedback,
        name=name[:200],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    add_timeline(
        matter, actor, "attachment", text=attachment.name, detail={"attachment": attachment.pk}
    )
    record(actor, "matters.attachment.add", attachment, after=snapshot(attachment))
    return attachment


# --- editing ----------------------------------------------------------------------------------
EDITABLE_FIELDS = (
    "title",
    "description",
    "matter_type",
    "task_area",
    "lead_unit",
    "supervising_leader",
    "is_key_issue",
    "enterprise_related",
    "tags",
    "start_date",
    "deadline_kind",
    "deadline_days",
    "deadline",
    "feedback_cadence",
    "feedback_day",
    "progress_typed",
)
_RULE_FIELDS = ("start_date", "deadline_kind", "deadline_days", "deadline")


@transaction.atomic
def update_matter(
    actor: Any, matter: Matter, data: dict[str, Any], expected_version: int | None
) -> Matter:
    """The office edits a matter (fields in EDITABLE_FIELDS, and `co_units`). A changed
    deadline rule recomputes the deadline and the warning date; a stale form is refused."""
    require(actor, "edit", matter)
    before = snapshot(matter)
    unknown = set(data) - set(EDITABLE_FIELDS) - {"co_units"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    rule_before = tuple(getattr(matter, f) for f in _RULE_FIELDS)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(matter, name, data[name])
    if isinstance(matter.title, str):
        matter.title = matter.title.strip()
    if matter.lead_unit.jurisdiction_id != matter.jurisdiction_id:
        raise _error(
            "lead_unit",
            _("The lead unit must belong to the joint meeting's jurisdiction."),
            "matter.lead_unit_jurisdiction",
        )
    if tuple(getattr(matter, f) for f in _RULE_FIELDS) != rule_before:
        fixed = matter.deadline if matter.deadline_kind == DeadlineKind.DATE else None
        matter.deadline = _compute_deadline(
            matter.deadline_kind, matter.start_date, matter.deadline_days, fixed
        )
        if matter.deadline_kind == DeadlineKind.DATE:
            matter.deadline_days = None
        matter.warn_from = deadlines.compute_warn_from(
            matter.deadline, matter.mechanism.config.warn_days_before_deadline
        )
        if matter.next_feedback_due and matter.next_feedback_due > matter.deadline:
            matter.next_feedback_due = matter.deadline
    matter.full_clean(exclude=["created_at", "updated_at"])
    matter.save_checked(matter.version if expected_version is None else expected_version)
    if "co_units" in data:
        wanted = {u.pk: u for u in data["co_units"] if u.pk != matter.lead_unit_id}
        rows = {r.unit_id: r for r in matter.co_units.all()}
        for unit_id, row in rows.items():
            if unit_id not in wanted:
                row.delete()
        for unit_id, unit in wanted.items():
            if unit_id not in rows:
                MatterCoUnit.objects.create(matter=matter, unit=unit)
    changed = {k: v for k, v in (snapshot(matter) or {}).items() if (before or {}).get(k) != v}
    changed.pop("updated_at", None)
    changed.pop("version", None)
    add_timeline(matter, actor, "edited", detail={"fields": sorted(changed)})
    reindex(matter)
    recompute_progress(matter)
    record(actor, "matters.matter.update", matter, before=before, after=snapshot(matter))
    return matter


__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "SEARCH_KIND",
    "TransitionError",
    "add_attachment",
    "add_timeline",
    "check_upload",
    "co_unit_report",
    "create_matter",
    "decide_extension",
    "decompose",
    "derived_progress",
    "evaluate",
    "recompute_progress",
    "reindex",
    "request_extension",
    "save_feedback_draft",
    "set_milestones",
    "share_upward",
    "sniff",
    "submit_feedback",
    "transition",
    "update_matter",
    "urge",
]
