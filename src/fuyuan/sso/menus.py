"""Menu entry of the sso app: the security administrator's list of single sign-on links."""

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.core.menu import MenuEntry, register

register(
    MenuEntry(
        "sso.links",
        _("Single sign-on links"),
        "sso:links",
        82,
        lambda u: u.has_role(Role.SECURITY_ADMIN),
        group="admin",
    )
)
