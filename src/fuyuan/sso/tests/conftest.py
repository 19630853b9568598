"""Fixtures of the sso tests: a running identity provider on 127.0.0.1 and the settings that
point the platform at it."""

from __future__ import annotations

from typing import Any

import pytest

from .idp import Provider


@pytest.fixture
def idp(settings: Any):  # type: ignore[no-untyped-def]
    provider = Provider().start()
    settings.FUYUAN_OIDC_ISSUER = provider.issuer
    settings.FUYUAN_OIDC_CLIENT_ID = provider.client_id
    settings.FUYUAN_OIDC_CLIENT_SECRET = provider.client_secret
    settings.FUYUAN_OIDC_TOKEN_AUTH_METHOD = ""
    settings.FUYUAN_OIDC_TIMEOUT_SECONDS = 5
    try:
        yield provider
    finally:
        provider.stop()
