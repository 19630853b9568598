"""Security headers on every kind of answer: the Content Security Policy without 'unsafe-inline'
or 'unsafe-eval', nosniff, frame denial (header and CSP), the referrer policy; HSTS and secure
cookies behind HTTPS only (the settings as a deployment computes them, FUYUAN_HTTPS on and
off); no-store on answers to signed-in users."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from fuyuan.testing import PASSWORD

PAGES = [
    ("anonymous", "/accounts/login/"),
    ("city_office", "/"),
    ("city_office", "/matters/"),
    ("city_office", "/matters/m/new/"),
    ("court_staff", "/litigation/cases/"),
    ("court_staff", "/enforcement/inquiries/"),
    ("city_office", "/api/v1/matters/"),
    ("city_office", "/no-such-page/"),  # the 404 page
]


def _client(client_for, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(role)


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


@pytest.mark.parametrize(("role", "url"), PAGES, ids=[u for _r, u in PAGES])
def test_every_answer_carries_the_security_headers(client_for, role: str, url: str) -> None:
    response = _client(client_for, role).get(url)
    assert response.status_code in (200, 302, 404)
    policy = _directives(response["Content-Security-Policy"])
    for directive in ("default-src", "script-src", "style-src"):
        assert policy[directive] == ["'self'"], (directive, policy.get(directive))
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    text = response["Content-Security-Policy"]
    assert "unsafe-inline" not in text and "unsafe-eval" not in text and "*" not in text
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    # Plain HTTP in the tests: no HSTS (it would pin a host that does not speak HTTPS).
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize(("role", "url"), PAGES[1:], ids=[u for _r, u in PAGES[1:]])
def test_signed_in_answers_are_not_stored(client_for, role: str, url: str) -> None:
    response = _client(client_for, role).get(url)
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache


def test_a_download_of_a_signed_in_user_is_not_stored(client_for) -> None:
    response = client_for("city_office").get("/matters/export/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_anonymous_answers_are_left_alone() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory

    from fuyuan.core.cache_headers import PrivatePagesMiddleware

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = PrivatePagesMiddleware(lambda r: HttpResponse("x"))(request)
    assert not response.has_header("Cache-Control")


def test_a_view_that_sets_its_own_caching_keeps_it(client_for) -> None:
    """The middleware adds no-store only where the view said nothing."""
    from django.http import HttpResponse

    from fuyuan.core.cache_headers import PrivatePagesMiddleware

    class Signed:
        is_authenticated = True

    def view(request):  # type: ignore[no-untyped-def]
        response = HttpResponse("x")
        response["Cache-Control"] = "private, max-age=300"
        return response

    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = Signed()  # type: ignore[assignment]
    assert PrivatePagesMiddleware(view)(request)["Cache-Control"] == "private, max-age=300"


# --- the settings a deployment computes --------------------------------------------------------
_PROBE = (
    "import json, fuyuan.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
    "'SESSION_COOKIE_SAMESITE', 'SECURE_PROXY_SSL_HEADER', 'SECURE_CONTENT_TYPE_NOSNIFF', "
    "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY')}))"
)


def _deployed(**env: str) -> dict:
    """The security settings of a deployment (DEBUG off, not under pytest)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "DEBUG")}
    clean.pop("FUYUAN_TESTING", None)
    clean.pop("FUYUAN_HTTPS", None)
    clean.update({"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "fy.example.gov.cn", **env})
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def behind_https() -> dict:
    return _deployed(FUYUAN_HTTPS="1")


def test_https_deployment_settings(behind_https: dict) -> None:
    assert behind_https["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert behind_https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert behind_https["SECURE_HSTS_PRELOAD"] is False
    assert behind_https["SESSION_COOKIE_SECURE"] is True
    assert behind_https["CSRF_COOKIE_SECURE"] is True
    assert behind_https["SESSION_COOKIE_HTTPONLY"] is True
    assert behind_https["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert behind_https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # DEBUG off: HTTPS is the default, so the same as FUYUAN_HTTPS=1.
    assert _deployed() == behind_https


def test_plain_http_deployment_sends_no_hsts() -> None:
    plain = _deployed(FUYUAN_HTTPS="0")
    assert plain["SECURE_HSTS_SECONDS"] == 0
    assert plain["SESSION_COOKIE_SECURE"] is False


def test_hsts_and_secure_cookies_behind_https(world, behind_https: dict) -> None:
    """A request that came through the HTTPS proxy gets HSTS; the same request over plain
    HTTP does not; signing in sets a Secure, HttpOnly, SameSite session cookie."""
    proxy = tuple(behind_https["SECURE_PROXY_SSL_HEADER"])
    with override_settings(
        SECURE_HSTS_SECONDS=behind_https["SECURE_HSTS_SECONDS"],
        SECURE_HSTS_INCLUDE_SUBDOMAINS=behind_https["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
        SECURE_PROXY_SSL_HEADER=proxy,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
    ):
        client = Client(enforce_csrf_checks=False)
        https = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
        assert https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Strict-Transport-Security" not in client.get("/accounts/login/")
        signed = client.post(
            "/accounts/login/",
            {"username": "city_office", "password": PASSWORD},
            HTTP_X_FORWARDED_PROTO="https",
        )
        assert signed.status_code == 302, signed.content[:500]
        cookie = signed.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        csrf = https.cookies.get(settings.CSRF_COOKIE_NAME)
        if csrf is not None:
            assert csrf["secure"] is True
