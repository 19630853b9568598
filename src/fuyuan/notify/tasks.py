"""Background tasks of the notify app: send what the outbox holds."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from .delivery import deliver_pending


@task()
def deliver_notifications(limit: int = 200) -> dict[str, int]:
    return deliver_pending(limit).as_dict()


def kick_delivery() -> None:
    """Ask a worker to deliver soon after the current transaction commits (manual urging);
    the scheduler's periodic job delivers anyway."""
    transaction.on_commit(lambda: deliver_notifications.enqueue(), robust=True)
