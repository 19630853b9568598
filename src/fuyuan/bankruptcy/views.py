"""Pages of the bankruptcy app: the case ledger, a case's page (coordination items with their
matters, queries, fund applications), entering and correcting a case, adding an item, asking
and answering a query, the funds and their ledger, fund applications and their steps, and the
figures. Reads go through `visible_to(user)` (not visible → 404); writes through
bankruptcy.actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.org.models import Mechanism, Unit

from . import actions, queries
from . import workflow as wf
from .forms import (
    AnswerForm,
    ApplicationForm,
    BudgetForm,
    CaseForm,
    ItemForm,
    QueryForm,
    TransitionForm,
)
from .models import (
    BankruptcyCase,
    CaseStage,
    CoordinationItem,
    Fund,
    FundApplication,
    FundMovement,
    InformationQuery,
    QueryState,
)

PER_PAGE = 30
STAGE_TONES: dict[str, str] = {
    CaseStage.APPLICATION: "secondary",
    CaseStage.ACCEPTED: "primary",
    CaseStage.ADMINISTRATION: "primary",
    CaseStage.REORGANISATION: "info",
    CaseStage.SETTLEMENT: "info",
    CaseStage.LIQUIDATION: "warning",
    CaseStage.CONCLUDED: "success",
}
QUERY_TONES: dict[str, str] = {
    QueryState.SENT: "primary",
    QueryState.ANSWERED: "success",
    QueryState.WITHDRAWN: "secondary",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("bankruptcy")
    return user


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _form_page(request: HttpRequest, title: str, form: Any, back: str, **extra: Any) -> Any:
    return render(
        request, "bankruptcy/form.html", {"title": title, "form": form, "back": back, **extra}
    )


# --- cases ------------------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = queries.CaseFilterSet(request.GET, queries.list_rows(user), request=request)
    page = _page(request, filterset.qs)
    start = page.start_index()
    for offset, case in enumerate(page.object_list):
        case.row_no = start + offset  # type: ignore[attr-defined]
        case.stage_tone = STAGE_TONES.get(case.stage, "secondary")  # type: ignore[attr-defined]
    return render(
        request,
        "bankruptcy/case_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query_without_page(request),
            "can_create": actions.may_register_cases(user),
        },
    )


def _case_values(form: CaseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data.get(name) for name in actions.CASE_FIELDS}


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_register_cases(user):
        raise PermissionDenied("bankruptcy.case.create")
    courts = actions.court_choices(user)
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, courts=courts, initial={"stage": CaseStage.APPLICATION})
    if data is not None and form.is_valid():
        try:
            case = actions.create_case(
                user,
                override_reason=form.cleaned_data.get("override_reason") or "",
                **_case_values(form),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(
                request, _("The case %(number)s was registered.") % {"number": case.number}
            )
            return redirect("bankruptcy:case_detail", case.pk)
    return _form_page(request, _("Register a bankruptcy case"), form, "bankruptcy:case_list")


def _visible_case(request: HttpRequest, pk: int) -> BankruptcyCase:
    return get_object_or_404(queries.visible_cases(request.user), pk=pk)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "edit", case):
        raise PermissionDenied("edit")
    courts = (
        Unit.objects.filter(
            Q(pk__in=actions.court_choices(user).values("pk")) | Q(pk=case.court_id)
        )
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    data = request.POST if request.method == "POST" else None
    form = CaseForm(
        data,
        courts=courts,
        initial={
            **{name: getattr(case, name) for name in actions.CASE_FIELDS},
            "court": case.court_id,
            "override_reason": case.credit_code_override,
            "version": case.version,
        },
    )
    if data is not None and form.is_valid():
        try:
            actions.update_case(
                user,
                case,
                expected_version=form.cleaned_data.get("version"),
                override_reason=form.cleaned_data.get("override_reason") or "",
                **_case_values(form),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("bankruptcy:case_detail", case.pk)
    return _form_page(
        request, _("Correct the case"), form, "bankruptcy:case_detail", back_pk=case.pk, case=case
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    scope = scope_for(user)
    items = list(
        CoordinationItem.objects.filter(case=case)
        .select_related("lead_unit", "matter")
        .order_by("requested_on", "pk")
    )
    query_rows = list(
        InformationQuery.objects.filter(case=case)
        .select_related("department")
        .order_by("-asked_on", "-pk")
    )
    today = timezone.localdate()
    for query in query_rows:
        query.tone = QUERY_TONES.get(query.state, "secondary")  # type: ignore[attr-defined]
        query.overdue = query.state == QueryState.SENT and query.due_on < today  # type: ignore[attr-defined]
    applications = list(
        FundApplication.objects.filter(case=case)
        .select_related("fund__mechanism", "case")
        .order_by("-applied_on", "-pk")
    )
    for app in applications:
        app.state_obj = wf.APPLICATION_WORKFLOW.state(app.state)  # type: ignore[attr-defined]
        app.buttons = wf.APPLICATION_WORKFLOW.available(app.state, app.relations(scope))  # type: ignore[attr-defined]
    return render(
        request,
        "bankruptcy/case_detail.html",
        {
            "case": case,
            "stage_tone": STAGE_TONES.get(case.stage, "secondary"),
            "items": items,
            "queries": query_rows,
            "applications": applications,
            "can_edit": can(user, "edit", case),
            "can_coordinate": can(user, "coordinate", case),
            "can_query": can(user, "query", case),
            "can_apply": can(user, "apply_fund", case),
            "transition_form": TransitionForm(),
        },
    )


@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "coordinate", case):
        raise PermissionDenied("coordinate")
    data = request.POST if request.method == "POST" else None
    form = ItemForm(data, units=actions.lead_unit_choices(case))
    if data is not None and form.is_valid():
        try:
            actions.add_item(user, case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The coordination item was opened as a matter."))
            return redirect("bankruptcy:case_detail", case.pk)
    return _form_page(
        request,
        _("Ask government to act"),
        form,
        "bankruptcy:case_detail",
        back_pk=case.pk,
        case=case,
    )


@login_required
def query_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "query", case):
        raise PermissionDenied("query")
    data = request.POST if request.method == "POST" else None
    form = QueryForm(data, units=actions.department_choices(case))
    if data is not None and form.is_valid():
        try:
            actions.ask_query(user, case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The query was sent."))
            return redirect("bankruptcy:case_detail", case.pk)
    return _form_page(
        request, _("Ask a department"), form, "bankruptcy:case_detail", back_pk=case.pk, case=case
    )


@login_required
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "apply_fund", case):
        raise PermissionDenied("apply_fund")
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data)
    if data is not None and form.is_valid():
        try:
            actions.apply_fund(user, case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The application was submitted."))
            return redirect("bankruptcy:case_detail", case.pk)
    return _form_page(
        request,
        _("Apply to the bankruptcy-cost fund"),
        form,
        "bankruptcy:case_detail",
        back_pk=case.pk,
        case=case,
    )


# --- queries ----------------------------------------------------------------------------------
@login_required
def query_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = queries.QueryFilterSet(request.GET, queries.visible_queries(user), request=request)
    page = _page(request, filterset.qs)
    today = timezone.localdate()
    start = page.start_index()
    for offset, query in enumerate(page.object_list):
        query.row_no = start + offset  # type: ignore[attr-defined]
        query.tone = QUERY_TONES.get(query.state, "secondary")  # type: ignore[attr-defined]
        query.overdue = query.state == QueryState.SENT and query.due_on < today  # type: ignore[attr-defined]
    return render(
        request,
        "bankruptcy/query_list.html",
        {"form": filterset.form, "page": page, "query": query_without_page(request)},
    )


@login_required
def query_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A query's page; the department asked answers it here."""
    user = _member(request)
    item = get_object_or_404(queries.visible_queries(user), pk=pk)
    may_answer = can(user, "answer", item)
    data = request.POST if request.method == "POST" else None
    if data is not None and not may_answer:
        raise PermissionDenied("answer")
    form = AnswerForm(data, initial={"version": item.version}) if may_answer else None
    if form is not None and data is not None and form.is_valid():
        try:
            actions.answer_query(
                user,
                item,
                result=form.cleaned_data["result"],
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The answer was recorded."))
            return redirect("bankruptcy:query_answer", item.pk)
    item.tone = QUERY_TONES.get(item.state, "secondary")  # type: ignore[attr-defined]
    return render(request, "bankruptcy/query_detail.html", {"item": item, "form": form})


# --- the fund ---------------------------------------------------------------------------------
@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    return render(
        request,
        "bankruptcy/fund_list.html",
        {
            "rows": queries.fund_rows(queries.visible_funds(user)),
            "can_budget": actions.may_set_budget(user),
        },
    )


def _budget_mechanisms(user: Any) -> Any:
    ids = scope_for(user).assigned_jurisdictions.get(Role.OFFICE, frozenset())
    return Mechanism.objects.filter(jurisdiction_id__in=sorted(ids)).order_by("jurisdiction__path")


@login_required
def fund_budget(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_set_budget(user):
        raise PermissionDenied("bankruptcy.fund.budget")
    mechanisms = _budget_mechanisms(user)
    data = request.POST if request.method == "POST" else None
    form = BudgetForm(
        data,
        mechanisms=mechanisms,
        initial={"year": timezone.localdate().year, "mechanism": mechanisms.first()},
    )
    if data is not None and form.is_valid():
        try:
            fund = actions.set_budget(
                user,
                form.cleaned_data["mechanism"],
                form.cleaned_data["year"],
                form.cleaned_data["budget"],
                note=form.cleaned_data.get("note") or "",
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The budget was saved."))
            return redirect("bankruptcy:fund_detail", fund.pk)
    return _form_page(request, _("Set the fund's budget"), form, "bankruptcy:fund_list")


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    fund = get_object_or_404(queries.visible_funds(user), pk=pk)
    scope = scope_for(user)
    applications = list(queries.applications_of(fund, user))
    for app in applications:
        app.fund = fund
        app.state_obj = wf.APPLICATION_WORKFLOW.state(app.state)  # type: ignore[attr-defined]
        app.buttons = wf.APPLICATION_WORKFLOW.available(app.state, app.relations(scope))  # type: ignore[attr-defined]
    movements = FundMovement.objects.filter(fund=fund).select_related("application__case", "by")
    return render(
        request,
        "bankruptcy/fund_detail.html",
        {
            "fund": fund,
            "applications": applications,
            "movements": movements,
            "transition_form": TransitionForm(),
        },
    )


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    visible = FundApplication.objects.filter(
        Q(case__in=BankruptcyCase.objects.visible_to(user).values("pk"))
        | Q(fund__in=Fund.objects.visible_to(user).values("pk"))
    ).select_related("case__court", "fund__mechanism", "applied_by")
    application = get_object_or_404(visible, pk=pk)
    if transition not in {t.name for t in wf.APPLICATION_WORKFLOW.transitions}:
        raise PermissionDenied(transition)
    available = wf.APPLICATION_WORKFLOW.available(
        application.state, relations_to(user, application)
    )
    if transition not in {t.name for t in available}:
        raise PermissionDenied(transition)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        actions.application_transition(
            user,
            application,
            transition,
            comment=form.cleaned_data.get("comment") or "",
            payment_reference=form.cleaned_data.get("payment_reference") or "",
            expected_version=form.cleaned_data.get("version"),
        )
    except REFUSALS as exc:
        message = getattr(exc, "message", None) or "; ".join(
            str(m) for m in getattr(exc, "messages", [str(exc)])
        )
        messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    nxt = request.POST.get("next") or ""
    if nxt == "fund":
        return redirect("bankruptcy:fund_detail", application.fund_id)
    return redirect("bankruptcy:case_detail", application.case_id)


# --- figures ----------------------------------------------------------------------------------
@login_required
def figures(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    return render(request, "bankruptcy/figures.html", queries.figures(user))
