"""A small but real OpenID Connect provider for the tests: http.server on 127.0.0.1 in a
thread, an RSA (or EC) key made with cryptography, discovery, JWKS, authorize (redirects back
with a code for the user the test chose), token (checks the client's secret, the code, the
redirect URI and the PKCE verifier; signs the id_token with PyJWT) and end_session."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        algorithms = jwt.algorithms
        algorithm = algorithms.RSAAlgorithm if self.alg == "RS256" else algorithms.ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(self.private.public_key()))
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk


def make_key(kid: str, alg: str = "RS256") -> SigningKey:
    if alg == "RS256":
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(kid, alg, private)


@dataclass
class Provider:
    client_id: str = "fuyuan-platform"
    client_secret: str = "s3cret/with:odd+chars"
    auth_methods: tuple[str, ...] = ("client_secret_basic", "client_secret_post")
    keys: list[SigningKey] = field(default_factory=lambda: [make_key("key-1")])
    # The person who "signs in" at the provider's page on the next authorize request.
    user: dict[str, Any] = field(default_factory=dict)
    # Answer the authorize request with this error instead of a code.
    deny_with: str = ""
    # Token endpoint answers this status with an error body instead of tokens.
    token_status: int = 200
    # Change the claims, or the finished token, before the token endpoint answers.
    claims_hook: Callable[[dict[str, Any]], None] | None = None
    token_hook: Callable[[str], str] | None = None
    requests: list[tuple[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    issuer_url: str = ""
    thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------
    def start(self) -> Provider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                provider._handle(self, "GET")

            def do_POST(self) -> None:
                provider._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.issuer_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def issuer(self) -> str:
        return self.issuer_url

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.requests if p == path)

    def rotate(self, kid: str, alg: str = "RS256", keep_old: bool = False) -> SigningKey:
        """A new signing key; the old one stays published only when keep_old."""
        key = make_key(kid, alg)
        self.keys = [key, *self.keys] if keep_old else [key]
        return key

    def sign(self, claims: dict[str, Any], key: SigningKey | None = None) -> str:
        key = key or self.keys[0]
        return jwt.encode(claims, key.private, algorithm=key.alg, headers={"kid": key.kid})

    def claims_for(self, nonce: str, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.user,
        }
        claims.update(extra)
        return claims

    # --- HTTP ---------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(request.path)
        self.requests.append((method, url.path))
        query = dict(urllib.parse.parse_qsl(url.query))
        routes = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/logout": self._end_session,
        }
        path = url.path
        if path.endswith("/.well-known/openid-configuration"):
            path = "/.well-known/openid-configuration"
        handler = routes.get(path)
        if handler is None:
            self._send(request, 404, {"error": "not_found"})
            return
        handler(request, query)

    def _send(
        self,
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any] | None = None,
        location: str = "",
    ) -> None:
        data = json.dumps(body or {}).encode()
        request.send_response(status)
        if location:
            request.send_header("Location", location)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _discovery(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        base = self.issuer
        self._send(
            request,
            200,
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
                "end_session_endpoint": f"{base}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": list(self.auth_methods),
            },
        )

    def _jwks(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self._send(request, 200, {"keys": [k.public_jwk() for k in self.keys]})

    def _authorize(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        redirect_uri = query.get("redirect_uri", "")
        if (
            query.get("client_id") != self.client_id
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or "openid" not in query.get("scope", "").split()
        ):
            self._send(request, 400, {"error": "invalid_request"})
            return
        separator = "&" if "?" in redirect_uri else "?"
        if self.deny_with:
            back = urllib.parse.urlencode({"error": self.deny_with, "state": query["state"]})
            self._send(request, 302, location=f"{redirect_uri}{separator}{back}")
            return
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "challenge": query["code_challenge"],
            "nonce": query.get("nonce", ""),
            "user": dict(self.user),
        }
        back = urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
        self._send(request, 302, location=f"{redirect_uri}{separator}{back}")

    def _client_ok(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> str:
        """The method the client used, or "" when it did not authenticate correctly."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            pair = base64.b64decode(header[6:]).decode()
            client_id, _, secret = pair.partition(":")
            ok = (
                urllib.parse.unquote(client_id) == self.client_id
                and urllib.parse.unquote(secret) == self.client_secret
            )
            allowed = "client_secret_basic" in self.auth_methods
            return "client_secret_basic" if ok and allowed else ""
        ok = form.get("client_id") == self.client_id and form.get("client_secret") == (
            self.client_secret
        )
        return "client_secret_post" if ok and "client_secret_post" in self.auth_methods else ""

    def _token(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        length = int(request.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(request.rfile.read(length).decode()))
        method = self._client_ok(request, form)
        self.token_requests.append({"form": form, "method": method})
        if not method:
            self._send(request, 401, {"error": "invalid_client"})
            return
        if self.token_status != 200:
            self._send(request, self.token_status, {"error": "server_error"})
            return
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            self._send(request, 400, {"error": "invalid_grant"})
            return
        if form.get("redirect_uri") != grant["redirect_uri"]:
            self._send(request, 400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not verifier or challenge != grant["challenge"]:
            self._send(request, 400, {"error": "invalid_grant"})
            return
        self.user = grant["user"] or self.user
        claims = self.claims_for(grant["nonce"])
        if self.claims_hook:
            self.claims_hook(claims)
        token = self.sign(claims)
        if self.token_hook:
            token = self.token_hook(token)
        self._send(
            request,
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": token,
            },
        )

    def _end_session(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self._send(request, 302, location=query.get("post_logout_redirect_uri", "/"))
