"""Roles: dated assignments, delegation ending on its end date, and the separation of the
three administrators (三权分立)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.accounts import actions
from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, scope_for
from fuyuan.audit.models import AuditEntry


def _fresh(user):
    user.forget_roles()
    return user


@pytest.mark.django_db
def test_delegation_holds_through_its_last_day_and_ends_after(world):
    today = timezone.localdate()
    office = world.users["city_office"]
    deputy = world.users["nobody"]
    assignment = office.active_assignments()[0]
    end = today + datetime.timedelta(days=5)
    actions.delegate(office, assignment=assignment, to_user=deputy, valid_from=today, valid_to=end)
    assert Role.OFFICE in _fresh(deputy).roles()
    with time_machine.travel(datetime.datetime.combine(end, datetime.time(23, 0)).astimezone()):
        assert Role.OFFICE in _fresh(deputy).roles()
        assert scope_for(_fresh(deputy)).oversees(world.county_a.path)
    after = end + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(after, datetime.time(8, 0)).astimezone()):
        assert Role.OFFICE not in _fresh(deputy).roles()
        assert not scope_for(_fresh(deputy)).oversees(world.county_a.path)
    assert AuditEntry.objects.filter(action="accounts.role.delegate").exists()


@pytest.mark.django_db
def test_delegated_office_user_sees_what_the_office_sees(world, client_for):
    today = timezone.localdate()
    office = world.users["city_office"]
    deputy = world.users["nobody"]
    mechanism = world.mechanisms["a"]
    assert not can(deputy, "view", mechanism)
    actions.delegate(
        office,
        assignment=office.active_assignments()[0],
        to_user=deputy,
        valid_from=today,
        valid_to=today + datetime.timedelta(days=2),
    )
    assert can(_fresh(deputy), "view", mechanism)


@pytest.mark.django_db
def test_administrator_roles_cannot_be_delegated(world):
    admin = world.users["system_admin"]
    with pytest.raises(PermissionDenied):
        actions.delegate(
            admin,
            assignment=admin.active_assignments()[0],
            to_user=world.users["nobody"],
            valid_from=timezone.localdate(),
            valid_to=timezone.localdate(),
        )


@pytest.mark.django_db
def test_security_admin_cannot_grant_itself_anything(world):
    sec = world.users["security_admin"]
    with pytest.raises(PermissionDenied):
        actions.grant_role(sec, user=sec, role=Role.AUDIT_ADMIN)


@pytest.mark.django_db
def test_system_admin_cannot_grant_roles(world):
    with pytest.raises(PermissionDenied):
        actions.grant_role(
            world.users["system_admin"], user=world.users["nobody"], role=Role.AUDIT_ADMIN
        )


@pytest.mark.django_db
def test_an_administrator_holds_no_other_role(world):
    sec = world.users["security_admin"]
    with pytest.raises(ValidationError):
        actions.grant_role(sec, user=world.users["audit_admin"], role=Role.SYSTEM_ADMIN)
    with pytest.raises(ValidationError):
        actions.grant_role(
            sec, user=world.users["audit_admin"], role=Role.OFFICE, jurisdiction=world.city
        )
    with pytest.raises(ValidationError):
        actions.grant_role(sec, user=world.users["city_office"], role=Role.AUDIT_ADMIN)


@pytest.mark.django_db
def test_security_admin_grants_and_ends_a_role(world):
    sec = world.users["security_admin"]
    target = world.users["nobody"]
    assignment = actions.grant_role(sec, user=target, role=Role.LIAISON, unit=world.units["hrss"])
    assert assignment.jurisdiction == world.city
    assert Role.LIAISON in _fresh(target).roles()
    actions.end_role(sec, assignment)
    assert Role.LIAISON not in _fresh(target).roles()
    assert AuditEntry.objects.filter(action="accounts.role.end").exists()


@pytest.mark.django_db
def test_unit_role_needs_a_unit(world):
    with pytest.raises(ValidationError):
        actions.grant_role(
            world.users["security_admin"], user=world.users["nobody"], role=Role.LIAISON
        )


@pytest.mark.django_db
def test_only_the_system_admin_reaches_django_admin(world, client_for):
    assert client_for("system_admin").get("/admin/").status_code == 200
    for name in ("security_admin", "audit_admin", "city_office", "hrss_liaison"):
        assert client_for(name).get("/admin/").status_code == 302


@pytest.mark.django_db
def test_audit_trail_only_for_the_audit_admin(world, client_for):
    assert client_for("audit_admin").get("/audit/").status_code == 200
    for name in ("system_admin", "security_admin", "city_office", "city_leader"):
        assert client_for(name).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_permission_denials_are_audited(world, client_for):
    client_for("hrss_liaison").get("/audit/")
    entry = AuditEntry.objects.filter(action="security.permission_denied").latest("seq")
    assert entry.actor_name == "hrss_liaison"
    assert entry.outcome == "denied"


@pytest.mark.django_db
def test_each_role_home_page_renders(world, client_for):
    for name in world.users:
        response = client_for(name).get("/")
        assert response.status_code == 200, name
    office_home = client_for("city_office").get("/").content.decode()
    assert "驻马店市府院联动联席会议" in office_home


def test_the_user_page_offers_no_switch_off_for_administrators(world, client_for):
    from django.urls import reverse

    page = client_for("system_admin").get(reverse("accounts:user_list")).content.decode()
    for name in ("security_admin", "audit_admin"):
        user = world.users[name]
        assert reverse("accounts:user_toggle", args=[user.pk]) not in page
    liaison = world.users["hrss_liaison"]
    assert reverse("accounts:user_toggle", args=[liaison.pk]) in page
