"""Menu entries of the accounts app."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, register

from .models import Role

register(
    MenuEntry(
        "accounts.users",
        _("Users"),
        "accounts:user_list",
        80,
        lambda u: u.has_role(Role.SYSTEM_ADMIN),
        group="admin",
    )
)
register(
    MenuEntry(
        "accounts.roles",
        _("Roles"),
        "accounts:assignment_list",
        81,
        lambda u: u.has_role(Role.SECURITY_ADMIN),
        group="admin",
    )
)
