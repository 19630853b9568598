"""The matter engine: every supervised item, its workflow, deadlines, warnings and ledger."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "fuyuan.matters"
    label = "matters"
    verbose_name = _("Matters")

    def ready(self) -> None:
        from . import importers, menus, reminders  # noqa: F401  (import feed, menus, jobs)
