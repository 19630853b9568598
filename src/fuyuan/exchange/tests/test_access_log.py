"""The pull log: every pull of a purpose-bound dataset — by a system under a grant, by the
provider's own system, by a person, or as an export package — is written with who, what,
which filter and how many rows; the provider (and the office of the jurisdiction) sees it,
filterable, with "共 N 条"; nobody else does."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from fuyuan.core.api import Access
from fuyuan.exchange import access
from fuyuan.exchange.models import AccessLog, Channel

from .client_helpers import DEBTORS_READ, FakeRequest, approved, bearer, make_client, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _client_pull(world, unit: str = "hrss", rows: int = 7) -> AccessLog:
    client, token, _raw = make_client(world, unit, scopes=DEBTORS_READ, name=f"{unit}系统")
    request = FakeRequest(user=client.service_user, auth=token, path="/api/v1/enforcement/x/")
    decided = access.check(request, "enforcement.debtors")
    access.log_pull(request, "enforcement.debtors", {"q": ["张"]}, rows, decided)
    return AccessLog.objects.latest("pk")


def _person_pull(world, user: str) -> AccessLog:
    request = FakeRequest(user=world.users[user])
    access.log_pull(request, "enforcement.debtors", {}, 3, Access())
    return AccessLog.objects.latest("pk")


def _visible(world, role: str) -> set[int]:
    return set(AccessLog.objects.visible_to(world.users[role]).values_list("pk", flat=True))


def test_a_client_pull_under_a_grant_is_logged_in_full(world):
    grant = approved(world, personal_granted=True)
    entry = _client_pull(world)
    assert entry.channel == Channel.API
    assert entry.client is not None and entry.user == entry.client.service_user
    assert entry.unit == world.units["hrss"] and entry.grant == grant
    assert entry.provider_unit == world.units["court"]
    assert entry.filters == {"q": ["张"]} and entry.row_count == 7
    assert entry.personal_revealed is True and entry.path == "/api/v1/enforcement/x/"


def test_the_provider_and_the_office_see_a_grant_pull_and_nobody_else(world):
    approved(world)
    entry = _client_pull(world)
    for role in ("court_staff", "city_office"):
        assert entry.pk in _visible(world, role), role
    for role in (
        "hrss_liaison",
        "housing_liaison",
        "b_court_staff",
        "a_office",
        "city_leader",
        "system_admin",
        "audit_admin",
    ):
        assert entry.pk not in _visible(world, role), role


def test_a_persons_pull_is_seen_by_the_court_of_the_area(world):
    city = _person_pull(world, "hrss_liaison")
    county = _person_pull(world, "a_hrss_liaison")
    assert city.unit == world.units["hrss"] and city.client is None
    assert city.provider_unit is None
    assert {city.pk, county.pk} <= _visible(world, "court_staff")
    assert _visible(world, "b_court_staff") == set()
    assert county.pk in _visible(world, "a_office") and city.pk not in _visible(world, "a_office")


def test_the_courts_own_pulls_are_its_own(world):
    own = _client_pull(world, "court")
    assert own.provider_unit == world.units["court"] and own.grant is None
    assert own.pk in _visible(world, "court_staff")
    assert own.pk not in _visible(world, "b_court_staff")


def test_export_packages_are_logged_on_the_package_channel(world):
    grant = approved(world)
    entry = access.log_package(
        user=world.users["court_staff"],
        unit=world.units["hrss"],
        dataset="enforcement.debtors",
        grant=grant,
        filters={"state": "active"},
        rows=120,
        personal_revealed=False,
    )
    assert entry.channel == Channel.PACKAGE and entry.provider_unit == world.units["court"]
    assert entry.pk in _visible(world, "court_staff")
    assert entry.filter_text == "state=active"


def test_log_page_for_the_provider_with_filters_and_count(world, client_for):
    approved(world)
    first = _client_pull(world)
    _person_pull(world, "hrss_liaison")
    page = client_for("court_staff").get(reverse("exchange:access_log"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    assert "共" in page.content.decode()
    by_client = client_for("court_staff").get(
        reverse("exchange:access_log"), {"client": first.client_id}
    )
    assert [e.pk for e in by_client.context["page"]] == [first.pk]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    later = client_for("court_staff").get(reverse("exchange:access_log"), {"date_from": tomorrow})
    assert later.context["page"].paginator.count == 0
    other = client_for("court_staff").get(
        reverse("exchange:access_log"), {"dataset": "bankruptcy.cases"}
    )
    assert other.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("court_staff", 200),
        ("city_office", 200),
        ("hrss_liaison", 403),
        ("city_leader", 403),
        ("system_admin", 403),
        ("audit_admin", 403),
    ],
)
def test_log_page_is_for_providers_and_the_office(world, client_for, role, status):
    assert client_for(role).get(reverse("exchange:access_log")).status_code == status


def test_log_api_filters_and_stays_flat(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approved(world)
    api = signed_in(world.users["court_staff"])
    for _ in range(2):
        _client_pull(world)
    with CaptureQueriesContext(connection) as two:
        assert api.get("/api/v1/exchange/access-log/").json()["count"] == 2
    for _ in range(8):
        _person_pull(world, "hrss_liaison")
    with CaptureQueriesContext(connection) as ten:
        body = api.get("/api/v1/exchange/access-log/").json()
    assert body["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)
    by_channel = api.get("/api/v1/exchange/access-log/", {"channel": "package"}).json()
    assert by_channel["count"] == 0
    entry = AccessLog.objects.filter(client__isnull=False).first()
    row = api.get(f"/api/v1/exchange/access-log/{entry.pk}/").json()
    assert row["client_name"] and row["provider_unit_name"] == world.units["court"].name


def test_a_client_pull_is_visible_to_the_court_through_its_token(world):
    approved(world)
    entry = _client_pull(world)
    _c, _t, raw = make_client(world, "court", scopes={"exchange.grants": "read"}, name="法院系统")
    body = bearer(raw).get("/api/v1/exchange/access-log/").json()
    assert [row["id"] for row in body["results"]] == [entry.pk]
