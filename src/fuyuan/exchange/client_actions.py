"""Every write about system clients and their tokens: the system administrator's (三权分立:
not the security or audit administrator's). Permission check, one transaction, write, audit.

A client is a service user of its unit: creating one creates the user (no usable password,
so it can never sign in to the pages) and the role assignment matching the unit — court staff
for a court, office staff for the office of a joint meeting, liaison officer for any other
body — so the API scopes its reads exactly as the pages scope that unit's people.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import UNIT_ROLES, Role, RoleAssignment, User
from fuyuan.audit.record import record, snapshot
from fuyuan.org.models import Unit, UnitKind

from .access import is_office_unit
from .auth import TOKEN_PREFIX, digest
from .models import SCOPE_RESOURCES, Access, ApiClient, ApiToken

RESOURCE_NAMES = frozenset(name for name, _label in SCOPE_RESOURCES)
MAX_RATE_PER_MINUTE = 10_000

# How long a rotated token keeps working, as the administrator chooses it.
GRACE_PERIODS: dict[str, datetime.timedelta] = {
    "now": datetime.timedelta(0),
    "1d": datetime.timedelta(days=1),
    "7d": datetime.timedelta(days=7),
}


def _require_admin(actor: Any) -> None:
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.has_role(Role.SYSTEM_ADMIN)
    ):
        raise PermissionDenied("exchange.clients")


def may_manage(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.has_role(Role.SYSTEM_ADMIN))


def service_role(unit: Unit) -> str:
    """The role of a unit's service user: what the unit's own people hold."""
    if unit.kind == UnitKind.COURT:
        return Role.COURT
    if is_office_unit(unit):
        return Role.OFFICE
    return Role.LIAISON


def clean_scopes(scopes: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for resource, given in (scopes or {}).items():
        if resource not in RESOURCE_NAMES:
            raise ValidationError(
                {
                    "scopes": [
                        ValidationError(
                            _("Unknown scope %(s)s.") % {"s": resource}, code="client.scope_unknown"
                        )
                    ]
                }
            )
        if given not in (Access.READ, Access.WRITE):
            raise ValidationError(
                {
                    "scopes": [
                        ValidationError(_("A scope is read or write."), code="client.scope_access")
                    ]
                }
            )
        cleaned[resource] = str(given)
    return {name: cleaned[name] for name, _label in SCOPE_RESOURCES if name in cleaned}


def _check_rate(rate_per_minute: int) -> None:
    if not 1 <= int(rate_per_minute) <= MAX_RATE_PER_MINUTE:
        raise ValidationError(
            {
                "rate_per_minute": [
                    ValidationError(
                        _("Between 1 and %(max)s requests per minute.")
                        % {"max": MAX_RATE_PER_MINUTE},
                        code="client.rate",
                    )
                ]
            }
        )


def _service_username(unit: Unit) -> str:
    """`client-<unit id>-<n>`: the unit's id is its one code every unit has."""
    n = ApiClient.objects.filter(unit=unit).count() + 1
    while User.objects.filter(username=f"client-{unit.pk}-{n}").exists():
        n += 1
    return f"client-{unit.pk}-{n}"


def make_token() -> tuple[str, str]:
    """(prefix, whole token). The prefix finds the row; only the token's SHA-256 is kept."""
    prefix = secrets.token_hex(6)
    while ApiToken.objects.filter(prefix=prefix).exists():  # pragma: no cover - 2**48 space
        prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def _issue(actor: Any, client: ApiClient) -> tuple[ApiToken, str]:
    prefix, raw = make_token()
    token = ApiToken.objects.create(
        client=client, prefix=prefix, digest=digest(raw), issued_by=actor
    )
    record(actor, "exchange.token.issue", token, after=snapshot(token))
    return token, raw


@transaction.atomic
def create_client(
    actor: Any,
    *,
    name: str,
    unit: Unit,
    scopes: dict[str, str],
    rate_per_minute: int,
    note: str = "",
) -> tuple[ApiClient, ApiToken, str]:
    """A new client of `unit` with its service user and first token; returns the token in
    clear once (it is not stored)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [ValidationError(_("Name the system."), code="required")]})
    if not unit.is_current:
        raise ValidationError(
            {"unit": [ValidationError(_("This unit no longer exists."), code="client.unit_ended")]}
        )
    scopes = clean_scopes(scopes)
    _check_rate(rate_per_minute)
    user = User(username=_service_username(unit), display_name=name[:60], is_active=True)
    user.set_unusable_password()
    user.save()
    role = service_role(unit)
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        jurisdiction=unit.jurisdiction,
        unit=unit if role in UNIT_ROLES else None,
        valid_from=timezone.localdate(),
        granted_by=actor,
        note=(_("Service user of the system client %(name)s") % {"name": name})[:200],
    )
    client = ApiClient.objects.create(
        name=name,
        unit=unit,
        service_user=user,
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        note=note,
        created_by=actor,
    )
    record(actor, "accounts.user.create", user, after=snapshot(user))
    record(actor, "accounts.role.grant", assignment, after=snapshot(assignment))
    record(actor, "exchange.client.create", client, after=snapshot(client))
    token, raw = _issue(actor, client)
    return client, token, raw


@transaction.atomic
def update_client(
    actor: Any,
    client: ApiClient,
    *,
    name: str,
    scopes: dict[str, str],
    rate_per_minute: int,
    note: str = "",
    expected_version: int | None = None,
) -> ApiClient:
    """Change a client's name, scopes, rate limit or note (its unit stays: the service
    user's role is the unit's)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [ValidationError(_("Name the system."), code="required")]})
    scopes = clean_scopes(scopes)
    _check_rate(rate_per_minute)
    before = snapshot(client)
    client.name, client.scopes, client.rate_per_minute, client.note = (
        name,
        scopes,
        rate_per_minute,
        note,
    )
    fields = ["name", "scopes", "rate_per_minute", "note"]
    if expected_version is not None:
        client.save_checked(expected_version, fields)
    else:
        client.save(update_fields=fields)
    if client.service_user.display_name != name[:60]:
        client.service_user.display_name = name[:60]
        client.service_user.save(update_fields=["display_name"])
    record(actor, "exchange.client.update", client, before=before, after=snapshot(client))
    return client


@transaction.atomic
def set_client_active(actor: Any, client: ApiClient, active: bool) -> ApiClient:
    """Deactivate (every token stops at once, the service user is disabled) or reactivate."""
    _require_admin(actor)
    before = snapshot(client)
    client.is_active = active
    client.save(update_fields=["is_active"])
    user = client.service_user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor,
        "exchange.client.activate" if active else "exchange.client.deactivate",
        client,
        before=before,
        after=snapshot(client),
    )
    return client


@transaction.atomic
def issue_token(actor: Any, client: ApiClient) -> tuple[ApiToken, str]:
    """One more token for the client (the others keep working)."""
    _require_admin(actor)
    if not client.is_active:
        raise ValidationError(_("The system client is deactivated."), code="client.inactive")
    return _issue(actor, client)


@transaction.atomic
def rotate_tokens(actor: Any, client: ApiClient, grace: str) -> tuple[ApiToken, str]:
    """A new token; the client's live tokens expire after the grace period (now, a day, a
    week) so the system can switch without a gap."""
    _require_admin(actor)
    if grace not in GRACE_PERIODS:
        raise ValidationError(
            {"grace": [ValidationError(_("Choose a grace period."), code="client.grace")]}
        )
    if not client.is_active:
        raise ValidationError(_("The system client is deactivated."), code="client.inactive")
    now = timezone.now()
    ends = now + GRACE_PERIODS[grace]
    for old in list(ApiToken.objects.filter(client=client).live(now)):
        if old.expires_at is not None and old.expires_at <= ends:
            continue
        before = snapshot(old)
        old.expires_at = ends
        old.save(update_fields=["expires_at"])
        record(actor, "exchange.token.expire", old, before=before, after=snapshot(old))
    return _issue(actor, client)


@transaction.atomic
def revoke_token(actor: Any, token: ApiToken) -> ApiToken:
    """End a token at once."""
    _require_admin(actor)
    if token.revoked_at is not None:
        return token
    before = snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "exchange.token.revoke", token, before=before, after=snapshot(token))
    return token
