"""Meetings of the joint meeting and their minutes, whose decisions become matters."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fuyuan.meetings"
    label = "meetings"
    verbose_name = _("Meetings")
