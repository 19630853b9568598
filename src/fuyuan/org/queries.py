"""Reads of the org app, all built on visible_to(user)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from fuyuan.accounts.models import Post
from fuyuan.accounts.permissions import scope_for

from .models import Mechanism, MembershipChange, Seat, SeatRole, Unit


def home_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """The mechanisms a user works in: those of the jurisdictions assigned, else visible ones."""
    scope = scope_for(user)
    assigned = {j for ids in scope.assigned_jurisdictions.values() for j in ids}
    rows = Mechanism.objects.visible_to(user).select_related("jurisdiction", "office_unit")
    if assigned:
        return rows.filter(jurisdiction_id__in=assigned)
    unit_jurisdictions = Unit.objects.filter(pk__in=scope.unit_ids).values("jurisdiction_id")
    return rows.filter(jurisdiction_id__in=unit_jurisdictions)


def units_acted_for(user: Any) -> QuerySet[Unit]:
    scope = scope_for(user)
    return Unit.objects.filter(pk__in=scope.unit_ids).current().select_related("jurisdiction")


def pending_membership_changes(user: Any) -> QuerySet[MembershipChange]:
    return (
        MembershipChange.objects.visible_to(user)
        .filter(state="proposed")
        .select_related("mechanism", "unit")
    )


def seats_of(mechanism: Mechanism, current_only: bool = True) -> QuerySet[Seat]:
    """Seats in official order: conveners first, then members by the units' order numbers."""
    seats = Seat.objects.filter(mechanism=mechanism)
    if current_only:
        seats = seats.current()
    holder_posts = Post.objects.select_related("holder")
    return seats.select_related("unit", "unit__successor").prefetch_related(
        Prefetch("post", queryset=holder_posts),
        Prefetch("liaison_post", queryset=holder_posts),
    ).order_by("order", "unit__order_no", "pk")


CONVENER_ROLES = (
    SeatRole.CONVENER,
    SeatRole.EXECUTIVE_DEPUTY_CONVENER,
    SeatRole.DEPUTY_CONVENER,
)
