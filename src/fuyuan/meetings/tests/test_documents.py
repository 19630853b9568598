"""The minutes as an official document: 第N期, the body's headings, the decisions and the
出席 / 请假 / 列席 blocks; the download answers the .docx."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from fuyuan.core.documents import Heading, Paragraph
from fuyuan.meetings import actions
from fuyuan.meetings.documents import minutes_spec
from fuyuan.meetings.models import Attendance

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db


def _issued(world):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world, units=("hrss", "housing", "court", "new_regulator"))
        actions.hold(office, meeting)
        inv = {i.unit_id: i for i in meeting.invitations.all()}
        u = world.units
        actions.sign_in(office, inv[u["hrss"].pk], Attendance.ATTEND, "张三")
        actions.sign_in(office, inv[u["court"].pk], Attendance.ATTEND)
        actions.sign_in(office, inv[u["housing"].pk], Attendance.LEAVE, "李四")
        actions.sign_in(office, inv[u["new_regulator"].pk], Attendance.OBSERVER)
        minutes = actions.create_minutes(
            office,
            meeting,
            body="一、会议情况\n会议听取了汇报。\n（一）关于出庭应诉\n要求提高出庭率。",
        )
        actions.save_minutes(
            office,
            minutes,
            decisions=[
                {
                    "text": "人社局牵头开展培训",
                    "lead_unit": u["hrss"],
                    "co_units": [u["court"]],
                    "deadline": datetime.date(2026, 12, 31),
                }
            ],
        )
        actions.minutes_transition(office, minutes, "finalise")
        actions.minutes_transition(office, minutes, "issue")
    return meeting, minutes


def test_minutes_spec_has_issue_label_attendance_blocks_and_decisions(world):
    _meeting, minutes = _issued(world)
    spec = minutes_spec(minutes)
    assert spec.is_minutes and spec.issue_label == "第1期"
    assert spec.title == "府院联动协调会纪要"
    assert spec.date == datetime.date(2026, 11, 19)
    blocks = {b.label: b.entries for b in spec.attendance}
    assert list(blocks) == ["出席", "请假", "列席"]
    u = world.units
    # Official order of units (排序号): 人社局 (6) before the court (40).
    assert blocks["出席"] == (f"{u['hrss'].name} 张三", u["court"].name)
    assert blocks["请假"] == (f"{u['housing'].name} 李四",)
    assert blocks["列席"] == (u["new_regulator"].name,)
    assert (
        Heading("一、会议情况", 1) in spec.blocks
        and Heading("（一）关于出庭应诉", 2) in spec.blocks
    )
    assert Heading("二、会议议定事项", 1) in spec.blocks
    decision = next(
        b for b in spec.blocks if isinstance(b, Paragraph) and "人社局牵头开展培训" in b.text
    )
    assert "牵头单位：" + u["hrss"].name in decision.text and "2026年12月31日" in decision.text


def test_download_answers_the_minutes_as_docx_to_readers_only(world, client_for):
    _meeting, minutes = _issued(world)
    response = client_for("hrss_liaison").get(reverse("meetings:minutes_docx", args=[minutes.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response.content[:2] == b"PK"
    assert (
        client_for("a_office").get(reverse("meetings:minutes_docx", args=[minutes.pk])).status_code
        == 404
    )
