"""Every write of material collection: permission check, one transaction, write, audit, and
notifications to the people who must act next."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.documents import DocumentSpec, Heading, Paragraph, format_date, render_docx
from fuyuan.core.workflow import TransitionError
from fuyuan.matters.actions import check_upload
from fuyuan.notify.outbox import notify

from . import queries, search_index
from . import workflow as wf
from .models import Collection, CollectionKind, CollectionTarget, Submission, SubmissionEvent

REF_COLLECTION = "reporting.collection"
REF_SUBMISSION = "reporting.submission"
CHINESE_NUMERALS = "一二三四五六七八九十"


def _error(field: str | None, message: str, code: str) -> ValidationError:
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: [ValidationError(message, code=code)]})


def _snap(obj: Any) -> dict[str, Any]:
    return snapshot(obj) or {}


def _check_file(uploaded: Any, field: str) -> tuple[str, str, bytes]:
    """(content type, corrected name, bytes) of an upload judged by its content."""
    return check_upload(uploaded, field)


def ordinal(n: int) -> str:
    """一 … 十, 十一 … 九十九: heading numbers of the compiled document."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return f"{head}十{CHINESE_NUMERALS[ones - 1] if ones else ''}"


# --- collections ------------------------------------------------------------------------------
def may_create(actor: Any, mechanism: Any) -> bool:
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


@transaction.atomic
def create_collection(
    actor: Any,
    mechanism: Any,
    *,
    kind: str,
    title: str,
    deadline: datetime.date,
    instructions: str = "",
    template: Any = None,
    units: Iterable[Any] | None = None,
    jurisdictions: Iterable[Any] | None = None,
) -> Collection:
    """The office of `mechanism` drafts a collection. Targets: `units` (default: the current
    member units) and `jurisdictions` (default: every county below with its own joint
    meeting). Nothing is sent until the collection is opened."""
    if not may_create(actor, mechanism):
        raise PermissionDenied(_("Only the office of this joint meeting issues collections."))
    errors: dict[str, list[ValidationError]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(ValidationError(_("Enter a title."), code="required"))
    if kind not in CollectionKind.values:
        errors.setdefault("kind", []).append(
            ValidationError(_("Choose the kind of material."), code="invalid_choice")
        )
    if deadline is None:
        errors.setdefault("deadline", []).append(
            ValidationError(_("Enter the deadline."), code="required")
        )
    unit_list = list(queries.member_units(mechanism) if units is None else units)
    county_list = list(
        queries.child_counties(mechanism) if jurisdictions is None else jurisdictions
    )
    allowed_units = set(queries.candidate_units(mechanism).values_list("pk", flat=True))
    if any(u.pk not in allowed_units for u in unit_list):
        errors.setdefault("units", []).append(
            ValidationError(
                _("Only current units of this joint meeting's jurisdiction can be named."),
                code="reporting.unit_outside",
            )
        )
    allowed_counties = set(queries.child_counties(mechanism).values_list("pk", flat=True))
    if any(j.pk not in allowed_counties for j in county_list):
        errors.setdefault("jurisdictions", []).append(
            ValidationError(
                _("Only counties directly below with their own joint meeting can be named."),
                code="reporting.county_outside",
            )
        )
    if not unit_list and not county_list:
        errors.setdefault("units", []).append(
            ValidationError(_("Name at least one unit or county."), code="reporting.no_targets")
        )
    template_parts = None
    if template:
        try:
            template_parts = _check_file(template, "template")
        except ValidationError as exc:
            for name, errs in exc.error_dict.items():
                errors.setdefault(name, []).extend(errs)
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    collection = Collection(
        mechanism=mechanism,
        kind=kind,
        title=title,
        instructions=(instructions or "").strip(),
        deadline=deadline,
        issued_by=actor,
    )
    if template_parts is not None:
        _content_type, name, content = template_parts
        collection.template_name = name[:200]
        collection.template.save(name, ContentFile(content), save=False)
    collection.save()
    for unit in {u.pk: u for u in unit_list}.values():
        CollectionTarget.objects.create(collection=collection, unit=unit)
    for county in {j.pk: j for j in county_list}.values():
        CollectionTarget.objects.create(collection=collection, jurisdiction=county)
    search_index.reindex(collection)
    after = _snap(collection)
    after["targets"] = [u.name for u in unit_list] + [j.name for j in county_list]
    record(actor, "reporting.collection.create", collection, after=after)
    return collection


def _collection_url(collection: Collection) -> str:
    return reverse("reporting:collection_detail", args=[collection.pk])


def _notify_targets(
    collection: Collection, targets: Iterable[CollectionTarget], kind: str, subject: str
) -> int:
    sent = 0
    for target in targets:
        sent += notify(
            ref_kind=REF_COLLECTION,
            ref_id=collection.pk,
            kind=f"{kind}:{target.pk}",
            due_date=timezone.localdate() if kind == "urge" else collection.deadline,
            recipients=list(queries.target_writers(target)),
            subject=subject,
            url=_collection_url(collection),
        )
    return sent


@transaction.atomic
def transition_collection(actor: Any, collection: Collection, name: str) -> Collection:
    """open / close / reopen (compile has its own action). Opening notifies every target."""
    if name == "compile":
        raise TransitionError("workflow.not_allowed", _("Use the compile action."))
    collection = (
        Collection.objects.select_for_update(of=("self",))
        .select_related("mechanism", "mechanism__jurisdiction")
        .get(pk=collection.pk)
    )
    step = wf.COLLECTION_WORKFLOW.check(name, collection.state, relations_to(actor, collection))
    before = _snap(collection)
    collection.state = step.target
    now = timezone.now()
    if name == "open":
        collection.opened_at = now
    collection.save()
    record(
        actor, f"reporting.collection.{name}", collection, before=before, after=_snap(collection)
    )
    if name == "open":
        targets = list(collection.targets.select_related("unit", "jurisdiction"))
        subject = _("Material requested: %(title)s, due %(deadline)s") % {
            "title": collection.title,
            "deadline": format_date(collection.deadline),
        }
        _notify_targets(collection, targets, "open", subject)
        collection.targets.update(notified_at=now)
    return collection


@transaction.atomic
def urge(
    actor: Any, collection: Collection, targets: Iterable[CollectionTarget] | None = None
) -> list[CollectionTarget]:
    """The office urges (催报) targets whose material is not with it: by default the late list
    (after the deadline); named targets may be urged before it too. One message per target
    and day; `urged_at` records when."""
    require(actor, "urge", collection)
    outstanding = {t.pk: t for t in queries.outstanding_targets(collection)}
    if targets is None:
        chosen = queries.late_targets(collection)
    else:
        chosen = [outstanding[t.pk] for t in targets if t.pk in outstanding]
    if not chosen:
        raise _error(None, _("No target is waiting to be urged."), "reporting.nothing_to_urge")
    now = timezone.now()
    subject = _("Reminder: your material for “%(title)s” was due on %(deadline)s") % {
        "title": collection.title,
        "deadline": format_date(collection.deadline),
    }
    _notify_targets(collection, chosen, "urge", subject)
    for target in chosen:
        before = _snap(target)
        target.urged_at = now
        target.urge_count += 1
        target.save(update_fields=["urged_at", "urge_count"])
        record(actor, "reporting.target.urge", target, before=before, after=_snap(target))
    return chosen


# --- submissions ------------------------------------------------------------------------------
def _event(submission: Submission, actor: Any, action: str, old: str, comment: str = "") -> None:
    SubmissionEvent.objects.create(
        submission=submission,
        at=timezone.now(),
        actor=actor,
        action=action,
        from_state=old,
        to_state=submission.state,
        comment=comment,
    )


@transaction.atomic
def save_submission(
    actor: Any,
    target: CollectionTarget,
    *,
    text: str,
    attachment: Any = None,
    remove_attachment: bool = False,
    unit_leader: Any = None,
) -> Submission:
    """Write or revise the target's submission (draft or returned); the first save creates
    it. A unit naming its leader in charge does so here (needed when "leader_check" is on)."""
    # Read the stored state: a caller's copy of the collection may predate its opening.
    target = CollectionTarget.objects.select_related(
        "collection",
        "collection__mechanism",
        "collection__mechanism__jurisdiction",
        "unit",
        "jurisdiction",
    ).get(pk=target.pk)
    submission = Submission.objects.filter(target=target).first()
    if submission is None:
        require(actor, "write", target)
        submission = Submission(collection=target.collection, target=target, author=actor)
        before: dict[str, Any] | None = None
    else:
        submission.collection = target.collection
        submission.target = target
        require(actor, "edit", submission)
        before = _snap(submission)
    text = (text or "").strip()
    if not text and not attachment and not (submission.attachment and not remove_attachment):
        raise _error("text", _("Write the text or attach a file."), "reporting.empty")
    if unit_leader is not None:
        if (
            target.unit_id is None
            or not queries.leader_candidates(target).filter(pk=unit_leader.pk).exists()
        ):
            raise _error(
                "unit_leader", _("Choose a person of the unit."), "reporting.leader_not_in_unit"
            )
        submission.unit_leader = unit_leader
    submission.text = text
    if remove_attachment and submission.attachment:
        submission.attachment = ""
        submission.attachment_name = ""
        submission.attachment_type = ""
    if attachment:
        content_type, name, content = _check_file(attachment, "attachment")
        submission.attachment.save(name, ContentFile(content), save=False)
        submission.attachment_name = name[:200]
        submission.attachment_type = content_type
    submission.save()
    if before is None:
        _event(submission, actor, "create", "")
        record(actor, "reporting.submission.create", submission, after=_snap(submission))
    else:
        record(
            actor, "reporting.submission.edit", submission, before=before, after=_snap(submission)
        )
    return submission


def _submission_url(submission: Submission) -> str:
    return reverse("reporting:submission_detail", args=[submission.pk])


@transaction.atomic
def transition_submission(
    actor: Any, submission: Submission, name: str, comment: str = ""
) -> Submission:
    """Take a step of the submission's graph: submit, approve, send_back, deliver,
    deliver_direct, accept, return. The collection must be open for the writer's steps."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related(
            "collection",
            "collection__mechanism",
            "collection__mechanism__jurisdiction",
            "target",
            "target__unit",
            "target__jurisdiction",
        )
        .get(pk=submission.pk)
    )
    collection = submission.collection
    step = wf.SUBMISSION_WORKFLOW.check(
        name,
        submission.state,
        relations_to(actor, submission),
        comment=comment,
        enabled_steps=submission.enabled_steps(),
    )
    if name in {"submit", "approve", "deliver", "deliver_direct"} and not (
        collection.accepts_submissions
    ):
        raise TransitionError(
            "reporting.collection_not_open", _("The collection is not open for submissions.")
        )
    if name == "submit" and submission.target.unit_id and submission.unit_leader_id is None:
        raise TransitionError(
            "reporting.leader_required", _("Name the leader in charge who approves the text.")
        )
    if collection.state == wf.C_DRAFT:
        raise TransitionError("reporting.collection_draft", _("The collection is not open."))
    before = _snap(submission)
    old = submission.state
    now = timezone.now()
    submission.state = step.target
    if name == "submit":
        submission.submitted_at = now
    elif name == "approve":
        submission.approved_at = now
        submission.approved_by = actor
    elif name in {"deliver", "deliver_direct"}:
        submission.delivered_at = now
        if submission.first_delivered_at is None:
            submission.first_delivered_at = now
        submission.return_comment = ""
    elif name == "accept":
        submission.accepted_at = now
    elif name == "return":
        submission.returned_at = now
        submission.return_comment = comment.strip()
    submission.save()
    _event(submission, actor, name, old, comment.strip())
    record(
        actor,
        f"reporting.submission.{name}",
        submission,
        before=before,
        after=_snap(submission),
    )
    _notify_step(submission, name, now)
    return submission


def _notify_step(submission: Submission, name: str, now: datetime.datetime) -> None:
    collection = submission.collection
    recipients: list[Any] = []
    if name == "submit":
        recipients = queries.target_approvers(submission)
        subject = _("To approve: %(target)s's material for “%(title)s”")
    elif name in {"deliver", "deliver_direct"}:
        recipients = list(queries.office_users(collection))
        subject = _("Delivered: %(target)s's material for “%(title)s”")
    elif name in {"return", "send_back"}:
        recipients = [submission.author, *queries.target_writers(submission.target)]
        subject = _("Returned for revision: %(target)s's material for “%(title)s”")
    elif name == "accept":
        recipients = [submission.author]
        subject = _("Accepted: %(target)s's material for “%(title)s”")
    else:
        return
    notify(
        ref_kind=REF_SUBMISSION,
        ref_id=submission.pk,
        # One message per step and moment: a text returned twice is announced twice.
        kind=f"{name}:{now:%Y%m%d%H%M%S%f}",
        due_date=timezone.localdate(),
        recipients=recipients,
        subject=subject % {"target": submission.target.name, "title": collection.title},
        url=_submission_url(submission),
    )


def submit(actor: Any, submission: Submission) -> Submission:
    return transition_submission(actor, submission, "submit")


def approve(actor: Any, submission: Submission) -> Submission:
    return transition_submission(actor, submission, "approve")


def deliver(actor: Any, submission: Submission) -> Submission:
    """Deliver to the office: after the internal approval where it applies, else directly."""
    name = "deliver" if wf.INTERNAL_APPROVAL in submission.enabled_steps() else "deliver_direct"
    return transition_submission(actor, submission, name)


def accept(actor: Any, submission: Submission) -> Submission:
    return transition_submission(actor, submission, "accept")


def return_submission(actor: Any, submission: Submission, comment: str) -> Submission:
    return transition_submission(actor, submission, "return", comment)


# --- compiling --------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]


def compiled_spec(collection: Collection, today: datetime.date | None = None) -> DocumentSpec:
    """The compiled document: one heading per accepted submission, in official order."""
    blocks: list[Heading | Paragraph] = []
    for n, submission in enumerate(queries.accepted_in_order(collection), start=1):
        blocks.append(Heading(f"{ordinal(n)}、{submission.target.name}", level=1))
        blocks.extend(_paragraphs(submission.text))
        if submission.attachment_name:
            blocks.append(Paragraph(f"附件：{submission.attachment_name}"))
    office_name = f"{collection.mechanism.name}办公室"
    return DocumentSpec(
        issuer=office_name,
        title=f"{collection.title}汇编",
        blocks=tuple(blocks),
        date=today or timezone.localdate(),
        signature=office_name,
    )


def render(spec: DocumentSpec) -> bytes:
    return render_docx(spec)


@transaction.atomic
def compile_collection(actor: Any, collection: Collection) -> Collection:
    """Compile the accepted submissions into one .docx in the units' official order (then
    counties in jurisdiction order); compiling again replaces the file."""
    collection = (
        Collection.objects.select_for_update(of=("self",))
        .select_related("mechanism", "mechanism__jurisdiction")
        .get(pk=collection.pk)
    )
    step = wf.COLLECTION_WORKFLOW.check(
        "compile", collection.state, relations_to(actor, collection)
    )
    if not queries.accepted_in_order(collection):
        raise TransitionError(
            "reporting.nothing_accepted", _("No submission has been accepted yet.")
        )
    before = _snap(collection)
    content = render(compiled_spec(collection))
    collection.compiled_file.save(
        f"collection-{collection.pk}.docx", ContentFile(content), save=False
    )
    collection.compiled_at = timezone.now()
    collection.state = step.target
    collection.save()
    record(
        actor, "reporting.collection.compile", collection, before=before, after=_snap(collection)
    )
    return collection
