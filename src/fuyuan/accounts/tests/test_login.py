"""Sign-in security: lockout by username, password rules, idle timeout, password expiry."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.testing import PASSWORD, make_user

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_sixth_failure_locks_username_but_not_colleague_behind_same_address():
    make_user("victim")
    make_user("colleague")
    client = Client()
    for _ in range(4):
        response = _login(client, "victim", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    # The fifth failure locks the username ...
    assert _login(client, "victim", "wrong-password").status_code == 429
    # ... so the sixth attempt is refused even with the right password.
    locked = _login(client, "victim", PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # Same NAT address, another user: still fine.
    other = _login(Client(), "colleague", PASSWORD)
    assert other.status_code == 302
    assert AuditEntry.objects.filter(action="security.login_failed").count() >= 5
    assert AuditEntry.objects.filter(action="security.locked_out").exists()


@pytest.mark.django_db
def test_lockout_lifts_after_thirty_minutes():
    make_user("victim")
    client = Client()
    for _ in range(5):
        _login(client, "victim", "wrong-password")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert _login(Client(), "victim", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_successful_login_is_audited():
    make_user("someone")
    assert _login(Client(), "someone", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="security.login", actor_name="someone").exists()


@pytest.mark.parametrize(
    "password", ["short1A!", "alllowercaseletters", "ALLUPPER123456", "1234567890123"]
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_strong_password_is_accepted():
    validate_password("Zmd-linkage-2026")


@pytest.mark.django_db
def test_idle_session_ends_after_thirty_minutes_and_polling_does_not_extend_it():
    make_user("idle")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert _login(client, "idle", PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
    # Polling every few minutes does not count as activity.
    for minutes in (10, 20, 29):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            poll = client.get("/accounts/session/", HTTP_X_FUYUAN_POLL="1")
            assert poll.status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        poll = client.get("/accounts/session/", HTTP_X_FUYUAN_POLL="1")
        assert poll.status_code == 401
        assert poll["HX-Redirect"] == "/accounts/login/"
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_activity_extends_the_session():
    make_user("busy")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client, "busy", PASSWORD)
    for minutes in (20, 40, 60):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_expired_password_must_be_changed_first():
    user = make_user("old")
    client = Client()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/"
        assert client.get("/accounts/password/").status_code == 200
        changed = client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": "Another-pass-99",
                "new_password2": "Another-pass-99",
            },
        )
        assert changed.status_code == 302
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_csrf_is_enforced_on_login():
    make_user("csrf")
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "csrf", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_activity_is_saved_once_a_minute_and_still_keeps_the_session(settings):
    """As deployed: a page that only reads within the same minute saves no session (three
    statements fewer), and activity every 20 minutes still keeps the session alive."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FUYUAN_ACTIVITY_GRANULARITY_SECONDS = 60
    make_user("reader")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client, "reader", PASSWORD)
        client.get("/")
    with (
        time_machine.travel(start + datetime.timedelta(seconds=30), tick=False),
        CaptureQueriesContext(connection) as quiet,
    ):
        assert client.get("/").status_code == 200
    assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in quiet)
    with (
        time_machine.travel(start + datetime.timedelta(seconds=90), tick=False),
        CaptureQueriesContext(connection) as saved,
    ):
        assert client.get("/").status_code == 200
    assert any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in saved)
    for minutes in (20, 40, 60):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=91, seconds=30), tick=False):
        assert client.get("/").status_code == 302
