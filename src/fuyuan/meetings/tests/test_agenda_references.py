"""Records of other apps on a meeting's agenda (a case for a case-analysis meeting): the
backlinks registry, the agenda picker, references kept when the meeting is edited, and the
decisions taken on such an item linking back to the record."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.matters import sources
from fuyuan.meetings import actions
from fuyuan.meetings.apps import agenda_backlinks
from fuyuan.meetings.models import AgendaItem, Meeting

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db

CASE = "litigation.case"  # registered by the litigation app
BEFORE = at(THURSDAY - datetime.timedelta(days=7), 10)
AFTER = at(THURSDAY, 17)
PICK = reverse("meetings:agenda_pick")


@pytest.fixture(autouse=True)
def _calendar() -> None:
    seed()


def _codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]  # type: ignore[misc]
    return [e.code for e in exc.error_list]  # type: ignore[misc]


# --- the registry -----------------------------------------------------------------------------
def test_backlinks_collect_from_every_provider_once(monkeypatch):
    monkeypatch.setattr(sources, "_PROVIDERS", [])
    calls: list[tuple[str, str, Any]] = []

    def first(kind: str, ref: str, user: Any) -> list[sources.Backlink]:
        calls.append((kind, ref, user))
        return [sources.Backlink("会议", "/m/1/", datetime.date(2026, 1, 2), "议程")]

    def second(kind: str, ref: str, user: Any) -> list[sources.Backlink]:
        return [sources.Backlink("决定", "/d/1/")]

    sources.register_backlinks(first)
    sources.register_backlinks(second)
    sources.register_backlinks(first)  # registering again changes nothing
    found = sources.backlinks(CASE, 7, "someone")
    assert [b.label for b in found] == ["会议", "决定"]
    assert calls == [(CASE, "7", "someone")]  # ids are passed as text
    assert found[1].date is None and found[1].detail == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].label = "x"  # type: ignore[misc]
    assert sources.backlinks("", "7", None) == [] and sources.backlinks(CASE, " ", None) == []


def test_reference_urls_come_from_the_kind(monkeypatch):
    monkeypatch.setattr(sources, "_KINDS", dict(sources._KINDS))
    sources.register("test.thing", "Thing", lambda m: "", reference_url=lambda ref: f"/t/{ref}/")
    sources.register("test.plain", "Plain", lambda m: "")
    assert sources.reference_url_of("test.thing", 5) == "/t/5/"
    assert sources.reference_url_of("test.plain", "5") == ""
    assert sources.reference_url_of("test.unknown", "5") == ""
    assert sources.reference_url_of("test.thing", "") == ""


# --- the action -------------------------------------------------------------------------------
def test_a_record_goes_on_an_agenda_once(world):
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world, kind="case_analysis")
        item = actions.add_reference_item(
            office, meeting, kind=CASE, ref="42", title="（2026）豫17行初3号 工伤认定"
        )
        assert (item.order, item.reference_kind, item.reference_id) == (2, CASE, "42")
        assert item.title == "（2026）豫17行初3号 工伤认定"
        with pytest.raises(ValidationError) as dup:
            actions.add_reference_item(office, meeting, kind=CASE, ref="42")
        assert _codes(dup.value) == ["agenda.duplicate_reference"]
        with pytest.raises(ValidationError) as unknown:
            actions.add_reference_item(office, meeting, kind="nope.thing", ref="42")
        assert _codes(unknown.value) == ["agenda.reference_kind"]
        with pytest.raises(PermissionDenied):
            actions.add_reference_item(world.users["a_office"], meeting, kind=CASE, ref="43")
        plain = actions.add_reference_item(office, meeting, kind=CASE, ref="43")
    assert plain.title == f"{sources.label_of(CASE)} 43"
    assert meeting.agenda.filter(reference_kind=CASE).count() == 2
    assert AuditEntry.objects.filter(action="meetings.agenda_item.create").count() == 3


# --- the picker -------------------------------------------------------------------------------
def test_the_picker_lists_the_meetings_not_yet_held_of_the_users_office(world, client_for):
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        upcoming = schedule(world, kind="case_analysis", title="案件分析会")
        cancelled = schedule(world, title="已取消的会")
        actions.cancel(office, cancelled, "改期")
        county = schedule(world, mechanism="a", units=("a_hrss",), title="西平县协调会")
        response = client_for("city_office").get(PICK, {"kind": CASE, "ref": "42", "title": "案"})
    assert response.status_code == 200
    listed = {m.pk for m in response.context["meetings"]}
    assert upcoming.pk in listed and cancelled.pk not in listed and county.pk not in listed
    text = response.content.decode()
    assert "案件分析会" in text and "共 1 条" in text
    # A new case-analysis meeting may be called with the record on its agenda.
    assert "reference_kind=litigation.case" in text and "reference_id=42" in text


def test_the_picker_adds_the_item_once(world, client_for):
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world, kind="case_analysis")
        c = client_for("city_office")
        form = {"meeting": meeting.pk, "kind": CASE, "ref": "42", "title": "行政案件分析"}
        first = c.post(PICK, form)
        assert first.status_code == 302
        assert first["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
        again = c.post(PICK, form)
        assert again.status_code == 200
        assert [m.level_tag for m in again.context["messages"]].count("error") == 1
        page = c.get(PICK, {"kind": CASE, "ref": "42"})
    assert meeting.agenda.filter(reference_kind=CASE, reference_id="42").count() == 1
    assert meeting.agenda.last().title == "行政案件分析"
    assert [m.has_reference for m in page.context["meetings"]] == [True]
    assert f'name="meeting" value="{meeting.pk}"' not in page.content.decode()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"kind": "nope.thing", "ref": "1"}, 404),
        ({"kind": CASE, "ref": ""}, 404),
        ({"ref": "1"}, 404),
    ],
)
def test_the_picker_needs_a_registered_kind_and_an_id(world, client_for, query, status):
    assert client_for("city_office").get(PICK, query).status_code == status


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        ("city_office", 200, 302),
        ("a_office", 200, 404),  # its own meetings only; the city's is not visible
        ("city_leader", 403, 403),
        ("hrss_liaison", 403, 403),
        ("court_staff", 403, 403),
        ("audit_admin", 403, 403),
    ],
)
def test_only_the_office_puts_records_on_its_agendas(world, client_for, role, get, post):
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world)
        c = client_for(role)
        assert c.get(PICK, {"kind": CASE, "ref": "9"}).status_code == get
        data = {"meeting": meeting.pk, "kind": CASE, "ref": "9"}
        assert c.post(PICK, data).status_code == post
    assert meeting.agenda.filter(reference_id="9").exists() == (post == 302)


def test_a_new_meeting_from_the_picker_starts_with_the_record(world, client_for):
    mechanism = world.mechanisms["city"]
    with time_machine.travel(BEFORE, tick=False):
        c = client_for("city_office")
        url = reverse("meetings:meeting_create")
        query = (
            f"?mechanism={mechanism.pk}&kind=case_analysis"
            f"&reference_kind={CASE}&reference_id=42&title=案号"
        )
        form = c.get(url + query)
        assert form.status_code == 200
        assert form.context["form"].initial["reference_id"] == "42"
        response = c.post(
            url + f"?mechanism={mechanism.pk}",
            {
                "kind": "case_analysis",
                "title": "行政案件分析会",
                "starts_at": "2026-11-19T09:00",
                "ends_at": "2026-11-19T11:00",
                "place": "会议室",
                "reference_kind": CASE,
                "reference_id": "42",
                "reference_title": "（2026）豫17行初3号",
                "agenda-TOTAL_FORMS": "1",
                "agenda-INITIAL_FORMS": "0",
                "agenda-0-title": "其他事项",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(title="行政案件分析会")
    rows = list(meeting.agenda.values_list("title", "reference_kind", "reference_id"))
    assert rows == [("（2026）豫17行初3号", CASE, "42"), ("其他事项", "", "")]


# --- editing keeps references -----------------------------------------------------------------
def _edit_post(meeting: Meeting, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": "2026-11-19T09:00",
        "ends_at": "2026-11-19T11:00",
        "place": meeting.place,
        "version": meeting.version,
        "units": list(meeting.invitations.values_list("unit_id", flat=True)),
        "agenda-TOTAL_FORMS": str(len(rows)),
        "agenda-INITIAL_FORMS": str(sum(1 for r in rows if r.get("item"))),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"agenda-{i}-{key}"] = value
    return data


def test_editing_a_meeting_keeps_its_agenda_references(world, client_for):
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world, kind="case_analysis")
        plain = meeting.agenda.get()
        item = actions.add_reference_item(office, meeting, kind=CASE, ref="42", title="案件一")
        c = client_for("city_office")
        url = reverse("meetings:meeting_edit", args=[meeting.pk])
        page = c.get(url)
        assert page.status_code == 200
        # The form carries the item's id, never its reference.
        text = page.content.decode()
        assert f'name="agenda-1-item" value="{item.pk}"' in text
        assert "agenda-1-reference" not in text
        response = c.post(
            url,
            _edit_post(
                meeting,
                [
                    {"item": item.pk, "title": "案件一（改）", "note": "请法院介绍案情"},
                    {"item": plain.pk, "title": plain.title},
                    {"title": "新增议题"},
                ],
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert (item.reference_kind, item.reference_id) == (CASE, "42")
    assert (item.title, item.note, item.order) == ("案件一（改）", "请法院介绍案情", 1)
    assert [a.title for a in meeting.agenda.order_by("order")] == [
        "案件一（改）",
        plain.title,
        "新增议题",
    ]
    assert AuditEntry.objects.filter(action="meetings.agenda_item.update").exists()


def test_a_cleared_row_removes_its_item_and_a_forged_id_adds_a_plain_item(world, client_for):
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world)
        other = schedule(world, title="另一个会")
        foreign = actions.add_reference_item(office, other, kind=CASE, ref="7")
        plain = meeting.agenda.get()
        response = client_for("city_office").post(
            reverse("meetings:meeting_edit", args=[meeting.pk]),
            _edit_post(
                meeting, [{"item": plain.pk, "title": ""}, {"item": foreign.pk, "title": "改"}]
            ),
        )
    assert response.status_code == 302
    assert list(meeting.agenda.values_list("title", "reference_kind")) == [("改", "")]
    foreign.refresh_from_db()
    assert foreign.title != "改" and foreign.meeting_id == other.pk


# --- decisions link back ----------------------------------------------------------------------
def _held_with_case(world: Any) -> tuple[Meeting, AgendaItem]:
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        meeting = schedule(world, kind="case_analysis", title="行政案件分析会")
        item = actions.add_reference_item(office, meeting, kind=CASE, ref="42", title="案件一")
    with time_machine.travel(AFTER, tick=False):
        actions.hold(office, meeting)
    return meeting, item


def test_decisions_on_the_case_item_link_back_to_the_case(world, client_for):
    meeting, item = _held_with_case(world)
    office = world.users["city_office"]
    u = world.units
    with time_machine.travel(AFTER, tick=False):
        minutes = actions.create_minutes(office, meeting, body="一、会议研究了案件一。")
        c = client_for("city_office")
        url = reverse("meetings:minutes_edit", args=[minutes.pk])
        assert f'<option value="{item.pk}">2. 案件一</option>' in c.get(url).content.decode()
        response = c.post(
            url,
            {
                "title": minutes.title,
                "body": minutes.body,
                "version": minutes.version,
                "decisions-TOTAL_FORMS": "2",
                "decisions-INITIAL_FORMS": "0",
                "decisions-0-text": "市人社局重新审查工伤认定程序",
                "decisions-0-lead_unit": u["hrss"].pk,
                "decisions-0-deadline": "2026-12-31",
                "decisions-0-agenda_item": item.pk,
                "decisions-1-text": "加强出庭应诉培训",
                "decisions-1-lead_unit": u["housing"].pk,
                "decisions-1-deadline": "2026-12-31",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        # The edit form shows the link again; saving keeps it.
        assert f'<option value="{item.pk}" selected>' in c.get(url).content.decode()
        links = sources.backlinks(CASE, "42", world.users["city_office"])
    assert [link.label for link in links] == ["行政案件分析会", "市人社局重新审查工伤认定程序"]
    meeting_link, decision_link = links
    assert meeting_link.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert meeting_link.date == THURSDAY and "案件一" in meeting_link.detail
    decision = minutes.decisions.get(agenda_item=item)
    assert decision_link.url == reverse("meetings:decision_detail", args=[decision.pk])
    assert u["hrss"].name in decision_link.detail
    # Other records, and users who cannot see the meeting, get nothing.
    assert sources.backlinks(CASE, "43", world.users["city_office"]) == []
    assert sources.backlinks("liaison.letter", "42", world.users["city_office"]) == []
    assert sources.backlinks(CASE, "42", world.users["a_office"]) == []
    assert sources.backlinks(CASE, "42", world.users["court_staff"]) != []  # court invited
    assert agenda_backlinks(CASE, "42", world.users["hrss_liaison"])[0].label == "行政案件分析会"


def test_backlinks_take_two_queries_however_many_meetings(world, django_assert_max_num_queries):
    office = world.users["city_office"]
    for n in range(3):
        meeting, item = _held_with_case(world)
        with time_machine.travel(AFTER, tick=False):
            minutes = actions.create_minutes(office, meeting, body="纪要")
            actions.save_minutes(
                office,
                minutes,
                decisions=[
                    {
                        "text": f"决定{n}-{i}",
                        "lead_unit": world.units["hrss"],
                        "co_units": [],
                        "deadline": datetime.date(2026, 12, 31),
                        "agenda_item": item,
                    }
                    for i in range(2)
                ],
            )
    with time_machine.travel(AFTER, tick=False):
        sources.backlinks(CASE, "0", office)  # the user's scope is computed once per day
        with django_assert_max_num_queries(2):
            links = sources.backlinks(CASE, "42", office)
    assert len(links) == 3 * 3


def test_a_decision_cannot_point_to_another_meetings_agenda(world):
    meeting, _item = _held_with_case(world)
    office = world.users["city_office"]
    with time_machine.travel(BEFORE, tick=False):
        other = schedule(world, title="另一个会")
    with time_machine.travel(AFTER, tick=False):
        minutes = actions.create_minutes(office, meeting, body="纪要")
        with pytest.raises(ValidationError) as exc:
            actions.save_minutes(
                office,
                minutes,
                decisions=[
                    {
                        "text": "决定",
                        "lead_unit": world.units["hrss"],
                        "co_units": [],
                        "deadline": datetime.date(2026, 12, 31),
                        "agenda_item": other.agenda.get(),
                    }
                ],
            )
    assert _codes(exc.value) == ["decision.agenda_item"]


def test_the_meeting_page_links_a_reference_to_its_record(world, client_for, monkeypatch):
    monkeypatch.setattr(sources, "_KINDS", dict(sources._KINDS))
    kind = sources.get(CASE)
    assert kind is not None
    sources.register(
        CASE, kind.label, kind.url, reference_url=lambda ref: f"/litigation/cases/{ref}/"
    )
    meeting, item = _held_with_case(world)
    office = world.users["city_office"]
    with time_machine.travel(AFTER, tick=False):
        minutes = actions.create_minutes(office, meeting, body="纪要")
        actions.save_minutes(
            office,
            minutes,
            decisions=[
                {
                    "text": "重新审查",
                    "lead_unit": world.units["hrss"],
                    "co_units": [],
                    "deadline": datetime.date(2026, 12, 31),
                    "agenda_item": item,
                }
            ],
        )
        c = client_for("city_office")
        text = c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
        decision = minutes.decisions.get()
        page = c.get(reverse("meetings:decision_detail", args=[decision.pk])).content.decode()
    assert 'href="/litigation/cases/42/"' in text and item.title in text
    assert 'href="/litigation/cases/42/"' in page and item.title in page
