"""Pages of the dispute referrals (行政争议实质性化解): the list with its filters and figures,
referring a dispute (from a case's page with ?case=<pk>, or before any suit is filed), and a
dispute's page with its coordination steps and the outcomes the graph allows. Reads go
through `visible_to(user)` (not visible → 404); writes through dispute_actions (not
permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import sources
from fuyuan.org.models import Unit

from . import dispute_actions as actions
from . import workflow as wf
from .dispute_forms import DisputeFilterForm, DisputeForm, OutcomeForm, StepForm
from .models import AdminCase, Dispute

PER_PAGE = 30


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("litigation")
    return user


def _visible(user: Any) -> Any:
    return Dispute.objects.visible_to(user)


# --- list -------------------------------------------------------------------------------------
@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    visible = _visible(user)
    units = (
        Unit.objects.filter(pk__in=visible.values("unit_id"))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    form = DisputeFilterForm(request.GET or None, units=units)
    rows = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["unit"]:
            rows = rows.filter(unit=data["unit"])
        if data["year"]:
            rows = rows.filter(referred_on__year=data["year"])
        if data["has_case"] == "yes":
            rows = rows.filter(case__isnull=False)
        elif data["has_case"] == "no":
            rows = rows.filter(case__isnull=True)
    page = Paginator(
        rows.select_related("unit", "case").order_by("-referred_on", "-pk"), PER_PAGE
    ).get_page(request.GET.get("page"))
    for dispute in page:
        state = wf.DISPUTE_WORKFLOW.state(dispute.state)
        dispute.state_label = state.label  # type: ignore[attr-defined]
        dispute.state_tone = state.tone  # type: ignore[attr-defined]
    context = {
        "page": page,
        "form": form,
        "query": query_without_page(request),
        "figures": actions.dispute_figures(rows),
        "can_refer": actions.may_refer(user),
    }
    return render(request, "litigation/dispute_list.html", context)


# --- referral ---------------------------------------------------------------------------------
def _case_from_query(request: HttpRequest, user: Any) -> AdminCase | None:
    raw = request.GET.get("case")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(AdminCase.objects.visible_to(user), pk=pk)


@login_required
def dispute_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_refer(user):
        raise PermissionDenied("litigation.dispute.refer")
    case = _case_from_query(request, user)
    data = request.POST if request.method == "POST" else None
    number = (data.get("case") or "").strip() if data is not None else ""
    if data is not None:
        case = actions.find_case(user, number) if number else None
    units = actions.referable_units(user, case)
    if case is None and not number and not units.exists():
        # Court staff refer from a case's page: without a case there is no body to choose.
        raise PermissionDenied("litigation.dispute.refer")
    initial: dict[str, Any] = {"referred_on": timezone.localdate()}
    if case is not None:
        choices = list(units.values_list("pk", flat=True))
        default = case.defendant_id if case.defendant_id in choices else None
        initial.update(
            {
                "case": case.number,
                "unit": default or (choices[0] if choices else None),
                "title": f"{case.number} {case.cause}"[:200],
                "applicant": "、".join(p for p in case.plaintiffs.splitlines() if p.strip())[:200],
            }
        )
    form = DisputeForm(data, units=units, initial=initial)
    if data is not None and form.is_valid():
        if number and case is None:
            form.add_error(
                "case",
                ValidationError(
                    _("No case with this number is open to you."),
                    code="litigation.dispute_case_not_visible",
                ),
            )
        else:
            values = form.cleaned_data
            try:
                dispute = actions.refer_dispute(
                    user,
                    unit=values["unit"],
                    title=values["title"],
                    applicant=values["applicant"],
                    summary=values["summary"],
                    referred_on=values["referred_on"],
                    mediator=values["mediator"],
                    case=case,
                )
            except PermissionDenied:
                raise
            except REFUSALS as exc:
                apply_refusal(form, exc)
            else:
                messages.success(request, _("The dispute was referred for coordination."))
                return redirect("litigation:dispute_detail", dispute.pk)
    return render(request, "litigation/dispute_form.html", {"form": form, "case": case})


# --- a dispute's page -------------------------------------------------------------------------
def _dispute(request: HttpRequest, pk: int) -> Dispute:
    return get_object_or_404(
        _visible(request.user).select_related(
            "unit__jurisdiction",
            "case__court",
            "mechanism__jurisdiction",
            "referred_by",
        ),
        pk=pk,
    )


def _render_detail(
    request: HttpRequest, dispute: Dispute, status: int = 200, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    relations = relations_to(user, dispute)
    transitions = wf.DISPUTE_WORKFLOW.available(dispute.state, relations)
    state = wf.DISPUTE_WORKFLOW.state(dispute.state)
    scope = scope_for(user)
    agenda_url = ""
    if sources.get(actions.DISPUTE_KIND) is not None and scope.assigned_jurisdictions.get(
        Role.OFFICE
    ):
        agenda_url = (
            reverse("meetings:agenda_pick")
            + "?"
            + urlencode(
                {"kind": actions.DISPUTE_KIND, "ref": str(dispute.pk), "title": dispute.title}
            )
        )
    context = {
        "dispute": dispute,
        "state": state,
        "steps": list(dispute.steps.select_related("author").order_by("on", "pk")),
        "transitions": transitions,
        "closing": [t for t in transitions if t.target in wf.DISPUTE_FINAL],
        "can_add_step": can(user, "add_step", dispute),
        "step_form": bound.get("step_form") or StepForm(initial={"on": timezone.localdate()}),
        "outcome_form": bound.get("outcome_form")
        or OutcomeForm(initial={"version": dispute.version}),
        "backlinks": sources.backlinks(actions.DISPUTE_KIND, dispute.pk, user),
        "agenda_url": agenda_url,
    }
    return render(request, "litigation/dispute_detail.html", context, status=status)


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _dispute(request, pk))


@login_required
@require_POST
def dispute_step_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    dispute = _dispute(request, pk)
    if not can(user, "add_step", dispute):
        raise PermissionDenied("add_step")
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            actions.add_step(
                user,
                dispute,
                on=form.cleaned_data["on"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The step was recorded."))
            return redirect("litigation:dispute_detail", dispute.pk)
    return _render_detail(request, _dispute(request, pk), step_form=form)


@login_required
@require_POST
def dispute_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    dispute = _dispute(request, pk)
    try:
        step = wf.DISPUTE_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, dispute):
        raise PermissionDenied(step.name)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.dispute_transition(
                user,
                dispute,
                step.name,
                form.cleaned_data["comment"] or "",
                on=form.cleaned_data.get("on"),
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
            return redirect("litigation:dispute_detail", dispute.pk)
    return _render_detail(request, _dispute(request, pk), outcome_form=form)
