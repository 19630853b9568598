"""One log line per request (method, path without the query string, status, duration, user id,
request id) and the X-Request-ID response header. An incoming X-Request-ID (from nginx or a
calling system) is kept when it is short and plain; otherwise a new one is made."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .logging import request_context

logger = logging.getLogger("fuyuan.request")
HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    if incoming and _SANE.match(incoming):
        return incoming
    return uuid.uuid4().hex


def _user_id(request: HttpRequest) -> Any:
    """The signed-in user's id if the request already loaded the user (never loads it: a
    health check must not touch the database)."""
    user = getattr(request, "_cached_user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        context: dict[str, Any] = {
            "request_id": request_id,
            "method": request.method,
            "path": request.path,
        }
        token = request_context.set(context)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = request_id
            return response
        finally:
            duration = round((time.monotonic() - started) * 1000, 1)
            context.update(status=status, duration_ms=duration, user_id=_user_id(request))
            logger.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                status,
                duration,
                extra={"status": status, "duration_ms": duration, "user_id": context["user_id"]},
            )
            request_context.reset(token)
