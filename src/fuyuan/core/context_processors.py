"""Template context for the page shell: menu entries and session timeout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import menu


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "menu_entries": menu.entries_for(user, request.path),
        "idle_timeout_minutes": settings.FUYUAN_IDLE_TIMEOUT_SECONDS // 60,
    }
