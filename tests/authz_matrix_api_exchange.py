"""Authorization-matrix rows of the exchange's system clients, access grants and pull log:
the pages (/exchange/clients/, /exchange/grants/) and the API (/api/v1/exchange/grants/,
/api/v1/exchange/access-log/).

The objects: a system client of 人社局 (hrss); a pending request of hrss for the court's
debtor list; an approved grant of hrss for the court's bankruptcy cases; one pull logged
under it. hrss's liaison asks, the intermediate court's staff decide, the city office sees
both sides; county a's office, the city leader and the administrators see none of it."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import Case, expect, only

# --- objects of the matrix world (built once per world, found again afterwards) --------------


def matrix_client(w: Any) -> Any:
    from fuyuan.exchange import client_actions
    from fuyuan.exchange.models import ApiClient

    found = ApiClient.objects.filter(unit=w.units["hrss"], name="矩阵系统").first()
    if found is not None:
        return found
    # Created by the system administrator, confirmed by the security administrator, its
    # first token issued by the system administrator.
    client = client_actions.create_client(
        w.users["system_admin"],
        name="矩阵系统",
        unit=w.units["hrss"],
        scopes={"exchange.grants": "read"},
        rate_per_minute=1000,
    )
    client = client_actions.confirm_client(w.users["security_admin"], client)
    client_actions.issue_token(w.users["system_admin"], client)
    return client


def pending_client(w: Any) -> Any:
    """A client awaiting the security administrator's confirmation (or decided by an
    earlier row: the routes answer the same)."""
    from fuyuan.exchange import client_actions
    from fuyuan.exchange.models import ApiClient

    found = ApiClient.objects.filter(unit=w.units["hrss"], name="矩阵待确认系统").first()
    if found is not None:
        return found
    return client_actions.create_client(
        w.users["system_admin"],
        name="矩阵待确认系统",
        unit=w.units["hrss"],
        scopes={"exchange.grants": "read"},
        rate_per_minute=100,
    )


def _grant(w: Any, dataset: str, approve: bool) -> Any:
    from django.utils import timezone

    from fuyuan.exchange import grant_actions
    from fuyuan.exchange.models import AccessGrant, GrantState

    state = GrantState.APPROVED if approve else GrantState.REQUESTED
    found = AccessGrant.objects.filter(
        requesting_unit=w.units["hrss"], dataset=dataset, state=state
    ).first()
    if found is not None:
        return found
    today = timezone.localdate()
    grant = grant_actions.request_access(
        w.users["hrss_liaison"],
        requesting_unit=w.units["hrss"],
        provider_unit=w.units["court"],
        dataset=dataset,
        purpose="矩阵",
        valid_from=today,
        valid_to=today + datetime.timedelta(days=30),
    )
    if approve:
        grant_actions.approve(w.users["court_staff"], grant)
    return grant


def pending_grant(w: Any) -> Any:
    return _grant(w, "enforcement.debtors", approve=False)


def approved_grant(w: Any) -> Any:
    return _grant(w, "bankruptcy.cases", approve=True)


def pull(w: Any) -> Any:
    from fuyuan.exchange import access
    from fuyuan.exchange.models import AccessLog

    grant = approved_grant(w)
    found = AccessLog.objects.filter(grant=grant).first()
    if found is not None:
        return found
    client = matrix_client(w)
    return access.log_package(
        user=client.service_user,
        client=client,
        unit=w.units["hrss"],
        dataset=grant.dataset,
        grant=grant,
        filters={"stage": "accepted"},
        rows=3,
        personal_revealed=False,
    )


def _client_pk(w: Any) -> dict[str, Any]:
    return {"pk": matrix_client(w).pk}


def _pending_pk(w: Any) -> dict[str, Any]:
    return {"pk": pending_client(w).pk}


def _token_kwargs(w: Any) -> dict[str, Any]:
    client = matrix_client(w)
    return {"pk": client.pk, "token": client.tokens.order_by("pk").first().pk}


def _grant_request_data(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "dataset": "litigation.cases",
        "provider_unit": w.units["court"].pk,
        "purpose": "矩阵",
        "valid_from": today.isoformat(),
        "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
    }


def _transition(builder: Any, name: str) -> Any:
    return lambda w: {"pk": builder(w).pk, "transition": name}


SYSTEM_ADMIN = only(["system_admin"])
# The decision on a new client: the security administrator's alone (三权分立).
SECURITY_ADMIN = only(["security_admin"])
# Units acting for themselves: the office (for its 司法局), liaison officers, court staff.
ACTING = only(["city_office", "a_office", "hrss_liaison", "court_staff"])
REQUESTERS = only(["city_office", "a_office", "hrss_liaison"])
PROVIDERS = only(["court_staff"])
LOG_READERS = only(["city_office", "a_office", "court_staff"])
# The hrss → court grant: both sides and the city office see it, nobody else.
GRANT_SEEN = expect(404) | {
    "anonymous": 302,
    "hrss_liaison": 200,
    "court_staff": 200,
    "city_office": 200,
}
PROVIDER_POST = GRANT_SEEN | {"court_staff": 302, "hrss_liaison": 403, "city_office": 403}
REQUESTER_POST = GRANT_SEEN | {"hrss_liaison": 302, "court_staff": 403, "city_office": 403}

PAGE_CASES: list[Case] = [
    # --- system clients: the system administrator's ---------------------------------------
    Case("exchange:client_list", SYSTEM_ADMIN),
    Case("exchange:client_create", SYSTEM_ADMIN),
    Case("exchange:client_detail", SYSTEM_ADMIN, kwargs=_client_pk),
    Case("exchange:client_edit", SYSTEM_ADMIN, kwargs=_client_pk),
    Case("exchange:client_toggle", expect(405), variant="GET", kwargs=_client_pk),
    Case(
        "exchange:client_toggle",
        only(["system_admin"], ok=302),
        method="post",
        kwargs=_client_pk,
    ),
    Case("exchange:token_issue", SYSTEM_ADMIN, method="post", kwargs=_client_pk),
    Case(
        "exchange:token_rotate",
        SYSTEM_ADMIN,
        method="post",
        kwargs=_client_pk,
        data=lambda w: {"grace": "7d"},
    ),
    Case(
        "exchange:token_revoke",
        only(["system_admin"], ok=302),
        method="post",
        kwargs=_token_kwargs,
    ),
    Case(
        "exchange:token_issue",
        only(["system_admin"], ok=302),
        variant="client awaiting confirmation",
        method="post",
        kwargs=_pending_pk,
    ),
    # --- confirmation of a new client: the security administrator's ---------------------------
    Case("exchange:client_review", SECURITY_ADMIN, kwargs=_pending_pk),
    Case("exchange:client_confirm", expect(405), variant="GET", kwargs=_pending_pk),
    Case(
        "exchange:client_confirm",
        only(["security_admin"], ok=302),
        method="post",
        kwargs=_pending_pk,
    ),
    Case("exchange:client_reject", expect(405), variant="GET", kwargs=_pending_pk),
    Case(
        "exchange:client_reject",
        only(["security_admin"], ok=302),
        method="post",
        kwargs=_pending_pk,
        data=lambda w: {"reason": "矩阵"},
    ),
    # --- access grants ------------------------------------------------------------------------
    Case("exchange:grant_list", ACTING),
    Case("exchange:grant_incoming", PROVIDERS),
    Case("exchange:grant_create", REQUESTERS),
    Case("exchange:access_log", LOG_READERS),
    Case("exchange:grant_detail", GRANT_SEEN, kwargs=lambda w: {"pk": pending_grant(w).pk}),
    Case(
        "exchange:grant_transition",
        expect(405),
        variant="GET",
        kwargs=_transition(pending_grant, "approve"),
    ),
    Case(
        "exchange:grant_transition",
        PROVIDER_POST,
        variant="provider approves",
        method="post",
        kwargs=_transition(pending_grant, "approve"),
    ),
    Case(
        "exchange:grant_transition",
        REQUESTER_POST,
        variant="requester withdraws",
        method="post",
        kwargs=_transition(pending_grant, "withdraw"),
    ),
    Case(
        "exchange:grant_transition",
        PROVIDER_POST,
        variant="provider revokes",
        method="post",
        kwargs=_transition(approved_grant, "revoke"),
        data=lambda w: {"reason": "矩阵"},
    ),
]

# --- API ---------------------------------------------------------------------------------------
API_SEEN = {**GRANT_SEEN, "anonymous": 401}
API_PROVIDER_POST = API_SEEN | {"hrss_liaison": 403, "city_office": 403}
API_REQUESTER_POST = API_SEEN | {"court_staff": 403, "city_office": 403}
API_LOG_SEEN = expect(404, anonymous=401) | {"court_staff": 200, "city_office": 200}

API_CASES: list[Case] = [
    Case("api:exchange-grant-list", expect(200, anonymous=401)),
    Case(
        "api:exchange-grant-list",
        expect(403, anonymous=401) | {"hrss_liaison": 201, "city_office": 201, "a_office": 201},
        variant="ask for access",
        method="post",
        data=_grant_request_data,
    ),
    Case("api:exchange-grant-detail", API_SEEN, kwargs=lambda w: {"pk": pending_grant(w).pk}),
    Case(
        "api:exchange-grant-approve",
        API_PROVIDER_POST,
        method="post",
        kwargs=lambda w: {"pk": pending_grant(w).pk},
    ),
    Case(
        "api:exchange-grant-refuse",
        API_PROVIDER_POST,
        method="post",
        kwargs=lambda w: {"pk": pending_grant(w).pk},
        data=lambda w: {"reason": "矩阵"},
    ),
    Case(
        "api:exchange-grant-refuse",
        API_PROVIDER_POST | {"court_staff": 400},
        variant="without a reason",
        method="post",
        kwargs=lambda w: {"pk": pending_grant(w).pk},
    ),
    Case(
        "api:exchange-grant-withdraw",
        API_REQUESTER_POST,
        method="post",
        kwargs=lambda w: {"pk": pending_grant(w).pk},
    ),
    Case(
        "api:exchange-grant-revoke",
        API_PROVIDER_POST,
        method="post",
        kwargs=lambda w: {"pk": approved_grant(w).pk},
        data=lambda w: {"reason": "矩阵"},
    ),
    Case(
        "api:exchange-grant-revoke",
        API_PROVIDER_POST | {"court_staff": 409},
        variant="a grant not yet approved",
        method="post",
        kwargs=lambda w: {"pk": pending_grant(w).pk},
        data=lambda w: {"reason": "矩阵"},
    ),
    Case("api:exchange-access-log-list", expect(200, anonymous=401)),
    Case("api:exchange-access-log-detail", API_LOG_SEEN, kwargs=lambda w: {"pk": pull(w).pk}),
]

API_EXCHANGE_CASES: list[Case] = [*PAGE_CASES, *API_CASES]
