"""Registry of document sources: an app that generates documents (meetings' minutes, the
dual lists) registers a builder that turns the document into its DocumentSpec (with tables,
attendance blocks …); documents without a registered builder are built from their own text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuyuan.core.documents import DocumentSpec

SpecBuilder = Callable[[Any, DocumentSpec], DocumentSpec]
IssueHook = Callable[[Any, Any], None]

_BUILDERS: dict[str, SpecBuilder] = {}
_ON_ISSUE: dict[str, IssueHook] = {}


def register(kind: str, builder: SpecBuilder, *, on_issue: IssueHook | None = None) -> None:
    """`builder(document, default_spec) -> spec`: typically dataclasses.replace(default_spec,
    blocks=..., attendance=...). `on_issue(actor, document)` runs inside the issuing
    transaction, whichever page issued the document (e.g. a bulletin notifies its units)."""
    _BUILDERS[kind] = builder
    if on_issue is not None:
        _ON_ISSUE[kind] = on_issue


def issue_hook_for(kind: str) -> IssueHook | None:
    return _ON_ISSUE.get(kind)


def builder_for(kind: str) -> SpecBuilder | None:
    return _BUILDERS.get(kind)
