"""Data exchange: system clients and their tokens, purpose-bound access grants and the log of
every pull, bulk pushes, the file-drop inbox and the outbox of signed export packages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "fuyuan.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from fuyuan.core import api

        # jobs registers the inbox scan; menus and transfer_menus register the menu entries.
        from . import access, jobs, menus, transfer_menus  # noqa: F401

        api.register_access(access.check, access.log_pull)
