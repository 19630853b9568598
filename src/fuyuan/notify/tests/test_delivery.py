"""Delivery: every channel against a real local server, every attempt recorded, retries with
backoff, the do-not-disturb window, and an atomic claim so two deliverers send once."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from fuyuan.accounts.models import Person
from fuyuan.notify import channels, delivery
from fuyuan.notify.models import Channel, DeliveryAttempt, InboxMessage, OutboxMessage
from fuyuan.notify.outbox import notify
from fuyuan.notify.tasks import deliver_notifications
from fuyuan.testing import make_user

from .servers import free_port, http_server, smtp_server

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 10)


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def person_user(username: str, email: str = "", phone: str = ""):
    user = make_user(username)
    user.person = Person.objects.create(name=username, email=email, phone=phone)
    user.save(update_fields=["person"])
    return user


def queue(user, channel: str, kind: str = "urge", subject: str = "请尽快反馈进展") -> OutboxMessage:
    notify(
        ref_kind="matters.matter",
        ref_id=1,
        kind=kind,
        due_date=DAY,
        recipients=[user],
        subject=subject,
        url="/matters/m/1/",
        channels=[channel],
    )
    return OutboxMessage.objects.get(recipient=user, channel=channel, kind=kind)


def test_email_goes_through_a_real_smtp_server_and_the_attempt_is_recorded():
    user = person_user("zhang", email="zhang@example.gov.cn")
    message = queue(user, Channel.EMAIL)
    assert message.address == "zhang@example.gov.cn"
    with smtp_server() as mails, override_settings(FUYUAN_SITE_URL="https://fy.example"):
        report = deliver_notifications.enqueue().return_value
    assert report["sent"] == 1
    assert [m.recipients for m in mails] == [["zhang@example.gov.cn"]]
    assert mails[0].subject == "请尽快反馈进展"
    assert "https://fy.example/matters/m/1/" in mails[0].text
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.ok and "zhang@example.gov.cn" in attempt.response


def test_queuing_twice_delivers_once():
    user = person_user("li", email="li@example.gov.cn")
    queue(user, Channel.EMAIL)
    queue(user, Channel.EMAIL)
    with smtp_server() as mails:
        delivery.deliver_pending()
        delivery.deliver_pending()
    assert len(mails) == 1
    assert OutboxMessage.objects.count() == 1


def test_email_without_an_address_fails_at_once_with_the_attempt_recorded():
    user = make_user("noaddress")
    message = queue(user, Channel.EMAIL)
    report = delivery.deliver_pending()
    assert report.failed == [message.pk]
    message.refresh_from_db()
    assert message.status == "failed"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert not attempt.ok and attempt.response == "no e-mail address"


def test_a_refused_connection_is_retried_with_backoff_then_given_up_after_three_attempts():
    user = person_user("wang", email="wang@example.gov.cn")
    closed_port = free_port()
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port,
            EMAIL_TIMEOUT=2,
        ),
        time_machine.travel(at(9), tick=False) as clock,
    ):
        message = queue(user, Channel.EMAIL)
        assert delivery.deliver_pending().retrying == [message.pk]
        message.refresh_from_db()
        assert message.status == "pending"
        assert message.not_before == at(9, 1)
        # Not yet due: nothing is tried.
        assert delivery.deliver_pending().as_dict()["retrying"] == 0
        clock.move_to(at(9, 1))
        assert delivery.deliver_pending().retrying == [message.pk]
        message.refresh_from_db()
        assert message.not_before == at(9, 11)
        clock.move_to(at(9, 11))
        assert delivery.deliver_pending().failed == [message.pk]
        clock.move_to(at(12))
        assert delivery.deliver_pending().as_dict() == {
            "sent": 0,
            "failed": 0,
            "retrying": 0,
            "deferred": 0,
            "skipped": 0,
        }
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    attempts = list(DeliveryAttempt.objects.filter(message=message))
    assert len(attempts) == 3 and not any(a.ok for a in attempts)
    assert all("ConnectionRefusedError" in a.response for a in attempts)


def _gateway(request):
    return 200, {"code": 0, "msg": "accepted"}


def test_sms_is_held_in_the_do_not_disturb_window_and_sent_when_it_ends():
    user = person_user("zhao", phone="13900001111")
    with (
        http_server(_gateway) as gateway,
        override_settings(
            FUYUAN_SMS_GATEWAY_URL=f"{gateway.url}/sms/send",
            FUYUAN_SMS_GATEWAY_USER="fuyuan",
            FUYUAN_SMS_GATEWAY_PASSWORD="secret",
            FUYUAN_SMS_QUIET_HOURS="22:00-07:00",
        ),
        time_machine.travel(at(23, 30), tick=False) as clock,
    ):
        message = queue(user, Channel.SMS)
        assert delivery.deliver_pending().deferred == [message.pk]
        message.refresh_from_db()
        assert message.status == "deferred"
        assert message.not_before == at(7, day=DAY + datetime.timedelta(days=1))
        assert message.attempts == 0
        clock.move_to(at(6, 59, DAY + datetime.timedelta(days=1)))
        assert delivery.deliver_pending().as_dict()["sent"] == 0
        assert gateway.requests == []
        clock.move_to(at(7, 0, DAY + datetime.timedelta(days=1)))
        assert delivery.deliver_pending().sent == [message.pk]
    assert len(gateway.requests) == 1
    sent = gateway.requests[0]
    assert sent.method == "POST" and sent.path == "/sms/send"
    assert sent.body["phone"] == "13900001111"  # decrypted by the model field at send time
    assert "请尽快反馈进展" in sent.body["content"]
    assert sent.headers["Authorization"].startswith("Basic ")
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at == at(7, day=DAY + datetime.timedelta(days=1))
    # The hold is not a delivery try: one attempt, the successful one.
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("ok", flat=True)) == [
        True
    ]


def test_sms_gateway_refusal_is_a_failed_attempt():
    user = person_user("qian", phone="13900002222")
    with (
        http_server(lambda r: (200, {"code": 17, "msg": "blacklisted"})) as gateway,
        override_settings(FUYUAN_SMS_GATEWAY_URL=gateway.url, FUYUAN_SMS_QUIET_HOURS=""),
    ):
        message = queue(user, Channel.SMS)
        assert delivery.deliver_pending().retrying == [message.pk]
    attempt = DeliveryAttempt.objects.get(message=message)
    assert not attempt.ok and "blacklisted" in attempt.response


@pytest.mark.parametrize(
    ("now", "window", "held_until"),
    [
        (at(21, 59), "22:00-07:00", None),
        (at(22, 0), "22:00-07:00", at(7, day=DAY + datetime.timedelta(days=1))),
        (at(3, 0), "22:00-07:00", at(7)),
        (at(7, 0), "22:00-07:00", None),
        (at(12, 30), "12:00-14:00", at(14)),
        (at(3, 0), "", None),
    ],
)
def test_quiet_hours_window_including_one_that_wraps_midnight(now, window, held_until):
    assert channels.quiet_until(now, window) == held_until


class Messenger:
    """Answers like the open platform: /gettoken, then the work-notification endpoint."""

    def __init__(self, expire_first_token: bool = False) -> None:
        self.tokens = 0
        self.expire_first_token = expire_first_token

    def __call__(self, request):
        if request.path == "/gettoken":
            self.tokens += 1
            if request.query.get("appsecret") != ["s3cret"]:
                return 200, {"errcode": 40089, "errmsg": "invalid appsecret"}
            return 200, {"errcode": 0, "access_token": f"T{self.tokens}", "expires_in": 7200}
        if request.path == "/topapi/message/corpconversation/asyncsend_v2":
            if self.expire_first_token and request.query["access_token"] == ["T1"]:
                return 200, {"errcode": 88, "errmsg": "access_token expired"}
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": 256}
        return 404, {"errcode": 404}


def messenger_settings(url: str):
    return override_settings(
        FUYUAN_MESSENGER_URL=url,
        FUYUAN_MESSENGER_APPKEY="dingkey",
        FUYUAN_MESSENGER_APPSECRET="s3cret",
        FUYUAN_MESSENGER_AGENT_ID="2900001",
        FUYUAN_MESSENGER_USER_IDS={"sun": "manager4211"},
    )


def test_messenger_takes_a_token_once_and_sends_work_notifications_with_the_user_id():
    cache.delete(channels.TOKEN_CACHE_KEY)
    sun, zhou = make_user("sun"), make_user("zhou")
    with http_server(Messenger()) as server, messenger_settings(server.url):
        first = queue(sun, Channel.MESSENGER)
        second = queue(zhou, Channel.MESSENGER)
        report = delivery.deliver_pending()
    assert sorted(report.sent) == sorted([first.pk, second.pk])
    paths = [r.path for r in server.requests]
    assert paths == [
        "/gettoken",
        "/topapi/message/corpconversation/asyncsend_v2",
        "/topapi/message/corpconversation/asyncsend_v2",
    ]
    token_call = server.requests[0]
    assert token_call.query == {"appkey": ["dingkey"], "appsecret": ["s3cret"]}
    sends = server.requests[1:]
    assert all(r.query["access_token"] == ["T1"] for r in sends)
    # Mapped id for sun; the username for a user not in the map.
    assert [r.body["userid_list"] for r in sends] == ["manager4211", "zhou"]
    assert sends[0].body["agent_id"] == "2900001"
    assert sends[0].body["msg"]["msgtype"] == "text"
    assert "请尽快反馈进展" in sends[0].body["msg"]["text"]["content"]
    attempts = DeliveryAttempt.objects.filter(message__channel=Channel.MESSENGER)
    assert attempts.count() == 2 and all(a.ok and "task_id" in a.response for a in attempts)


def test_messenger_refreshes_an_expired_token_and_retries_once():
    cache.delete(channels.TOKEN_CACHE_KEY)
    user = make_user("wu")
    with http_server(Messenger(expire_first_token=True)) as server, messenger_settings(server.url):
        message = queue(user, Channel.MESSENGER)
        assert delivery.deliver_pending().sent == [message.pk]
    assert [r.path for r in server.requests].count("/gettoken") == 2
    assert server.requests[-1].query["access_token"] == ["T2"]


def test_messenger_with_a_wrong_secret_records_the_refusal():
    cache.delete(channels.TOKEN_CACHE_KEY)
    user = make_user("zheng")
    with (
        http_server(Messenger()) as server,
        messenger_settings(server.url),
        override_settings(FUYUAN_MESSENGER_APPSECRET="wrong"),
    ):
        message = queue(user, Channel.MESSENGER)
        assert delivery.deliver_pending().retrying == [message.pk]
    attempt = DeliveryAttempt.objects.get(message=message)
    assert not attempt.ok and "invalid appsecret" in attempt.response


def test_inbox_copy_is_written_with_the_outbox_row_and_never_sent_again():
    user = make_user("feng")
    queue(user, Channel.INBOX)
    assert InboxMessage.objects.filter(user=user).count() == 1
    assert delivery.deliver_pending().as_dict()["sent"] == 0
    assert not DeliveryAttempt.objects.exists()


# --- two deliverers --------------------------------------------------------------------------


def test_claim_is_atomic_two_workers_that_read_the_same_row_send_it_once():
    user = person_user("chu", email="chu@example.gov.cn")
    message = queue(user, Channel.EMAIL)
    now = timezone.now()
    seen_by_a = delivery.due_messages(now, 10)
    seen_by_b = delivery.due_messages(now, 10)
    assert seen_by_a == seen_by_b == [(message.pk, 0)]
    assert delivery.claim(message.pk, 0, now) is True
    assert delivery.claim(message.pk, 0, now) is False
    # Even with a fresh read the message is leased, so no second worker picks it up.
    assert delivery.due_messages(now, 10) == []


def test_a_deliverer_started_while_another_is_sending_skips_the_message(monkeypatch):
    user = person_user("wei", email="wei@example.gov.cn")
    message = queue(user, Channel.EMAIL)
    inner_reports = []
    real_send = channels.EmailChannel.send

    def send_while_another_worker_runs(self, msg):
        inner_reports.append(delivery.deliver_pending())
        return real_send(self, msg)

    monkeypatch.setattr(channels.EmailChannel, "send", send_while_another_worker_runs)
    with smtp_server() as mails:
        outer = delivery.deliver_pending()
    assert outer.sent == [message.pk]
    assert inner_reports[0].as_dict()["sent"] == 0
    assert len(mails) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_deliverers_racing_in_threads_send_each_message_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    users = [person_user(f"racer{i}", email=f"racer{i}@example.gov.cn") for i in range(20)]
    for user in users:
        queue(user, Channel.EMAIL)
    sent: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    class CountingChannel(channels.Channel):
        def send(self, message):
            with lock:
                sent.append(message.pk)
            return channels.DeliveryResult(True, "counted")

    monkeypatch.setitem(channels.CHANNELS, Channel.EMAIL, CountingChannel)
    reports = []

    def worker():
        from django.db import connections

        start.wait()
        try:
            reports.append(delivery.deliver_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 20
    assert sum(len(r.sent) for r in reports) == 20
    assert DeliveryAttempt.objects.count() == 20
