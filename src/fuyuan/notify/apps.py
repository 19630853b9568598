"""Delivery of notifications: in-app inbox, outbox with a unique key, channels."""

import datetime

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fuyuan.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from fuyuan.core import scheduler

        scheduler.register(
            "notify.deliver",
            "fuyuan.notify.tasks.deliver_notifications",
            every=datetime.timedelta(seconds=settings.FUYUAN_NOTIFY_DELIVERY_INTERVAL_SECONDS),
        )
