"""Delivery of notifications: in-app inbox, outbox with a unique key, channels."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fuyuan.notify"
    label = "notify"
    verbose_name = _("Notifications")
