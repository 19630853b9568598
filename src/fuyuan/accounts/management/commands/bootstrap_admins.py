"""`fuyuan bootstrap-admins`: the three administrator accounts of a new instance (三权分立),
created once, each with only its own role, audited. Afterwards accounts come from the system
administrator's page and roles from the security administrator's page only."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import ADMIN_ROLES, Role, RoleAssignment, User
from fuyuan.audit.record import record, snapshot

# (role, option prefix, default username, environment variable holding the password)
ACCOUNTS = (
    (Role.SYSTEM_ADMIN, "system", "sysadmin", "FUYUAN_SYSTEM_ADMIN_PASSWORD"),
    (Role.SECURITY_ADMIN, "security", "secadmin", "FUYUAN_SECURITY_ADMIN_PASSWORD"),
    (Role.AUDIT_ADMIN, "audit", "auditadmin", "FUYUAN_AUDIT_ADMIN_PASSWORD"),
)


def already_bootstrapped() -> bool:
    """Any administrator role ever granted (ended ones too): the instance is not new."""
    return RoleAssignment.objects.filter(role__in=ADMIN_ROLES).exists()


class Command(BaseCommand):
    help = _(
        "Create the system, security and audit administrator accounts of a new instance, once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for _role, prefix, default, _env in ACCOUNTS:
            parser.add_argument(
                f"--{prefix}-username",
                default=default,
                help=f"username of the {prefix} administrator (default {default})",
            )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="read the passwords from "
            + ", ".join(env for *_rest, env in ACCOUNTS)
            + " instead of asking",
        )

    def _password(self, username: str, label: str, env: str, interactive: bool) -> str:
        probe = User(username=username, display_name=label)
        if not interactive:
            password = os.environ.get(env, "")
            if not password:
                raise CommandError(
                    _("Set %(env)s to the initial password of %(user)s.")
                    % {"env": env, "user": username}
                )
            try:
                validate_password(password, probe)
            except ValidationError as exc:
                raise CommandError(f"{username}: {' '.join(exc.messages)}") from exc
            return password
        while True:
            password = getpass.getpass(
                _("Initial password of %(label)s (%(user)s): ") % {"label": label, "user": username}
            )
            again = getpass.getpass(_("The same password again: "))
            if password != again:
                self.stderr.write(_("The two passwords differ."))
                continue
            try:
                validate_password(password, probe)
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            return password

    def handle(self, *args: Any, **options: Any) -> None:
        if already_bootstrapped():
            raise CommandError(
                _(
                    "The administrators were set up already. Accounts are kept on the system "
                    "administrator's page, roles on the security administrator's page."
                )
            )
        plan = []
        for role, prefix, _default, env in ACCOUNTS:
            username = (options[f"{prefix}_username"] or "").strip()
            if not username:
                raise CommandError(_("Give each administrator a username."))
            if User.objects.filter(username=username).exists():
                raise CommandError(_("The username %(u)s is taken.") % {"u": username})
            plan.append((role, username, env))
        if len({username for _r, username, _e in plan}) != len(plan):
            raise CommandError(_("The three administrators need three different accounts."))
        passwords = []
        for role, username, env in plan:
            passwords.append(
                self._password(username, str(Role(role).label), env, options["interactive"])
            )
        if len(set(passwords)) != len(passwords):
            raise CommandError(_("The three administrators need three different passwords."))
        operator = getpass.getuser()
        with transaction.atomic():
            if already_bootstrapped():  # a second run racing this one
                raise CommandError(_("The administrators were set up already."))
            for (role, username, _env), password in zip(plan, passwords, strict=True):
                user = User(username=username, display_name=str(Role(role).label))
                user.set_password(password)
                # Each administrator chooses their own password at the first sign-in: the
                # operator who ran this command must not know all three.
                user.password_changed_at = None
                user.save()
                assignment = RoleAssignment.objects.create(
                    user=user, role=role, valid_from=timezone.localdate()
                )
                detail = {
                    "username": f"os:{operator}",
                    "command": "bootstrap_admins",
                    "os_user": operator,
                }
                record(None, "accounts.user.create", user, after=snapshot(user), detail=detail)
                record(
                    None,
                    "accounts.role.grant",
                    assignment,
                    after=snapshot(assignment),
                    detail=detail,
                )
                self.stdout.write(
                    _("Created %(user)s: %(role)s.") % {"user": username, "role": Role(role).label}
                )
        self.stdout.write(_("Each administrator must choose a new password at the first sign-in."))
