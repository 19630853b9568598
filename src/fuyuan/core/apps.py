"""Kernel app: base models, identifiers, crypto, workflow engine, menu registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fuyuan.core"
    label = "core"
    verbose_name = _("Core")
