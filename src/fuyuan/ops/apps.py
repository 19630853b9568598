"""Operations: health and readiness, backup and restore, the task queue for the system administrator."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "fuyuan.ops"
    label = "ops"
    verbose_name = _("Operations")
