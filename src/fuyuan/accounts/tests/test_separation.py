"""Separation of the three administrators (三权分立, 等保 level 3), screen by screen and command
by command: the system administrator keeps accounts and reference data, the security
administrator grants roles, the audit administrator reads the trail, each gets exactly its
own power, none can give itself or another administrator a second power, and an
administrator holds no business role."""

from __future__ import annotations

import datetime
import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from fuyuan.accounts import actions
from fuyuan.accounts.management.commands import bootstrap_admins, changepassword, createsuperuser
from fuyuan.accounts.models import ADMIN_ROLES, REFERENCE_DATA_APPS, Role, RoleAssignment, User
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.models import AppendOnlyError, AuditEntry
from fuyuan.audit.record import record
from fuyuan.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ADMINS = ("system_admin", "security_admin", "audit_admin")


def _fresh(user: User) -> User:
    user.forget_roles()
    return user


def _roles_of(user: User) -> set[str]:
    return _fresh(user).roles()


# --- Django admin -------------------------------------------------------------------------------
def test_django_admin_holds_reference_data_only():
    """No model of accounts, audit, auth or any other app is registered: roles, users'
    flags and audit entries cannot be edited there by anyone."""
    labels = {model._meta.app_label for model in admin.site._registry}
    assert labels <= REFERENCE_DATA_APPS, labels
    registered = {model._meta.label for model in admin.site._registry}
    for forbidden in (
        "accounts.User",
        "accounts.RoleAssignment",
        "accounts.Person",
        "accounts.Post",
        "audit.AuditEntry",
        "auth.Group",
        "auth.Permission",
        "org.MembershipChange",
    ):
        assert forbidden not in registered


def test_reference_data_in_django_admin_is_never_deleted(world):
    request = _Request(world.users["system_admin"])
    for model, model_admin in admin.site._registry.items():
        assert model_admin.has_delete_permission(request) is False, model._meta.label


class _Request:
    def __init__(self, user):  # type: ignore[no-untyped-def]
        self.user = user


def test_system_admin_has_django_permissions_for_reference_data_only(world):
    system = world.users["system_admin"]
    assert system.is_staff
    assert system.has_perm("org.change_unit")
    for perm in (
        "accounts.change_user",
        "accounts.add_roleassignment",
        "accounts.change_roleassignment",
        "audit.change_auditentry",
        "audit.delete_auditentry",
        "auth.change_permission",
    ):
        assert not system.has_perm(perm), perm
    assert not system.has_module_perms("accounts")
    assert not system.has_module_perms("audit")


def test_no_superuser_flag_exists():
    field_names = {f.name for f in User._meta.get_fields()}
    assert "is_superuser" not in field_names
    assert "user_permissions" not in field_names
    assert "groups" not in field_names


def test_django_admin_pages_of_users_roles_and_audit_do_not_exist(world, client_for):
    client = client_for("system_admin")
    assert client.get("/admin/org/unit/").status_code == 200
    for url in (
        "/admin/accounts/user/",
        "/admin/accounts/roleassignment/",
        "/admin/accounts/roleassignment/add/",
        "/admin/audit/auditentry/",
        "/admin/auth/group/",
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", ["security_admin", "audit_admin", "city_office"])
def test_other_administrators_are_sent_away_from_django_admin(world, client_for, name):
    for url in ("/admin/", "/admin/org/unit/", f"/admin/org/unit/{world.units['hrss'].pk}/change/"):
        response = client_for(name).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    assert not world.users[name].is_staff


def test_audit_entries_cannot_be_altered_or_deleted(world):
    entry = record(world.users["city_office"], "test.event")
    entry.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


# --- the audit trail ----------------------------------------------------------------------------
def test_only_the_audit_admin_reads_the_trail(world, client_for):
    url = reverse("audit:entry_list")
    assert client_for("audit_admin").get(url).status_code == 200
    for name in ("system_admin", "security_admin", "city_office", "city_leader", "hrss_liaison"):
        assert client_for(name).get(url).status_code == 403, name


def test_audit_admin_cannot_alter_anything_through_a_page(world, client_for):
    """Every page that writes answers the audit administrator 403 (or sends it to the
    sign-in page of Django admin): it reads the trail and nothing else."""
    client = client_for("audit_admin")
    nobody = world.users["nobody"]
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.post(reverse("accounts:user_toggle", args=[nobody.pk])).status_code == 403
    assert client.get(reverse("accounts:assignment_list")).status_code == 403
    response = client.post(
        reverse("accounts:assignment_list"),
        {"user": nobody.pk, "role": Role.AUDIT_ADMIN, "valid_from": "2026-01-01"},
    )
    assert response.status_code == 403
    assert client.get("/admin/").status_code == 302
    assert not RoleAssignment.objects.filter(user=nobody).exists()
    assert User.objects.get(pk=nobody.pk).is_active
    # Only the denials were written, by the middleware.
    added = set(AuditEntry.objects.filter(seq__gt=last).values_list("action", flat=True))
    assert added == {"security.permission_denied"}


def test_audit_admin_reaches_no_business_page(world, client_for):
    client = client_for("audit_admin")
    for route in ("org:mechanism_list", "org:unit_list", "org:change_list"):
        assert client.get(reverse(route)).status_code == 403, route


# --- the system administrator's user page -------------------------------------------------------
def test_system_admin_creates_accounts_without_any_role(world, client_for):
    response = client_for("system_admin").post(
        reverse("accounts:user_list"),
        {
            "username": "new_clerk",
            "display_name": "新办事员",
            "password": "Another-pass-2026!",
            # Fields the form does not know are ignored: no role comes with an account.
            "role": Role.SECURITY_ADMIN,
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="new_clerk")
    assert not RoleAssignment.objects.filter(user=created).exists()
    assert _roles_of(created) == set()
    assert not created.is_staff
    assert AuditEntry.objects.filter(action="accounts.user.create", object_id=str(created.pk))


@pytest.mark.parametrize("name", ["security_admin", "audit_admin", "city_office"])
def test_only_the_system_admin_creates_or_switches_accounts(world, name):
    actor = world.users[name]
    with pytest.raises(PermissionDenied):
        actions.create_user(actor, username="x1", display_name="x", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        actions.set_user_active(actor, world.users["nobody"], False)
    assert not User.objects.filter(username="x1").exists()
    assert User.objects.get(pk=world.users["nobody"].pk).is_active


def test_security_admin_cannot_create_accounts_or_reset_passwords_on_the_pages(world, client_for):
    client = client_for("security_admin")
    response = client.post(
        reverse("accounts:user_list"),
        {"username": "sec_made", "display_name": "x", "password": "Another-pass-2026!"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sec_made").exists()
    # No page sets another account's password: the password page changes the signed-in
    # user's own password and asks for the current one.
    nobody = world.users["nobody"]
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "Xy-12345678!", "new_password2": "Xy-12345678!"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=nobody.pk).check_password(PASSWORD)


@pytest.mark.parametrize("target", ["security_admin", "audit_admin"])
def test_system_admin_cannot_switch_off_another_administrator(world, client_for, target):
    """Otherwise it could silence the administrator watching it."""
    account = world.users[target]
    response = client_for("system_admin").post(reverse("accounts:user_toggle", args=[account.pk]))
    assert response.status_code == 403
    assert User.objects.get(pk=account.pk).is_active
    denial = AuditEntry.objects.filter(action="security.permission_denied").latest("seq")
    assert denial.actor_name == "system_admin"


def test_system_admin_cannot_switch_itself_off(world):
    system = world.users["system_admin"]
    with pytest.raises(PermissionDenied):
        actions.set_user_active(system, system, False)


def test_a_retired_administrator_is_switched_off_after_its_role_ends(world):
    """The two-person path: the security administrator ends the role (a successor holds
    it), then the system administrator switches the account off."""
    security = world.users["security_admin"]
    system = world.users["system_admin"]
    old_audit = world.users["audit_admin"]
    successor = make_user("audit_admin_2")
    actions.grant_role(security, user=successor, role=Role.AUDIT_ADMIN)
    with pytest.raises(PermissionDenied):
        actions.set_user_active(system, old_audit, False)
    actions.end_role(security, RoleAssignment.objects.get(user=old_audit, role=Role.AUDIT_ADMIN))
    actions.set_user_active(system, old_audit, False)
    assert not User.objects.get(pk=old_audit.pk).is_active
    assert AuditEntry.objects.filter(
        action="accounts.user.deactivate", object_id=str(old_audit.pk)
    ).exists()


def test_system_admin_switches_an_ordinary_account_off_and_on(world):
    system = world.users["system_admin"]
    nobody = world.users["nobody"]
    actions.set_user_active(system, nobody, False)
    assert not User.objects.get(pk=nobody.pk).is_active
    actions.set_user_active(system, nobody, True)
    assert User.objects.get(pk=nobody.pk).is_active


# --- the security administrator's role page ------------------------------------------------------
@pytest.mark.parametrize("name", ["system_admin", "audit_admin", "city_office"])
def test_only_the_security_admin_grants_roles(world, client_for, name):
    client = client_for(name)
    nobody = world.users["nobody"]
    assert client.get(reverse("accounts:assignment_list")).status_code == 403
    response = client.post(
        reverse("accounts:assignment_list"),
        {
            "user": world.users[name].pk,
            "role": Role.SECURITY_ADMIN,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        actions.grant_role(world.users[name], user=nobody, role=Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        actions.grant_role(world.users[name], user=world.users[name], role=Role.SECURITY_ADMIN)
    assert not RoleAssignment.objects.filter(role=Role.SECURITY_ADMIN).exclude(
        user=world.users["security_admin"]
    )


def test_security_admin_cannot_grant_itself_a_role_on_the_page(world, client_for):
    security = world.users["security_admin"]
    response = client_for("security_admin").post(
        reverse("accounts:assignment_list"),
        {
            "user": security.pk,
            "role": Role.SYSTEM_ADMIN,
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    # The form does not offer its own account; nothing is granted.
    assert response.status_code == 200
    assert _roles_of(security) == {Role.SECURITY_ADMIN}
    for role in (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.OFFICE):
        with pytest.raises(PermissionDenied):
            actions.grant_role(security, user=security, role=role, jurisdiction=world.city)
    assert _roles_of(security) == {Role.SECURITY_ADMIN}


def test_security_admin_cannot_end_or_change_its_own_role(world, client_for):
    security = world.users["security_admin"]
    own = RoleAssignment.objects.get(user=security)
    response = client_for("security_admin").post(reverse("accounts:assignment_end", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.valid_to is None
    with pytest.raises(PermissionDenied):
        actions.end_role(security, own)


def test_no_administrator_gets_a_business_role_or_a_second_administrator_role(world):
    security = world.users["security_admin"]
    for name in ("system_admin", "audit_admin"):
        for role, where in (
            (Role.OFFICE, {"jurisdiction": world.city}),
            (Role.LEADER, {"jurisdiction": world.city}),
            (Role.LIAISON, {"unit": world.units["hrss"]}),
            (Role.COURT, {"unit": world.units["court"]}),
            (Role.SECURITY_ADMIN, {}),
        ):
            with pytest.raises(ValidationError) as caught:
                actions.grant_role(security, user=world.users[name], role=role, **where)
            assert caught.value.code == "admin_exclusive"
    with pytest.raises(ValidationError):
        actions.grant_role(security, user=world.users["hrss_liaison"], role=Role.SYSTEM_ADMIN)


@pytest.mark.parametrize("name", ADMINS)
def test_an_administrator_holds_no_business_role(world, name):
    user = world.users[name]
    scope = scope_for(_fresh(user))
    assert not scope.is_member
    assert scope.roles == {name}
    assert not scope.oversight and not scope.units


def test_nobody_delegates_to_an_administrator(world):
    office = world.users["city_office"]
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        actions.delegate(
            office,
            assignment=office.active_assignments()[0],
            to_user=world.users["audit_admin"],
            valid_from=today,
            valid_to=today,
        )
    assert _roles_of(world.users["audit_admin"]) == {Role.AUDIT_ADMIN}


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES - {Role.SECURITY_ADMIN}))
def test_the_last_holder_of_an_administrator_role_stays(world, role):
    security = world.users["security_admin"]
    holder = world.users[role]
    assignment = RoleAssignment.objects.get(user=holder, role=role)
    with pytest.raises(ValidationError) as caught:
        actions.end_role(security, assignment)
    assert caught.value.code == "last_admin"
    assignment.refresh_from_db()
    assert assignment.valid_to is None
    assert role in _roles_of(holder)
    # With a successor in place, the old holder's role can end.
    successor = make_user(f"{role}_successor")
    actions.grant_role(security, user=successor, role=role)
    actions.end_role(security, assignment)
    assert role not in _roles_of(holder)


def test_the_last_security_admin_cannot_be_removed(world, client_for):
    """It cannot end its own role, and no one else may end roles; a second security
    administrator may end the first's, and then is the last one itself."""
    first = world.users["security_admin"]
    second = make_user("security_admin_2")
    actions.grant_role(first, user=second, role=Role.SECURITY_ADMIN)
    own = RoleAssignment.objects.get(user=first, role=Role.SECURITY_ADMIN)
    actions.end_role(_fresh(second), own)
    assert Role.SECURITY_ADMIN not in _roles_of(first)
    remaining = RoleAssignment.objects.get(user=second, role=Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied):
        actions.end_role(_fresh(second), remaining)
    # The page tells the security administrator why, and keeps the role.
    response = client_for("security_admin").post(
        reverse("accounts:assignment_end", args=[remaining.pk])
    )
    assert response.status_code == 403  # the first one is no longer a security admin
    remaining.refresh_from_db()
    assert remaining.valid_to is None


def test_ending_the_last_audit_admin_on_the_page_shows_why(world, client_for):
    assignment = RoleAssignment.objects.get(user=world.users["audit_admin"])
    response = client_for("security_admin").post(
        reverse("accounts:assignment_end", args=[assignment.pk]), follow=True
    )
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.valid_to is None
    assert "last_admin" not in response.content.decode()
    assert any("successor" in str(m) or "接任" in str(m) for m in response.context["messages"])


def test_a_future_end_of_the_last_holder_is_allowed(world):
    """An end date in the future keeps the role until then: a successor can be named in
    the meantime."""
    security = world.users["security_admin"]
    assignment = RoleAssignment.objects.get(user=world.users["audit_admin"])
    last_day = timezone.localdate() + datetime.timedelta(days=7)
    actions.end_role(security, assignment, last_day)
    assignment.refresh_from_db()
    assert assignment.valid_to == last_day


# --- settings and system clients ----------------------------------------------------------------
def test_mechanism_settings_are_the_office_s_not_an_administrator_s(world, client_for):
    url = reverse("org:mechanism_settings", args=[world.mechanisms["city"].pk])
    assert client_for("city_office").get(url).status_code == 200
    for name in ADMINS:
        assert client_for(name).get(url).status_code == 403, name


def test_system_clients_and_tokens_are_the_system_admin_s(world, client_for):
    assert client_for("system_admin").get(reverse("exchange:client_list")).status_code == 200
    for name in ("security_admin", "audit_admin", "city_office"):
        assert client_for(name).get(reverse("exchange:client_list")).status_code == 403, name


# --- commands -----------------------------------------------------------------------------------
def test_the_fuyuan_commands_replace_django_s():
    """Django runs the command of the first app defining it: fuyuan.accounts must come
    before django.contrib.auth, or `createsuperuser` would create an all-powerful account."""
    apps = list(settings.INSTALLED_APPS)
    assert apps.index("fuyuan.accounts") < apps.index("django.contrib.auth")
    get_commands.cache_clear()
    commands = get_commands()
    assert commands["createsuperuser"] == "fuyuan.accounts"
    assert commands["changepassword"] == "fuyuan.accounts"
    assert commands["bootstrap_admins"] == "fuyuan.accounts"


def test_createsuperuser_is_refused(world):
    before = User.objects.count()
    with pytest.raises(CommandError, match="bootstrap-admins"):
        call_command(
            createsuperuser.Command(),
            "--no-input",
            "--username",
            "root",
            "--display_name",
            "root",
        )
    assert User.objects.count() == before


BOOT_ENV = {
    "FUYUAN_SYSTEM_ADMIN_PASSWORD": "Sys-admin-2026!",
    "FUYUAN_SECURITY_ADMIN_PASSWORD": "Sec-admin-2026!",
    "FUYUAN_AUDIT_ADMIN_PASSWORD": "Aud-admin-2026!",
}


def _boot(monkeypatch, env=BOOT_ENV, *args):  # type: ignore[no-untyped-def]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    call_command(bootstrap_admins.Command(), "--no-input", *args, stdout=out)
    return out.getvalue()


def test_bootstrap_creates_three_separate_administrators_once(monkeypatch):
    _boot(monkeypatch)
    expected = {
        "sysadmin": Role.SYSTEM_ADMIN,
        "secadmin": Role.SECURITY_ADMIN,
        "auditadmin": Role.AUDIT_ADMIN,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert _roles_of(user) == {role}
        assert RoleAssignment.objects.filter(user=user).count() == 1
        # The operator knew the password: the holder replaces it at the first sign-in.
        assert user.password_changed_at is None
        assert user.check_password(
            BOOT_ENV[f"FUYUAN_{role.removesuffix('_admin').upper()}_ADMIN_PASSWORD"]
        )
        entries = AuditEntry.objects.filter(object_id=str(user.pk), object_kind="accounts.user")
        assert entries.filter(action="accounts.user.create").count() == 1
        assert entries.get().detail["command"] == "bootstrap_admins"
    assert AuditEntry.objects.filter(action="accounts.role.grant").count() == 3
    # Once only.
    with pytest.raises(CommandError):
        _boot(monkeypatch, BOOT_ENV, "--system-username", "sysadmin2")
    assert not User.objects.filter(username="sysadmin2").exists()


def test_bootstrap_refuses_an_instance_with_administrators(world, monkeypatch):
    with pytest.raises(CommandError):
        _boot(monkeypatch)
    assert not User.objects.filter(username="sysadmin").exists()


@pytest.mark.parametrize(
    "env",
    [
        {**BOOT_ENV, "FUYUAN_AUDIT_ADMIN_PASSWORD": ""},
        {**BOOT_ENV, "FUYUAN_AUDIT_ADMIN_PASSWORD": "short"},
        {**BOOT_ENV, "FUYUAN_AUDIT_ADMIN_PASSWORD": BOOT_ENV["FUYUAN_SYSTEM_ADMIN_PASSWORD"]},
    ],
    ids=["missing", "weak", "shared"],
)
def test_bootstrap_refuses_bad_passwords_and_writes_nothing(monkeypatch, env):
    with pytest.raises(CommandError):
        _boot(monkeypatch, env)
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_bootstrap_refuses_one_account_for_two_roles(monkeypatch):
    with pytest.raises(CommandError):
        _boot(monkeypatch, BOOT_ENV, "--audit-username", "sysadmin")
    assert not User.objects.exists()


def _answers(monkeypatch, *answers: str) -> None:
    given = iter(answers)
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt="": next(given))


def test_changepassword_needs_a_reason(world, monkeypatch):
    _answers(monkeypatch, "New-pass-2026!x", "New-pass-2026!x")
    with pytest.raises(CommandError, match="--reason"):
        call_command(changepassword.Command(), "security_admin")
    assert User.objects.get(username="security_admin").check_password(PASSWORD)


def test_changepassword_is_an_audited_break_glass(world, monkeypatch):
    _answers(monkeypatch, "New-pass-2026!x", "New-pass-2026!x")
    out = io.StringIO()
    reason = "工单 2026-118：遗忘密码"
    call_command(changepassword.Command(), "security_admin", "--reason", reason, stdout=out)
    user = User.objects.get(username="security_admin")
    assert user.check_password("New-pass-2026!x")
    assert user.password_changed_at is None  # to be replaced at the next sign-in
    entry = AuditEntry.objects.get(action="accounts.password.break_glass")
    assert entry.object_id == str(user.pk)
    assert entry.outcome == "success"
    assert entry.detail["reason"] == reason
    assert entry.actor_name.startswith("os:")
    assert "New-pass" not in str(entry.detail)


def test_changepassword_failures_change_nothing_and_are_audited(world, monkeypatch):
    _answers(monkeypatch, *(["New-pass-2026!x", "different-2026!X"] * 3))
    with pytest.raises(CommandError):
        call_command(changepassword.Command(), "audit_admin", "--reason", "test")
    assert User.objects.get(username="audit_admin").check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.password.break_glass")
    assert entry.outcome == "failed"


def test_changepassword_refuses_the_system_account(world, monkeypatch):
    actions.system_user()
    _answers(monkeypatch, "New-pass-2026!x", "New-pass-2026!x")
    with pytest.raises(CommandError):
        call_command(changepassword.Command(), "system", "--reason", "test")
    assert not User.objects.get(username="system").has_usable_password()


# --- liaison accounts: provisioned by the office, confirmed by the security administrator -------
LIAISON_FORM = {
    "display_name": "人社局联络员乙",
    "username": "hrss_liaison_2",
    "password": "Liaison-pass-2026!",
    "reason": "人社局来函更换联络员",
}


def _provision(world, actor="city_office", unit=None, **extra):  # type: ignore[no-untyped-def]
    from fuyuan.org import actions as org_actions

    return org_actions.provision_liaison_account(
        world.users[actor],
        world.mechanisms["city"],
        unit=unit or world.units["hrss"],
        **{**LIAISON_FORM, **extra},
    )


def test_the_office_provisions_a_switched_off_liaison_account(world, client_for):
    url = reverse("org:liaison_account_create") + f"?mechanism={world.mechanisms['city'].pk}"
    response = client_for("city_office").post(url, {**LIAISON_FORM, "unit": world.units["hrss"].pk})
    assert response.status_code == 302
    account = User.objects.get(username="hrss_liaison_2")
    assert not account.is_active
    assert _roles_of(account) == set()
    assert not RoleAssignment.objects.filter(user=account).exists()
    assert account.password_changed_at is None
    from fuyuan.org.models import MembershipChange

    change = MembershipChange.objects.get(account=account)
    assert (change.kind, change.state, change.unit) == ("liaison", "proposed", world.units["hrss"])
    assert response["Location"] == reverse("org:change_detail", args=[change.pk])
    assert AuditEntry.objects.filter(action="accounts.user.create", object_id=str(account.pk))
    # The account cannot sign in yet.
    from django.test import Client

    outsider = Client()
    outsider.post(
        reverse("accounts:login"),
        {"username": "hrss_liaison_2", "password": LIAISON_FORM["password"]},
    )
    assert "_auth_user_id" not in outsider.session


@pytest.mark.parametrize("name", ["hrss_liaison", "a_office", "city_leader", "system_admin"])
def test_only_the_office_of_the_joint_meeting_provisions_liaison_accounts(world, name):
    with pytest.raises(PermissionDenied):
        _provision(world, name)
    assert not User.objects.filter(username="hrss_liaison_2").exists()


def test_a_liaison_account_is_not_a_proposal_to_the_convener(world):
    from fuyuan.org import actions as org_actions

    with pytest.raises(PermissionDenied):
        org_actions.propose_membership_change(
            world.users["city_office"],
            world.mechanisms["city"],
            unit=world.units["hrss"],
            kind="liaison",
            reason="x",
        )


def test_provisioning_checks_the_unit_and_the_account(world):
    with pytest.raises(ValidationError) as caught:
        _provision(world, unit=world.units["a_hrss"], username="x_1", password="short")
    codes = {e.code for errors in caught.value.error_dict.values() for e in errors}
    assert {"membership.other_jurisdiction", "password"} <= codes
    with pytest.raises(ValidationError) as caught:
        _provision(world, username="hrss_liaison")
    assert "username" in caught.value.error_dict
    assert not User.objects.filter(username="x_1").exists()


def test_the_security_admin_confirms_the_liaison_role(world, client_for):
    change = _provision(world)
    client = client_for("security_admin")
    page = client.get(reverse("accounts:assignment_list"))
    assert page.status_code == 200
    assert "hrss_liaison_2" in page.content.decode()
    assert client.get(reverse("org:change_detail", args=[change.pk])).status_code == 200
    response = client.post(
        reverse("org:change_transition", args=[change.pk, "confirm"]), {"version": change.version}
    )
    assert response.status_code == 302
    account = User.objects.get(pk=change.account_id)
    assert account.is_active
    assignment = RoleAssignment.objects.get(user=account)
    assert (assignment.role, assignment.unit) == (Role.LIAISON, world.units["hrss"])
    assert assignment.granted_by == world.users["security_admin"]
    assert _roles_of(account) == {Role.LIAISON}
    change.refresh_from_db()
    assert change.state == "approved"
    assert change.decided_by == world.users["security_admin"]
    assert AuditEntry.objects.filter(action="accounts.role.grant", object_id=str(assignment.pk))
    assert AuditEntry.objects.filter(action="org.membership_change.confirm")
    assert "hrss_liaison_2" not in client.get(reverse("accounts:assignment_list")).content.decode()


@pytest.mark.parametrize("name", ["city_office", "city_leader", "system_admin", "audit_admin"])
def test_nobody_but_the_security_admin_confirms_a_liaison_role(world, client_for, name):
    change = _provision(world)
    response = client_for(name).post(
        reverse("org:change_transition", args=[change.pk, "confirm"]), {"version": change.version}
    )
    assert response.status_code == 403
    account = User.objects.get(pk=change.account_id)
    assert not account.is_active
    assert not RoleAssignment.objects.filter(user=account).exists()


def test_the_security_admin_rejects_a_liaison_account_with_a_reason(world, client_for):
    change = _provision(world)
    url = reverse("org:change_transition", args=[change.pk, "reject"])
    client = client_for("security_admin")
    assert client.post(url, {"version": change.version}).status_code == 200  # reason missing
    response = client.post(url, {"version": change.version, "comment": "未见单位来函"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == "rejected"
    account = User.objects.get(pk=change.account_id)
    assert not account.is_active
    assert not RoleAssignment.objects.filter(user=account).exists()


def test_the_security_admin_sees_no_other_membership_change(world, client_for):
    from fuyuan.org import actions as org_actions

    other = org_actions.propose_membership_change(
        world.users["hrss_liaison"],
        world.mechanisms["city"],
        unit=world.units["hrss"],
        kind="leave",
        reason="机构调整",
    )
    client = client_for("security_admin")
    assert client.get(reverse("org:change_detail", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("org:change_transition", args=[other.pk, "approve"]), {"version": other.version}
    )
    assert response.status_code == 403


def test_a_security_admin_cannot_confirm_a_request_for_its_own_account(world):
    """Were the office to name a security administrator's account, the grant would be to
    itself: refused by the graph and by grant_role."""
    from fuyuan.core.workflow import TransitionError
    from fuyuan.org import actions as org_actions

    change = _provision(world)
    security = world.users["security_admin"]
    change.account = security
    change.save(update_fields=["account"])
    with pytest.raises(TransitionError):
        org_actions.decide_membership_change(security, change, "confirm")
    assert _roles_of(security) == {Role.SECURITY_ADMIN}


def test_the_security_admin_is_told_of_a_liaison_account_to_confirm(
    world, django_capture_on_commit_callbacks
):
    from fuyuan.notify.models import InboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        change = _provision(world)
    message = InboxMessage.objects.get(user=world.users["security_admin"])
    assert message.url == f"/org/changes/{change.pk}/"
    assert not InboxMessage.objects.filter(user=world.users["system_admin"]).exists()
