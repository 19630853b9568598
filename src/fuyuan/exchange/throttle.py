"""Rate limit of system clients (shared cache, so every gunicorn worker counts together)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per minute per system client (its own `rate_per_minute`); people signed in to
    the pages are not limited here (their pages are)."""

    scope = "client"

    def get_rate(self) -> str:
        return f"{settings.FUYUAN_API_RATE_PER_MINUTE}/min"

    def allow_request(self, request: Any, view: Any) -> bool:
        client = getattr(getattr(request, "auth", None), "client", None)
        if client is None:
            return True
        self.num_requests, self.duration = client.rate_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        client = getattr(getattr(request, "auth", None), "client", None)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
