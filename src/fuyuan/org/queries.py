"""Reads of the org app, all built on visible_to(user)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fuyuan.accounts.models import Person, Post, PostKind, normalize_phone
from fuyuan.accounts.permissions import scope_for

from .models import Jurisdiction, Mechanism, MembershipChange, Seat, SeatRole, Unit, UnitKind


def home_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """The mechanisms a user works in, with their current member counts: for office staff and
    leaders every mechanism they oversee (a city office sees its counties'), for a liaison
    officer or court staff the mechanism of their unit's jurisdiction."""
    scope = scope_for(user)
    today = timezone.localdate()
    rows = (
        Mechanism.objects.visible_to(user)
        .select_related("jurisdiction", "office_unit")
        .annotate(
            member_count=Count(
                "seats",
                filter=Q(seats__role=SeatRole.MEMBER)
                & (Q(seats__left_on__isnull=True) | Q(seats__left_on__gt=today)),
            )
        )
        .order_by("jurisdiction__path")
    )
    if scope.oversight_paths:
        return rows.filter(scope.oversight_q("jurisdiction_id", "jurisdiction__path"))
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
    return (
        seats.select_related("unit", "unit__successor")
        .prefetch_related(
            Prefetch("post", queryset=holder_posts),
            Prefetch("liaison_post", queryset=holder_posts),
        )
        .order_by("order", "unit__order_no", "pk")
    )


CONVENER_ROLES = (
    SeatRole.CONVENER,
    SeatRole.EXECUTIVE_DEPUTY_CONVENER,
    SeatRole.DEPUTY_CONVENER,
)


def mechanism_seats(mechanism: Mechanism) -> QuerySet[Seat]:
    """Current seats in official order with posts, holders and each unit's direct
    predecessors ("原XX"), in a fixed number of queries whatever the number of seats."""
    return seats_of(mechanism).prefetch_related(
        Prefetch(
            "unit__predecessors",
            queryset=Unit.objects.order_by("order_no", "pk"),
            to_attr="predecessor_list",
        )
    )


def liaison_post_of(unit: Unit) -> Post | None:
    """The unit's liaison officer post (the first, if a unit keeps several)."""
    return (
        Post.objects.filter(unit=unit, kind=PostKind.LIAISON)
        .select_related("holder")
        .order_by("order", "pk")
        .first()
    )


def visible_mechanisms(user: Any) -> QuerySet[Mechanism]:
    return Mechanism.objects.visible_to(user).select_related("jurisdiction", "office_unit")


def visible_changes(user: Any) -> QuerySet[MembershipChange]:
    return MembershipChange.objects.visible_to(user).select_related(
        "mechanism", "mechanism__jurisdiction", "unit", "proposed_by", "decided_by", "account"
    )


def unit_search(
    user: Any,
    q: str = "",
    jurisdiction: Jurisdiction | None = None,
    kind: str = "",
    include_former: bool = False,
) -> QuerySet[Unit]:
    """Visible units in official order, with the list page's filters."""
    units = Unit.objects.visible_to(user).select_related("jurisdiction", "successor")
    if not include_former:
        units = units.current()
    if q:
        units = units.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if jurisdiction is not None:
        units = units.filter(jurisdiction=jurisdiction)
    if kind:
        units = units.filter(kind=kind)
    return units.order_by("jurisdiction__path", "order_no", "pk")


def courts_by_jurisdiction_path(user: Any) -> dict[str, list[Unit]]:
    """Visible current courts keyed by their jurisdiction's path (one query)."""
    found: dict[str, list[Unit]] = defaultdict(list)
    courts = (
        Unit.objects.visible_to(user)
        .courts()
        .current()
        .select_related("jurisdiction")
        .order_by("order_no", "pk")
    )
    for court in courts:
        found[court.jurisdiction.path].append(court)
    return found


def counterpart_courts_of(unit: Unit, courts: dict[str, list[Unit]]) -> list[Unit]:
    """Courts of the unit's own level first, then of the levels above (DOMAIN.md §1:
    horizontal and vertical contacts). Courts themselves have none listed."""
    if unit.kind == UnitKind.COURT:
        return []
    paths = reversed(unit.jurisdiction.ancestor_paths())
    return [court for path in paths for court in courts.get(path, [])]


def directory_units(user: Any, q: str = "") -> QuerySet[Unit]:
    """Units holding a current seat in a visible mechanism, grouped by jurisdiction in official
    order, each with its liaison officers (prefetched: no query per row)."""
    seats = Seat.objects.visible_to(user).current()
    units = (
        Unit.objects.visible_to(user)
        .filter(pk__in=seats.values("unit_id"))
        .select_related("jurisdiction")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=seats.filter(liaison_post__isnull=False)
                .select_related("liaison_post", "liaison_post__holder")
                .order_by("order", "pk"),
                to_attr="liaison_seats",
            )
        )
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    if q:
        match = Q(name__icontains=q) | Q(short_name__icontains=q)
        digits = normalize_phone(q)
        if len(digits) >= 11 and scope_for(user).is_member:
            # A mobile number is found through its blind index: the column itself is
            # encrypted, so equality on the HMAC is the only search there is.
            index = Person._meta.get_field("phone_index").lookup_value(digits)  # type: ignore[union-attr]
            match |= Q(posts__holder__phone_index=index)
        units = units.filter(match).distinct()
    return units


def jurisdiction_tree(user: Any) -> list[dict[str, Any]]:
    """The visible jurisdictions as nested nodes {jurisdiction, mechanism, children}."""
    rows = list(Jurisdiction.objects.visible_to(user).select_related("mechanism").order_by("path"))
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for j in rows:
        try:
            mechanism = j.mechanism
        except Mechanism.DoesNotExist:
            mechanism = None
        node: dict[str, Any] = {"jurisdiction": j, "mechanism": mechanism, "children": []}
        nodes[j.pk] = node
        parent = nodes.get(j.parent_id) if j.parent_id else None
        (parent["children"] if parent else roots).append(node)
    for node in nodes.values():
        node["children"].sort(key=lambda n: (n["jurisdiction"].order, n["jurisdiction"].path))
    return roots
