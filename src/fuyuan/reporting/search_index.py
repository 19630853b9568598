"""Collections in the search index: what is indexed, who may find it, how a hit is shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import Collection, CollectionTarget

KIND = "reporting.collection"


def row(collection: Collection, unit_ids: list[int] | None = None) -> search.IndexRow:
    """The collection's index row: title and instructions; units are its target units."""
    if unit_ids is None:
        unit_ids = [
            u for u in collection.targets.values_list("unit_id", flat=True) if u is not None
        ]
    text = " ".join([collection.title, collection.instructions])
    return search.IndexRow(collection.pk, collection.mechanism.jurisdiction.path, unit_ids, text)


def reindex(collection: Collection) -> None:
    search.index_row(KIND, row(collection))


def rows() -> Iterator[search.IndexRow]:
    units: dict[int, list[int]] = {}
    for collection_id, unit_id in CollectionTarget.objects.filter(unit__isnull=False).values_list(
        "collection_id", "unit_id"
    ):
        units.setdefault(collection_id, []).append(unit_id)
    found = Collection.objects.select_related("mechanism__jurisdiction").order_by("pk")
    for collection in found.iterator(chunk_size=1000):
        yield row(collection, units.get(collection.pk, []))


def visible_ids(user: Any) -> QuerySet[Any, Any]:
    return Collection.objects.visible_to(user).values("pk")


def describe(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = Collection.objects.visible_to(user).filter(pk__in=ids)
    return {
        c.pk: search.Found(
            c.title,
            reverse("reporting:collection_detail", args=[c.pk]),
            " ".join([c.get_kind_display(), c.instructions]),
        )
        for c in found
    }


def register() -> None:
    search.register(
        search.SearchKind(KIND, _("Collections"), visible_ids, describe, rows, order=40)
    )
