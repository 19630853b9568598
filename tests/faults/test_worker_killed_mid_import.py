"""Fault: the worker is killed with SIGKILL in the middle of a bulk import.

A system client's push of the debtor list (10,000 rows, NDJSON) is a batch "queued" that the
worker imports through `exchange.tasks.process_import` → `core.importing.process`: every row
in ONE transaction (PostgreSQL COPY in chunks of 1,000). A real `fuyuan db_worker` process is
SIGKILLed once it has written rows into that open transaction. Then: no row of the batch is
stored (all or nothing), the batch is still "queued" and its task still "running" with the
dead worker's id; `fuyuan reap_tasks` puts the task back in the queue, a second worker runs
it, and afterwards every row exists exactly once, the batch is "imported" with the right
counts and one audit entry — and running the task yet again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.enforcement.importers import DEBTORS_FEED
from fuyuan.enforcement.models import DebtorRecord
from fuyuan.enforcement.samples import bulk
from fuyuan.exchange.tasks import process_import

from .processes import FUYUAN, child_env, children, wait_for

ROWS = 10_000
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _rows_being_written_by_another_session() -> bool:
    """The worker's open transaction holds the lock a COPY/INSERT into the debtor table
    takes: rows are written but not committed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND granted"
            " AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()",
            [DebtorRecord._meta.db_table],
        )
        return bool(cursor.fetchone()[0])


def _batch_is_free(pk: int) -> bool:
    """True once no session holds the batch's row lock (the dead worker's session ended)."""
    try:
        with transaction.atomic():
            ImportBatch.objects.select_for_update(nowait=True).get(pk=pk)
    except OperationalError:
        return False
    return True


def _audit_entries(batch: ImportBatch) -> int:
    return AuditEntry.objects.filter(
        action=f"import.{DEBTORS_FEED}", object_id=str(batch.pk)
    ).count()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_worker_killed_mid_import_leaves_nothing_half_done_and_the_import_is_rerun(
    world, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"  # the children read the batch's file here
    env = child_env(FUYUAN_VAR_DIR=str(tmp_path))
    out = io.BytesIO()
    bulk.write_ndjson(out, ROWS)
    batch, created = importing.submit(
        DEBTORS_FEED,
        SimpleUploadedFile("debtors.ndjson", out.getvalue()),
        world.users["court_staff"],
        batch_id="fault-sigkill-1",
    )
    assert created and batch.state == ImportState.QUEUED
    result = process_import.enqueue(batch.pk)

    with children() as start:
        doomed = start(
            [*FUYUAN, "db_worker", "--no-reload", "--no-startup-delay", "--worker-id", "doomed"],
            env,
            tmp_path / "doomed.log",
        )
        # Mid-batch: the task is running and the worker's transaction has written rows.
        assert wait_for(_rows_being_written_by_another_session, 60, step=0.05), (
            "the worker never started writing rows\n" + doomed.output()
        )
        doomed.kill()  # at once: the rows are in the worker's open transaction
        assert doomed.process.returncode == -9

        # The server ends the dead worker's session and rolls its transaction back.
        assert wait_for(lambda: _batch_is_free(batch.pk), 30)
        assert not _rows_being_written_by_another_session()
        batch.refresh_from_db()
        assert DebtorRecord.objects.count() == 0, "a partial import was committed"
        assert (batch.state, batch.total_rows, batch.created_rows) == (ImportState.QUEUED, 0, 0)
        assert batch.issues.count() == 0 and _audit_entries(batch) == 0
        task_row = DBTaskResult.objects.get(pk=result.id)
        assert (task_row.status, task_row.worker_ids) == (TaskResultStatus.RUNNING, ["doomed"])

        # The reaper (the real command) puts the task back in the queue …
        reaper = start([*FUYUAN, "reap_tasks", "--older-than", "0"], env, tmp_path / "reap.log")
        assert reaper.process.wait(timeout=60) == 0, reaper.output()
        assert "requeued 1 stale task(s)" in reaper.output()
        task_row.refresh_from_db()
        assert (task_row.status, task_row.worker_ids) == (TaskResultStatus.READY, [])

        # … and another worker runs it to the end.
        rescuer = start(
            [*FUYUAN, "db_worker", "--batch", "--no-startup-delay", "--worker-id", "rescuer"],
            env,
            tmp_path / "rescuer.log",
        )
        assert rescuer.process.wait(timeout=120) == 0, rescuer.output()

    task_row.refresh_from_db()
    assert task_row.status == TaskResultStatus.SUCCESSFUL, rescuer.output()
    assert (task_row.worker_ids, task_row.return_value) == (["rescuer"], ImportState.IMPORTED)
    batch.refresh_from_db()
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert (batch.total_rows, batch.ok_rows, batch.error_rows) == (ROWS, ROWS, 0)
    assert (batch.created_rows, batch.updated_rows) == (ROWS, 0)
    # Every row once: as many rows as the file has, no row key twice.
    assert DebtorRecord.objects.count() == ROWS
    assert DebtorRecord.objects.values("row_key").distinct().count() == ROWS
    wanted = {r["caseCode"] for r in bulk.debtors(ROWS)}
    assert set(DebtorRecord.objects.values_list("case_number", flat=True)) == wanted
    assert _audit_entries(batch) == 1

    # Run once more (a second reaping, a duplicate enqueue): nothing changes.
    assert process_import.call(batch.pk) == ImportState.IMPORTED
    assert DebtorRecord.objects.count() == ROWS and _audit_entries(batch) == 1
