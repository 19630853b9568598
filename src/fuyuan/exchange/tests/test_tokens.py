"""Bearer tokens of system clients: only a SHA-256 is kept, the token runs as the client's
service user and records when it was last used; revoked, rotated-out (after the grace
period) and deactivated clients' tokens are refused with 401 api.bad_token; the rate limit
answers 429 api.rate_limited."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.exchange import client_actions
from fuyuan.exchange.auth import digest, split_token
from fuyuan.exchange.models import ApiToken

from .client_helpers import bearer, make_client

pytestmark = pytest.mark.django_db

GRANTS = "/api/v1/exchange/grants/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_token_has_the_documented_form_and_only_its_digest_is_stored(world):
    _client, token, raw = make_client(world, "hrss")
    prefix, secret = split_token(raw) or ("", "")
    assert raw.startswith("fy_") and prefix == token.prefix and len(secret) >= 40
    token.refresh_from_db()
    assert token.digest == digest(raw)
    with connection.cursor() as cursor:
        cursor.execute("SELECT prefix, digest FROM exchange_apitoken")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert secret not in stored
    # Neither the token nor its digest reaches the audit trail.
    issued = AuditEntry.objects.get(action="exchange.token.issue")
    assert raw not in str(issued.after) and token.digest not in str(issued.after)


def test_secret_with_underscores_still_parses():
    assert split_token("fy_abc123_part_with_underscores") == ("abc123", "part_with_underscores")
    assert split_token("fy__secret") is None
    assert split_token("xx_abc_secret") is None


def test_token_runs_as_the_service_user_and_records_last_use(world):
    _client, token, raw = make_client(world, "hrss")
    assert token.last_used_at is None
    response = bearer(raw).get(GRANTS)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    first_use = token.last_used_at
    # Within the minute no new write; after it, the time moves on.
    bearer(raw).get(GRANTS)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        bearer(raw).get(GRANTS)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_revoked_token_is_refused(world):
    _client, token, raw = make_client(world, "hrss")
    assert bearer(raw).get(GRANTS).status_code == 200
    client_actions.revoke_token(world.users["system_admin"], token)
    response = bearer(raw).get(GRANTS)
    assert response.status_code == 401
    assert response.json()["code"] == "api.bad_token"
    assert AuditEntry.objects.filter(action="exchange.token.revoke").exists()


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer fy_nope_nope", "Bearer fy_a_b c", "Bearer not-a-token"]
)
def test_malformed_or_unknown_token_is_refused(world, header):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(GRANTS)
    assert response.status_code == 401
    assert response.json()["code"] == "api.bad_token"


def test_a_wrong_secret_with_a_right_prefix_is_refused(world):
    _client, token, _raw = make_client(world, "hrss")
    response = bearer(f"fy_{token.prefix}_{'x' * 43}").get(GRANTS)
    assert response.status_code == 401


def test_rotation_keeps_the_old_token_for_the_grace_period_then_refuses_it(world):
    client, old, old_raw = make_client(world, "hrss")
    _new, new_raw = client_actions.rotate_tokens(world.users["system_admin"], client, "1d")
    old.refresh_from_db()
    assert old.expires_at is not None
    assert bearer(old_raw).get(GRANTS).status_code == 200
    assert bearer(new_raw).get(GRANTS).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        cache.clear()
        expired = bearer(old_raw).get(GRANTS)
        assert expired.status_code == 401
        assert expired.json()["code"] == "api.bad_token"
        assert bearer(new_raw).get(GRANTS).status_code == 200


def test_rotation_without_grace_ends_the_old_token_now(world):
    client, _old, old_raw = make_client(world, "hrss")
    _new, new_raw = client_actions.rotate_tokens(world.users["system_admin"], client, "now")
    assert bearer(old_raw).get(GRANTS).status_code == 401
    assert bearer(new_raw).get(GRANTS).status_code == 200


def test_rotation_with_an_unknown_grace_is_refused(world):
    from django.core.exceptions import ValidationError

    client, _token, _raw = make_client(world, "hrss")
    with pytest.raises(ValidationError) as exc:
        client_actions.rotate_tokens(world.users["system_admin"], client, "forever")
    assert exc.value.error_dict["grace"][0].code == "client.grace"


def test_a_deactivated_clients_tokens_stop_at_once(world):
    client, _token, raw = make_client(world, "hrss")
    client_actions.set_client_active(world.users["system_admin"], client, False)
    response = bearer(raw).get(GRANTS)
    assert response.status_code == 401
    assert response.json()["code"] == "api.bad_token"
    client.service_user.refresh_from_db()
    assert not client.service_user.is_active


def test_rate_limit_answers_429_with_its_code(world):
    _client, _token, raw = make_client(world, "hrss", rate=3)
    api = bearer(raw)
    assert [api.get(GRANTS).status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get(GRANTS)
    assert limited.status_code == 429
    assert limited.json()["code"] == "api.rate_limited"
    assert "Retry-After" in limited.headers


def test_rate_limit_counts_per_client(world):
    _a, _ta, raw_a = make_client(world, "hrss", rate=2)
    _b, _tb, raw_b = make_client(world, "housing", rate=2)
    for _ in range(2):
        assert bearer(raw_a).get(GRANTS).status_code == 200
    assert bearer(raw_a).get(GRANTS).status_code == 429
    assert bearer(raw_b).get(GRANTS).status_code == 200


def test_people_signed_in_are_not_limited_by_a_client_rate(world, client_for):
    _client, _token, _raw = make_client(world, "hrss", rate=1)
    browser = client_for("hrss_liaison")
    assert [browser.get(GRANTS).status_code for _ in range(3)] == [200, 200, 200]


def test_issuing_another_token_keeps_the_first(world):
    client, _first, first_raw = make_client(world, "hrss")
    _second, second_raw = client_actions.issue_token(world.users["system_admin"], client)
    assert bearer(first_raw).get(GRANTS).status_code == 200
    assert bearer(second_raw).get(GRANTS).status_code == 200
    assert ApiToken.objects.filter(client=client).usable().count() == 2
