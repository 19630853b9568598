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
