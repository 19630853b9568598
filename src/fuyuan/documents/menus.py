"""Menu entries of the documents app."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, register

from .views import may_read


def _office(user: Any) -> bool:
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    return bool(scope_for(user).assigned_jurisdictions.get(Role.OFFICE))


register(
    MenuEntry(
        "documents.documents",
        _("Official documents"),
        "documents:document_list",
        62,
        may_read,
        group="documents",
    )
)
register(
    MenuEntry(
        "documents.numbers",
        _("Document numbers"),
        "documents:number_list",
        63,
        _office,
        group="documents",
    )
)
