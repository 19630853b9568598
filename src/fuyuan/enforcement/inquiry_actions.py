"""Every write about point-to-point inquiries (点对点查控): a court asks a department about a
party's assets or records where no direct system link exists, the department answers with
the result and files, the court may withdraw an unanswered inquiry, and the daily job urges
overdue ones. Also the audited clear view of the party's identifier and the turnaround
figures per department.

Rules decided here:
- Court staff of the asking court send and withdraw; liaison officers of the department
  asked (or of the body that took it over) answer. Offices read and keep the figures.
- The answer is due 3 working days after asking unless the court gives a date; the
  turnaround is counted in working days from the day asked to the day answered (0 = the
  same day). When the calendar lacks a year the turnaround stays empty rather than guessed.
- The identifier must be complete (a masked one cannot be looked up:
  `enforcement.identifier_masked`); a bad check character is refused unless the court
  confirms the number as written (`enforcement.identifier_check`).
- The identifier is shown masked to everyone; the asking court and the department asked may
  show it in clear, each time audited (`enforcement.inquiry.reveal`).
- Overdue inquiries are urged at most once a day each, to the department's liaison officers
  and the office of the department's jurisdiction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar
from fuyuan.core.identifiers import IdentifierError, parse_party_identifier
from fuyuan.org.models import Unit, UnitKind

from .case_actions import court_users, liaison_users, office_users, percent, send_notice
from .models import IdType, Inquiry, InquiryAttachment, InquiryKind, InquiryState

REF_KIND = "enforcement.inquiry"
DEFAULT_WORKING_DAYS = 3
Errors = dict[str, list[ValidationError]]


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def inquiry_url(inquiry: Inquiry | int) -> str:
    pk = inquiry if isinstance(inquiry, int) else inquiry.pk
    return reverse("enforcement:inquiry_detail", args=[pk])


def mask(value: str, id_type: str) -> str:
    """The identifier as everyone sees it (first 6 + stars + last 4 for ID numbers)."""
    from fuyuan.core import masking

    mask_identifier = getattr(masking, "mask_identifier", None)
    if mask_identifier is not None:
        return str(mask_identifier(value, id_type))
    return masking.mask_id_number(value)


# --- who --------------------------------------------------------------------------------------
def acting_courts(actor: Any) -> QuerySet[Unit]:
    ids = scope_for(actor).units.get(Role.COURT, frozenset())
    return (
        Unit.objects.filter(pk__in=sorted(ids), kind=UnitKind.COURT)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def may_send(actor: Any) -> bool:
    return bool(scope_for(actor).units.get(Role.COURT))


def department_choices(actor: Any) -> QuerySet[Unit]:
    """Current bodies (not courts) a court may ask: those of the court's jurisdiction and
    below, and of the jurisdictions above it (a county court asks the city's housing fund)."""
    q = Q(pk__in=[])
    for court in acting_courts(actor):
        paths = court.jurisdiction.ancestor_paths()
        q |= Q(jurisdiction__path__startswith=court.jurisdiction.path)
        q |= Q(jurisdiction__path__in=paths)
    return (
        Unit.objects.current()
        .exclude(kind=UnitKind.COURT)
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def is_asking_court(actor: Any, inquiry: Inquiry) -> bool:
    return scope_for(actor).acts_for(inquiry.court_id, Role.COURT)


def is_department(actor: Any, inquiry: Inquiry) -> bool:
    return scope_for(actor).acts_for(inquiry.department_id, Role.LIAISON)


def may_reveal(actor: Any, inquiry: Inquiry) -> bool:
    """The asking court and the department asked need the number in clear."""
    return is_asking_court(actor, inquiry) or is_department(actor, inquiry)


def may_answer(actor: Any, inquiry: Inquiry) -> bool:
    return inquiry.state == InquiryState.SENT and is_department(actor, inquiry)


def may_withdraw(actor: Any, inquiry: Inquiry) -> bool:
    return inquiry.state == InquiryState.SENT and is_asking_court(actor, inquiry)


# --- sending ----------------------------------------------------------------------------------
@transaction.atomic
def send_inquiry(
    actor: Any,
    *,
    court: Unit | None,
    department: Unit | None,
    case_number: str,
    kind: str,
    party_name: str,
    party_id_type: str,
    party_id_number: str,
    question: str = "",
    due_on: datetime.date | None = None,
    confirm_identifier: bool = False,
) -> Inquiry:
    """The court asks the department; its liaison officers are told. Raises ValidationError
    with every problem found; PermissionDenied unless the actor is the court's staff."""
    from fuyuan.core.case_numbers import CaseNumberError, parse_case_number

    if court is None or not scope_for(actor).acts_for(court.pk, Role.COURT):
        raise PermissionDenied(_("Only the court's staff send its inquiries."))
    errors: Errors = {}
    today = _today()
    if department is None:
        _add(errors, "department", _("Choose the department asked."), "required")
    elif department.kind == UnitKind.COURT:
        _add(
            errors,
            "department",
            _("Ask a department, not a court."),
            "enforcement.department_is_court",
        )
    number = (case_number or "").strip()
    try:
        number = parse_case_number(number).normalized
    except CaseNumberError as exc:
        _add(errors, "case_number", exc.message, exc.code)
    if kind not in InquiryKind.values:
        _add(errors, "kind", _("Choose what is asked."), "invalid_choice")
    if not (party_name or "").strip():
        _add(errors, "party_name", _("Name the party."), "required")
    if party_id_type not in IdType.values:
        _add(errors, "party_id_type", _("Choose the identity document."), "invalid_choice")
    value = ""
    wanted_type = party_id_type if party_id_type in IdType.values else None
    try:
        parsed = parse_party_identifier(party_id_number, wanted_type)
    except IdentifierError as exc:
        _add(errors, "party_id_number", exc.message, exc.code)
    else:
        value = parsed.value
        if parsed.masked:
            _add(
                errors,
                "party_id_number",
                _("The number is masked: an inquiry needs the full number."),
                "enforcement.identifier_masked",
            )
        elif parsed.warnings and not confirm_identifier:
            _add(
                errors,
                "party_id_number",
                "; ".join(w.message for w in parsed.warnings)
                + " "
                + _("Check the number, or confirm it is correct as written."),
                "enforcement.identifier_check",
            )
    if due_on is None:
        try:
            due_on = calendar.add_working_days(today, DEFAULT_WORKING_DAYS)
        except calendar.CalendarMissing as exc:
            _add(errors, "due_on", exc.message, exc.code)
    elif due_on < today:
        _add(errors, "due_on", _("The answer cannot be due in the past."), "enforcement.due_past")
    _raise(errors)
    assert department is not None and due_on is not None
    inquiry = Inquiry(
        court=court,
        department=department,
        asked_by=actor,
        case_number=number,
        kind=kind,
        party_name=party_name.strip(),
        party_id_type=party_id_type,
        party_id_number=value,
        question=(question or "").strip(),
        asked_on=today,
        due_on=due_on,
    )
    inquiry.save()
    record(actor, "enforcement.inquiry.send", inquiry, after=snapshot(inquiry))
    send_notice(
        ref_kind=REF_KIND,
        ref_id=inquiry.pk,
        kind="enforcement.inquiry.sent",
        recipients=liaison_users(department),
        subject=_("Inquiry from %(court)s (%(kind)s, case %(number)s): answer by %(due)s")
        % {
            "court": court.name,
            "kind": inquiry.get_kind_display(),
            "number": number,
            "due": due_on.isoformat(),
        },
        url=inquiry_url(inquiry),
    )
    return inquiry


# --- answering --------------------------------------------------------------------------------
def _check_files(files: Iterable[Any], errors: Errors) -> None:
    from fuyuan.matters.actions import check_upload

    for uploaded in files:
        try:
            check_upload(uploaded, "files")
        except ValidationError as exc:
            for error in exc.error_dict.get("files", []) if hasattr(exc, "error_dict") else [exc]:
                errors.setdefault("files", []).append(error)


def _store_file(actor: Any, inquiry: Inquiry, uploaded: Any) -> InquiryAttachment:
    from fuyuan.matters.actions import check_upload

    content_type, name, _content = check_upload(uploaded, "files")
    attachment = InquiryAttachment(
        inquiry=inquiry,
        name=name[:200],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded, save=False)
    attachment.save()
    record(actor, "enforcement.inquiry.attachment", attachment, after=snapshot(attachment))
    return attachment


@transaction.atomic
def answer_inquiry(
    actor: Any,
    inquiry: Inquiry,
    *,
    result: str,
    files: Iterable[Any] = (),
    expected_version: int | None = None,
) -> Inquiry:
    """The department answers with the result and files; the turnaround in working days is
    kept; the asking court's staff are told."""
    if not is_department(actor, inquiry):
        raise PermissionDenied(_("Only the department asked answers."))
    files = list(files)
    errors: Errors = {}
    if inquiry.state != InquiryState.SENT:
        _add(
            errors,
            "result",
            _("The inquiry is no longer awaiting an answer."),
            "enforcement.inquiry_not_open",
        )
    result = (result or "").strip()
    if not result:
        _add(errors, "result", _("Write the result."), "required")
    _check_files(files, errors)
    _raise(errors)
    today = _today()
    before = snapshot(inquiry)
    inquiry.state = InquiryState.ANSWERED
    inquiry.answered_on = today
    inquiry.answered_by = actor
    inquiry.result = result
    try:
        inquiry.answer_working_days = max(0, calendar.working_days_between(inquiry.asked_on, today))
    except calendar.CalendarMissing:
        inquiry.answer_working_days = None
    inquiry.save_checked(
        inquiry.version if expected_version is None else expected_version,
        ["state", "answered_on", "answered_by", "result", "answer_working_days"],
    )
    for uploaded in files:
        _store_file(actor, inquiry, uploaded)
    record(actor, "enforcement.inquiry.answer", inquiry, before=before, after=snapshot(inquiry))
    send_notice(
        ref_kind=REF_KIND,
        ref_id=inquiry.pk,
        kind="enforcement.inquiry.answered",
        recipients=[inquiry.asked_by, *court_users(inquiry.court)],
        subject=_("%(department)s answered the inquiry on case %(number)s")
        % {"department": inquiry.department.name, "number": inquiry.case_number},
        url=inquiry_url(inquiry),
    )
    return inquiry


@transaction.atomic
def withdraw(
    actor: Any, inquiry: Inquiry, note: str = "", expected_version: int | None = None
) -> Inquiry:
    """The court withdraws an inquiry not yet answered; the department is told."""
    if not is_asking_court(actor, inquiry):
        raise PermissionDenied(_("Only the asking court withdraws its inquiry."))
    if inquiry.state != InquiryState.SENT:
        raise ValidationError(
            _("The inquiry is no longer awaiting an answer."), code="enforcement.inquiry_not_open"
        )
    before = snapshot(inquiry)
    inquiry.state = InquiryState.WITHDRAWN
    inquiry.save_checked(
        inquiry.version if expected_version is None else expected_version, ["state"]
    )
    note = (note or "").strip()
    record(
        actor,
        "enforcement.inquiry.withdraw",
        inquiry,
        before=before,
        after=snapshot(inquiry),
        detail={"note": note} if note else None,
    )
    send_notice(
        ref_kind=REF_KIND,
        ref_id=inquiry.pk,
        kind="enforcement.inquiry.withdrawn",
        recipients=liaison_users(inquiry.department),
        subject=_("%(court)s withdrew its inquiry on case %(number)s")
        % {"court": inquiry.court.name, "number": inquiry.case_number},
        body=note,
        url=inquiry_url(inquiry),
    )
    return inquiry


def reveal(actor: Any, inquiry: Inquiry) -> str:
    """The identifier in clear for the asking court or the department asked: an audited
    read."""
    if not may_reveal(actor, inquiry):
        raise PermissionDenied(_("Only the asking court and the department asked see it."))
    record(actor, "enforcement.inquiry.reveal", inquiry)
    return inquiry.party_id_number


# --- urging -----------------------------------------------------------------------------------
def urge_overdue_inquiries(today: datetime.date | None = None) -> int:
    """Urge every inquiry past its due date and unanswered, at most once a day each: the
    department's liaison officers and the office of its jurisdiction. Returns how many
    inquiries were urged."""
    today = today or _today()
    due = (
        Inquiry.objects.filter(state=InquiryState.SENT, due_on__lt=today)
        .filter(Q(last_urged_on__isnull=True) | Q(last_urged_on__lt=today))
        .select_related("court", "department__jurisdiction")
        .order_by("pk")
    )
    urged = 0
    for inquiry in due:
        with transaction.atomic():
            changed = Inquiry.objects.filter(pk=inquiry.pk, version=inquiry.version).update(
                last_urged_on=today, version=inquiry.version + 1, updated_at=timezone.now()
            )
            if not changed:
                continue  # answered or urged by another run meanwhile
            record(
                None,
                "enforcement.inquiry.urge",
                inquiry,
                detail={"due_on": inquiry.due_on.isoformat(), "urged_on": today.isoformat()},
            )
            send_notice(
                ref_kind=REF_KIND,
                ref_id=inquiry.pk,
                kind="enforcement.inquiry.overdue",
                due_date=today,
                recipients=[
                    *liaison_users(inquiry.department),
                    *office_users(inquiry.department.jurisdiction_id),
                ],
                subject=_("Overdue: inquiry from %(court)s on case %(number)s was due %(due)s")
                % {
                    "court": inquiry.court.name,
                    "number": inquiry.case_number,
                    "due": inquiry.due_on.isoformat(),
                },
                url=inquiry_url(inquiry),
            )
            urged += 1
    return urged


# --- figures ----------------------------------------------------------------------------------
def inquiry_figures(
    queryset: QuerySet[Inquiry], today: datetime.date | None = None
) -> dict[str, Any]:
    """Per department (one grouped query) and in total: inquiries asked (withdrawn ones
    left out), answered, answered on time, on-time rate, average turnaround in working days,
    overdue now. Rates and averages are Decimals, None over zero."""
    today = today or _today()
    answered = Q(state=InquiryState.ANSWERED)
    aggregates = {
        "asked": Count("pk"),
        "answered": Count("pk", filter=answered),
        "on_time": Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
        "avg_days": Avg("answer_working_days", filter=answered),
        "overdue": Count("pk", filter=Q(state=InquiryState.SENT, due_on__lt=today)),
        "waiting": Count("pk", filter=Q(state=InquiryState.SENT)),
    }
    base = queryset.exclude(state=InquiryState.WITHDRAWN).order_by()

    def row(values: dict[str, Any]) -> dict[str, Any]:
        avg = values.get("avg_days")
        return {
            **values,
            "asked": values.get("asked") or 0,
            "answered": values.get("answered") or 0,
            "on_time": values.get("on_time") or 0,
            "overdue": values.get("overdue") or 0,
            "waiting": values.get("waiting") or 0,
            "avg_days": None
            if avg is None
            else Decimal(str(avg)).quantize(Decimal("0.1"), ROUND_HALF_UP),
            "on_time_rate": percent(values.get("on_time"), values.get("answered")),
        }

    departments = [
        row(v)
        for v in base.values(
            "department_id",
            "department__name",
            "department__jurisdiction__path",
            "department__order_no",
        )
        .annotate(**aggregates)
        .order_by("department__jurisdiction__path", "department__order_no", "department_id")
    ]
    return {"totals": row(base.aggregate(**aggregates)), "departments": departments}
