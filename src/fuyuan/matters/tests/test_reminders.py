"""Automatic reminders: before the deadline (7, 3, 1 days), overdue (the day after, then
weekly), overdue to sign, report late — to the lead unit's liaison, the handler and the
supervising leader, e-mailed through a real SMTP server, and sent once however often the job
runs."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from fuyuan.accounts.models import Person
from fuyuan.matters import actions, reminders
from fuyuan.matters.models import Matter
from fuyuan.notify.delivery import deliver_pending
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.notify.tests.servers import smtp_server
from fuyuan.testing import build_world, make_matter

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.date(2026, 3, 2)
DEADLINE = datetime.date(2026, 4, 15)


def on(day: datetime.date, hour: int = 8):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ), tick=False
    )


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def give_email(user, address: str) -> Person:
    person = Person.objects.create(name=user.username, email=address)
    user.person = person
    user.save(update_fields=["person"])
    return person


def setup_matter(state: str = "signed", **fields) -> tuple:
    with on(START, 9):
        world = build_world()
        give_email(world.users["hrss_liaison"], "hrss@zmd.gov.cn")
        leader = give_email(world.users["city_leader"], "leader@zmd.gov.cn")
        matter = make_matter(
            world,
            state="assigned",
            start=START,
            deadline=DEADLINE,
            supervising_leader=leader,
            **fields,
        )
        if state == "signed":
            actions.transition(world.users["hrss_liaison"], matter, "sign")
    return world, matter


def kinds(matter: Matter) -> list[tuple[str, datetime.date]]:
    rows = OutboxMessage.objects.filter(ref_id=matter.pk, channel="email")
    return sorted(set(rows.values_list("kind", "due_date")))


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(8, None), (7, 7), (5, 7), (3, 3), (2, 3), (1, 1), (0, 1), (-1, None)],
)
def test_before_deadline_point_is_the_offset_reached_last(days_left, expected):
    assert reminders.before_offset(DEADLINE, DEADLINE - days(days_left), (7, 3, 1)) == expected


@pytest.mark.parametrize(
    ("late_by", "expected"),
    [(0, None), (1, 1), (2, 1), (7, 1), (8, 8), (14, 8), (15, 15)],
)
def test_late_point_is_the_day_after_then_weekly(late_by, expected):
    point = reminders.late_point(DEADLINE, DEADLINE + days(late_by))
    assert point == (DEADLINE + days(expected) if expected else None)


@pytest.mark.django_db
def test_email_reminders_reach_a_real_smtp_server_once_though_the_job_runs_twice():
    world, matter = setup_matter()
    with smtp_server() as mails:
        with on(DEADLINE - days(8)):
            assert reminders.send_reminders.enqueue().return_value == 0
        with on(DEADLINE - days(7)):
            first = reminders.send_reminders.enqueue().return_value
            second = reminders.send_reminders.enqueue().return_value
            deliver_pending()
        assert first > 0 and second == 0
        assert sorted(r for m in mails for r in m.recipients) == [
            "hrss@zmd.gov.cn",
            "leader@zmd.gov.cn",
        ]
        assert all(matter.title in m.subject for m in mails)
        assert all("2026-04-15" in m.subject for m in mails)
        assert all(f"/matters/m/{matter.pk}/" in m.text for m in mails)
        # Days 6..4 fall under the 7-day point already sent; day 3 is the next one.
        for left in (6, 5, 4):
            with on(DEADLINE - days(left)):
                reminders.send_reminders.enqueue()
        assert len(mails) == 2
        with on(DEADLINE - days(3)):
            reminders.send_reminders.enqueue()
            reminders.send_reminders.enqueue()
            deliver_pending()
        assert len(mails) == 4
    assert kinds(matter) == [("reminder_before_3", DEADLINE), ("reminder_before_7", DEADLINE)]
    inbox = InboxMessage.objects.filter(user=world.users["hrss_liaison"], ref_id=matter.pk)
    assert inbox.count() == 2
    # Nobody outside the matter hears of it.
    assert not InboxMessage.objects.filter(user=world.users["housing_liaison"]).exists()


@pytest.mark.django_db
def test_overdue_reminder_goes_the_day_after_the_deadline_then_weekly():
    _world, matter = setup_matter()
    for late_by in range(0, 16):
        with on(DEADLINE + days(late_by)):
            reminders.queue_reminders()
    overdue = [due for kind, due in kinds(matter) if kind == "overdue"]
    assert overdue == [DEADLINE + days(1), DEADLINE + days(8), DEADLINE + days(15)]


@pytest.mark.django_db
def test_overdue_to_sign_three_days_after_assignment_when_no_sign_deadline():
    _world, matter = setup_matter(state="assigned")
    with on(START + days(3)):
        reminders.queue_reminders()
    assert kinds(matter) == []
    with on(START + days(4)):
        reminders.queue_reminders()
    assert kinds(matter) == [("overdue_to_sign", START + days(4))]
    subject = OutboxMessage.objects.filter(kind="overdue_to_sign").first().subject
    assert matter.title in subject


@pytest.mark.django_db
def test_overdue_to_sign_follows_the_sign_deadline_when_set():
    _world, matter = setup_matter(state="assigned", sign_deadline=START + days(10))
    with on(START + days(10)):
        reminders.queue_reminders()
    assert kinds(matter) == []
    with on(START + days(11)):
        reminders.queue_reminders()
    assert kinds(matter) == [("overdue_to_sign", START + days(11))]


@pytest.mark.django_db
def test_signed_matter_is_not_reminded_to_sign():
    _world, matter = setup_matter(state="signed")
    with on(START + days(20)):
        reminders.queue_reminders()
    assert "overdue_to_sign" not in {kind for kind, _ in kinds(matter)}


@pytest.mark.django_db
def test_late_progress_report_is_reminded():
    _world, matter = setup_matter()
    due = START + days(10)
    Matter.objects.filter(pk=matter.pk).update(next_feedback_due=due)
    with on(due):
        reminders.queue_reminders()
    assert kinds(matter) == []
    with on(due + days(1)):
        reminders.queue_reminders()
    assert kinds(matter) == [("report_late", due + days(1))]


@pytest.mark.django_db
def test_handler_and_unit_leader_are_reminded_too_and_only_running_matters_count():
    world, matter = setup_matter()
    handler, unit_leader = world.users["housing_liaison"], world.users["regulator_liaison"]
    Matter.objects.filter(pk=matter.pk).update(handler=handler, unit_leader=unit_leader)
    with on(START, 9):
        draft = make_matter(world, title="草稿事项", start=START, deadline=DEADLINE)
    with on(DEADLINE - days(1)):
        reminders.queue_reminders()
    people = set(
        OutboxMessage.objects.filter(ref_id=matter.pk, channel="inbox").values_list(
            "recipient__username", flat=True
        )
    )
    assert people == {"hrss_liaison", "city_leader", "housing_liaison", "regulator_liaison"}
    assert not OutboxMessage.objects.filter(ref_id=draft.pk).exists()


@pytest.mark.django_db
def test_sms_and_messenger_are_added_when_their_gateways_are_configured():
    _world, matter = setup_matter()
    with (
        override_settings(
            FUYUAN_SMS_GATEWAY_URL="http://127.0.0.1:9/sms", FUYUAN_MESSENGER_URL="http://x"
        ),
        on(DEADLINE - days(1)),
    ):
        reminders.queue_reminders()
    channels = set(OutboxMessage.objects.filter(ref_id=matter.pk).values_list("channel", flat=True))
    assert channels == {"inbox", "email", "sms", "messenger"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_reminder_job_at_once_send_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    _world, _matter = setup_matter()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        from django.db import connections

        start.wait()
        try:
            reminders.queue_reminders(DEADLINE - days(1))
            deliver_pending()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    with smtp_server() as mails:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sorted(r for m in mails for r in m.recipients) == [
        "hrss@zmd.gov.cn",
        "leader@zmd.gov.cn",
    ]
