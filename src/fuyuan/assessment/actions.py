"""Every write of the assessment: draw up and edit a scheme with its indicators, publish it,
score every assessed unit from the records, adjust a result with a written reason, submit it
for confirmation, confirm it (someone else), send it back, finalize and rank. Each write
checks permission (the state graph or `permits`), runs in one transaction and is audited;
scoring is a bulk path with one audit entry per run."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.org.models import Mechanism

from . import queries, scoring
from . import workflow as wf
from .indicators import CARDS, CATALOGUE, Context
from .models import Adjustment, Indicator, IndicatorScore, Ranking, Result, Scheme

MIN_YEAR = 2000
MAX_YEAR = 2100


def _error(field: str | None, message: str, code: str) -> ValidationError:
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: [ValidationError(message, code=code)]})


def _snap(obj: Any) -> dict[str, Any]:
    return snapshot(obj) or {}


def _final_refusal() -> ValidationError:
    return _error(
        None, _("This assessment is final and can no longer be changed."), "assessment.final"
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def points(value: Decimal) -> str:
    """Points as the pages and the sheet show them: two decimals."""
    return f"{scoring.two(value)}"


# --- schemes ----------------------------------------------------------------------------------
def may_create(actor: Any, mechanism: Mechanism) -> bool:
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


@dataclass
class IndicatorInput:
    """One indicator row as a form or a test gives it."""

    kind: str
    weight: Any
    name: str = ""
    target: Any = None
    deduction_step: Any = None
    yellow_points: Any = None
    red_points: Any = None
    if_no_data: str = "full"


def _clean_indicators(
    rows: Iterable[IndicatorInput | dict[str, Any]], total: Decimal | None
) -> tuple[list[IndicatorInput], list[ValidationError]]:
    errors: list[ValidationError] = []
    cleaned: list[IndicatorInput] = []
    seen: set[str] = set()
    for raw in rows:
        row = raw if isinstance(raw, IndicatorInput) else IndicatorInput(**raw)
        kind = CATALOGUE.get(row.kind)
        if kind is None:
            errors.append(
                ValidationError(_("Choose an indicator from the list."), code="assessment.kind")
            )
            continue
        if row.kind in seen:
            errors.append(
                ValidationError(
                    _("“%(name)s” is listed twice.") % {"name": kind.label},
                    code="assessment.kind_twice",
                )
            )
            continue
        seen.add(row.kind)
        weight = _decimal(row.weight)
        if weight is None or weight <= 0:
            errors.append(
                ValidationError(
                    _("Give “%(name)s” a weight above zero.") % {"name": kind.label},
                    code="assessment.weight",
                )
            )
            continue
        numbers = {}
        for name in ("target", "deduction_step", "yellow_points", "red_points"):
            value = _decimal(getattr(row, name))
            if value is not None and value < 0:
                errors.append(
                    ValidationError(
                        _("Targets and deductions cannot be negative."),
                        code="assessment.negative",
                    )
                )
            numbers[name] = value
        if kind.method != CARDS and numbers["target"] == 0:
            errors.append(
                ValidationError(_("A target must be above zero."), code="assessment.target")
            )
        cleaned.append(
            IndicatorInput(
                kind=row.kind,
                weight=weight,
                name=(row.name or "").strip()[:80] or str(kind.label),
                if_no_data=row.if_no_data if row.if_no_data in ("full", "zero") else "full",
                **numbers,
            )
        )
    if not cleaned and not errors:
        errors.append(
            ValidationError(_("Add at least one indicator."), code="assessment.no_indicators")
        )
    if total is not None and cleaned and not errors:
        weights = sum((Decimal(r.weight) for r in cleaned), Decimal("0"))
        if weights != total:
            errors.append(
                ValidationError(
                    _(
                        "The weights add up to %(sum)s points; they must add up to the "
                        "scheme's total of %(total)s points."
                    )
                    % {"sum": points(weights), "total": points(total)},
                    code="assessment.weights_sum",
                )
            )
    return cleaned, errors


def _indicators_snapshot(scheme: Scheme) -> list[dict[str, Any]]:
    return [
        {
            "kind": i.kind,
            "name": i.name,
            "weight": str(i.weight),
            "target": None if i.target is None else str(i.target),
            "deduction_step": None if i.deduction_step is None else str(i.deduction_step),
            "yellow_points": None if i.yellow_points is None else str(i.yellow_points),
            "red_points": None if i.red_points is None else str(i.red_points),
            "if_no_data": i.if_no_data,
        }
        for i in scheme.indicators.order_by("order", "pk")
    ]


@transaction.atomic
def save_scheme(
    actor: Any,
    mechanism: Mechanism | None = None,
    *,
    scheme: Scheme | None = None,
    year: int,
    title: str,
    indicators: Iterable[IndicatorInput | dict[str, Any]],
    total_points: Any = Decimal("100"),
    ranking: str = Ranking.STANDARD,
    notes: str = "",
) -> Scheme:
    """Draw up a scheme for `mechanism` (the office of its jurisdiction), or edit a draft
    `scheme`. The indicators are replaced by `indicators`; their weights must add up to the
    scheme's total."""
    if scheme is not None:
        scheme = Scheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
        if scheme.is_final:
            raise _final_refusal()
        require(actor, "edit", scheme)
        mechanism = scheme.mechanism
    elif mechanism is None or not may_create(actor, mechanism):
        raise PermissionDenied(_("Only the office of this joint meeting draws up schemes."))
    errors: dict[str, list[ValidationError]] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(ValidationError(_("Enter a title."), code="required"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        errors.setdefault("year", []).append(
            ValidationError(_("Enter the year assessed."), code="assessment.year")
        )
    elif (
        Scheme.objects.filter(mechanism=mechanism, year=year)
        .exclude(pk__in=[scheme.pk] if scheme else [])
        .exists()
    ):
        errors.setdefault("year", []).append(
            ValidationError(
                _("This joint meeting has a scheme for %(year)s already.") % {"year": year},
                code="assessment.year_taken",
            )
        )
    total = _decimal(total_points)
    if total is None or total <= 0:
        errors.setdefault("total_points", []).append(
            ValidationError(_("Enter the scheme's total points."), code="assessment.total")
        )
        total = None
    if ranking not in Ranking.values:
        errors.setdefault("ranking", []).append(
            ValidationError(_("Choose how equal totals are ranked."), code="invalid_choice")
        )
    cleaned, indicator_errors = _clean_indicators(indicators, total)
    if indicator_errors:
        errors.setdefault("indicators", []).extend(indicator_errors)
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert mechanism is not None and total is not None
    before = None
    if scheme is None:
        scheme = Scheme(mechanism=mechanism, created_by=actor)
    else:
        before = _snap(scheme)
        before["indicators"] = _indicators_snapshot(scheme)
    scheme.year = year
    scheme.title = title
    scheme.total_points = total
    scheme.ranking = ranking
    scheme.notes = (notes or "").strip()
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError as exc:  # a concurrent scheme for the same year
        raise _error(
            "year",
            _("This joint meeting has a scheme for %(year)s already.") % {"year": year},
            "assessment.year_taken",
        ) from exc
    scheme.indicators.all().delete()
    Indicator.objects.bulk_create(
        [
            Indicator(
                scheme=scheme,
                kind=row.kind,
                name=row.name,
                order=n,
                weight=row.weight,
                target=row.target,
                deduction_step=row.deduction_step,
                yellow_points=row.yellow_points,
                red_points=row.red_points,
                if_no_data=row.if_no_data,
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
            for n, row in enumerate(cleaned, start=1)
        ]
    )
    after = _snap(scheme)
    after["indicators"] = _indicators_snapshot(scheme)
    record(
        actor,
        "assessment.scheme.create" if before is None else "assessment.scheme.edit",
        scheme,
        before=before,
        after=after,
    )
    return scheme


def _weights_sum_error(scheme: Scheme) -> ValidationError | None:
    rows = [
        IndicatorInput(kind=i.kind, weight=i.weight, name=i.name)
        for i in scheme.indicators.order_by("order", "pk")
    ]
    _cleaned, errors = _clean_indicators(rows, Decimal(scheme.total_points))
    return errors[0] if errors else None


@transaction.atomic
def transition_scheme(actor: Any, scheme: Scheme, name: str) -> Scheme:
    """publish (locks the indicators; scoring starts) or finalize (ranks the confirmed
    results and makes everything final)."""
    scheme = (
        Scheme.objects.select_for_update(of=("self",))
        .select_related("mechanism", "mechanism__jurisdiction")
        .get(pk=scheme.pk)
    )
    if scheme.is_final:
        raise _final_refusal()
    step = wf.SCHEME_WORKFLOW.check(name, scheme.state, relations_to(actor, scheme))
    before = _snap(scheme)
    now = timezone.now()
    detail: dict[str, Any] | None = None
    if name == "publish":
        problem = _weights_sum_error(scheme)
        if problem is not None:
            raise ValidationError({"indicators": [problem]})
        scheme.published_at = now
    elif name == "finalize":
        detail = _finalize_results(actor, scheme, now)
        scheme.finalized_at = now
        scheme.finalized_by = actor
    scheme.state = step.target
    scheme.save()
    record(
        actor,
        f"assessment.scheme.{name}",
        scheme,
        before=before,
        after=_snap(scheme),
        detail=detail,
    )
    return scheme


def _finalize_results(actor: Any, scheme: Scheme, now: datetime.datetime) -> dict[str, Any]:
    results = list(
        Result.objects.select_for_update(of=("self",))
        .filter(scheme=scheme)
        .select_related("unit")
        .order_by("unit__order_no", "unit_id")
    )
    if not results:
        raise _error(None, _("Score the units before finalizing."), "assessment.no_results")
    waiting = [r for r in results if r.state != wf.CONFIRMED]
    if waiting:
        raise _error(
            None,
            _("%(n)s results are not confirmed yet: %(units)s.")
            % {"n": len(waiting), "units": "、".join(r.unit.name for r in waiting[:5])},
            "assessment.unconfirmed",
        )
    places = scoring.ranks([(r.pk, r.total) for r in results], scheme.ranking)
    for result in results:
        wf.RESULT_WORKFLOW.check("finalize", result.state, {wf.OFFICE})
        place = places[result.pk]
        result.rank = place.rank
        result.tied = place.tied
        result.state = wf.FINAL
        result.finalized_at = now
        result.save()
    return {
        "ranking": scheme.ranking,
        "ranks": [
            {"unit": r.unit.name, "total": str(r.total), "rank": r.rank, "tied": r.tied}
            for r in sorted(results, key=lambda r: (r.rank or 0, r.unit.order_no))
        ],
    }


# --- scoring ----------------------------------------------------------------------------------
@dataclass
class ScoreRun:
    """What a scoring run did: results created, recomputed, and left alone (already
    reviewed or beyond)."""

    created: int = 0
    rescored: int = 0
    kept: int = 0


@transaction.atomic
def score(actor: Any, scheme: Scheme) -> ScoreRun:
    """Compute every assessed unit's result from the records of the scheme's year, in one
    go: each indicator's figures for all units (a few grouped queries per indicator), then
    the points. Results not yet reviewed are recomputed (their adjustments stay); reviewed,
    confirmed and final results are kept as they are. One audit entry for the run."""
    scheme = (
        Scheme.objects.select_for_update(of=("self",))
        .select_related("mechanism", "mechanism__jurisdiction")
        .get(pk=scheme.pk)
    )
    if scheme.is_final:
        raise _final_refusal()
    require(actor, "score", scheme)
    mechanism = scheme.mechanism
    context = Context(actor=actor, mechanism=mechanism, year=scheme.year)
    units = queries.assessed_units(mechanism)
    indicator_list = queries.indicators(scheme)
    figures = {
        i.pk: (i.kind_obj.compute(context, units) if i.kind_obj is not None else {})
        for i in indicator_list
    }
    existing = {
        r.unit_id: r for r in Result.objects.select_for_update(of=("self",)).filter(scheme=scheme)
    }
    now = timezone.now()
    run = ScoreRun()
    for unit in units:
        result = existing.get(unit.pk)
        if result is not None and result.state not in wf.RESCORABLE:
            run.kept += 1
            continue
        if result is None:
            result = Result(scheme=scheme, unit=unit, scored_at=now, scored_by=actor)
            run.created += 1
        else:
            run.rescored += 1
        computed = Decimal("0")
        rows = []
        for indicator in indicator_list:
            figure = figures[indicator.pk].get(unit.pk)
            scored = scoring.score(indicator, figure, mechanism)
            computed += scored.score
            rows.append((indicator, figure, scored))
        result.computed_total = scoring.two(computed)
        result.total = scoring.two(computed + result.adjustment_total)
        result.scored_at = now
        result.scored_by = actor
        result.figures_as_of = context.as_of
        result.save()
        result.scores.all().delete()
        IndicatorScore.objects.bulk_create(
            [
                IndicatorScore(
                    result=result,
                    indicator=indicator,
                    value=scored.value,
                    numerator=figure.numerator if figure is not None else None,
                    denominator=figure.denominator if figure is not None else None,
                    detail=figure.detail if figure is not None else {},
                    target=scored.target,
                    score=scored.score,
                    created_at=now,
                    updated_at=now,
                )
                for indicator, figure, scored in rows
            ]
        )
    scheme.scored_at = now
    scheme.save(update_fields=["scored_at"])
    record(
        actor,
        "assessment.scheme.score",
        scheme,
        detail={
            "as_of": context.as_of.isoformat(),
            "units": len(units),
            "created": run.created,
            "rescored": run.rescored,
            "kept": run.kept,
        },
    )
    return run


# --- results ----------------------------------------------------------------------------------
def _locked_result(result: Result) -> Result:
    return (
        Result.objects.select_for_update(of=("self",))
        .select_related("scheme", "scheme__mechanism", "scheme__mechanism__jurisdiction", "unit")
        .get(pk=result.pk)
    )


@transaction.atomic
def adjust(
    actor: Any,
    result: Result,
    *,
    delta: Any,
    reason: str,
    indicator: Indicator | None = None,
) -> Adjustment:
    """The office adds or deducts points (加减分) on a result under review, always with a
    written reason; a result without one is refused."""
    result = _locked_result(result)
    if result.is_final or result.scheme.is_final:
        raise _final_refusal()
    require(actor, "adjust", result)
    errors: dict[str, list[ValidationError]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(
            ValidationError(
                _("Write the reason for the adjustment."), code="assessment.reason_required"
            )
        )
    value = _decimal(delta)
    if value is None or value == 0:
        errors.setdefault("delta", []).append(
            ValidationError(
                _("Enter the points to add (positive) or deduct (negative)."),
                code="assessment.delta",
            )
        )
    elif scoring.two(value) != value or abs(value) > result.scheme.total_points:
        errors.setdefault("delta", []).append(
            ValidationError(
                _("Enter at most two decimals, no more than the scheme's total points."),
                code="assessment.delta",
            )
        )
    if indicator is not None and indicator.scheme_id != result.scheme_id:
        errors.setdefault("indicator", []).append(
            ValidationError(_("Choose an indicator of this scheme."), code="invalid_choice")
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    assert value is not None
    before = _snap(result)
    adjustment = Adjustment.objects.create(
        result=result,
        indicator=indicator,
        delta=value,
        reason=reason,
        made_by=actor,
        made_at=timezone.now(),
    )
    result.adjustment_total = scoring.two(result.adjustment_total + value)
    result.total = scoring.two(result.computed_total + result.adjustment_total)
    result.save(update_fields=["adjustment_total", "total"])
    record(
        actor,
        "assessment.result.adjust",
        result,
        before=before,
        after=_snap(result),
        detail={
            "delta": str(value),
            "reason": reason,
            "indicator": indicator.name if indicator is not None else None,
        },
    )
    return adjustment


def _same_reviewer(actor: Any, result: Result) -> bool:
    return actor.pk in result.first_reviewers()


@transaction.atomic
def transition_result(actor: Any, result: Result, name: str, comment: str = "") -> Result:
    """submit (the office, for confirmation), confirm or send back (the second reviewer: an
    office member or leader of the jurisdiction other than whoever submitted or adjusted the
    result). Finalizing is the scheme's."""
    if name not in wf.RESULT_PAGE_TRANSITIONS:
        raise _error(None, _("Use the scheme's “Finalize and rank”."), "workflow.not_allowed")
    result = _locked_result(result)
    if result.is_final or result.scheme.is_final:
        raise _final_refusal()
    if name in ("confirm", "send_back") and _same_reviewer(actor, result):
        scope = scope_for(actor)
        jurisdiction_id = result.scheme.mechanism.jurisdiction_id
        if scope.assigned_to(jurisdiction_id, Role.OFFICE) or scope.assigned_to(
            jurisdiction_id, Role.LEADER
        ):
            raise _error(
                None,
                _(
                    "The second reviewer must be someone other than the person who submitted "
                    "or adjusted this result."
                ),
                "assessment.same_reviewer",
            )
    step = wf.RESULT_WORKFLOW.check(
        name, result.state, relations_to(actor, result), comment=comment
    )
    before = _snap(result)
    now = timezone.now()
    if name == "submit":
        result.reviewed_by = actor
        result.reviewed_at = now
        result.return_comment = ""
    elif name == "confirm":
        result.confirmed_by = actor
        result.confirmed_at = now
    elif name == "send_back":
        result.return_comment = comment.strip()
        result.confirmed_by = None
        result.confirmed_at = None
    result.state = step.target
    result.save()
    record(
        actor,
        f"assessment.result.{name}",
        result,
        before=before,
        after=_snap(result),
        detail={"comment": comment.strip()} if comment.strip() else None,
    )
    return result


@transaction.atomic
def transition_all(actor: Any, scheme: Scheme, name: str) -> int:
    """submit every scored result, or confirm every reviewed one the actor may confirm (each
    audited on its own); returns how many moved."""
    if name not in ("submit", "confirm"):
        raise _error(
            None, _("Only submit or confirm apply to all results."), "workflow.not_allowed"
        )
    if scheme.is_final:
        raise _final_refusal()
    source = wf.SCORED if name == "submit" else wf.REVIEWED
    moved = 0
    results = (
        Result.objects.filter(scheme=scheme, state=source)
        .select_related("scheme", "scheme__mechanism", "scheme__mechanism__jurisdiction")
        .order_by("unit__order_no", "unit_id")
    )
    for result in results:
        if can(actor, name, result):
            transition_result(actor, result, name)
            moved += 1
    return moved
