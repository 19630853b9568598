"""Pages of list checks (联合惩戒 · 触发反馈): the list of checks with the feedback rate per
department, a new check (one party or a batch file), a check's page (hits with the measures of
its scenario and their basis, matches to confirm, feedback forms), and the feedback figures
for a period. Reads go through `visible_to(user)` (not visible → 404); writes through
check_actions (not permitted → 403). Identifiers are masked: the department sees the numbers
it typed, everyone else masked ones; the list's numbers are always masked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page

from . import check_actions as actions
from . import measures
from .check_forms import (
    CheckForm,
    ConfirmForm,
    FeedbackForm,
    ListFilterForm,
    MatchFilterForm,
    PeriodForm,
)
from .models import Check, CheckHit, FeedbackAction, HitState

PER_PAGE = 30
MATCHES_PER_PAGE = 50
ROW_ERRORS_SHOWN = 20


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("enforcement.checks")
    return user


def _unanswered_q() -> Q:
    return Q(matches__state__in=actions.HIT_STATES, matches__feedback="")


# --- the list -----------------------------------------------------------------------------------
@login_required
def check_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    today = timezone.localdate()
    visible = Check.objects.visible_to(user)
    form = ListFilterForm(request.GET or None)
    rows = visible
    if form.is_valid():
        if form.cleaned_data.get("scenario"):
            rows = rows.filter(scenario=form.cleaned_data["scenario"])
        if form.cleaned_data.get("unanswered"):
            rows = rows.filter(pk__in=Check.objects.filter(_unanswered_q()).values("pk"))
    rows = (
        rows.select_related("unit", "checked_by")
        .annotate(unanswered=Count("matches", filter=_unanswered_q()))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    period = PeriodForm().period(today)
    figures = actions.feedback_figures(visible, period)
    return render(
        request,
        "enforcement/check_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "form": form,
            "can_check": actions.check_units(user).exists(),
            "sees_figures": actions.sees_figures(user),
            "figures": figures,
            "totals": actions.total_figures(figures),
            "period": period,
        },
    )


# --- a new check --------------------------------------------------------------------------------
@login_required
def check_new(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    units = actions.check_units(user)
    if not units.exists():
        raise PermissionDenied("enforcement.check.run")
    only = list(units[:2])
    form = CheckForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        units=units,
        initial={"unit": only[0].pk} if len(only) == 1 else {},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            errors: list[actions.RowError] = []
            if upload:
                batch = actions.parse_batch(upload)
                errors = batch.errors
                if not batch.parties:
                    raise ValidationError(
                        {
                            "file": ValidationError(
                                _("No row of the file can be checked."),
                                code="enforcement.no_parties",
                            )
                        }
                    )
                parties: list[Any] = list(batch.parties)
            else:
                parties = [(data["name"], data.get("identifier") or "")]
            check = actions.run_check(
                user,
                unit=data["unit"],
                scenario=data["scenario"],
                parties=parties,
                reference=data.get("reference") or "",
                file_name=upload.name if upload else "",
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            for e in errors[:ROW_ERRORS_SHOWN]:
                messages.warning(
                    request,
                    _("Row %(row)d not checked: %(message)s")
                    % {"row": e.row, "message": e.message},
                )
            if len(errors) > ROW_ERRORS_SHOWN:
                messages.warning(
                    request,
                    _("%(n)d more rows were not checked.") % {"n": len(errors) - ROW_ERRORS_SHOWN},
                )
            messages.success(
                request,
                _("%(parties)d parties checked: %(hits)d hits, %(to_confirm)d to confirm.")
                % {"parties": check.parties, "hits": check.hits, "to_confirm": check.to_confirm},
            )
            return redirect("enforcement:check_detail", check.pk)
    return render(request, "enforcement/check_form.html", {"form": form})


# --- a check's page -----------------------------------------------------------------------------
def _visible_check(request: HttpRequest, pk: int) -> Check:
    return get_object_or_404(
        Check.objects.visible_to(request.user).select_related("unit__jurisdiction", "checked_by"),
        pk=pk,
    )


def _filtered(matches: Any, show: str) -> Any:
    if show == "hits":
        return matches.filter(state__in=actions.HIT_STATES)
    if show == "unanswered":
        return matches.filter(state__in=actions.HIT_STATES, feedback="")
    if show in (HitState.NEEDS_CONFIRMATION, HitState.NOT_SAME):
        return matches.filter(state=show)
    return matches


@login_required
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    check = _visible_check(request, pk)
    department = actions.may_act_for(user, check.unit_id)
    form = MatchFilterForm(request.GET or None)
    show = (form.cleaned_data.get("show") or "") if form.is_valid() else ""
    matches = _filtered(check.matches.all(), show).select_related("debtor", "fed_back_by")
    page = Paginator(matches.order_by("row_number", "pk"), MATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for hit in page:
        debtor = hit.debtor
        hit.list_identifier = debtor.id_display or actions.mask(  # type: ignore[attr-defined]
            debtor.id_number, debtor.id_type
        )
        hit.party_identifier = (  # type: ignore[attr-defined]
            hit.party_id_number if department else actions.mask(hit.party_id_number)
        )
        chosen = measures.measure(hit.measure) if hit.measure else None
        hit.measure_text = chosen.text if chosen else hit.measure  # type: ignore[attr-defined]
    counts = check.matches.aggregate(
        unanswered=Count("pk", filter=Q(state__in=actions.HIT_STATES, feedback="")),
        answered=Count("pk", filter=Q(state__in=actions.HIT_STATES) & ~Q(feedback="")),
    )
    return render(
        request,
        "enforcement/check_detail.html",
        {
            "check": check,
            "page": page,
            "query": query_without_page(request),
            "form": form,
            "department": department,
            "measures": measures.measures_for(check.scenario),
            "counts": counts,
            "HitState": HitState,
            "FeedbackAction": FeedbackAction,
            "urge_days": actions.URGE_AFTER_WORKING_DAYS,
        },
    )


def _visible_hit(request: HttpRequest, pk: int) -> CheckHit:
    user = _member(request)
    hit = get_object_or_404(
        CheckHit.objects.filter(check_run__in=Check.objects.visible_to(user)).select_related(
            "check_run"
        ),
        pk=pk,
    )
    if not actions.may_act_for(user, hit.check_run.unit_id):
        raise PermissionDenied("enforcement.check.answer")
    return hit


def _back(hit: CheckHit) -> HttpResponse:
    url = reverse("enforcement:check_detail", args=[hit.check_run_id])
    return redirect(f"{url}#match-{hit.pk}")


def _refused(request: HttpRequest, form: Any, exc: Exception | None = None) -> None:
    """Show the form's errors (and the action's refusal) as messages on the check's page."""
    if exc is not None:
        apply_refusal(form, exc)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@login_required
@require_POST
def check_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    hit = _visible_hit(request, pk)
    form = FeedbackForm(request.POST, scenario=hit.check_run.scenario)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("version") and data["version"] != hit.version:
            messages.error(request, _("The match was changed meanwhile; look again."))
            return _back(hit)
        try:
            actions.give_feedback(
                request.user,
                hit,
                action=data["action"],
                measure=data.get("measure") or "",
                note=data.get("note") or "",
            )
        except REFUSALS as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, _("Feedback recorded."))
    else:
        _refused(request, form)
    return _back(hit)


@login_required
@require_POST
def check_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    hit = _visible_hit(request, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.confirm_match(request.user, hit, data["same"], data.get("note") or "")
        except REFUSALS as exc:
            _refused(request, form, exc)
        else:
            messages.success(
                request,
                _("Confirmed as the same party: give your feedback.")
                if data["same"]
                else _("Recorded as not the same party."),
            )
    else:
        _refused(request, form)
    return _back(hit)


# --- figures ------------------------------------------------------------------------------------
@login_required
def check_figures(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.sees_figures(user):
        raise PermissionDenied("enforcement.check.figures")
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    period = form.period(today)
    rows = actions.feedback_figures(Check.objects.visible_to(user), period)
    return render(
        request,
        "enforcement/check_figures.html",
        {
            "form": form,
            "period": period,
            "figures": rows,
            "totals": actions.total_figures(rows),
            "urge_days": actions.URGE_AFTER_WORKING_DAYS,
        },
    )
