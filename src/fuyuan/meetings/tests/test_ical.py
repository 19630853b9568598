"""The calendar feeds: valid iCalendar text (CRLF, folded lines, escaped text, UTC times), one
event per visible meeting, a secret token in the address (wrong or rotated → 404)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from fuyuan.meetings import actions, ical
from fuyuan.meetings.models import FeedToken

from .helpers import THURSDAY, at, schedule

pytestmark = pytest.mark.django_db


def _events(text: str) -> list[str]:
    return [block for block in text.split("BEGIN:VEVENT")[1:]]


def test_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "关于推进府院联动工作的协调会议" * 6
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_escape_text():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_user_feed_lists_each_visible_meeting_once_and_parses(world, client_for):
    with time_machine.travel(at(THURSDAY, 8), tick=False):
        schedule(
            world,
            title="关于推进行政机关负责人出庭应诉工作、化解问题楼盘的府院联动协调会议（第一次）",
        )
        schedule(world, units=("housing",), title="住建专题会")
        schedule(world, mechanism="a", units=("a_hrss",), title="西平县协调会")
        token = actions.rotate_feed_token(world.users["hrss_liaison"]).token
        office_token = actions.rotate_feed_token(world.users["city_office"]).token
        response = client_for("nobody").get(reverse("meetings:feed_user", args=[token]))
        office = client_for("nobody").get(reverse("meetings:feed_user", args=[office_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    assert len(events) == 1  # hrss is invited to one city meeting only
    unfolded = text.replace("\r\n ", "")
    # Folded back, the long Chinese title is whole (、 is not a comma and is not escaped).
    assert (
        "SUMMARY:关于推进行政机关负责人出庭应诉工作、化解问题楼盘的府院联动协调会议（第一次）"
        in unfolded
    )
    assert "DTSTART:20261119T010000Z" in unfolded  # 09:00 in Beijing
    assert unfolded.count("UID:meeting-") == 1
    # The city office sees its two meetings and the county's one.
    assert len(_events(office.content.decode())) == 3


def test_wrong_or_rotated_token_is_404(world, client_for):
    user = world.users["hrss_liaison"]
    old = actions.rotate_feed_token(user).token
    anonymous = client_for("nobody")
    assert anonymous.get(reverse("meetings:feed_user", args=["not-a-token"])).status_code == 404
    new = actions.rotate_feed_token(user).token
    assert new != old
    assert anonymous.get(reverse("meetings:feed_user", args=[old])).status_code == 404
    assert anonymous.get(reverse("meetings:feed_user", args=[new])).status_code == 200
    assert FeedToken.objects.filter(user=user).count() == 1


def test_unit_feed_only_for_a_unit_the_user_acts_for(world, client_for):
    with time_machine.travel(at(THURSDAY, 8), tick=False):
        schedule(world, units=("hrss",), title="人社专题会")
        schedule(world, units=("housing",), title="住建专题会")
        token = actions.rotate_feed_token(world.users["hrss_liaison"]).token
        c = client_for("nobody")
        own = c.get(reverse("meetings:feed_unit", args=[token, world.units["hrss"].pk]))
        other = c.get(reverse("meetings:feed_unit", args=[token, world.units["housing"].pk]))
    assert own.status_code == 200
    assert "人社专题会" in own.content.decode() and "住建专题会" not in own.content.decode()
    assert other.status_code == 404


def test_feed_page_and_rotation_through_the_page(world, client_for):
    c = client_for("hrss_liaison")
    assert c.get(reverse("meetings:feed_settings")).status_code == 200
    assert c.post(reverse("meetings:feed_rotate")).status_code == 302
    token = FeedToken.objects.get(user=world.users["hrss_liaison"]).token
    assert token in c.get(reverse("meetings:feed_settings")).content.decode()
    assert client_for("audit_admin").post(reverse("meetings:feed_rotate")).status_code == 403
