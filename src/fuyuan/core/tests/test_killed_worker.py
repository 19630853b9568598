"""A worker process killed with SIGKILL in the middle of a task leaves the task RUNNING; the
reaper puts it back in the queue and another worker finishes it (a real process, a real kill,
on PostgreSQL where a second process can see the test database)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fuyuan.core import scheduler
from fuyuan.testing import nap_once

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_task_of_a_worker_killed_with_sigkill_is_finished_by_another(tmp_path):
    flag = tmp_path / "started"
    result = nap_once.enqueue(str(flag))
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(
        DEBUG="1",
        FUYUAN_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        FUYUAN_DATA_KEYS="1:00112233445566778899aabbccddeeff",
        FUYUAN_INDEX_KEY="0f" * 32,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fuyuan",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--worker-id",
            "doomed",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(flag.exists, 60), "the worker never started the task"
        assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    # Killed mid-task: nobody will ever mark it finished.
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.RUNNING, ["doomed"])
    assert scheduler.reap_stale_tasks(stale_after=__import__("datetime").timedelta(0)) == 1
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--worker-id", "rescuer", verbosity=0
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["rescuer"] and row.return_value == "done"
