"""Reads of the meetings app, all built on visible_to(user)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.org.models import Mechanism, Unit

from .models import Decision, Meeting, Minutes


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related(
        "mechanism", "mechanism__jurisdiction", "chair_post"
    )


def visible_minutes(user: Any) -> QuerySet[Minutes]:
    return Minutes.objects.visible_to(user).select_related(
        "meeting", "mechanism", "mechanism__jurisdiction"
    )


def visible_decisions(user: Any) -> QuerySet[Decision]:
    return Decision.objects.visible_to(user).select_related(
        "minutes", "minutes__meeting", "lead_unit", "matter"
    )


def office_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """Mechanisms whose office the user is: they call the meetings."""
    scope = scope_for(user)
    ids = sorted(scope.assigned_jurisdictions.get(Role.OFFICE, frozenset()))
    return Mechanism.objects.filter(jurisdiction_id__in=ids).select_related("jurisdiction")


def overseen_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """Mechanisms whose meetings the user sees all of (office and leaders, and below)."""
    scope = scope_for(user)
    return Mechanism.objects.filter(
        scope.oversight_q("jurisdiction_id", "jurisdiction__path")
    ).select_related("jurisdiction")


def feed_units(user: Any) -> QuerySet[Unit]:
    """Units whose feed the user may read: those they act for."""
    return Unit.objects.filter(pk__in=sorted(scope_for(user).unit_ids)).order_by("order_no")


def invitable_units(mechanism: Mechanism) -> QuerySet[Unit]:
    """Current units of the mechanism's jurisdiction, in official order."""
    return (
        Unit.objects.current()
        .filter(jurisdiction=mechanism.jurisdiction)
        .order_by("order_no", "pk")
    )
