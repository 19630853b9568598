"""Fault: two workers and two schedulers run at once (a second machine started by mistake, or
the standby of a pair).

Two real `fuyuan db_worker` and two real `fuyuan scheduler` processes against the test
database (PostgreSQL). Only one scheduler holds the lock (a PostgreSQL advisory lock); the
other waits as a standby and takes over when the first is killed with SIGKILL — without
enqueuing the daily reminders a second time. The daily reminders, due now, are delivered
exactly once per recipient: one inbox message and one e-mail each, counted in the outbox and
at a real SMTP server (aiosmtpd on 127.0.0.1) — and the job run again, twice at the same
moment on the two workers, sends nothing more."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fuyuan.accounts.models import Person, Role
from fuyuan.core import scheduler
from fuyuan.matters.reminders import send_reminders
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.notify.tests.servers import smtp_server
from fuyuan.testing import make_matter, make_user

from .processes import FUYUAN, child_env, children, wait_for

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REMINDERS_JOB = "matters.reminders"
REMINDERS_TASK = "fuyuan.matters.reminders.send_reminders"
DELIVER_TASK = "fuyuan.notify.tasks.deliver_notifications"
HOLDING = "scheduler: holding the lock"


def _lock_holders() -> int:
    """Sessions holding the scheduler's advisory lock (pg_try_advisory_lock(bigint) shows
    the key split in two 32-bit halves)."""
    key = scheduler._lock_key()
    high, low = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s AND objsubid = 1",
            [high, low],
        )
        return int(cursor.fetchone()[0])


def _tasks(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"))


def _all_finished(path: str, count: int) -> bool:
    rows = _tasks(path)
    return len(rows) >= count and all(r.status == TaskResultStatus.SUCCESSFUL for r in rows)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_one_scheduler_runs_and_reminders_are_delivered_once(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    second = make_user("hrss_liaison_2", Role.LIAISON, unit=world.units["hrss"])
    people = [world.users["hrss_liaison"], second, world.users["housing_liaison"]]
    for n, user in enumerate(people):
        user.person = Person.objects.create(name=f"联络员{n}", email=f"liaison{n}@zmd.gov.example")
        user.save(update_fields=["person"])
    # Due in 3, 7 and 1 days: each reaches a reminder point today.
    for lead, days in (("hrss", 3), ("hrss", 7), ("housing", 1)):
        make_matter(
            world,
            lead=lead,
            title=f"提醒测试事项（{days}天）",
            deadline=today + datetime.timedelta(days=days),
            state="assigned",
        )
    expected = Counter(
        {
            "liaison0@zmd.gov.example": 2,
            "liaison1@zmd.gov.example": 2,
            "liaison2@zmd.gov.example": 1,
        }
    )
    # Only the reminders are due: every other job ran "just now".
    cache.delete(scheduler.CACHE_PREFIX + REMINDERS_JOB)
    now = timezone.now()
    for job in scheduler.registered():
        if job.name != REMINDERS_JOB:
            cache.set(scheduler.CACHE_PREFIX + job.name, now, timeout=None)

    with smtp_server() as mails, children() as start:
        port = str(settings.EMAIL_PORT)  # the SMTP server's, set by smtp_server()
        env = child_env(
            FUYUAN_VAR_DIR=str(tmp_path),
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            FUYUAN_REMINDER_TIME="00:00",  # the daily job is due as soon as a scheduler ticks
        )
        workers = [
            start(
                [
                    *FUYUAN,
                    "db_worker",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.5",
                    "--worker-id",
                    name,
                ],
                env,
                tmp_path / f"{name}.log",
            )
            for name in ("worker-1", "worker-2")
        ]
        first = start([*FUYUAN, "scheduler", "--interval", "1"], env, tmp_path / "s1.log")
        assert wait_for(lambda: HOLDING in first.output(), 60), first.output()
        standby = start([*FUYUAN, "scheduler", "--interval", "1"], env, tmp_path / "s2.log")
        assert wait_for(lambda: "scheduler: jobs" in standby.output(), 60), standby.output()

        # The job runs on one of the workers, then the delivery; every mail arrives.
        assert wait_for(lambda: _all_finished(REMINDERS_TASK, 1), 60), first.output()
        assert wait_for(lambda: sum(1 for _ in mails) >= sum(expected.values()), 60), (
            [m.recipients for m in mails],
            [w.output()[-2000:] for w in workers],
        )
        assert wait_for(lambda: _all_finished(DELIVER_TASK, 1), 30)
        # Several ticks later: one lock holder, the standby still waiting, one job enqueued.
        wait_for(lambda: False, 3)
        assert _lock_holders() == 1
        assert HOLDING not in standby.output() and standby.alive()
        assert first.output().count(f"enqueued {REMINDERS_JOB}") == 1

        # The first scheduler dies: the standby takes over, and does not repeat the job.
        first.kill()
        assert wait_for(lambda: HOLDING in standby.output(), 30), standby.output()
        assert _lock_holders() == 1
        wait_for(lambda: False, 3)
        assert f"enqueued {REMINDERS_JOB}" not in standby.output()
        assert len(_tasks(REMINDERS_TASK)) == 1

        # The job run twice more at the same moment, on the two workers: nothing new.
        send_reminders.enqueue()
        send_reminders.enqueue()
        assert wait_for(lambda: _all_finished(REMINDERS_TASK, 3), 60)
        returned = [r.return_value for r in _tasks(REMINDERS_TASK)]
        assert returned[0] == 2 * sum(expected.values()) and returned[1:] == [0, 0]
        ran_on = {w for r in _tasks(REMINDERS_TASK) for w in r.worker_ids}
        assert ran_on <= {"worker-1", "worker-2"}
        wait_for(lambda: False, 2)
        delivered = Counter(address for m in mails for address in m.recipients)
        assert all(w.alive() for w in workers)

    assert delivered == expected, delivered
    assert all("提醒测试事项" in m.subject for m in mails)
    emails = OutboxMessage.objects.filter(channel="email")
    assert Counter(emails.values_list("address", flat=True)) == expected
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    assert all(m.attempts == 1 for m in emails)
    inbox = Counter(InboxMessage.objects.values_list("user__person__email", flat=True))
    assert inbox == expected
