"""The scheduler (core.scheduler, `fuyuan scheduler`) and the reaper (`fuyuan reap_tasks`): jobs
enqueued when due and not before, one instance at a time, and a task left running by a killed
worker picked up again by the next worker."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fuyuan.core import scheduler

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
RUNS: list[str] = []
MINUTE = datetime.timedelta(minutes=1)


@task()
def record_run(label: str = "ran") -> str:
    RUNS.append(label)
    return label


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def jobs():
    """A registry holding only the jobs a test registers (restored afterwards)."""
    saved = dict(scheduler._REGISTRY)
    scheduler._REGISTRY.clear()
    RUNS.clear()
    yield scheduler
    scheduler._REGISTRY.clear()
    scheduler._REGISTRY.update(saved)


def test_apps_register_their_jobs():
    import fuyuan.matters.reminders  # noqa: F401  (MattersConfig.ready imports it)

    names = {job.name for job in scheduler.registered()}
    assert {"core.reap_stale_tasks", "notify.deliver", "matters.reminders"} <= names


def test_interval_job_is_enqueued_when_due_and_not_before(jobs):
    jobs.register("test.every_minute", f"{__name__}.record_run", every=MINUTE)
    with time_machine.travel(at(10, 9), tick=False) as clock:
        assert jobs.tick() == ["test.every_minute"]
        clock.move_to(at(10, 9, 0, 30))
        assert jobs.tick() == []
        clock.move_to(at(10, 9, 1))
        assert jobs.tick() == ["test.every_minute"]
    assert RUNS == ["ran", "ran"]


def test_daily_job_runs_once_a_day_at_its_time_even_if_the_scheduler_starts_late(jobs):
    jobs.register("test.daily", f"{__name__}.record_run", at="08:00")
    with time_machine.travel(at(10, 7, 59), tick=False) as clock:
        assert jobs.tick() == []
        clock.move_to(at(10, 11, 30))  # the scheduler was down at 08:00: catch up
        assert jobs.tick() == ["test.daily"]
        clock.move_to(at(10, 23, 0))
        assert jobs.tick() == []
        clock.move_to(at(11, 8, 0))
        assert jobs.tick() == ["test.daily"]
    assert len(RUNS) == 2


def test_scheduler_command_once_runs_one_tick(jobs, tmp_path):
    jobs.register("test.every_minute", f"{__name__}.record_run", every=MINUTE)
    out = io.StringIO()
    with override_settings(VAR_DIR=tmp_path):
        call_command("scheduler", "--once", stdout=out)
        call_command("scheduler", "--once", stdout=out)
    assert out.getvalue().count("enqueued test.every_minute") == 1
    assert RUNS == ["ran"]


def test_only_one_scheduler_runs_at_a_time(jobs, tmp_path):
    jobs.register("test.every_minute", f"{__name__}.record_run", every=MINUTE)
    with override_settings(VAR_DIR=tmp_path):
        with scheduler.single_instance():
            with pytest.raises(scheduler.AlreadyRunning), scheduler.single_instance():
                pass
            err = io.StringIO()
            call_command("scheduler", "--once", stdout=io.StringIO(), stderr=err)
            assert "another scheduler is running" in err.getvalue()
            assert RUNS == []
        # Released when the holder ends: the next one gets it.
        with scheduler.single_instance():
            pass


def test_a_job_that_cannot_be_enqueued_is_retried_at_the_next_tick(jobs):
    jobs.register("test.broken", "fuyuan.does_not_exist.task", every=datetime.timedelta(hours=1))
    jobs.register("test.fine", f"{__name__}.record_run", every=datetime.timedelta(hours=1))
    assert jobs.tick() == ["test.fine"]
    assert "test.broken" not in jobs.last_runs()


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker closes "old" connections between tasks, which on PostgreSQL ends the test's
# wrapping transaction: these tests commit for real.
worker_db = pytest.mark.django_db(transaction=True)


@worker_db
@override_settings(TASKS=DB_TASKS)
def test_task_left_running_by_a_killed_worker_is_picked_up_again(jobs):
    result = record_run.enqueue("after-reaping")
    # A worker claimed it and was killed (SIGKILL): the row says RUNNING forever.
    with time_machine.travel(datetime.datetime.now(tz=TZ) - datetime.timedelta(hours=2)):
        DBTaskResult.objects.get(pk=result.id).claim("worker-killed")
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.RUNNING and row.worker_ids == ["worker-killed"]
    # A live worker does not touch it ...
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w2", verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
    assert RUNS == []
    # ... until the reaper returns it to the queue.
    out = io.StringIO()
    call_command("reap_tasks", stdout=out)
    assert "requeued 1" in out.getvalue()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids, row.started_at) == (TaskResultStatus.READY, [], None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "w3", verbosity=0)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["w3"] and row.return_value == "after-reaping"
    assert RUNS == ["after-reaping"]


@worker_db
@override_settings(TASKS=DB_TASKS)
def test_reaper_leaves_recent_running_and_finished_tasks_alone(jobs):
    recent = record_run.enqueue("recent")
    DBTaskResult.objects.get(pk=recent.id).claim("worker-alive")
    done = record_run.enqueue("done")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.get(pk=done.id).status == TaskResultStatus.SUCCESSFUL
    assert scheduler.reap_stale_tasks(datetime.timedelta(minutes=30)) == 0
    assert DBTaskResult.objects.get(pk=recent.id).status == TaskResultStatus.RUNNING
