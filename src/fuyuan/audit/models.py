"""The audit trail: one row per user or security event, never updated or deleted. The chain
columns (`prev_hash`, `hash`) are filled by one sealer in `seq` order (audit.chain)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit trail cannot be changed or deleted."""


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")

    def _remove_archived(self, checkpoint: AuditArchive) -> int:
        """The one sanctioned removal (audit.archive): exactly the sealed entries `checkpoint`
        covers, once the archive file was written and verified and the checkpoint row saved
        (in the same transaction). Refused for anything else: an unsaved checkpoint, or a
        range whose live entries are not exactly the ones archived."""
        if checkpoint.pk is None or not AuditArchive.objects.filter(pk=checkpoint.pk).exists():
            raise AppendOnlyError("entries leave the table only under a saved checkpoint")
        rows = self.filter(seq__gte=checkpoint.first_seq, seq__lte=checkpoint.last_seq)
        if rows.filter(hash="").exists() or rows.count() != checkpoint.count:
            raise AppendOnlyError("only the sealed entries a checkpoint covers can be removed")
        return int(models.QuerySet._raw_delete(rows, rows.db))  # type: ignore[attr-defined]

    def _seal(self, **kwargs: Any) -> int:
        """Only the sealer fills the chain columns of unsealed rows."""
        if set(kwargs) - {"prev_hash", "hash"}:
            raise AppendOnlyError("only the chain columns can be sealed")
        return models.QuerySet.update(self.filter(hash=""), **kwargs)

    def visible_to(self, user: Any) -> AuditQuerySet:
        from fuyuan.accounts.models import Role

        if user.is_authenticated and user.has_role(Role.AUDIT_ADMIN):
            return self.all()
        return self.none()


class AuditEntry(models.Model):
    """One audited event: who did what to which object, when, with what outcome, and the
    object's fields before and after (personal fields redacted)."""

    seq = models.BigAutoField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=60, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_kind = models.CharField(_("object kind"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    detail = models.JSONField(_("detail"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_kind", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")


class ArchiveQuerySet(models.QuerySet["AuditArchive"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit archive checkpoints are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit archive checkpoints are append-only")


class AuditArchive(models.Model):
    """A checkpoint of the chain: the sealed entries `first_seq`…`last_seq` were moved to an
    archive file (JSON lines, gzip) under VAR_DIR/audit-archive/, written and verified before
    they left the table. `last_hash` is where the live chain continues; `file_sm3` the SM3 of
    the file as written. Rows are only ever added."""

    created_at = models.DateTimeField(_("archived at"))
    first_seq = models.BigIntegerField(_("first entry"), unique=True)
    last_seq = models.BigIntegerField(_("last entry"), unique=True)
    first_prev_hash = models.CharField(_("hash before the first entry"), max_length=64)
    last_hash = models.CharField(_("hash of the last entry"), max_length=64)
    count = models.PositiveIntegerField(_("entries"))
    first_at = models.DateTimeField(_("oldest entry time"))
    last_at = models.DateTimeField(_("newest entry time"))
    file_name = models.CharField(_("file"), max_length=200, unique=True)
    file_sm3 = models.CharField(_("file SM3"), max_length=64)
    file_size = models.BigIntegerField(_("file size (bytes)"))

    objects = ArchiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["-last_seq"]

    def __str__(self) -> str:
        return f"#{self.first_seq}–#{self.last_seq} {self.file_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit archive checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit archive checkpoints are append-only")
