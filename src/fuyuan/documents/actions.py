"""Every write of the documents app: reserving and releasing document numbers, drafting an
official document, the sign-off chain and issue (permission check, one transaction, write,
audit; notifications queued with the write)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.documents import (
    Block,
    DocumentSpec,
    Heading,
    Paragraph,
    parse_document_number,
    render_docx,
)
from fuyuan.core.identifiers import IdentifierError
from fuyuan.core.workflow import TransitionError
from fuyuan.notify.outbox import notify
from fuyuan.org.models import Mechanism

from . import search_index, sources
from . import workflow as wf
from .models import DocumentKind, DocumentNumber, DocumentStep, OfficialDocument

USED_BY_KIND = "documents.officialdocument"
DOCUMENT_FIELDS = ("kind", "title", "body", "recipients", "copy_to", "issue_label")
_LEVEL_1 = re.compile(r"^[一二三四五六七八九十百]+、")
_LEVEL_2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


# --- who may -----------------------------------------------------------------------------------
def is_office_of(actor: Any, mechanism: Mechanism) -> bool:
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


def office_mechanisms(actor: Any) -> Any:
    """The mechanisms whose office the actor works in (where it drafts and keeps numbers)."""
    ids = scope_for(actor).assigned_jurisdictions.get(Role.OFFICE, frozenset())
    return Mechanism.objects.filter(jurisdiction_id__in=sorted(ids)).order_by("jurisdiction__path")


def office_staff(mechanism: Mechanism) -> Any:
    """Users holding the office role for the mechanism's jurisdiction today: the people a
    handler may name as section chief and bureau leader."""
    active = RoleAssignment.objects.active_on(timezone.localdate()).filter(
        role=Role.OFFICE, jurisdiction_id=mechanism.jurisdiction_id
    )
    return User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("username")


def sign_off_enabled(mechanism: Mechanism) -> bool:
    return wf.SIGN_OFF_STEP in (mechanism.config.enabled_steps or [])


# --- document numbers --------------------------------------------------------------------------
@transaction.atomic
def reserve_number(actor: Any, mechanism: Mechanism, raw: str, note: str = "") -> DocumentNumber:
    """Office staff of the mechanism enter or reserve a number from the bureau's register.
    The format is checked (docno.*); a number that exists already is refused (docno.taken),
    by this check and, for two offices racing, by the database's unique constraint."""
    if not is_office_of(actor, mechanism):
        raise PermissionDenied("reserve_number")
    try:
        parsed = parse_document_number(raw)
    except IdentifierError as exc:
        raise _error("number", exc.message, exc.code) from exc
    taken = _error(
        "number",
        _("The number %(number)s has already been used or reserved.") % {"number": parsed.value},
        "docno.taken",
    )
    if DocumentNumber.objects.filter(number=parsed.value).exists():
        raise taken
    number = DocumentNumber(
        mechanism=mechanism,
        number=parsed.value,
        issuer_code=parsed.issuer_code,
        year=parsed.year,
        sequence=parsed.sequence,
        reserved_by=actor,
        reserved_at=timezone.now(),
        note=(note or "").strip()[:200],
    )
    try:
        with transaction.atomic():
            number.save()
    except IntegrityError as exc:
        raise taken from exc
    record(actor, "documents.number.reserve", number, after=snapshot(number))
    return number


@transaction.atomic
def release_number(actor: Any, number: DocumentNumber) -> None:
    """Give back a reserved number that no document was issued under."""
    require(actor, "release", number)
    if number.is_used or OfficialDocument.objects.filter(number=number).exists():
        raise _error(
            "number",
            _("The number is attached to a document and cannot be released."),
            "docno.in_use",
        )
    before = snapshot(number)
    record(actor, "documents.number.release", number, before=before)
    number.delete()


# --- drafting ----------------------------------------------------------------------------------
def _clean_fields(mechanism: Mechanism, data: Mapping[str, Any]) -> dict[str, Any]:
    values = {f: (data.get(f) or "").strip() for f in DOCUMENT_FIELDS}
    errors: dict[str, list[ValidationError]] = {}
    if values["kind"] not in DocumentKind.values:
        errors["kind"] = [ValidationError(_("Choose the kind of document."), code="invalid")]
    if not values["title"]:
        errors["title"] = [ValidationError(_("Enter the title."), code="required")]
    if values["kind"] != DocumentKind.MINUTES:
        values["issue_label"] = ""
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return values


@transaction.atomic
def create_document(
    actor: Any,
    mechanism: Mechanism,
    data: Mapping[str, Any],
    *,
    source_kind: str = "",
    source_id: int | None = None,
) -> OfficialDocument:
    """Office staff of the mechanism draft a document; they become its handler. Apps that
    generate documents pass their registered source reference."""
    if not is_office_of(actor, mechanism):
        raise PermissionDenied("create_document")
    values = _clean_fields(mechanism, data)
    document = OfficialDocument(
        mechanism=mechanism,
        handler=actor,
        state=wf.DOCUMENT_WORKFLOW.initial,
        source_kind=source_kind,
        source_id=source_id,
        **values,
    )
    document.save()
    search_index.reindex(document)
    record(actor, "documents.document.create", document, after=snapshot(document))
    return document


@transaction.atomic
def update_document(
    actor: Any,
    document: OfficialDocument,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> OfficialDocument:
    """Edit a draft (the handler or the office)."""
    require(actor, "edit", document)
    values = _clean_fields(
        document.mechanism, {**{f: getattr(document, f) for f in DOCUMENT_FIELDS}, **data}
    )
    before = snapshot(document)
    for name, value in values.items():
        setattr(document, name, value)
    document.save_checked(
        document.version if expected_version is None else expected_version,
        fields=list(DOCUMENT_FIELDS),
    )
    search_index.reindex(document)
    record(actor, "documents.document.update", document, before=before, after=snapshot(document))
    return document


# --- the sign-off chain ------------------------------------------------------------------------
def _check_chain_person(document: OfficialDocument, user: Any, field: str) -> None:
    if not office_staff(document.mechanism).filter(pk=user.pk).exists():
        raise TransitionError(
            f"document.{field}_not_office",
            _("Choose a member of the office staff of this jurisdiction."),
        )
    if user.pk == document.handler_id:
        raise TransitionError(
            f"document.{field}_is_handler",
            _("The handler cannot check or sign their own document."),
        )


def _notify_step(document: OfficialDocument, name: str, recipients: list[Any]) -> None:
    labels = {
        "submit": _("A document awaits your check: %(title)s"),
        "approve": _("A document awaits your signature: %(title)s"),
        "sign": _("A signed document awaits issue: %(title)s"),
        "return": _("A document was sent back to you: %(title)s"),
    }
    notify(
        ref_kind=USED_BY_KIND,
        ref_id=document.pk,
        # The version makes each pass round the chain a message of its own.
        kind=f"document.{name}.{document.version}",
        due_date=timezone.localdate(),
        recipients=recipients,
        subject=labels[name] % {"title": document.title},
        url=reverse("documents:document_detail", args=[document.pk]),
    )


def body_blocks(text: str) -> tuple[Block, ...]:
    """Paragraphs separated by blank lines; 一、 opens a first-level heading, （一） a second."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        paragraph = " ".join(line.strip() for line in chunk.splitlines() if line.strip())
        if not paragraph:
            continue
        if _LEVEL_1.match(paragraph):
            blocks.append(Heading(paragraph, 1))
        elif _LEVEL_2.match(paragraph):
            blocks.append(Heading(paragraph, 2))
        else:
            blocks.append(Paragraph(paragraph))
    return tuple(blocks)


def issuer_of(mechanism: Mechanism) -> str:
    """The office's name as the issuer: 驻马店市府院联动联席会议办公室."""
    return f"{mechanism.name}办公室"


def build_spec(document: OfficialDocument) -> DocumentSpec:
    """The DocumentSpec of a document from its own fields; a registered source may refine it
    (tables, attendance blocks)."""
    mechanism = document.mechanism
    office = issuer_of(mechanism)
    day = timezone.localdate(document.issued_at) if document.issued_at else timezone.localdate()
    spec = DocumentSpec(
        issuer=mechanism.name if document.is_minutes else office,
        title=document.title,
        blocks=body_blocks(document.body),
        date=day,
        document_number=document.number.number if document.number_id else "",  # type: ignore[union-attr]
        issue_label=document.issue_label,
        is_minutes=document.is_minutes,
        recipients=document.recipients,
        signature=office,
        copy_to=document.copy_to,
        printed_by=office,
    )
    builder = sources.builder_for(document.source_kind) if document.source_kind else None
    return builder(document, spec) if builder else spec


def _attach_number(document: OfficialDocument, number: DocumentNumber) -> None:
    if number.mechanism_id != document.mechanism_id:
        raise TransitionError(
            "docno.other_mechanism", _("This number belongs to another joint meeting.")
        )
    in_use = OfficialDocument.objects.filter(number=number).exclude(pk=document.pk).exists()
    if number.is_used or in_use:
        raise TransitionError(
            "docno.taken",
            _("The number %(number)s has already been used.") % {"number": number.number},
        )
    document.number = number


def _issue(actor: Any, document: OfficialDocument, number: DocumentNumber | None) -> None:
    if number is not None:
        _attach_number(document, number)
    if document.is_minutes:
        if not document.issue_label:
            raise TransitionError(
                "document.issue_label_required", _("Minutes need their issue label, e.g. 第3期.")
            )
    elif document.number_id is None:
        raise TransitionError(
            "document.number_required",
            _("Choose a reserved document number before issuing."),
        )
    else:
        _attach_number(document, document.number)  # type: ignore[arg-type]
    document.issued_at = timezone.now()
    document.issued_by = actor
    content = render_docx(build_spec(document))
    document.file.save(f"document-{document.pk}.docx", ContentFile(content), save=False)
    if document.number_id:
        used = document.number
        assert used is not None
        before = snapshot(used)
        used.used_by_kind = USED_BY_KIND
        used.used_by_id = document.pk
        used.save(update_fields=["used_by_kind", "used_by_id"])
        record(actor, "documents.number.use", used, before=before, after=snapshot(used))


@transaction.atomic
def transition(
    actor: Any,
    document: OfficialDocument,
    name: str,
    *,
    comment: str = "",
    checker: Any = None,
    signer: Any = None,
    number: DocumentNumber | None = None,
    expected_version: int | None = None,
) -> OfficialDocument:
    """Take a step of the sign-off chain. The graph decides who may and what is needed
    (raises TransitionError); submitting names the section chief and the bureau leader;
    issuing needs a reserved, unused number (minutes: an issue label) and stores the file."""
    step = wf.DOCUMENT_WORKFLOW.check(
        name,
        document.state,
        relations_to(actor, document),
        comment=comment,
        values={"checker": checker, "signer": signer},
        enabled_steps=document.enabled_steps(),
    )
    before = snapshot(document)
    from_state = document.state
    if step.name == "submit":
        _check_chain_person(document, checker, "checker")
        _check_chain_person(document, signer, "signer")
        document.checker, document.signer = checker, signer
    if step.name in wf.ISSUE_TRANSITIONS:
        _issue(actor, document, number)
    document.state = step.target
    document.save_checked(
        document.version if expected_version is None else expected_version,
        fields=[
            "state",
            "checker_id",
            "signer_id",
            "number_id",
            "file",
            "issued_at",
            "issued_by_id",
        ],
    )
    if step.name in wf.ISSUE_TRANSITIONS:
        search_index.reindex(document)  # now with its number
    DocumentStep.objects.create(
        document=document,
        name=step.name,
        from_state=from_state,
        to_state=step.target,
        actor=actor,
        at=timezone.now(),
        comment=comment.strip(),
    )
    record(
        actor,
        f"documents.document.{step.name}",
        document,
        before=before,
        after=snapshot(document),
        detail={"comment": comment.strip()} if comment.strip() else None,
    )
    hook = sources.issue_hook_for(document.source_kind) if document.source_kind else None
    if hook is not None and step.name in wf.ISSUE_TRANSITIONS:
        hook(actor, document)
    if step.name == "submit":
        _notify_step(document, "submit", [document.checker])
    elif step.name == "approve":
        _notify_step(document, "approve", [document.signer])
    elif step.name == "sign":
        _notify_step(document, "sign", [document.handler])
    elif step.name in {"return_by_checker", "return_by_signer"}:
        _notify_step(document, "return", [document.handler])
    return document


def issue(
    actor: Any,
    document: OfficialDocument,
    *,
    number: DocumentNumber | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> OfficialDocument:
    """Issue the document: after the bureau leader's signature, or directly from the draft
    when the mechanism has not switched on the office sign-off chain."""
    name = "issue" if sign_off_enabled(document.mechanism) else "issue_directly"
    return transition(
        actor, document, name, number=number, comment=comment, expected_version=expected_version
    )
