"""Append-only, hash-chained audit trail of every write and every security event."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fuyuan.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from . import menus  # noqa: F401
