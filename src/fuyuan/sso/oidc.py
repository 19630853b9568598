"""The OpenID Connect client: configuration, discovery, signing keys, the code exchange and the
id_token checks. HTTP uses urllib (requests is not a dependency; a few GETs and one POST)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Only asymmetric signatures: "none" and HS* (a shared secret, or a public key misused as
# one) are refused before any key is looked at.
ALLOWED_ALGORITHMS = ("RS256", "ES256")
KEY_TYPES = {"RS256": "RSA", "ES256": "EC"}
# Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60
# An id_token is used at once: one issued longer ago than this is refused.
MAX_TOKEN_AGE_SECONDS = 600
# A sign-in started longer ago than this has to start again.
FLOW_MAX_AGE_SECONDS = 600
MAX_RESPONSE_BYTES = 1024 * 1024


class SsoError(Exception):
    """A sign-in that cannot go on. `code` goes to the audit trail, `message` to the user."""

    def __init__(self, code: str, message: str | Promise, detail: str = "", status: int = 400):
        super().__init__(code)
        self.code = code
        self.message = message
        self.detail = detail[:300]
        self.status = status


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    username_claim: str
    name: str
    token_auth_method: str
    timeout: float
    cache_seconds: int

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


def config() -> Config:
    """Read at each use, so tests (and a reload) see changed settings."""
    return Config(
        issuer=settings.FUYUAN_OIDC_ISSUER.rstrip("/"),
        client_id=settings.FUYUAN_OIDC_CLIENT_ID,
        client_secret=settings.FUYUAN_OIDC_CLIENT_SECRET,
        scopes=settings.FUYUAN_OIDC_SCOPES or "openid",
        username_claim=settings.FUYUAN_OIDC_USERNAME_CLAIM or "preferred_username",
        name=settings.FUYUAN_OIDC_NAME,
        token_auth_method=settings.FUYUAN_OIDC_TOKEN_AUTH_METHOD,
        timeout=settings.FUYUAN_OIDC_TIMEOUT_SECONDS,
        cache_seconds=settings.FUYUAN_OIDC_CACHE_SECONDS,
    )


def enabled() -> bool:
    return config().enabled


# --- HTTP ---------------------------------------------------------------------------------
def _unreachable(detail: str) -> SsoError:
    return SsoError(
        "provider_unreachable",
        _(
            "The government identity provider cannot be reached at the moment. Please try "
            "again later, or sign in with your username and password."
        ),
        detail,
    )


def _request(
    url: str, cfg: Config, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """(status, parsed JSON or None). Network failures raise provider_unreachable."""
    request = urllib.request.Request(  # URLs come from settings and the provider's discovery
        url, data=data, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=cfg.timeout) as response:
            status, body = response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(MAX_RESPONSE_BYTES)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _unreachable(f"{url}: {exc}") from exc
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        parsed = None
    return status, parsed


def _get_json(url: str, cfg: Config, what: str) -> dict[str, Any]:
    status, parsed = _request(url, cfg)
    if status != 200 or not isinstance(parsed, dict):
        raise _unreachable(f"{what}: HTTP {status}")
    return parsed


# --- discovery and keys ---------------------------------------------------------------------
def _cache_key(kind: str, issuer: str) -> str:
    return f"sso:{kind}:{hashlib.sha256(issuer.encode()).hexdigest()[:32]}"


def discovery(cfg: Config) -> dict[str, Any]:
    key = _cache_key("discovery", cfg.issuer)
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    document = _get_json(f"{cfg.issuer}/.well-known/openid-configuration", cfg, "discovery")
    # OpenID Connect Discovery §4.3: the document must name the issuer it was asked for.
    if str(document.get("issuer", "")).rstrip("/") != cfg.issuer:
        raise _unreachable(f"discovery names issuer {document.get('issuer')!r}")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(field), str) or not document[field]:
            raise _unreachable(f"discovery lacks {field}")
    cache.set(key, document, cfg.cache_seconds)
    return document


def _jwks(cfg: Config, *, refresh: bool = False) -> list[dict[str, Any]]:
    key = _cache_key("jwks", cfg.issuer)
    if not refresh:
        found = cache.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    document = _get_json(discovery(cfg)["jwks_uri"], cfg, "jwks")
    keys = [k for k in document.get("keys", []) if isinstance(k, dict)]
    cache.set(key, keys, cfg.cache_seconds)
    return keys


def _pick_key(keys: list[dict[str, Any]], kid: str | None, alg: str) -> dict[str, Any] | None:
    kty = KEY_TYPES[alg]
    usable = [
        k
        for k in keys
        if k.get("kty") == kty and k.get("use", "sig") == "sig" and k.get("alg", alg) == alg
    ]
    if kid is not None:
        return next((k for k in usable if k.get("kid") == kid), None)
    return usable[0] if len(usable) == 1 else None


def signing_key(cfg: Config, kid: str | None, alg: str) -> Any:
    """The provider's public key for (kid, alg); an unknown kid refetches the keys once (the
    provider rotated them)."""
    found = _pick_key(_jwks(cfg), kid, alg)
    if found is None:
        found = _pick_key(_jwks(cfg, refresh=True), kid, alg)
    if found is None:
        raise invalid_token(f"no signing key for kid {kid!r} and {alg}")
    try:
        return jwt.PyJWK(found, algorithm=alg).key
    except jwt.PyJWTError as exc:
        raise invalid_token(f"unusable key {kid!r}: {exc}") from exc


# --- the flow -------------------------------------------------------------------------------
def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Flow:
    state: str
    nonce: str
    verifier: str

    @property
    def challenge(self) -> str:
        return _b64(hashlib.sha256(self.verifier.encode("ascii")).digest())


def new_flow() -> Flow:
    return Flow(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),  # 86 characters, within RFC 7636's 43–128
    )


def authorize_url(cfg: Config, flow: Flow, redirect_uri: str) -> str:
    endpoint = discovery(cfg)["authorization_endpoint"]
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": cfg.client_id,
            "redirect_uri": redirect_uri,
            "scope": cfg.scopes,
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": flow.challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _auth_method(cfg: Config, document: dict[str, Any]) -> str:
    if cfg.token_auth_method in ("client_secret_basic", "client_secret_post"):
        return cfg.token_auth_method
    offered = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" not in offered and "client_secret_post" in offered:
        return "client_secret_post"
    return "client_secret_basic"


def exchange_code(cfg: Config, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
    """POST the code to the token endpoint; the token response (with an id_token)."""
    document = discovery(cfg)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if _auth_method(cfg, document) == "client_secret_post":
        form.update(client_id=cfg.client_id, client_secret=cfg.client_secret)
    else:
        # RFC 6749 §2.3.1: both parts form-urlencoded before the base64.
        pair = f"{urllib.parse.quote(cfg.client_id, safe='')}:" + urllib.parse.quote(
            cfg.client_secret, safe=""
        )
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    status, parsed = _request(
        document["token_endpoint"], cfg, urllib.parse.urlencode(form).encode(), headers
    )
    if status != 200 or not isinstance(parsed, dict):
        error = parsed.get("error", "") if isinstance(parsed, dict) else ""
        raise SsoError(
            "token_error",
            _(
                "The government identity provider did not confirm the sign-in. Please start "
                "again; if it happens again, tell the security administrator."
            ),
            f"token endpoint HTTP {status} {str(error)[:60]}",
        )
    if not isinstance(parsed.get("id_token"), str):
        raise invalid_token("token response without id_token")
    return parsed


def invalid_token(detail: str) -> SsoError:
    return SsoError(
        "invalid_token",
        _(
            "The answer of the government identity provider could not be verified, so you were "
            "not signed in. Please start again; if it happens again, tell the security "
            "administrator."
        ),
        detail,
    )


def validate_id_token(cfg: Config, token: str, nonce: str) -> dict[str, Any]:
    """Signature (RS256/ES256 with the provider's key), iss, aud, azp, exp, iat, nonce, sub."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise invalid_token(f"malformed id_token: {exc}") from exc
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise invalid_token(f"algorithm {alg!r} refused")
    kid = header.get("kid")
    key = signing_key(cfg, kid if isinstance(kid, str) else None, alg)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[alg],
            audience=cfg.client_id,
            # The exact string of the discovery document (checked against the setting).
            issuer=str(discovery(cfg)["issuer"]),
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_signature": True},
        )
    except jwt.PyJWTError as exc:
        raise invalid_token(f"{type(exc).__name__}: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if azp is not None and azp != cfg.client_id:
        raise invalid_token(f"azp {azp!r} is not this client")
    if azp is None and len(audiences) > 1:
        raise invalid_token("several audiences and no azp")
    if int(claims["iat"]) < time.time() - MAX_TOKEN_AGE_SECONDS - LEEWAY_SECONDS:
        raise invalid_token("id_token issued too long ago")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(
        claims["nonce"], nonce
    ):
        raise invalid_token("nonce mismatch")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise invalid_token("empty sub")
    return claims


def end_session_url(cfg: Config, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's sign-out address with the id_token as hint, when it offers one."""
    try:
        endpoint = discovery(cfg).get("end_session_endpoint")
    except SsoError:
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urllib.parse.urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": cfg.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
