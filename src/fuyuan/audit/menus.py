"""Menu entries of the audit app."""

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.core.menu import MenuEntry, register

register(
    MenuEntry(
        "audit.entries",
        _("Audit trail"),
        "audit:entry_list",
        90,
        lambda u: u.has_role(Role.AUDIT_ADMIN),
        group="admin",
    )
)
