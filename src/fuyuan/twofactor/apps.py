"""Second factor at sign-in: TOTP, SMS codes and recovery codes behind one interface."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "fuyuan.twofactor"
    label = "twofactor"
    verbose_name = _("Second factor")

    def ready(self) -> None:
        from . import menus, providers  # noqa: F401
