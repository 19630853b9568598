"""System clients: only the system administrator manages them (三权分立); once the security
administrator confirms one, its service user holds the role of its unit (court → court staff,
the office's 司法局 → office staff, any other body → liaison officer) and can never sign in to
the pages; the token is shown once; scopes and rate are edited as a grid; every write is
audited. (The confirmation itself: test_client_confirmation.py.)"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.exchange import client_actions
from fuyuan.exchange.auth import digest
from fuyuan.exchange.models import ApiClient, ApiToken

from .client_helpers import bearer, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.mark.parametrize(
    ("unit", "role", "has_unit"),
    [
        ("court", Role.COURT, True),
        ("city_office", Role.OFFICE, False),
        ("hrss", Role.LIAISON, True),
    ],
)
def test_service_user_gets_the_role_of_its_unit(world, unit, role, has_unit):
    client, _token, _raw = make_client(world, unit)
    user = client.service_user
    assert user.username == f"client-{world.units[unit].pk}-1"
    assert not user.has_usable_password()
    (assignment,) = user.assignments.all()
    assert assignment.role == role
    assert assignment.jurisdiction == world.units[unit].jurisdiction
    assert assignment.unit == (world.units[unit] if has_unit else None)
    assert assignment.valid_from == timezone.localdate()
    assert assignment.granted_by == world.users["security_admin"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "exchange.client.create",
        "accounts.user.create",
        "accounts.role.grant",
        "exchange.client.confirm",
        "exchange.token.issue",
    } <= actions


def test_second_client_of_a_unit_gets_the_next_username(world):
    first, _t, _r = make_client(world, "hrss")
    second, _t2, _r2 = make_client(world, "hrss", name="第二系统")
    assert first.service_user.username.endswith("-1")
    assert second.service_user.username.endswith("-2")


@pytest.mark.parametrize(
    "role", ["security_admin", "audit_admin", "city_office", "court_staff", "hrss_liaison"]
)
def test_only_the_system_administrator_creates_clients(world, role):
    with pytest.raises(PermissionDenied):
        client_actions.create_client(
            world.users[role],
            name="x",
            unit=world.units["hrss"],
            scopes={},
            rate_per_minute=10,
        )


def test_unknown_scope_and_bad_rate_are_refused_with_codes(world):
    admin = world.users["system_admin"]
    with pytest.raises(ValidationError) as exc:
        client_actions.create_client(
            admin,
            name="x",
            unit=world.units["hrss"],
            scopes={"everything": "read"},
            rate_per_minute=5,
        )
    assert exc.value.error_dict["scopes"][0].code == "client.scope_unknown"
    with pytest.raises(ValidationError) as exc:
        client_actions.create_client(
            admin, name="x", unit=world.units["hrss"], scopes={"matters": "all"}, rate_per_minute=5
        )
    assert exc.value.error_dict["scopes"][0].code == "client.scope_access"
    with pytest.raises(ValidationError) as exc:
        client_actions.create_client(
            admin, name="x", unit=world.units["hrss"], scopes={}, rate_per_minute=0
        )
    assert exc.value.error_dict["rate_per_minute"][0].code == "client.rate"
    assert not ApiClient.objects.exists()


def test_a_unit_that_no_longer_exists_gets_no_client(world):
    with pytest.raises(ValidationError) as exc:
        make_client(world, "old_regulator")
    assert exc.value.error_dict["unit"][0].code == "client.unit_ended"


def test_service_user_cannot_sign_in_through_the_login_page(world):
    client, _token, _raw = make_client(world, "hrss")
    browser = Client()
    for password in ("", "!", "fy_anything"):
        response = browser.post(
            reverse("accounts:login"),
            {"username": client.service_user.username, "password": password},
        )
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in browser.session


def test_create_page_then_confirmation_then_the_token_shown_once(world, client_for):
    browser = client_for("system_admin")
    response = browser.post(
        reverse("exchange:client_create"),
        {
            "name": "法院审判管理系统",
            "unit": world.units["court"].pk,
            "rate_per_minute": 60,
            "note": "",
            "read": ["enforcement.debtors", "litigation.cases"],
            "write": ["imports"],
        },
    )
    client = ApiClient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:client_detail", args=[client.pk])
    assert client.scopes == {
        "litigation.cases": "read",
        "enforcement.debtors": "read",
        "imports": "write",
    }
    assert not client.tokens.exists()
    pending = browser.get(reverse("exchange:client_detail", args=[client.pk]))
    assert pending.status_code == 200
    assert reverse("exchange:token_issue", args=[client.pk]) not in pending.content.decode()
    client_actions.confirm_client(world.users["security_admin"], client)
    issued = browser.post(reverse("exchange:token_issue", args=[client.pk]))
    assert issued.status_code == 200
    raw = issued.context["raw"]
    assert raw.startswith("fy_") and raw in issued.content.decode()
    assert "no-store" in issued["Cache-Control"]
    assert ApiToken.objects.get(client=client).digest == digest(raw)
    detail = browser.get(reverse("exchange:client_detail", args=[client.pk]))
    assert detail.status_code == 200
    assert raw not in detail.content.decode()
    assert client.tokens.get().prefix in detail.content.decode()


def test_create_page_shows_refusals_on_the_form(world, client_for):
    browser = client_for("system_admin")
    response = browser.post(
        reverse("exchange:client_create"),
        {"name": "", "unit": world.units["court"].pk, "rate_per_minute": 60},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiClient.objects.exists()


def test_edit_page_changes_scopes_and_rate(world, client_for):
    client, _token, _raw = make_client(world, "hrss", scopes={"matters": "read"})
    browser = client_for("system_admin")
    url = reverse("exchange:client_edit", args=[client.pk])
    form = browser.get(url)
    assert form.status_code == 200
    rows = {row["name"]: row for row in form.context["form"].scope_rows()}
    assert rows["matters"]["read"] and not rows["matters"]["write"]
    response = browser.post(
        url,
        {
            "version": client.version,
            "name": "人社局业务系统",
            "rate_per_minute": 30,
            "note": "升级",
            "read": ["matters"],
            "write": ["enforcement.checks"],
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.scopes == {"matters": "read", "enforcement.checks": "write"}
    assert client.rate_per_minute == 30
    assert client.service_user.display_name == "人社局业务系统"
    assert AuditEntry.objects.filter(action="exchange.client.update").exists()


def test_stale_edit_is_reported(world, client_for):
    client, _token, _raw = make_client(world, "hrss")
    browser = client_for("system_admin")
    url = reverse("exchange:client_edit", args=[client.pk])
    data = {"version": client.version, "name": "a", "rate_per_minute": 30, "read": []}
    assert browser.post(url, data).status_code == 302
    again = browser.post(url, {**data, "name": "b"})
    assert again.status_code == 200
    client.refresh_from_db()
    assert client.name == "a"


def test_token_pages_issue_rotate_and_revoke(world, client_for):
    client, _first, first_raw = make_client(world, "hrss")
    browser = client_for("system_admin")
    issued = browser.post(reverse("exchange:token_issue", args=[client.pk]))
    assert issued.status_code == 200 and issued.context["raw"].startswith("fy_")
    rotated = browser.post(reverse("exchange:token_rotate", args=[client.pk]), {"grace": "now"})
    assert rotated.status_code == 200
    new_raw = rotated.context["raw"]
    assert bearer(first_raw).get("/api/v1/exchange/grants/").status_code == 401
    assert bearer(new_raw).get("/api/v1/exchange/grants/").status_code == 200
    new = ApiToken.objects.get(prefix=rotated.context["token"].prefix)
    revoked = browser.post(reverse("exchange:token_revoke", args=[client.pk, new.pk]))
    assert revoked.status_code == 302
    assert bearer(new_raw).get("/api/v1/exchange/grants/").status_code == 401


def test_deactivate_and_reactivate_page(world, client_for):
    client, _token, raw = make_client(world, "hrss")
    browser = client_for("system_admin")
    url = reverse("exchange:client_toggle", args=[client.pk])
    assert browser.post(url).status_code == 302
    client.refresh_from_db()
    assert not client.is_active
    assert bearer(raw).get("/api/v1/exchange/grants/").status_code == 401
    assert browser.post(url).status_code == 302
    client.refresh_from_db()
    assert client.is_active
    assert bearer(raw).get("/api/v1/exchange/grants/").status_code == 200


def test_list_page_shows_last_use(world, client_for):
    _client, _token, raw = make_client(world, "hrss")
    bearer(raw).get("/api/v1/exchange/grants/")
    response = client_for("system_admin").get(reverse("exchange:client_list"))
    assert response.status_code == 200
    (row,) = response.context["page"].object_list
    assert row.last_used is not None and row.live_tokens == 1


@pytest.mark.parametrize("role", ["security_admin", "audit_admin", "city_office", "court_staff"])
def test_client_pages_are_the_system_administrators_only(world, client_for, role):
    client, _token, _raw = make_client(world, "hrss")
    browser = client_for(role)
    assert browser.get(reverse("exchange:client_list")).status_code == 403
    assert browser.get(reverse("exchange:client_detail", args=[client.pk])).status_code == 403
    assert browser.post(reverse("exchange:token_issue", args=[client.pk])).status_code == 403


def test_service_user_with_a_password_is_still_refused_on_the_login_page(world):
    """Even if an administrator gave the service user a password, the page refuses it with
    a clear message: a system client signs in with its token only."""
    client, _token, _raw = make_client(world, "hrss")
    user = client.service_user
    user.set_password("Zmd-Service-2026!")
    user.save(update_fields=["password"])
    browser = Client()
    response = browser.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "Zmd-Service-2026!"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    codes = [e.code for e in response.context["form"].non_field_errors().as_data()]
    assert codes == ["service_user"]
