"""Who needs a second factor and which providers they may use.

- Required: anyone holding (on the day, delegations included) a leader's, an office's or one of
  the three administrators' roles. Everyone else (liaison officers, court staff, accounts
  without a role) may enrol from their profile; once they have, they verify at every sign-in.
- Allowed providers: the union of the `second_factors` settings of the user's mechanisms. A
  role held for a jurisdiction belongs to that jurisdiction's mechanism, a role held for a
  unit to the mechanism of the unit's jurisdiction; a jurisdiction without its own mechanism
  works with the nearest one above it. Administrators (and accounts without a role) belong to
  the city-level mechanism(s); a deployment without one uses the top-most mechanism, and one
  without any mechanism the defaults of the settings schema.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from fuyuan.accounts.models import ADMIN_ROLES, Role

from . import SESSION_KEY

REQUIRED_ROLES = frozenset({Role.LEADER, Role.OFFICE}) | ADMIN_ROLES

# Outcomes of status(): the session may go on, must verify, or must enrol first.
OK = "ok"
VERIFY = "verify"
ENROL = "enrol"


def enforced() -> bool:
    return bool(getattr(settings, "FUYUAN_SECOND_FACTOR_ENFORCED", True))


def is_required(user: Any) -> bool:
    return bool(user.roles() & REQUIRED_ROLES)


def mechanisms_of(user: Any) -> list[Any]:
    """The mechanisms whose settings govern this user's sign-in (see the module docstring)."""
    from fuyuan.org.models import Jurisdiction, JurisdictionLevel, Mechanism

    cache: dict[str, list[Any]] = user.__dict__.setdefault("_twofactor_cache", {})
    if "mechanisms" in cache:
        return cache["mechanisms"]
    jurisdiction_ids: set[int] = set()
    for assignment in user.active_assignments():
        if assignment.role in ADMIN_ROLES:
            continue
        if assignment.jurisdiction_id:
            jurisdiction_ids.add(assignment.jurisdiction_id)
        elif assignment.unit_id:
            jurisdiction_ids.add(assignment.unit.jurisdiction_id)
    found: list[Any] = []
    if jurisdiction_ids:
        jurisdictions = list(Jurisdiction.objects.filter(pk__in=jurisdiction_ids))
        paths = {p for j in jurisdictions for p in j.ancestor_paths()}
        by_path = {
            m.jurisdiction.path: m
            for m in Mechanism.objects.filter(jurisdiction__path__in=paths).select_related(
                "jurisdiction"
            )
        }
        for j in jurisdictions:
            for path in reversed(j.ancestor_paths()):
                if path in by_path:
                    if by_path[path] not in found:
                        found.append(by_path[path])
                    break
    if not found:
        found = list(
            Mechanism.objects.filter(jurisdiction__level=JurisdictionLevel.CITY).select_related(
                "jurisdiction"
            )
        )
    if not found:
        top = Mechanism.objects.select_related("jurisdiction").order_by("jurisdiction__path")
        first = top.first()
        if first is not None:
            depth = first.jurisdiction.depth
            found = [m for m in top if m.jurisdiction.depth == depth]
    cache["mechanisms"] = found
    return found


def allowed_mechanisms(user: Any) -> set[str]:
    """The union of the `second_factors` settings of the user's mechanisms."""
    from fuyuan.org.settings_schema import MechanismSettings

    mechanisms = mechanisms_of(user)
    if not mechanisms:
        return set(MechanismSettings().second_factors)
    allowed: set[str] = set()
    for mechanism in mechanisms:
        allowed |= set(mechanism.config.second_factors)
    return allowed


def verified_by(request: HttpRequest) -> str:
    return str(request.session.get(SESSION_KEY) or "")


def status(request: HttpRequest) -> str:
    """OK, VERIFY or ENROL for the signed-in user of this request."""
    user: Any = request.user
    if not enforced() or not user.is_authenticated or verified_by(request):
        return OK
    from .providers import primary_devices

    if primary_devices(user):
        return VERIFY
    if is_required(user):
        return ENROL
    return OK


def mark_verified(request: HttpRequest, provider: str) -> None:
    """The session passed its second factor: a new session key (no fixation) and the flag."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = provider
