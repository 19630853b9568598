"""Second factor at sign-in: TOTP (django-otp), SMS codes and recovery codes, one interface."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "fuyuan.twofactor"
    label = "twofactor"
    verbose_name = _("Second factor")
