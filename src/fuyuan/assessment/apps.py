"""Linkage indicators for the rule-of-law assessment: a scheme per year, scores per unit,
review with reasons, a second reviewer's confirmation, final ranking and export. Layer 5."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "fuyuan.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from . import menus  # noqa: F401  (menu entries)
