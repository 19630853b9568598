"""Liveness and readiness (/ops/health/, /ops/ready/), the heartbeats behind them (the
scheduler's tick, the worker's heartbeat task run by a real `db_worker`), and the system
administrator's queue page with its audited re-queue action."""

from __future__ import annotations

import datetime
import json
import os
import socket
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from fuyuan.audit.models import AuditEntry
from fuyuan.core import menu, scheduler
from fuyuan.ops import health
from fuyuan.ops.tasks import WORKER_HEARTBEAT_KEY

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def no_heartbeats(db):
    """The cache table is not flushed between tests: start without heartbeats."""
    cache.delete_many([scheduler.HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY])
    yield
    cache.delete_many([scheduler.HEARTBEAT_KEY, WORKER_HEARTBEAT_KEY])


@pytest.fixture
def only_heartbeat_job():
    """The scheduler's registry holding the worker heartbeat job only (restored afterwards)."""
    saved = dict(scheduler._REGISTRY)
    heartbeat = saved["ops.worker_heartbeat"]
    scheduler._REGISTRY.clear()
    scheduler._REGISTRY[heartbeat.name] = heartbeat
    cache.delete(scheduler.CACHE_PREFIX + heartbeat.name)
    yield heartbeat
    scheduler._REGISTRY.clear()
    scheduler._REGISTRY.update(saved)
    cache.delete(scheduler.CACHE_PREFIX + heartbeat.name)


def _json(response):
    return json.loads(response.content)


def test_health_answers_without_the_database(django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        response = client.get(reverse("ops:health"))
    assert response.status_code == 200
    assert _json(response) == {"status": "ok", "checks": {"process": "ok"}}
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert "Set-Cookie" not in response and response["X-Request-ID"]
    assert client.post(reverse("ops:health")).status_code == 405


def test_readiness_fails_without_a_scheduler_and_shows_no_detail_to_anonymous():
    response = Client().get(reverse("ops:ready"))
    assert response.status_code == 503
    body = _json(response)
    assert body["status"] == "fail"
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "scheduler": "fail",
        # The tests' immediate backend runs tasks in the process: no worker to wait for.
        "worker": "ok",
    }
    assert "no-cache" in response["Cache-Control"]
    # A load balancer may ask for the web node's own checks only.
    partial = Client().get(reverse("ops:ready") + "?checks=database,migrations")
    assert partial.status_code == 200 and set(_json(partial)["checks"]) == {
        "database",
        "migrations",
    }
    assert Client().get(reverse("ops:ready") + "?checks=disk").status_code == 400


def test_a_scheduler_tick_and_the_heartbeat_job_make_the_instance_ready(
    only_heartbeat_job, client_for
):
    assert scheduler.tick() == ["ops.worker_heartbeat"]
    beat = cache.get(scheduler.HEARTBEAT_KEY)
    assert (timezone.now() - beat["at"]).total_seconds() < 60
    # The immediate backend ran the heartbeat task at once.
    assert cache.get(WORKER_HEARTBEAT_KEY)["at"] >= beat["at"]
    response = Client().get(reverse("ops:ready"))
    assert response.status_code == 200, response.content
    assert _json(response) == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "scheduler": "ok", "worker": "ok"},
    }
    # The queue page names where the scheduler and the heartbeat task ran.
    page = client_for("system_admin").get(reverse("ops:queue")).content.decode()
    assert page.count(socket.gethostname()) >= 2 and str(os.getpid()) in page


def test_a_silent_scheduler_fails_after_its_limit(settings):
    settings.FUYUAN_SCHEDULER_MAX_SILENCE_SECONDS = 120
    now = timezone.now()
    cache.set(scheduler.HEARTBEAT_KEY, {"at": now - datetime.timedelta(seconds=100)})
    assert health.check_scheduler(now).ok
    cache.set(scheduler.HEARTBEAT_KEY, {"at": now - datetime.timedelta(seconds=121)})
    check = health.check_scheduler(now)
    assert not check.ok and "121" in check.detail and "120" in check.detail


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_worker_liveness_comes_from_the_heartbeat_a_real_worker_runs(only_heartbeat_job, settings):
    settings.FUYUAN_WORKER_MAX_SILENCE_SECONDS = 300
    assert not health.check_worker().ok  # a queue but no heartbeat yet
    scheduler.tick()
    row = DBTaskResult.objects.get(task_path="fuyuan.ops.tasks.worker_heartbeat")
    assert row.status == TaskResultStatus.READY
    assert not health.check_worker().ok  # queued, not yet run: no worker has shown up
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w-ops", verbosity=0)
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    assert beat["worker"] == "w-ops"
    assert health.check_worker().ok
    later = timezone.now() + datetime.timedelta(seconds=301)
    assert not health.check_worker(later).ok


def test_the_system_administrator_reads_the_details(client_for):
    body = _json(client_for("system_admin").get(reverse("ops:ready")))
    assert body["checks"]["scheduler"]["status"] == "fail"
    assert body["checks"]["scheduler"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"
    # Anyone else signed in sees names and ok/fail, as anonymous callers do.
    others = _json(client_for("city_office").get(reverse("ops:ready")))
    assert others["checks"]["scheduler"] == "fail"


# --- the queue page -------------------------------------------------------------------------


def _task_row(status: str, **fields) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=fields.pop("task_path", "fuyuan.ops.tasks.worker_heartbeat"),
        backend_name="default",
        run_after=get_date_max(),
        queue_name=fields.pop("queue_name", "default"),
        **fields,
    )
    return row


@pytest.fixture
def tasks_in_every_state():
    now = timezone.now()
    waiting = _task_row(TaskResultStatus.READY)
    DBTaskResult.objects.filter(pk=waiting.pk).update(enqueued_at=now - datetime.timedelta(hours=3))
    _task_row(TaskResultStatus.READY, queue_name="imports")
    stale = _task_row(
        TaskResultStatus.RUNNING,
        task_path="fuyuan.audit.tasks.seal_audit_chain",
        started_at=now - datetime.timedelta(hours=2),
        worker_ids=["dead-worker-0001"],
    )
    fresh = _task_row(
        TaskResultStatus.RUNNING,
        task_path="fuyuan.notify.tasks.deliver_notifications",
        started_at=now - datetime.timedelta(seconds=20),
        worker_ids=["live-worker-0002"],
    )
    failed = _task_row(
        TaskResultStatus.FAILED,
        finished_at=now - datetime.timedelta(minutes=5),
        exception_class_path="builtins.ValueError",
        traceback='Traceback (most recent call last):\n  File "x.py"\nValueError: 网关无应答\n',
    )
    return {"waiting": waiting, "stale": stale, "fresh": fresh, "failed": failed}


def test_queue_page_only_for_the_system_administrator(client_for):
    url = reverse("ops:queue")
    assert Client().get(url).status_code == 302
    for name in ("city_office", "security_admin", "audit_admin", "court_staff"):
        assert client_for(name).get(url).status_code == 403
    assert client_for("system_admin").get(url).status_code == 200


def test_queue_page_shows_the_queue(client_for, tasks_in_every_state, world):
    response = client_for("system_admin").get(reverse("ops:queue"))
    page = response.content.decode()
    data = response.context
    queues = {q["name"]: q for q in data["queues"]}
    statuses = data["statuses"]
    assert queues["default"]["counts"][statuses.index("READY")] == 1
    assert queues["default"]["counts"][statuses.index("RUNNING")] == 2
    assert queues["default"]["counts"][statuses.index("FAILED")] == 1
    assert queues["imports"]["counts"][statuses.index("READY")] == 1
    assert queues["default"]["oldest_age"] >= datetime.timedelta(hours=3)
    running = {row["id"]: row for row in data["running"]}
    assert running[tasks_in_every_state["stale"].pk]["stale"] is True
    assert running[tasks_in_every_state["fresh"].pk]["stale"] is False
    assert data["stale_count"] == 1
    assert "ValueError: 网关无应答" in page
    assert "fuyuan.audit.tasks.seal_audit_chain" in page
    jobs = {job.name: job for job in data["jobs"]}
    assert {"ops.worker_heartbeat", "core.reap_stale_tasks"} <= set(jobs)
    assert {check.name for check in data["checks"]} == {
        "database",
        "migrations",
        "scheduler",
        "worker",
    }
    assert reverse("ops:requeue", args=[tasks_in_every_state["failed"].pk]) in page


def test_requeue_a_failed_task_is_audited(client_for, tasks_in_every_state):
    failed = tasks_in_every_state["failed"]
    url = reverse("ops:requeue", args=[failed.pk])
    assert client_for("city_office").post(url).status_code == 403
    assert Client().post(url).status_code == 302
    assert DBTaskResult.objects.get(pk=failed.pk).status == TaskResultStatus.FAILED
    response = client_for("system_admin").post(url)
    assert response.status_code == 302 and response["Location"] == reverse("ops:queue")
    row = DBTaskResult.objects.get(pk=failed.pk)
    assert (row.status, row.finished_at, row.traceback) == (TaskResultStatus.READY, None, "")
    entry = AuditEntry.objects.get(action="ops.task.requeue", object_id=str(failed.pk))
    assert entry.actor.username == "system_admin"
    assert entry.before["error"] == "ValueError: 网关无应答"
    # A second time: no longer failed, refused with a message, nothing written.
    again = client_for("system_admin").post(url, follow=True)
    assert "failed" in again.content.decode() or "失败" in again.content.decode()
    assert AuditEntry.objects.filter(action="ops.task.requeue").count() == 1
    missing = reverse("ops:requeue", args=[uuid.uuid4()])
    client_for("system_admin").post(missing)
    assert AuditEntry.objects.filter(action="ops.task.requeue").count() == 1


def test_requeue_refuses_a_task_whose_code_is_gone(client_for, world):
    gone = _task_row(
        TaskResultStatus.FAILED, task_path="fuyuan.removed.tasks.old", traceback="E: x"
    )
    client_for("system_admin").post(reverse("ops:requeue", args=[gone.pk]))
    assert DBTaskResult.objects.get(pk=gone.pk).status == TaskResultStatus.FAILED


def test_menu_entry_for_the_system_administrator(world):
    def keys(user):
        items = menu.entries_for(user)
        return {c["key"] for item in items for c in item.get("children", [item])}

    assert "ops.queue" in keys(world.users["system_admin"])
    assert "ops.queue" not in keys(world.users["city_office"])
    assert "ops.queue" not in keys(world.users["security_admin"])


def test_readiness_with_the_database_away(monkeypatch):
    """The database refuses connections: 503, every check failed, no error text for callers;
    liveness still answers."""
    from django.db import OperationalError

    def refused(*args, **kwargs):
        raise OperationalError("connection refused: password=secret host=10.0.0.5")

    with monkeypatch.context() as patch:
        patch.setattr(health.connection, "cursor", refused)
        response = Client().get(reverse("ops:ready"))
        assert response.status_code == 503
        assert _json(response)["checks"] == {
            "database": "fail",
            "migrations": "fail",
            "scheduler": "fail",
            "worker": "fail",
        }
        assert b"secret" not in response.content and b"10.0.0.5" not in response.content
        assert Client().get(reverse("ops:health")).status_code == 200
        detailed = health.readiness()
        assert detailed[0].detail.endswith("OperationalError")
        assert not any(check.ok for check in detailed)
        assert len({check.detail for check in detailed[1:]}) == 1  # "not checked: …"
