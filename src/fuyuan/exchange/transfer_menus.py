"""Menu entries of the transfer pages: export packages (units acting for themselves, and the
system administrator), file drops and pushed batches (system administrator). Imported by
the app's `ready()` next to menus.py."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.core.menu import MenuEntry, register

from . import access


def _system_admin(user: Any) -> bool:
    return bool(user.has_role(Role.SYSTEM_ADMIN))


def _packages(user: Any) -> bool:
    return bool(access.acting_unit_ids(user)) or _system_admin(user)


register(
    MenuEntry(
        "exchange.packages",
        _("Export packages"),
        "exchange:package_list",
        30,
        _packages,
        group="exchange",
    )
)
register(
    MenuEntry(
        "exchange.drops", _("File drops"), "exchange:drop_list", 86, _system_admin, group="admin"
    )
)
register(
    MenuEntry(
        "exchange.batches",
        _("Pushed and dropped batches"),
        "exchange:transfer_batch_list",
        87,
        _system_admin,
        group="admin",
    )
)
