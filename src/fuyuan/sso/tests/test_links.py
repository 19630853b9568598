"""The security administrator's page of single sign-on links, the removal (audited) and the
mechanism lookup behind the second-factor rule."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.sso import actions
from fuyuan.sso.models import SsoIdentity
from fuyuan.sso.policy import allowed_second_factors, mechanisms_for, sso_allowed

from .browser import sign_in

pytestmark = pytest.mark.django_db


def _link(world, name: str = "city_office", subject: str = "gov-1") -> SsoIdentity:
    now = timezone.now()
    return SsoIdentity.objects.create(
        user=world.users[name],
        issuer="https://idp.example.gov.cn",
        subject=subject,
        username_at_link=name,
        linked_at=now,
    )


def test_security_admin_sees_every_link_and_others_may_not(world, client_for):
    _link(world)
    _link(world, "hrss_liaison", "gov-2")
    page = client_for("security_admin").get("/sso/links/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "gov-1" in text and "gov-2" in text
    filtered = client_for("security_admin").get("/sso/links/?q=hrss").content.decode()
    assert "gov-2" in filtered and "gov-1" not in filtered
    for role in ("city_office", "system_admin", "audit_admin"):
        assert client_for(role).get("/sso/links/").status_code == 403
    assert Client().get("/sso/links/").status_code == 302


def test_removing_a_link_is_audited_and_the_next_sign_in_links_again(world, client_for, idp):
    sign_in(Client(), idp, sub="gov-1", preferred_username="city_office")
    link = SsoIdentity.objects.get()
    admin = client_for("security_admin")
    response = admin.post(f"/sso/links/{link.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/sso/links/"
    assert not SsoIdentity.objects.exists()
    entry = AuditEntry.objects.get(action="sso.unlink")
    assert entry.actor == world.users["security_admin"]
    assert entry.before["subject"] == "gov-1"
    assert entry.object_id == str(link.pk)
    # A new subject with the same username may now link (e.g. the provider re-issued it).
    client = Client()
    assert sign_in(client, idp, sub="gov-new", preferred_username="city_office").status_code == 302
    assert SsoIdentity.objects.get().subject == "gov-new"


def test_only_the_security_admin_removes_links(world, client_for):
    link = _link(world)
    for role in ("city_office", "system_admin"):
        assert client_for(role).post(f"/sso/links/{link.pk}/remove/").status_code == 403
    assert client_for("security_admin").get(f"/sso/links/{link.pk}/remove/").status_code == 405
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.remove_link(world.users["city_office"], link)
    assert SsoIdentity.objects.filter(pk=link.pk).exists()


def test_a_user_sees_only_their_own_links(world):
    _link(world)
    _link(world, "hrss_liaison", "gov-2")
    mine = SsoIdentity.objects.visible_to(world.users["hrss_liaison"])
    assert [i.subject for i in mine] == ["gov-2"]
    assert SsoIdentity.objects.visible_to(world.users["security_admin"]).count() == 2


def test_mechanisms_of_a_user_come_from_their_roles(world):
    m = world.mechanisms
    assert mechanisms_for(world.users["a_office"]) == [m["a"]]
    assert mechanisms_for(world.users["city_office"]) == [m["city"]]
    # A unit role: the unit's jurisdiction's mechanism (a county department → the county).
    assert mechanisms_for(world.users["a_hrss_liaison"]) == [m["a"]]
    assert mechanisms_for(world.users["hrss_liaison"]) == [m["city"]]
    # Administrators and an account without roles: the city mechanism.
    assert mechanisms_for(world.users["security_admin"]) == [m["city"]]
    assert mechanisms_for(world.users["nobody"]) == [m["city"]]


def test_a_user_of_two_mechanisms_may_use_what_either_allows(world):
    """The rule fuyuan.twofactor.policy applies to every factor: the union of the settings."""
    from fuyuan.accounts.models import Role, RoleAssignment

    user = world.users["city_office"]
    RoleAssignment.objects.create(
        user=user, role=Role.OFFICE, jurisdiction=world.county_a, valid_from=timezone.localdate()
    )
    user.forget_roles()
    county = world.mechanisms["a"]
    county.settings = {**county.settings, "second_factors": ["totp"]}
    county.save()
    city = world.mechanisms["city"]
    city.settings = {**city.settings, "second_factors": ["sms"]}
    city.save()
    assert allowed_second_factors(user) == {"totp", "sms"}
    assert not sso_allowed(user)
