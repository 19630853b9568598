"""Material collection: calls for submissions, approval inside units, compilation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "fuyuan.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from . import menus, search_index  # noqa: F401

        search_index.register()
