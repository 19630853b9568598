"""Base model classes shared by every app: Python-side timestamps and optimistic locking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaleObjectError(Exception):
    """Raised when a row changed since the form or spreadsheet row that edits it was read."""

    def __init__(self, obj: models.Model) -> None:
        self.obj = obj
        super().__init__(
            _("This record was changed by someone else after you opened it. Reload and try again.")
        )


class BaseModel(models.Model):
    """Every domain model: created/updated set in Python (frozen-time tests see them) and a
    `version` column so a stale edit is reported instead of silently overwriting."""

    created_at = models.DateTimeField(_("created at"), editable=False)
    updated_at = models.DateTimeField(_("updated at"), editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        now = timezone.now()
        if self.created_at is None:
            self.created_at = now
        self.updated_at = now
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        super().save(*args, **kwargs)

    def save_checked(self, expected_version: int, fields: list[str] | None = None) -> None:
        """Save only if the stored version is still `expected_version`; bump the version.

        The check and the write are one UPDATE ... WHERE version = %s, so two editors racing
        cannot both win, on SQLite and PostgreSQL alike.
        """
        self.updated_at = timezone.now()
        wanted = set(fields) if fields else None
        values: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.primary_key or field.attname in {"version", "created_at"}:
                continue
            if wanted is not None and field.name not in wanted and field.attname not in wanted:
                continue
            values[field.attname] = field.pre_save(self, add=False)
        values["updated_at"] = self.updated_at
        values["version"] = F("version") + 1
        updated = (
            type(self)._base_manager.filter(pk=self.pk, version=expected_version).update(**values)
        )
        if updated != 1:
            raise StaleObjectError(self)
        self.version = expected_version + 1


class StoredFile(BaseModel):
    """An uploaded file kept with a record: its stored name, content type (judged by the
    content, not the extension), size and uploader. Subclasses declare `file` with their own
    upload folder and the record they belong to."""

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (no work)")
    WORKDAY = "workday", _("Working day moved to a weekend (调休)")


class CalendarYear(BaseModel):
    """A year whose holiday arrangement is known. Working-day arithmetic refuses a year that
    is not here rather than guessing (the State Council publishes next year's each autumn)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=60)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(BaseModel):
    """An exception to the Monday–Friday week: a public holiday on a weekday, or a weekend day
    that is worked (调休). Editable by the office; seeded from the chinesecalendar package."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class SearchEntry(models.Model):
    """One row of the search index: a record's words (jieba cut_for_search) with the columns
    that scope it, so a keyword search applies the reader's scope inside SQL."""

    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255)
    unit_ids = models.CharField(_("unit ids"), max_length=500, blank=True)
    tokens = models.TextField(_("tokens"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_search_entry_unique")
        ]
        indexes = [models.Index(fields=["kind", "jurisdiction_path"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id}"


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued for the worker")
    PREVIEWED = "previewed", _("Previewed, waiting for confirmation")
    DUPLICATE_FILE = "duplicate_file", _("File already imported")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class ImportChannel(models.TextChoices):
    """How a file reached the importer: a person's upload page, a system client's push
    through the API, or the gateway's file drop."""

    UPLOAD = "upload", _("Uploaded on the page")
    PUSH = "push", _("Pushed through the API")
    DROP = "drop", _("Dropped through the gateway")


class IssueLevel(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("To confirm")
    DUPLICATE = "duplicate", _("Repeated row")


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def visible_to(self, user: Any) -> ImportBatchQuerySet:
        """The uploader, and whoever may import to the batch's feed when its batches are
        shared (Feed.shared_batches)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        from .importing import feeds  # the registry imports these models

        names = [feed.name for feed in feeds() if feed.shared_batches and feed.may_import(user)]
        return self.filter(models.Q(uploaded_by=user) | models.Q(feed__in=names))


class ImportBatch(BaseModel):
    """One file given to an importer feed (core.importing): stored with its sha256, checked
    row by row in a preview, then imported on confirmation — once per file and feed."""

    feed = models.CharField(_("import"), max_length=80, db_index=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    # Given by a system client pushing rows: the same id twice returns the first batch.
    batch_id = models.CharField(_("batch id"), max_length=100, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ImportChannel.choices, default=ImportChannel.UPLOAD
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=ImportState.choices,
        default=ImportState.PREVIEWED,
        db_index=True,
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same file as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    ok_rows = models.PositiveIntegerField(_("good rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    held_rows = models.PositiveIntegerField(_("rows to confirm"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("repeated rows"), default=0)
    created_rows = models.PositiveIntegerField(_("records created"), default=0)
    updated_rows = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("records unchanged"), default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_held = models.BooleanField(_("rows to confirm accepted"), default=False)
    held_reason = models.TextField(_("reason for accepting rows to confirm"), blank=True)
    # The file's headers and the column each was read as ("" = ignored), for the preview.
    header_map = models.JSONField(_("columns recognised"), default=dict, blank=True)
    failure = models.TextField(_("why the import failed"), blank=True)
    # The failure's message code (import.headers, import.encoding, import.store …) for the API.
    failure_code = models.CharField(_("failure code"), max_length=60, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "sha256"],
                condition=models.Q(state="imported"),
                name="core_import_batch_imported_once",
            ),
            models.UniqueConstraint(
                fields=["feed", "batch_id"],
                condition=~models.Q(batch_id=""),
                name="core_import_batch_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feed} · {self.name}"

    # --- permission hooks (accounts.permissions.can) -----------------------------------------
    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # callers fetch through visible_to(); being here means visible
        if action == "confirm":
            if self.state not in (ImportState.PREVIEWED, ImportState.FAILED):
                return False
            from django.contrib.auth import get_user_model

            from .importing import get

            user = get_user_model()._default_manager.filter(pk=scope.user_id).first()
            try:
                feed = get(self.feed)
            except KeyError:
                return False
            return user is not None and feed.may_import(user)
        return False

    @property
    def can_confirm(self) -> bool:
        return self.state in (ImportState.PREVIEWED, ImportState.FAILED)

    @property
    def good_rows(self) -> int:
        """Rows that a confirmation stores (without the rows held to confirm)."""
        return self.ok_rows


class ImportIssue(models.Model):
    """A row of an import batch that is refused (error), held for confirmation (warning),
    or repeats an earlier row's key (duplicate), with the row's cells as read."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="issues"
    )
    row_number = models.PositiveIntegerField(_("row"))
    row_key = models.CharField(_("row key"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=IssueLevel.choices)
    column = models.CharField(_("column"), max_length=60, blank=True)
    code = models.CharField(_("code"), max_length=60)
    message = models.TextField(_("message"))
    # [[header, text], …] in the file's order.
    raw = models.JSONField(_("cells"), default=list, blank=True)

    class Meta:
        verbose_name = _("import issue")
        verbose_name_plural = _("import issues")
        ordering = ["batch", "row_number", "pk"]
        indexes = [models.Index(fields=["batch", "level", "row_number"])]

    def __str__(self) -> str:
        return f"{self.batch_id} #{self.row_number} {self.code}"
