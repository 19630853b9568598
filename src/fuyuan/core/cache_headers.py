"""No copies of signed-in pages in caches: every answer to a signed-in user (pages, downloads,
the API for people and system clients) is marked `Cache-Control: no-store` unless the view set
its own caching, so personal data is not left in a shared office computer's browser cache or in
a proxy, and the back button after signing out does not show the last page again (MLPS level
3, residual information protection)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: an API request is authenticated by the view (token or session).
        user = getattr(request, "user", None)
        if (
            user is not None
            and getattr(user, "is_authenticated", False)
            and not response.has_header("Cache-Control")
        ):
            add_never_cache_headers(response)
        return response
