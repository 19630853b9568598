"""Append-only, hash-chained audit trail of every write and every security event."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fuyuan.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        import datetime

        from fuyuan.core import scheduler

        from . import menus  # noqa: F401

        # Monthly archiving of entries older than the retention: the job runs every night and
        # archives on the first night of a month that finds entries old enough.
        scheduler.register(
            "audit.archive",
            "fuyuan.audit.tasks.archive_audit_trail",
            at=datetime.time(2, 30),
        )
