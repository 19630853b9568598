"""Meeting minutes in the search index: what is indexed, who may find it, how a hit is shown."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search

from .models import Decision, Minutes

KIND = "meetings.minutes"


def _title(minutes: Minutes) -> str:
    label = minutes.issue_label
    return f"{minutes.title}（{label}）" if label else minutes.title


def row(minutes: Minutes, decisions: list[str] | None = None) -> search.IndexRow:
    """The minutes' index row: title, issue, meeting, body and decisions."""
    if decisions is None:
        decisions = list(minutes.decisions.order_by("order").values_list("text", flat=True))
    meeting = minutes.meeting
    text = " ".join([_title(minutes), meeting.title, minutes.body, *decisions])
    units = meeting.invitations.values_list("unit_id", flat=True)
    return search.IndexRow(minutes.pk, minutes.mechanism.jurisdiction.path, list(units), text)


def reindex(minutes: Minutes) -> None:
    search.index_row(KIND, row(minutes))


def rows() -> Iterator[search.IndexRow]:
    decisions: dict[int, list[str]] = {}
    for minutes_id, text in Decision.objects.order_by("order", "pk").values_list(
        "minutes_id", "text"
    ):
        decisions.setdefault(minutes_id, []).append(text)
    found = Minutes.objects.select_related("meeting", "mechanism__jurisdiction").order_by("pk")
    for minutes in found.iterator(chunk_size=500):
        yield row(minutes, decisions.get(minutes.pk, []))


def visible_ids(user: Any) -> QuerySet[Any, Any]:
    return Minutes.objects.visible_to(user).values("pk")


def describe(user: Any, ids: list[int]) -> dict[int, search.Found]:
    found = Minutes.objects.visible_to(user).filter(pk__in=ids).select_related("meeting")
    return {
        m.pk: search.Found(
            _title(m),
            reverse("meetings:meeting_detail", args=[m.meeting_id]),
            " ".join([m.meeting.title, m.body]),
        )
        for m in found
    }


def register() -> None:
    search.register(search.SearchKind(KIND, _("Minutes"), visible_ids, describe, rows, order=20))
