"""Menu entries of the matter engine: the ledger, and the working-day calendar for offices."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


def _office(user: Any) -> bool:
    if not user.has_role(Role.OFFICE):
        return False
    try:  # the calendar pages may land after the ledger; never break the menu meanwhile
        reverse("matters:calendar")
    except NoReverseMatch:
        return False
    return True


register(
    MenuEntry("matters.ledger", _("Ledger"), "matters:ledger", 5, _member, group="supervision")
)
register(
    MenuEntry(
        "matters.calendar",
        _("Working-day calendar"),
        "matters:calendar",
        85,
        _office,
        group="admin",
    )
)
register(MenuEntry("matters.cards", _("Cards"), "matters:cards", 6, _member, group="supervision"))
register(
    MenuEntry(
        "matters.campaigns",
        _("Special campaigns"),
        "matters:campaign_list",
        7,
        _member,
        group="supervision",
    )
)
