"""Registry of source kinds (ARCHITECTURE rule 2): a business record that needs supervision
owns a one-to-one link to its matter and registers its kind here, so the matter engine can
show the record's title and link without importing the business app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class SourceKind:
    kind: str
    label: str | Promise
    # url(matter) -> the business record's page for this matter, or "" if none.
    url: Callable[[Any], str]


_KINDS: dict[str, SourceKind] = {}


def register(kind: str, label: str | Promise, url: Callable[[Any], str]) -> None:
    _KINDS[kind] = SourceKind(kind, label, url)


def get(kind: str) -> SourceKind | None:
    return _KINDS.get(kind)


def label_of(kind: str) -> str:
    source = _KINDS.get(kind)
    return str(source.label) if source else ""


def url_of(matter: Any) -> str:
    source = _KINDS.get(matter.source_kind or "")
    return source.url(matter) if source else ""
