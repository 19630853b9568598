"""REST API of major risks (risks.api), read-only: events and stalled projects scoped as on
the pages, filtered with the pages' parameters, with flat query counts; an event's page adds
its history and coordination matters; nothing can be written through it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.risks import actions
from fuyuan.testing import World

from .helpers import make_event, make_project

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/risks/events/"
PROJECTS = "/api/v1/risks/projects/"


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def api_for(world: World, name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[name])
    return client


def _ids(response: object) -> set[int]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return {row["id"] for row in response.json()["results"]}  # type: ignore[attr-defined]


def test_events_are_scoped_as_on_the_pages(world: World) -> None:
    event = make_event(world)  # lead: the regulator; involved: the court and 人社局
    county = make_event(world, actor="a_office", mechanism="a", lead="a_hrss", involved=())
    for name in ("city_office", "city_leader", "regulator_liaison", "court_staff", "hrss_liaison"):
        assert event.pk in _ids(api_for(world, name).get(EVENTS)), name
    assert _ids(api_for(world, "housing_liaison").get(EVENTS)) == set()
    assert _ids(api_for(world, "a_office").get(EVENTS)) == {county.pk}
    assert api_for(world, "a_office").get(f"{EVENTS}{event.pk}/").status_code == 404
    assert api_for(world, "system_admin").get(EVENTS).status_code == 403
    assert APIClient().get(EVENTS).status_code == 401


def test_an_events_page_has_its_units_history_and_matters(world: World) -> None:
    event = make_event(world)
    actions.add_note(
        world.users["hrss_liaison"], event, on=datetime.date(2026, 3, 9), text="已排查"
    )
    link = actions.open_matter(
        world.users["city_office"],
        event,
        title="追赃挽损",
        lead_unit=world.units["new_regulator"],
        deadline=datetime.date(2026, 6, 30),
    )
    body = api_for(world, "city_office").get(f"{EVENTS}{event.pk}/").json()
    assert body["matter_ids"] == [link.matter_id]
    assert {u["id"] for u in body["units_involved"]} == {
        world.units["court"].pk,
        world.units["hrss"].pk,
    }
    assert [e["text"] for e in body["entries"] if e["kind"] == "note"] == ["已排查"]
    assert body["state"] == "handling" and body["state_label"]
    listed = api_for(world, "city_office").get(EVENTS).json()["results"][0]
    assert "entries" not in listed and listed["matter_ids"] == [link.matter_id]


def test_event_filters_are_the_pages(world: World) -> None:
    major = make_event(world)
    general = make_event(
        world,
        title="某小区业主聚集",
        kind="other",
        level="general",
        reported_on=datetime.date(2025, 12, 1),
    )
    api = api_for(world, "city_office")
    assert _ids(api.get(f"{EVENTS}?level=major")) == {major.pk}
    assert _ids(api.get(f"{EVENTS}?kind=other")) == {general.pk}
    assert _ids(api.get(f"{EVENTS}?year=2025")) == {general.pk}
    assert _ids(api.get(f"{EVENTS}?state=reported")) == {major.pk, general.pk}
    assert api.get(f"{EVENTS}?level=huge").status_code == 400


def test_the_event_list_query_count_is_flat(world: World) -> None:
    api = api_for(world, "city_office")
    for n in range(2):
        make_event(world, title=f"风险{n}")
    api.get(EVENTS)
    with CaptureQueriesContext(connection) as two:
        api.get(EVENTS)
    for n in range(8):
        make_event(world, title=f"风险{n + 2}", involved=("court", "hrss", "housing"))
    with CaptureQueriesContext(connection) as ten:
        assert api.get(EVENTS).json()["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_projects_are_scoped_and_filtered_as_on_the_ledger(world: World) -> None:
    city = make_project(world, households_affected=400, households_delivered=100)
    county = make_project(
        world,
        actor="a_office",
        jurisdiction="a",
        name="西平某楼盘",
        white_list=True,
        responsible_unit=world.units["a_hrss"],
    )
    api = api_for(world, "city_office")
    assert _ids(api.get(PROJECTS)) == {city.pk, county.pk}
    row = api.get(f"{PROJECTS}{city.pk}/").json()
    assert row["delivery_rate"] == "25.0" and row["responsible_unit"] == world.units["housing"].pk
    assert _ids(api.get(f"{PROJECTS}?white_list=yes")) == {county.pk}
    assert _ids(api.get(f"{PROJECTS}?white_list=no")) == {city.pk}
    assert _ids(api.get(f"{PROJECTS}?jurisdiction={world.county_a.pk}")) == {county.pk}
    assert _ids(api.get(f"{PROJECTS}?status=stopped")) == {city.pk, county.pk}
    assert _ids(api_for(world, "housing_liaison").get(PROJECTS)) == {city.pk}
    assert _ids(api_for(world, "a_office").get(PROJECTS)) == {county.pk}
    assert api_for(world, "hrss_liaison").get(f"{PROJECTS}{city.pk}/").status_code == 404


def test_the_risks_api_is_read_only(world: World) -> None:
    event = make_event(world)
    api = api_for(world, "city_office")
    assert api.post(EVENTS, {"title": "x"}, format="json").status_code == 405
    assert api.patch(f"{EVENTS}{event.pk}/", {"title": "x"}, format="json").status_code == 405
    assert api.delete(f"{EVENTS}{event.pk}/").status_code == 405
