"""Warnings under frozen time: minutes late after the mechanism's working days (a Thursday
meeting is due the next Tuesday, not the Sunday), and no plenary in the year."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from fuyuan.meetings import actions, jobs
from fuyuan.meetings.warnings import late_minutes, minutes_due, no_plenary, warnings_for
from fuyuan.notify.models import InboxMessage

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db


def _held_meeting(world):
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world)
        actions.hold(office, meeting)
    return meeting


def test_minutes_are_due_three_working_days_after_a_thursday_meeting_skipping_the_weekend(world):
    seed()
    meeting = _held_meeting(world)
    assert minutes_due(meeting) == datetime.date(2026, 11, 24)  # Fri, Mon, Tue
    city = [world.mechanisms["city"]]
    # Sunday and Tuesday: not late (calendar days would already say late on Sunday).
    for day in (datetime.date(2026, 11, 22), datetime.date(2026, 11, 24)):
        with time_machine.travel(at(day, 10), tick=False):
            assert late_minutes(city, day) == []
    with time_machine.travel(at(datetime.date(2026, 11, 25), 10), tick=False):
        found = late_minutes(city, datetime.date(2026, 11, 25))
    assert [w.meeting for w in found] == [meeting]
    assert found[0].due_date == datetime.date(2026, 11, 24)


def test_the_limit_is_the_mechanism_setting(world):
    seed()
    mechanism = world.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "minutes_due_working_days": 5}
    mechanism.save()
    meeting = _held_meeting(world)
    meeting.refresh_from_db()
    assert minutes_due(meeting) == datetime.date(2026, 11, 26)
    assert late_minutes([mechanism], datetime.date(2026, 11, 25)) == []


def test_issued_minutes_end_the_warning(world):
    seed()
    office = world.users["city_office"]
    meeting = _held_meeting(world)
    with time_machine.travel(at(datetime.date(2026, 11, 26), 10), tick=False):
        assert len(late_minutes([world.mechanisms["city"]], datetime.date(2026, 11, 26))) == 1
        minutes = actions.create_minutes(office, meeting, body="会议内容")
        assert len(late_minutes([world.mechanisms["city"]], datetime.date(2026, 11, 26))) == 1
        actions.minutes_transition(office, minutes, "finalise")
        actions.minutes_transition(office, minutes, "issue")
        assert late_minutes([world.mechanisms["city"]], datetime.date(2026, 11, 26)) == []


def test_no_plenary_warns_until_one_is_scheduled_this_year(world):
    seed()
    today = datetime.date(2026, 11, 26)
    mechanisms = [world.mechanisms["city"], world.mechanisms["a"]]
    with time_machine.travel(at(today, 10), tick=False):
        assert {w.mechanism for w in no_plenary(mechanisms, today)} == set(mechanisms)
        schedule(world, kind="plenary", day=datetime.date(2026, 12, 10), title="2026年度全体会议")
        assert [w.mechanism for w in no_plenary(mechanisms, today)] == [world.mechanisms["a"]]
        # A plenary next year does not count for this year.
        schedule(
            world, mechanism="a", kind="plenary", day=datetime.date(2027, 1, 8), units=("a_hrss",)
        )
        assert [w.mechanism for w in no_plenary(mechanisms, today)] == [world.mechanisms["a"]]


def test_cancelled_plenary_does_not_count(world):
    seed()
    today = datetime.date(2026, 11, 26)
    with time_machine.travel(at(today, 10), tick=False):
        meeting = schedule(world, kind="plenary", day=datetime.date(2026, 12, 10))
        actions.cancel(world.users["city_office"], meeting, "改期")
        assert len(no_plenary([world.mechanisms["city"]], today)) == 1


def test_daily_job_puts_warnings_in_the_office_inbox_once(world):
    seed()
    _held_meeting(world)
    office = world.users["city_office"]
    with time_machine.travel(at(datetime.date(2026, 11, 26), 8, 30), tick=False):
        first = jobs.send_warnings()
        again = jobs.send_warnings()
    assert first > 0 and again == 0
    subjects = list(InboxMessage.objects.filter(user=office).values_list("subject", flat=True))
    assert any("府院联动协调会" in s for s in subjects)
    assert any((str(2026) in s and "plenary" in s.lower()) or "全体" in s for s in subjects)
    # Only the office of the mechanism is told, not the liaison officers.
    assert not InboxMessage.objects.filter(
        user=world.users["hrss_liaison"], ref_kind="meetings.meeting", subject__contains="due"
    ).exists()


def test_job_is_registered_with_the_scheduler():
    from fuyuan.core import scheduler

    job = {j.name: j for j in scheduler.registered()}["meetings.warnings"]
    assert job.at == datetime.time(8, 30)
    assert job.task_path == "fuyuan.meetings.jobs.send_warnings_task"


def test_list_page_shows_the_warnings_to_the_office(world, client_for):
    seed()
    _held_meeting(world)
    with time_machine.travel(at(datetime.date(2026, 11, 26), 10), tick=False):
        page = client_for("city_office").get(reverse("meetings:meeting_list")).content.decode()
        liaison_page = (
            client_for("hrss_liaison").get(reverse("meetings:meeting_list")).content.decode()
        )
    assert "alert-warning" in page and "2026-11-24" in page
    assert "alert-warning" not in liaison_page
    assert warnings_for([world.mechanisms["city"]], datetime.date(2026, 11, 26))
