"""Django's `changepassword` as an audited break-glass: the way back in when an administrator
has lost a password, since no page lets one administrator reset another's (三权分立).

Whoever runs it on the server must give a reason; the audit trail records the account, the
operating-system user and the reason, so the audit administrator sees every use. The holder
must choose a new password at the next sign-in, so the operator's password does not last.
This command replaces django.contrib.auth's only while fuyuan.accounts comes before
django.contrib.auth in INSTALLED_APPS."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands.changepassword import (
    Command as DjangoChangePassword,
)
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from fuyuan.accounts.actions import SYSTEM_USERNAME
from fuyuan.accounts.models import User
from fuyuan.audit.models import Outcome
from fuyuan.audit.record import record

ATTEMPTS = 3


class Command(DjangoChangePassword):
    help = _(
        "Break-glass: set a new password for an account that cannot sign in; audited, and the "
        "holder must change it at the next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--reason",
            default="",
            help="why the password is set from the server (recorded in the audit trail)",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"]
        reason = (options["reason"] or "").strip()
        if not username:
            raise CommandError(_("Name the account whose password is to be set."))
        if not reason:
            raise CommandError(
                _("Give the reason with --reason: it is recorded in the audit trail.")
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no account %(u)s.") % {"u": username})
        if user.username == SYSTEM_USERNAME or getattr(user, "api_client", None) is not None:
            raise CommandError(_("This account never signs in with a password."))
        operator = getpass.getuser()
        for _attempt in range(ATTEMPTS):
            password = getpass.getpass(_("New password of %(u)s: ") % {"u": username})
            if not password:
                raise CommandError(_("Aborted."))
            if getpass.getpass(_("The same password again: ")) != password:
                self.stderr.write(_("The two passwords differ."))
                continue
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            break
        else:
            record(
                None,
                "accounts.password.break_glass",
                user,
                outcome=Outcome.FAILED,
                detail={"username": f"os:{operator}", "os_user": operator, "reason": reason},
            )
            raise CommandError(_("Too many attempts; the password was not changed."))
        with transaction.atomic():
            user.set_password(password)
            # A password someone else chose: its holder replaces it at the next sign-in.
            user.password_changed_at = None
            user.save(update_fields=["password", "password_changed_at"])
            record(
                None,
                "accounts.password.break_glass",
                user,
                detail={"username": f"os:{operator}", "os_user": operator, "reason": reason},
            )
        return _("The password of %(u)s was set; it must be changed at the next sign-in.") % {
            "u": username
        }
