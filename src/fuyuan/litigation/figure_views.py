"""Views of the litigation figures: the figures page (by jurisdiction and by body, for a year
or a date range, each figure with its definition, counts linking to the case ledger) and the
loss-risk warnings (败诉风险预警) with their rectification matters. Reads go through
`visible_to(user)`; the office's "check now" goes through figures.run_check_now."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.view_helpers import query_without_page

from . import figures as fig
from .models import Instance, RiskLevel
from .queries import CaseFilterSet
from .report_forms import FigureFilterForm

PER_PAGE = 30
LEVEL_TONES: dict[str, str] = {
    RiskLevel.RED: "danger",
    RiskLevel.ORANGE: "warning",
    RiskLevel.YELLOW: "info",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("litigation.figures")
    return user


# --- links to the case ledger -------------------------------------------------------------------
def _case_filters() -> dict[str, Any]:
    """The case ledger's filters: a link uses only parameters the ledger understands."""
    return dict(CaseFilterSet.base_filters)


def _link(supported: dict[str, Any], params: list[tuple[str, Any]]) -> str:
    if any(name not in supported for name, _value in params):
        return ""
    return reverse("litigation:case_list") + "?" + urlencode([(k, str(v)) for k, v in params])


def _period_params(
    period: fig.Period, year_name: str, from_name: str, to_name: str, supported: dict[str, Any]
) -> list[tuple[str, Any]] | None:
    if period.is_year and year_name:
        return [(year_name, period.start.year)]
    if from_name in supported and to_name in supported:
        return [(from_name, period.start.isoformat()), (to_name, period.end.isoformat())]
    return None


def _row_links(
    row: fig.FigureRow,
    period: fig.Period,
    scope_params: list[tuple[str, Any]],
    supported: dict[str, Any],
    loss_outcomes: list[str],
) -> dict[str, str]:
    """Case-ledger links of a row's counts: new cases of the period and of a year earlier
    (the ledger's `year` is the year in the case number, the year of filing); concluded cases
    and losses when the ledger filters by date of conclusion."""
    if row.is_total:
        who = scope_params
    elif row.unit is not None:
        who = [("defendant", row.unit.pk)]
    elif row.jurisdiction is not None and not row.has_rows_below:
        who = [("jurisdiction", row.jurisdiction.pk)]
    else:
        return {}
    first = [("instance", Instance.FIRST.value)]
    links: dict[str, str] = {}
    for key, one in (("new_cases", period), ("new_cases_last_year", period.previous())):
        when = _period_params(one, "year", "filed_from", "filed_to", supported)
        if when is not None:
            links[key] = _link(supported, [*first, *when, *who])
    concluded = _period_params(period, "", "concluded_from", "concluded_to", supported)
    if concluded is not None:
        base = [*first, ("stage", "concluded"), *concluded, *who]
        links["concluded"] = _link(supported, base)
        losses = [("outcome", o) for o in loss_outcomes]
        links["losses"] = _link(supported, [*base, *losses]) if losses else ""
    return links


# --- the figures page ---------------------------------------------------------------------------
def _period(form: FigureFilterForm) -> fig.Period:
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("date_from") and data.get("date_to"):
        return fig.Period(data["date_from"], data["date_to"])
    return fig.Period.year(data.get("year") or timezone.localdate().year)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    default = fig.home_mechanism(user)
    form = FigureFilterForm(request.GET or None, user=user, default_mechanism=default)
    valid = form.is_valid() if request.GET else False
    data = form.cleaned_data if valid else {}
    mechanism = data.get("mechanism") or default
    jurisdiction = data.get("jurisdiction")
    period = _period(form) if valid else fig.Period.year(timezone.localdate().year)
    result = fig.litigation_figures(user, period, mechanism=mechanism, jurisdiction=jurisdiction)
    supported = _case_filters()
    scope_params = [("jurisdiction", jurisdiction.pk)] if jurisdiction is not None else []
    outcomes = list(result.config.loss_outcomes)
    for row in [*result.by_jurisdiction, *result.by_body, result.total]:
        row.links = _row_links(row, period, scope_params, supported, outcomes)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "result": result,
        "period": period,
        "mechanism": mechanism,
        "jurisdiction": jurisdiction,
        "definitions": result.definitions,
        "definition_rows": [
            (key, fig.FIGURE_LABELS.get(key, key), text) for key, text in result.definitions.items()
        ],
        "recommendations": fig.recommendation_summary(
            fig.scoped_recommendations(user, jurisdiction), period
        ),
        "recommendation_definitions": fig.recommendation_definitions(),
        "may_check": fig.may_run_check(user),
    }
    return render(request, "litigation/figures.html", context)


# --- loss-risk warnings -------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def warnings(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if request.method == "POST":
        if not fig.may_run_check(user):
            raise PermissionDenied("litigation.loss_risk.check")
        changed = fig.run_check_now(user)
        messages.success(
            request,
            _("The loss-risk check ran: %(n)s warnings raised or escalated.") % {"n": changed},
        )
        return redirect("litigation:warnings")
    rows = (
        fig.visible_warnings(user)
        .select_related("unit__jurisdiction", "mechanism", "matter")
        .order_by("-year", "unit__jurisdiction__path", "unit__order_no", "pk")
    )
    year = request.GET.get("year", "")
    if year.isdigit():
        rows = rows.filter(year=int(year))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for warning in page:
        warning.tone = LEVEL_TONES.get(warning.level, "secondary")  # type: ignore[attr-defined]
    context = {
        "page": page,
        "query": query_without_page(request),
        "year": year if year.isdigit() else "",
        "may_check": fig.may_run_check(user),
        "today": timezone.localdate(),
    }
    return render(request, "litigation/warnings.html", context)
