"""Django's `createsuperuser`, refused: an all-powerful account would break the separation of
the three administrators (三权分立). `fuyuan bootstrap-admins` sets up a new instance instead.

This command replaces django.contrib.auth's only while fuyuan.accounts comes before
django.contrib.auth in INSTALLED_APPS (Django runs the first app's command of a name)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands.createsuperuser import (
    Command as DjangoCreateSuperuser,
)
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


class Command(DjangoCreateSuperuser):
    """Keeps Django's options (so scripts calling it get this message, not a usage error)."""

    help = _("Refused: there is no superuser. Use bootstrap-admins on a new instance.")

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            _(
                "There is no superuser in fuyuan: the system, security and audit "
                "administrators are three separate accounts (三权分立). On a new instance run "
                "“fuyuan bootstrap-admins”; afterwards the system administrator creates "
                "accounts and the security administrator grants roles on their pages."
            )
        )
