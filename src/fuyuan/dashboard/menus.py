"""Menu entries of the dashboard: the brief and the cockpit, for offices and leaders."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.menu import MenuEntry, register

from .area import may_view

register(MenuEntry("dashboard.brief", _("Leaders' brief"), "dashboard:brief", 1, may_view))
register(MenuEntry("dashboard.cockpit", _("Cockpit"), "dashboard:cockpit", 2, may_view))
