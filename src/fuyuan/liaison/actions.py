"""Every write of the liaison app: permission check, one transaction, write, audit, and the
notifications (written to the outbox in the same transaction, so they exist iff the write
does; delivery is kicked on commit)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar
from fuyuan.core.workflow import Transition, TransitionError
from fuyuan.matters import actions as matter_actions
from fuyuan.matters.actions import check_upload
from fuyuan.org.models import Mechanism, Unit

from . import search_index
from . import workflow as wf
from .models import LetterAttachment, LetterReply, LiaisonLetter

SOURCE_KIND = "liaison.letter"
DEFAULT_REPLY_DAYS = 10


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def _today() -> datetime.date:
    return timezone.localdate()


def letter_url(letter: LiaisonLetter) -> str:
    return reverse("liaison:letter_detail", args=[letter.pk])


def reply_days(mechanism: Mechanism) -> int:
    """Working days a counterpart has to reply (mechanism setting `liaison_reply_days`)."""
    return int(getattr(mechanism.config, "liaison_reply_days", DEFAULT_REPLY_DAYS))


def default_reply_by(mechanism: Mechanism, start: datetime.date | None = None) -> datetime.date:
    try:
        return calendar.add_working_days(start or _today(), reply_days(mechanism))
    except calendar.CalendarMissing as exc:
        raise _error("reply_by", exc.message, exc.code) from exc


# --- who ------------------------------------------------------------------------------------
def sender_units(actor: Any) -> Any:
    """Current units the actor writes for: as liaison officer or court staff."""
    scope = scope_for(actor)
    ids = scope.units.get(Role.LIAISON, frozenset()) | scope.units.get(Role.COURT, frozenset())
    return Unit.objects.filter(pk__in=sorted(ids)).current().select_related("jurisdiction")


def may_write(actor: Any) -> bool:
    return sender_units(actor).exists()


def recipient_units(actor: Any) -> Any:
    """Any current unit the actor may see (counterparts: courts of the same level or above
    for a department; departments of its level and below for a court)."""
    return (
        Unit.objects.visible_to(actor)
        .current()
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def mechanism_for(unit: Unit) -> Mechanism | None:
    """The joint meeting of the unit's jurisdiction, else the nearest one above it (a zone
    without its own mechanism works with its city's)."""
    return Mechanism.objects.covering(unit.jurisdiction)


def _unit_users(unit_id: int, *roles: str) -> list[Any]:
    active = RoleAssignment.objects.active_on(_today()).filter(unit_id=unit_id)
    if roles:
        active = active.filter(role__in=roles)
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def office_users(mechanism: Mechanism) -> list[Any]:
    active = RoleAssignment.objects.active_on(_today()).filter(
        role=Role.OFFICE, jurisdiction_id=mechanism.jurisdiction_id
    )
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def _notify(letter: LiaisonLetter, kind: str, recipients: list[Any], subject: str) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return
    notify(
        ref_kind=SOURCE_KIND,
        ref_id=letter.pk,
        kind=kind,
        due_date=_today(),
        recipients=people,
        subject=subject,
        url=letter_url(letter),
    )
    kick_delivery()


# --- writing ----------------------------------------------------------------------------------
def _check_file(uploaded_file: Any) -> tuple[str, str, bytes]:
    return check_upload(uploaded_file, "file")


def _store_file(
    actor: Any, letter: LiaisonLetter, uploaded_file: Any, reply: LetterReply | None = None
) -> LetterAttachment:
    content_type, name, _content = _check_file(uploaded_file)
    attachment = LetterAttachment(
        letter=letter,
        reply=reply,
        name=name[:200],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    record(actor, "liaison.attachment.add", attachment, after=snapshot(attachment))
    return attachment


@transaction.atomic
def create_letter(
    actor: Any,
    *,
    sender_unit: Unit,
    recipient_unit: Unit,
    subject: str,
    body: str,
    reply_by: datetime.date | None = None,
    mechanism: Mechanism | None = None,
    files: list[Any] | None = None,
    send: bool = False,
) -> LiaisonLetter:
    """Write a letter as a draft (or send it at once with `send=True`). The writer acts for
    the sending unit; the receiving unit is any other current unit the writer can see. The
    reply-by date defaults to the mechanism's number of working days from sending."""
    if not sender_units(actor).filter(pk=sender_unit.pk).exists():
        raise PermissionDenied("liaison.write")
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    subject = (subject or "").strip()
    body = (body or "").strip()
    if not subject:
        add("subject", _("Write the subject."), "required")
    if not body:
        add("body", _("Write the content of the letter."), "required")
    if recipient_unit.pk == sender_unit.pk:
        add("recipient_unit", _("Write to another unit."), "liaison.same_unit")
    elif not recipient_units(actor).filter(pk=recipient_unit.pk).exists():
        add("recipient_unit", _("Choose a current unit you work with."), "liaison.recipient")
    if reply_by is not None and reply_by < _today():
        add("reply_by", _("The reply-by date cannot be in the past."), "liaison.reply_by_past")
    mechanism = mechanism or mechanism_for(sender_unit)
    if mechanism is None:
        add("mechanism", _("No joint meeting covers the sending unit."), "liaison.no_mechanism")
    elif not sender_unit.jurisdiction.path.startswith(mechanism.jurisdiction.path):
        add(
            "mechanism",
            _("The joint meeting must cover the sending unit."),
            "liaison.mechanism_scope",
        )
    for uploaded in files or []:
        try:
            _check_file(uploaded)
        except ValidationError as exc:
            errors.setdefault("file", []).extend(exc.error_dict.get("file", []))
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert mechanism is not None
    letter = LiaisonLetter(
        mechanism=mechanism,
        sender_unit=sender_unit,
        sender=actor,
        recipient_unit=recipient_unit,
        subject=subject,
        body=body,
        reply_by=reply_by,
        state=wf.DRAFT,
    )
    letter.full_clean(exclude=["created_at", "updated_at"])
    letter.save()
    search_index.reindex(letter)
    record(actor, "liaison.letter.create", letter, after=snapshot(letter))
    for uploaded in files or []:
        _store_file(actor, letter, uploaded)
    if send:
        send_letter(actor, letter)
    return letter


def _take(
    actor: Any,
    letter: LiaisonLetter,
    name: str,
    *,
    comment: str = "",
    values: dict[str, Any] | None = None,
    expected_version: int | None = None,
    fields: list[str] | None = None,
    apply: Any = None,
) -> tuple[dict[str, Any] | None, Transition]:
    """Check the graph, run `apply(letter)` for the transition's effects, move the state,
    save with the version check and audit. Returns (before snapshot, transition)."""
    step = wf.LETTER_WORKFLOW.check(
        name, letter.state, relations_to(actor, letter), comment=comment, values=values
    )
    before = snapshot(letter)
    if apply is not None:
        apply(letter)
    letter.state = step.target
    letter.save_checked(
        letter.version if expected_version is None else expected_version,
        fields=["state", *(fields or [])],
    )
    record(
        actor,
        f"liaison.letter.{name}",
        letter,
        before=before,
        after=snapshot(letter),
        detail={"comment": comment} if comment else None,
    )
    return before, step


@transaction.atomic
def send_letter(
    actor: Any, letter: LiaisonLetter, expected_version: int | None = None
) -> LiaisonLetter:
    """Send a draft; the receiving unit's liaison officers and court staff are notified."""

    def apply(obj: LiaisonLetter) -> None:
        obj.sent_at = timezone.now()
        if obj.reply_by is None or obj.reply_by < _today():
            obj.reply_by = default_reply_by(obj.mechanism)

    _take(
        actor,
        letter,
        "send",
        expected_version=expected_version,
        fields=["sent_at", "reply_by"],
        apply=apply,
    )
    _notify(
        letter,
        "liaison.sent",
        _unit_users(letter.recipient_unit_id, Role.LIAISON, Role.COURT),
        _("Liaison letter from %(unit)s: %(subject)s")
        % {"unit": letter.sender_unit.name, "subject": letter.subject},
    )
    return letter


@transaction.atomic
def reply(
    actor: Any, letter: LiaisonLetter, body: str, files: list[Any] | None = None
) -> LetterReply:
    """The receiving unit replies (again, if it wants to add something). The first reply
    fixes the reply time in working days; the writer of the letter is notified."""
    body = (body or "").strip()
    try:
        wf.LETTER_WORKFLOW.check("reply", letter.state, relations_to(actor, letter), comment=body)
    except TransitionError as exc:
        if exc.code == "workflow.comment_required":
            raise _error("body", _("Write the reply."), "required") from exc
        raise PermissionDenied("reply") from exc
    for uploaded in files or []:
        _check_file(uploaded)

    def apply(obj: LiaisonLetter) -> None:
        if obj.replied_at is None:
            obj.replied_at = timezone.now()
            sent_on = timezone.localtime(obj.sent_at).date() if obj.sent_at else _today()
            try:
                days = calendar.working_days_between(sent_on, _today())
            except calendar.CalendarMissing:
                days = None
            obj.reply_working_days = max(days, 0) if days is not None else None

    _take(
        actor,
        letter,
        "reply",
        comment=body,
        fields=["replied_at", "reply_working_days"],
        apply=apply,
    )
    answer = LetterReply.objects.create(
        letter=letter, author=actor, unit_id=letter.recipient_unit_id, body=body
    )
    record(actor, "liaison.reply.create", answer, after=snapshot(answer))
    for uploaded in files or []:
        _store_file(actor, letter, uploaded, reply=answer)
    _notify(
        letter,
        f"liaison.replied.{answer.pk}",
        [letter.sender],
        _("Reply from %(unit)s: %(subject)s")
        % {"unit": letter.recipient_unit.name, "subject": letter.subject},
    )
    return answer


@transaction.atomic
def agree(
    actor: Any, letter: LiaisonLetter, comment: str = "", expected_version: int | None = None
) -> LiaisonLetter:
    """The sender accepts the reply: the letter is closed."""

    def apply(obj: LiaisonLetter) -> None:
        obj.closed_at = timezone.now()
        obj.closing_comment = (comment or "").strip()

    _take(
        actor,
        letter,
        "agree",
        comment=comment,
        expected_version=expected_version,
        fields=["closed_at", "closing_comment"],
        apply=apply,
    )
    _notify(
        letter,
        "liaison.agreed",
        _unit_users(letter.recipient_unit_id, Role.LIAISON, Role.COURT),
        _("Agreed and closed: %(subject)s") % {"subject": letter.subject},
    )
    return letter


@transaction.atomic
def no_consensus(
    actor: Any, letter: LiaisonLetter, reason: str, expected_version: int | None = None
) -> LiaisonLetter:
    """The sender finds no consensus (reason required): the letter goes to the office of the
    joint meeting at once, whose staff are notified, and the receiving unit is told."""
    reason = (reason or "").strip()

    def apply(obj: LiaisonLetter) -> None:
        obj.no_consensus_reason = reason
        obj.escalated_at = timezone.now()

    _take(
        actor,
        letter,
        "no_consensus",
        comment=reason,
        expected_version=expected_version,
        fields=["no_consensus_reason", "escalated_at"],
        apply=apply,
    )
    _notify(
        letter,
        "liaison.escalated",
        office_users(letter.mechanism),
        _("No consensus, coordination needed: %(subject)s (%(sender)s → %(recipient)s)")
        % {
            "subject": letter.subject,
            "sender": letter.sender_unit.name,
            "recipient": letter.recipient_unit.name,
        },
    )
    _notify(
        letter,
        "liaison.escalated_unit",
        _unit_users(letter.recipient_unit_id, Role.LIAISON, Role.COURT),
        _("Escalated to the office: %(subject)s") % {"subject": letter.subject},
    )
    return letter


@transaction.atomic
def coordinate(
    actor: Any,
    letter: LiaisonLetter,
    outcome: str,
    *,
    open_matter: bool = False,
    lead_unit: Unit | None = None,
    deadline: datetime.date | None = None,
    matter_title: str = "",
    agenda_note: str = "",
    expected_version: int | None = None,
) -> LiaisonLetter:
    """The office records the outcome of its coordination and closes the letter. It may open
    a supervised matter (assigned at once to `lead_unit`, the other side co-handling where it
    belongs to the same jurisdiction) and/or note that the question goes on a coordination
    meeting's agenda."""
    outcome = (outcome or "").strip()
    agenda_note = (agenda_note or "").strip()
    # Graph first: someone who may not coordinate gets a refusal, not a form error.
    wf.LETTER_WORKFLOW.check(
        "coordinate",
        letter.state,
        relations_to(actor, letter),
        values={"outcome": outcome or "-"},
    )
    errors: dict[str, list[ValidationError]] = {}
    if not outcome:
        errors["outcome"] = [ValidationError(_("Record the outcome."), code="required")]
    if open_matter:
        if lead_unit is None:
            errors["lead_unit"] = [ValidationError(_("Choose the lead unit."), code="required")]
        if deadline is None:
            errors["deadline"] = [ValidationError(_("Set the deadline."), code="required")]
        elif deadline < _today():
            errors["deadline"] = [
                ValidationError(_("The deadline cannot be in the past."), code="deadline.past")
            ]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    if open_matter:
        assert lead_unit is not None and deadline is not None
        other = letter.recipient_unit if lead_unit.pk == letter.sender_unit_id else None
        other = other or (letter.sender_unit if lead_unit.pk == letter.recipient_unit_id else None)
        co_units = (
            [other]
            if other is not None and other.jurisdiction_id == letter.mechanism.jurisdiction_id
            else []
        )
        matter = matter_actions.create_matter(
            actor,
            mechanism=letter.mechanism,
            title=(matter_title or letter.subject).strip(),
            description=outcome,
            lead_unit=lead_unit,
            start_date=_today(),
            deadline=deadline,
            co_units=co_units,
            matter_type="liaison",
            source_kind=SOURCE_KIND,
            source_ref=str(letter.pk),
        )
        matter_actions.transition(actor, matter, "assign")
        letter.matter = matter

    def apply(obj: LiaisonLetter) -> None:
        obj.outcome = outcome
        obj.agenda_note = agenda_note
        obj.coordinated_by = actor
        obj.closed_at = timezone.now()

    _take(
        actor,
        letter,
        "coordinate",
        values={"outcome": outcome},
        expected_version=expected_version,
        fields=["outcome", "agenda_note", "coordinated_by", "closed_at", "matter"],
        apply=apply,
    )
    search_index.reindex(letter)
    _notify(
        letter,
        "liaison.coordinated",
        [
            letter.sender,
            *_unit_users(letter.sender_unit_id, Role.LIAISON, Role.COURT),
            *_unit_users(letter.recipient_unit_id, Role.LIAISON, Role.COURT),
        ],
        _("Coordinated by the office: %(subject)s") % {"subject": letter.subject},
    )
    return letter


@transaction.atomic
def withdraw(
    actor: Any, letter: LiaisonLetter, comment: str = "", expected_version: int | None = None
) -> LiaisonLetter:
    """The sending unit withdraws its letter (before it is agreed or escalated)."""
    was_sent = letter.state != wf.DRAFT

    def apply(obj: LiaisonLetter) -> None:
        obj.closed_at = timezone.now()
        obj.closing_comment = (comment or "").strip()

    _take(
        actor,
        letter,
        "withdraw",
        comment=comment,
        expected_version=expected_version,
        fields=["closed_at", "closing_comment"],
        apply=apply,
    )
    if was_sent:
        _notify(
            letter,
            "liaison.withdrawn",
            _unit_users(letter.recipient_unit_id, Role.LIAISON, Role.COURT),
            _("Withdrawn: %(subject)s") % {"subject": letter.subject},
        )
    return letter


@transaction.atomic
def add_attachment(actor: Any, letter: LiaisonLetter, uploaded_file: Any) -> LetterAttachment:
    """Either unit adds a file to an open letter; type judged by content, size limited."""
    require(actor, "attach", letter)
    return _store_file(actor, letter, uploaded_file)


__all__ = [
    "SOURCE_KIND",
    "add_attachment",
    "agree",
    "coordinate",
    "create_letter",
    "default_reply_by",
    "mechanism_for",
    "no_consensus",
    "recipient_units",
    "reply",
    "send_letter",
    "sender_units",
    "withdraw",
]
