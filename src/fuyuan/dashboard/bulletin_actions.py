"""Every write on bulletins (通报): generating one from a period's figures, editing its wording,
and its steps on the sign-off chain of the official document it is issued as; issuing it sends
it to the member units' liaison officers and the member courts' staff (permission check, one
transaction, write, audit; notifications queued with the write and keyed so they go once)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import require
from fuyuan.audit.record import record, snapshot
from fuyuan.documents import actions as doc_actions
from fuyuan.documents.models import DocumentKind, DocumentNumber
from fuyuan.notify.models import Channel
from fuyuan.notify.outbox import notify
from fuyuan.org.models import Mechanism, Seat

from . import bulletin_docs
from .models import SECTION_FIELDS, Bulletin, BulletinPeriod

MAX_SECTION = 20000
EDIT_FIELDS = ("title", "recipients", *SECTION_FIELDS)


def may_generate(user: Any, mechanism: Mechanism) -> bool:
    """The office of the mechanism's own jurisdiction generates its bulletins."""
    return doc_actions.is_office_of(user, mechanism)


def office_mechanisms(user: Any) -> Any:
    return doc_actions.office_mechanisms(user)


# --- generating --------------------------------------------------------------------------------
@transaction.atomic
def generate(
    actor: Any,
    mechanism: Mechanism,
    *,
    kind: str,
    year: int,
    number: int | None = None,
    today: datetime.date | None = None,
) -> Bulletin:
    """Compose a bulletin on the month, quarter or year from the records the office sees today
    and open it as a draft official document (kind 通报) with the office as its handler."""
    if not may_generate(actor, mechanism):
        raise PermissionDenied("dashboard.bulletin.generate")
    if kind not in BulletinPeriod.values:
        raise ValidationError(
            {"kind": [ValidationError(_("Choose month, quarter or year."), code="bulletin.period")]}
        )
    period = bulletin_docs.period_of(kind, year, number)
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationError(
            {
                "number": [
                    ValidationError(
                        _("The period has not begun yet."), code="bulletin.future_period"
                    )
                ]
            }
        )
    composed = bulletin_docs.compose(actor, mechanism, kind, period, today)
    bulletin = Bulletin(
        mechanism=mechanism,
        period_kind=kind,
        period_start=period.start,
        period_end=period.end,
        figures_on=today,
        tables=composed.tables,
        headline=composed.headline,
        generated_by=actor,
        **composed.sections,
    )
    bulletin.save()
    document = doc_actions.create_document(
        actor,
        mechanism,
        {
            "kind": DocumentKind.BULLETIN,
            "title": composed.title,
            "body": bulletin_docs.body_text(bulletin),
            "recipients": bulletin_docs.RECIPIENTS,
            "copy_to": bulletin_docs.COPY_TO,
        },
        source_kind=bulletin_docs.SOURCE_KIND,
        source_id=bulletin.pk,
    )
    bulletin.document = document
    bulletin.save(update_fields=["document"])
    record(actor, "dashboard.bulletin.generate", bulletin, after=snapshot(bulletin))
    return bulletin


# --- editing -----------------------------------------------------------------------------------
@transaction.atomic
def update(
    actor: Any,
    bulletin: Bulletin,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Bulletin:
    """Edit the wording of a draft (the office). A form read before someone else saved raises
    StaleObjectError; the official document's title and body follow the sections."""
    require(actor, "edit", bulletin)
    document = bulletin.document
    assert document is not None
    values = {name: (data.get(name) or "").strip() for name in SECTION_FIELDS}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in values.items():
        if len(value) > MAX_SECTION:
            errors[name] = [
                ValidationError(
                    _("Keep the text under %(n)s characters.") % {"n": MAX_SECTION},
                    code="bulletin.too_long",
                )
            ]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    before = snapshot(bulletin)
    for name, value in values.items():
        setattr(bulletin, name, value)
    bulletin.save_checked(
        bulletin.version if expected_version is None else expected_version,
        fields=list(SECTION_FIELDS),
    )
    doc_actions.update_document(
        actor,
        document,
        {
            "title": data.get("title") or document.title,
            "recipients": data.get("recipients", document.recipients),
            "body": bulletin_docs.body_text(bulletin),
        },
    )
    record(actor, "dashboard.bulletin.update", bulletin, before=before, after=snapshot(bulletin))
    return bulletin


# --- sign-off and issue ------------------------------------------------------------------------
def recipients_of(mechanism: Mechanism, on: datetime.date | None = None) -> list[User]:
    """The liaison officers of the mechanism's current member units and the staff of its member
    courts, as assigned on `on` (today)."""
    day = on or timezone.localdate()
    units = Seat.objects.current(day).filter(mechanism=mechanism).values("unit_id")
    active = RoleAssignment.objects.active_on(day).filter(
        role__in=[Role.LIAISON, Role.COURT], unit_id__in=units
    )
    return list(
        User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("username")
    )


def notify_on_issue(actor: Any, document: Any) -> None:
    """The documents app's issue hook for bulletins (inside the issuing transaction)."""
    bulletin = Bulletin.objects.filter(pk=document.source_id).first()
    if bulletin is not None:
        bulletin.document = document
        _notify_members(actor, bulletin)


def _notify_members(actor: Any, bulletin: Bulletin) -> int:
    document = bulletin.document
    assert document is not None
    issued_on = (
        timezone.localdate(document.issued_at) if document.issued_at else timezone.localdate()
    )
    recipients = recipients_of(bulletin.mechanism, issued_on)
    number = document.number.number if document.number_id else ""  # type: ignore[union-attr]
    queued = notify(
        ref_kind=bulletin_docs.SOURCE_KIND,
        ref_id=bulletin.pk,
        kind="bulletin.issued",
        due_date=issued_on,
        recipients=recipients,
        subject=_("Bulletin issued: %(title)s") % {"title": document.title},
        body=" ".join(filter(None, [number, bulletin.mechanism.name])),
        url=reverse("dashboard:bulletin_detail", args=[bulletin.pk]),
        channels=(Channel.INBOX, Channel.MESSENGER),
    )
    before = snapshot(bulletin)
    bulletin.notified_at = bulletin.notified_at or timezone.now()
    bulletin.notified_count = len(recipients)
    bulletin.save(update_fields=["notified_at", "notified_count"])
    record(
        actor,
        "dashboard.bulletin.notify",
        bulletin,
        before=before,
        after=snapshot(bulletin),
        detail={"recipients": len(recipients), "queued": queued},
    )
    return queued


@transaction.atomic
def transition(
    actor: Any,
    bulletin: Bulletin,
    name: str,
    *,
    comment: str = "",
    checker: Any = None,
    signer: Any = None,
    number: DocumentNumber | None = None,
    expected_version: int | None = None,
) -> Bulletin:
    """A step of the document's sign-off chain (the graph decides who may; TransitionError
    otherwise). Issuing stores the .docx and sends the bulletin to the member units."""
    document = bulletin.document
    assert document is not None
    doc_actions.transition(
        actor,
        document,
        name,
        comment=comment,
        checker=checker,
        signer=signer,
        number=number,
        expected_version=expected_version,
    )
    return bulletin


def issue(
    actor: Any,
    bulletin: Bulletin,
    *,
    number: DocumentNumber | None = None,
    expected_version: int | None = None,
) -> Bulletin:
    """Issue after the bureau leader's signature, or directly when the mechanism has not
    switched the office sign-off chain on."""
    name = "issue" if doc_actions.sign_off_enabled(bulletin.mechanism) else "issue_directly"
    return transition(actor, bulletin, name, number=number, expected_version=expected_version)


def notify_members(actor: Any, bulletin: Bulletin) -> int:
    """Send an issued bulletin to the member units again — it reaches only those who have not
    had it (a unit that joined since, a new liaison officer); returns how many were queued."""
    if not (bulletin.is_issued and doc_actions.is_office_of(actor, bulletin.mechanism)):
        raise PermissionDenied("dashboard.bulletin.notify")
    with transaction.atomic():
        return _notify_members(actor, bulletin)
