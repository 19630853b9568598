"""Pages of the system clients: the system administrator's list, creating a client for a
unit, its page with its tokens (issue, rotate with a grace period, revoke), editing its scopes
and rate, deactivating it. A token in clear appears once, in the answer to the POST that made
it; nothing else ever shows it again. Everyone but the system administrator gets 403 — except
on the review page of a new client, which is the security administrator's alone: confirm it
(its service user gets its unit's role) or reject it with a reason, never seeing a token."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.org.models import Unit

from . import client_actions as actions
from .forms import ClientDecisionForm, ClientEditForm, ClientForm, RotateForm
from .models import SCOPE_RESOURCES, ApiClient, ApiToken

PER_PAGE = 30
RESOURCE_LABELS = dict(SCOPE_RESOURCES)


def _admin(request: HttpRequest) -> Any:
    user: Any = request.user
    if not actions.may_manage(user):
        raise PermissionDenied("exchange.clients")
    return user


def _security_admin(request: HttpRequest) -> Any:
    user: Any = request.user
    if not actions.may_confirm(user):
        raise PermissionDenied("exchange.clients.confirm")
    return user


def _client(pk: int) -> ApiClient:
    return get_object_or_404(
        ApiClient.objects.select_related("unit__jurisdiction", "service_user", "created_by"), pk=pk
    )


def _role_label(client: ApiClient) -> str:
    """The role the security administrator grants on confirmation (the unit's)."""
    return str(Role(actions.service_role(client.unit)).label)


def scope_summary(client: ApiClient) -> list[tuple[str, str]]:
    return [
        (str(RESOURCE_LABELS.get(name, name)), given)
        for name, given in (client.scopes or {}).items()
    ]


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    q = request.GET.get("q", "").strip()
    now = timezone.now()
    rows = ApiClient.objects.select_related("unit__jurisdiction", "service_user").annotate(
        live_tokens=Count(
            "tokens",
            filter=Q(tokens__revoked_at__isnull=True)
            & (Q(tokens__expires_at__isnull=True) | Q(tokens__expires_at__gt=now)),
        ),
        last_used=Max("tokens__last_used_at"),
    )
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    page = Paginator(rows.order_by("unit__order_no", "name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for client in page.object_list:
        client.scope_list = scope_summary(client)  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/client_list.html",
        {"page": page, "q": q, "query": query_without_page(request)},
    )


def _units() -> Any:
    return (
        Unit.objects.current()
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def _token_page(
    request: HttpRequest, client: ApiClient, token: ApiToken, raw: str, created: bool = False
) -> HttpResponse:
    response = render(
        request,
        "exchange/client_token.html",
        {"client": client, "token": token, "raw": raw, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def client_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = ClientForm(request.POST or None, units=_units())
    if request.method == "POST" and form.is_valid():
        try:
            client = actions.create_client(
                actor,
                name=form.cleaned_data["name"],
                unit=form.cleaned_data["unit"],
                scopes=form.scopes(),
                rate_per_minute=form.cleaned_data["rate_per_minute"],
                note=form.cleaned_data["note"],
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The system client was created. It awaits the security administrator's "
                    "confirmation; its first token can be issued once it is confirmed."
                ),
            )
            return redirect("exchange:client_detail", client.pk)
    return render(request, "exchange/client_form.html", {"form": form, "client": None})


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    client = _client(pk)
    now = timezone.now()
    tokens = list(client.tokens.select_related("issued_by").order_by("-created_at", "-pk"))
    for token in tokens:
        token.usable = token.is_usable(now)  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/client_detail.html",
        {
            "client": client,
            "tokens": tokens,
            "scopes": scope_summary(client),
            "rotate_form": RotateForm(),
            "role": client.service_user.assignments.select_related("jurisdiction", "unit").first(),
            "proposed_role": _role_label(client),
        },
    )


@login_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    client = _client(pk)
    initial = {
        "version": client.version,
        "name": client.name,
        "rate_per_minute": client.rate_per_minute,
        "note": client.note,
        **ClientEditForm.initial_from(client.scopes or {}),
    }
    form = ClientEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_client(
                actor,
                client,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                rate_per_minute=form.cleaned_data["rate_per_minute"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The system client was saved."))
            return redirect("exchange:client_detail", client.pk)
    return render(request, "exchange/client_form.html", {"form": form, "client": client})


@login_required
@require_POST
def client_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    client = _client(pk)
    try:
        actions.set_client_active(actor, client, not client.is_active)
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("exchange:client_detail", client.pk)
    if client.is_active:
        messages.success(request, _("The system client was reactivated."))
    else:
        messages.success(request, _("The system client was deactivated; its tokens stop now."))
    return redirect("exchange:client_detail", client.pk)


@login_required
@require_POST
@never_cache
def token_issue(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    client = _client(pk)
    try:
        token, raw = actions.issue_token(actor, client)
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("exchange:client_detail", client.pk)
    return _token_page(request, client, token, raw)


@login_required
@require_POST
@never_cache
def token_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    client = _client(pk)
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a grace period."))
        return redirect("exchange:client_detail", client.pk)
    try:
        token, raw = actions.rotate_tokens(actor, client, form.cleaned_data["grace"])
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("exchange:client_detail", client.pk)
    return _token_page(request, client, token, raw)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token: int) -> HttpResponse:
    actor = _admin(request)
    client = _client(pk)
    found = get_object_or_404(ApiToken, pk=token, client=client)
    actions.revoke_token(actor, found)
    messages.success(request, _("The token was revoked."))
    return redirect("exchange:client_detail", client.pk)


# --- the security administrator's decision ---------------------------------------------------
@login_required
def client_review(request: HttpRequest, pk: int) -> HttpResponse:
    """What the security administrator decides on: the system, its unit, the role its service
    user would get, its scopes and rate; no token (there is none yet, and none is shown)."""
    _security_admin(request)
    client = _client(pk)
    return render(
        request,
        "exchange/client_review.html",
        {
            "client": client,
            "scopes": scope_summary(client),
            "proposed_role": _role_label(client),
            "form": ClientDecisionForm(initial={"version": client.version}),
        },
    )


@login_required
@require_POST
def client_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _security_admin(request)
    client = _client(pk)
    form = ClientDecisionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        actions.confirm_client(actor, client, expected_version=version)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("exchange:client_review", client.pk)
    except REFUSALS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("exchange:client_review", client.pk)
    messages.success(
        request,
        _("The system client “%(name)s” was confirmed; its service user now holds the role.")
        % {"name": client.name},
    )
    return redirect("accounts:assignment_list")


@login_required
@require_POST
def client_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _security_admin(request)
    client = _client(pk)
    form = ClientDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.reject_client(
                actor,
                client,
                form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(
                request, _("The system client “%(name)s” was rejected.") % {"name": client.name}
            )
            return redirect("accounts:assignment_list")
    return render(
        request,
        "exchange/client_review.html",
        {
            "client": client,
            "scopes": scope_summary(client),
            "proposed_role": _role_label(client),
            "form": form,
        },
        status=200,
    )
