"""Session rules: idle sessions end after FUYUAN_IDLE_TIMEOUT_SECONDS, and polling requests
(header X-Fuyuan-Poll) never count as activity; expired passwords must be changed first."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.twofactor import SESSION_KEY as SECOND_FACTOR_KEY

LAST_ACTIVITY = "fuyuan_last_activity"
POLL_HEADER = "HTTP_X_FUYUAN_POLL"


def is_poll(request: HttpRequest) -> bool:
    return request.META.get(POLL_HEADER) == "1"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY, now)
            if now - last > settings.FUYUAN_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if is_poll(request) or request.headers.get("HX-Request"):
                    response = HttpResponse(status=401)
                    response["HX-Redirect"] = reverse("accounts:login")
                    return response
                messages.info(request, _("You were signed out after 30 minutes without activity."))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            # Written once a minute at most, so a page that only reads saves no session.
            granularity = settings.FUYUAN_ACTIVITY_GRANULARITY_SECONDS
            if not is_poll(request) and (
                LAST_ACTIVITY not in request.session or now - last >= granularity
            ):
                request.session[LAST_ACTIVITY] = now
            request.session_remaining = int(  # type: ignore[attr-defined]
                settings.FUYUAN_IDLE_TIMEOUT_SECONDS
                - (now - request.session.get(LAST_ACTIVITY, now))
            )
        return self.get_response(request)


EXEMPT_URL_NAMES = {"password_change", "password_change_done", "logout", "session", "login"}


class PasswordExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: object, *args: object) -> object:
        user = request.user
        if not user.is_authenticated or request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        # The second-factor pages come first: the password is changed once the session is
        # verified (otherwise the two middlewares would send each other's pages back).
        if match and (match.url_name in EXEMPT_URL_NAMES or "twofactor" in match.namespaces):
            return None
        # A session signed in through the identity provider did not use the password here.
        if request.session.get(SECOND_FACTOR_KEY) == "sso":
            return None
        changed = getattr(user, "password_changed_at", None)
        max_age = timedelta(days=settings.FUYUAN_PASSWORD_MAX_AGE_DAYS)
        if changed is None or timezone.now() - changed > max_age:
            messages.warning(request, _("Your password has expired. Choose a new one to go on."))
            return redirect("accounts:password_change")
        return None
