"""Which mechanisms govern a user's sign-in, which providers they allow, and that a provider
not allowed is neither offered nor accepted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.testing import make_user
from fuyuan.twofactor import policy
from fuyuan.twofactor.providers import offered_for_enrolment, offered_for_verification

from .helpers import ENROL, HOME, VERIFY, code_for, sign_in, sms_device, totp_device

pytestmark = pytest.mark.django_db


def set_factors(mechanism, factors):
    mechanism.settings = {**mechanism.settings, "second_factors": factors}
    mechanism.save(update_fields=["settings"])


def test_mechanisms_by_role(world):
    m = world.mechanisms
    assert policy.mechanisms_of(world.users["city_office"]) == [m["city"]]
    assert policy.mechanisms_of(world.users["a_office"]) == [m["a"]]
    # A unit's role: the mechanism of the unit's jurisdiction.
    assert policy.mechanisms_of(world.users["a_hrss_liaison"]) == [m["a"]]
    assert policy.mechanisms_of(world.users["b_court_staff"]) == [m["b"]]
    # Administrators and accounts without a role: the city-level mechanism.
    for name in ("system_admin", "security_admin", "audit_admin", "nobody"):
        assert policy.mechanisms_of(world.users[name]) == [m["city"]], name


def test_allowed_is_the_union_over_the_users_mechanisms(world):
    set_factors(world.mechanisms["city"], ["totp"])
    set_factors(world.mechanisms["a"], ["sms", "sso"])
    both = make_user("both", Role.OFFICE, jurisdiction=world.city)
    from fuyuan.accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=both,
        role=Role.LEADER,
        jurisdiction=world.county_a,
        valid_from=both.assignments.first().valid_from,
    )
    assert policy.allowed_mechanisms(world.users["city_office"]) == {"totp"}
    assert policy.allowed_mechanisms(world.users["a_office"]) == {"sms", "sso"}
    assert policy.allowed_mechanisms(both) == {"totp", "sms", "sso"}


@pytest.mark.parametrize(
    ("name", "required"),
    [
        ("city_office", True),
        ("a_office", True),
        ("city_leader", True),
        ("system_admin", True),
        ("security_admin", True),
        ("audit_admin", True),
        ("hrss_liaison", False),
        ("court_staff", False),
        ("nobody", False),
    ],
)
def test_who_must_have_a_second_factor(world, name, required):
    assert policy.is_required(world.users[name]) is required


def test_a_provider_the_mechanism_does_not_allow_is_not_offered_nor_accepted(world, enforced):
    user = world.users["city_office"]
    set_factors(world.mechanisms["city"], ["sms", "sso"])
    device = totp_device(user)
    sms_device(user)
    assert [p.name for p in offered_for_enrolment(user)] == ["sms"]
    assert [p.name for p in offered_for_verification(user)] == ["sms"]
    client = Client()
    sign_in(client, "city_office")
    page = client.get(VERIFY)
    assert page.context["provider"] == "sms"
    assert "provider=totp" not in page.content.decode()
    # Even a correct code of the app is refused.
    refused = client.post(VERIFY, {"provider": "totp", "code": code_for(device)})
    assert refused.status_code == 200
    assert client.get(HOME).url.startswith(VERIFY)
    entry = AuditEntry.objects.get(action="twofactor.verify", outcome="failed")
    assert entry.detail["reason"] == "not_allowed"
    # Nor can it be enrolled.
    client2 = Client()
    client2.force_login(world.users["a_office"])
    set_factors(world.mechanisms["a"], ["sms"])
    assert client2.get(reverse("twofactor:enrol_totp")).status_code == 403
    assert client2.post(reverse("twofactor:enrol_totp"), {"start": "1"}).status_code == 403


def test_only_sso_allowed_tells_the_user_to_use_sso(world, enforced):
    set_factors(world.mechanisms["city"], ["sso"])
    client = Client()
    assert sign_in(client, "city_leader").url.startswith(ENROL)
    page = client.get(ENROL)
    assert page.context["options"] == [] and page.context["sso_allowed"] is True
    assert client.get(HOME).url.startswith(ENROL)
