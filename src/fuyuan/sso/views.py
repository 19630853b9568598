"""Pages of the sso app: start the sign-in at the provider, its callback, sign-out through
the provider, and the security administrator's list of links."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.twofactor import SESSION_KEY as SECOND_FACTOR_KEY

from . import actions, oidc
from .models import SsoIdentity
from .policy import SSO

FLOW_KEY = "fuyuan_sso_flow"
ID_TOKEN_KEY = "fuyuan_sso_id_token"
# Contract with the twofactor app: a session verified by a second factor names it here.
BACKEND = "fuyuan.accounts.backends.RoleAwareBackend"


def _safe_next(request: HttpRequest, target: str) -> str:
    """Only a path on this site; anything else (another host, a scheme, //host) is dropped."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_uri() -> str:
    # The address registered at the provider: the platform's public address, never the Host
    # header of the request.
    return f"{settings.FUYUAN_SITE_URL}{reverse('sso:callback')}"


def _error_page(request: HttpRequest, error: oidc.SsoError) -> HttpResponse:
    return render(
        request,
        "sso/error.html",
        {"message": error.message, "code": error.code, "sso_name": oidc.config().name},
        status=error.status,
    )


def _fail(
    request: HttpRequest, error: oidc.SsoError, claims: dict[str, Any] | None = None
) -> HttpResponse:
    actions.record_failure(error.code, error.detail, claims)
    return _error_page(request, error)


def _config_or_404() -> oidc.Config:
    cfg = oidc.config()
    if not cfg.enabled:
        raise Http404("single sign-on is not configured")
    return cfg


@never_cache
def sso_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider with state, nonce and a PKCE challenge (S256)."""
    cfg = _config_or_404()
    flow = oidc.new_flow()
    try:
        url = oidc.authorize_url(cfg, flow, _redirect_uri())
    except oidc.SsoError as error:
        return _fail(request, error)
    request.session[FLOW_KEY] = {
        "state": flow.state,
        "nonce": flow.nonce,
        "verifier": flow.verifier,
        "next": _safe_next(request, request.GET.get("next", "")),
        "started": int(time.time()),
    }
    return redirect(url)


_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    cfg = _config_or_404()
    # The flow is used once, whatever happens next.
    flow = request.session.pop(FLOW_KEY, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(flow, dict)
        or not state
        or not secrets.compare_digest(str(flow.get("state", "")), state)
    ):
        return _fail(
            request,
            oidc.SsoError(
                "state_mismatch",
                _(
                    "This sign-in was not started here, has expired, or was started again in "
                    "another window. Please start the sign-in again."
                ),
                "state missing or different",
            ),
        )
    if time.time() - int(flow.get("started", 0)) > oidc.FLOW_MAX_AGE_SECONDS:
        return _fail(
            request,
            oidc.SsoError(
                "flow_expired",
                _("The sign-in took too long. Please start it again."),
                "flow older than allowed",
            ),
        )
    if request.GET.get("error"):
        code = request.GET["error"]
        shown = code if _ERROR_CODE.match(code) else "invalid"
        return _fail(
            request,
            oidc.SsoError(
                "provider_error",
                _(
                    "The government identity provider did not sign you in (reason: %(reason)s). "
                    "Please try again, or sign in with your username and password."
                )
                % {"reason": shown},
                f"error={shown}",
            ),
        )
    code = request.GET.get("code", "")
    if not code:
        return _fail(request, oidc.invalid_token("callback without code"))
    claims: dict[str, Any] = {}
    try:
        tokens = oidc.exchange_code(cfg, code, str(flow["verifier"]), _redirect_uri())
        claims = oidc.validate_id_token(cfg, tokens["id_token"], str(flow["nonce"]))
        claims["username"] = str(claims.get(cfg.username_claim) or "")
        identity = actions.find_or_link(claims["iss"], claims["sub"], claims["username"])
    except oidc.SsoError as error:
        return _fail(request, error, claims)
    # Second factor: find_or_link refuses anyone whose mechanisms do not accept SSO, so a
    # sign-in that gets here counts as verified by the provider.
    login(request, identity.user, backend=BACKEND)
    request.session[SECOND_FACTOR_KEY] = SSO
    request.session[ID_TOKEN_KEY] = tokens["id_token"]
    actions.record_sign_in(identity, second_factor=True)
    return redirect(_safe_next(request, str(flow.get("next", ""))))


@require_POST
def sso_logout(request: HttpRequest) -> HttpResponse:
    """Sign out here, then at the provider when it offers end_session_endpoint and this
    session came from it. Works for password sessions as well (plain sign-out)."""
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    back = f"{settings.FUYUAN_SITE_URL}{resolve_url(settings.LOGOUT_REDIRECT_URL)}"
    cfg = oidc.config()
    if id_token and cfg.enabled:
        target = oidc.end_session_url(cfg, str(id_token), back)
        if target:
            return redirect(target)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _require_security_admin(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(Role.SECURITY_ADMIN):
        raise PermissionDenied(Role.SECURITY_ADMIN)
    return user


@login_required
def links(request: HttpRequest) -> HttpResponse:
    actor = _require_security_admin(request)
    q = request.GET.get("q", "").strip()
    rows = SsoIdentity.objects.visible_to(actor).select_related("user")
    if q:
        rows = rows.filter(
            Q(user__username__icontains=q)
            | Q(user__display_name__icontains=q)
            | Q(username_at_link__icontains=q)
            | Q(subject=q)
        )
    page = Paginator(rows.order_by("user__username", "issuer"), 50).get_page(
        request.GET.get("page")
    )
    cfg = oidc.config()
    return render(
        request,
        "sso/links.html",
        {"page": page, "q": q, "sso_enabled": cfg.enabled, "issuer": cfg.issuer},
    )


@login_required
@require_POST
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require_security_admin(request)
    identity = get_object_or_404(SsoIdentity.objects.visible_to(actor), pk=pk)
    actions.remove_link(actor, identity)
    messages.success(
        request,
        _("The link was removed. The next single sign-on of %(user)s links again by username.")
        % {"user": identity.user},
    )
    return redirect("sso:links")
