"""Reads of the dual lists, all built on visible_to(user): calls, items grouped by list, the
difference between two versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from . import workflow as wf
from .models import ListCall, ListItem, ListVersion

# The fields of a version's snapshot compared item by item (in display order).
DIFF_FIELDS = {
    "list_kind": _("List"),
    "title": _("Title"),
    "lead": _("Lead unit"),
    "co_units": _("Co-units"),
    "deadline": _("Deadline"),
    "target": _("Measurable target"),
    "task_area": _("Task area"),
}


def visible_calls(user: Any) -> QuerySet[ListCall]:
    return (
        ListCall.objects.visible_to(user)
        .select_related("mechanism", "mechanism__jurisdiction")
        .annotate(item_count=Count("items"))
    )


def visible_items(user: Any) -> QuerySet[ListItem]:
    return ListItem.objects.visible_to(user).select_related(
        "call",
        "call__mechanism",
        "call__mechanism__jurisdiction",
        "list_kind",
        "proposing_unit",
        "lead_unit",
        "task_area",
        "matter",
        "merged_into",
        "carried_over_from",
    )


def items_of(user: Any, call: ListCall) -> QuerySet[ListItem]:
    return (
        visible_items(user)
        .filter(call=call)
        .prefetch_related("co_units")
        .order_by("list_kind__order", "list_kind__pk", "lead_unit__order_no", "pk")
    )


@dataclass
class KindGroup:
    kind: Any
    items: list[ListItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count_rows(self) -> list[tuple[Any, int]]:
        return count_rows(self.counts)


def count_rows(counts: dict[str, int]) -> list[tuple[Any, int]]:
    """(state, number) in the graph's order, for the states that occur."""
    return [(s, counts[s.code]) for s in wf.ITEM_WORKFLOW.states if counts.get(s.code)]


def grouped_items(user: Any, call: ListCall) -> list[KindGroup]:
    """The items the user sees, grouped by list kind (in the mechanism's order) with counts
    per state; every active list kind appears, even when empty."""
    groups: dict[int, KindGroup] = {
        k.pk: KindGroup(k) for k in call.mechanism.list_kinds.filter(active=True)
    }
    for item in items_of(user, call):
        group = groups.setdefault(item.list_kind_id, KindGroup(item.list_kind))
        group.items.append(item)
        group.counts[item.state] = group.counts.get(item.state, 0) + 1
    return sorted(groups.values(), key=lambda g: (g.kind.order, g.kind.pk))


def state_counts(user: Any, call: ListCall) -> dict[str, int]:
    rows = visible_items(user).filter(call=call).values("state").annotate(n=Count("pk"))
    return {r["state"]: r["n"] for r in rows}


def latest_version(call: ListCall, kind: str) -> ListVersion | None:
    return call.versions.filter(kind=kind).order_by("-number").first()


@dataclass
class ItemDiff:
    item_id: int
    title: str
    status: str  # "added", "removed", "changed", "same"
    # (field name, field label, value before, value after)
    changes: list[tuple[str, Any, Any, Any]] = field(default_factory=list)


def _show(value: Any) -> Any:
    return "、".join(value) if isinstance(value, list) else value


def diff_versions(old: ListVersion, new: ListVersion) -> list[ItemDiff]:
    """Per item: added in `new`, removed from `old`, or changed (field, old value, new
    value); unchanged items are listed as "same"."""
    before = {row["id"]: row for row in old.snapshot}
    after = {row["id"]: row for row in new.snapshot}
    result = []
    for item_id, row in after.items():
        if item_id not in before:
            result.append(ItemDiff(item_id, row["title"], "added"))
            continue
        changes = [
            (name, label, _show(before[item_id].get(name)), _show(row.get(name)))
            for name, label in DIFF_FIELDS.items()
            if before[item_id].get(name) != row.get(name)
        ]
        result.append(ItemDiff(item_id, row["title"], "changed" if changes else "same", changes))
    for item_id, row in before.items():
        if item_id not in after:
            result.append(ItemDiff(item_id, row["title"], "removed"))
    return result
