"""Every write about government-debtor and livelihood enforcement cases (涉党政机关 / 涉民生执行
案件): registering a case (which opens its supervised matter), correcting it, recording
payments and closing it (结案销号), and the figures the ledger and the office's campaign view
show (count, closure rate, amounts, 执行到位率), computed from the records in grouped SQL.

Rules decided here (documented for the office and the tests):
- **Who.** Court staff of the executing court, or office staff overseeing the case's
  jurisdiction, register, correct, record payments and close. Leaders and the debtor body
  read (the body works on the case through its matter).
- **Where a case belongs.** The debtor body's jurisdiction (else, for a livelihood case whose
  debtor is a private party, the court's); the mechanism is that jurisdiction's joint
  meeting, else the nearest one above (a zone works with its city's).
- **Lead unit of the matter.** The debtor body when it belongs to the mechanism's own
  jurisdiction; else (no body, or a body of a zone without its own joint meeting) the court
  when it belongs to that jurisdiction; else the mechanism's office unit, which then
  coordinates the body. Deadline: six months after filing unless a date is given (never
  before today's filing date: a case filed long ago gets its matter already overdue, which
  is the point of the campaign).
- **Number, court and debtor body are fixed** once registered (they decide jurisdiction,
  mechanism and lead unit): a wrong one is corrected by registering the case again.
- **Payments** add to `amount_paid`, which can never exceed `amount_owed`
  (`enforcement.overpaid`); each is audited and noted on the matter's timeline.
- **Closing (结案销号)** needs the closing date; a case not fully paid needs a note saying why
  it closes anyway (执行和解 performed, 终结本次执行程序, 驳回申请 …;
  `enforcement.close_note_required`). The office of the mechanism is told; where the actor
  is that office and the matter is reported or completed, the matter is completed and closed
  here too, otherwise it waits for the office on the matter's page.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts import recipients
from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import relations_to, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.case_numbers import CaseNumberError, parse_case_number
from fuyuan.org.models import Jurisdiction, Mechanism, Unit, UnitKind

from .models import (
    GOVERNMENT_KINDS,
    EnforcementCase,
    EnforcementCaseKind,
    EnforcementCaseState,
)

SOURCE_KIND = "enforcement.case"
CASE_MONTHS = 6
EDIT_FIELDS = (
    "kind",
    "enterprise_related",
    "debtor_name",
    "creditor",
    "filed_on",
    "amount_owed",
    "state",
    "note",
)
Errors = dict[str, list[ValidationError]]
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def case_url(case: EnforcementCase | int) -> str:
    pk = case if isinstance(case, int) else case.pk
    return reverse("enforcement:case_detail", args=[pk])


def case_url_for_matter(matter: Any) -> str:
    """The case page of a matter opened for a case (the source kind's url_fn)."""
    ref = str(getattr(matter, "source_ref", "") or "")
    return case_url(int(ref)) if ref.isdigit() else ""


# --- where a case belongs ---------------------------------------------------------------------
def mechanism_for(jurisdiction: Jurisdiction) -> Mechanism | None:
    """The joint meeting of the jurisdiction, else the nearest one above it."""
    return Mechanism.objects.covering(jurisdiction)


def lead_unit_for(
    mechanism: Mechanism, court: Unit, debtor_unit: Unit | None
) -> Unit:  # see the module docstring
    for unit in (debtor_unit, court):
        if unit is not None and unit.jurisdiction_id == mechanism.jurisdiction_id:
            return unit
    return mechanism.office_unit


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


# --- who --------------------------------------------------------------------------------------
def may_register(actor: Any) -> bool:
    scope = scope_for(actor)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


def may_write(actor: Any, case: EnforcementCase) -> bool:
    """Court staff of the executing court, or office staff overseeing the case's
    jurisdiction (correct, record payments, close)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    scope = scope_for(actor)
    return scope.acts_for(case.court_id, Role.COURT) or scope.oversees(
        case.jurisdiction.path, Role.OFFICE
    )


def may_see_campaign(actor: Any) -> bool:
    scope = scope_for(actor)
    return bool(scope.oversight.get(Role.OFFICE)) or bool(scope.oversight.get(Role.LEADER))


def court_choices(actor: Any) -> QuerySet[Unit]:
    """Courts the actor may register a case for: their own court; for office staff, the
    courts of the jurisdictions they oversee and of the city above (the intermediate court
    enforces county bodies' cases too)."""
    scope = scope_for(actor)
    q = Q(pk__in=sorted(scope.units.get(Role.COURT, frozenset())))
    for path in scope.oversight.get(Role.OFFICE, ()):
        parts = [p for p in path.split("/") if p]
        parent = "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else path
        q |= Q(jurisdiction__path__startswith=path) | Q(jurisdiction__path=parent)
    return (
        Unit.objects.current()
        .courts()
        .exclude(court_code="")
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def debtor_choices(actor: Any) -> QuerySet[Unit]:
    """Current bodies (not courts) a case may name as the debtor: those overseen by the
    actor's office, and for court staff those below the court's jurisdiction."""
    scope = scope_for(actor)
    q = Q(pk__in=[])
    for path in scope.oversight.get(Role.OFFICE, ()):
        q |= Q(jurisdiction__path__startswith=path)
    court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
    for path in Unit.objects.filter(pk__in=court_ids).values_list("jurisdiction__path", flat=True):
        q |= Q(jurisdiction__path__startswith=path)
    return (
        Unit.objects.current()
        .exclude(kind=UnitKind.COURT)
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


# --- who is told ------------------------------------------------------------------------------


def send_notice(
    *,
    ref_kind: str,
    ref_id: int,
    kind: str,
    recipients: Iterable[Any],
    subject: str,
    url: str,
    body: str = "",
    due_date: datetime.date | None = None,
) -> int:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return 0
    queued = notify(
        ref_kind=ref_kind,
        ref_id=ref_id,
        kind=kind,
        due_date=due_date or _today(),
        recipients=people,
        subject=subject[:200],
        body=body,
        url=url,
    )
    kick_delivery()
    return queued


# --- validation -------------------------------------------------------------------------------
def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None


def _check_common(errors: Errors, values: dict[str, Any], paid: Decimal) -> None:
    kind = values.get("kind") or ""
    if kind not in EnforcementCaseKind.values:
        _add(errors, "kind", _("Choose the kind of case."), "invalid_choice")
    if not (values.get("debtor_name") or "").strip():
        _add(errors, "debtor_name", _("Name the debtor."), "required")
    if not (values.get("creditor") or "").strip():
        _add(errors, "creditor", _("Name the applicant creditor."), "required")
    filed_on = values.get("filed_on")
    if filed_on is None:
        _add(errors, "filed_on", _("Enter the filing date."), "required")
    elif filed_on > _today():
        _add(
            errors,
            "filed_on",
            _("The filing date cannot be in the future."),
            "enforcement.filed_in_future",
        )
    owed = _amount(values.get("amount_owed"))
    if owed is None or owed <= 0:
        _add(
            errors,
            "amount_owed",
            _("Enter the amount owed, more than zero."),
            "enforcement.amount_owed",
        )
    elif paid > owed:
        _add(
            errors,
            "amount_owed",
            _("The amount paid (%(paid)s) is more than the amount owed (%(owed)s).")
            % {"paid": paid, "owed": owed},
            "enforcement.overpaid",
        )


def _check_number(errors: Errors, raw: str, court: Unit | None) -> str:
    """The normalised number, or "" after adding the problems found."""
    raw = (raw or "").strip()
    parsed = None
    if not raw:
        _add(errors, "number", _("Enter the case number."), "required")
    else:
        try:
            parsed = parse_case_number(raw)
        except CaseNumberError as exc:
            _add(errors, "number", exc.message, exc.code)
    if parsed is not None and parsed.kind != "enforcement":
        _add(
            errors,
            "number",
            _("%(number)s is not an enforcement case (its type code is %(type)s).")
            % {"number": parsed.normalized, "type": parsed.type_code or parsed.legacy_type},
            "enforcement.not_enforcement_case",
        )
        parsed = None
    if parsed is not None:
        duplicate = EnforcementCase.objects.filter(number=parsed.normalized).first()
        if duplicate is not None:
            _add(
                errors,
                "number",
                _("Case %(number)s is already registered.") % {"number": duplicate.number},
                "enforcement.duplicate_number",
            )
    if court is None:
        _add(errors, "court", _("Choose the court."), "required")
    elif court.kind != UnitKind.COURT or not court.court_code:
        _add(errors, "court", _("Choose a court with a court code."), "enforcement.not_a_court")
    elif parsed is not None and not parsed.legacy and parsed.court_code != court.court_code:
        _add(
            errors,
            "court",
            _("The number %(number)s belongs to court %(code)s, not to %(court)s (%(own)s).")
            % {
                "number": parsed.normalized,
                "code": parsed.court_code,
                "court": court.name,
                "own": court.court_code,
            },
            "enforcement.court_mismatch",
        )
    return parsed.normalized if parsed is not None else ""


# --- registering ------------------------------------------------------------------------------
@transaction.atomic
def register_case(
    actor: Any,
    *,
    number: str,
    court: Unit | None,
    kind: str,
    debtor_unit: Unit | None = None,
    debtor_name: str,
    creditor: str,
    filed_on: datetime.date | None,
    amount_owed: Any,
    amount_paid: Any = 0,
    enterprise_related: bool = False,
    note: str = "",
    deadline: datetime.date | None = None,
) -> EnforcementCase:
    """Register a case and open its supervised matter (registered and assigned to the lead
    unit at once). Raises ValidationError with every problem found, PermissionDenied when
    the actor is neither the court's staff nor the office over the case's jurisdiction."""
    errors: Errors = {}
    normalized = _check_number(errors, number, court)
    paid = _amount(amount_paid)
    if paid is None or paid < 0:
        _add(errors, "amount_paid", _("Enter the amount paid (zero or more)."), "invalid")
        paid = ZERO
    values = {
        "kind": kind,
        "debtor_name": debtor_name,
        "creditor": creditor,
        "filed_on": filed_on,
        "amount_owed": amount_owed,
    }
    _check_common(errors, values, paid)
    if kind in GOVERNMENT_KINDS and debtor_unit is None:
        _add(
            errors,
            "debtor_unit",
            _("A case against a government body needs the debtor body."),
            "enforcement.debtor_body_required",
        )
    if debtor_unit is not None and debtor_unit.kind == UnitKind.COURT:
        _add(
            errors,
            "debtor_unit",
            _("A court cannot be the debtor body here."),
            "enforcement.debtor_is_court",
        )
    anchor = debtor_unit if debtor_unit is not None else court
    mechanism = None
    if anchor is not None and "court" not in errors and "debtor_unit" not in errors:
        mechanism = mechanism_for(anchor.jurisdiction)
        if mechanism is None:
            _add(
                errors,
                "debtor_unit" if debtor_unit is not None else "court",
                _("No joint meeting covers this jurisdiction."),
                "enforcement.no_mechanism",
            )
    if deadline is not None and filed_on is not None and deadline < filed_on:
        _add(
            errors,
            "deadline",
            _("The deadline is before the filing date."),
            "enforcement.deadline_before_filing",
        )
    if (
        court is not None
        and anchor is not None
        and "court" not in errors
        and "debtor_unit" not in errors
    ):
        scope = scope_for(actor)
        if not (
            scope.acts_for(court.pk, Role.COURT)
            or scope.oversees(anchor.jurisdiction.path, Role.OFFICE)
        ):
            raise PermissionDenied(_("Only the court's staff or the office register this case."))
    elif not may_register(actor):
        raise PermissionDenied(_("Only court staff or the office register cases."))
    _raise(errors)
    assert court is not None and anchor is not None and mechanism is not None
    owed = _amount(amount_owed)
    assert filed_on is not None and owed is not None
    case = EnforcementCase(
        mechanism=mechanism,
        jurisdiction=anchor.jurisdiction,
        number=normalized,
        court=court,
        kind=kind,
        enterprise_related=bool(enterprise_related)
        or kind == EnforcementCaseKind.ENTERPRISE_ARREARS,
        debtor_unit=debtor_unit,
        debtor_name=debtor_name.strip(),
        creditor=creditor.strip(),
        filed_on=filed_on,
        amount_owed=owed,
        amount_paid=paid,
        note=(note or "").strip(),
    )
    case.save()
    from fuyuan.matters import actions as matter_actions
    from fuyuan.matters.models import MatterType

    due = deadline or add_months(filed_on, CASE_MONTHS)
    matter = matter_actions.open_for_source(
        actor,
        mechanism=mechanism,
        source_kind=SOURCE_KIND,
        source_ref=str(case.pk),
        title=f"{case.number} {case.debtor_name}"[:200],
        lead_unit=lead_unit_for(mechanism, court, debtor_unit),
        start_date=filed_on,
        deadline=max(due, filed_on),
        description=_(
            "%(kind)s. Creditor: %(creditor)s. Owed %(owed)s yuan, paid %(paid)s yuan. "
            "Executing court: %(court)s."
        )
        % {
            "kind": case.get_kind_display(),
            "creditor": case.creditor,
            "owed": case.amount_owed,
            "paid": case.amount_paid,
            "court": court.name,
        },
        matter_type=MatterType.GOVERNMENT_DEBTOR,
    )
    case.matter = matter
    case.save_checked(case.version, ["matter"])
    record(actor, "enforcement.case.register", case, after=snapshot(case))
    return case


# --- correcting -------------------------------------------------------------------------------
def _require_write(actor: Any, case: EnforcementCase) -> None:
    if not may_write(actor, case):
        raise PermissionDenied("enforcement.case.write")


@transaction.atomic
def update_case(
    actor: Any,
    case: EnforcementCase,
    *,
    expected_version: int | None = None,
    **values: Any,
) -> EnforcementCase:
    """Correct a case's kind, parties, filing date, amount owed, state (open / payment plan)
    and note. Number, court and debtor body are fixed (module docstring)."""
    _require_write(actor, case)
    unknown = set(values) - set(EDIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    merged = {name: values.get(name, getattr(case, name)) for name in EDIT_FIELDS}
    errors: Errors = {}
    _check_common(errors, merged, case.amount_paid)
    if merged["kind"] in GOVERNMENT_KINDS and case.debtor_unit_id is None:
        _add(
            errors,
            "kind",
            _("A case against a government body needs the debtor body."),
            "enforcement.debtor_body_required",
        )
    if case.state == EnforcementCaseState.CLOSED:
        _add(errors, "state", _("The case is closed."), "enforcement.case_closed")
    elif merged["state"] not in (EnforcementCaseState.OPEN, EnforcementCaseState.PLAN):
        _add(
            errors,
            "state",
            _("Close a case with “Close and strike off”."),
            "enforcement.close_with_action",
        )
    _raise(errors)
    before = snapshot(case)
    for name in EDIT_FIELDS:
        value = merged[name]
        if name == "amount_owed":
            value = _amount(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(case, name, value)
    if case.kind == EnforcementCaseKind.ENTERPRISE_ARREARS:
        case.enterprise_related = True
    case.save_checked(case.version if expected_version is None else expected_version)
    record(actor, "enforcement.case.update", case, before=before, after=snapshot(case))
    return case


# --- payments ---------------------------------------------------------------------------------
@transaction.atomic
def record_payment(
    actor: Any,
    case: EnforcementCase,
    *,
    amount: Any,
    paid_on: datetime.date | None,
    note: str = "",
    expected_version: int | None = None,
) -> EnforcementCase:
    """Money paid to the creditor (执行到位): adds to the amount paid, never beyond the amount
    owed. The payment is dated in the progress note and on the matter's timeline."""
    _require_write(actor, case)
    errors: Errors = {}
    value = _amount(amount)
    if case.state == EnforcementCaseState.CLOSED:
        _add(errors, "amount", _("The case is closed."), "enforcement.case_closed")
    if value is None or value <= 0:
        _add(errors, "amount", _("Enter the amount paid, more than zero."), "enforcement.amount")
    elif case.amount_paid + value > case.amount_owed:
        _add(
            errors,
            "amount",
            _("%(amount)s would bring the amount paid above the amount owed (%(left)s left).")
            % {"amount": value, "left": case.amount_owed - case.amount_paid},
            "enforcement.overpaid",
        )
    if paid_on is None:
        _add(errors, "paid_on", _("Enter the payment date."), "required")
    elif paid_on > _today():
        _add(errors, "paid_on", _("The date cannot be in the future."), "enforcement.date_future")
    elif paid_on < case.filed_on:
        _add(
            errors,
            "paid_on",
            _("The payment date is before the case was filed."),
            "enforcement.date_before_filing",
        )
    _raise(errors)
    assert value is not None and paid_on is not None
    before = snapshot(case)
    case.amount_paid = case.amount_paid + value
    line = _("%(date)s paid %(amount)s yuan") % {"date": paid_on.isoformat(), "amount": value}
    note = (note or "").strip()
    if note:
        line = f"{line}: {note}"
    case.note = f"{case.note}\n{line}".strip()
    case.save_checked(
        case.version if expected_version is None else expected_version, ["amount_paid", "note"]
    )
    record(
        actor,
        "enforcement.case.payment",
        case,
        before=before,
        after=snapshot(case),
        detail={"amount": str(value), "paid_on": paid_on.isoformat()},
    )
    if case.matter_id:
        from fuyuan.matters.actions import add_timeline

        add_timeline(
            case.matter,  # type: ignore[arg-type]
            actor,
            "enforcement.payment",
            text=_("%(line)s (paid %(paid)s of %(owed)s yuan)")
            % {"line": line, "paid": case.amount_paid, "owed": case.amount_owed},
        )
    return case


# --- closing (结案销号) -------------------------------------------------------------------------
@transaction.atomic
def close_case(
    actor: Any,
    case: EnforcementCase,
    closed_on: datetime.date | None,
    note: str = "",
    expected_version: int | None = None,
) -> EnforcementCase:
    """结案销号: close a fully paid case, or one not fully paid with a note saying why
    (settlement performed, procedure terminated …). The office is told; the matter is closed
    here when the actor is its office and it is reported or completed."""
    _require_write(actor, case)
    errors: Errors = {}
    note = (note or "").strip()
    if case.state == EnforcementCaseState.CLOSED:
        _add(errors, "closed_on", _("The case is already closed."), "enforcement.case_closed")
    if closed_on is None:
        _add(errors, "closed_on", _("Enter the closing date."), "required")
    elif closed_on > _today():
        _add(errors, "closed_on", _("The date cannot be in the future."), "enforcement.date_future")
    elif closed_on < case.filed_on:
        _add(
            errors,
            "closed_on",
            _("The closing date is before the case was filed."),
            "enforcement.date_before_filing",
        )
    if case.amount_paid < case.amount_owed and not note:
        _add(
            errors,
            "note",
            _("The case is not fully paid: say why it is closed (settlement, termination …)."),
            "enforcement.close_note_required",
        )
    _raise(errors)
    assert closed_on is not None
    before = snapshot(case)
    case.state = EnforcementCaseState.CLOSED
    case.closed_on = closed_on
    if note:
        case.note = f"{case.note}\n{closed_on.isoformat()} {_('closed')}: {note}".strip()
    case.save_checked(
        case.version if expected_version is None else expected_version,
        ["state", "closed_on", "note"],
    )
    record(actor, "enforcement.case.close", case, before=before, after=snapshot(case))
    matter = case.matter
    if matter is not None:
        from fuyuan.matters import actions as matter_actions
        from fuyuan.matters import workflow as matter_wf

        matter_actions.add_timeline(
            matter,
            actor,
            "enforcement.case_closed",
            text=_("Case closed on %(date)s. %(note)s")
            % {"date": closed_on.isoformat(), "note": note},
        )
        if matter_wf.OFFICE in relations_to(actor, matter) and matter.state in (
            matter_wf.REPORTED,
            matter_wf.COMPLETED,
        ):
            if matter.state == matter_wf.REPORTED:
                matter_actions.transition(actor, matter, "complete")
            matter_actions.transition(actor, matter, "close")
    send_notice(
        ref_kind=SOURCE_KIND,
        ref_id=case.pk,
        kind="enforcement.case.closed",
        recipients=office_users(case.mechanism.jurisdiction_id),
        subject=_("Enforcement case %(number)s closed (%(debtor)s): paid %(paid)s of %(owed)s")
        % {
            "number": case.number,
            "debtor": case.debtor_name,
            "paid": case.amount_paid,
            "owed": case.amount_owed,
        },
        body=note,
        url=case_url(case),
    )
    return case


# --- figures ----------------------------------------------------------------------------------
def percent(part: Any, whole: Any) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal; None when there is nothing to divide."""
    whole = Decimal(whole or 0)
    if whole == 0:
        return None
    return (Decimal(part or 0) * HUNDRED / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


_CLOSED = Q(state=EnforcementCaseState.CLOSED)


def _aggregates() -> dict[str, Any]:
    return {
        "count": Count("pk"),
        "closed": Count("pk", filter=_CLOSED),
        "owed": Sum("amount_owed"),
        "paid": Sum("amount_paid"),
        "open_owed": Sum("amount_owed", filter=~_CLOSED),
        "open_paid": Sum("amount_paid", filter=~_CLOSED),
        "oldest_open": Min("filed_on", filter=~_CLOSED),
    }


def _row(values: dict[str, Any]) -> dict[str, Any]:
    count = values.get("count") or 0
    closed = values.get("closed") or 0
    owed = values.get("owed") or ZERO
    paid = values.get("paid") or ZERO
    outstanding = (values.get("open_owed") or ZERO) - (values.get("open_paid") or ZERO)
    return {
        **values,
        "count": count,
        "closed": closed,
        "open": count - closed,
        "owed": owed,
        "paid": paid,
        "outstanding": outstanding,
        "closure_rate": percent(closed, count),
        "paid_rate": percent(paid, owed),
    }


def case_figures(queryset: QuerySet[EnforcementCase]) -> dict[str, Any]:
    """Count, open, closed, closure rate, amounts owed and paid, 执行到位率 (paid ÷ owed) and
    what is still outstanding on open cases: in total, per kind, per debtor body and per
    jurisdiction — four grouped queries. Rates are Decimal percentages, None over zero."""
    base = queryset.order_by()
    totals = _row(base.aggregate(**_aggregates()))
    labels = dict(EnforcementCaseKind.choices)
    by_kind = [
        {**_row(v), "label": labels.get(v["kind"], v["kind"])}
        for v in base.values("kind").annotate(**_aggregates()).order_by("kind")
    ]
    by_body = [
        _row(v)
        for v in base.values(
            "debtor_unit_id",
            "debtor_unit__name",
            "debtor_unit__jurisdiction__path",
            "debtor_unit__order_no",
        )
        .annotate(**_aggregates())
        .order_by("debtor_unit__jurisdiction__path", "debtor_unit__order_no", "debtor_unit_id")
    ]
    by_jurisdiction = [
        _row(v)
        for v in base.values("jurisdiction_id", "jurisdiction__name", "jurisdiction__path")
        .annotate(**_aggregates())
        .order_by("jurisdiction__path")
    ]
    return {
        "totals": totals,
        "by_kind": by_kind,
        "by_body": by_body,
        "by_jurisdiction": by_jurisdiction,
    }


# --- recipients (accounts.recipients, under the names this module has always used) ---
def liaison_users(unit: Unit) -> list[Any]:
    """Liaison officers of a body (or of the body that took it over)."""
    return recipients.unit_users(unit)


def court_users(court: Unit) -> list[Any]:
    return recipients.court_users(court)


def office_users(jurisdiction_id: int) -> list[Any]:
    """Office staff assigned to the jurisdiction itself."""
    return recipients.office_users(jurisdiction_id)
