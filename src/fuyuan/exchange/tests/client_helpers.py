"""Builders shared by the system-client and access tests: a client of a unit with its token,
an API client sending it, a grant taken through the actions, and a stand-in request for
calling `access.check` directly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.exchange import client_actions, grant_actions
from fuyuan.exchange.models import AccessGrant, ApiClient, ApiToken
from fuyuan.testing import World

GRANTS_READ = {"exchange.grants": "read"}
GRANTS_WRITE = {"exchange.grants": "write"}
DEBTORS_READ = {"enforcement.debtors": "read", "exchange.grants": "read"}


def pending_client(
    world: World,
    unit: str,
    scopes: dict[str, str] | None = None,
    rate: int = 120,
    name: str = "业务系统",
) -> ApiClient:
    """A client just created by the system administrator: no role, no token yet."""
    return client_actions.create_client(
        world.users["system_admin"],
        name=name,
        unit=world.units[unit],
        scopes=dict(GRANTS_READ if scopes is None else scopes),
        rate_per_minute=rate,
    )


def make_client(
    world: World,
    unit: str,
    scopes: dict[str, str] | None = None,
    rate: int = 120,
    name: str = "业务系统",
) -> tuple[ApiClient, ApiToken, str]:
    """A working client, the way it comes about: created by the system administrator,
    confirmed by the security administrator, its first token issued by the system
    administrator (returned in clear)."""
    client = pending_client(world, unit, scopes, rate, name)
    client = client_actions.confirm_client(world.users["security_admin"], client)
    token, raw = client_actions.issue_token(world.users["system_admin"], client)
    return client, token, raw


def bearer(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def signed_in(user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user=user)
    return api


def ask(
    world: World,
    *,
    requester: str = "hrss_liaison",
    unit: str = "hrss",
    provider: str = "court",
    dataset: str = "enforcement.debtors",
    personal: bool = False,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> AccessGrant:
    today = timezone.localdate()
    return grant_actions.request_access(
        world.users[requester],
        requesting_unit=world.units[unit],
        provider_unit=world.units[provider],
        dataset=dataset,
        purpose="核查失信被执行人，落实联合惩戒",
        legal_basis="府院联动工作规则第十条",
        valid_from=valid_from or today,
        valid_to=valid_to or today + datetime.timedelta(days=90),
        personal_requested=personal,
    )


def approved(world: World, *, personal_granted: bool = False, **kwargs: Any) -> AccessGrant:
    grant = ask(world, personal=personal_granted or kwargs.pop("personal", False), **kwargs)
    return grant_actions.approve(
        world.users["court_staff"], grant, personal_granted=personal_granted
    )


@dataclass
class FakeRequest:
    """Just what access.check and access.log_pull read of a DRF request."""

    user: Any
    auth: Any = None
    path: str = "/api/v1/test/"
    query_params: dict[str, Any] = field(default_factory=dict)
