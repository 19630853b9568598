"""Every write about system clients and their tokens. Permission check, one transaction,
write, audit.

A client is a service user of its unit, and the three administrators share the work
(三权分立): the system administrator creates the client and its service user (no usable
password, so it can never sign in to the pages) WITHOUT a role and without a token; the
security administrator, who alone grants roles, confirms it — granting the service user the
role matching the unit through `accounts.actions.grant_role` (court staff for a court, office
staff for the office of a joint meeting, liaison officer for any other body, so the API
scopes its reads exactly as the pages scope that unit's people) — or rejects it with a
reason. Only then does the system administrator issue tokens; the security administrator
never sees one.
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
from .models import SCOPE_RESOURCES, Access, ApiClient, ApiToken, ClientState

REF_KIND = "exchange.client"

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


def may_confirm(actor: Any) -> bool:
    """The security administrator decides on new clients (grants their service user's role)."""
    return bool(getattr(actor, "is_authenticated", False) and actor.has_role(Role.SECURITY_ADMIN))


def _require_security_admin(actor: Any) -> None:
    if not may_confirm(actor):
        raise PermissionDenied("exchange.clients.confirm")


def pending_clients() -> Any:
    """Clients awaiting the security administrator's decision, oldest first."""
    return (
        ApiClient.objects.filter(state=ClientState.PENDING)
        .select_related("unit__jurisdiction", "service_user", "created_by")
        .order_by("created_at", "pk")
    )


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


def _notify(client: ApiClient, kind: str, people: list[Any], subject: str) -> None:
    """Tell the other administrator (inbox and channels), after commit."""
    from fuyuan.notify.outbox import notify

    people = [u for u in people if u is not None and u.is_active]
    if not people:
        return
    day = timezone.localdate()
    transaction.on_commit(
        lambda: notify(
            ref_kind=REF_KIND,
            ref_id=client.pk,
            kind=kind,
            due_date=day,
            recipients=people,
            subject=subject[:200],
            url=_client_url(client, kind),
        )
    )


def _client_url(client: ApiClient, kind: str) -> str:
    from django.urls import reverse

    page = "client_review" if kind == "exchange.client.pending" else "client_detail"
    return reverse(f"exchange:{page}", args=[client.pk])


def _holders(role: str) -> list[Any]:
    today = timezone.localdate()
    return [
        a.user
        for a in RoleAssignment.objects.active_on(today).filter(role=role).select_related("user")
    ]


@transaction.atomic
def create_client(
    actor: Any,
    *,
    name: str,
    unit: Unit,
    scopes: dict[str, str],
    rate_per_minute: int,
    note: str = "",
) -> ApiClient:
    """A new client of `unit` and its service user, without a role and without a token: it
    awaits the security administrator's confirmation (`confirm_client`)."""
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
    client = ApiClient.objects.create(
        name=name,
        unit=unit,
        service_user=user,
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        note=note,
        created_by=actor,
        state=ClientState.PENDING,
    )
    record(actor, "accounts.user.create", user, after=snapshot(user))
    record(actor, "exchange.client.create", client, after=snapshot(client))
    _notify(
        client,
        "exchange.client.pending",
        _holders(Role.SECURITY_ADMIN),
        _("System client awaiting your confirmation: %(name)s (%(unit)s)")
        % {"name": client.name, "unit": unit.name},
    )
    return client


def _locked(client: ApiClient) -> ApiClient:
    """The client's row, locked for the decision (two security administrators deciding at
    once: the second finds it decided)."""
    return (
        ApiClient.objects.select_for_update()
        .select_related("unit__jurisdiction", "service_user", "created_by")
        .get(pk=client.pk)
    )


def _check_pending(client: ApiClient, expected_version: int | None) -> None:
    if expected_version is not None and client.version != expected_version:
        raise ValidationError(
            _("Someone else changed this system client meanwhile; reload the page."),
            code="stale",
        )
    if not client.is_pending:
        raise ValidationError(
            _("This system client was already decided on (%(state)s).")
            % {"state": client.get_state_display()},
            code="client.decided",
        )


@transaction.atomic
def confirm_client(
    actor: Any, client: ApiClient, *, expected_version: int | None = None
) -> ApiClient:
    """The security administrator confirms a new client: its service user gets the role of
    its unit through `accounts.actions.grant_role` (that action's own checks and audit entry),
    then the system administrator may issue its tokens."""
    from fuyuan.accounts import actions as account_actions

    _require_security_admin(actor)
    client = _locked(client)
    _check_pending(client, expected_version)
    unit = client.unit
    if not unit.is_current:
        raise ValidationError(
            _("This unit no longer exists; reject the system client instead."),
            code="client.unit_ended",
        )
    if not client.service_user.is_active:
        raise ValidationError(
            _("The service user of this system client is deactivated."),
            code="client.user_inactive",
        )
    role = service_role(unit)
    account_actions.grant_role(
        actor,
        user=client.service_user,
        role=role,
        jurisdiction=unit.jurisdiction,
        unit=unit if role in UNIT_ROLES else None,
        note=(_("Service user of the system client %(name)s") % {"name": client.name})[:200],
    )
    before = snapshot(client)
    client.state = ClientState.CONFIRMED
    client.decided_by = actor
    client.decided_at = timezone.now()
    client.decision_note = ""
    client.save_checked(client.version, ["state", "decided_by", "decided_at", "decision_note"])
    record(actor, "exchange.client.confirm", client, before=before, after=snapshot(client))
    _notify(
        client,
        "exchange.client.confirmed",
        [client.created_by],
        _("System client confirmed, tokens may be issued: %(name)s") % {"name": client.name},
    )
    return client


@transaction.atomic
def reject_client(
    actor: Any, client: ApiClient, reason: str, *, expected_version: int | None = None
) -> ApiClient:
    """The security administrator refuses a new client, with the reason: it gets no role and
    no token; the client and its service user are switched off."""
    _require_security_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [ValidationError(_("Give the reason for the rejection."), code="required")]}
        )
    client = _locked(client)
    _check_pending(client, expected_version)
    before = snapshot(client)
    client.state = ClientState.REJECTED
    client.decided_by = actor
    client.decided_at = timezone.now()
    client.decision_note = reason[:500]
    client.is_active = False
    client.save_checked(
        client.version, ["state", "decided_by", "decided_at", "decision_note", "is_active"]
    )
    user = client.service_user
    if user.is_active:
        user_before = snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(actor, "accounts.user.deactivate", user, before=user_before, after=snapshot(user))
    record(actor, "exchange.client.reject", client, before=before, after=snapshot(client))
    _notify(
        client,
        "exchange.client.rejected",
        [client.created_by],
        _("System client rejected: %(name)s") % {"name": client.name},
    )
    return client


def _check_may_have_tokens(client: ApiClient) -> None:
    """Tokens only for an active client the security administrator confirmed, whose service
    user still holds a role."""
    if client.state == ClientState.PENDING:
        raise ValidationError(
            _(
                "This system client awaits the security administrator's confirmation; "
                "no token can be issued before it is confirmed."
            ),
            code="client.unconfirmed",
        )
    if client.state == ClientState.REJECTED:
        raise ValidationError(
            _("The security administrator rejected this system client; it gets no token."),
            code="client.rejected",
        )
    if not client.is_active:
        raise ValidationError(_("The system client is deactivated."), code="client.inactive")
    client.service_user.forget_roles()
    if not client.service_user.active_assignments():
        raise ValidationError(
            _(
                "The service user of this system client holds no role any more; "
                "ask the security administrator."
            ),
            code="client.no_role",
        )


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
    """Change a client's name, scopes, rate limit or note. Its unit never changes: the
    service user's role is the unit's and was granted by the security administrator; a
    system of another unit is a new client, confirmed anew."""
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
    """Deactivate (every token stops at once, the service user is disabled) or reactivate
    (not a rejected client: its rejection stands)."""
    _require_admin(actor)
    if active and client.state == ClientState.REJECTED:
        raise ValidationError(
            _("The security administrator rejected this system client; it cannot be reactivated."),
            code="client.rejected",
        )
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
    """One more token for the client (the others keep working); the first one once the
    security administrator confirmed the client."""
    _require_admin(actor)
    _check_may_have_tokens(client)
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
    _check_may_have_tokens(client)
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
