"""Menu entry of the twofactor app: the security administrator's second-factor page."""

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.core.menu import MenuEntry, register

register(
    MenuEntry(
        "twofactor.users",
        _("Second factors"),
        "twofactor:user_list",
        82,
        lambda u: u.has_role(Role.SECURITY_ADMIN),
        group="admin",
    )
)
