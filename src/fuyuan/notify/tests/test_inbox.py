"""The in-app inbox: unread count in the header, list with 共 N 条, open and mark read (own
messages only), and the polled unread count that does not keep an idle session alive."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from fuyuan.notify.models import Channel, InboxMessage
from fuyuan.notify.outbox import notify
from fuyuan.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def send(user, kind: str, url: str = "/org/") -> InboxMessage:
    notify(
        ref_kind="matters.matter",
        ref_id=7,
        kind=kind,
        due_date=datetime.date(2026, 3, 10),
        recipients=[user],
        subject=f"催办：{kind}",
        body="请于本周内报送进展",
        url=url,
        channels=[Channel.INBOX],
    )
    return InboxMessage.objects.filter(user=user).latest("pk")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_header_shows_the_unread_count_and_the_poll_returns_it():
    user = make_user("reader")
    send(user, "a")
    send(user, "b")
    client = signed_in(user)
    page = client.get("/").content.decode()
    assert 'id="inbox-link"' in page
    assert 'hx-get="/notify/unread/"' in page and '"X-Fuyuan-Poll": "1"' in page
    assert '<span class="badge rounded-pill text-bg-warning" id="unread-count">2</span>' in page
    poll = client.get("/notify/unread/", HTTP_X_FUYUAN_POLL="1")
    assert poll.status_code == 200
    assert 'id="unread-count">2<' in poll.content.decode()


def test_inbox_lists_own_messages_with_the_total_and_marks_all_read():
    user, other = make_user("reader"), make_user("other")
    for kind in ("a", "b", "c"):
        send(user, kind)
    send(other, "x")
    client = signed_in(user)
    response = client.get("/notify/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert "共 3 条" in response.content.decode()
    assert "催办：x" not in response.content.decode()
    unread = client.get("/notify/?show=unread")
    assert unread.context["page"].paginator.count == 3
    assert client.post("/notify/read-all/").status_code == 302
    assert not InboxMessage.objects.filter(user=user, read_at__isnull=True).exists()
    assert InboxMessage.objects.filter(user=other, read_at__isnull=True).count() == 1
    assert client.get("/notify/?show=unread").context["page"].paginator.count == 0


def test_opening_a_message_marks_it_read_and_follows_its_link():
    user = make_user("reader")
    message = send(user, "a", url="/org/")
    client = signed_in(user)
    response = client.get(f"/notify/{message.pk}/")
    assert response.status_code == 302 and response["Location"] == "/org/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'id="unread-count"' not in client.get("/notify/unread/").content.decode()


def test_a_link_to_another_host_is_not_followed():
    user = make_user("reader")
    message = send(user, "a", url="https://evil.example/phish")
    response = signed_in(user).get(f"/notify/{message.pk}/")
    assert response["Location"] == "/notify/"


def test_mark_one_read_needs_post_and_only_works_on_own_messages():
    user, other = make_user("reader"), make_user("other")
    mine, theirs = send(user, "a"), send(other, "b")
    client = signed_in(user)
    assert client.get(f"/notify/{mine.pk}/read/").status_code == 405
    assert client.post(f"/notify/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/notify/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/notify/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_anonymous_is_sent_to_sign_in():
    for url in ("/notify/", "/notify/unread/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_polling_the_unread_count_does_not_keep_an_idle_session_alive():
    make_user("idle")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login = client.post("/accounts/login/", {"username": "idle", "password": PASSWORD})
        assert login.status_code == 302
        assert client.get("/notify/").status_code == 200  # activity: the clock starts here
    for minutes in (10, 20, 29):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            poll = client.get("/notify/unread/", HTTP_X_FUYUAN_POLL="1")
            assert poll.status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        poll = client.get("/notify/unread/", HTTP_X_FUYUAN_POLL="1")
        assert poll.status_code == 401
        assert poll["HX-Redirect"] == "/accounts/login/"
