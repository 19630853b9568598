"""Outgoing official documents: numbers, the sign-off chain, GB/T 9704 files."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "fuyuan.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from . import menus, search_index  # noqa: F401

        search_index.register()
