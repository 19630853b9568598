"""Files that crossed the gateway: what the worker found in a feed's inbox folder, and the
signed export packages the platform wrote to the outbox (docs/api.md, "File drop" and
"Export packages")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel


class PackageState(models.TextChoices):
    QUEUED = "queued", _("Queued for the worker")
    WRITTEN = "written", _("Written to the outbox")
    FAILED = "failed", _("Failed")


def _is_system_admin(user: Any) -> bool:
    from fuyuan.accounts.models import Role

    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.SYSTEM_ADMIN))


class ExportPackageQuerySet(models.QuerySet["ExportPackage"]):
    def visible_to(self, user: Any) -> ExportPackageQuerySet:
        """Who asked for it, the people of the recipient unit and of the grant's provider;
        the system administrator sees every package (not its rows)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_system_admin(user):
            return self
        from .access import acting_unit_ids

        ids = sorted(acting_unit_ids(user))
        return self.filter(
            Q(created_by=user) | Q(recipient_unit_id__in=ids) | Q(grant__provider_unit_id__in=ids)
        )


class ExportPackage(BaseModel):
    """A signed export package written to the outbox for a unit to collect through the
    gateway: the dataset's rows under a filter (as the API would list them for the person who
    asked), and a manifest with the hashes, signed."""

    dataset = models.CharField(_("dataset"), max_length=60)
    recipient_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey(
        "exchange.AccessGrant",
        verbose_name=_("access grant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
    )
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    # Relative to FUYUAN_EXCHANGE_ROOT: outbox/<recipient>/<dataset>-<time>-<id>/
    folder = models.CharField(_("folder"), max_length=300, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    sha256 = models.CharField(_("SHA-256 of the rows file"), max_length=64, blank=True)
    personal_revealed = models.BooleanField(_("personal fields in clear"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=PackageState.choices, default=PackageState.QUEUED
    )
    written_at = models.DateTimeField(_("written at"), null=True, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ExportPackageQuerySet.as_manager()

    class Meta:
        verbose_name = _("export package")
        verbose_name_plural = _("export packages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.folder or f"{self.dataset} #{self.pk}"


class DropState(models.TextChoices):
    WAITING = "waiting", _("Waiting (file incomplete)")
    IMPORTING = "importing", _("Being imported")
    DONE = "done", _("Imported")
    DUPLICATE = "duplicate", _("Already received")
    FAILED = "failed", _("Failed")


# A file (feed, SHA-256) is imported once: at most one drop being imported or done. Failed
# drops do not count, so the gateway may deliver a corrected setup's file again.
ONCE_STATES = (DropState.IMPORTING, DropState.DONE)


class DroppedFileQuerySet(models.QuerySet["DroppedFile"]):
    def visible_to(self, user: Any) -> DroppedFileQuerySet:
        """The system administrator sees every drop; others the drops of the feeds they may
        import (as for import batches)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_system_admin(user):
            return self
        from fuyuan.core.importing import feeds

        return self.filter(feed__in=[f.name for f in feeds() if f.may_import(user)])


class DroppedFile(BaseModel):
    """A file the gateway put in a feed's inbox folder, as the worker found it: picked up once
    (unique by feed and file hash while being imported or done), the system client that sent
    it, the import batch it became, the receipt written next to it and where it was moved."""

    feed = models.CharField(_("import"), max_length=80)
    name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=DropState.choices)
    client = models.ForeignKey(
        "exchange.ApiClient",
        verbose_name=_("system client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("code"), max_length=60, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    receipt = models.JSONField(_("receipt"), default=dict, blank=True)
    # Relative to FUYUAN_EXCHANGE_ROOT, e.g. inbox/litigation.cases/done/cases.csv
    location = models.CharField(_("moved to"), max_length=400, blank=True)

    objects = DroppedFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("dropped file")
        verbose_name_plural = _("dropped files")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "sha256"],
                condition=Q(state__in=["importing", "done"]),
                name="droppedfile_once_per_feed",
            )
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="droppedfile_state")]

    def __str__(self) -> str:
        return self.name
