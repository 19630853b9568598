"""Authorization matrix rows of the ops app."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only


def failed_task(w: Any) -> dict[str, Any]:
    """A failed background task (one per matrix world)."""
    from django.utils import timezone
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    row = DBTaskResult.objects.filter(task_path="fuyuan.ops.tasks.worker_heartbeat").first()
    if row is None:
        row = DBTaskResult.objects.create(
            status=TaskResultStatus.FAILED,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="fuyuan.ops.tasks.worker_heartbeat",
            backend_name="default",
            run_after=get_date_max(),
            finished_at=timezone.now(),
            exception_class_path="builtins.RuntimeError",
            traceback="RuntimeError: matrix",
        )
    return {"pk": row.pk}


OPS_CASES: list[Case] = [
    # Load balancers and monitoring call these without signing in.
    Case("ops:health", expect(200, anonymous=200)),
    Case("ops:health", expect(405, anonymous=405), variant="POST", method="post"),
    # The web node's own checks (the scheduler's and worker's heartbeats depend on other tests'
    # leftovers in the cache table; tests/ops cover them).
    Case(
        "ops:ready",
        expect(200, anonymous=200),
        query=lambda w: "checks=database,migrations",
    ),
    Case("ops:queue", only(["system_admin"])),
    Case("ops:requeue", only(["system_admin"], ok=302), method="post", kwargs=failed_task),
    Case("ops:requeue", expect(405), variant="GET", kwargs=failed_task),
]
