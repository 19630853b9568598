"""The matter engine: every supervised item, its workflow, deadlines, warnings and ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "fuyuan.matters"
    label = "matters"
    verbose_name = _("Matters")

    def ready(self) -> None:
        from . import importers, menus, reminders, search_index  # noqa: F401  (feed, menus, jobs)

        search_index.register()
