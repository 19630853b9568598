"""Menu entries of the dashboard: the brief and the cockpit, for offices and leaders."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, register

from .area import may_view

register(MenuEntry("dashboard.brief", _("Leaders' brief"), "dashboard:brief", 1, may_view))
register(MenuEntry("dashboard.cockpit", _("Cockpit"), "dashboard:cockpit", 2, may_view))


def _bulletin_reader(user: object) -> bool:
    from .bulletin_views import may_read

    return may_read(user)


def _report_reader(user: object) -> bool:
    """Office staff and leaders (no query: the page itself lists their joint meetings)."""
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    assigned = scope_for(user).assigned_jurisdictions
    return bool(assigned.get(Role.OFFICE) or assigned.get(Role.LEADER))


register(
    MenuEntry(
        "dashboard.bulletins",
        _("Bulletins"),
        "dashboard:bulletin_list",
        60,
        _bulletin_reader,
        group="documents",
    )
)
register(
    MenuEntry(
        "dashboard.annual_report",
        _("Annual report to the joint meeting"),
        "dashboard:annual_report",
        61,
        _report_reader,
        group="documents",
    )
)
