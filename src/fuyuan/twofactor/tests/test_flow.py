"""The sign-in flow: who is sent to verification or enrolment, what an unverified session can
reach (pages, HTMX, API), and that an SSO-verified session passes."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.exchange.tests.client_helpers import make_client
from fuyuan.twofactor import SESSION_KEY

from .helpers import ENROL, HOME, VERIFY, sign_in, totp_device, verified_client

pytestmark = pytest.mark.django_db

UNITS_API = "/api/v1/org/units/"


def test_the_suite_runs_with_enforcement_off_and_force_login_still_reaches_pages(world):
    assert django_settings.TESTING and django_settings.FUYUAN_SECOND_FACTOR_ENFORCED is False
    client = Client()
    client.force_login(world.users["city_office"])
    assert client.get(HOME).status_code == 200


REQUIRED = [
    "city_office",
    "a_office",
    "city_leader",
    "system_admin",
    "security_admin",
    "audit_admin",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_a_required_role_without_a_device_must_enrol_and_reaches_nothing_else(
    world, enforced, name
):
    client = Client()
    response = sign_in(client, name)
    assert response.status_code == 302
    assert response.url == f"{ENROL}?next=%2F"
    # Every other page sends back to enrolment, with the page to come back to.
    for path in (HOME, reverse("accounts:profile"), reverse("accounts:password_change")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(ENROL), path
    page = client.get(ENROL)
    assert page.status_code == 200
    assert 'id="second-factor-required"' in page.content.decode()
    # The half-signed-in page shows no menu: nothing behind it is reachable yet.
    assert 'id="mainnav"' not in page.content.decode()
    # Exempt: the session poll, the language switch and signing out.
    assert client.get(reverse("accounts:session")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "zh-hans"}).status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(HOME).url.startswith(reverse("accounts:login"))


def test_htmx_and_api_requests_of_an_unverified_session_are_refused(world, enforced):
    client = Client()
    sign_in(client, "city_office")
    htmx = client.get(reverse("notify:unread"), headers={"HX-Request": "true"})
    assert htmx.status_code == 403
    assert htmx["HX-Redirect"].startswith(ENROL)
    api = client.get(UNITS_API)
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    assert api.json()["message"]


def test_a_bearer_token_client_is_not_affected(world, enforced):
    _client, _token, raw = make_client(world, "hrss")
    client = Client()
    # Even with an unverified person's session cookie beside it, the token decides.
    sign_in(client, "city_office")
    response = client.get("/api/v1/exchange/grants/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_an_optional_role_without_a_device_signs_in_with_the_password_alone(world, enforced):
    for name in ("hrss_liaison", "court_staff"):
        client = Client()
        response = sign_in(client, name)
        assert response.status_code == 302 and response.url == "/", name
        assert client.get(HOME).status_code == 200
        assert client.get(UNITS_API).status_code == 200
        # They may enrol from their profile.
        profile = client.get(reverse("accounts:profile")).content.decode()
        assert reverse("twofactor:devices") in profile
        assert client.get(ENROL).status_code == 200


def test_an_optional_role_with_a_device_must_verify(world, enforced):
    totp_device(world.users["hrss_liaison"])
    client = Client()
    response = sign_in(client, "hrss_liaison")
    assert response.url == f"{VERIFY}?next=%2F"
    assert client.get(HOME).url.startswith(VERIFY)
    # Nor can someone holding only the password enrol another device.
    response = client.get(reverse("twofactor:enrol_totp"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert client.get(reverse("twofactor:devices")).url.startswith(VERIFY)


def test_a_session_marked_verified_by_sso_passes(world, enforced):
    totp_device(world.users["city_leader"])
    client = verified_client(world.users["city_leader"], "sso")
    assert client.get(HOME).status_code == 200
    assert client.get(UNITS_API).status_code == 200
    # The verification page has nothing to ask and goes on.
    assert client.get(VERIFY).status_code == 302


def test_the_password_alone_never_carries_a_verified_flag_into_the_session(world, enforced):
    client = Client()
    session = client.session
    session[SESSION_KEY] = "sso"
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    response = sign_in(client, "city_office")
    assert response.url.startswith(ENROL)
    assert SESSION_KEY not in client.session


def test_next_is_kept_through_verification(world, enforced):
    device = totp_device(world.users["city_office"])
    client = Client()
    client.post(
        reverse("accounts:login") + "?next=/matters/",
        {"username": "city_office", "password": "Test-pass-2026!", "next": "/matters/"},
    )
    from .helpers import code_for

    response = client.post(
        VERIFY, {"provider": "totp", "code": code_for(device), "next": "/matters/"}
    )
    assert response.status_code == 302 and response.url == "/matters/"
    assert AuditEntry.objects.filter(action="twofactor.verify", outcome="success").count() == 1


def test_an_outside_next_is_not_followed(world, enforced):
    device = totp_device(world.users["city_office"])
    client = Client()
    sign_in(client, "city_office")
    from .helpers import code_for

    response = client.post(
        VERIFY, {"provider": "totp", "code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_an_expired_password_is_changed_after_the_second_factor(world, enforced):
    import datetime

    from django.utils import timezone

    from .helpers import code_for

    user = world.users["city_office"]
    user.password_changed_at = timezone.now() - datetime.timedelta(days=200)
    user.save(update_fields=["password_changed_at"])
    device = totp_device(user)
    client = Client()
    sign_in(client, "city_office")
    assert client.get(VERIFY).status_code == 200
    response = client.post(VERIFY, {"provider": "totp", "code": code_for(device)})
    assert client.get(response.url).url == reverse("accounts:password_change")
