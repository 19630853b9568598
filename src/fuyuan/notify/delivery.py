"""Sending what the outbox holds: claim each due message atomically, hand it to its channel,
record the attempt, and mark it sent, retry later with backoff, hold it (do not disturb) or
give up after the last attempt.

The claim is one `UPDATE … WHERE pk = %s AND attempts = %s AND status IN (pending, deferred)
AND (not_before IS NULL OR not_before <= now)` that also moves `not_before` a lease ahead:
of two workers that read the same row, only one updates it; the other sees 0 rows and skips
it. A worker that dies while sending leaves the lease to expire, and the message is tried
again (at least once; the unique key already guarantees it was queued only once).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .channels import DeliveryResult, get_channel
from .models import Channel, DeliveryAttempt, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# How long a claimed message stays invisible to other workers while it is being sent.
LEASE = datetime.timedelta(minutes=5)
# Wait before the 2nd, 3rd, … attempt.
BACKOFF = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=10))


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


def due_messages(now: datetime.datetime, limit: int) -> list[tuple[int, int]]:
    """(pk, attempts) of messages to send now, oldest first."""
    rows = (
        OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.DEFERRED])
        .exclude(channel=Channel.INBOX)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", "attempts")[:limit]
    )
    return list(rows)


def claim(pk: int, attempts: int, now: datetime.datetime) -> bool:
    """Take the message for this worker; False when another worker took it first."""
    with transaction.atomic():
        taken = (
            OutboxMessage.objects.filter(
                pk=pk,
                attempts=attempts,
                status__in=[OutboxStatus.PENDING, OutboxStatus.DEFERRED],
            )
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .update(
                attempts=F("attempts") + 1,
                status=OutboxStatus.PENDING,
                not_before=now + LEASE,
            )
        )
    return taken == 1


def backoff(attempt: int) -> datetime.timedelta:
    return BACKOFF[min(attempt, len(BACKOFF)) - 1]


def deliver_one(message: OutboxMessage) -> DeliveryResult:
    """Send a claimed message and write the outcome."""
    try:
        result = get_channel(message.channel).send(message)
    except Exception as exc:  # any channel error is one failed attempt
        logger.warning("notify: %s %s failed: %r", message.channel, message.pk, exc)
        result = DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:2000])
    now = timezone.now()
    with transaction.atomic():
        if result.defer_until is not None:
            # Held back by the channel (do not disturb): not a delivery try.
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxStatus.DEFERRED,
                not_before=result.defer_until,
                attempts=F("attempts") - 1,
            )
            return result
        DeliveryAttempt.objects.create(
            message=message, at=now, ok=result.ok, response=result.response[:4000]
        )
        if result.ok:
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxStatus.SENT, sent_at=now, not_before=None
            )
        elif result.permanent or message.attempts >= settings.FUYUAN_NOTIFY_MAX_ATTEMPTS:
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxStatus.FAILED, not_before=None
            )
        else:
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=OutboxStatus.PENDING, not_before=now + backoff(message.attempts)
            )
    return result


def deliver_pending(limit: int = 200) -> DeliveryReport:
    """Send up to `limit` due messages. Run outside any transaction, so each claim is
    committed (and seen by other workers) before its message is sent."""
    report = DeliveryReport()
    now = timezone.now()
    for pk, attempts in due_messages(now, limit):
        if not claim(pk, attempts, now):
            report.skipped.append(pk)
            continue
        message = OutboxMessage.objects.select_related("recipient__person").get(pk=pk)
        result = deliver_one(message)
        if result.defer_until is not None:
            report.deferred.append(pk)
        elif result.ok:
            report.sent.append(pk)
        elif result.permanent or message.attempts >= settings.FUYUAN_NOTIFY_MAX_ATTEMPTS:
            report.failed.append(pk)
        else:
            report.retrying.append(pk)
    return report
