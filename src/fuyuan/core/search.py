"""The search index: one table of (kind, id, scope columns, jieba tokens), written by actions,
queried with the reader's scope applied inside SQL.

Tokens are stored space-separated with a space at each end, so a token matches as
`LIKE '% token %'`; every query token must match (AND). This is portable SQL on SQLite and
PostgreSQL; docs/architecture.md records the plan for tsvector/FTS5 when tables grow.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import jieba
from django.db.models import Q, QuerySet

from .models import SearchEntry

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"[\w\u4e00-\u9fff]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Search tokens of a text: jieba's search-engine cut plus single CJK characters, so
    short queries of one character also match; lower-cased, de-duplicated, in order."""
    seen: dict[str, None] = {}
    for word in jieba.cut_for_search(text or ""):
        word = word.strip().lower()
        if not word or not _WORD.fullmatch(word):
            continue
        seen.setdefault(word, None)
        if len(word) > 1 and re.fullmatch(r"[\u4e00-\u9fff]+", word):
            for ch in word:
                seen.setdefault(ch, None)
    return list(seen)


def query_tokens(text: str) -> list[str]:
    """Tokens a query must all match: jieba's precise cut (not the search cut, whose extra
    sub-words would only narrow nothing)."""
    found: list[str] = []
    for word in jieba.cut(text or ""):
        word = word.strip().lower()
        if word and _WORD.fullmatch(word) and word not in found:
            found.append(word)
    return found


def index(
    kind: str, object_id: int, jurisdiction_path: str, unit_ids: Iterable[int], text: str
) -> None:
    """Write (or rewrite) the entry of one record. Called from actions, in their transaction."""
    units = " ".join(str(u) for u in sorted(set(unit_ids)))
    SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "jurisdiction_path": jurisdiction_path,
            "unit_ids": f" {units} " if units else "",
            "tokens": " " + " ".join(tokens(text)) + " ",
        },
    )


def remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def matching_ids(kind: str, text: str) -> QuerySet[SearchEntry, Any] | None:
    """ids (a values queryset for `pk__in=`) of the records of `kind` whose tokens contain
    every query token; None when the query has no token (no filter)."""
    words = query_tokens(text)
    if not words:
        return None
    q = Q(kind=kind)
    for word in words:
        q &= Q(tokens__contains=f" {word} ")
    return SearchEntry.objects.filter(q).values("object_id")
