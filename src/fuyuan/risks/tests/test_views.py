"""Pages of the risks app: the lists show figures and keep query counts flat, the forms put
the actions' refusals on their fields, a stale edit is reported, and an event's page shows its
matters and the buttons the graph allows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fuyuan.risks import actions
from fuyuan.risks.models import RiskEvent, StalledProject

from .helpers import bad_check, credit_code, make_event, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def test_event_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    client = client_for("city_office")
    make_event(world)
    client.get(reverse("risks:event_list"))
    with django_assert_max_num_queries(30) as one:
        response = client.get(reverse("risks:event_list"))
    assert "某投资公司非法集资案" in response.content.decode()
    for n in range(9):
        make_event(world, title=f"风险{n}", involved=("court", "hrss", "housing"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("risks:event_list"))
    assert response.context["figures"]["total"] == 10


def test_project_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    client = client_for("city_office")
    make_project(world)
    client.get(reverse("risks:project_list"))
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("risks:project_list"))
    for n in range(9):
        make_project(world, name=f"楼盘{n}", households_affected=100)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("risks:project_list"))
    assert response.context["figures"]["households_affected"] == 420 + 900
    assert "共" in response.content.decode() or "10" in response.content.decode()


def test_the_event_list_filters_and_keeps_filters_in_the_url(world, client_for):
    make_event(world, level="major")
    make_event(world, level="general", title="一般风险")
    response = client_for("city_office").get(reverse("risks:event_list") + "?level=general")
    assert [e.title for e in response.context["page"]] == ["一般风险"]
    assert response.context["query"] == "level=general"


def test_reporting_through_the_form(world, client_for):
    data = {
        "mechanism": world.mechanisms["city"].pk,
        "title": "某村镇银行流动性风险",
        "kind": "financial",
        "level": "major",
        "description": "储户集中取款。",
        "lead_unit": world.units["new_regulator"].pk,
        "units_involved": [world.units["court"].pk],
        "reported_on": "2026-03-09",
    }
    response = client_for("city_office").post(reverse("risks:event_create"), data)
    event = RiskEvent.objects.get(title="某村镇银行流动性风险")
    assert response.status_code == 302 and response.url == reverse(
        "risks:event_detail", args=[event.pk]
    )
    data["reported_on"] = "2026-03-11"
    response = client_for("city_office").post(reverse("risks:event_create"), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("reported_on", "risks.date_future")


def test_an_events_page_shows_its_matters_and_the_allowed_actions(world, client_for):
    event = make_event(world)
    actions.open_matter(
        world.users["city_office"],
        event,
        title="追赃挽损",
        lead_unit=world.units["new_regulator"],
        deadline=datetime.date(2026, 6, 30),
    )
    page = client_for("city_office").get(reverse("risks:event_detail", args=[event.pk]))
    assert "追赃挽损" in page.content.decode()
    assert {t.name for t in page.context["transitions"]} == {"resolve", "close"}
    court = client_for("court_staff").get(reverse("risks:event_detail", args=[event.pk]))
    assert court.context["transitions"] == [] and court.context["can_note"]
    assert not court.context["can_open_matter"]


def test_a_resolution_without_comment_is_shown_on_the_form(world, client_for):
    event = make_event(world)
    actions.event_transition(world.users["city_office"], event, "start")
    url = reverse("risks:event_transition", args=[event.pk, "resolve"])
    response = client_for("city_office").post(url, {"version": event.version})
    assert response.status_code == 200
    assert response.context["transition_form"].has_error("comment", "workflow.comment_required")


def test_project_form_override_and_stale_edit(world, client_for):
    client = client_for("city_office")
    data = {
        "jurisdiction": world.city.pk,
        "name": "天中名苑二期",
        "developer": "驻马店市天中置业有限公司",
        "developer_credit_code": bad_check(credit_code()),
        "households_affected": 420,
        "households_delivered": 0,
        "status": "stopped",
        "stopped_on": "2024-05-01",
        "responsible_unit": world.units["housing"].pk,
    }
    response = client.post(reverse("risks:project_create"), data)
    assert response.context["form"].has_error("developer_credit_code", "uscc.checksum")
    response = client.post(reverse("risks:project_create"), {**data, "override_reason": "原件核对"})
    project = StalledProject.objects.get()
    assert response.status_code == 302 and project.credit_code_override == "原件核对"
    edit = {k: v for k, v in data.items() if k != "jurisdiction"} | {"version": project.version}
    client_for("housing_liaison").post(
        reverse("risks:project_edit", args=[project.pk]), {**edit, "households_delivered": 5}
    )
    response = client.post(reverse("risks:project_edit", args=[project.pk]), {**edit, "note": "旧"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    project.refresh_from_db()
    assert project.households_delivered == 5 and project.note == ""
