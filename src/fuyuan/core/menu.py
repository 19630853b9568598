"""Navigation registry: each app registers its own menu entries in AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    order: int
    visible: Callable[[Any], bool]
    icon: str = ""


_REGISTRY: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> None:
    _REGISTRY[entry.key] = entry


def entries_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for entry in sorted(_REGISTRY.values(), key=lambda e: (e.order, e.key)):
        if entry.visible(user):
            url = reverse(entry.url_name)
            active = path == url or (url != "/" and path.startswith(url))
            items.append({"key": entry.key, "label": entry.label, "url": url, "active": active})
    return items


def all_entries() -> list[MenuEntry]:
    return list(_REGISTRY.values())
