"""Pages of government-debtor and livelihood enforcement cases: the ledger (filters, totals
row), registering and correcting a case, a case's page with its payments and closing
(结案销号), and the office's campaign view (open cases and money outstanding by jurisdiction
and body, against a target of zero). Reads go through `visible_to(user)` (not visible →
404); writes through enforcement.case_actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page

from . import case_actions as actions
from .case_forms import CaseEditForm, CaseFilterSet, CaseForm, CloseForm, PaymentForm
from .models import EnforcementCase, EnforcementCaseState

PER_PAGE = 30
STATE_TONES: dict[str, str] = {
    EnforcementCaseState.OPEN: "primary",
    EnforcementCaseState.PLAN: "info",
    EnforcementCaseState.CLOSED: "success",
}
MATTER_TONES = {
    "red": "danger",
    "yellow": "warning",
    "blue": "info",
    "green": "success",
    "none": "secondary",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("enforcement")
    return user


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _rows(user: Any) -> QuerySet[EnforcementCase]:
    return EnforcementCase.objects.visible_to(user).select_related(
        "court", "debtor_unit", "jurisdiction"
    )


def _decorate(case: EnforcementCase) -> None:
    case.state_tone = STATE_TONES.get(case.state, "secondary")  # type: ignore[attr-defined]
    case.paid_rate = actions.percent(case.amount_paid, case.amount_owed)  # type: ignore[attr-defined]
    case.outstanding = case.amount_owed - case.amount_paid  # type: ignore[attr-defined]


# --- the ledger -------------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = CaseFilterSet(request.GET, _rows(user), request=request)
    rows = filterset.qs
    page = _page(request, rows)
    start = page.start_index()
    for offset, case in enumerate(page.object_list):
        case.row_no = start + offset  # type: ignore[attr-defined]
        _decorate(case)
    return render(
        request,
        "enforcement/case_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query_without_page(request),
            "totals": actions.case_figures(rows)["totals"],
            "can_create": actions.may_register(user),
            "can_campaign": actions.may_see_campaign(user),
        },
    )


# --- registering and correcting ---------------------------------------------------------------
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_register(user):
        raise PermissionDenied("enforcement.case.create")
    courts = actions.court_choices(user)
    initial: dict[str, Any] = {"amount_paid": 0}
    own = list(courts.filter(pk__in=scope_for(user).unit_ids).values_list("pk", flat=True)[:2])
    if len(own) == 1:
        initial["court"] = own[0]
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, courts=courts, debtors=actions.debtor_choices(user), initial=initial)
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        values["amount_paid"] = values.get("amount_paid") or 0
        try:
            case = actions.register_case(user, **values)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case %(number)s was registered.") % {"number": case})
            return redirect("enforcement:case_detail", case.pk)
    return render(request, "enforcement/case_form.html", {"form": form, "case": None})


def _visible(request: HttpRequest, pk: int) -> EnforcementCase:
    return get_object_or_404(
        _rows(request.user).select_related(
            "mechanism", "debtor_unit__jurisdiction", "court__jurisdiction", "matter"
        ),
        pk=pk,
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible(request, pk)
    if not actions.may_write(user, case) or case.state == EnforcementCaseState.CLOSED:
        raise PermissionDenied("enforcement.case.edit")
    data = request.POST if request.method == "POST" else None
    form = CaseEditForm(
        data,
        initial={
            **{name: getattr(case, name) for name in actions.EDIT_FIELDS},
            "version": case.version,
        },
    )
    if data is not None and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version", None)
        try:
            actions.update_case(user, case, expected_version=version, **values)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("enforcement:case_detail", case.pk)
    return render(request, "enforcement/case_form.html", {"form": form, "case": case})


# --- a case's page ----------------------------------------------------------------------------
def _render_detail(
    request: HttpRequest,
    case: EnforcementCase,
    *,
    payment_form: PaymentForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    _decorate(case)
    writable = actions.may_write(user, case) and case.state != EnforcementCaseState.CLOSED
    today = timezone.localdate()
    matter = None
    if case.matter_id:
        from fuyuan.matters.models import Colour, Matter
        from fuyuan.matters.workflow import MATTER_WORKFLOW

        matter = (
            Matter.objects.visible_to(user).with_colour(today).filter(pk=case.matter_id).first()
        )
        if matter is not None:
            colour = Colour(matter.colour)  # type: ignore[attr-defined]
            matter.colour_label = colour.label  # type: ignore[attr-defined]
            matter.colour_tone = MATTER_TONES[colour]  # type: ignore[attr-defined]
            matter.state_obj = MATTER_WORKFLOW.state(matter.state)  # type: ignore[attr-defined]
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "matter": matter,
            "can_write": writable,
            "payment_form": payment_form
            or PaymentForm(initial={"paid_on": today, "version": case.version}),
            "close_form": close_form
            or CloseForm(initial={"closed_on": today, "version": case.version}),
            "notes": [line for line in case.note.splitlines() if line.strip()],
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _visible(request, pk))


@login_required
@require_POST
def case_payment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible(request, pk)
    if not actions.may_write(user, case):
        raise PermissionDenied("enforcement.case.payment")
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_payment(
                user,
                case,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                note=form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("enforcement:case_detail", case.pk)
    return _render_detail(request, _visible(request, pk), payment_form=form)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible(request, pk)
    if not actions.may_write(user, case):
        raise PermissionDenied("enforcement.case.close")
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.close_case(
                user,
                case,
                form.cleaned_data["closed_on"],
                form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case was closed and struck off."))
            return redirect("enforcement:case_detail", case.pk)
    return _render_detail(request, _visible(request, pk), close_form=form)


# --- the office's campaign view ---------------------------------------------------------------
@login_required
def case_campaign(request: HttpRequest) -> HttpResponse:
    """The drive to zero: open cases, money outstanding, closure rate and the oldest open case
    by jurisdiction and by debtor body (government-debtor kinds and livelihood alike)."""
    user = _member(request)
    if not actions.may_see_campaign(user):
        raise PermissionDenied("enforcement.case.campaign")
    figures = actions.case_figures(EnforcementCase.objects.visible_to(user))
    today = timezone.localdate()
    for group in ("by_jurisdiction", "by_body", "by_kind"):
        for row in figures[group]:
            oldest = row.get("oldest_open")
            row["open_days"] = (today - oldest).days if oldest else None
    bodies = [row for row in figures["by_body"] if row["open"]]
    bodies.sort(key=lambda r: (-r["open"], -r["outstanding"]))
    return render(
        request,
        "enforcement/case_campaign.html",
        {"figures": figures, "bodies": bodies, "today": today},
    )
