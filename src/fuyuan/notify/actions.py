"""Writes of the notify app: marking inbox messages read. These change only the user's own
reading state, not a domain record, so they are not audited (a row per click would bury the
trail); the permission is ownership, enforced by fetching through `queries.inbox_of`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import InboxMessage
from .queries import inbox_of


def mark_read(user: Any, message: InboxMessage) -> None:
    if message.user_id != user.pk:
        raise InboxMessage.DoesNotExist
    if message.read_at is None:
        message.read_at = timezone.now()
        InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=message.read_at
        )


@transaction.atomic
def mark_all_read(user: Any) -> int:
    return inbox_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
