"""The demo of the mechanism apps: a top-layer app with one management command, no models."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "fuyuan.demo"
    label = "demo"
    verbose_name = _("Demo data")
