"""Menu entries of the org app."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


def _reader(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_member or scope.all_reference


def _unit_keeper(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_member or Role.SYSTEM_ADMIN in scope.roles


register(
    MenuEntry(
        "org.mechanisms",
        _("Joint meeting"),
        "org:mechanism_list",
        10,
        _reader,
        group="organisation",
    )
)
register(
    MenuEntry("org.directory", _("Directory"), "org:directory", 15, _member, group="organisation")
)
register(
    MenuEntry("org.units", _("Units"), "org:unit_list", 20, _unit_keeper, group="organisation")
)
register(
    MenuEntry(
        "org.changes", _("Membership changes"), "org:change_list", 30, _member, group="organisation"
    )
)
