"""Liaison letters in the search index: what is indexed, who may find it, how a hit is shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import LiaisonLetter

KIND = "liaison.letter"


def row(letter: LiaisonLetter) -> search.IndexRow:
    """The letter's index row: subject, content, both units and the office's outcome."""
    text = " ".join(
        [
            letter.subject,
            letter.body,
            letter.sender_unit.name,
            letter.recipient_unit.name,
            letter.outcome,
        ]
    )
    return search.IndexRow(
        letter.pk,
        letter.mechanism.jurisdiction.path,
        [letter.sender_unit_id, letter.recipient_unit_id],
        text,
    )


def reindex(letter: LiaisonLetter) -> None:
    search.index_row(KIND, row(letter))


def rows() -> Iterator[search.IndexRow]:
    letters = LiaisonLetter.objects.select_related(
        "mechanism__jurisdiction", "sender_unit", "recipient_unit"
    ).order_by("pk")
    for letter in letters.iterator(chunk_size=1000):
        yield row(letter)


def visible_ids(user: Any) -> QuerySet[Any, Any]:
    return LiaisonLetter.objects.visible_to(user).values("pk")


def describe(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = (
        LiaisonLetter.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("sender_unit", "recipient_unit")
    )
    return {
        letter.pk: search.Found(
            letter.subject,
            reverse("liaison:letter_detail", args=[letter.pk]),
            f"{letter.sender_unit.name} → {letter.recipient_unit.name} {letter.body}",
        )
        for letter in found
    }


def register() -> None:
    search.register(
        search.SearchKind(KIND, _("Liaison letters"), visible_ids, describe, rows, order=30)
    )
