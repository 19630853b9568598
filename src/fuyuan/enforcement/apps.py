"""Enforcement linkage: the debtor list, checks and feedback, government-debtor and
livelihood cases, point-to-point inquiries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "fuyuan.enforcement"
    label = "enforcement"
    verbose_name = _("Enforcement linkage")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import importers, jobs, menus  # noqa: F401  (feeds, daily job, menu entries)
        from .case_actions import case_url_for_matter

        sources.register("enforcement.case", _("Government-debtor case"), case_url_for_matter)
