"""Meetings of the joint meeting and their minutes, whose decisions become matters."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fuyuan.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import jobs, menus  # noqa: F401

        sources.register(
            "meetings.decision",
            _("Meeting decision"),
            url=lambda m: f"/meetings/decisions/{m.source_ref}/" if m.source_ref else "",
        )
