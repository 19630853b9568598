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
    # Key of a group in GROUPS: the entry is shown in that group's drop-down menu.
    group: str = ""


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str | Promise
    order: int


_GROUPS: dict[str, MenuGroup] = {}


def register_group(group: MenuGroup) -> None:
    _GROUPS[group.key] = group


_REGISTRY: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> None:
    _REGISTRY[entry.key] = entry


def entries_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The menu for `user`: top-level links and drop-down groups (a group appears only when
    the user may see one of its entries), each in order."""
    if not getattr(user, "is_authenticated", False):
        return []
    top: list[tuple[int, str, dict[str, Any]]] = []
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(_REGISTRY.values(), key=lambda e: (e.order, e.key)):
        if not entry.visible(user):
            continue
        url = reverse(entry.url_name)
        active = path == url or (url != "/" and path.startswith(url))
        item = {"key": entry.key, "label": entry.label, "url": url, "active": active}
        group = _GROUPS.get(entry.group)
        if group is None:
            top.append((entry.order, entry.key, item))
        else:
            grouped.setdefault(group.key, []).append(item)
    for key, children in grouped.items():
        group = _GROUPS[key]
        top.append(
            (
                group.order,
                key,
                {
                    "key": key,
                    "label": group.label,
                    "children": children,
                    "active": any(c["active"] for c in children),
                },
            )
        )
    return [item for _, _, item in sorted(top, key=lambda t: (t[0], t[1]))]


def all_entries() -> list[MenuEntry]:
    return list(_REGISTRY.values())


def _standard_groups() -> None:
    from django.utils.translation import gettext_lazy as _

    for key, label, order in (
        ("supervision", _("Supervision"), 10),
        ("methods", _("Working methods"), 20),
        ("court", _("Court business"), 25),
        ("documents", _("Documents"), 30),
        ("organisation", _("Organisation"), 40),
        ("admin", _("Administration"), 90),
    ):
        register_group(MenuGroup(key, label, order))


_standard_groups()
