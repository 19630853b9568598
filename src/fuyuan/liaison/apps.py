"""Daily liaison: letters between departments and courts, replies, escalation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "fuyuan.liaison"
    label = "liaison"
    verbose_name = _("Liaison")
