"""Official documents in the search index: what is indexed, who may find it, how a hit is
shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import OfficialDocument

KIND = "documents.document"


def row(document: OfficialDocument) -> search.IndexRow:
    """The document's index row: title, number or issue label, recipients and body."""
    number = document.number.number if document.number_id and document.number else ""
    text = " ".join(
        [document.title, number, document.issue_label, document.recipients, document.body]
    )
    return search.IndexRow(
        document.pk, document.mechanism.jurisdiction.path, [document.mechanism.office_unit_id], text
    )


def reindex(document: OfficialDocument) -> None:
    search.index_row(KIND, row(document))


def rows() -> Iterator[search.IndexRow]:
    found = OfficialDocument.objects.select_related("mechanism__jurisdiction", "number").order_by(
        "pk"
    )
    for document in found.iterator(chunk_size=1000):
        yield row(document)


def visible_ids(user: Any) -> QuerySet[Any, Any]:
    return OfficialDocument.objects.visible_to(user).values("pk")


def describe(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = OfficialDocument.objects.visible_to(user).filter(pk__in=ids).select_related("number")
    return {
        d.pk: search.Found(
            d.title,
            reverse("documents:document_detail", args=[d.pk]),
            " ".join([d.number.number if d.number else d.issue_label, d.recipients, d.body]),
        )
        for d in found
    }


def register() -> None:
    search.register(
        search.SearchKind(KIND, _("Official documents"), visible_ids, describe, rows, order=70)
    )
