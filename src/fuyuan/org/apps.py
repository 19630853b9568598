"""Jurisdictions, units with history, mechanisms (joint meetings), seats and the directory."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "fuyuan.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from . import menus  # noqa: F401
