"""Bearer tokens of system clients (`Authorization: Bearer fy_<prefix>_<secret>`): the request
runs as the client's service user, `request.auth` is the token (its `allows` is asked by
`core.api.ScopePermission`)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken

TOKEN_PREFIX = "fy"
# Writing last_used_at on every call would make each read a write; once a minute is enough.
LAST_USED_EVERY_SECONDS = 60


def digest(token: str) -> str:
    """SHA-256 of the whole token (`fy_<prefix>_<secret>`): all that is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token. The prefix is hex; the secret is URL-safe
    base64 and may itself contain "_", so only the first two separators count."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        try:
            header = authentication.get_authorization_header(request).decode("latin-1").split()
        except UnicodeError:  # characters outside Latin-1 cannot be a token
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Bearer <token>”."), code="api.bad_token"
            ) from None
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Bearer <token>”."), code="api.bad_token"
            )
        parts = split_token(header[1])
        token = (
            ApiToken.objects.usable()
            .select_related("client__service_user", "client__unit")
            .filter(prefix=parts[0])
            .first()
            if parts
            else None
        )
        if token is None or not hmac.compare_digest(token.digest, digest(header[1])):
            raise exceptions.AuthenticationFailed(
                _("The token is unknown, expired or revoked."), code="api.bad_token"
            )
        user = token.client.service_user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token is unknown, expired or revoked."), code="api.bad_token"
            )
        # Separation of the administrators: a token counts only for a client the security
        # administrator confirmed and whose service user still holds a role (the role may
        # have been ended since).
        if not token.client.is_confirmed:
            raise exceptions.AuthenticationFailed(
                _("This system client has not been confirmed by the security administrator."),
                code="api.client_unconfirmed",
            )
        if not user.active_assignments():
            raise exceptions.AuthenticationFailed(
                _("The service user of this system client holds no role."),
                code="api.client_no_role",
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
            LAST_USED_EVERY_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
