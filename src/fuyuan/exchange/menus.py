"""Menu entries of the exchange app: system clients (system administrator), data access
requests (units acting for themselves) and the pull log (providers and office staff)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, MenuGroup, register, register_group

from . import access
from .client_actions import may_manage

register_group(MenuGroup("exchange", _("Data exchange"), 35))


def _acts_for_a_unit(user: Any) -> bool:
    return bool(access.acting_unit_ids(user))


register(
    MenuEntry(
        "exchange.clients",
        _("System clients"),
        "exchange:client_list",
        85,
        may_manage,
        group="admin",
    )
)
register(
    MenuEntry(
        "exchange.grants",
        _("Data access requests"),
        "exchange:grant_list",
        10,
        _acts_for_a_unit,
        group="exchange",
    )
)
register(
    MenuEntry(
        "exchange.access_log",
        _("Pull log"),
        "exchange:access_log",
        20,
        access.may_see_log,
        group="exchange",
    )
)
