"""Every write of the accounts app: permission check, one transaction, write, audit."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.audit.record import record, snapshot

from .models import (
    ADMIN_ROLES,
    JURISDICTION_ROLES,
    UNIT_ROLES,
    Person,
    Post,
    Role,
    RoleAssignment,
    User,
)


def _require_role(actor: User, role: str) -> None:
    if not (actor.is_authenticated and actor.has_role(role)):
        raise PermissionDenied(role)


@transaction.atomic
def create_user(
    actor: User,
    *,
    username: str,
    display_name: str,
    password: str,
    person: Person | None = None,
) -> User:
    """The system administrator creates accounts; roles come from the security administrator."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The username %(u)s is taken.") % {"u": username}, code="taken")
    user = User(username=username, display_name=display_name, person=person)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    record(actor, "accounts.user.create", user, after=snapshot(user))
    return user


def held_admin_roles(user: User, on: datetime.date | None = None) -> set[str]:
    """The administrator roles an account holds on a day, whether or not it is active now
    (`User.roles()` skips inactive accounts, which would hide a disabled administrator)."""
    day = on or timezone.localdate()
    return set(
        RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .values_list("role", flat=True)
    )


@transaction.atomic
def set_user_active(actor: User, user: User, active: bool) -> User:
    """The system administrator switches accounts on and off, but not an administrator's:
    otherwise it could disable the security or audit administrator watching it (三权分立).
    An administrator leaves when the security administrator ends its role; the account is
    then an ordinary one."""
    _require_role(actor, Role.SYSTEM_ADMIN)
    if user.pk == actor.pk:
        raise PermissionDenied(_("Nobody may switch their own account on or off."))
    if held_admin_roles(user):
        raise PermissionDenied(
            _(
                "This account holds an administrator role. The security administrator ends "
                "the role first; then the account can be switched off."
            )
        )
    before = snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor,
        "accounts.user.activate" if active else "accounts.user.deactivate",
        user,
        before=before,
        after=snapshot(user),
    )
    return user


@transaction.atomic
def change_password(actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError(_("The current password is wrong."), code="wrong_password")
    if old_password == new_password:
        raise ValidationError(_("The new password must differ from the current one."), code="same")
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password", "password_changed_at"])
    record(actor, "accounts.password.change", actor)


def _check_scope_fields(role: str, jurisdiction: Any, unit: Any) -> None:
    if role in JURISDICTION_ROLES and jurisdiction is None:
        raise ValidationError(_("This role needs a jurisdiction."), code="jurisdiction_required")
    if role in UNIT_ROLES and unit is None:
        raise ValidationError(_("This role needs a unit."), code="unit_required")


@transaction.atomic
def grant_role(
    actor: User,
    *,
    user: User,
    role: str,
    jurisdiction: Any = None,
    unit: Any = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    note: str = "",
) -> RoleAssignment:
    """The security administrator grants roles. Separation of the three administrators:
    nobody grants to themselves, and an administrator holds no other role."""
    _require_role(actor, Role.SECURITY_ADMIN)
    if user.pk == actor.pk:
        raise PermissionDenied(_("Nobody may grant a role to themselves."))
    if role in UNIT_ROLES and unit is not None:
        jurisdiction = unit.jurisdiction
    _check_scope_fields(role, jurisdiction, unit)
    current = user.roles()
    if role in ADMIN_ROLES and current - {role}:
        raise ValidationError(
            _("An administrator account may hold no other role (separation of duties)."),
            code="admin_exclusive",
        )
    if role not in ADMIN_ROLES and current & ADMIN_ROLES:
        raise ValidationError(
            _("An administrator account may hold no other role (separation of duties)."),
            code="admin_exclusive",
        )
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise ValidationError(_("The end date is before the start date."), code="dates")
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        jurisdiction=jurisdiction if role not in ADMIN_ROLES else None,
        unit=unit if role in UNIT_ROLES else None,
        valid_from=start,
        valid_to=valid_to,
        granted_by=actor,
        note=note,
    )
    user.forget_roles()
    record(actor, "accounts.role.grant", assignment, after=snapshot(assignment))
    return assignment


@transaction.atomic
def end_role(
    actor: User, assignment: RoleAssignment, last_day: datetime.date | None = None
) -> None:
    """End an assignment (its last valid day); only the security administrator, or the
    delegator for a delegation they gave."""
    is_delegator = assignment.delegated_by_id == actor.pk
    if not is_delegator:
        _require_role(actor, Role.SECURITY_ADMIN)
        if assignment.user_id == actor.pk:
            raise PermissionDenied(_("Nobody may change their own roles."))
    before = snapshot(assignment)
    day = last_day or timezone.localdate() - datetime.timedelta(days=1)
    if day < assignment.valid_from:
        day = assignment.valid_from - datetime.timedelta(days=1)
    if assignment.role in ADMIN_ROLES:
        _keep_one_holder(assignment, day)
    assignment.valid_to = day
    assignment.save(update_fields=["valid_to"])
    assignment.user.forget_roles()
    record(actor, "accounts.role.end", assignment, before=before, after=snapshot(assignment))


def _keep_one_holder(assignment: RoleAssignment, last_day: datetime.date) -> None:
    """Each of the three administrator roles keeps at least one active holder: without a
    security administrator nobody could grant a role again, without an audit administrator
    nobody reads the trail, without a system administrator nobody keeps the accounts. A
    successor is appointed first, then the leaver's role ends."""
    today = timezone.localdate()
    if last_day >= today:
        return
    others = (
        RoleAssignment.objects.active_on(today)
        .filter(role=assignment.role)
        .exclude(user_id=assignment.user_id)
        .exists()
    )
    if not others:
        raise ValidationError(
            _("This is the last %(role)s. Grant the role to a successor first, then end this one.")
            % {"role": assignment.get_role_display()},
            code="last_admin",
        )


@transaction.atomic
def delegate(
    actor: User,
    *,
    assignment: RoleAssignment,
    to_user: User,
    valid_from: datetime.date,
    valid_to: datetime.date,
    note: str = "",
) -> RoleAssignment:
    """Leave cover: the holder of a working role hands it to a colleague for dated days.
    The delegation ends on its end date by itself (valid_to is its last day)."""
    today = timezone.localdate()
    if assignment.user_id != actor.pk or not assignment.is_active_on(today):
        raise PermissionDenied(_("You can delegate only a role you hold now."))
    if assignment.role in ADMIN_ROLES:
        raise PermissionDenied(_("Administrator roles cannot be delegated."))
    if assignment.delegated_by_id is not None:
        raise ValidationError(_("A delegated role cannot be delegated again."), code="redelegate")
    if to_user.pk == actor.pk:
        raise ValidationError(_("Choose a colleague other than yourself."), code="self")
    if to_user.roles() & ADMIN_ROLES:
        raise ValidationError(
            _("An administrator account may hold no other role (separation of duties)."),
            code="admin_exclusive",
        )
    if valid_to < valid_from:
        raise ValidationError(_("The end date is before the start date."), code="dates")
    if valid_from < today:
        raise ValidationError(_("A delegation cannot start in the past."), code="past")
    if assignment.valid_to is not None and valid_to > assignment.valid_to:
        raise ValidationError(
            _("A delegation cannot last beyond your own role (until %(d)s).")
            % {"d": assignment.valid_to},
            code="beyond",
        )
    delegation = RoleAssignment.objects.create(
        user=to_user,
        role=assignment.role,
        jurisdiction=assignment.jurisdiction,
        unit=assignment.unit,
        valid_from=valid_from,
        valid_to=valid_to,
        delegated_by=actor,
        granted_by=actor,
        note=note,
    )
    to_user.forget_roles()
    record(actor, "accounts.role.delegate", delegation, after=snapshot(delegation))
    return delegation


@transaction.atomic
def set_post_holder(actor: User, post: Post, person: Person | None) -> Post:
    """Holders of a post change without approval (DOMAIN.md §1): the office records it."""
    from .permissions import require

    require(actor, "change", post.unit)
    before = snapshot(post)
    post.holder = person
    post.save(update_fields=["holder"])
    record(actor, "accounts.post.holder", post, before=before, after=snapshot(post))
    return post


@transaction.atomic
def save_person(actor: User, person: Person, unit: Any, **fields: Any) -> Person:
    """Create or update a person's contact details, on behalf of a unit the actor may edit."""
    from .permissions import require

    require(actor, "change_contacts", unit)
    before = snapshot(person) if person.pk else None
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    record(actor, "accounts.person.save", person, before=before, after=snapshot(person))
    return person


SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The account scheduled jobs act as when a write needs a user (a matter's `created_by`):
    a named, inactive account with no usable password and no roles, so the audit trail and a
    matter's timeline say "the system" and nobody can sign in as it. Created on first use."""
    from django.contrib.auth.hashers import make_password

    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "display_name": _("System (scheduled job)"),
            "is_active": False,
            "password": make_password(None),
        },
    )
    if created:
        record(None, "accounts.user.system_create", user, after=snapshot(user))
    return user
