"""Who is told: the active users holding a role for a unit (its current successor included,
so a reorganised body's messages reach the body that took it over) or for a jurisdiction.
Every business app's notifications pick their recipients here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from .models import Role, RoleAssignment, User


def active_users(q: Q) -> list[User]:
    """Active users with a role assignment valid today that matches `q`, in a stable order."""
    assignments = RoleAssignment.objects.active_on(timezone.localdate()).filter(q)
    return list(
        User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by("pk")
    )


def unit_and_successor(unit: Any) -> list[int]:
    ids = [unit.pk]
    if unit.successor_id:
        ids.append(unit.current_successor().pk)
    return ids


def unit_users(unit: Any, role: str = Role.LIAISON) -> list[User]:
    """Users acting for the unit in `role` (liaison officers by default)."""
    return active_users(Q(role=role, unit_id__in=unit_and_successor(unit)))


def court_users(court: Any) -> list[User]:
    return unit_users(court, Role.COURT)


def office_users(jurisdiction_id: int) -> list[User]:
    """Office staff assigned to the jurisdiction itself."""
    return active_users(Q(role=Role.OFFICE, jurisdiction_id=jurisdiction_id))
