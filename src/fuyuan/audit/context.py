"""The request being served, so actions can record the client address without threading
the request through every call."""

from __future__ import annotations

import contextvars
from typing import Any

current_request: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "fuyuan_current_request", default=None
)


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    # Behind nginx the real address is in X-Real-IP (docs/deploy.md sets it).
    ip = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
    return ip or None
