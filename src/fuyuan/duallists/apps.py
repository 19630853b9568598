"""The annual dual lists: call, proposals, claims and objections, draft, approval."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _item_url(matter: Any) -> str:
    from django.urls import reverse

    try:
        return reverse("duallists:item_detail", args=[int(matter.source_ref)])
    except (TypeError, ValueError):
        return ""


class DuallistsConfig(AppConfig):
    name = "fuyuan.duallists"
    label = "duallists"
    verbose_name = _("Dual lists")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import menus  # noqa: F401

        sources.register("duallists.item", _("Dual-list item"), _item_url)
