"""Every write of the sso app: linking an identity at sign-in, recording the sign-in, and the
security administrator removing a link. Each is audited in its transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role, User
from fuyuan.audit.record import record, snapshot

from .models import SsoIdentity
from .oidc import SsoError
from .policy import sso_allowed


def _refuse(code: str, message: Any) -> SsoError:
    return SsoError(code, message, status=403)


def _unknown(username: str) -> SsoError:
    return _refuse(
        "unknown_user",
        _(
            "No account of this platform belongs to your government identity (username "
            "“%(username)s”). Accounts are opened by the office and confirmed by the security "
            "administrator; please ask them. Single sign-on does not open accounts."
        )
        % {"username": username or "—"},
    )


def _check_user(user: User, username: str) -> None:
    if not user.is_active:
        raise _refuse(
            "disabled_user",
            _(
                "Your account on this platform is disabled, so single sign-on cannot sign you "
                "in. Please contact the security administrator."
            ),
        )
    # A system client's service user (exchange) never signs in on the pages.
    if getattr(user, "api_client", None) is not None:
        raise _unknown(username)
    if not sso_allowed(user):
        raise _refuse(
            "sso_not_allowed",
            _(
                "Your mechanism does not accept government single sign-on. Please sign in with "
                "your username and password and the second factor your mechanism uses."
            ),
        )


def find_or_link(issuer: str, subject: str, username: str) -> SsoIdentity:
    """The account the identity signs in as. Later sign-ins go by (issuer, subject) only; the
    first one links by the username claim to an existing, active account."""
    found = (
        SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if found is not None:
        _check_user(found.user, username)
        return found
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        raise _unknown(username)
    _check_user(user, username)
    already = _already_linked(username)
    if SsoIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise already
    try:
        with transaction.atomic():
            now = timezone.now()
            link = SsoIdentity.objects.create(
                user=user,
                issuer=issuer,
                subject=subject,
                username_at_link=username[:150],
                linked_at=now,
            )
            record(user, "sso.link", link, after=snapshot(link), detail={"method": "sso"})
    except IntegrityError:
        # A second sign-in racing the first: whoever linked first wins, by the constraints.
        raced = (
            SsoIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if raced is None or raced.user_id != user.pk:
            raise already from None
        return raced
    return link


def _already_linked(username: str) -> SsoError:
    return _refuse(
        "already_linked",
        _(
            "The account “%(username)s” is already linked to another government identity. "
            "Please contact the security administrator."
        )
        % {"username": username},
    )


@transaction.atomic
def record_sign_in(identity: SsoIdentity, *, second_factor: bool) -> None:
    """Note the sign-in on the link and in the audit trail (with method sso). Django's own
    user_logged_in signal writes the general security.login entry."""
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    record(
        identity.user,
        "sso.login",
        identity,
        detail={
            "method": "sso",
            "issuer": identity.issuer,
            "second_factor": "sso" if second_factor else "",
        },
    )


def record_failure(code: str, detail: str, claims: dict[str, Any] | None = None) -> None:
    """A refused or failed SSO sign-in, in the audit trail next to failed password sign-ins
    (never counted by django-axes: SSO does not go through authenticate())."""
    from fuyuan.audit.models import Outcome

    claims = claims or {}
    refused = code in {"unknown_user", "disabled_user", "sso_not_allowed", "already_linked"}
    record(
        None,
        "security.login_failed",
        outcome=Outcome.DENIED if refused else Outcome.FAILED,
        detail={
            "method": "sso",
            "reason": code,
            "detail": detail,
            "username": str(claims.get("username", ""))[:60],
            "issuer": str(claims.get("iss", ""))[:255],
            "subject": str(claims.get("sub", ""))[:255],
        },
    )


@transaction.atomic
def remove_link(actor: User, identity: SsoIdentity) -> None:
    """The security administrator removes a link; the next sign-in links again by username."""
    if not (actor.is_authenticated and actor.has_role(Role.SECURITY_ADMIN)):
        raise PermissionDenied(Role.SECURITY_ADMIN)
    before = snapshot(identity)
    pk = identity.pk
    identity.delete()
    identity.pk = pk
    record(actor, "sso.unlink", identity, before=before)
