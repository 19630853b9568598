"""Reads of the notify app: a user's own inbox only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import InboxMessage


def inbox_of(user: Any) -> QuerySet[InboxMessage]:
    """The inbox is personal: nobody, whatever their role, reads another user's messages."""
    if user is None or not user.is_authenticated:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count()
