"""Scopes and purpose-bound datasets end to end: a read-only token cannot write, a token
without the scope cannot read; a department's system reads a court dataset only under an
approved grant (403 api.no_grant otherwise), masked unless the grant opens personal fields;
the court's own system reads it in clear; a person signed in reads it masked; a department's
token sees nothing of the court's pull log."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from fuyuan.exchange.models import AccessGrant, AccessLog

from .client_helpers import (
    DEBTORS_READ,
    GRANTS_READ,
    GRANTS_WRITE,
    approved,
    bearer,
    make_client,
    signed_in,
)
from .dataset_urls import mask_name

pytestmark = pytest.mark.django_db

STAND_IN = "/api-test/stand-in-debtors/"
TEST_URLS = "fuyuan.exchange.tests.dataset_urls"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _grant_body(world) -> dict:
    from django.utils import timezone

    return {
        "dataset": "enforcement.debtors",
        "provider_unit": world.units["court"].pk,
        "purpose": "核查",
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": timezone.localdate().isoformat(),
    }


def test_read_only_token_cannot_write(world):
    _client, _token, raw = make_client(world, "hrss", scopes=GRANTS_READ)
    api = bearer(raw)
    assert api.get("/api/v1/exchange/grants/").status_code == 200
    response = api.post("/api/v1/exchange/grants/", _grant_body(world), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "api.scope"
    assert not AccessGrant.objects.exists()


def test_write_scope_writes_through_the_action(world):
    _client, _token, raw = make_client(world, "hrss", scopes=GRANTS_WRITE)
    response = bearer(raw).post("/api/v1/exchange/grants/", _grant_body(world), format="json")
    assert response.status_code == 201
    assert AccessGrant.objects.get().requested_by.username.startswith("client-")


def test_token_without_the_scope_cannot_read(world):
    _client, _token, raw = make_client(world, "hrss", scopes={"matters": "write"})
    response = bearer(raw).get("/api/v1/exchange/grants/")
    assert response.status_code == 403
    assert response.json()["code"] == "api.scope"


def test_write_scope_does_not_let_a_unit_act_for_another(world):
    _client, _token, raw = make_client(world, "housing", scopes=GRANTS_WRITE)
    body = {**_grant_body(world), "requesting_unit": world.units["hrss"].pk}
    response = bearer(raw).post("/api/v1/exchange/grants/", body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "api.forbidden"


def test_department_token_sees_nothing_of_the_courts_pull_log(world):
    _court_client, _t, court_raw = make_client(world, "court", scopes=DEBTORS_READ)
    _dept, _t2, dept_raw = make_client(world, "hrss", scopes=DEBTORS_READ)
    with override_settings(ROOT_URLCONF=TEST_URLS):
        assert bearer(court_raw).get(STAND_IN).status_code == 200
    entry = AccessLog.objects.get()
    court_view = bearer(court_raw).get("/api/v1/exchange/access-log/")
    assert [e["id"] for e in court_view.json()["results"]] == [entry.pk]
    dept_view = bearer(dept_raw).get("/api/v1/exchange/access-log/")
    assert dept_view.status_code == 200 and dept_view.json()["count"] == 0
    detail = bearer(dept_raw).get(f"/api/v1/exchange/access-log/{entry.pk}/")
    assert detail.status_code == 404
    assert detail.json()["code"] == "api.not_found"


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_department_token_without_grant_gets_no_grant(world):
    _client, _token, raw = make_client(world, "hrss", scopes=DEBTORS_READ)
    response = bearer(raw).get(STAND_IN)
    assert response.status_code == 403
    assert response.json()["code"] == "api.no_grant"
    assert bearer(raw).get(f"{STAND_IN}{world.units['hrss'].pk}/").status_code == 403
    assert not AccessLog.objects.exists()


@override_settings(ROOT_URLCONF=TEST_URLS)
@pytest.mark.parametrize("personal", [False, True])
def test_department_token_with_grant_reads_masked_unless_granted(world, personal):
    grant = approved(world, personal_granted=personal)
    _client, _token, raw = make_client(world, "hrss", scopes=DEBTORS_READ)
    response = bearer(raw).get(STAND_IN)
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    court_name = world.units["court"].name
    assert (court_name in names) is personal
    assert (mask_name(court_name) in names) is not personal
    entry = AccessLog.objects.get()
    assert entry.grant == grant and entry.personal_revealed is personal
    assert entry.provider_unit == world.units["court"]


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_scope_is_checked_before_the_grant(world):
    approved(world)
    _client, _token, raw = make_client(world, "hrss", scopes=GRANTS_READ)
    response = bearer(raw).get(STAND_IN)
    assert response.status_code == 403 and response.json()["code"] == "api.scope"


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_courts_own_system_reads_in_clear(world):
    _client, _token, raw = make_client(world, "court", scopes=DEBTORS_READ)
    response = bearer(raw).get(STAND_IN)
    names = {row["name"] for row in response.json()["results"]}
    assert world.units["court"].name in names


@override_settings(ROOT_URLCONF=TEST_URLS)
def test_a_person_reads_masked_without_a_grant_and_is_logged(world):
    response = signed_in(world.users["hrss_liaison"]).get(STAND_IN, {"page_size": 5})
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert world.units["court"].name not in names
    entry = AccessLog.objects.get()
    assert entry.client is None and entry.user == world.users["hrss_liaison"]
    assert entry.unit == world.units["hrss"] and entry.grant is None
    assert entry.filters == {"page_size": ["5"]}
