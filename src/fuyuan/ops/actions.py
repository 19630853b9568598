"""Audited writes of the ops app: the record of a backup or a restore, and re-queuing a failed
background task."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry, Outcome
from fuyuan.audit.record import record


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without passwd entry)
        return ""


def record_backup(
    archive: str, *, outcome: str = Outcome.SUCCESS, detail: dict[str, Any]
) -> AuditEntry:
    """One entry per `fuyuan backup` run (the command has no signed-in actor: the operating
    system account is in the detail)."""
    with transaction.atomic():
        return record(
            None,
            "ops.backup",
            object_kind="ops.backup",
            object_id=Path(archive).name[:40],
            object_repr=archive[-200:],
            outcome=outcome,
            detail={**detail, "os_user": _os_user()},
        )


def record_restore(
    archive: str, *, outcome: str = Outcome.SUCCESS, detail: dict[str, Any]
) -> AuditEntry:
    """One entry per `fuyuan restore` run, written into the restored database after the
    verification (so the counts compared are the archive's own)."""
    with transaction.atomic():
        return record(
            None,
            "ops.restore",
            object_kind="ops.restore",
            object_id=Path(archive).name[:40],
            object_repr=archive[-200:],
            outcome=outcome,
            detail={**detail, "os_user": _os_user()},
        )


def may_manage_queue(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SYSTEM_ADMIN))


def requeue_failed_task(actor: Any, task_id: Any) -> Any:
    """Put a failed task back in the queue (READY, run as soon as a worker is free). Only the
    system administrator; only a task that failed and whose code still exists. Every task of
    the platform is idempotent, so a second run is safe. The failure (exception and its last
    line) stays in the audit entry's `before`."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not may_manage_queue(actor):
        raise PermissionDenied("ops.requeue")
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
        if row is None or row.status != TaskResultStatus.FAILED:
            raise ValidationError(
                _("Only a failed task can be queued again; this one is not failed (any more)."),
                code="ops.not_failed",
            )
        try:
            import_string(row.task_path)
        except ImportError as exc:
            raise ValidationError(
                _("The task's code no longer exists in this version; it cannot run again."),
                code="ops.task_gone",
            ) from exc
        before = {
            "status": row.status,
            "task_path": row.task_path,
            "queue_name": row.queue_name,
            "enqueued_at": row.enqueued_at,
            "finished_at": row.finished_at,
            "worker_ids": row.worker_ids,
            "exception_class_path": row.exception_class_path,
            "error": last_line(row.traceback),
        }
        DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            started_at=None,
            finished_at=None,
            run_after=get_date_max(),
            exception_class_path="",
            traceback="",
            return_value=None,
        )
        record(
            actor,
            "ops.task.requeue",
            object_kind="django_tasks_db.dbtaskresult",
            object_id=str(row.pk),
            object_repr=row.task_path[-200:],
            before=before,
            after={"status": TaskResultStatus.READY, "requeued_at": timezone.now()},
        )
    return row


def last_line(traceback: str, limit: int = 300) -> str:
    """The exception line of a traceback (its last non-empty line), shortened."""
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""
