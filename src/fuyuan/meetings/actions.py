"""Every write of the meetings app: permission check, one transaction, write, audit
(ARCHITECTURE rule 4). Decisions become matters only through fuyuan.matters.actions."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.matters import actions as matter_actions
from fuyuan.matters import sources
from fuyuan.notify.outbox import notify

from . import search_index
from . import workflow as wf
from .models import (
    AgendaItem,
    Attendance,
    Decision,
    FeedToken,
    Invitation,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesComment,
)

SOURCE_KIND = "meetings.decision"
REF_MEETING = "meetings.meeting"
REF_MINUTES = "meetings.minutes"
REFERENCE_ID_LENGTH = 80  # AgendaItem.reference_id
MEETING_FIELDS = ("kind", "title", "chair_post", "chair_note", "starts_at", "ends_at", "place")


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def is_office_of(actor: Any, mechanism: Any) -> bool:
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


def unit_users(unit_ids: Iterable[int]) -> list[Any]:
    """Users acting for these units today (liaison officers, court staff)."""
    ids = sorted(set(unit_ids))
    if not ids:
        return []
    active = RoleAssignment.objects.active_on(timezone.localdate()).filter(
        unit_id__in=ids, role__in=[Role.LIAISON, Role.COURT]
    )
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def office_users(mechanism: Any) -> list[Any]:
    active = RoleAssignment.objects.active_on(timezone.localdate()).filter(
        jurisdiction_id=mechanism.jurisdiction_id, role=Role.OFFICE
    )
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def _notify_later(**kwargs: Any) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


# --- meetings -----------------------------------------------------------------------------
def _check_meeting(mechanism: Any, values: Mapping[str, Any]) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if values.get("kind") not in MeetingKind.values:
        errors.setdefault("kind", []).append(
            ValidationError(_("Choose the kind of meeting."), code="invalid_choice")
        )
    if not (values.get("title") or "").strip():
        errors.setdefault("title", []).append(
            ValidationError(_("Enter the title."), code="required")
        )
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None:
        errors.setdefault("starts_at", []).append(
            ValidationError(_("Enter when the meeting starts."), code="required")
        )
    if starts is not None and ends is not None and ends < starts:
        errors.setdefault("ends_at", []).append(
            ValidationError(_("The meeting ends before it starts."), code="meeting.dates")
        )
    post = values.get("chair_post")
    if post is not None and post.unit.jurisdiction_id != mechanism.jurisdiction_id:
        errors.setdefault("chair_post", []).append(
            ValidationError(
                _("The chair must hold a post in this jurisdiction."), code="meeting.chair"
            )
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def _check_unit(mechanism: Any, unit: Any, field: str) -> None:
    """Units of the mechanism's jurisdiction or any level above or below may be invited (the
    vertical contacts of DOMAIN.md §1); other counties' units may not."""
    path, mine = unit.jurisdiction.path, mechanism.jurisdiction.path
    if not (path.startswith(mine) or mine.startswith(path)):
        raise _error(field, _("This unit is outside the joint meeting's area."), "meeting.unit")


@transaction.atomic
def schedule_meeting(
    actor: Any,
    mechanism: Any,
    *,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    chair_post: Any = None,
    chair_note: str = "",
    agenda: Iterable[Mapping[str, Any]] = (),
    units: Iterable[Any] = (),
) -> Meeting:
    """The office of the mechanism calls a meeting, with its agenda and invited units."""
    if not is_office_of(actor, mechanism):
        raise PermissionDenied(_("Only the office of this joint meeting calls its meetings."))
    values = {
        "kind": kind,
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at or starts_at + datetime.timedelta(hours=2),
        "place": (place or "").strip(),
        "chair_post": chair_post,
        "chair_note": (chair_note or "").strip(),
    }
    _check_meeting(mechanism, values)
    values["title"] = title.strip()
    meeting = Meeting(mechanism=mechanism, created_by=actor, **values)
    meeting.save()
    record(actor, "meetings.meeting.schedule", meeting, after=snapshot(meeting))
    for row in agenda:
        add_agenda_item(actor, meeting, **row)
    invite(actor, meeting, units)
    return meeting


@transaction.atomic
def update_meeting(
    actor: Any, meeting: Meeting, data: Mapping[str, Any], expected_version: int | None = None
) -> Meeting:
    require(actor, "edit", meeting)
    values = {f: data.get(f, getattr(meeting, f)) for f in MEETING_FIELDS}
    if values["ends_at"] is None and values["starts_at"] is not None:
        values["ends_at"] = values["starts_at"] + datetime.timedelta(hours=2)
    _check_meeting(meeting.mechanism, values)
    before = snapshot(meeting)
    for name, value in values.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    meeting.save_checked(meeting.version if expected_version is None else expected_version)
    record(actor, "meetings.meeting.update", meeting, before=before, after=snapshot(meeting))
    return meeting


@transaction.atomic
def add_agenda_item(
    actor: Any,
    meeting: Meeting,
    *,
    title: str,
    matter: Any = None,
    reference_kind: str = "",
    reference_id: str = "",
    note: str = "",
    order: int | None = None,
) -> AgendaItem:
    """An agenda item points to a matter of this mechanism, or to a registered reference."""
    require(actor, "edit", meeting)
    title = (title or "").strip() or (matter.title if matter is not None else "")
    if not title:
        raise _error("title", _("Enter the agenda item."), "required")
    if matter is not None and matter.mechanism_id != meeting.mechanism_id:
        raise _error("matter", _("The matter belongs to another joint meeting."), "agenda.matter")
    reference_kind, reference_id = (reference_kind or "").strip(), str(reference_id or "").strip()
    if reference_kind and sources.get(reference_kind) is None:
        raise _error("reference_kind", _("Unknown kind of reference."), "agenda.reference_kind")
    if bool(reference_kind) != bool(reference_id):
        raise _error(
            "reference_id", _("Give both the kind and the id of the reference."), "agenda.reference"
        )
    if order is None:
        order = (meeting.agenda.aggregate(m=Max("order"))["m"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        order=order,
        title=title,
        matter=matter,
        reference_kind=reference_kind,
        reference_id=reference_id,
        note=(note or "").strip(),
    )
    item.save()
    record(actor, "meetings.agenda_item.create", item, after=snapshot(item))
    return item


@transaction.atomic
def remove_agenda_item(actor: Any, item: AgendaItem) -> None:
    require(actor, "edit", item.meeting)
    record(actor, "meetings.agenda_item.delete", item, before=snapshot(item))
    item.delete()


@transaction.atomic
def update_agenda_item(
    actor: Any,
    item: AgendaItem,
    *,
    title: str,
    matter: Any = None,
    note: str = "",
    order: int | None = None,
) -> AgendaItem:
    """Change an item's title, matter, note or place; its reference (kind + id) is kept as it
    is: the record it points to does not change when the agenda is edited."""
    meeting = item.meeting
    require(actor, "edit", meeting)
    title = (title or "").strip() or (matter.title if matter is not None else "")
    if not title:
        raise _error("title", _("Enter the agenda item."), "required")
    if matter is not None and matter.mechanism_id != meeting.mechanism_id:
        raise _error("matter", _("The matter belongs to another joint meeting."), "agenda.matter")
    values = {
        "title": title,
        "matter_id": matter.pk if matter is not None else None,
        "note": (note or "").strip(),
        "order": item.order if order is None else order,
    }
    if all(getattr(item, name) == value for name, value in values.items()):
        return item
    before = snapshot(item)
    for name, value in values.items():
        setattr(item, name, value)
    item.save_checked(item.version)
    record(actor, "meetings.agenda_item.update", item, before=before, after=snapshot(item))
    return item


@transaction.atomic
def set_agenda(actor: Any, meeting: Meeting, rows: Iterable[Mapping[str, Any]]) -> None:
    """Make the agenda `rows` ({item, title, matter, reference_kind, reference_id, note}), in
    that order. A row naming an existing `item` (its pk) of this meeting updates that item in
    place — keeping its reference and the decisions linked to it; other rows add items;
    items named by no row are removed."""
    require(actor, "edit", meeting)
    existing = {item.pk: item for item in meeting.agenda.all()}
    for current in existing.values():
        current.meeting = meeting  # already loaded: no query per item
    plan: list[tuple[AgendaItem | None, dict[str, Any]]] = []
    kept: set[int] = set()
    for row in rows:
        values = dict(row)
        wanted = values.pop("item", None)
        wanted_pk = getattr(wanted, "pk", wanted)
        found: AgendaItem | None = None
        try:
            found = existing.get(int(wanted_pk)) if wanted_pk not in (None, "") else None
        except (TypeError, ValueError):
            found = None
        if found is not None and found.pk in kept:
            found = None  # the same item named twice: the second row is a new item
        if found is not None:
            kept.add(found.pk)
        plan.append((found, values))
    for pk, current in existing.items():
        if pk not in kept:
            remove_agenda_item(actor, current)
    for order, (target, values) in enumerate(plan, start=1):
        if target is None:
            add_agenda_item(actor, meeting, order=order, **values)
        else:
            update_agenda_item(
                actor,
                target,
                title=values.get("title") or "",
                matter=values.get("matter"),
                note=values.get("note") or "",
                order=order,
            )


def reference_items(meeting: Meeting, kind: str, ref: str) -> Any:
    return meeting.agenda.filter(reference_kind=kind, reference_id=str(ref))


@transaction.atomic
def add_reference_item(
    actor: Any, meeting: Meeting, *, kind: str, ref: str | int, title: str = ""
) -> AgendaItem:
    """Put a registered record (a case, a dispute …) on a meeting's agenda as its last item —
    once per meeting. The title defaults to the kind's label and the id."""
    require(actor, "edit", meeting)
    kind, ref = (kind or "").strip(), str(ref or "").strip()
    if sources.get(kind) is None:
        raise _error("reference_kind", _("Unknown kind of reference."), "agenda.reference_kind")
    if not ref or len(ref) > REFERENCE_ID_LENGTH:
        raise _error("reference_id", _("Give the id of the record."), "agenda.reference")
    # Lock the meeting so two clicks cannot both add the same record.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if reference_items(meeting, kind, ref).exists():
        raise _error(
            None, _("This record is already on the meeting's agenda."), "agenda.duplicate_reference"
        )
    title = (title or "").strip() or f"{sources.label_of(kind)} {ref}"
    return add_agenda_item(actor, meeting, title=title[:200], reference_kind=kind, reference_id=ref)


@transaction.atomic
def invite(actor: Any, meeting: Meeting, units: Iterable[Any]) -> list[Invitation]:
    """Invite units (once each); their liaison officers get the invitation in their inbox."""
    require(actor, "invite", meeting)
    already = set(meeting.invitations.values_list("unit_id", flat=True))
    created: list[Invitation] = []
    for unit in units:
        if unit.pk in already:
            continue
        _check_unit(meeting.mechanism, unit, "units")
        invitation = Invitation(meeting=meeting, unit=unit)
        invitation.save()
        already.add(unit.pk)
        created.append(invitation)
        record(actor, "meetings.invitation.create", invitation, after=snapshot(invitation))
    if created:
        local = timezone.localtime(meeting.starts_at)
        _notify_later(
            ref_kind=REF_MEETING,
            ref_id=meeting.pk,
            kind="invitation",
            due_date=local.date(),
            recipients=unit_users(i.unit_id for i in created),
            subject=_("Meeting invitation: %(title)s, %(when)s, %(place)s")
            % {
                "title": meeting.title,
                "when": local.strftime("%Y-%m-%d %H:%M"),
                "place": meeting.place,
            },
            url=reverse("meetings:meeting_detail", args=[meeting.pk]),
        )
    return created


@transaction.atomic
def uninvite(actor: Any, invitation: Invitation) -> None:
    require(actor, "invite", invitation.meeting)
    record(actor, "meetings.invitation.delete", invitation, before=snapshot(invitation))
    invitation.delete()


@transaction.atomic
def sign_in(
    actor: Any, invitation: Invitation, attendance: str, attendee_name: str = ""
) -> Invitation:
    """The invited unit's liaison signs in its attendance (出席 / 请假 / 列席); the office can
    record it for any unit."""
    require(actor, "sign_in", invitation)
    if attendance not in Attendance.values:
        raise _error("attendance", _("Choose the attendance."), "invalid_choice")
    before = snapshot(invitation)
    invitation.attendance = attendance
    invitation.attendee_name = (attendee_name or "").strip()[:60]
    invitation.signed_in_at = timezone.now() if attendance != Attendance.UNKNOWN else None
    invitation.signed_in_by = actor if attendance != Attendance.UNKNOWN else None
    invitation.save_checked(invitation.version)
    record(
        actor, "meetings.invitation.sign_in", invitation, before=before, after=snapshot(invitation)
    )
    return invitation


@transaction.atomic
def meeting_transition(actor: Any, meeting: Meeting, name: str, comment: str = "") -> Meeting:
    """Hold or cancel a meeting (the graph decides who may)."""
    step = wf.MEETING_WORKFLOW.check(
        name, meeting.state, relations_to(actor, meeting), comment=comment
    )
    if name == "hold" and meeting.starts_at > timezone.now():
        raise _error(None, _("The meeting has not started yet."), "meeting.not_started")
    before = snapshot(meeting)
    meeting.state = step.target
    if name == "hold":
        meeting.held_at = timezone.now()
    if name == "cancel":
        meeting.state_comment = comment.strip()
    meeting.save_checked(meeting.version)
    record(actor, f"meetings.meeting.{name}", meeting, before=before, after=snapshot(meeting))
    if name == "cancel":
        _notify_later(
            ref_kind=REF_MEETING,
            ref_id=meeting.pk,
            kind="cancelled",
            due_date=timezone.localtime(meeting.starts_at).date(),
            recipients=unit_users(meeting.invitations.values_list("unit_id", flat=True)),
            subject=_("Meeting cancelled: %(title)s") % {"title": meeting.title},
            url=reverse("meetings:meeting_detail", args=[meeting.pk]),
        )
    return meeting


def hold(actor: Any, meeting: Meeting) -> Meeting:
    return meeting_transition(actor, meeting, "hold")


def cancel(actor: Any, meeting: Meeting, comment: str) -> Meeting:
    return meeting_transition(actor, meeting, "cancel", comment)


# --- minutes ------------------------------------------------------------------------------
def default_minutes_title(meeting: Meeting) -> str:
    return f"{meeting.title}纪要" if not meeting.title.endswith("纪要") else meeting.title


@transaction.atomic
def create_minutes(actor: Any, meeting: Meeting, *, title: str = "", body: str = "") -> Minutes:
    """The office drafts the minutes of a meeting that was held."""
    require(actor, "create_minutes", meeting)
    minutes = Minutes(
        meeting=meeting,
        mechanism=meeting.mechanism,
        year=timezone.localtime(meeting.starts_at).year,
        title=(title or "").strip() or default_minutes_title(meeting),
        body=body or "",
    )
    minutes.save()
    search_index.reindex(minutes)
    record(actor, "meetings.minutes.create", minutes, after=snapshot(minutes))
    return minutes


def _check_decision(minutes: Minutes, row: Mapping[str, Any], index: int) -> None:
    field = f"decisions-{index}"
    if not (row.get("text") or "").strip():
        raise _error(field, _("Enter the decision."), "required")
    if row.get("lead_unit") is None:
        raise _error(field, _("Choose the lead unit."), "required")
    if not isinstance(row.get("deadline"), datetime.date):
        raise _error(field, _("Enter the deadline."), "required")
    lead = row["lead_unit"]
    if lead.jurisdiction_id != minutes.mechanism.jurisdiction_id:
        raise _error(
            field,
            _("The lead unit must belong to the joint meeting's jurisdiction."),
            "decision.lead_unit",
        )
    for unit in row.get("co_units") or []:
        _check_unit(minutes.mechanism, unit, field)
    item = row.get("agenda_item")
    if item is not None and item.meeting_id != minutes.meeting_id:
        raise _error(
            field, _("The agenda item belongs to another meeting."), "decision.agenda_item"
        )


@transaction.atomic
def save_minutes(
    actor: Any,
    minutes: Minutes,
    *,
    title: str | None = None,
    body: str | None = None,
    decisions: Sequence[Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
) -> Minutes:
    """Edit the text and (when given) replace the decisions — rows of {text, lead_unit,
    co_units, deadline, agenda_item (optional)} — while the minutes are a draft or
    circulated."""
    require(actor, "edit", minutes)
    before = snapshot(minutes)
    if title is not None:
        if not title.strip():
            raise _error("title", _("Enter the title."), "required")
        minutes.title = title.strip()
    if body is not None:
        minutes.body = body
    minutes.save_checked(minutes.version if expected_version is None else expected_version)
    if decisions is not None:
        for i, row in enumerate(decisions):
            _check_decision(minutes, row, i)
        old = list(minutes.decisions.all())
        for decision in old:
            record(actor, "meetings.decision.delete", decision, before=snapshot(decision))
            decision.delete()
        for i, row in enumerate(decisions, start=1):
            decision = Decision(
                minutes=minutes,
                order=i,
                text=row["text"].strip(),
                lead_unit=row["lead_unit"],
                deadline=row["deadline"],
                agenda_item=row.get("agenda_item"),
            )
            decision.save()
            co = [u for u in row.get("co_units") or [] if u.pk != row["lead_unit"].pk]
            decision.co_units.set(co)
            record(
                actor,
                "meetings.decision.create",
                decision,
                after=snapshot(decision),
                detail={"co_units": [u.pk for u in co]},
            )
    search_index.reindex(minutes)
    record(actor, "meetings.minutes.update", minutes, before=before, after=snapshot(minutes))
    return minutes


def next_issue_no(mechanism: Any, year: int) -> int:
    taken = Minutes.objects.filter(mechanism=mechanism, year=year).aggregate(m=Max("issue_no"))
    return int(taken["m"] or 0) + 1


@transaction.atomic
def minutes_transition(
    actor: Any,
    minutes: Minutes,
    name: str,
    *,
    comment_deadline: datetime.date | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Minutes:
    """Circulate (with a comment deadline; the invited units' liaison officers are asked for
    comments), go back to draft, finalise, or sign off and issue: issuing numbers the minutes
    (第N期 of the mechanism's year) and turns each decision into an assigned matter."""
    step = wf.MINUTES_WORKFLOW.check(
        name,
        minutes.state,
        relations_to(actor, minutes),
        comment=comment,
        values={"comment_deadline": comment_deadline},
    )
    today = timezone.localdate()
    if name == "circulate" and comment_deadline is not None and comment_deadline < today:
        raise _error("comment_deadline", _("The deadline is in the past."), "minutes.deadline")
    if name == "issue" and not minutes.body.strip():
        raise _error("body", _("The minutes have no text."), "minutes.empty")
    before = snapshot(minutes)
    minutes.state = step.target
    meeting = minutes.meeting
    if name == "circulate":
        minutes.comment_deadline = comment_deadline
        minutes.circulated_at = timezone.now()
    if name == "issue":
        minutes.issue_no = next_issue_no(minutes.mechanism, minutes.year)
        minutes.issued_at = timezone.now()
        minutes.issued_by = actor
    minutes.save_checked(minutes.version if expected_version is None else expected_version)
    if name == "issue":
        search_index.reindex(minutes)  # the issue number (第N期) is part of the title
    record(
        actor,
        f"meetings.minutes.{name}",
        minutes,
        before=before,
        after=snapshot(minutes),
        detail={"comment": comment} if comment else None,
    )
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    units = list(meeting.invitations.values_list("unit_id", flat=True))
    if name == "circulate":
        assert comment_deadline is not None
        _notify_later(
            ref_kind=REF_MINUTES,
            ref_id=minutes.pk,
            kind="comments_requested",
            due_date=comment_deadline,
            recipients=unit_users(units),
            subject=_("Comments requested on the minutes “%(title)s” by %(date)s")
            % {"title": minutes.title, "date": comment_deadline.isoformat()},
            url=url,
        )
    if name == "issue":
        _decisions_to_matters(actor, minutes)
        _notify_later(
            ref_kind=REF_MINUTES,
            ref_id=minutes.pk,
            kind="issued",
            due_date=today,
            recipients=unit_users(units),
            subject=_("Minutes issued: %(title)s (%(issue)s)")
            % {"title": minutes.title, "issue": minutes.issue_label},
            url=url,
        )
    return minutes


def _decisions_to_matters(actor: Any, minutes: Minutes) -> None:
    start = timezone.localdate()
    for decision in minutes.decisions.select_related("lead_unit").prefetch_related("co_units"):
        if decision.matter_id:
            continue
        matter = matter_actions.create_matter(
            actor,
            mechanism=minutes.mechanism,
            title=decision.text[:200],
            lead_unit=decision.lead_unit,
            start_date=start,
            deadline=decision.deadline,
            co_units=list(decision.co_units.all()),
            matter_type="meeting_decision",
            source_kind=SOURCE_KIND,
            source_ref=str(decision.pk),
            description=f"{minutes.title}（{minutes.issue_label}）",
        )
        matter_actions.transition(actor, matter, "assign")
        before = snapshot(decision)
        decision.matter = matter
        decision.save(update_fields=["matter"])
        record(
            actor, "meetings.decision.to_matter", decision, before=before, after=snapshot(decision)
        )


@transaction.atomic
def comment(actor: Any, minutes: Minutes, text: str) -> MinutesComment:
    """An invited unit comments on circulated minutes; comments are kept."""
    require(actor, "comment", minutes)
    text = (text or "").strip()
    if not text:
        raise _error("text", _("Write the comment."), "required")
    scope = scope_for(actor)
    unit_id = (
        minutes.meeting.invitations.filter(unit_id__in=sorted(scope.unit_ids))
        .order_by("unit__order_no")
        .values_list("unit_id", flat=True)
        .first()
    )
    if unit_id is None:
        raise PermissionDenied("comment")
    note = MinutesComment(minutes=minutes, author=actor, unit_id=unit_id, text=text)
    note.save()
    record(actor, "meetings.minutes_comment.create", note, after=snapshot(note))
    return note


# --- calendar feed ------------------------------------------------------------------------
@transaction.atomic
def rotate_feed_token(actor: Any) -> FeedToken:
    """Create the user's calendar feed secret, or replace it (the old address stops working)."""
    if not scope_for(actor).is_member:
        raise PermissionDenied("feed")
    token = secrets.token_urlsafe(32)
    existing = FeedToken.objects.filter(user=actor).first()
    if existing is None:
        feed = FeedToken(user=actor, token=token)
        feed.save()
        record(actor, "meetings.feed_token.create", feed, after=snapshot(feed))
        return feed
    before = snapshot(existing)
    existing.token = token
    existing.save_checked(existing.version)
    record(actor, "meetings.feed_token.rotate", existing, before=before, after=snapshot(existing))
    return existing
