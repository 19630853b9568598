"""Menu entries of the liaison app: the letters, and the key-issue list."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


register(
    MenuEntry(
        "liaison.letters", _("Liaison letters"), "liaison:letter_list", 40, _member, group="methods"
    )
)
register(
    MenuEntry(
        "liaison.key_issues", _("Key issues"), "liaison:key_issues", 8, _member, group="supervision"
    )
)
