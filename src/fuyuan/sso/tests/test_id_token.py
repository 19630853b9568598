"""The id_token checks, each against a token from the real provider that breaks one rule:
nonce, audience, azp, issuer, expiry, issue time, signature, "none", HS256 with the public key
as secret, a key the provider never published, and key rotation (an unknown kid refetches
the keys once)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import Client

from fuyuan.audit.models import AuditEntry
from fuyuan.sso.models import SsoIdentity

from .browser import sign_in
from .idp import make_key

pytestmark = pytest.mark.django_db

USER = {"sub": "gov-0001", "preferred_username": "city_office"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _refused(idp: Any, reason_fragment: str, links_before: int = 0) -> None:
    client = Client()
    response = sign_in(client, idp, **USER)
    assert response.status_code == 400, response.status_code
    assert 'data-sso-error="invalid_token"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SsoIdentity.objects.count() == links_before
    entry = AuditEntry.objects.filter(action="security.login_failed").latest("pk")
    assert entry.detail["reason"] == "invalid_token"
    assert reason_fragment.lower() in entry.detail["detail"].lower(), entry.detail["detail"]


def test_a_good_token_passes(world, idp):
    """The control for every refusal below: the same journey without the fault signs in."""
    client = Client()
    assert sign_in(client, idp, **USER).status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_nonce(world, idp):
    idp.claims_hook = lambda c: c.update(nonce="not-the-one-we-sent")
    _refused(idp, "nonce")


def test_missing_nonce(world, idp):
    idp.claims_hook = lambda c: c.pop("nonce")
    _refused(idp, "nonce")


def test_wrong_audience(world, idp):
    idp.claims_hook = lambda c: c.update(aud="another-client")
    _refused(idp, "audience")


def test_several_audiences_need_azp_naming_us(world, idp):
    idp.claims_hook = lambda c: c.update(aud=[idp.client_id, "another-client"])
    _refused(idp, "azp")


def test_azp_of_another_client(world, idp):
    idp.claims_hook = lambda c: c.update(azp="another-client")
    _refused(idp, "azp")


def test_azp_naming_us_passes(world, idp):
    idp.claims_hook = lambda c: c.update(aud=[idp.client_id, "other"], azp=idp.client_id)
    assert sign_in(Client(), idp, **USER).status_code == 302


def test_wrong_issuer(world, idp):
    idp.claims_hook = lambda c: c.update(iss="http://127.0.0.1:1/other")
    _refused(idp, "issuer")


def test_expired_token(world, idp):
    now = int(time.time())
    idp.claims_hook = lambda c: c.update(iat=now - 4000, exp=now - 3600)
    _refused(idp, "expired")


def test_a_little_clock_skew_is_tolerated(world, idp):
    now = int(time.time())
    idp.claims_hook = lambda c: c.update(iat=now + 20, exp=now - 20)
    assert sign_in(Client(), idp, **USER).status_code == 302


def test_issued_in_the_future(world, idp):
    now = int(time.time())
    idp.claims_hook = lambda c: c.update(iat=now + 3600, exp=now + 7200)
    _refused(idp, "iat")


def test_issued_too_long_ago(world, idp):
    now = int(time.time())
    idp.claims_hook = lambda c: c.update(iat=now - 7200, exp=now + 300)
    _refused(idp, "too long ago")


def test_missing_exp(world, idp):
    idp.claims_hook = lambda c: c.pop("exp")
    _refused(idp, "exp")


def test_tampered_payload(world, idp):
    def tamper(token: str) -> str:
        header, payload, signature = token.split(".")
        claims = json.loads(_unb64(payload))
        claims["preferred_username"] = "a_office"
        return ".".join([header, _b64(json.dumps(claims).encode()), signature])

    idp.token_hook = tamper
    _refused(idp, "signature")


def test_alg_none(world, idp):
    def unsigned(token: str) -> str:
        _, payload, _ = token.split(".")
        header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "key-1"}).encode())
        return f"{header}.{payload}."

    idp.token_hook = unsigned
    _refused(idp, "'none' refused")


def test_hs256_with_the_public_key_as_secret(world, idp):
    """The classic key-confusion attack: HMAC over the token with the provider's public key
    (which anyone can fetch) as the shared secret."""
    public_pem = (
        idp.keys[0]
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )

    def confused(token: str) -> str:
        _, payload, _ = token.split(".")
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "key-1"}).encode())
        signing_input = f"{header}.{payload}".encode()
        mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(mac)}"

    idp.token_hook = confused
    _refused(idp, "'HS256' refused")


def test_a_key_the_provider_never_published(world, idp):
    rogue = make_key("key-1")  # same kid, different key

    def resign(token: str) -> str:
        claims = json.loads(_unb64(token.split(".")[1]))
        return idp.sign(claims, rogue)

    idp.token_hook = resign
    _refused(idp, "signature")


def test_unknown_kid_refetches_the_keys_once(world, idp):
    assert sign_in(Client(), idp, **USER).status_code == 302
    assert idp.count("/jwks") == 1
    idp.rotate("key-2")
    client = Client()
    assert sign_in(client, idp, **USER).status_code == 302
    assert "_auth_user_id" in client.session
    assert idp.count("/jwks") == 2
    # Cached again: the next sign-in fetches nothing.
    assert sign_in(Client(), idp, **USER).status_code == 302
    assert idp.count("/jwks") == 2


def test_a_kid_unknown_even_after_refetch_is_refused_after_one_refetch(world, idp):
    assert sign_in(Client(), idp, **USER).status_code == 302
    ghost = make_key("ghost-kid")
    idp.token_hook = lambda token: idp.sign(json.loads(_unb64(token.split(".")[1])), ghost)
    _refused(idp, "no signing key", links_before=1)
    assert idp.count("/jwks") == 2


def test_es256_keys_work(world, idp):
    idp.rotate("ec-1", alg="ES256")
    assert sign_in(Client(), idp, **USER).status_code == 302


def test_discovery_naming_another_issuer_is_refused(world, idp, settings):
    settings.FUYUAN_OIDC_ISSUER = idp.issuer + "/tenant"
    response = Client().get("/sso/login/")
    assert response.status_code == 400
    assert 'data-sso-error="provider_unreachable"' in response.content.decode()
    detail = AuditEntry.objects.get(action="security.login_failed").detail["detail"]
    assert "names issuer" in detail
