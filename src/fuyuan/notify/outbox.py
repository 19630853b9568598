"""Queuing notifications: one call puts a message in each recipient's inbox and in the outbox
of every other channel, idempotently (the outbox's unique key)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Channel, InboxMessage, OutboxMessage


def recipient_key(user: Any, address: str = "") -> str:
    return f"user:{user.pk}" if user is not None else f"addr:{address}"


def email_of(user: Any) -> str:
    """A user's e-mail is their person's (User has no address of its own). Phone numbers are
    not copied into the outbox: the SMS channel decrypts them when it sends."""
    person = getattr(user, "person", None)
    return getattr(person, "email", "") or getattr(user, "email", "") or ""


def notify(
    *,
    ref_kind: str,
    ref_id: int,
    kind: str,
    due_date: datetime.date,
    recipients: Iterable[Any],
    subject: str,
    body: str = "",
    url: str = "",
    channels: Iterable[str] = (Channel.INBOX, Channel.EMAIL),
) -> int:
    """Queue `kind` about (ref_kind, ref_id) for each recipient on each channel; a message
    already queued under the same key is left alone. Returns how many were newly queued.
    The inbox copy is written with the outbox row, so the unread count is immediate."""
    created = 0
    now = timezone.now()
    for user in {u.pk: u for u in recipients if u is not None}.values():
        for channel in channels:
            key = recipient_key(user)
            try:
                with transaction.atomic():
                    OutboxMessage.objects.create(
                        ref_kind=ref_kind,
                        ref_id=ref_id,
                        kind=kind,
                        due_date=due_date,
                        recipient=user,
                        recipient_key=key,
                        address=email_of(user) if channel == Channel.EMAIL else "",
                        channel=channel,
                        subject=subject,
                        body=body,
                        url=url,
                        created_at=now,
                        status="sent" if channel == Channel.INBOX else "pending",
                        sent_at=now if channel == Channel.INBOX else None,
                    )
                    if channel == Channel.INBOX:
                        InboxMessage.objects.create(
                            user=user,
                            created_at=now,
                            subject=subject,
                            body=body,
                            url=url,
                            ref_kind=ref_kind,
                            ref_id=ref_id,
                        )
            except IntegrityError:
                continue
            created += 1
    return created
