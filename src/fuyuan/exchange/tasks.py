"""Background tasks of the exchange app (django-tasks): import a pushed batch, scan the inbox,
write an export package. Each is idempotent — the batch, the drop claim and the package row
say what is already done — so the reaper may run one again."""

from __future__ import annotations

from django_tasks import task


@task()
def process_import(batch_pk: int) -> str:
    """Import a batch pushed through the API (queued by `push_api`); returns its state."""
    from fuyuan.core import importing
    from fuyuan.core.models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        return "missing"
    return str(importing.process(batch).state)


@task()
def scan_inbox() -> dict[str, int]:
    """One scan of the file-drop inbox (the periodic job `exchange.scan_inbox`)."""
    from .drop import scan

    return scan().counts()


@task()
def write_package(package_pk: int) -> str:
    """Write a queued export package to the outbox; returns its state."""
    from .packages import write
    from .transfer_models import ExportPackage

    package = ExportPackage.objects.filter(pk=package_pk).first()
    if package is None:
        return "missing"
    return str(write(package).state)
