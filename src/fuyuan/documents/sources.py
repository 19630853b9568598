"""Registry of document sources: an app that generates documents (meetings' minutes, the
dual lists) registers a builder that turns the document into its DocumentSpec (with tables,
attendance blocks …); documents without a registered builder are built from their own text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuyuan.core.documents import DocumentSpec

SpecBuilder = Callable[[Any, DocumentSpec], DocumentSpec]

_BUILDERS: dict[str, SpecBuilder] = {}


def register(kind: str, builder: SpecBuilder) -> None:
    """`builder(document, default_spec) -> spec`: typically dataclasses.replace(default_spec,
    blocks=..., attendance=...)."""
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> SpecBuilder | None:
    return _BUILDERS.get(kind)
