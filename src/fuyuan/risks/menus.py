"""Menu entries of the risks app (under "Court business")."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


for key, label, url, order in (
    ("risks.events", _("Major risk events"), "risks:event_list", 90),
    ("risks.projects", _("Stalled housing projects"), "risks:project_list", 91),
):
    register(MenuEntry(key, label, url, order, _member, group="court"))
