"""Enforcement: a signed-in session that has not passed its second factor reaches only the
second-factor pages (and sign-out, the session poll, the language switch, static files and
the SSO pages). Pages redirect to verification (or to enrolment for a user who must have a
second factor and has none); the API answers 403 in its error shape; a Bearer-token system
client is not a person signed in and is not affected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import policy

EXEMPT_NAMESPACES = {"twofactor", "sso"}
EXEMPT_ROUTES = {"accounts:logout", "accounts:login", "accounts:session", "set_language"}


def is_exempt(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    match = request.resolver_match
    if match is None:
        return False
    if match.namespaces and match.namespaces[0] in EXEMPT_NAMESPACES:
        return True
    return match.view_name in EXEMPT_ROUTES


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, *args: Any) -> Any:
        if not policy.enforced() or not request.user.is_authenticated:
            return None
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        if policy.verified_by(request) or is_exempt(request):
            return None
        state = policy.status(request)
        if state == policy.OK:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": _("Verify your second factor on the sign-in page first."),
                    "errors": [],
                },
                status=403,
            )
        route = "twofactor:verify" if state == policy.VERIFY else "twofactor:enrol"
        target = f"{reverse(route)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=403)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
