"""Menu entries of the dual lists."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


register(
    MenuEntry(
        "duallists.calls", _("Dual lists"), "duallists:call_list", 37, _member, group="methods"
    )
)
