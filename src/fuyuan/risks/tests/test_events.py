"""Risk events: validation codes, the graph (who may start, resolve, close, reopen), notes,
coordination matters opened through the matter engine, who sees what (another county's office
does not), and the figures by level and state."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import sources
from fuyuan.matters.models import Matter
from fuyuan.risks import actions, queries
from fuyuan.risks import workflow as wf
from fuyuan.risks.models import RiskEvent

from .helpers import make_event, make_project

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {f: {e.code for e in errs} for f, errs in exc.error_dict.items()}  # type: ignore[misc]


def test_reporting_an_event_stores_it_audits_and_notifies_the_units(world):
    event = make_event(world)
    assert event.state == wf.REPORTED
    assert {u.pk for u in event.units_involved.all()} == {
        world.units["court"].pk,
        world.units["hrss"].pk,
    }
    assert AuditEntry.objects.filter(action="risks.event.report", object_id=str(event.pk)).exists()
    from fuyuan.notify.models import OutboxMessage

    recipients = set(
        OutboxMessage.objects.filter(ref_kind="risks.event").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"regulator_liaison", "court_staff", "hrss_liaison"} <= recipients
    assert "city_office" not in recipients  # the actor


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        (
            {"mechanism": "a", "actor": "a_office", "lead": "hrss", "involved": ()},
            "lead_unit",
            "risks.lead_unit_outside",
        ),
        (
            {"mechanism": "a", "actor": "a_office", "lead": "a_hrss", "involved": ("b_court",)},
            "units_involved",
            "risks.unit_outside",
        ),
        ({"reported_on": D(2026, 3, 11)}, "reported_on", "risks.date_future"),
        ({"title": " "}, "title", "required"),
        ({"level": "huge"}, "level", "invalid_choice"),
    ],
)
def test_an_event_is_refused_with_a_code(world, kwargs, field, code):
    with pytest.raises(ValidationError) as info:
        make_event(world, **kwargs)
    assert code in codes(info.value)[field]


def test_a_county_event_may_involve_city_bodies_and_the_intermediate_court(world):
    event = make_event(
        world, actor="a_office", mechanism="a", lead="a_hrss", involved=("court", "housing")
    )
    assert event.mechanism == world.mechanisms["a"]


def test_only_a_stalled_housing_event_links_a_project_of_its_jurisdiction(world):
    project = make_project(world)
    with pytest.raises(ValidationError) as info:
        make_event(world, project=project)
    assert codes(info.value)["project"] == {"risks.project_kind_mismatch"}
    with pytest.raises(ValidationError) as info:
        make_event(
            world,
            actor="a_office",
            mechanism="a",
            lead="a_gov",
            involved=(),
            kind="stalled_housing",
            project=project,
        )
    assert codes(info.value)["project"] == {"risks.project_outside"}
    event = make_event(
        world, lead="housing", kind="stalled_housing", level="large", project=project
    )
    assert event.project == project


def test_only_the_office_reports(world):
    for name in ("city_leader", "hrss_liaison", "court_staff"):
        with pytest.raises(PermissionDenied):
            make_event(world, actor=name)
    with pytest.raises(PermissionDenied):
        make_event(world, actor="b_office", mechanism="a", lead="a_hrss", involved=())


def test_the_graph_decides_who_moves_an_event(world):
    event = make_event(world)
    # The lead unit starts handling; a unit involved, the court or a leader cannot.
    for name in ("hrss_liaison", "court_staff", "city_leader"):
        with pytest.raises(TransitionError):
            actions.event_transition(world.users[name], event, "start")
    actions.event_transition(world.users["regulator_liaison"], event, "start")
    assert event.state == wf.HANDLING
    # Resolving is the office's, with a comment.
    with pytest.raises(TransitionError):
        actions.event_transition(world.users["regulator_liaison"], event, "resolve", "已清退")
    with pytest.raises(TransitionError) as info:
        actions.event_transition(world.users["city_office"], event, "resolve")
    assert info.value.code == "workflow.comment_required"
    with pytest.raises(ValidationError) as bad:
        actions.event_transition(
            world.users["city_office"], event, "resolve", "x", on=D(2026, 3, 1)
        )
    assert codes(bad.value)["on"] == {"risks.closed_before_report"}
    actions.event_transition(world.users["city_office"], event, "resolve", "资金清退完毕")
    assert (event.state, event.closed_on) == (wf.RESOLVED, D(2026, 3, 10))
    actions.event_transition(world.users["city_office"], event, "reopen", "出现新的信访")
    assert (event.state, event.closed_on) == (wf.HANDLING, None)
    assert list(event.entries.values_list("transition", flat=True)) == [
        "start",
        "resolve",
        "reopen",
    ]


def test_notes_by_the_units_and_the_court_and_the_first_lead_note_starts_handling(world):
    event = make_event(world)
    actions.add_note(world.users["court_staff"], event, on=D(2026, 3, 5), text="已立案审查")
    assert event.state == wf.REPORTED
    actions.add_note(world.users["regulator_liaison"], event, on=D(2026, 3, 6), text="约谈负责人")
    event.refresh_from_db()
    assert event.state == wf.HANDLING
    with pytest.raises(ValidationError) as info:
        actions.add_note(world.users["hrss_liaison"], event, on=D(2026, 3, 1), text="x")
    assert codes(info.value)["on"] == {"risks.note_before_report"}
    with pytest.raises(PermissionDenied):
        actions.add_note(world.users["city_leader"], event, on=D(2026, 3, 6), text="x")
    with pytest.raises(PermissionDenied):
        actions.add_note(world.users["housing_liaison"], event, on=D(2026, 3, 6), text="x")


def test_the_office_opens_coordination_matters_for_units_of_the_jurisdiction(world):
    event = make_event(world)
    link = actions.open_matter(
        world.users["city_office"],
        event,
        title="追赃挽损",
        lead_unit=world.units["new_regulator"],
        deadline=D(2026, 6, 30),
    )
    matter = Matter.objects.get(pk=link.matter_id)
    assert (matter.source_kind, matter.source_ref) == ("risks.event", str(event.pk))
    assert matter.state == "assigned" and matter.lead_unit == world.units["new_regulator"]
    assert sources.url_of(matter) == f"/risks/events/{event.pk}/"
    event.refresh_from_db()
    assert event.state == wf.HANDLING
    with pytest.raises(ValidationError) as info:
        actions.open_matter(
            world.users["city_office"],
            event,
            title="x",
            lead_unit=world.units["a_hrss"],
            deadline=D(2026, 6, 30),
        )
    assert codes(info.value)["lead_unit"] == {"risks.matter_lead_unit_outside"}
    with pytest.raises(ValidationError) as info:
        actions.open_matter(
            world.users["city_office"],
            event,
            title="x",
            lead_unit=world.units["hrss"],
            deadline=D(2026, 3, 9),
        )
    assert codes(info.value)["deadline"] == {"risks.deadline_past"}
    with pytest.raises(PermissionDenied):
        actions.open_matter(
            world.users["regulator_liaison"],
            event,
            title="x",
            lead_unit=world.units["hrss"],
            deadline=D(2026, 6, 30),
        )


def test_an_event_is_seen_by_overseers_and_the_units_involved_only(world):
    city = make_event(world)
    county = make_event(
        world,
        actor="a_office",
        mechanism="a",
        lead="a_hrss",
        involved=(),
        title="西平县农商行流动性风险",
    )

    def seen(name: str) -> set[int]:
        return set(RiskEvent.objects.visible_to(world.users[name]).values_list("pk", flat=True))

    assert seen("city_office") == {city.pk, county.pk}
    assert seen("city_leader") == {city.pk, county.pk}
    assert seen("a_office") == {county.pk}
    assert seen("b_office") == set()
    assert seen("regulator_liaison") == {city.pk}  # lead unit
    assert seen("hrss_liaison") == {city.pk}  # involved
    assert seen("court_staff") == {city.pk}  # involved court
    assert seen("b_court_staff") == set()
    assert seen("a_hrss_liaison") == {county.pk}
    assert seen("housing_liaison") == set()


def test_event_figures_by_level_and_state(world):
    a = make_event(world, level="major")
    make_event(world, level="major", title="P2P平台")
    b = make_event(world, level="large", title="乙")
    make_event(world, level="general", title="丙", kind="other")
    actions.event_transition(world.users["city_office"], a, "start")
    actions.event_transition(world.users["city_office"], a, "resolve", "化解")
    actions.event_transition(world.users["city_office"], b, "close", "并入他案")
    figures = queries.event_figures(RiskEvent.objects.all())
    assert (figures["total"], figures["open"], figures["resolved"], figures["closed"]) == (
        4,
        2,
        1,
        1,
    )
    assert (figures["level_major"], figures["open_major"]) == (2, 1)
    assert (figures["level_large"], figures["open_large"]) == (1, 0)
    assert figures["kind_financial"] == 3 and figures["kind_other"] == 1
