"""Purpose-bound access (issue [api] 5): the datasets a unit may ask another for, the check
run on every API request to a purpose-bound dataset, and the pull log.

CONTRACT (used by core.api, registered in apps.py):
- check(request, dataset) -> core.api.Access, or raises rest_framework PermissionDenied with
  code "api.no_grant".
- log_pull(request, dataset, filters, rows, access) -> None (writes an AccessLog row).
Also used by the export packages (exchange.packages):
- active_grant(unit, dataset, on=None) -> AccessGrant | None
- log_package(*, user, client=None, unit, dataset, grant, filters, rows, personal_revealed)

The rule: a person signed in to the pages is never asked for a grant (they see what the pages
show, masked); a system client of a unit that provides the dataset (a court for the court's
datasets) reads it with personal fields; any other system client needs an approved grant of
its unit for the dataset, valid today, and sees personal fields only if the grant opens them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import Scope, scope_for
from fuyuan.core.api import Access
from fuyuan.org.models import Mechanism, Unit, UnitKind

from .models import AccessGrant, AccessLog, ApiClient, Channel


@dataclass(frozen=True)
class Dataset:
    """A dataset one unit keeps and others may ask to read through the API or a package."""

    key: str
    label: str | Promise
    # Kinds of unit that provide it: each such unit provides its own rows.
    provider_kinds: frozenset[str]
    # Whether its rows carry personal fields (identity numbers, names of natural persons).
    personal: bool


COURT = frozenset({UnitKind.COURT})

DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset("enforcement.debtors", gettext_lazy("Debtor list"), COURT, personal=True),
        Dataset("litigation.cases", gettext_lazy("Administrative cases"), COURT, personal=True),
        Dataset("enforcement.cases", gettext_lazy("Government-debtor cases"), COURT, personal=True),
        Dataset("bankruptcy.cases", gettext_lazy("Bankruptcy cases"), COURT, personal=False),
    )
}


def dataset_label(key: str) -> str:
    found = DATASETS.get(key)
    return str(found.label) if found else key


def dataset_choices() -> list[tuple[str, str | Promise]]:
    return [(d.key, d.label) for d in DATASETS.values()]


def provides(unit: Unit | None, dataset: str) -> bool:
    """Does `unit` provide (keep) this dataset?"""
    found = DATASETS.get(dataset)
    return bool(unit is not None and found and unit.kind in found.provider_kinds)


def provider_units(dataset: str) -> QuerySet[Unit]:
    """Current units providing the dataset."""
    found = DATASETS.get(dataset)
    kinds = sorted(found.provider_kinds) if found else []
    return Unit.objects.filter(kind__in=kinds).current()


def provides_any(unit: Unit) -> bool:
    return any(unit.kind in d.provider_kinds for d in DATASETS.values())


# --- the units a user acts for in the exchange --------------------------------------------------
def is_office_unit(unit: Unit) -> bool:
    """The office of a joint meeting (司法局 in Zhumadian) is marked by Mechanism.office_unit."""
    return Mechanism.objects.filter(office_unit=unit).exists()


def scope_unit_ids(scope: Scope) -> frozenset[int]:
    """Units a scope acts for here: as liaison officer or court staff (with predecessors),
    and as office staff the office unit of each joint meeting they are assigned to."""
    ids = set(scope.units.get(Role.LIAISON, frozenset())) | set(
        scope.units.get(Role.COURT, frozenset())
    )
    office_jurisdictions = scope.assigned_jurisdictions.get(Role.OFFICE, frozenset())
    if office_jurisdictions:
        ids |= set(
            Mechanism.objects.filter(jurisdiction_id__in=sorted(office_jurisdictions)).values_list(
                "office_unit_id", flat=True
            )
        )
    return frozenset(ids)


def acting_unit_ids(user: Any) -> frozenset[int]:
    """scope_unit_ids for the user's scope of today, computed once per scope."""
    scope = scope_for(user)
    cached = getattr(user, "__dict__", {}).get("_exchange_units")
    if cached is not None and cached[0] is scope:
        return cached[1]  # type: ignore[no-any-return]
    ids = scope_unit_ids(scope)
    if hasattr(user, "__dict__"):
        user.__dict__["_exchange_units"] = (scope, ids)
    return ids


def acting_units(user: Any) -> QuerySet[Unit]:
    """Current units the user acts for, in official order."""
    return (
        Unit.objects.filter(pk__in=sorted(acting_unit_ids(user)))
        .current()
        .select_related("jurisdiction")
        .order_by("order_no", "pk")
    )


def requesting_units(user: Any, dataset: str = "") -> QuerySet[Unit]:
    """Units the user may ask access for: those it acts for that do not provide the dataset
    themselves (no dataset named: that provide none)."""
    found = DATASETS.get(dataset)
    kinds = found.provider_kinds if found else _all_provider_kinds()
    return acting_units(user).exclude(kind__in=sorted(kinds))


def _all_provider_kinds() -> frozenset[str]:
    return frozenset(k for d in DATASETS.values() for k in d.provider_kinds)


def providing_units(user: Any) -> QuerySet[Unit]:
    """Units the user acts for that provide some dataset (they decide incoming requests)."""
    return acting_units(user).filter(kind__in=sorted(_all_provider_kinds()))


def person_unit(user: Any) -> Unit | None:
    """The unit a person's pull is logged under: the first unit they act for."""
    return acting_units(user).first()


# --- the check -----------------------------------------------------------------------------------
def client_for(request: Any) -> ApiClient | None:
    """The system client behind the request: its token's, or — when a service user was signed
    in some other way (tests force it) — the client owning that user."""
    if hasattr(request, "_exchange_client"):
        cached: ApiClient | None = request._exchange_client
        return cached
    token = getattr(request, "auth", None)
    client = getattr(token, "client", None)
    user = getattr(request, "user", None)
    if client is None and user is not None and getattr(user, "is_authenticated", False):
        client = ApiClient.objects.select_related("unit").filter(service_user_id=user.pk).first()
    request._exchange_client = client
    return client


def active_grant(unit: Unit, dataset: str, on: datetime.date | None = None) -> AccessGrant | None:
    """The approved grant of `unit` for `dataset` valid on the day (today by default); the one
    opening personal fields first when there are several."""
    day = on or timezone.localdate()
    return (
        AccessGrant.objects.approved_on(day)
        .filter(requesting_unit=unit, dataset=dataset)
        .order_by("-personal_granted", "-valid_to", "-pk")
        .first()
    )


def no_grant(dataset: str) -> PermissionDenied:
    return PermissionDenied(
        _(
            "Your unit has no approved access grant for “%(dataset)s” valid today. "
            "Ask the provider for one on the access requests page."
        )
        % {"dataset": dataset_label(dataset)},
        code="api.no_grant",
    )


def check(request: Any, dataset: str) -> Access:
    client = client_for(request)
    if client is None:
        return Access(reveal_personal=False)
    if provides(client.unit, dataset):
        return Access(reveal_personal=True)
    grant = active_grant(client.unit, dataset) if dataset in DATASETS else None
    if grant is None:
        raise no_grant(dataset)
    request._exchange_grant_provider = grant.provider_unit_id
    return Access(reveal_personal=grant.personal_granted, grant_id=grant.pk)


def _provider_id(unit: Unit | None, dataset: str, grant_provider: int | None) -> int | None:
    if grant_provider is not None:
        return grant_provider
    if unit is not None and provides(unit, dataset):
        return unit.pk
    return None


def _storable(value: Any) -> Any:
    """The query as given, without NUL characters (PostgreSQL's JSON refuses them, and the
    log line must be written whatever a client sent)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def log_pull(
    request: Any, dataset: str, filters: dict[str, Any], rows: int, access: Access
) -> None:
    """Every pull of a purpose-bound dataset through the API, by a system or by a person."""
    client = client_for(request)
    user = request.user
    unit = client.unit if client is not None else person_unit(user)
    grant_provider = getattr(request, "_exchange_grant_provider", None)
    if access.grant_id and grant_provider is None:
        grant_provider = (
            AccessGrant.objects.filter(pk=access.grant_id)
            .values_list("provider_unit_id", flat=True)
            .first()
        )
    AccessLog.objects.create(
        dataset=dataset,
        channel=Channel.API,
        client=client,
        user=user,
        unit=unit,
        provider_unit_id=_provider_id(unit, dataset, grant_provider),
        grant_id=access.grant_id,
        filters=_storable(filters),
        row_count=rows,
        personal_revealed=access.reveal_personal,
        path=str(getattr(request, "path", ""))[:300],
    )


def log_package(
    *,
    user: Any,
    client: ApiClient | None = None,
    unit: Unit | None,
    dataset: str,
    grant: AccessGrant | None,
    filters: dict[str, Any],
    rows: int,
    personal_revealed: bool,
) -> AccessLog:
    """An export package written for `unit` to collect (channel "package")."""
    return AccessLog.objects.create(
        dataset=dataset,
        channel=Channel.PACKAGE,
        client=client,
        user=user,
        unit=unit,
        provider_unit_id=_provider_id(unit, dataset, grant.provider_unit_id if grant else None),
        grant=grant,
        filters=filters,
        row_count=rows,
        personal_revealed=personal_revealed,
    )


def may_see_log(user: Any) -> bool:
    """The pull log is for providers and for office staff."""
    scope = scope_for(user)
    return Role.OFFICE in scope.roles or providing_units(user).exists()
