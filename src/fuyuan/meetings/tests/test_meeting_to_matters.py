"""A meeting from scheduling to issued minutes: attendance signed in, comments kept, decisions
become assigned matters of their lead units; who may see and do what."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fuyuan.matters.models import Matter
from fuyuan.meetings import actions
from fuyuan.meetings.models import Attendance, Decision, MinutesComment
from fuyuan.notify.models import InboxMessage

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db


def _decisions(world):
    u = world.units
    return [
        {
            "text": "人社局牵头落实负责人出庭应诉培训",
            "lead_unit": u["hrss"],
            "co_units": [u["court"]],
            "deadline": datetime.date(2026, 12, 31),
        },
        {
            "text": "住建局牵头清理问题楼盘涉诉案件",
            "lead_unit": u["housing"],
            "co_units": [],
            "deadline": datetime.date(2027, 1, 15),
        },
        {
            "text": "中级法院牵头建立执行联动快速通道",
            "lead_unit": u["court"],
            "co_units": [u["hrss"], u["housing"]],
            "deadline": datetime.date(2027, 2, 28),
        },
    ]


def test_meeting_to_issued_minutes_turns_three_decisions_into_three_assigned_matters(
    world, client_for, django_capture_on_commit_callbacks
):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = schedule(world)
        assert InboxMessage.objects.filter(
            user=world.users["hrss_liaison"], ref_kind="meetings.meeting"
        ).exists()
        actions.hold(office, meeting)
        # The invited unit's liaison signs in its own attendance through the page.
        response = client_for("hrss_liaison").post(
            reverse(
                "meetings:invitation_sign_in",
                args=[meeting.invitations.get(unit=world.units["hrss"]).pk],
            ),
            {"attendance": "attend", "attendee_name": "张三"},
        )
        assert response.status_code == 302
        # …but not another unit's.
        housing_inv = meeting.invitations.get(unit=world.units["housing"])
        response = client_for("hrss_liaison").post(
            reverse("meetings:invitation_sign_in", args=[housing_inv.pk]), {"attendance": "leave"}
        )
        assert response.status_code == 403
        actions.sign_in(office, housing_inv, Attendance.LEAVE)
        actions.sign_in(
            world.users["court_staff"],
            meeting.invitations.get(unit=world.units["court"]),
            Attendance.OBSERVER,
        )
        minutes = actions.create_minutes(
            office, meeting, body="一、会议情况\n会议听取了有关单位汇报。"
        )
        actions.save_minutes(office, minutes, decisions=_decisions(world))
        with django_capture_on_commit_callbacks(execute=True):
            actions.minutes_transition(
                office, minutes, "circulate", comment_deadline=datetime.date(2026, 11, 23)
            )
        assert InboxMessage.objects.filter(
            user=world.users["housing_liaison"], ref_kind="meetings.minutes"
        ).exists()
        response = client_for("hrss_liaison").post(
            reverse("meetings:minutes_comment", args=[minutes.pk]),
            {"text": "建议将培训时限延至年底。"},
        )
        assert response.status_code == 302
        actions.minutes_transition(office, minutes, "finalise")
        actions.minutes_transition(office, minutes, "issue")

    minutes.refresh_from_db()
    assert minutes.state == "issued" and minutes.issue_no == 1 and minutes.issue_label == "第1期"
    # The comment is kept after the minutes are issued, with its unit.
    kept = MinutesComment.objects.get(minutes=minutes)
    assert kept.unit == world.units["hrss"] and "年底" in kept.text

    matters = Matter.objects.filter(source_kind="meetings.decision").order_by("deadline")
    assert matters.count() == 3
    expected = [
        ("hrss", datetime.date(2026, 12, 31)),
        ("housing", datetime.date(2027, 1, 15)),
        ("court", datetime.date(2027, 2, 28)),
    ]
    for matter, (lead, deadline) in zip(matters, expected, strict=True):
        assert matter.state == "assigned"
        assert matter.matter_type == "meeting_decision"
        assert matter.lead_unit == world.units[lead]
        assert matter.deadline == deadline
        decision = Decision.objects.get(pk=int(matter.source_ref))
        assert decision.matter == matter
    court_matter = matters.get(lead_unit=world.units["court"])
    assert set(court_matter.co_units.values_list("unit_id", flat=True)) == {
        world.units["hrss"].pk,
        world.units["housing"].pk,
    }
    # The lead unit's liaison sees its matter (and the decision page the matter links to).
    hrss_matter = matters.get(lead_unit=world.units["hrss"])
    assert (
        Matter.objects.visible_to(world.users["housing_liaison"])
        .filter(pk=matters.get(lead_unit=world.units["housing"]).pk)
        .exists()
    )
    assert (
        client_for("hrss_liaison")
        .get(reverse("matters:matter_detail", args=[hrss_matter.pk]))
        .status_code
        == 200
    )
    assert (
        client_for("hrss_liaison").get(f"/meetings/decisions/{hrss_matter.source_ref}/").status_code
        == 200
    )
    # The meeting page links the decisions to their matters.
    page = client_for("city_office").get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert reverse("matters:matter_detail", args=[hrss_matter.pk]) in page.content.decode()


def test_issue_numbers_count_per_mechanism_and_year(world):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        labels = []
        for title in ("第一次协调会", "第二次协调会"):
            meeting = schedule(world, title=title)
            actions.hold(office, meeting)
            minutes = actions.create_minutes(office, meeting, body="会议内容")
            actions.minutes_transition(office, minutes, "finalise")
            actions.minutes_transition(office, minutes, "issue")
            labels.append(minutes.issue_label)
    assert labels == ["第1期", "第2期"]


def test_a_unit_not_invited_cannot_comment_and_sees_nothing_of_the_meeting(world, client_for):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world, units=("hrss", "court"))
        actions.hold(office, meeting)
        minutes = actions.create_minutes(office, meeting, body="会议内容")
        actions.minutes_transition(
            office, minutes, "circulate", comment_deadline=datetime.date(2026, 11, 24)
        )
        outsider = client_for("housing_liaison")
        assert (
            outsider.post(
                reverse("meetings:minutes_comment", args=[minutes.pk]), {"text": "意见"}
            ).status_code
            == 404
        )
        assert (
            outsider.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
        )
        assert meeting.title not in outsider.get(reverse("meetings:meeting_list")).content.decode()
        with pytest.raises(PermissionDenied):
            actions.comment(world.users["housing_liaison"], minutes, "意见")
        # A county office does not see the city's meeting; the city leader does.
        assert (
            client_for("a_office")
            .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
            .status_code
            == 404
        )
        assert (
            client_for("city_leader")
            .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
            .status_code
            == 200
        )
        # The leader sees but may not comment or act.
        assert (
            client_for("city_leader")
            .post(reverse("meetings:minutes_comment", args=[minutes.pk]), {"text": "x"})
            .status_code
            == 403
        )
        assert (
            client_for("city_leader")
            .post(reverse("meetings:minutes_transition", args=[minutes.pk, "finalise"]))
            .status_code
            == 403
        )
    assert not MinutesComment.objects.exists()


def test_comments_are_refused_once_the_minutes_are_final(world):
    seed()
    office = world.users["city_office"]
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        meeting = schedule(world)
        actions.hold(office, meeting)
        minutes = actions.create_minutes(office, meeting, body="会议内容")
        actions.minutes_transition(
            office, minutes, "circulate", comment_deadline=datetime.date(2026, 11, 24)
        )
        actions.comment(world.users["hrss_liaison"], minutes, "同意")
        actions.minutes_transition(office, minutes, "finalise")
        with pytest.raises(PermissionDenied):
            actions.comment(world.users["hrss_liaison"], minutes, "再补充一点")
    assert minutes.comments.count() == 1


def test_city_office_sees_a_county_meeting_but_cannot_run_it(world, client_for):
    seed()
    with time_machine.travel(at(THURSDAY, 8), tick=False):
        meeting = schedule(world, mechanism="a", units=("a_hrss",))
        assert (
            client_for("city_office")
            .get(reverse("meetings:meeting_detail", args=[meeting.pk]))
            .status_code
            == 200
        )
        assert (
            client_for("city_office")
            .post(
                reverse("meetings:meeting_transition", args=[meeting.pk, "cancel"]),
                {"comment": "x"},
            )
            .status_code
            == 403
        )
        assert (
            client_for("a_office")
            .post(
                reverse("meetings:meeting_transition", args=[meeting.pk, "cancel"]),
                {"comment": "改期"},
            )
            .status_code
            == 302
        )
    meeting.refresh_from_db()
    assert meeting.state == "cancelled"


def test_only_the_office_schedules_meetings(world, client_for):
    assert client_for("hrss_liaison").get(reverse("meetings:meeting_create")).status_code == 403
    assert client_for("city_leader").get(reverse("meetings:meeting_create")).status_code == 403
    assert client_for("city_office").get(reverse("meetings:meeting_create")).status_code == 200
    assert client_for("audit_admin").get(reverse("meetings:meeting_list")).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.schedule_meeting(
            world.users["a_office"],
            world.mechanisms["city"],
            kind="plenary",
            title="x",
            starts_at=at(THURSDAY),
        )


def test_scheduling_through_the_page_creates_agenda_and_invitations(world, client_for):
    u = world.units
    response = client_for("city_office").post(
        reverse("meetings:meeting_create") + f"?mechanism={world.mechanisms['city'].pk}",
        {
            "kind": "plenary",
            "title": "2026年度全体会议",
            "starts_at": "2026-12-10T09:00",
            "ends_at": "2026-12-10T11:30",
            "place": "市政府一楼会议室",
            "units": [u["hrss"].pk, u["court"].pk],
            "agenda-TOTAL_FORMS": "3",
            "agenda-INITIAL_FORMS": "0",
            "agenda-0-title": "审定双清单",
            "agenda-1-title": "",
            "agenda-2-title": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from fuyuan.meetings.models import Meeting

    meeting = Meeting.objects.get(title="2026年度全体会议")
    assert [a.title for a in meeting.agenda.all()] == ["审定双清单"]
    assert set(meeting.invitations.values_list("unit_id", flat=True)) == {
        u["hrss"].pk,
        u["court"].pk,
    }
