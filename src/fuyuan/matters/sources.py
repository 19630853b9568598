"""Registry of source kinds (ARCHITECTURE rule 2): a business record that needs supervision
owns a one-to-one link to its matter and registers its kind here, so the matter engine can
show the record's title and link without importing the business app.

The same kinds name references between apps (an agenda item pointing to a case, kind +
id): a kind may give `reference_url(ref)` so a page can link to the record, and any app may
register a backlinks provider, so a record's page can list what points to it (the meetings
whose agenda holds the case, with their decisions) without importing the other app."""

from __future__ import annotations

import datetime
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
    # reference_url(ref) -> the page of the record with this id, or "" if none.
    reference_url: Callable[[str], str] | None = None


_KINDS: dict[str, SourceKind] = {}


def register(
    kind: str,
    label: str | Promise,
    url: Callable[[Any], str],
    *,
    reference_url: Callable[[str], str] | None = None,
) -> None:
    _KINDS[kind] = SourceKind(kind, label, url, reference_url)


def get(kind: str) -> SourceKind | None:
    return _KINDS.get(kind)


def label_of(kind: str) -> str:
    source = _KINDS.get(kind)
    return str(source.label) if source else ""


def url_of(matter: Any) -> str:
    source = _KINDS.get(matter.source_kind or "")
    return source.url(matter) if source else ""


def reference_url_of(kind: str, ref: str | int) -> str:
    """The page of the record a reference (kind, id) names, or "" when the kind is unknown
    or gives no page. The page itself checks who may see it."""
    source = _KINDS.get(kind or "")
    if source is None or source.reference_url is None or not str(ref or "").strip():
        return ""
    return source.reference_url(str(ref).strip())


# --- backlinks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Backlink:
    """Something elsewhere that points to a record: a meeting whose agenda holds a case, a
    decision taken on it. `detail` is plain text (what, by whom, until when)."""

    label: str
    url: str
    date: datetime.date | None = None
    detail: str = ""


# provider(kind, ref, user) -> the backlinks the user may see, in the provider's order.
BacklinkProvider = Callable[[str, str, Any], list[Backlink]]

_PROVIDERS: list[BacklinkProvider] = []


def register_backlinks(provider: BacklinkProvider) -> None:
    """Add a provider (once; registering the same function again does nothing)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def backlinks(kind: str, ref: str | int, user: Any) -> list[Backlink]:
    """Everything the registered providers find pointing to (kind, ref) that `user` may see;
    providers scope their own reads with visible_to(user)."""
    ref = str(ref).strip()
    if not kind or not ref:
        return []
    found: list[Backlink] = []
    for provider in list(_PROVIDERS):
        found.extend(provider(kind, ref, user))
    return found
