"""Separation of the three administrators (三权分立) for system clients: the system
administrator creates a client and its service user without a role and without a token; the
security administrator — who alone grants roles — confirms it (the service user gets its
unit's role through `accounts.actions.grant_role`, audited) or rejects it with a reason; only
then may the system administrator issue tokens, and the API accepts only tokens of a confirmed
client whose service user still holds a role."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fuyuan.accounts import actions as account_actions
from fuyuan.accounts.models import Role, RoleAssignment
from fuyuan.audit.models import AuditEntry
from fuyuan.exchange import client_actions
from fuyuan.exchange.drop import DropRefused, Manifest, check_sender
from fuyuan.exchange.forms import ClientEditForm
from fuyuan.exchange.models import ApiClient, ClientState
from fuyuan.exchange.testing import token_for
from fuyuan.notify.models import OutboxMessage

from .client_helpers import bearer, make_client, pending_client

pytestmark = pytest.mark.django_db

GRANTS_URL = "/api/v1/exchange/grants/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def actions_on(obj) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk), object_kind=obj._meta.label_lower)
        .order_by("pk")
        .values_list("action", "actor__username")
    )


def test_a_new_client_has_no_role_and_no_token(world):
    client = pending_client(world, "hrss")
    assert client.state == ClientState.PENDING
    assert not client.tokens.exists()
    assert not client.service_user.assignments.exists()
    assert not client.service_user.has_usable_password()
    audited = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.user.create", "exchange.client.create"} <= audited
    assert "accounts.role.grant" not in audited
    assert "exchange.token.issue" not in audited


def test_no_token_before_the_confirmation(world, client_for):
    client = pending_client(world, "hrss")
    admin = world.users["system_admin"]
    with pytest.raises(ValidationError) as exc:
        client_actions.issue_token(admin, client)
    assert exc.value.code == "client.unconfirmed"
    with pytest.raises(ValidationError) as exc:
        client_actions.rotate_tokens(admin, client, "now")
    assert exc.value.code == "client.unconfirmed"
    browser = client_for("system_admin")
    response = browser.post(reverse("exchange:token_issue", args=[client.pk]), follow=True)
    assert response.status_code == 200
    assert "raw" not in response.context
    shown = [str(m) for m in response.context["messages"]]
    assert any("confirm" in m or "确认" in m for m in shown), shown
    assert not client.tokens.exists()


def test_the_security_administrator_confirms_and_the_role_is_granted(
    world, django_capture_on_commit_callbacks
):
    security = world.users["security_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        client = pending_client(world, "court", scopes={"exchange.grants": "read"})
    assert OutboxMessage.objects.filter(
        ref_kind="exchange.client", ref_id=client.pk, recipient=security
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client = client_actions.confirm_client(security, client)
    assert client.state == ClientState.CONFIRMED
    assert client.decided_by == security and client.decided_at is not None
    (assignment,) = client.service_user.assignments.all()
    assert assignment.role == Role.COURT
    assert assignment.unit == world.units["court"]
    assert assignment.granted_by == security
    assert ("accounts.role.grant", security.username) in actions_on(assignment)
    assert ("exchange.client.confirm", security.username) in actions_on(client)
    # The system administrator who created it is told; then issues the first token.
    assert OutboxMessage.objects.filter(
        ref_kind="exchange.client", ref_id=client.pk, recipient=world.users["system_admin"]
    ).exists()
    _token, raw = client_actions.issue_token(world.users["system_admin"], client)
    assert bearer(raw).get(GRANTS_URL).status_code == 200


@pytest.mark.parametrize(
    ("unit", "role", "has_unit"),
    [("city_office", Role.OFFICE, False), ("hrss", Role.LIAISON, True)],
)
def test_the_role_granted_is_the_units(world, unit, role, has_unit):
    client, _token, _raw = make_client(world, unit)
    (assignment,) = client.service_user.assignments.all()
    assert assignment.role == role
    assert assignment.jurisdiction == world.units[unit].jurisdiction
    assert assignment.unit == (world.units[unit] if has_unit else None)


def test_the_security_administrator_never_issues_tokens(world, client_for):
    client = client_actions.confirm_client(
        world.users["security_admin"], pending_client(world, "hrss")
    )
    with pytest.raises(PermissionDenied):
        client_actions.issue_token(world.users["security_admin"], client)
    with pytest.raises(PermissionDenied):
        client_actions.rotate_tokens(world.users["security_admin"], client, "now")
    browser = client_for("security_admin")
    assert browser.post(reverse("exchange:token_issue", args=[client.pk])).status_code == 403
    assert browser.get(reverse("exchange:client_detail", args=[client.pk])).status_code == 403
    assert not client.tokens.exists()


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "city_office", "hrss_liaison"])
def test_only_the_security_administrator_decides(world, client_for, role):
    client = pending_client(world, "hrss")
    with pytest.raises(PermissionDenied):
        client_actions.confirm_client(world.users[role], client)
    with pytest.raises(PermissionDenied):
        client_actions.reject_client(world.users[role], client, "不同意")
    browser = client_for(role)
    assert browser.get(reverse("exchange:client_review", args=[client.pk])).status_code == 403
    assert browser.post(reverse("exchange:client_confirm", args=[client.pk])).status_code == 403
    assert (
        browser.post(
            reverse("exchange:client_reject", args=[client.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    client.refresh_from_db()
    assert client.state == ClientState.PENDING
    assert not client.service_user.assignments.exists()


def test_rejection_needs_a_reason_and_ends_the_client(world):
    security = world.users["security_admin"]
    client = pending_client(world, "hrss")
    with pytest.raises(ValidationError) as exc:
        client_actions.reject_client(security, client, "  ")
    assert exc.value.error_dict["reason"][0].code == "required"
    client.refresh_from_db()
    assert client.state == ClientState.PENDING
    client = client_actions.reject_client(security, client, "该系统未通过等级保护测评")
    client.refresh_from_db()
    assert client.state == ClientState.REJECTED
    assert client.decision_note == "该系统未通过等级保护测评"
    assert client.decided_by == security
    assert not client.is_active and not client.service_user.is_active
    assert not client.service_user.assignments.exists()
    assert ("exchange.client.reject", security.username) in actions_on(client)
    assert ("accounts.user.deactivate", security.username) in actions_on(client.service_user)
    admin = world.users["system_admin"]
    with pytest.raises(ValidationError) as exc:
        client_actions.issue_token(admin, client)
    assert exc.value.code == "client.rejected"
    with pytest.raises(ValidationError) as exc:
        client_actions.set_client_active(admin, client, True)
    assert exc.value.code == "client.rejected"
    with pytest.raises(ValidationError) as exc:
        client_actions.confirm_client(security, client)
    assert exc.value.code == "client.decided"
    assert not client.service_user.assignments.exists()


def test_a_client_is_confirmed_once(world):
    security = world.users["security_admin"]
    client = client_actions.confirm_client(security, pending_client(world, "hrss"))
    with pytest.raises(ValidationError) as exc:
        client_actions.confirm_client(security, client)
    assert exc.value.code == "client.decided"
    assert client.service_user.assignments.count() == 1


def test_a_stale_decision_is_refused(world):
    client = pending_client(world, "hrss")
    old_version = client.version
    client_actions.update_client(
        world.users["system_admin"],
        client,
        name="改名后的系统",
        scopes={"matters": "write"},
        rate_per_minute=60,
        expected_version=old_version,
    )
    with pytest.raises(ValidationError) as exc:
        client_actions.confirm_client(
            world.users["security_admin"], client, expected_version=old_version
        )
    assert exc.value.code == "stale"
    assert not client.service_user.assignments.exists()


def test_api_refuses_a_token_of_an_unconfirmed_client(world):
    client = pending_client(world, "hrss")
    # A token that came about outside the actions (e.g. written into the database).
    raw = token_for(client, issued_by=world.users["system_admin"])
    response = bearer(raw).get(GRANTS_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "api.client_unconfirmed", response.json()


def test_api_refuses_a_token_once_the_service_user_lost_its_role(world):
    client, _token, raw = make_client(world, "hrss")
    assert bearer(raw).get(GRANTS_URL).status_code == 200
    cache.clear()
    (assignment,) = RoleAssignment.objects.filter(user=client.service_user)
    account_actions.end_role(world.users["security_admin"], assignment)
    response = bearer(raw).get(GRANTS_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "api.client_no_role", response.json()
    with pytest.raises(ValidationError) as exc:
        client_actions.issue_token(world.users["system_admin"], client)
    assert exc.value.code == "client.no_role"


def test_file_drop_refuses_an_unconfirmed_client(world):
    from fuyuan.core import importing

    client = pending_client(world, "court", scopes={"imports": "write"})
    manifest = Manifest(
        feed="litigation.cases",
        file="x.csv",
        sha256="0" * 64,
        size=None,
        client_id=client.pk,
        batch_id="b1",
    )
    with pytest.raises(DropRefused) as exc:
        check_sender(manifest, importing.get("litigation.cases"))
    assert exc.value.code == "drop.client"


def test_the_unit_of_a_client_never_changes(world):
    """A system of another unit is a new client, confirmed anew: neither the edit form nor
    the action takes a unit."""
    client, _token, _raw = make_client(world, "hrss")
    assert "unit" not in ClientEditForm().fields
    with pytest.raises(TypeError):
        client_actions.update_client(  # type: ignore[call-arg]
            world.users["system_admin"],
            client,
            name=client.name,
            scopes={},
            rate_per_minute=10,
            unit=world.units["court"],
        )
    client.refresh_from_db()
    assert client.unit == world.units["hrss"]


def test_role_page_lists_pending_clients_and_the_review_confirms(world, client_for):
    client = pending_client(world, "hrss", name="人社局招聘系统")
    browser = client_for("security_admin")
    page = browser.get(reverse("accounts:assignment_list"))
    assert page.status_code == 200
    assert [c.pk for c in page.context["pending_clients"]] == [client.pk]
    review_url = reverse("exchange:client_review", args=[client.pk])
    assert review_url in page.content.decode()
    review = browser.get(review_url)
    assert review.status_code == 200
    body = review.content.decode()
    assert "人社局招聘系统" in body and "fy_" not in body
    confirmed = browser.post(
        reverse("exchange:client_confirm", args=[client.pk]), {"version": client.version}
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("accounts:assignment_list")
    client.refresh_from_db()
    assert client.state == ClientState.CONFIRMED
    assert client.service_user.has_role(Role.LIAISON)
    assert browser.get(reverse("accounts:assignment_list")).context["pending_clients"] == []


def test_review_page_rejects_with_a_reason(world, client_for):
    client = pending_client(world, "hrss")
    browser = client_for("security_admin")
    url = reverse("exchange:client_reject", args=[client.pk])
    missing = browser.post(url, {"version": client.version, "reason": ""})
    assert missing.status_code == 200
    assert missing.context["form"].errors["reason"]
    client.refresh_from_db()
    assert client.state == ClientState.PENDING
    done = browser.post(url, {"version": client.version, "reason": "用途不明确，请补充说明"})
    assert done.status_code == 302
    client.refresh_from_db()
    assert client.state == ClientState.REJECTED
    detail = client_for("system_admin").get(reverse("exchange:client_detail", args=[client.pk]))
    assert "用途不明确，请补充说明" in detail.content.decode()
    assert reverse("exchange:token_issue", args=[client.pk]) not in detail.content.decode()


def test_existing_clients_are_kept_confirmed_by_the_migration():
    """Rows made before the confirmation existed had their role granted already."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    migration = loader.get_migration("exchange", "0002_client_confirmation")
    defaults = [
        op.field.default
        for op in migration.operations
        if getattr(op, "name", "") == "state" and hasattr(op, "field")
    ]
    assert defaults == [ClientState.CONFIRMED, ClientState.PENDING]
    assert ApiClient._meta.get_field("state").default == ClientState.PENDING
