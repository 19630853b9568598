"""Operations: health and readiness, backup and restore, the task queue for the system
administrator."""

import datetime

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "fuyuan.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from fuyuan.core import scheduler

        from . import menus  # noqa: F401

        # The worker's heartbeat: its completion time proves that a worker takes tasks.
        scheduler.register(
            "ops.worker_heartbeat",
            "fuyuan.ops.tasks.worker_heartbeat",
            every=datetime.timedelta(seconds=settings.FUYUAN_WORKER_HEARTBEAT_SECONDS),
        )
