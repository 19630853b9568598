"""The one permission layer: `scope_for(user)` feeds every `visible_to(user)` read, and
`can(user, action, obj)` answers every write (asking the object's workflow graph if it has one).

Scoping rules (DOMAIN.md §1, ARCHITECTURE rule 5):
- office staff and leaders oversee their jurisdiction and everything below it: a city office
  sees its counties, a county office only its own;
- liaison officers and court staff act for their unit, and for every unit it succeeded;
- everyone sees the reference data (units, mechanism, directory) of the jurisdictions they
  work in and of those above them (counterparts at the same level and above);
- the system and security administrators see reference data everywhere; the audit
  administrator sees the audit trail only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from .models import ADMIN_ROLES, JURISDICTION_ROLES, UNIT_ROLES, Role


def _nothing(id_field: str) -> Q:
    return Q(**{f"{id_field}__in": []})


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    roles: frozenset[str] = frozenset()
    # role -> jurisdiction paths overseen (with descendants)
    oversight: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # role -> jurisdiction ids assigned exactly (for "the convener's side of this mechanism")
    assigned_jurisdictions: dict[str, frozenset[int]] = field(default_factory=dict)
    # role -> unit ids acted for, including predecessors
    units: dict[str, frozenset[int]] = field(default_factory=dict)
    # jurisdictions whose reference data is visible besides the overseen subtrees
    reference_ids: frozenset[int] = frozenset()
    reference_paths: tuple[str, ...] = ()
    all_reference: bool = False

    # --- helpers used by visible_to() ------------------------------------------------------
    @property
    def oversight_paths(self) -> tuple[str, ...]:
        return tuple(p for paths in self.oversight.values() for p in paths)

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(u for ids in self.units.values() for u in ids)

    @property
    def is_member(self) -> bool:
        """Holds a working role in a mechanism (not only an administrator)."""
        return bool(self.roles - ADMIN_ROLES)

    def oversight_q(self, id_field: str, path_field: str) -> Q:
        q = _nothing(id_field)
        for path in self.oversight_paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def unit_q(self, field_name: str) -> Q:
        ids = self.unit_ids
        return Q(**{f"{field_name}__in": sorted(ids)}) if ids else _nothing(field_name)

    def jurisdiction_q(self, id_field: str, path_field: str) -> Q:
        """Reference data of a jurisdiction: overseen subtrees, own and ancestor levels."""
        if self.all_reference:
            return ~_nothing(id_field)
        q = _nothing(id_field)
        for path in self.reference_paths:
            q |= Q(**{f"{path_field}__startswith": path})
        if self.reference_ids:
            q |= Q(**{f"{id_field}__in": sorted(self.reference_ids)})
        return q

    # --- helpers used by permits()/relations() --------------------------------------------
    def oversees(self, path: str, *roles: str) -> bool:
        wanted = roles or tuple(self.oversight)
        return any(path.startswith(p) for r in wanted for p in self.oversight.get(r, ()))

    def acts_for(self, unit_id: int | None, *roles: str) -> bool:
        if unit_id is None:
            return False
        wanted = roles or tuple(self.units)
        return any(unit_id in self.units.get(r, frozenset()) for r in wanted)

    def assigned_to(self, jurisdiction_id: int, role: str) -> bool:
        return jurisdiction_id in self.assigned_jurisdictions.get(role, frozenset())

    def sees_reference(self, jurisdiction: Any) -> bool:
        if self.all_reference:
            return True
        return jurisdiction.pk in self.reference_ids or any(
            jurisdiction.path.startswith(p) for p in self.reference_paths
        )


ANONYMOUS = Scope(user_id=None)


def _predecessor_closure(unit_ids: set[int]) -> set[int]:
    unit_model = apps.get_model("org", "Unit")
    found = set(unit_ids)
    frontier = set(unit_ids)
    while frontier:
        frontier = set(
            unit_model.objects.filter(successor_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= frontier
    return found


def build_scope(user: Any, on: datetime.date | None = None) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    jurisdiction_model = apps.get_model("org", "Jurisdiction")
    assignments = user.active_assignments(on)
    roles = frozenset(a.role for a in assignments)
    oversight: dict[str, set[str]] = {}
    assigned: dict[str, set[int]] = {}
    units: dict[str, set[int]] = {}
    reference_paths: set[str] = set()
    anchor_paths: set[str] = set()
    for a in assignments:
        if a.role in JURISDICTION_ROLES and a.jurisdiction_id:
            oversight.setdefault(a.role, set()).add(a.jurisdiction.path)
            assigned.setdefault(a.role, set()).add(a.jurisdiction_id)
            reference_paths.add(a.jurisdiction.path)
            anchor_paths.add(a.jurisdiction.path)
        elif a.role in UNIT_ROLES and a.unit_id:
            units.setdefault(a.role, set()).add(a.unit_id)
    unit_model = apps.get_model("org", "Unit")
    all_units = {u for ids in units.values() for u in ids}
    if all_units:
        for path in unit_model.objects.filter(pk__in=all_units).values_list(
            "jurisdiction__path", flat=True
        ):
            anchor_paths.add(path)
    # Court staff also see the reference data below their court (an intermediate court
    # works with the basic courts and bodies of its counties).
    if Role.COURT in units:
        for path in unit_model.objects.filter(pk__in=units[Role.COURT]).values_list(
            "jurisdiction__path", flat=True
        ):
            reference_paths.add(path)
    ancestor_paths = {p for path in anchor_paths for p in _ancestors(path)}
    reference_ids = set(
        jurisdiction_model.objects.filter(path__in=ancestor_paths).values_list("pk", flat=True)
    )
    return Scope(
        user_id=user.pk,
        roles=roles,
        oversight={r: tuple(sorted(p)) for r, p in oversight.items()},
        assigned_jurisdictions={r: frozenset(ids) for r, ids in assigned.items()},
        units={r: frozenset(_predecessor_closure(ids)) for r, ids in units.items()},
        reference_ids=frozenset(reference_ids),
        reference_paths=tuple(sorted(reference_paths)),
        all_reference=bool(roles & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    )


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def scope_for(user: Any) -> Scope:
    """The user's scope for today, computed once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    today = timezone.localdate()
    cached = user.__dict__.get("_scope_cache")
    if cached is not None and cached[0] == today:
        return cached[1]  # type: ignore[no-any-return]
    scope = build_scope(user, today)
    user.__dict__["_scope_cache"] = (today, scope)
    return scope


def relations_to(user: Any, obj: Any) -> set[str]:
    """The roles a user holds towards an object, as its workflow graph names them."""
    relations = getattr(obj, "relations", None)
    if relations is None:
        return set()
    result: set[str] = relations(scope_for(user))
    return result


def can(user: Any, action: str, obj: Any) -> bool:
    """May `user` do `action` to `obj` now? Workflow transitions ask the graph; other actions
    ask the object's `permits(scope, action)`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    workflow = getattr(obj, "workflow", None)
    if workflow is not None and any(t.name == action for t in workflow.transitions):
        steps = obj.enabled_steps() if hasattr(obj, "enabled_steps") else ()
        available = workflow.available(obj.state, relations_to(user, obj), steps)
        return any(t.name == action for t in available)
    permits = getattr(obj, "permits", None)
    if permits is None:
        return False
    return bool(permits(scope_for(user), action))


def require(user: Any, action: str, obj: Any) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)
