"""Notifications: what a user reads in the platform (InboxMessage), what is queued for a
channel (OutboxMessage, unique per subject, kind, due date, recipient and channel so a retry
never sends twice) and every attempt to deliver it (DeliveryAttempt)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("Work messenger")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DEFERRED = "deferred", _("Held back (do not disturb)")


class InboxMessage(models.Model):
    """A message in a user's in-app inbox; the header shows the unread count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="inbox",
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    ref_kind = models.CharField(_("about (kind)"), max_length=40, blank=True)
    ref_id = models.BigIntegerField(_("about (id)"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """A notification queued for one channel and recipient. The unique key makes queuing
    idempotent: the reminder job may run twice, or on two workers, and still sends once."""

    ref_kind = models.CharField(_("about (kind)"), max_length=40)
    ref_id = models.BigIntegerField(_("about (id)"))
    kind = models.CharField(_("kind"), max_length=40)
    due_date = models.DateField(_("due date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    recipient_key = models.CharField(_("recipient key"), max_length=220)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutboxStatus.choices,
        default=OutboxStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"))
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ref_kind", "ref_id", "kind", "due_date", "recipient_key", "channel"],
                name="notify_outbox_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_key}: {self.subject}"


class DeliveryAttempt(models.Model):
    """One try to deliver an outbox message, with what the channel answered."""

    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="delivery_attempts",
    )
    at = models.DateTimeField(_("time"))
    ok = models.BooleanField(_("delivered"))
    response = models.TextField(_("channel response"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message", "at"]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'failed'}"
