"""Test helpers of the exchange app: a system client with a token, made directly (the pages'
actions are tested on their own), for tests of any app's API."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.utils import timezone

from fuyuan.accounts.models import RoleAssignment, User
from fuyuan.org.models import Unit

from .models import ApiClient, ApiToken, ClientState

ALL_RESOURCES = (
    "matters",
    "org",
    "meetings",
    "duallists",
    "liaison",
    "litigation.cases",
    "litigation.recommendations",
    "enforcement.debtors",
    "enforcement.checks",
    "enforcement.cases",
    "bankruptcy",
    "risks",
    "imports",
    "exchange.grants",
)


def client_token(
    *,
    unit: Unit | None = None,
    unit_name: str = "",
    role: str = "",
    scopes: dict[str, str] | str = "all",
    rate_per_minute: int = 10_000,
) -> str:
    """A new system client of `unit` (or the unit called `unit_name`) whose service user holds
    `role` for the unit (default: court for a court, office for a 司法局, else liaison), with
    `scopes` ("all" = every resource read+write), already confirmed (as if by the security
    administrator), and its token, returned in clear."""
    unit = unit or Unit.objects.get(name=unit_name)
    if not role:
        role = (
            "court"
            if "法院" in unit.name
            else "office"
            if unit.name.endswith("司法局")
            else "liaison"
        )
    if scopes == "all":
        scopes = {resource: "write" for resource in ALL_RESOURCES}
    tag = secrets.token_hex(4)
    user = User(username=f"client-test-{tag}", display_name=f"{unit.name} system {tag}")
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(
        user=user,
        role=role,
        jurisdiction=unit.jurisdiction,
        unit=unit,
        valid_from=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = ApiClient.objects.create(
        name=f"{unit.name} system {tag}",
        unit=unit,
        service_user=user,
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        created_by=user,
        state=ClientState.CONFIRMED,
    )
    return token_for(client, issued_by=user)


def token_for(client: ApiClient, *, issued_by: Any = None, **fields: Any) -> str:
    prefix = secrets.token_hex(4)
    raw = f"fy_{prefix}_{secrets.token_urlsafe(24)}"
    ApiToken.objects.create(
        client=client,
        prefix=prefix,
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        issued_by=issued_by or client.service_user,
        **fields,
    )
    return raw
