"""Records permission denials in the audit trail and keeps the current request for actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .context import current_request
from .models import Outcome
from .record import record


class DeniedAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            record(
                user,
                "security.permission_denied",
                outcome=Outcome.DENIED,
                detail={"path": request.path, "method": request.method, "reason": str(exception)},
            )
        return None
