"""The daily job's two litigation steps: hearing reminders (开庭预告) to the defendant body's
liaison officers, its head (when the head has an account) and the county office, once per
hearing; and records the body left unanswered confirming themselves after the joint
meeting's number of days. Both are idempotent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from fuyuan.accounts.models import Person, Post, PostKind
from fuyuan.audit.models import AuditEntry
from fuyuan.litigation import actions
from fuyuan.litigation.models import Appearance, Hearing
from fuyuan.notify.models import OutboxMessage
from fuyuan.testing import make_user

from .test_case_actions import make_case

pytestmark = pytest.mark.django_db

# A day a week ahead (the test world's roles start 30 days before the real today), frozen at
# 09:00 Asia/Shanghai (01:00 UTC).
DAY = datetime.date.today() + datetime.timedelta(days=7)
MONDAY = datetime.datetime.combine(DAY, datetime.time(1, 0), tzinfo=datetime.UTC)
FILED = DAY - datetime.timedelta(days=40)


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _recorded_on_monday(world):  # type: ignore[no-untyped-def]
    with time_machine.travel(MONDAY, tick=False):
        case = make_case(world, filed_on=FILED)
        hearing = actions.add_hearing(
            world.users["b_court_staff"], case, _local(DAY - datetime.timedelta(days=1), 9)
        )
        return actions.record_appearance(
            world.users["b_court_staff"], hearing, rank="top", head_name="钱卫东", spoke=True
        )


# --- automatic confirmation -------------------------------------------------------------------
def test_unanswered_record_confirms_itself_after_the_mechanisms_days(world):
    item = _recorded_on_monday(world)
    assert world.mechanisms["a"].config.hearing_record_auto_confirm_days == 5
    with time_machine.travel(MONDAY + datetime.timedelta(days=4), tick=False):
        assert actions.auto_confirm_appearances() == 0
    item.refresh_from_db()
    assert item.state == "recorded"
    with time_machine.travel(MONDAY + datetime.timedelta(days=5), tick=False):
        assert actions.auto_confirm_appearances() == 1
        assert actions.auto_confirm_appearances() == 0  # idempotent
    item.refresh_from_db()
    assert item.state == "confirmed" and item.auto_confirmed
    assert item.confirmed_on == DAY + datetime.timedelta(days=5)
    entry = AuditEntry.objects.get(action="litigation.appearance.auto_confirm")
    assert entry.actor is None and entry.object_id == str(item.pk)
    assert entry.detail["days"] == 5


def test_the_number_of_days_is_the_mechanisms_setting(world):
    item = _recorded_on_monday(world)
    mechanism = world.mechanisms["a"]
    mechanism.settings = {**mechanism.settings, "hearing_record_auto_confirm_days": 2}
    mechanism.save()
    assert actions.auto_confirm_appearances(DAY + datetime.timedelta(days=1)) == 0
    assert actions.auto_confirm_appearances(DAY + datetime.timedelta(days=2)) == 1
    item.refresh_from_db()
    assert item.auto_confirmed


def test_disputed_and_answered_records_are_left_alone(world):
    item = _recorded_on_monday(world)
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        actions.appearance_transition(world.users["a_hrss_liaison"], item, "dispute", "非正职")
    assert actions.auto_confirm_appearances(DAY + datetime.timedelta(days=30)) == 0
    item.refresh_from_db()
    assert item.state == "disputed" and not item.auto_confirmed


# --- reminders --------------------------------------------------------------------------------
def _head_with_account(world):  # type: ignore[no-untyped-def]
    person = Person.objects.create(name="钱卫东", phone="13903960001")
    Post.objects.create(unit=world.units["a_hrss"], title="局长", kind=PostKind.HEAD, holder=person)
    user = make_user("a_hrss_head")
    user.person = person
    user.save()
    return user


def _outbox(hearing: Hearing) -> list[tuple[str, str]]:
    return sorted(
        OutboxMessage.objects.filter(
            ref_kind="litigation.hearing", ref_id=hearing.pk, kind="litigation.hearing_reminder"
        ).values_list("recipient__username", "channel")
    )


def test_hearings_within_the_reminder_days_are_reminded_once(world, settings):
    settings.FUYUAN_SMS_GATEWAY_URL = "https://sms.example.invalid/send"
    head = _head_with_account(world)
    with time_machine.travel(MONDAY, tick=False):
        case = make_case(world, filed_on=FILED)
        court = world.users["b_court_staff"]
        soon = actions.add_hearing(court, case, _local(DAY + datetime.timedelta(days=3), 15, 30))
        later = actions.add_hearing(court, case, _local(DAY + datetime.timedelta(days=4), 9))
        gone = actions.add_hearing(court, case, _local(DAY + datetime.timedelta(days=1), 9))
        actions.update_hearing(court, gone, state="cancelled")

        assert actions.send_hearing_reminders() == 1
        assert actions.send_hearing_reminders() == 0  # the second run adds nothing
    assert _outbox(soon) == sorted(
        (name, channel)
        for name in ("a_hrss_liaison", "a_office", head.username)
        for channel in ("inbox", "email", "sms")
    )
    assert _outbox(later) == [] and _outbox(gone) == []
    soon.refresh_from_db()
    assert soon.reminded_on == DAY
    assert AuditEntry.objects.filter(action="litigation.hearing.remind").count() == 1
    # not the other county's office, nor the city's
    assert not OutboxMessage.objects.filter(
        recipient__username__in=["b_office", "city_office"], kind="litigation.hearing_reminder"
    ).exists()

    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        assert actions.send_hearing_reminders() == 1  # the later one's turn
        assert actions.send_hearing_reminders() == 0
    assert len(_outbox(later)) == 9
    assert OutboxMessage.objects.filter(kind="litigation.hearing_reminder").count() == 18


def test_a_moved_hearing_is_reminded_again_for_its_new_date(world):
    with time_machine.travel(MONDAY, tick=False):
        case = make_case(world, filed_on=FILED)
        court = world.users["b_court_staff"]
        hearing = actions.add_hearing(court, case, _local(DAY + datetime.timedelta(days=2), 9))
        assert actions.send_hearing_reminders() == 1
        hearing.refresh_from_db()
        actions.update_hearing(
            court, hearing, starts_at=_local(DAY + datetime.timedelta(days=3), 9)
        )
        assert actions.send_hearing_reminders() == 1
    due_dates = set(
        OutboxMessage.objects.filter(kind="litigation.hearing_reminder").values_list(
            "due_date", flat=True
        )
    )
    assert due_dates == {DAY + datetime.timedelta(days=2), DAY + datetime.timedelta(days=3)}


def test_a_head_without_an_account_cannot_be_reached(world):
    Post.objects.create(
        unit=world.units["a_hrss"],
        title="局长",
        kind=PostKind.HEAD,
        holder=Person.objects.create(name="孙志远", phone="13903960002"),
    )
    assert actions.head_users(world.units["a_hrss"]) == []


def test_reminder_days_follow_the_mechanism(world):
    mechanism = world.mechanisms["a"]
    mechanism.settings = {**mechanism.settings, "hearing_reminder_days": 7}
    mechanism.save()
    with time_machine.travel(MONDAY, tick=False):
        case = make_case(world, filed_on=FILED)
        actions.add_hearing(
            world.users["b_court_staff"], case, _local(DAY + datetime.timedelta(days=6), 9)
        )
        assert actions.send_hearing_reminders() == 1


def test_the_daily_job_runs_both_steps(world):
    from fuyuan.litigation import jobs

    item = _recorded_on_monday(world)
    result = jobs.run_daily(DAY + datetime.timedelta(days=5))
    assert result["auto_confirmed"] == 1
    assert Appearance.objects.get(pk=item.pk).auto_confirmed
