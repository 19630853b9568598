"""Every write of the bankruptcy app: cases, coordination items (each opens a matter for the
unit that must act), information queries to departments (answered, urged when overdue), and
the cost fund (budget, applications, approval that commits money, payment). Permission
check, one transaction, write, audit, notifications queued in the outbox.

The fund's balance can never go negative: approval locks the fund row (`select_for_update`,
PostgreSQL), commits with a conditional UPDATE (`committed + amount <= budget`), and the table
has CHECK (committed <= budget) — so two approvals racing cannot overdraw it together, on
either database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts import recipients
from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar
from fuyuan.core.case_numbers import CaseNumber, CaseNumberError, parse_case_number
from fuyuan.core.identifiers import IdentifierError, parse_credit_code
from fuyuan.org.models import Mechanism, Unit, UnitKind

from . import workflow as wf
from .models import (
    BankruptcyCase,
    CaseStage,
    CoordinationItem,
    Fund,
    FundApplication,
    FundMovement,
    InformationQuery,
    ItemKind,
    MovementKind,
    QueryKind,
    QueryState,
)

ITEM_KIND = "bankruptcy.item"
QUERY_KIND = "bankruptcy.query"
APPLICATION_KIND = "bankruptcy.fund_application"
# Departments answer a query within 3 working days (DOMAIN.md §4: Beijing's practice).
QUERY_ANSWER_WORKING_DAYS = 3
CASE_FIELDS = (
    "number",
    "court",
    "debtor_name",
    "debtor_credit_code",
    "administrator",
    "administrator_contact",
    "applied_on",
    "accepted_on",
    "concluded_on",
    "stage",
    "no_assets",
    "employees",
    "note",
)

Errors = dict[str, list[ValidationError]]


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def case_url(case: BankruptcyCase | int) -> str:
    pk = case if isinstance(case, int) else case.pk
    return reverse("bankruptcy:case_detail", args=[pk])


# --- where things belong ----------------------------------------------------------------------
def mechanism_for(unit: Unit) -> Mechanism | None:
    """The joint meeting of the unit's jurisdiction, else the nearest one above it."""
    return Mechanism.objects.covering(unit.jurisdiction)


def _under(paths: Iterable[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _parent_path(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else path


def office_paths(actor: Any) -> tuple[str, ...]:
    return tuple(scope_for(actor).oversight.get(Role.OFFICE, ()))


def may_register_cases(actor: Any) -> bool:
    """Court staff register their court's cases; office staff may register one they were
    told of."""
    scope = scope_for(actor)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


def court_choices(actor: Any) -> QuerySet[Unit]:
    """Courts a case may be registered for: those the actor works for, and for office staff
    the courts of the jurisdictions they oversee."""
    scope = scope_for(actor)
    q = Q(pk__in=sorted(scope.units.get(Role.COURT, frozenset())))
    q |= _under(office_paths(actor), "jurisdiction__path")
    return (
        Unit.objects.current()
        .courts()
        .exclude(court_code="")
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def _may_register(actor: Any, court: Unit) -> bool:
    scope = scope_for(actor)
    return scope.acts_for(court.pk, Role.COURT) or scope.oversees(
        court.jurisdiction.path, Role.OFFICE
    )


def _notify(
    *,
    ref_kind: str,
    ref_id: int,
    kind: str,
    recipients: Iterable[Any],
    subject: str,
    url: str,
    due_date: datetime.date | None = None,
    kick: bool = True,
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
        url=url,
    )
    if kick:
        kick_delivery()
    return queued


# --- cases ------------------------------------------------------------------------------------
def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in (
        "number",
        "debtor_name",
        "debtor_credit_code",
        "administrator",
        "administrator_contact",
        "note",
    ):
        cleaned[name] = (cleaned.get(name) or "").strip()
    cleaned["no_assets"] = bool(cleaned.get("no_assets"))
    cleaned["employees"] = int(cleaned.get("employees") or 0)
    return cleaned


def _validate_case(
    actor: Any,
    values: dict[str, Any],
    *,
    case: BankruptcyCase | None = None,
    override_reason: str = "",
) -> tuple[CaseNumber | None, str, str]:
    """Check a case's values (all of them). Returns (parsed number, normalised credit code,
    override reason kept). The credit code rule (DOMAIN.md §5): a structural error is refused;
    a wrong check character is a warning office staff may override with a reason."""
    errors: Errors = {}
    parsed: CaseNumber | None = None
    court: Unit | None = values.get("court")
    raw = values["number"]
    if not raw:
        _add(errors, "number", _("Enter the case number."), "required")
    else:
        try:
            parsed = parse_case_number(raw)
        except CaseNumberError as exc:
            _add(errors, "number", exc.message, exc.code)
    if parsed is not None:
        if parsed.kind != "bankruptcy":
            _add(
                errors,
                "number",
                _("%(number)s is not a bankruptcy case (its type code is %(type)s).")
                % {"number": parsed.normalized, "type": parsed.type_code or parsed.legacy_type},
                "bankruptcy.not_bankruptcy_case",
            )
        same = BankruptcyCase.objects.filter(number=parsed.normalized)
        if case is not None:
            same = same.exclude(pk=case.pk)
        if same.exists():
            _add(
                errors,
                "number",
                _("Case %(number)s is already registered.") % {"number": parsed.normalized},
                "bankruptcy.duplicate_number",
            )
    if court is None:
        _add(errors, "court", _("Choose the court."), "required")
    elif court.kind != UnitKind.COURT or not court.court_code:
        _add(errors, "court", _("Choose a court with a court code."), "bankruptcy.not_a_court")
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
            "bankruptcy.court_mismatch",
        )
    elif mechanism_for(court) is None:
        _add(
            errors,
            "court",
            _("No joint meeting covers the court's jurisdiction."),
            "bankruptcy.no_mechanism",
        )
    if not values["debtor_name"]:
        _add(errors, "debtor_name", _("Enter the debtor enterprise."), "required")

    code, reason = "", ""
    given = (override_reason or "").strip()
    if values["debtor_credit_code"]:
        try:
            credit = parse_credit_code(values["debtor_credit_code"])
        except IdentifierError as exc:
            _add(errors, "debtor_credit_code", exc.message, exc.code)
        else:
            code = credit.value
            if credit.warnings:
                # A reason given earlier stays while the code is unchanged (whoever edits).
                kept = (
                    case is not None
                    and bool(case.credit_code_override)
                    and case.debtor_credit_code == code
                    and given in ("", case.credit_code_override)
                )
                office = court is not None and scope_for(actor).oversees(
                    court.jurisdiction.path, Role.OFFICE
                )
                if kept:
                    assert case is not None
                    reason = case.credit_code_override
                elif given and office:
                    reason = given[:200]
                else:
                    for warning in credit.warnings:
                        _add(errors, "debtor_credit_code", warning.message, warning.code)
                    if given:
                        _add(
                            errors,
                            "debtor_credit_code",
                            _("Only office staff may keep a code that fails its check."),
                            "bankruptcy.override_not_allowed",
                        )

    today = _today()
    stage = values.get("stage") or ""
    applied_on: datetime.date | None = values.get("applied_on")
    accepted_on: datetime.date | None = values.get("accepted_on")
    concluded_on: datetime.date | None = values.get("concluded_on")
    if stage not in CaseStage.values:
        _add(errors, "stage", _("Choose the stage."), "invalid_choice")
    if applied_on is None:
        _add(errors, "applied_on", _("Enter the date the application was received."), "required")
    for name, day in (
        ("applied_on", applied_on),
        ("accepted_on", accepted_on),
        ("concluded_on", concluded_on),
    ):
        if day is not None and day > today:
            _add(errors, name, _("The date cannot be in the future."), "bankruptcy.date_in_future")
    # A case concluded straight from the application (dismissed) has no acceptance date.
    accepted_needed = stage in CaseStage.values and stage != CaseStage.APPLICATION
    if accepted_needed and stage == CaseStage.CONCLUDED and concluded_on is not None:
        accepted_needed = False
    if accepted_needed and accepted_on is None:
        _add(
            errors,
            "accepted_on",
            _("A case past the application needs the date it was accepted."),
            "bankruptcy.accepted_on_required",
        )
    if stage == CaseStage.APPLICATION and accepted_on is not None:
        _add(
            errors,
            "stage",
            _("An accepted case is past the application: set the stage."),
            "bankruptcy.stage_mismatch",
        )
    if stage == CaseStage.CONCLUDED and concluded_on is None:
        _add(
            errors,
            "concluded_on",
            _("A concluded case needs the date it was concluded."),
            "bankruptcy.concluded_on_required",
        )
    if stage != CaseStage.CONCLUDED and concluded_on is not None:
        _add(
            errors,
            "stage",
            _("A case with a conclusion date is concluded: set the stage."),
            "bankruptcy.stage_mismatch",
        )
    if applied_on is not None:
        for name, day in (("accepted_on", accepted_on), ("concluded_on", concluded_on)):
            if day is not None and day < applied_on:
                _add(
                    errors,
                    name,
                    _("The date cannot be before the application was received."),
                    "bankruptcy.date_order",
                )
    _raise(errors)
    return parsed, code, reason


@transaction.atomic
def create_case(actor: Any, *, override_reason: str = "", **fields: Any) -> BankruptcyCase:
    """Register a bankruptcy case: court staff of the court, or office staff overseeing the
    court's jurisdiction. The number must be a bankruptcy case of that court."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"create_case: unknown fields {sorted(unknown)}")
    court = fields.get("court")
    if not may_register_cases(actor) or (court is not None and not _may_register(actor, court)):
        raise PermissionDenied("bankruptcy.case.create")
    values = _clean_values({name: fields.get(name) for name in CASE_FIELDS})
    parsed, code, reason = _validate_case(actor, values, override_reason=override_reason)
    assert parsed is not None and court is not None
    mechanism = mechanism_for(court)
    assert mechanism is not None
    case = BankruptcyCase(
        mechanism=mechanism,
        year=parsed.year,
        type_code=(parsed.type_code or parsed.legacy_type)[:6],
        credit_code_override=reason,
        **{**values, "number": parsed.normalized, "debtor_credit_code": code},
    )
    case.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    case.save()
    record(actor, "bankruptcy.case.create", case, after=snapshot(case))
    return case


@transaction.atomic
def update_case(
    actor: Any,
    case: BankruptcyCase,
    expected_version: int | None = None,
    override_reason: str = "",
    **fields: Any,
) -> BankruptcyCase:
    """Correct a case or move it on (stage, dates, a new number once accepted: 破申 → 破).
    Court staff and the office; optimistic locking on `expected_version`."""
    require(actor, "edit", case)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"update_case: unknown fields {sorted(unknown)}")
    current = {name: getattr(case, name) for name in CASE_FIELDS}
    values = _clean_values({**current, **fields})
    court = values["court"]
    if court is not None and court.pk != case.court_id and not _may_register(actor, court):
        raise PermissionDenied("bankruptcy.case.edit")
    parsed, code, reason = _validate_case(actor, values, case=case, override_reason=override_reason)
    assert parsed is not None
    before = snapshot(case)
    old_court_id = case.court_id
    for name in CASE_FIELDS:
        setattr(case, name, values[name])
    case.number = parsed.normalized
    case.year = parsed.year
    case.type_code = (parsed.type_code or parsed.legacy_type)[:6]
    case.debtor_credit_code = code
    case.credit_code_override = reason
    if court.pk != old_court_id:
        mechanism = mechanism_for(court)
        assert mechanism is not None
        case.mechanism = mechanism
    case.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    case.save_checked(
        case.version if expected_version is None else expected_version,
        fields=[*CASE_FIELDS, "mechanism", "year", "type_code", "credit_code_override"],
    )
    record(actor, "bankruptcy.case.update", case, before=before, after=snapshot(case))
    return case


# --- coordination items -----------------------------------------------------------------------
def lead_unit_choices(case: BankruptcyCase) -> QuerySet[Unit]:
    """Current units (not courts) of the case's joint meeting's jurisdiction and below whose
    own jurisdiction has a joint meeting (the matter is supervised there)."""
    with_mechanism = Mechanism.objects.values("jurisdiction_id")
    return (
        Unit.objects.current()
        .exclude(kind=UnitKind.COURT)
        .filter(
            jurisdiction__path__startswith=case.mechanism.jurisdiction.path,
            jurisdiction_id__in=with_mechanism,
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


@transaction.atomic
def add_item(
    actor: Any,
    case: BankruptcyCase,
    *,
    kind: str,
    description: str,
    lead_unit: Unit,
    deadline: datetime.date,
) -> CoordinationItem:
    """Ask government to act on a case (asset disposal, finance, credit repair,
    deregistration, tax, social stability, wages): opens a matter for the lead unit in the
    joint meeting of the unit's jurisdiction, supervised by its office."""
    from fuyuan.matters.actions import open_for_source

    require(actor, "coordinate", case)
    errors: Errors = {}
    description = (description or "").strip()
    today = _today()
    if kind not in ItemKind.values:
        _add(errors, "kind", _("Choose the kind of item."), "invalid_choice")
    if not description:
        _add(errors, "description", _("Say what is needed."), "required")
    mechanism = None
    if lead_unit is None:
        _add(errors, "lead_unit", _("Choose the lead unit."), "required")
    elif not lead_unit_choices(case).filter(pk=lead_unit.pk).exists():
        _add(
            errors,
            "lead_unit",
            _("Choose a unit within the case's joint meeting that has its own joint meeting."),
            "bankruptcy.lead_unit",
        )
    else:
        mechanism = Mechanism.objects.get(jurisdiction_id=lead_unit.jurisdiction_id)
    if deadline is None:
        _add(errors, "deadline", _("Enter the deadline."), "required")
    elif deadline <= today:
        _add(errors, "deadline", _("The deadline must be after today."), "bankruptcy.deadline_past")
    _raise(errors)
    assert mechanism is not None
    item = CoordinationItem(
        case=case,
        kind=kind,
        description=description,
        lead_unit=lead_unit,
        requested_by=actor,
        requested_on=today,
        deadline=deadline,
    )
    item.full_clean(exclude=["created_at", "updated_at", "matter"])
    item.save()
    item.matter = open_for_source(
        actor,
        mechanism=mechanism,
        source_kind=ITEM_KIND,
        source_ref=str(item.pk),
        title=(
            _("%(debtor)s bankruptcy: %(kind)s")
            % {"debtor": case.debtor_name, "kind": ItemKind(kind).label}
        )[:200],
        lead_unit=lead_unit,
        start_date=today,
        deadline=deadline,
        description=f"{case.number}\n{description}",
    )
    item.save(update_fields=["matter"])
    record(actor, "bankruptcy.item.create", item, after=snapshot(item))
    return item


# --- information queries ----------------------------------------------------------------------
def department_choices(case: BankruptcyCase) -> QuerySet[Unit]:
    """Current units (not courts) of the case's jurisdiction, of the level above it (a
    county case may ask the city's bureaus), and below."""
    path = case.mechanism.jurisdiction.path
    return (
        Unit.objects.current()
        .exclude(kind=UnitKind.COURT)
        .filter(Q(jurisdiction__path__startswith=path) | Q(jurisdiction__path=_parent_path(path)))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def query_url(query: InformationQuery) -> str:
    return reverse("bankruptcy:query_answer", args=[query.pk])


@transaction.atomic
def ask_query(
    actor: Any,
    case: BankruptcyCase,
    *,
    department: Unit,
    kind: str,
    question: str,
    for_administrator: bool = False,
) -> InformationQuery:
    """The court (for itself or the administrator) asks a department about the debtor; the
    answer is due in 3 working days. The department's liaison officers are told."""
    require(actor, "query", case)
    errors: Errors = {}
    question = (question or "").strip()
    if kind not in QueryKind.values:
        _add(errors, "kind", _("Choose what is asked."), "invalid_choice")
    if not question:
        _add(errors, "question", _("Write the question."), "required")
    if department is None:
        _add(errors, "department", _("Choose the department."), "required")
    elif not department_choices(case).filter(pk=department.pk).exists():
        _add(
            errors,
            "department",
            _("Choose a department of the case's area."),
            "bankruptcy.department",
        )
    _raise(errors)
    today = _today()
    try:
        due = calendar.add_working_days(today, QUERY_ANSWER_WORKING_DAYS)
    except calendar.CalendarMissing as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    query = InformationQuery(
        case=case,
        department=department,
        kind=kind,
        question=question,
        for_administrator=bool(for_administrator),
        asked_by=actor,
        asked_on=today,
        due_on=due,
    )
    query.full_clean(exclude=["created_at", "updated_at"])
    query.save()
    record(actor, "bankruptcy.query.create", query, after=snapshot(query))
    _notify(
        ref_kind=QUERY_KIND,
        ref_id=query.pk,
        kind="bankruptcy.query_asked",
        due_date=due,
        recipients=unit_users(department),
        subject=_("Bankruptcy query about %(debtor)s, answer by %(date)s")
        % {"debtor": case.debtor_name, "date": due.isoformat()},
        url=query_url(query),
    )
    return query


@transaction.atomic
def answer_query(
    actor: Any, query: InformationQuery, *, result: str, expected_version: int | None = None
) -> InformationQuery:
    """The department answers: the result is recorded and the turnaround counted in working
    days from the day asked. The asking court is told."""
    require(actor, "answer", query)
    result = (result or "").strip()
    if not result:
        raise ValidationError(
            {"result": [ValidationError(_("Write the answer."), code="required")]}
        )
    today = _today()
    try:
        days = max(calendar.working_days_between(query.asked_on, today), 0)
    except calendar.CalendarMissing as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    before = snapshot(query)
    query.state = QueryState.ANSWERED
    query.result = result
    query.answered_on = today
    query.answered_by = actor
    query.answer_working_days = days
    query.save_checked(
        query.version if expected_version is None else expected_version,
        fields=["state", "result", "answered_on", "answered_by", "answer_working_days"],
    )
    record(actor, "bankruptcy.query.answer", query, before=before, after=snapshot(query))
    _notify(
        ref_kind=QUERY_KIND,
        ref_id=query.pk,
        kind="bankruptcy.query_answered",
        recipients=[query.asked_by, *court_users(query.case.court)],
        subject=_("Bankruptcy query answered by %(unit)s") % {"unit": query.department.name},
        url=case_url(query.case),
    )
    return query


def urge_overdue_queries(today: datetime.date | None = None) -> int:
    """Daily: urge the departments of queries past their due date and still unanswered (once
    a day per query: outbox key by date). Returns how many queries were urged."""
    today = today or _today()
    rows = list(
        InformationQuery.objects.filter(state=QueryState.SENT, due_on__lt=today)
        .exclude(last_urged_on=today)
        .select_related("case", "department")
        .order_by("pk")
    )
    urged = 0
    for query in rows:
        with transaction.atomic():
            moved = (
                InformationQuery.objects.filter(pk=query.pk, state=QueryState.SENT)
                .exclude(last_urged_on=today)
                .update(last_urged_on=today)
            )
            if not moved:
                continue
            _notify(
                ref_kind=QUERY_KIND,
                ref_id=query.pk,
                kind="bankruptcy.query_overdue",
                due_date=today,
                recipients=unit_users(query.department),
                subject=_("Overdue bankruptcy query about %(debtor)s (due %(date)s)")
                % {"debtor": query.case.debtor_name, "date": query.due_on.isoformat()},
                url=query_url(query),
                kick=False,
            )
            record(
                None,
                "bankruptcy.query.urge",
                query,
                detail={"job": "bankruptcy.daily", "due_on": query.due_on.isoformat()},
            )
        urged += 1
    return urged


# --- the cost fund ----------------------------------------------------------------------------
def _money(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            {field: [ValidationError(_("Enter an amount in yuan."), code="invalid")]}
        ) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            {
                field: [
                    ValidationError(
                        _("The amount must be more than zero."), code="bankruptcy.amount"
                    )
                ]
            }
        )
    return amount


def _movement(
    fund: Fund,
    kind: str,
    amount: Decimal,
    actor: Any,
    application: FundApplication | None = None,
    note: str = "",
) -> FundMovement:
    return FundMovement.objects.create(
        fund=fund,
        application=application,
        kind=kind,
        amount=amount,
        on=_today(),
        by=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
        created_at=timezone.now(),
    )


def may_set_budget(actor: Any) -> bool:
    return bool(scope_for(actor).assigned_jurisdictions.get(Role.OFFICE))


@transaction.atomic
def set_budget(actor: Any, mechanism: Mechanism, year: int, budget: Any, note: str = "") -> Fund:
    """The office sets (or changes) its joint meeting's fund budget for a year. The budget
    can never fall below what approvals have already committed."""
    if not scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        raise PermissionDenied("bankruptcy.fund.budget")
    amount = _money(budget, "budget", allow_zero=True)
    if not 2000 <= int(year) <= _today().year + 1:
        raise ValidationError(
            {"year": [ValidationError(_("Choose a year."), code="bankruptcy.year")]}
        )
    fund, _created = Fund.objects.get_or_create(mechanism=mechanism, year=int(year))
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if amount < fund.committed:
        raise ValidationError(
            {
                "budget": [
                    ValidationError(
                        _(
                            "The budget cannot be less than the %(committed)s yuan already "
                            "committed."
                        )
                        % {"committed": fund.committed},
                        code="bankruptcy.fund_overdrawn",
                    )
                ]
            }
        )
    before = snapshot(fund)
    change = amount - fund.budget
    fund.budget = amount
    fund.save_checked(fund.version, fields=["budget"])
    if change:
        _movement(fund, MovementKind.BUDGET, change, actor, note=note or str(_("Budget")))
    record(actor, "bankruptcy.fund.budget", fund, before=before, after=snapshot(fund))
    return fund


def fund_for(case: BankruptcyCase, year: int) -> Fund | None:
    return Fund.objects.filter(mechanism_id=case.mechanism_id, year=year).first()


@transaction.atomic
def apply_fund(actor: Any, case: BankruptcyCase, *, amount: Any, reason: str) -> FundApplication:
    """The court applies, for the administrator, to this year's fund of the case's joint
    meeting. Only a case with no assets, past the application stage, may apply."""
    scope = scope_for(actor)
    if wf.COURT not in case.relations(scope):
        raise PermissionDenied("bankruptcy.fund.apply")
    errors: Errors = {}
    if not case.no_assets:
        _add(
            errors,
            "amount",
            _("Only a case with no assets to pay its costs may apply to the fund."),
            "bankruptcy.not_eligible",
        )
    elif case.stage == CaseStage.APPLICATION:
        _add(
            errors,
            "amount",
            _("The case must have been accepted before applying to the fund."),
            "bankruptcy.not_eligible",
        )
    reason = (reason or "").strip()
    if not reason:
        _add(errors, "reason", _("Say what the money is for."), "required")
    _raise(errors)
    value = _money(amount, "amount")
    today = _today()
    fund = fund_for(case, today.year)
    if fund is None:
        raise ValidationError(
            _("The joint meeting has no fund budget for %(year)d yet.") % {"year": today.year},
            code="bankruptcy.no_fund",
        )
    application = FundApplication(
        fund=fund,
        case=case,
        amount=value,
        reason=reason,
        applied_by=actor,
        applied_on=today,
        state=wf.APPLICATION_WORKFLOW.initial,
    )
    application.full_clean(exclude=["created_at", "updated_at"], validate_constraints=False)
    application.save()
    record(actor, "bankruptcy.application.create", application, after=snapshot(application))
    _notify(
        ref_kind=APPLICATION_KIND,
        ref_id=application.pk,
        kind="bankruptcy.application_submitted",
        recipients=office_users(fund.mechanism),
        subject=_("Application to the bankruptcy-cost fund: %(debtor)s, %(amount)s yuan")
        % {"debtor": case.debtor_name, "amount": value},
        url=case_url(case),
    )
    return application


def _overdrawn(fund: Fund, amount: Decimal) -> ValidationError:
    return ValidationError(
        _("Approving %(amount)s yuan would overdraw the fund: only %(balance)s yuan is available.")
        % {"amount": amount, "balance": fund.budget - fund.committed},
        code="bankruptcy.fund_overdrawn",
    )


def _commit(actor: Any, application: FundApplication) -> None:
    """Commit the amount against the fund inside the approval's transaction. The fund row is
    locked first (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), then the
    UPDATE itself re-checks the balance, and the CHECK constraint is the last guard."""
    fund = Fund.objects.select_for_update().get(pk=application.fund_id)
    amount = application.amount
    if fund.committed + amount > fund.budget:
        raise _overdrawn(fund, amount)
    try:
        with transaction.atomic():
            moved = Fund.objects.filter(pk=fund.pk, committed__lte=F("budget") - amount).update(
                committed=F("committed") + amount,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
    except IntegrityError:
        moved = 0
    if not moved:
        fund.refresh_from_db()
        raise _overdrawn(fund, amount)
    _movement(fund, MovementKind.COMMIT, amount, actor, application)


def _pay(actor: Any, application: FundApplication, reference: str) -> None:
    fund = Fund.objects.select_for_update().get(pk=application.fund_id)
    Fund.objects.filter(pk=fund.pk).update(
        paid=F("paid") + application.amount,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    _movement(fund, MovementKind.PAYMENT, application.amount, actor, application, note=reference)


@transaction.atomic
def application_transition(
    actor: Any,
    application: FundApplication,
    name: str,
    comment: str = "",
    payment_reference: str = "",
    expected_version: int | None = None,
) -> FundApplication:
    """A step of the application's graph: the office reviews, approves (committing the money
    — refused with `bankruptcy.fund_overdrawn` if the balance would go negative), pays or
    rejects; the court may withdraw a submitted application."""
    step = wf.APPLICATION_WORKFLOW.check(
        name, application.state, relations_to(actor, application), comment=comment
    )
    comment = (comment or "").strip()
    today = _today()
    before = snapshot(application)
    changed = ["state"]
    if name == "review":
        application.review_note = comment
        changed.append("review_note")
    elif name == "approve":
        _commit(actor, application)
        application.decided_on = today
        application.decision_note = comment
        changed += ["decided_on", "decision_note"]
    elif name == "reject":
        application.decided_on = today
        application.decision_note = comment
        changed += ["decided_on", "decision_note"]
    elif name == "pay":
        reference = (payment_reference or comment).strip()
        _pay(actor, application, reference)
        application.paid_on = today
        application.payment_reference = reference[:100]
        changed += ["paid_on", "payment_reference"]
    application.state = step.target
    application.save_checked(
        application.version if expected_version is None else expected_version, fields=changed
    )
    record(
        actor,
        f"bankruptcy.application.{name}",
        application,
        before=before,
        after=snapshot(application),
        detail={"comment": comment} if comment else None,
    )
    case = application.case
    recipients = (
        office_users(application.fund.mechanism)
        if name == "withdraw"
        else [application.applied_by, *court_users(case.court)]
    )
    _notify(
        ref_kind=APPLICATION_KIND,
        ref_id=application.pk,
        kind=f"bankruptcy.application_{name}",
        recipients=recipients,
        subject=_("Fund application for %(debtor)s: %(state)s")
        % {"debtor": case.debtor_name, "state": wf.APPLICATION_WORKFLOW.state(step.target).label},
        url=case_url(case),
    )
    return application


__all__ = [
    "add_item",
    "answer_query",
    "application_transition",
    "apply_fund",
    "ask_query",
    "court_choices",
    "create_case",
    "department_choices",
    "lead_unit_choices",
    "may_register_cases",
    "mechanism_for",
    "set_budget",
    "update_case",
    "urge_overdue_queries",
]


# --- recipients (accounts.recipients, under the names this module has always used) ---
def unit_users(unit: Unit) -> list[Any]:
    """Liaison officers of a unit (or of the unit that took it over)."""
    return recipients.unit_users(unit)


def court_users(court: Unit) -> list[Any]:
    return recipients.court_users(court)


def office_users(mechanism: Mechanism) -> list[Any]:
    return recipients.office_users(mechanism.jurisdiction_id)
