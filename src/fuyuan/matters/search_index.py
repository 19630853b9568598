"""Matters in the search index: what is indexed, who may find it, how a hit is shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import Matter, MatterCoUnit

KIND = "matters.matter"


def _text(matter: Matter) -> str:
    tags = " ".join(str(t) for t in (matter.tags or []))
    return " ".join([matter.title, matter.description, matter.lead_unit.name, tags])


def row(matter: Matter, co_unit_ids: list[int] | None = None) -> search.IndexRow:
    """The matter's index row: title, description, lead unit and tags."""
    if co_unit_ids is None:
        co_unit_ids = list(matter.co_units.values_list("unit_id", flat=True))
    return search.IndexRow(
        matter.pk, matter.jurisdiction.path, [matter.lead_unit_id, *co_unit_ids], _text(matter)
    )


def rows() -> Iterator[search.IndexRow]:
    co: dict[int, list[int]] = {}
    for matter_id, unit_id in MatterCoUnit.objects.values_list("matter_id", "unit_id"):
        co.setdefault(matter_id, []).append(unit_id)
    matters = Matter.objects.select_related("jurisdiction", "lead_unit").order_by("pk")
    for matter in matters.iterator(chunk_size=1000):
        yield row(matter, co.get(matter.pk, []))


def visible_ids(user: Any) -> QuerySet[Any, Any]:
    return Matter.objects.visible_to(user).values("pk")


def describe(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = Matter.objects.visible_to(user).filter(pk__in=ids).select_related("lead_unit")
    return {
        m.pk: search.Found(
            m.title,
            reverse("matters:matter_detail", args=[m.pk]),
            " ".join([m.description, m.lead_unit.name]),
        )
        for m in found
    }


def register() -> None:
    search.register(search.SearchKind(KIND, _("Matters"), visible_ids, describe, rows, order=10))
