"""The leaders' dashboard: the brief (督办专报), the cockpit (驾驶舱), bulletins (通报), the
annual report to the joint meeting and search across modules. Layer 5: reads the apps below
through their queries, writes only through their actions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "fuyuan.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from . import bulletin_docs, jobs, menus, snapshots  # noqa: F401  (scheduled jobs, menus)

        bulletin_docs.register()  # bulletins print through the documents app
