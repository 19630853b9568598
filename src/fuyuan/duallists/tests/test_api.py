"""The dual-lists API: calls and items scoped as on the pages (a unit sees its own items and
those naming it, not another unit's), filters by mechanism, year, list kind, state and unit,
proposing an item through the action (audited), refusals in the one error shape, and list
query counts that do not grow."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.audit.models import AuditEntry
from fuyuan.duallists import actions
from fuyuan.duallists.models import ListItem
from fuyuan.org.models import ListKind

from .helpers import ITEM_DEADLINE, open_call, propose, setup_lists

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/duallists/calls/"
ITEMS = "/api/v1/duallists/items/"


def api(world: Any, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[role])
    return client


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def county_call(world: Any) -> Any:
    return actions.open_call(
        world.users["a_office"],
        world.mechanisms["a"],
        year=timezone.localdate().year + 1,
        proposal_deadline=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_calls_and_items_are_scoped_as_on_the_pages(world):
    lists = setup_lists(world)
    call = open_call(world)
    county = county_call(world)
    asked = propose(world, call, "court_staff", "court", lists["court_kind"], "hrss")
    own = propose(world, call, "housing_liaison", "housing", lists["gov_kind"], "court")
    assert ids(api(world, "city_office").get(CALLS)) == {call.pk, county.pk}
    assert ids(api(world, "a_office").get(CALLS)) == {county.pk}
    assert ids(api(world, "hrss_liaison").get(CALLS)) == {call.pk}
    assert api(world, "a_office").get(f"{CALLS}{call.pk}/").status_code == 404
    assert ids(api(world, "city_office").get(ITEMS)) == {asked.pk, own.pk}
    assert ids(api(world, "hrss_liaison").get(ITEMS)) == {asked.pk}
    assert ids(api(world, "court_staff").get(ITEMS)) == {asked.pk, own.pk}
    assert ids(api(world, "a_office").get(ITEMS)) == set()
    response = api(world, "hrss_liaison").get(f"{ITEMS}{own.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "api.not_found"
    body = api(world, "hrss_liaison").get(f"{ITEMS}{asked.pk}/").json()
    assert body["requester_side"] == "court" and body["provider_side"] == "government"
    assert body["lead_unit"] == world.units["hrss"].pk and body["state"] == "submitted"
    assert body["list_kind_code"] == "court_needs_government" and body["matter"] is None
    assert body["year"] == call.year and body["mechanism"] == world.mechanisms["city"].pk
    response = api(world, "security_admin").get(ITEMS)
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"


def test_filters_by_mechanism_year_kind_state_and_unit(world):
    lists = setup_lists(world)
    call = open_call(world)
    later = open_call(world, year=call.year + 1)
    court_item = propose(
        world, call, "court_staff", "court", lists["court_kind"], "hrss", co_units=[]
    )
    gov_item = propose(
        world,
        call,
        "hrss_liaison",
        "hrss",
        lists["gov_kind"],
        "court",
        co_units=[world.units["housing"]],
    )
    next_year = propose(world, later, "court_staff", "court", lists["court_kind"], "housing")
    actions.claim(world.users["hrss_liaison"], court_item)
    client = api(world, "city_office")
    assert ids(client.get(CALLS, {"year": call.year})) == {call.pk}
    assert ids(client.get(CALLS, {"mechanism": world.mechanisms["a"].pk})) == set()
    assert ids(client.get(ITEMS, {"year": later.year})) == {next_year.pk}
    assert ids(client.get(ITEMS, {"kind": "government_needs_court"})) == {gov_item.pk}
    assert ids(client.get(ITEMS, {"list_kind": lists["court_kind"].pk})) == {
        court_item.pk,
        next_year.pk,
    }
    assert ids(client.get(ITEMS, {"state": "claimed"})) == {court_item.pk}
    assert ids(client.get(ITEMS, {"unit": world.units["housing"].pk})) == {
        gov_item.pk,
        next_year.pk,
    }
    assert ids(client.get(ITEMS, {"lead_unit": world.units["court"].pk})) == {gov_item.pk}
    assert ids(client.get(ITEMS, {"call": call.pk, "state": ["claimed", "submitted"]})) == {
        court_item.pk,
        gov_item.pk,
    }
    response = client.get(ITEMS, {"year": "next"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "year"


def test_a_unit_proposes_an_item_through_the_action(world):
    lists = setup_lists(world)
    call = open_call(world)
    response = api(world, "court_staff").post(
        f"{CALLS}{call.pk}/propose/",
        {
            "list_kind": lists["court_kind"].pk,
            "title": "协助查询被执行人社保信息",
            "content": "建立点对点查询机制。",
            "measurable_target": "查询回复不超过3个工作日",
            "lead_unit": world.units["hrss"].pk,
            "co_units": [world.units["housing"].pk],
            "deadline": ITEM_DEADLINE.isoformat(),
            "task_area": lists["area"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    item = ListItem.objects.get(pk=body["id"])
    assert item.proposing_unit == world.units["court"] and item.state == "submitted"
    assert item.proposed_by == world.users["court_staff"]
    assert body["co_units"] == [world.units["housing"].pk]
    assert body["task_area_name"] == "执行联动"
    assert AuditEntry.objects.filter(
        action="duallists.item.propose", object_id=str(item.pk)
    ).exists()


def _proposal(world: Any, lists: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "list_kind": lists["court_kind"].pk,
        "title": "事项",
        "content": "内容",
        "measurable_target": "全年办结率达到90%以上",
        "lead_unit": world.units["hrss"].pk,
        "deadline": ITEM_DEADLINE.isoformat(),
    }
    data.update(changes)
    return data


def test_refused_proposals_answer_in_the_error_shape(world):
    lists = setup_lists(world)
    call = open_call(world, days=3)
    url = f"{CALLS}{call.pk}/propose/"
    court = api(world, "court_staff")
    # The lead unit of a court's list must be on the government side.
    response = court.post(url, _proposal(world, lists, lead_unit=world.units["housing"].pk))
    assert response.status_code == 201
    response = court.post(url, _proposal(world, lists, lead_unit=world.units["court"].pk))
    assert response.status_code == 400 and response.json()["code"] == "item.lead_side"
    other = ListKind.objects.create(mechanism=world.mechanisms["a"], code="x", name="县清单")
    response = court.post(url, _proposal(world, lists, list_kind=other.pk))
    assert response.status_code == 400 and response.json()["code"] == "item.list_kind"
    response = court.post(url, _proposal(world, lists, title=""))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "title"
    # hrss does not propose for the court; a county office does not see the city's call.
    response = api(world, "hrss_liaison").post(
        url, _proposal(world, lists, proposing_unit=world.units["court"].pk)
    )
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"
    assert api(world, "a_office").post(url, _proposal(world, lists)).status_code == 404
    # After the deadline a unit no longer proposes.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=5), tick=False):
        response = court.post(url, _proposal(world, lists))
    assert response.status_code == 403
    assert ListItem.objects.count() == 1


def _count(client: APIClient, url: str) -> int:
    client.get(url)  # warm: the user's scope is rebuilt once after writes elsewhere
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_list_queries_do_not_grow_with_the_rows(world):
    lists = setup_lists(world)
    call = open_call(world)
    client = api(world, "city_office")
    for lead in ("hrss", "housing"):
        propose(world, call, "court_staff", "court", lists["court_kind"], lead)
    small = [_count(client, CALLS), _count(client, ITEMS)]
    for n in range(8):
        open_call(world, year=call.year + 1 + n)
        propose(
            world,
            call,
            "court_staff",
            "court",
            lists["court_kind"],
            "hrss",
            co_units=[world.units["housing"]],
            task_area=lists["area"],
        )
    assert [_count(client, CALLS), _count(client, ITEMS)] == small
