"""The search index: one table of (kind, id, scope columns, jieba tokens), written by actions,
queried by full text with the reader's scope applied inside SQL.

Text is cut by jieba (`cut_for_search`) plus every CJK character, so one-character queries
match too; tokens are letters and digits only, joined by spaces. The database does the
matching: on PostgreSQL `tsv @@ to_tsquery('simple', …)`, `tsv` being the stored
`to_tsvector('simple', tokens)` (a generated column with a GIN index, core migration 0005),
ranked by `ts_rank` (normalised by length); on SQLite an FTS5 table kept in sync by triggers
(core migration 0004), ranked by `bm25`; ties in kind,
then id order. Every query word must match (AND) — the word itself or all of its jieba
sub-words. User text never reaches SQL: query words become quoted lexemes (tsquery) or quoted
strings (FTS5) passed as bound parameters.

Apps register the kinds they index (`register`): a label, the ids a user may see (a values
queryset built on `visible_to`, used as a subquery), how to show a page of hits, and every
record's index row for `fuyuan search_reindex`. `core` imports nothing of the project; the
registry is how it reaches the apps' records.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import jieba
from django.db import transaction
from django.db.models import BooleanField, Expression, F, FloatField, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import SearchEntry

jieba.setLogLevel(logging.WARNING)
# A token is a run of letters and digits (no underscore): the PostgreSQL parser and FTS5's
# unicode61 tokenizer then both read it as exactly one word, so both databases agree.
_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_QUERY_WORDS = 12
MAX_QUERY_CHARS = 200
FTS_TABLE = "core_searchentry_fts"


# --- tokens ----------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Search tokens of a text, in order and with repeats (frequency counts for ranking):
    jieba's search-engine cut, then every CJK character of the text, lower-cased."""
    found: list[str] = []
    for word in jieba.cut_for_search(text or ""):
        found.extend(_WORD.findall(word.lower()))
    found.extend(_CJK.findall(text or ""))
    return found


def query_tokens(text: str) -> list[str]:
    """Words a query must all match: jieba's precise cut (not the search cut, whose extra
    sub-words would narrow nothing), de-duplicated, at most MAX_QUERY_WORDS."""
    found: list[str] = []
    for word in jieba.cut((text or "")[:MAX_QUERY_CHARS]):
        for part in _WORD.findall(word.lower()):
            if part not in found:
                found.append(part)
    return found[:MAX_QUERY_WORDS]


Term = tuple[str, tuple[str, ...]]


def query_terms(text: str) -> list[Term]:
    """Each query word with its search-cut sub-words: a word matches a record holding the
    word, or all of its sub-words ("拖欠工资" finds "拖欠农民工工资", which jieba cut
    differently)."""
    terms: list[Term] = []
    for word in query_tokens(text):
        subs: list[str] = []
        for piece in jieba.cut_for_search(word):
            for part in _WORD.findall(piece.lower()):
                if len(part) < len(word) and part not in subs:
                    subs.append(part)
        terms.append((word, tuple(subs)))
    return terms


def highlight_words(text: str) -> list[str]:
    """The words a snippet marks: the query words and their sub-words."""
    return [w for word, subs in query_terms(text) for w in (word, *subs)]


def _tsquery(terms: Sequence[Term]) -> str:
    """A tsquery of quoted lexemes: ('word' | 'sub1' & 'sub2') & … (quotes and backslashes
    escaped, so nothing the user typed is read as an operator)."""

    def lexeme(w: str) -> str:
        return "'" + w.replace("\\", "\\\\").replace("'", "''") + "'"

    parts = []
    for word, subs in terms:
        if subs:
            parts.append(f"({lexeme(word)} | {' & '.join(lexeme(s) for s in subs)})")
        else:
            parts.append(lexeme(word))
    return " & ".join(parts)


def _fts_query(terms: Sequence[Term]) -> str:
    """An FTS5 query of quoted strings: ("word" OR ("sub1" AND "sub2")) AND … (quotes
    doubled, so nothing the user typed is read as FTS5 syntax)."""

    def string(w: str) -> str:
        return '"' + w.replace('"', '""') + '"'

    parts = []
    for word, subs in terms:
        if subs:
            parts.append(f"({string(word)} OR ({' AND '.join(string(s) for s in subs)}))")
        else:
            parts.append(string(word))
    return " AND ".join(parts)


# --- SQL expressions (no table names written out, so they work inside subqueries) -------------
class _FullText(Expression):
    """An expression over the entry's tokens (PostgreSQL) or its id (the FTS5 rowid)."""

    def __init__(self, terms: Sequence[Term]) -> None:
        super().__init__()
        self.terms = list(terms)
        self.column: Any = F("tokens")
        self.row_id: Any = F("id")

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.row_id]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.column, self.row_id = exprs


def _stored(tokens_column: str) -> str:
    """The stored tsvector beside a compiled `"<table>"."tokens"` reference (PostgreSQL: a
    generated column, core migration 0005)."""
    table, _dot, _name = tokens_column.rpartition(".")
    return f'{table}."tsv"' if table else '"tsv"'


class _Matches(_FullText):
    """True when the entry's tokens contain every query word."""

    conditional = True
    output_field: Any = BooleanField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            column, params = compiler.compile(self.column)
            sql = f"{_stored(column)} @@ to_tsquery('simple', %s)"
            return sql, [*params, _tsquery(self.terms)]
        row_id, params = compiler.compile(self.row_id)
        sql = f"{row_id} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        return sql, [*params, _fts_query(self.terms)]


class _Rank(_FullText):
    """Relevance, higher is better: ts_rank (divided by 1 + log of the length) on PostgreSQL,
    minus bm25 on SQLite (FTS5's bm25 is lower-is-better)."""

    output_field: Any = FloatField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if connection.vendor == "postgresql":
            column, params = compiler.compile(self.column)
            sql = f"ts_rank({_stored(column)}, to_tsquery('simple', %s), 1)"
            return sql, [*params, _tsquery(self.terms)]
        row_id, params = compiler.compile(self.row_id)
        sql = (
            f"(SELECT -bm25({FTS_TABLE}) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid = {row_id})"
        )
        return sql, [_fts_query(self.terms), *params]


# --- the registry of searchable kinds --------------------------------------------------------
class IndexRow(NamedTuple):
    """What the index keeps of one record."""

    object_id: int
    jurisdiction_path: str
    unit_ids: Iterable[int]
    text: str


@dataclass(frozen=True)
class Found:
    """How a hit is shown: its title, its page, and the text its snippet is cut from."""

    title: str
    url: str
    text: str


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the index holds. `visible_ids(user)` is a values queryset of the pks
    the user may see (built on the model's visible_to); `describe(user, ids)` gives the hits
    of one page; `rows()` yields every record's IndexRow for a rebuild."""

    name: str
    label: Any
    visible_ids: Callable[[Any], QuerySet[Any, Any]]
    describe: Callable[[Any, list[int]], dict[int, Found]]
    rows: Callable[[], Iterable[IndexRow]]
    order: int = 100


_KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> None:
    """Called from an app's AppConfig.ready; registering a name again replaces it."""
    _KINDS[kind.name] = kind


def kinds() -> list[SearchKind]:
    return sorted(_KINDS.values(), key=lambda k: (k.order, k.name))


def get_kind(name: str) -> SearchKind | None:
    return _KINDS.get(name)


# --- writing ---------------------------------------------------------------------------------
def _units(unit_ids: Iterable[int]) -> str:
    units = " ".join(str(u) for u in sorted(set(unit_ids)))
    return f" {units} " if units else ""


def index(
    kind: str, object_id: int, jurisdiction_path: str, unit_ids: Iterable[int], text: str
) -> None:
    """Write (or rewrite) the entry of one record. Called from actions, in their transaction."""
    SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "jurisdiction_path": jurisdiction_path,
            "unit_ids": _units(unit_ids),
            "tokens": " ".join(tokens(text)),
        },
    )


def index_row(kind: str, row: IndexRow) -> None:
    index(kind, row.object_id, row.jurisdiction_path, row.unit_ids, row.text)


def index_many(kind: str, rows: Iterable[IndexRow], *, batch_size: int = 500) -> int:
    """Rewrite the entries of many records (imports, rebuilds): delete and insert in batches,
    inside the caller's transaction. Returns how many were written."""
    count = 0
    batch: list[IndexRow] = []

    def flush() -> None:
        SearchEntry.objects.filter(kind=kind, object_id__in=[r.object_id for r in batch]).delete()
        SearchEntry.objects.bulk_create(
            [
                SearchEntry(
                    kind=kind,
                    object_id=r.object_id,
                    jurisdiction_path=r.jurisdiction_path,
                    unit_ids=_units(r.unit_ids),
                    tokens=" ".join(tokens(r.text)),
                )
                for r in batch
            ]
        )
        batch.clear()

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def rebuild(kind: SearchKind, *, batch_size: int = 500) -> int:
    """Replace every entry of `kind` by its rows from the registry, in one transaction."""
    with transaction.atomic():
        SearchEntry.objects.filter(kind=kind.name).delete()
        return index_many(kind.name, kind.rows(), batch_size=batch_size)


# --- reading ---------------------------------------------------------------------------------
def matching_ids(kind: str, text: str) -> QuerySet[SearchEntry, Any] | None:
    """ids (a values queryset for `pk__in=`) of the records of `kind` whose tokens contain
    every query word; None when the query has no word (no filter). The caller scopes."""
    terms = query_terms(text)
    if not terms:
        return None
    return SearchEntry.objects.filter(_Matches(terms), kind=kind).values("object_id")


def scope_q(user: Any, kind_names: Iterable[str] | None = None) -> Q:
    """Entries the user may see: per kind, `object_id IN (the kind's visible ids)`."""
    q = Q(pk__in=[])
    wanted = None if kind_names is None else set(kind_names)
    for kind in kinds():
        if wanted is None or kind.name in wanted:
            q |= Q(kind=kind.name, object_id__in=kind.visible_ids(user))
    return q


def matches(
    user: Any, text: str, kind_names: Iterable[str] | None = None
) -> QuerySet[SearchEntry, SearchEntry] | None:
    """Entries matching every word of `text` that the user may see (unordered); None when the
    query has no word."""
    terms = query_terms(text)
    if not terms:
        return None
    return SearchEntry.objects.filter(_Matches(terms)).filter(scope_q(user, kind_names))


def ranked(entries: QuerySet[SearchEntry, SearchEntry], text: str) -> QuerySet[SearchEntry, Any]:
    """The entries best first (ties by kind, then id), each with `rank`."""
    return entries.annotate(rank=_Rank(query_terms(text))).order_by("-rank", "kind", "object_id")


def counts_by_kind(entries: QuerySet[SearchEntry, SearchEntry]) -> dict[str, int]:
    from django.db.models import Count

    rows = entries.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n")
    return dict(rows)


def describe(user: Any, entries: Iterable[SearchEntry]) -> Iterator[tuple[SearchEntry, Found]]:
    """Pair each entry with how it is shown (one query per kind on the page); an entry whose
    record is gone (or no longer visible) is left out."""
    entries = list(entries)
    by_kind: dict[str, list[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry.object_id)
    shown: dict[tuple[str, int], Found] = {}
    for name, ids in by_kind.items():
        kind = get_kind(name)
        if kind is None:
            continue
        for object_id, found in kind.describe(user, ids).items():
            shown[(name, object_id)] = found
    for entry in entries:
        hit = shown.get((entry.kind, entry.object_id))
        if hit is not None:
            yield entry, hit


# --- snippets --------------------------------------------------------------------------------
def highlight(text: str, words: Sequence[str], *, width: int = 120) -> SafeString:
    """A snippet of `text` around the first query word, with every query word wrapped in
    <mark>. The text is escaped piece by piece; only the <mark> tags are markup."""
    text = " ".join((text or "").split())
    pattern = (
        re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
        if words
        else None
    )
    first = pattern.search(text) if pattern else None
    start = 0
    if first is not None and first.start() > width // 3:
        start = first.start() - width // 3
    end = min(len(text), start + width)
    piece = text[start:end]
    out: list[str] = ["…" if start > 0 else ""]
    at = 0
    for hit in pattern.finditer(piece) if pattern else ():
        out.append(str(escape(piece[at : hit.start()])))
        out.append(f"<mark>{escape(hit.group())}</mark>")
        at = hit.end()
    out.append(str(escape(piece[at:])))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))
