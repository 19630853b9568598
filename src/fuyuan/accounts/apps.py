"""Users, persons, posts, role assignments, login and the permission layer."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fuyuan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from fuyuan.core import models as core_models

        from . import menus, signals  # noqa: F401
        from .permissions import colleagues_q

        # Shared import batches are seen by the uploader's colleagues only (core.models).
        core_models.batch_colleagues = colleagues_q
