"""Language choice: Simplified Chinese unless the user picked another language with the
switch (a cookie). The browser's Accept-Language is ignored on purpose: office machines
often run English browsers, and the platform's working language is Chinese.

DatabaseUnavailableMiddleware: a 503 page, rendered without the database, while the database
cannot be reached."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        # Activate for this request only: the thread serves other requests (and, in tests,
        # other code) afterwards in the default language.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# --- the database out of reach: 503, not a crash ------------------------------------------------
DB_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# PostgreSQL error codes meaning "the server cannot be used now" (connection exceptions, the
# server shutting down, crashed or starting, too many connections). Others wrapped as
# OperationalError — a deadlock, a cancelled statement — are not the database being away.
_PG_UNAVAILABLE_CODES = {"57P01", "57P02", "57P03", "53300"}
# SQLite's OperationalError also covers a missing table or column: only these are "away".
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")
# Seconds a browser or a system client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30
_MARK = "_fuyuan_database_unavailable"


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached or used at the moment (as opposed to
    a mistake in a query, which stays a 500)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    module = type(cause).__module__ if cause is not None else ""
    if module.startswith("sqlite3"):
        text = str(cause).lower()
        return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    code = getattr(cause, "sqlstate", None)
    # No code: the connection itself failed (refused, reset, closed by the server).
    return code is None or code.startswith("08") or code in _PG_UNAVAILABLE_CODES


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """`got_request_exception` fires inside Django's exception handling, wherever in the
    middleware chain the error arose (a session read in an inner middleware, a view, a
    session save on the way out): mark the request when the error is the database's."""
    exc = sys.exc_info()[1]
    if request is not None and database_unavailable(exc):
        setattr(request, _MARK, exc)
        # Django renders its error page next (thrown away by the middleware): as an anonymous
        # request, so that page does not try the session and the database once more.
        request.user = AnonymousUser()


got_request_exception.connect(_mark_request, dispatch_uid="fuyuan.core.database_unavailable")


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached (stopped, restarting, the network between), answer
    503 "service temporarily unavailable" with Retry-After instead of a 500 or a crash: an HTML
    page in the user's language, or the API's error shape under /api/. The answer is built
    WITHOUT the database or the session (no context processors, no user, no CSRF token), so it
    works while the database is away. At the top of MIDDLEWARE (only the request log wraps
    it): no other middleware runs again for the answer. Persistent connections recover by
    themselves once the database is back (settings: CONN_HEALTH_CHECKS), so the same
    processes serve pages again without a restart.
    Every occurrence is logged (a warning with the error; no request data)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DB_UNAVAILABLE_ERRORS as exc:
            # Raised past Django's own handling (e.g. by the error page itself).
            if not database_unavailable(exc):
                raise
            return self.unavailable(request, exc)
        marked = getattr(request, _MARK, None)
        if marked is not None and not getattr(response, _MARK, False):
            return self.unavailable(request, marked)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view's error: answered here (the inner middleware see the 503 on the way out;
        should one of them fail on the database too, __call__ answers again)."""
        if not database_unavailable(exception):
            return None
        request.user = AnonymousUser()
        return self.unavailable(request, exception)

    def unavailable(self, request: HttpRequest, exc: BaseException) -> HttpResponse:
        logger.warning(
            "database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(exc).__name__,
            str(exc).strip().splitlines()[0] if str(exc).strip() else "",
        )
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        with translation.override(language):
            message = gettext(
                "The service is temporarily unavailable. Please try again in a moment; "
                "nothing you submitted was half-saved."
            )
            response: HttpResponse
            if request.path.startswith("/api/"):
                response = JsonResponse(
                    {"code": "service.unavailable", "message": message},
                    status=503,
                    json_dumps_params={"ensure_ascii": False},
                )
            else:
                response = HttpResponse(self._page(message, language), status=503)
        setattr(response, _MARK, True)
        response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, once
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        response["Content-Language"] = language
        # The security headers the inner middleware would have added.
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "DENY"
        response["Referrer-Policy"] = "same-origin"
        response["Content-Security-Policy"] = (
            "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
        )
        return response

    def _page(self, message: str, language: str) -> str:
        try:
            # No request: no context processors, so nothing reads the session or the user.
            return loader.render_to_string(
                "503.html",
                {"message": message, "retry_after": RETRY_AFTER_SECONDS, "lang": language},
            )
        except Exception:  # the page must never fail: a bare page instead
            logger.exception("database unavailable: the 503 page could not be rendered")
            return (
                f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8">'
                f"<title>{escape(gettext('Service temporarily unavailable'))}</title></head>"
                f"<body><h1>{escape(gettext('Service temporarily unavailable'))}</h1>"
                f"<p>{escape(message)}</p></body></html>"
            )
