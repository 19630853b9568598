"""Menu entries of the enforcement app (under "Court business")."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


for key, label, url, order in (
    ("enforcement.debtors", _("Dishonest debtor list"), "enforcement:debtor_list", 70),
    ("enforcement.checks", _("List checks and feedback"), "enforcement:check_list", 71),
    ("enforcement.cases", _("Government-debtor cases"), "enforcement:case_list", 72),
    ("enforcement.inquiries", _("Point-to-point inquiries"), "enforcement:inquiry_list", 73),
):
    register(MenuEntry(key, label, url, order, _member, group="court"))
