"""Reads of material collection, all built on visible_to(user)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import scope_for
from fuyuan.org.models import Jurisdiction, Mechanism, Seat, SeatRole, Unit

from . import workflow as wf
from .models import Collection, CollectionTarget, Submission


def visible_collections(user: Any) -> QuerySet[Collection]:
    return (
        Collection.objects.visible_to(user)
        .select_related("mechanism", "mechanism__jurisdiction", "issued_by")
        .annotate(
            target_count=Count("targets", distinct=True),
            accepted_count=Count(
                "submissions", filter=Q(submissions__state=wf.ACCEPTED), distinct=True
            ),
        )
    )


def visible_submissions(user: Any) -> QuerySet[Submission]:
    return Submission.objects.visible_to(user).select_related(
        "collection",
        "collection__mechanism",
        "collection__mechanism__jurisdiction",
        "target",
        "target__unit",
        "target__jurisdiction",
        "author",
        "unit_leader",
    )


def creatable_mechanisms(user: Any) -> list[Mechanism]:
    """Mechanisms whose office the user works in: they issue collections there."""
    scope = scope_for(user)
    ids = scope.assigned_jurisdictions.get(Role.OFFICE, frozenset())
    return list(
        Mechanism.objects.filter(jurisdiction_id__in=sorted(ids))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path")
    )


def member_units(mechanism: Mechanism, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Current member units of the joint meeting in official order, without the office's own
    unit (it collects rather than submits) and without the conveners' governments."""
    seats = Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER).current(on)
    return (
        Unit.objects.filter(pk__in=seats.values("unit_id"))
        .current(on)
        .exclude(pk=mechanism.office_unit_id)
        .order_by("order_no", "pk")
    )


def candidate_units(mechanism: Mechanism) -> QuerySet[Unit]:
    """Units a collection may name: current units of the mechanism's own jurisdiction."""
    return (
        Unit.objects.filter(jurisdiction_id=mechanism.jurisdiction_id)
        .current()
        .exclude(pk=mechanism.office_unit_id)
        .order_by("order_no", "pk")
    )


def child_counties(mechanism: Mechanism) -> QuerySet[Jurisdiction]:
    """Jurisdictions directly below that run their own joint meeting (their office submits)."""
    return Jurisdiction.objects.filter(
        parent_id=mechanism.jurisdiction_id, mechanism__isnull=False
    ).order_by("order", "path")


def _active_users(**filters: Any) -> QuerySet[User]:
    active = RoleAssignment.objects.active_on(timezone.localdate()).filter(**filters)
    return User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("username")


def target_writers(target: CollectionTarget) -> QuerySet[User]:
    """Who writes a target's submission: the unit's liaison officers (and court staff for a
    court), or the county's office staff."""
    if target.unit_id:
        return _active_users(unit_id=target.unit_id, role__in=[Role.LIAISON, Role.COURT])
    return _active_users(jurisdiction_id=target.jurisdiction_id, role=Role.OFFICE)


def target_approvers(submission: Submission) -> list[User]:
    if submission.target.jurisdiction_id:
        return list(
            _active_users(
                jurisdiction_id=submission.target.jurisdiction_id,
                role__in=[Role.OFFICE, Role.LEADER],
            )
        )
    return [submission.unit_leader] if submission.unit_leader else []


def leader_candidates(target: CollectionTarget) -> QuerySet[User]:
    """Whom a unit may name as its leader in charge: users holding a role for the unit."""
    return _active_users(unit_id=target.unit_id)


def office_users(collection: Collection) -> QuerySet[User]:
    return _active_users(jurisdiction_id=collection.mechanism.jurisdiction_id, role=Role.OFFICE)


@dataclass
class TargetRow:
    """A line of a collection's targets table, as this user may see it."""

    target: CollectionTarget
    submission: Submission | None  # only if visible to the user
    delivered: bool  # with the office (delivered or accepted)
    overdue: bool  # not with the office and the deadline has passed
    may_write: bool

    @property
    def late(self) -> bool:
        return bool(self.submission and self.submission.is_late) or self.overdue


def target_rows(
    user: Any, collection: Collection, today: datetime.date | None = None
) -> list[TargetRow]:
    """The targets in official order, each with the submission the user may see (a county's
    draft stays hidden from the city) — three queries whatever the number of targets."""
    from fuyuan.accounts.permissions import can

    day = today or timezone.localdate()
    targets = list(collection.targets.select_related("unit", "jurisdiction"))
    targets.sort(key=lambda t: t.official_order())
    visible = {
        s.target_id: s
        for s in Submission.objects.visible_to(user)
        .filter(collection=collection)
        .select_related("target")
    }
    # "Delivered or not" is known for every target (nothing of a draft's content leaks).
    with_office = set(
        Submission.objects.filter(
            collection=collection, state__in=wf.WITH_OFFICE_STATES
        ).values_list("target_id", flat=True)
    )
    rows = []
    for target in targets:
        target.collection = collection
        submission = visible.get(target.pk)
        if submission is not None:
            submission.collection = collection
        delivered = target.pk in with_office
        rows.append(
            TargetRow(
                target=target,
                submission=submission,
                delivered=delivered,
                overdue=collection.state != wf.C_DRAFT
                and not delivered
                and day > collection.deadline,
                may_write=can(user, "write", target),
            )
        )
    return rows


def late_targets(
    collection: Collection, today: datetime.date | None = None
) -> list[CollectionTarget]:
    """Targets not yet with the office (never delivered, or returned) after the deadline."""
    day = today or timezone.localdate()
    if collection.state == wf.C_DRAFT or day <= collection.deadline:
        return []
    return outstanding_targets(collection)


def outstanding_targets(collection: Collection) -> list[CollectionTarget]:
    with_office = Submission.objects.filter(
        collection=collection, state__in=wf.WITH_OFFICE_STATES
    ).values("target_id")
    targets = list(
        collection.targets.exclude(pk__in=with_office).select_related("unit", "jurisdiction")
    )
    targets.sort(key=lambda t: t.official_order())
    return targets


def accepted_in_order(collection: Collection) -> list[Submission]:
    """Accepted submissions in the official order of their targets."""
    rows = list(
        Submission.objects.filter(collection=collection, state=wf.ACCEPTED).select_related(
            "target", "target__unit", "target__jurisdiction"
        )
    )
    rows.sort(key=lambda s: s.target.official_order())
    return rows
