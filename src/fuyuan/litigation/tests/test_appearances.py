"""Heads in court (出庭应诉): the court records who appeared at a held hearing (or why nobody
did); the defendant body confirms or disputes; the court corrects the record (back to the
body) or keeps it; each side is told of the other's step."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.litigation import actions
from fuyuan.litigation.models import Appearance, Hearing
from fuyuan.notify.models import InboxMessage

from .test_case_actions import codes, make_case

pytestmark = pytest.mark.django_db


def _hearing(world, days: int = -1) -> Hearing:  # type: ignore[no-untyped-def]
    case = make_case(world)
    when = timezone.now() + datetime.timedelta(days=days)
    return actions.add_hearing(world.users["b_court_staff"], case, when, "第二审判庭")


def _record(world, hearing: Hearing | None = None, **extra) -> Appearance:  # type: ignore[no-untyped-def]
    values = {"rank": "deputy", "head_name": "赵国强", "head_post": "副局长", "spoke": True}
    values.update(extra)
    return actions.record_appearance(
        world.users["b_court_staff"], hearing or _hearing(world), **values
    )


def _inbox(world, name: str) -> int:  # type: ignore[no-untyped-def]
    return InboxMessage.objects.filter(user=world.users[name]).count()


def test_court_records_a_deputy_who_spoke_and_the_past_hearing_becomes_held(world):
    hearing = _hearing(world)
    before = _inbox(world, "a_hrss_liaison")
    item = _record(world, hearing)
    hearing.refresh_from_db()
    assert hearing.state == "held"
    assert (item.state, item.rank, item.spoke, item.appeared) == ("recorded", "deputy", True, True)
    assert item.unit == world.units["a_hrss"] and item.recorded_on == timezone.localdate()
    assert _inbox(world, "a_hrss_liaison") == before + 1
    assert AuditEntry.objects.filter(action="litigation.appearance.create").count() == 1


def test_a_hearing_still_to_come_cannot_be_recorded(world):
    with pytest.raises(ValidationError) as info:
        _record(world, _hearing(world, days=2))
    assert info.value.code == "litigation.hearing_not_held"
    assert not Appearance.objects.exists()


def test_a_cancelled_hearing_cannot_be_recorded(world):
    hearing = _hearing(world, days=2)
    actions.update_hearing(world.users["b_court_staff"], hearing, state="cancelled")
    with pytest.raises(ValidationError) as info:
        _record(world, hearing)
    assert info.value.code == "litigation.hearing_cancelled"


def test_absence_needs_its_reason_and_an_absent_head_cannot_have_spoken(world):
    with pytest.raises(ValidationError) as info:
        _record(world, rank="none", head_name="", spoke=True)
    assert codes(info.value) == {
        "absence_reason": ["litigation.absence_reason_required"],
        "spoke": ["litigation.spoke_without_appearing"],
    }


def test_absence_with_reason_is_recorded_without_a_head(world):
    item = _record(
        world, rank="none", spoke=False, absence_reason="局长赴省厅参加紧急会议，书面说明已提交。"
    )
    assert item.head_name == "" and not item.appeared


def test_an_appearing_head_needs_a_name(world):
    with pytest.raises(ValidationError) as info:
        _record(world, rank="top", head_name="")
    assert codes(info.value) == {"head_name": ["litigation.head_name_required"]}


@pytest.mark.parametrize("name", ["a_hrss_liaison", "a_office", "city_office", "court_staff"])
def test_only_the_court_hearing_the_case_records(world, name):
    hearing = _hearing(world)
    with pytest.raises(PermissionDenied):
        actions.record_appearance(world.users[name], hearing, rank="top", head_name="孙志远")


def test_one_record_per_hearing(world):
    hearing = _hearing(world)
    _record(world, hearing)
    with pytest.raises(ValidationError) as info:
        _record(world, hearing)
    assert info.value.code == "litigation.appearance_exists"


def test_record_disputed_corrected_then_confirmed(world):
    item = _record(world)
    body, court = world.users["a_hrss_liaison"], world.users["b_court_staff"]
    with pytest.raises(TransitionError) as info:
        actions.appearance_transition(body, item, "dispute")
    assert info.value.code == "workflow.comment_required"

    court_before = _inbox(world, "b_court_staff")
    actions.appearance_transition(body, item, "dispute", "出庭的是局长钱卫东本人，并非副局长。")
    assert item.state == "disputed" and item.dispute_reason.startswith("出庭的是局长")
    assert _inbox(world, "b_court_staff") == court_before + 1

    with pytest.raises(TransitionError):  # the answer to a dispute needs a comment
        actions.correct_appearance(court, item, rank="top", head_name="钱卫东", head_post="局长")
    body_before = _inbox(world, "a_hrss_liaison")
    actions.correct_appearance(
        court,
        item,
        comment="经核对庭审笔录，已更正。",
        rank="top",
        head_name="钱卫东",
        head_post="局长",
    )
    item.refresh_from_db()
    assert (item.state, item.rank, item.head_name) == ("recorded", "top", "钱卫东")
    assert item.court_answer == "经核对庭审笔录，已更正。"
    assert _inbox(world, "a_hrss_liaison") == body_before + 1

    actions.appearance_transition(body, item, "confirm")
    item.refresh_from_db()
    assert item.state == "confirmed" and item.confirmed_on == timezone.localdate()
    assert not item.auto_confirmed
    actions_seen = list(
        AuditEntry.objects.filter(object_kind="litigation.appearance")
        .order_by("seq", "pk")
        .values_list("action", flat=True)
    )
    assert actions_seen == [
        "litigation.appearance.create",
        "litigation.appearance.dispute",
        "litigation.appearance.correct",
        "litigation.appearance.confirm",
    ]


def test_court_keeps_a_disputed_record_and_it_is_confirmed(world):
    item = _record(world)
    actions.appearance_transition(world.users["a_hrss_liaison"], item, "dispute", "未出声")
    with pytest.raises(TransitionError):
        actions.appearance_transition(world.users["b_court_staff"], item, "uphold")
    actions.appearance_transition(
        world.users["b_court_staff"], item, "uphold", "庭审录像显示副局长已发言。"
    )
    item.refresh_from_db()
    assert item.state == "confirmed" and item.court_answer == "庭审录像显示副局长已发言。"


def test_each_side_takes_only_its_own_steps(world):
    item = _record(world)
    with pytest.raises(TransitionError) as info:
        actions.appearance_transition(world.users["b_court_staff"], item, "confirm")
    assert info.value.code == "workflow.not_allowed"
    for name in ("a_office", "city_office"):
        with pytest.raises(TransitionError):
            actions.appearance_transition(world.users[name], item, "confirm")
    actions.appearance_transition(world.users["a_hrss_liaison"], item, "dispute", "人员有误")
    with pytest.raises(TransitionError):
        actions.appearance_transition(world.users["a_hrss_liaison"], item, "uphold", "x")


def test_a_confirmed_record_can_no_longer_be_corrected(world):
    item = _record(world)
    actions.appearance_transition(world.users["a_hrss_liaison"], item, "confirm")
    with pytest.raises(PermissionDenied):
        actions.correct_appearance(world.users["b_court_staff"], item, spoke=False)


def test_correcting_a_recorded_record_restarts_the_bodys_time(world):
    item = _record(world)
    Appearance.objects.filter(pk=item.pk).update(
        recorded_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    item.refresh_from_db()
    actions.correct_appearance(world.users["b_court_staff"], item, spoke=False)
    item.refresh_from_db()
    assert item.recorded_on == timezone.localdate() and item.state == "recorded"
    assert not item.spoke
