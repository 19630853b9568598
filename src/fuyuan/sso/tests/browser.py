"""The browser's part of the sign-in journey in the tests: the platform through the Django test
client, the provider through real HTTP requests."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .idp import Provider


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def visit_provider(url: str) -> str:
    """The browser at the provider's page: a real HTTP GET; returns where it sends us back."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.code
        return str(exc.headers["Location"])
    raise AssertionError("the provider did not redirect")


def local(url: str) -> str:
    """The path and query of a URL on the platform (the test client has no host)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in(client: Any, provider: Provider, next_url: str | None = None, **user: Any) -> Any:
    """The whole journey: the platform's /sso/login/, the provider's authorize page, back to
    /sso/callback/ (which calls the token endpoint and the JWKS over HTTP)."""
    if user:
        provider.user = user
    start = "/sso/login/"
    if next_url is not None:
        start += "?" + urllib.parse.urlencode({"next": next_url})
    response = client.get(start)
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(f"{provider.issuer}/authorize?")
    back = visit_provider(response["Location"])
    assert "/sso/callback/?" in back
    return client.get(local(back))
