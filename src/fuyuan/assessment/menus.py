"""Menu entries of the assessment app (under "Supervision")."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


register(
    MenuEntry(
        "assessment.schemes",
        _("Linkage assessment"),
        "assessment:scheme_list",
        70,
        _member,
        group="supervision",
    )
)
