"""The office edits minutes and their decisions through the page; pages render for each role."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from fuyuan.meetings import actions

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db


def test_minutes_page_saves_body_and_decisions(world, client_for):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world)
        actions.hold(office, meeting)
        c = client_for("city_office")
        assert c.post(reverse("meetings:minutes_create", args=[meeting.pk])).status_code == 302
        minutes = meeting.__class__.objects.get(pk=meeting.pk).minutes
        url = reverse("meetings:minutes_edit", args=[minutes.pk])
        assert c.get(url).status_code == 200
        u = world.units
        response = c.post(
            url,
            {
                "title": "协调会纪要",
                "body": "一、会议情况",
                "version": minutes.version,
                "decisions-TOTAL_FORMS": "2",
                "decisions-INITIAL_FORMS": "0",
                "decisions-0-text": "人社局牵头落实",
                "decisions-0-lead_unit": u["hrss"].pk,
                "decisions-0-co_units": [u["court"].pk],
                "decisions-0-deadline": "2026-12-31",
                "decisions-1-text": "",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert client_for("hrss_liaison").get(url).status_code == 403
        detail = c.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    minutes.refresh_from_db()
    assert minutes.title == "协调会纪要"
    decision = minutes.decisions.get()
    assert decision.lead_unit == u["hrss"] and list(decision.co_units.all()) == [u["court"]]
    assert "人社局牵头落实" in detail


def test_a_decision_without_a_lead_unit_is_refused(world, client_for):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world)
        actions.hold(office, meeting)
        minutes = actions.create_minutes(office, meeting)
        response = client_for("city_office").post(
            reverse("meetings:minutes_edit", args=[minutes.pk]),
            {
                "title": "纪要",
                "body": "",
                "decisions-TOTAL_FORMS": "1",
                "decisions-INITIAL_FORMS": "0",
                "decisions-0-text": "没有牵头单位",
                "decisions-0-deadline": "2026-12-31",
            },
        )
    assert response.status_code == 200
    assert not minutes.decisions.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("city_office", 200),
        ("city_leader", 200),
        ("a_office", 404),
        ("hrss_liaison", 200),
        ("housing_liaison", 404),
        ("court_staff", 404),
        ("system_admin", 403),
        ("audit_admin", 403),
    ],
)
def test_meeting_page_by_role(world, client_for, role, status):
    with time_machine.travel(at(THURSDAY, 8), tick=False):
        meeting = schedule(world, units=("hrss",))
        response = client_for(role).get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert response.status_code == status
