"""Pages of purpose-bound access: my unit's requests, the requests a provider received, a
grant's page with the decisions the graph allows, asking for access, and the provider's pull
log. Reads through `visible_to(user)` (not visible → 404); writes through grant_actions (not
the user's to take → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import relations_to
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.org.models import Unit

from . import access, grant_actions
from . import grant_workflow as gw
from .forms import AccessLogFilterSet, GrantDecisionForm, GrantRequestForm
from .models import AccessGrant, AccessLog, GrantState

PER_PAGE = 30


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _grants(user: Any) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.visible_to(user).select_related(
        "requesting_unit", "provider_unit", "requested_by", "decided_by"
    )


def _state_filter(request: HttpRequest, rows: QuerySet[AccessGrant]) -> tuple[Any, str]:
    state = request.GET.get("state", "")
    if state in GrantState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    return rows, state


def _oversees(user: Any) -> bool:
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    return Role.OFFICE in scope_for(user).oversight


def _list(
    request: HttpRequest, rows: QuerySet[AccessGrant], incoming: bool, everything: bool = False
) -> HttpResponse:
    rows, state = _state_filter(request, rows)
    today = timezone.localdate()
    page = _page(request, rows.order_by("-created_at", "-pk"))
    for grant in page.object_list:
        grant.in_force = grant.is_valid_on(today)  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/grant_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "incoming": incoming,
            "everything": everything,
            "can_see_all": _oversees(request.user),
            "state": state,
            "states": GrantState.choices,
            "can_request": access.requesting_units(request.user).exists(),
            "can_decide": access.providing_units(request.user).exists(),
            "can_see_log": access.may_see_log(request.user),
        },
    )


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    """Requests of the units the user acts for; with `all=1`, office staff see every request
    of their jurisdiction's units."""
    ids = access.acting_unit_ids(request.user)
    if not access.acting_units(request.user).exists():
        raise PermissionDenied("exchange.grants")
    if request.GET.get("all") == "1" and _oversees(request.user):
        return _list(request, _grants(request.user), False, everything=True)
    return _list(request, _grants(request.user).filter(requesting_unit_id__in=sorted(ids)), False)


@login_required
def grant_incoming(request: HttpRequest) -> HttpResponse:
    """Requests to a unit the user acts for that provides datasets."""
    providers = access.providing_units(request.user)
    if not providers.exists():
        raise PermissionDenied("exchange.grants.incoming")
    rows = _grants(request.user).filter(provider_unit__in=providers)
    return _list(request, rows, True)


def _providers(user: Any) -> QuerySet[Unit]:
    kinds = sorted({k for d in access.DATASETS.values() for k in d.provider_kinds})
    return (
        Unit.objects.visible_to(user)
        .current()
        .filter(kind__in=kinds)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


@login_required
def grant_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    requesting = access.requesting_units(user)
    if not requesting.exists():
        raise PermissionDenied("exchange.grants.request")
    form = GrantRequestForm(request.POST or None, requesting=requesting, providers=_providers(user))
    if request.method == "POST" and form.is_valid():
        try:
            grant = grant_actions.request_access(user, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The request was sent to the provider."))
            return redirect("exchange:grant_detail", grant.pk)
    return render(request, "exchange/grant_form.html", {"form": form})


def _visible(request: HttpRequest, pk: int) -> AccessGrant:
    return get_object_or_404(_grants(request.user), pk=pk)


def _render_detail(
    request: HttpRequest, grant: AccessGrant, form: GrantDecisionForm | None = None
) -> HttpResponse:
    relations = relations_to(request.user, grant)
    transitions = gw.GRANT_WORKFLOW.available(grant.state, relations)
    pulls = AccessLog.objects.filter(grant=grant)
    return render(
        request,
        "exchange/grant_detail.html",
        {
            "grant": grant,
            "state": gw.GRANT_WORKFLOW.state(grant.state),
            "in_force": grant.is_valid_on(timezone.localdate()),
            "transitions": transitions,
            "form": form or GrantDecisionForm(initial={"version": grant.version}),
            "is_provider": gw.PROVIDER in relations,
            "pull_count": pulls.count(),
            "recent_pulls": pulls.select_related("client", "user").order_by("-at", "-pk")[:10],
        },
    )


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


@login_required
@require_POST
def grant_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    grant = _visible(request, pk)
    if transition not in gw.TRANSITIONS:
        raise Http404
    form = GrantDecisionForm(request.POST)
    if form.is_valid():
        try:
            grant_actions.transition(
                request.user,
                grant,
                transition,
                personal_granted=form.cleaned_data["personal_granted"],
                note=form.cleaned_data["note"] or "",
                reason=form.cleaned_data["reason"] or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            label = gw.GRANT_WORKFLOW.transition(transition).label
            messages.success(request, _("“%(action)s” was recorded.") % {"action": label})
            return redirect("exchange:grant_detail", grant.pk)
    return _render_detail(request, _visible(request, pk), form)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The provider's pull log (office staff: every pull in their jurisdiction)."""
    user: Any = request.user
    if not access.may_see_log(user):
        raise PermissionDenied("exchange.access_log")
    rows = AccessLog.objects.visible_to(user).select_related(
        "client", "user", "unit", "provider_unit", "grant"
    )
    filterset = AccessLogFilterSet(request.GET or None, rows, request=request)
    page = _page(request, filterset.qs.order_by("-at", "-pk"))
    return render(
        request,
        "exchange/log_list.html",
        {"form": filterset.form, "page": page, "query": query_without_page(request)},
    )
