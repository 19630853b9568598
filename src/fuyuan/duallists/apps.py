"""The annual dual lists: call, proposals, claims and objections, draft, approval."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuallistsConfig(AppConfig):
    name = "fuyuan.duallists"
    label = "duallists"
    verbose_name = _("Dual lists")
