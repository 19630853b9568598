"""The sign-in journey against a real OpenID Connect provider on 127.0.0.1: linking by
username, later sign-ins by subject, the second factor, refusals, provider failures, the
open-redirect guard and sign-out at the provider."""

from __future__ import annotations

import urllib.parse

import pytest
from axes.models import AccessAttempt
from django.test import Client

from fuyuan.audit.models import AuditEntry
from fuyuan.sso.models import SsoIdentity
from fuyuan.sso.views import FLOW_KEY, SECOND_FACTOR_KEY

from .browser import local, sign_in, visit_provider

pytestmark = pytest.mark.django_db


def _error_code(response) -> str:  # type: ignore[no-untyped-def]
    text = response.content.decode()
    marker = 'data-sso-error="'
    assert marker in text, text[:500]
    return text.split(marker, 1)[1].split('"', 1)[0]


def _signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def test_first_sign_in_links_by_username_and_counts_as_second_factor(world, idp):
    user = world.users["city_office"]
    client = Client()
    response = sign_in(client, idp, "/matters/", sub="gov-0001", preferred_username="city_office")
    assert response.status_code == 302
    assert response["Location"] == "/matters/"
    assert _signed_in_as(client) == user.pk
    assert client.session[SECOND_FACTOR_KEY] == "sso"
    assert client.session["_auth_user_backend"] == "fuyuan.accounts.backends.RoleAwareBackend"
    link = SsoIdentity.objects.get()
    assert (link.user, link.issuer, link.subject) == (user, idp.issuer, "gov-0001")
    assert link.last_login_at is not None
    # The token request: the client's secret (basic by default), the PKCE verifier, the code.
    (token_request,) = idp.token_requests
    assert token_request["method"] == "client_secret_basic"
    assert len(token_request["form"]["code_verifier"]) >= 43
    actions = list(
        AuditEntry.objects.filter(actor=user).order_by("seq", "pk").values_list("action", flat=True)
    )
    assert actions[-3:] == ["sso.link", "security.login", "sso.login"] or set(actions) >= {
        "sso.link",
        "security.login",
        "sso.login",
    }
    entry = AuditEntry.objects.get(action="sso.login")
    assert entry.detail["method"] == "sso" and entry.detail["second_factor"] == "sso"
    # The platform's pages now answer as that user.
    assert client.get("/accounts/me/").status_code == 200


def test_later_sign_ins_go_by_subject_not_by_a_changed_username(world, idp):
    user = world.users["city_office"]
    sign_in(Client(), idp, sub="gov-0001", preferred_username="city_office")
    # The provider renamed the person to another platform user's name: the link holds.
    client = Client()
    response = sign_in(client, idp, sub="gov-0001", preferred_username="a_office")
    assert response.status_code == 302
    assert _signed_in_as(client) == user.pk
    assert SsoIdentity.objects.count() == 1
    # Discovery and keys were fetched once for both sign-ins (cached).
    assert idp.count("/.well-known/openid-configuration") == 1
    assert idp.count("/jwks") == 1
    # Another identity claiming the linked account's username is refused.
    intruder = Client()
    response = sign_in(intruder, idp, sub="gov-9999", preferred_username="city_office")
    assert response.status_code == 403
    assert _error_code(response) == "already_linked"
    assert _signed_in_as(intruder) is None


def test_client_secret_post_when_the_provider_offers_only_that(world, idp):
    idp.auth_methods = ("client_secret_post",)
    client = Client()
    response = sign_in(client, idp, sub="s-1", preferred_username="hrss_liaison")
    assert response.status_code == 302
    assert _signed_in_as(client) == world.users["hrss_liaison"].pk
    assert idp.token_requests[-1]["method"] == "client_secret_post"


def test_a_wrong_client_secret_is_a_clear_error(world, idp, settings):
    settings.FUYUAN_OIDC_CLIENT_SECRET = "wrong"
    client = Client()
    response = sign_in(client, idp, sub="s-1", preferred_username="city_office")
    assert response.status_code == 400
    assert _error_code(response) == "token_error"
    assert _signed_in_as(client) is None


def test_state_mismatch_is_refused_and_audited(world, idp):
    client = Client()
    idp.user = {"sub": "s-1", "preferred_username": "city_office"}
    start = client.get("/sso/login/")
    back = visit_provider(start["Location"])
    parts = urllib.parse.urlsplit(back)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["state"] = "forged"
    response = client.get(f"{parts.path}?{urllib.parse.urlencode(query)}")
    assert response.status_code == 400
    assert _error_code(response) == "state_mismatch"
    assert _signed_in_as(client) is None
    entry = AuditEntry.objects.get(action="security.login_failed")
    assert entry.detail["method"] == "sso" and entry.detail["reason"] == "state_mismatch"
    assert entry.outcome == "failed"
    # The flow was used up: the right state does not work afterwards either (no replay).
    assert client.get(local(back)).status_code == 400


def test_a_callback_without_a_started_sign_in_is_refused(world, idp):
    response = Client().get("/sso/callback/?code=abc&state=xyz")
    assert response.status_code == 400
    assert _error_code(response) == "state_mismatch"


def test_a_sign_in_left_too_long_must_start_again(world, idp):
    client = Client()
    idp.user = {"sub": "s-1", "preferred_username": "city_office"}
    start = client.get("/sso/login/")
    session = client.session
    flow = session[FLOW_KEY]
    flow["started"] -= 3600
    session[FLOW_KEY] = flow
    session.save()
    response = client.get(local(visit_provider(start["Location"])))
    assert _error_code(response) == "flow_expired"
    assert _signed_in_as(client) is None


def test_provider_error_in_the_callback_is_a_clear_page(world, idp):
    idp.deny_with = "access_denied"
    client = Client()
    response = sign_in(client, idp, sub="s-1", preferred_username="city_office")
    assert response.status_code == 400
    assert _error_code(response) == "provider_error"
    assert "access_denied" in response.content.decode()
    assert AuditEntry.objects.get(action="security.login_failed").detail["reason"] == (
        "provider_error"
    )
    assert not idp.token_requests


def test_token_endpoint_failure_is_a_clear_page_not_a_500(world, idp):
    idp.token_status = 503
    response = sign_in(Client(), idp, sub="s-1", preferred_username="city_office")
    assert response.status_code == 400
    assert _error_code(response) == "token_error"
    assert "503" in AuditEntry.objects.get(action="security.login_failed").detail["detail"]


def test_provider_down_at_the_start(world, idp):
    idp.stop()
    response = Client().get("/sso/login/")
    assert response.status_code == 400
    assert _error_code(response) == "provider_unreachable"
    assert AuditEntry.objects.get(action="security.login_failed").outcome == "failed"


def test_provider_down_at_the_callback(world, idp):
    client = Client()
    idp.user = {"sub": "s-1", "preferred_username": "city_office"}
    start = client.get("/sso/login/")
    back = visit_provider(start["Location"])
    idp.stop()
    response = client.get(local(back))
    assert response.status_code == 400
    assert _error_code(response) == "provider_unreachable"
    assert _signed_in_as(client) is None


def test_unknown_user_is_refused_and_nothing_is_created(world, idp):
    from fuyuan.accounts.models import User

    users = User.objects.count()
    client = Client()
    response = sign_in(client, idp, sub="s-new", preferred_username="ghost")
    assert response.status_code == 403
    assert _error_code(response) == "unknown_user"
    assert User.objects.count() == users
    assert not SsoIdentity.objects.exists()
    entry = AuditEntry.objects.get(action="security.login_failed")
    assert entry.outcome == "denied"
    assert entry.detail["username"] == "ghost" and entry.detail["subject"] == "s-new"
    assert entry.actor_name == "ghost"


def test_a_token_without_the_username_claim_finds_nobody(world, idp):
    response = sign_in(Client(), idp, sub="s-new", name="张三")
    assert _error_code(response) == "unknown_user"


def test_the_configured_username_claim_is_used(world, idp, settings):
    settings.FUYUAN_OIDC_USERNAME_CLAIM = "gov_account"
    client = Client()
    sign_in(client, idp, sub="s-7", preferred_username="nobody", gov_account="court_staff")
    assert _signed_in_as(client) == world.users["court_staff"].pk


def test_a_disabled_user_is_refused_before_and_after_linking(world, idp):
    user = world.users["city_office"]
    sign_in(Client(), idp, sub="gov-1", preferred_username="city_office")
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    client = Client()
    response = sign_in(client, idp, sub="gov-1", preferred_username="city_office")
    assert response.status_code == 403
    assert _error_code(response) == "disabled_user"
    assert _signed_in_as(client) is None
    other = world.users["a_office"]
    type(other).objects.filter(pk=other.pk).update(is_active=False)
    response = sign_in(Client(), idp, sub="gov-2", preferred_username="a_office")
    assert _error_code(response) == "disabled_user"
    assert not SsoIdentity.objects.filter(subject="gov-2").exists()


def test_sso_is_refused_when_the_users_mechanism_does_not_allow_it(world, idp):
    county = world.mechanisms["a"]
    county.settings = {**county.settings, "second_factors": ["totp", "sms"]}
    county.save()
    client = Client()
    response = sign_in(client, idp, sub="gov-a", preferred_username="a_office")
    assert response.status_code == 403
    assert _error_code(response) == "sso_not_allowed"
    assert _signed_in_as(client) is None
    assert not SsoIdentity.objects.exists()
    # The city's own staff are governed by the city mechanism, which still allows it.
    assert sign_in(Client(), idp, sub="gov-c", preferred_username="city_office").status_code == 302


def test_administrators_follow_the_city_mechanism(world, idp):
    admin = Client()
    assert sign_in(admin, idp, sub="gov-s", preferred_username="security_admin").status_code == 302
    assert admin.session[SECOND_FACTOR_KEY] == "sso"
    city = world.mechanisms["city"]
    city.settings = {**city.settings, "second_factors": ["totp"]}
    city.save()
    response = sign_in(Client(), idp, sub="gov-s", preferred_username="security_admin")
    assert _error_code(response) == "sso_not_allowed"


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/matters/", "/matters/"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("http://testserver.evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_stays_on_this_site(world, idp, target, landing):
    response = sign_in(Client(), idp, target, sub="gov-1", preferred_username="city_office")
    assert response.status_code == 302
    assert response["Location"] == landing


def test_failed_sso_is_not_counted_by_axes(world, idp):
    for _ in range(6):
        sign_in(Client(), idp, sub="s-x", preferred_username="ghost")
    for _ in range(6):
        sign_in(Client(), idp, sub="s-y", preferred_username="city_office", nonce="bad")
    assert not AccessAttempt.objects.exists()
    # The account is not locked: a password sign-in still works.
    from fuyuan.testing import PASSWORD

    response = Client().post("/accounts/login/", {"username": "city_office", "password": PASSWORD})
    assert response.status_code == 302


def test_sign_out_goes_through_the_provider(world, idp):
    client = Client()
    sign_in(client, idp, sub="gov-1", preferred_username="city_office")
    response = client.post("/sso/logout/")
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == idp.issuer
    assert location.path == "/logout"
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["id_token_hint"].count(".") == 2
    assert query["post_logout_redirect_uri"].endswith("/accounts/login/")
    assert _signed_in_as(client) is None
    assert AuditEntry.objects.filter(action="security.logout").count() == 1
    # The provider sends the browser back to the sign-in page.
    assert visit_provider(response["Location"]).endswith("/accounts/login/")


def test_sign_out_of_a_password_session_stays_here(world, idp, client_for):
    client = client_for("city_office")
    response = client.post("/sso/logout/")
    assert response["Location"] == "/accounts/login/"
    assert _signed_in_as(client) is None
    assert client.get("/sso/logout/").status_code == 405


def test_login_button_shows_only_when_configured(world, settings, idp):
    page = Client().get("/accounts/login/?next=/matters/").content.decode()
    assert 'href="/sso/login/?next=/matters/"' in page
    settings.FUYUAN_OIDC_ISSUER = ""
    page = Client().get("/accounts/login/").content.decode()
    assert "/sso/login/" not in page
    assert Client().get("/sso/login/").status_code == 404
    assert Client().get("/sso/callback/?code=a&state=b").status_code == 404


def test_a_signed_in_user_can_confirm_with_sso(world, idp, client_for):
    """A password session confirmed through the provider gains the second factor."""
    user = world.users["city_office"]
    client = client_for("city_office")
    assert SECOND_FACTOR_KEY not in client.session
    sign_in(client, idp, "/matters/", sub="gov-1", preferred_username="city_office")
    assert _signed_in_as(client) == user.pk
    assert client.session[SECOND_FACTOR_KEY] == "sso"
