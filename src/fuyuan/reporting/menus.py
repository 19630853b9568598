"""Menu entries of material collection."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


register(
    MenuEntry(
        "reporting.collections",
        _("Material collection"),
        "reporting:collection_list",
        60,
        _member,
        group="methods",
    )
)
