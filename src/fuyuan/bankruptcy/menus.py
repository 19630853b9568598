"""Menu entries of the bankruptcy app (under "Court business")."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


for key, label, url, order in (
    ("bankruptcy.cases", _("Bankruptcy cases"), "bankruptcy:case_list", 80),
    ("bankruptcy.queries", _("Bankruptcy queries"), "bankruptcy:query_list", 81),
    ("bankruptcy.fund", _("Bankruptcy-cost fund"), "bankruptcy:fund_list", 82),
    ("bankruptcy.figures", _("Bankruptcy figures"), "bankruptcy:figures", 83),
):
    register(MenuEntry(key, label, url, order, _member, group="court"))
