"""Pages of the assessment: the schemes, drawing up a scheme with its weighted indicators,
the results table (units × indicators, adjustments, state, rank) with only the steps the
user may take, a unit's result with the figures behind each score, the adjustment form and
the export for the province's supervision platform."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.workflow import TransitionError
from fuyuan.matters.exports import xlsx_response

from . import actions, exports, queries
from . import workflow as wf
from .forms import (
    AdjustForm,
    IndicatorFormSet,
    SchemeForm,
    TransitionForm,
    apply_errors,
    default_indicators,
    indicator_initial,
    indicator_rows,
)
from .indicators import CARDS
from .models import IndicatorScore, Result, Scheme

NO_VALUE = "—"


def _member(request: HttpRequest) -> Any:
    """The assessment is work of the mechanism's members; administrators hold none."""
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("assessment")
    return user


def _pk(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404 from exc


# --- presentation -----------------------------------------------------------------------------
def figure_text(score: IndicatorScore | None) -> str:
    """The raw figure behind a score, as the pages show it: "85.7% (6/7)", "4.33 (3 rated)",
    "1 yellow, 2 red: −5.00", or "—" when the unit has no records."""
    if score is None:
        return NO_VALUE
    indicator = score.indicator
    kind = indicator.kind_obj
    if kind is not None and kind.method == CARDS:
        detail = score.detail or {}
        if not detail.get("yellow") and not detail.get("red"):
            return _("No card")
        return _("%(yellow)s yellow, %(red)s red: −%(points)s") % {
            "yellow": detail.get("yellow", 0),
            "red": detail.get("red", 0),
            "points": actions.points(score.value or Decimal("0")),
        }
    if score.value is None:
        return NO_VALUE
    if kind is not None and kind.suffix == "%":
        shown = score.value.quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{shown}% ({score.numerator}/{score.denominator})"
    return _("%(value)s (%(n)s rated)") % {"value": score.value, "n": score.denominator}


def figure_link(score: IndicatorScore | None, result: Result) -> str:
    if score is None:
        return ""
    kind = score.indicator.kind_obj
    if kind is None or kind.link is None:
        return ""
    return kind.link(result.unit_id, result.scheme.year)


def _cells(row: queries.ResultRow, indicator_list: list[Any]) -> list[dict[str, Any]]:
    cells = []
    for indicator, score in zip(indicator_list, row.scores, strict=True):
        if score is not None:
            score.indicator = indicator
        cells.append(
            {
                "score": score,
                "figure": figure_text(score),
                "link": figure_link(score, row.result),
            }
        )
    return cells


# --- schemes ----------------------------------------------------------------------------------
@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    schemes = list(queries.visible_schemes(user).order_by("-year", "mechanism__jurisdiction__path"))
    return render(
        request,
        "assessment/scheme_list.html",
        {"schemes": schemes, "creatable": queries.office_mechanisms(user)},
    )


def _scheme_forms(data: Any, scheme: Scheme | None, year: int) -> tuple[SchemeForm, Any]:
    if scheme is not None:
        initial = {
            "year": scheme.year,
            "title": scheme.title,
            "total_points": scheme.total_points,
            "ranking": scheme.ranking,
            "notes": scheme.notes,
        }
        rows = indicator_initial(queries.indicators(scheme))
    else:
        initial = {"year": year, "total_points": 100}
        rows = default_indicators()
    return (
        SchemeForm(data, initial=initial),
        IndicatorFormSet(data, prefix="indicators", initial=rows),
    )


def _save_scheme(
    request: HttpRequest, user: Any, mechanism: Any, scheme: Scheme | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form, formset = _scheme_forms(data, scheme, timezone.localdate().year - 1)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = actions.save_scheme(
                user,
                mechanism,
                scheme=scheme,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                total_points=form.cleaned_data["total_points"],
                ranking=form.cleaned_data["ranking"],
                notes=form.cleaned_data["notes"],
                indicators=indicator_rows(formset),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "indicators" in exc.error_dict:
                found = exc.error_dict.pop("indicators")
                formset._non_form_errors = formset.error_class(  # type: ignore[attr-defined]
                    [m for e in found for m in e.messages]
                )
                if exc.error_dict:
                    apply_errors(form, exc)
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, _("The scheme was saved."))
            return redirect("assessment:scheme_detail", saved.pk)
    return render(
        request,
        "assessment/scheme_form.html",
        {"form": form, "formset": formset, "mechanism": mechanism, "scheme": scheme},
    )


@login_required
def scheme_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    mechanisms = queries.office_mechanisms(user)
    if not mechanisms:
        raise PermissionDenied("create_scheme")
    mechanism = mechanisms[0]
    wanted = request.GET.get("mechanism") or request.POST.get("mechanism")
    if wanted:
        found = [m for m in mechanisms if m.pk == _pk(wanted)]
        if not found:
            raise PermissionDenied("create_scheme")
        mechanism = found[0]
    return _save_scheme(request, user, mechanism, None)


def _visible_scheme(request: HttpRequest, pk: int) -> tuple[Any, Scheme]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_schemes(user), pk=pk)


@login_required
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    if not can(user, "edit", scheme):
        raise PermissionDenied("edit")
    return _save_scheme(request, user, scheme.mechanism, scheme)


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    indicator_list = queries.indicators(scheme)
    rows = queries.result_rows(user, scheme, indicator_list)
    table = [{"row": r, "cells": _cells(r, indicator_list)} for r in rows]
    results = [r.result for r in rows]
    relations = relations_to(user, scheme)
    waiting = sum(1 for r in results if r.state == wf.REVIEWED)
    context = {
        "scheme": scheme,
        "indicators": indicator_list,
        "table": table,
        "sees_all": can(user, "see_all", scheme),
        "may_edit": can(user, "edit", scheme),
        "may_score": can(user, "score", scheme),
        "may_export": can(user, "export", scheme) and bool(results),
        "transitions": wf.SCHEME_WORKFLOW.available(scheme.state, relations),
        "may_submit_all": any(can(user, "submit", r) for r in results),
        "may_confirm_all": any(can(user, "confirm", r) for r in results),
        "waiting": waiting,
        "weight_total": sum((i.weight for i in indicator_list), Decimal("0")),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
@require_POST
def scheme_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    try:
        step = wf.SCHEME_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, scheme):
        raise PermissionDenied(step.name)
    try:
        actions.transition_scheme(user, scheme, step.name)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
    return redirect("assessment:scheme_detail", scheme.pk)


def _message(exc: Exception) -> str:
    if isinstance(exc, TransitionError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@login_required
@require_POST
def scheme_score(request: HttpRequest, pk: int) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    if not can(user, "score", scheme):
        raise PermissionDenied("score")
    try:
        run = actions.score(user, scheme)
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request,
            _(
                "Scored from the records: %(created)s new, %(rescored)s recomputed, "
                "%(kept)s already under confirmation kept."
            )
            % {"created": run.created, "rescored": run.rescored, "kept": run.kept},
        )
    return redirect("assessment:scheme_detail", scheme.pk)


@login_required
@require_POST
def scheme_all(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    if transition not in ("submit", "confirm"):
        raise Http404
    results = Result.objects.filter(scheme=scheme).select_related(
        "scheme", "scheme__mechanism", "scheme__mechanism__jurisdiction"
    )
    if not any(can(user, transition, r) for r in results):
        raise PermissionDenied(transition)
    try:
        moved = actions.transition_all(user, scheme, transition)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("%(n)s results moved on.") % {"n": moved})
    return redirect("assessment:scheme_detail", scheme.pk)


@login_required
def scheme_export(request: HttpRequest, pk: int) -> HttpResponse:
    user, scheme = _visible_scheme(request, pk)
    if not can(user, "export", scheme):
        raise PermissionDenied("export")
    indicator_list = queries.indicators(scheme)
    rows = queries.result_rows(user, scheme, indicator_list)
    if not rows:
        raise Http404
    content = exports.workbook(scheme, indicator_list, rows)
    return xlsx_response(content, exports.filename(scheme))


# --- results ----------------------------------------------------------------------------------
def _visible_result(request: HttpRequest, pk: int) -> tuple[Any, Result]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_result(user, pk))


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, result = _visible_result(request, pk)
    scheme = result.scheme
    indicator_list = queries.indicators(scheme)
    row = queries.result_rows(user, scheme, indicator_list, only=result.pk)[0]
    lines = []
    for indicator, cell in zip(indicator_list, _cells(row, indicator_list), strict=True):
        lines.append({"indicator": indicator, **cell})
    transitions = [
        t
        for t in wf.RESULT_WORKFLOW.available(result.state, relations_to(user, result))
        if t.name in wf.RESULT_PAGE_TRANSITIONS
    ]
    return render(
        request,
        "assessment/result_detail.html",
        {
            "result": row.result,
            "scheme": scheme,
            "lines": lines,
            "adjustments": row.adjustments,
            "transitions": transitions,
            "may_adjust": can(user, "adjust", result),
            "form": TransitionForm(),
            "same_reviewer_waiting": result.state == wf.REVIEWED
            and user.pk in result.first_reviewers(),
        },
    )


@login_required
def result_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    user, result = _visible_result(request, pk)
    if not can(user, "adjust", result):
        raise PermissionDenied("adjust")
    data = request.POST if request.method == "POST" else None
    form = AdjustForm(data, scheme=result.scheme)
    if data is not None and form.is_valid():
        try:
            actions.adjust(
                user,
                result,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                indicator=form.cleaned_data["indicator"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The adjustment was recorded."))
            return redirect("assessment:result_detail", result.pk)
    return render(request, "assessment/adjust_form.html", {"form": form, "result": result})


@login_required
@require_POST
def result_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, result = _visible_result(request, pk)
    if transition not in wf.RESULT_PAGE_TRANSITIONS:
        raise Http404
    step = wf.RESULT_WORKFLOW.transition(transition)
    form = TransitionForm(request.POST)
    comment = form.data.get("comment", "") if form.is_valid() else ""
    if not can(user, step.name, result):
        if (
            step.name in ("confirm", "send_back")
            and result.state in step.sources
            and user.pk in result.first_reviewers()
        ):
            messages.error(
                request,
                _(
                    "The second reviewer must be someone other than the person who submitted "
                    "or adjusted this result."
                ),
            )
            return redirect("assessment:result_detail", result.pk)
        raise PermissionDenied(step.name)
    try:
        actions.transition_result(user, result, step.name, comment=comment)
    except (TransitionError, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
    return redirect("assessment:result_detail", result.pk)
