"""Every write about referrals for substantive resolution of administrative disputes
(行政争议实质性化解) — referral, coordination steps, outcome — and their figures.

A dispute is referred before a suit is filed or while a case runs, for coordination by the
office of the body's joint meeting with a mediator and the body concerned; it ends resolved
(the suit withdrawn or never filed), settled, or failed (the case continues in court).
Permission check, one transaction, write, audit, notifications queued in the outbox in the
same transaction (delivery kicked on commit)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.org.models import Unit

from . import workflow as wf
from .actions import body_users, court_users, mechanism_for, office_users
from .models import AdminCase, CoDefendant, Dispute, DisputeStep, DisputeStepKind

DISPUTE_KIND = "litigation.dispute"

Errors = dict[str, list[ValidationError]]


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def dispute_url(dispute: Dispute | int) -> str:
    pk = dispute if isinstance(dispute, int) else dispute.pk
    return reverse("litigation:dispute_detail", args=[pk])


# --- who --------------------------------------------------------------------------------------
def may_refer(actor: Any) -> bool:
    """Office staff (for the bodies of the jurisdictions they oversee), liaison officers (for
    their body) and court staff (for the defendants of their court's cases) refer disputes."""
    scope = scope_for(actor)
    return bool(
        scope.oversight.get(Role.OFFICE)
        or scope.units.get(Role.LIAISON)
        or scope.units.get(Role.COURT)
    )


def defendant_ids(case: AdminCase) -> list[int]:
    """The primary defendant and the co-defendants of a case."""
    ids = [case.defendant_id]
    ids += list(CoDefendant.objects.filter(case=case).values_list("unit_id", flat=True))
    return ids


def _may_refer_for(actor: Any, unit: Unit, case: AdminCase | None) -> bool:
    scope = scope_for(actor)
    return (
        scope.oversees(unit.jurisdiction.path, Role.OFFICE)
        or scope.acts_for(unit.pk, Role.LIAISON)
        or (case is not None and scope.acts_for(case.court_id, Role.COURT))
    )


def referable_units(actor: Any, case: AdminCase | None = None) -> QuerySet[Unit]:
    """Bodies the actor may refer a dispute about: current units of the jurisdictions the
    actor oversees as office staff and the actor's own body; with a case, only its
    defendants (all of them for the court hearing it)."""
    scope = scope_for(actor)
    q = Q(pk__in=sorted(scope.units.get(Role.LIAISON, frozenset())))
    for path in scope.oversight.get(Role.OFFICE, ()):
        q |= Q(jurisdiction__path__startswith=path)
    units = Unit.objects.select_related("jurisdiction").order_by(
        "jurisdiction__path", "order_no", "pk"
    )
    if case is None:
        return units.current().filter(q)
    defendants = defendant_ids(case)
    if scope.acts_for(case.court_id, Role.COURT):
        q |= Q(pk__in=defendants)
    return units.filter(q, pk__in=defendants)


def find_case(actor: Any, number: str) -> AdminCase | None:
    """A case the actor may see, by its number as typed (normalised like the court's)."""
    from fuyuan.core.case_numbers import CaseNumberError, parse_case_number

    raw = (number or "").strip()
    if not raw:
        return None
    try:
        normalized = parse_case_number(raw).normalized
    except CaseNumberError:
        normalized = raw
    return AdminCase.objects.visible_to(actor).filter(number=normalized).first()


# --- notifications ----------------------------------------------------------------------------
def _recipients(dispute: Dispute, *, court: bool = False) -> list[Any]:
    people = [*body_users(dispute.unit), *office_users(dispute.mechanism.jurisdiction)]
    if court and dispute.case_id:
        people += court_users(dispute.case.court)  # type: ignore[union-attr]
    return people


def _notify(
    actor: Any, dispute: Dispute, kind: str, recipients: Iterable[Any], subject: str
) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = {u.pk: u for u in recipients if u is not None and u.pk != actor.pk}
    if not people:
        return
    notify(
        ref_kind=DISPUTE_KIND,
        ref_id=dispute.pk,
        kind=kind,
        due_date=_today(),
        recipients=list(people.values()),
        subject=subject[:200],
        url=dispute_url(dispute),
    )
    kick_delivery()


# --- referral ---------------------------------------------------------------------------------
@transaction.atomic
def refer_dispute(
    actor: Any,
    *,
    unit: Unit,
    title: str,
    applicant: str,
    summary: str,
    referred_on: datetime.date,
    mediator: str = "",
    case: AdminCase | None = None,
) -> Dispute:
    """Refer a dispute about `unit` for coordination — before filing (no case) or during a
    case (`case`, one of whose defendants the unit must be). Office staff overseeing the
    unit's jurisdiction, the unit's liaison officers, or staff of the court hearing the case
    may refer. The joint meeting is the unit's own (else the nearest above it). The body's
    liaison officers and the office are notified."""
    if not _may_refer_for(actor, unit, case):
        raise PermissionDenied("litigation.dispute.refer")
    errors: Errors = {}
    title, applicant = (title or "").strip(), (applicant or "").strip()
    summary, mediator = (summary or "").strip(), (mediator or "").strip()
    if not title:
        _add(errors, "title", _("Name the dispute."), "required")
    if not applicant:
        _add(errors, "applicant", _("Enter the applicant."), "required")
    if not summary:
        _add(errors, "summary", _("Summarise the dispute."), "required")
    if referred_on is None:
        _add(errors, "referred_on", _("Enter the date of referral."), "required")
    elif referred_on > _today():
        _add(
            errors,
            "referred_on",
            _("The date of referral cannot be in the future."),
            "litigation.dispute_date_future",
        )
    if case is not None:
        if not AdminCase.objects.visible_to(actor).filter(pk=case.pk).exists():
            _add(
                errors,
                "case",
                _("No case with this number is open to you."),
                "litigation.dispute_case_not_visible",
            )
        elif unit.pk not in defendant_ids(case):
            _add(
                errors,
                "unit",
                _("The body must be a defendant of the case."),
                "litigation.dispute_unit_not_defendant",
            )
        elif referred_on is not None and referred_on < case.filed_on:
            _add(
                errors,
                "referred_on",
                _("A dispute during a case is referred after the case was filed (%(date)s).")
                % {"date": case.filed_on.isoformat()},
                "litigation.dispute_before_case",
            )
    mechanism = mechanism_for(unit)
    if mechanism is None:
        _add(
            errors,
            "unit",
            _("No joint meeting covers this body."),
            "litigation.no_mechanism",
        )
    _raise(errors)
    assert mechanism is not None
    dispute = Dispute(
        mechanism=mechanism,
        title=title,
        applicant=applicant,
        unit=unit,
        case=case,
        referred_on=referred_on,
        referred_by=actor,
        mediator=mediator,
        summary=summary,
        state=wf.REFERRED,
    )
    dispute.full_clean(exclude=["created_at", "updated_at"])
    dispute.save()
    record(actor, "litigation.dispute.refer", dispute, after=snapshot(dispute))
    _notify(
        actor,
        dispute,
        "dispute.referred",
        _recipients(dispute),
        _("Dispute referred for coordination: %(title)s (%(unit)s)")
        % {"title": dispute.title, "unit": unit.name},
    )
    return dispute


# --- coordination -----------------------------------------------------------------------------
@transaction.atomic
def add_step(
    actor: Any, dispute: Dispute, *, on: datetime.date, kind: str, note: str
) -> DisputeStep:
    """Record a dated coordination step (talk, mediation, meeting, site visit …). The office
    coordinating it, the body and the court of the case record steps while the dispute is
    open; the first step moves a referred dispute to "being coordinated"."""
    require(actor, "add_step", dispute)
    errors: Errors = {}
    note = (note or "").strip()
    if kind not in DisputeStepKind.values:
        _add(errors, "kind", _("Choose the kind of step."), "invalid_choice")
    if not note:
        _add(errors, "note", _("Say what happened."), "required")
    if on is None:
        _add(errors, "on", _("Enter the date."), "required")
    elif on > _today():
        _add(errors, "on", _("The date cannot be in the future."), "litigation.dispute_date_future")
    elif on < dispute.referred_on:
        _add(
            errors,
            "on",
            _("The step cannot be before the referral (%(date)s).")
            % {"date": dispute.referred_on.isoformat()},
            "litigation.dispute_step_before_referral",
        )
    _raise(errors)
    step = DisputeStep(dispute=dispute, on=on, kind=kind, note=note, author=actor)
    step.save()
    record(actor, "litigation.dispute_step.create", step, after=snapshot(step))
    if dispute.state == wf.REFERRED:
        # Coordination has begun: whoever may record a step moves the dispute on.
        before = snapshot(dispute)
        dispute.state = wf.COORDINATING
        dispute.save_checked(dispute.version, fields=["state"])
        record(
            actor,
            "litigation.dispute.start",
            dispute,
            before=before,
            after=snapshot(dispute),
            detail={"by_step": step.pk},
        )
    return step


@transaction.atomic
def dispute_transition(
    actor: Any,
    dispute: Dispute,
    name: str,
    comment: str = "",
    *,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Dispute:
    """Take a transition of the dispute's graph: start coordinating, or — for the office
    coordinating it — record the outcome (resolved and withdrawn, settled, failed) with the
    comment as the outcome note and `on` (default today) as the closing date. The outcome is
    sent to the body's liaison officers, the office and the court of the case."""
    comment = (comment or "").strip()
    step = wf.DISPUTE_WORKFLOW.check(
        name, dispute.state, relations_to(actor, dispute), comment=comment
    )
    closing = step.target in wf.DISPUTE_FINAL
    closed_on = on or _today()
    if closing:
        errors: Errors = {}
        if closed_on > _today():
            _add(
                errors,
                "on",
                _("The date cannot be in the future."),
                "litigation.dispute_date_future",
            )
        elif closed_on < dispute.referred_on:
            _add(
                errors,
                "on",
                _("The dispute cannot close before it was referred (%(date)s).")
                % {"date": dispute.referred_on.isoformat()},
                "litigation.dispute_closed_before_referral",
            )
        _raise(errors)
    before = snapshot(dispute)
    dispute.state = step.target
    fields = ["state"]
    if closing:
        dispute.closed_on = closed_on
        dispute.outcome_note = comment
        fields += ["closed_on", "outcome_note"]
    dispute.save_checked(
        dispute.version if expected_version is None else expected_version, fields=fields
    )
    record(
        actor,
        f"litigation.dispute.{name}",
        dispute,
        before=before,
        after=snapshot(dispute),
        detail={"comment": comment} if comment else None,
    )
    if closing:
        _notify(
            actor,
            dispute,
            "dispute.outcome",
            _recipients(dispute, court=True),
            _("Dispute coordination ended — %(outcome)s: %(title)s")
            % {"outcome": wf.DISPUTE_WORKFLOW.state(step.target).label, "title": dispute.title},
        )
    return dispute


# --- figures ----------------------------------------------------------------------------------
def resolution_rate(resolved: int, closed: int) -> Decimal | None:
    """实质化解率: disputes resolved (withdrawn or settled) per dispute closed, in percent
    with one decimal; None when none closed (shown as "—")."""
    if not closed:
        return None
    return (Decimal(resolved) * 100 / Decimal(closed)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def dispute_figures(queryset: QuerySet[Dispute]) -> dict[str, Any]:
    """Figures of the disputes in `queryset` (already scoped and filtered by the caller), in
    one query: referred, open, closed, resolved (resolved and withdrawn + settled; each also
    apart), failed, the resolution rate (resolved / closed, see `resolution_rate`), and
    how many were referred before filing or during a case."""
    final = list(wf.DISPUTE_FINAL)
    counts = queryset.order_by().aggregate(
        referred=Count("pk"),
        closed=Count("pk", filter=Q(state__in=final)),
        withdrawn=Count("pk", filter=Q(state=wf.RESOLVED)),
        settled=Count("pk", filter=Q(state=wf.SETTLED)),
        failed=Count("pk", filter=Q(state=wf.FAILED)),
        during_case=Count("pk", filter=Q(case__isnull=False)),
    )
    referred = counts["referred"] or 0
    closed = counts["closed"] or 0
    resolved = (counts["withdrawn"] or 0) + (counts["settled"] or 0)
    during = counts["during_case"] or 0
    return {
        "referred": referred,
        "open": referred - closed,
        "closed": closed,
        "resolved": resolved,
        "resolved_withdrawn": counts["withdrawn"] or 0,
        "settled": counts["settled"] or 0,
        "failed": counts["failed"] or 0,
        "resolution_rate": resolution_rate(resolved, closed),
        "before_filing": referred - during,
        "during_case": during,
    }


__all__ = [
    "DISPUTE_KIND",
    "add_step",
    "dispute_figures",
    "dispute_transition",
    "dispute_url",
    "find_case",
    "may_refer",
    "refer_dispute",
    "referable_units",
    "resolution_rate",
]
