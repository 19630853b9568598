"""Bulk update of progress from a spreadsheet (DOMAIN.md §9: progress typed item by item is
never kept up). `parse_upload` reads a filled sheet into a preview — what each row changes and
every row's error — without writing; `apply_bulk_update` applies the good rows in one
transaction, re-checking each matter's version, and writes one audit entry for the batch."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.permissions import can, scope_for
from fuyuan.audit.record import record

from . import deadlines
from .actions import add_timeline
from .exports import BULK_ID, BULK_NOTE, BULK_PERCENT, BULK_PROGRESS, BULK_TITLE, BULK_VERSION
from .models import Feedback, FeedbackCadence, FeedbackStatus, Matter, Milestone
from .queries import latest_feedback_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_TEXT = 4000
HEADER_SEARCH_ROWS = 10
REQUIRED_HEADERS = (BULK_ID, BULK_VERSION, BULK_PROGRESS)


class BulkFileError(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, no header row, too large)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass
class RowIssue:
    """A row that will not be applied: an error, a stale row, or an empty row skipped."""

    row: int
    code: str
    message: str
    matter_id: int | None = None
    title: str = ""


@dataclass
class RowChange:
    """A good row: the progress report it will add and what it changes on the matter."""

    row: int
    matter_id: int
    version: int
    title: str
    old_text: str
    new_text: str
    old_percent: int
    new_percent: int | None
    # False when progress derives from milestones or sub-matters: the percentage is kept on
    # the report only (ARCHITECTURE rule 7: a typed percentage is the fallback).
    percent_applies: bool = True


@dataclass
class Preview:
    file_hash: str
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    stale: list[RowIssue] = field(default_factory=list)
    skipped: list[RowIssue] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        return cls(
            file_hash=data["file_hash"],
            changes=[RowChange(**c) for c in data.get("changes", [])],
            errors=[RowIssue(**e) for e in data.get("errors", [])],
            stale=[RowIssue(**e) for e in data.get("stale", [])],
            skipped=[RowIssue(**e) for e in data.get("skipped", [])],
        )


@dataclass
class BulkResult:
    applied: list[int] = field(default_factory=list)
    stale: list[RowIssue] = field(default_factory=list)


def may_bulk_update(user: Any) -> bool:
    """Liaison officers and court staff fill in the matters their units lead."""
    return bool(scope_for(user).unit_ids)


# --- reading the sheet -------------------------------------------------------------------------
def _norm(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)).lower() if value is not None else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value).strip()


def _int(value: Any) -> int | None:
    """An integer cell: 12, 12.0 or "12"; None when it is anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value)
    return int(text) if re.fullmatch(r"\d+", text) else None


def _percent(value: Any) -> tuple[int | None, bool]:
    """(percentage, valid). An empty cell is (None, True); "50", 50, 50.0, "50%" are 50."""
    if value is None or _text(value) == "":
        return None, True
    if isinstance(value, float) and 0 < value < 1 and not value.is_integer():
        value = value * 100  # a cell formatted as a percentage stores 0.5 for 50%
        if not round(value, 6).is_integer():
            return None, False
        value = round(value)
    number = _int(_text(value).rstrip("%").strip()) if isinstance(value, str) else _int(value)
    if number is None or not 0 <= number <= 100:
        return None, False
    return number, True


def _grid(data: bytes) -> list[list[Any]]:
    """The first sheet's values, with every merged range's first value copied into all its
    cells (offices merge cells freely)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BulkFileError(
            "bulk.unreadable", _("The file is not an Excel workbook (.xlsx) that can be read.")
        ) from exc
    ws = wb.worksheets[0]
    if ws.max_row > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise BulkFileError(
            "bulk.too_many_rows",
            _("The sheet has more than %(n)s rows; split it into several files.") % {"n": MAX_ROWS},
        )
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        first = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                grid[r][c] = first
    return grid


def _header(grid: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The header row among the first rows (title rows above it are allowed) and the column
    of each known header text, in whatever order the columns were put."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            columns.setdefault(_norm(value), col)
        if all(h in columns for h in REQUIRED_HEADERS):
            return index, columns
    raise BulkFileError(
        "bulk.no_header",
        _("No header row with the columns %(columns)s was found in the first %(n)s rows.")
        % {"columns": "、".join(REQUIRED_HEADERS), "n": HEADER_SEARCH_ROWS},
    )


def parse_upload(user: Any, data: bytes) -> Preview:
    """Read a filled bulk-update sheet into a preview. Nothing is written."""
    if len(data) > MAX_BYTES:
        raise BulkFileError("bulk.too_large", _("The file is larger than 5 MB."))
    preview = Preview(file_hash=hashlib.sha256(data).hexdigest())
    grid = _grid(data)
    header_index, columns = _header(grid)

    def cell(row: list[Any], name: str) -> Any:
        col = columns.get(name)
        return row[col] if col is not None and col < len(row) else None

    parsed: list[dict[str, Any]] = []
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        number = index + 1  # the row number Excel shows
        if all(_text(v) == "" for v in row):
            continue
        raw_id = cell(row, BULK_ID)
        if _norm(raw_id) == BULK_ID:
            continue  # a repeated header (a header merged over two rows)
        title = _text(cell(row, BULK_TITLE))[:200]
        text = _text(cell(row, BULK_PROGRESS))[:MAX_TEXT]
        note = _text(cell(row, BULK_NOTE))[:MAX_TEXT]
        raw_percent = cell(row, BULK_PERCENT)
        matter_id = _int(raw_id)
        if not text and not note and _text(raw_percent) == "":
            preview.skipped.append(
                RowIssue(
                    number, "bulk.empty", _("Nothing filled in: row skipped."), matter_id, title
                )
            )
            continue
        if matter_id is None:
            preview.errors.append(
                RowIssue(
                    number,
                    "bulk.unknown_id",
                    _("The row has no valid matter id (hidden column “id”)."),
                    None,
                    title,
                )
            )
            continue
        percent, percent_ok = _percent(raw_percent)
        if not percent_ok:
            preview.errors.append(
                RowIssue(
                    number,
                    "bulk.percent_invalid",
                    _("The percentage must be a whole number from 0 to 100."),
                    matter_id,
                    title,
                )
            )
            continue
        parsed.append(
            {
                "row": number,
                "id": matter_id,
                "version": _int(cell(row, BULK_VERSION)),
                "title": title,
                "text": text,
                "note": note,
                "percent": percent,
            }
        )

    ids = sorted({p["id"] for p in parsed})
    matters = {
        m.pk: m
        for m in Matter.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("lead_unit", "mechanism")
        .annotate(
            latest_progress=latest_feedback_text(),
            has_milestones=Exists(Milestone.objects.filter(matter=OuterRef("pk"))),
            has_children=Exists(Matter.objects.filter(parent=OuterRef("pk"))),
        )
    }
    seen: set[int] = set()
    for p in parsed:
        matter = matters.get(p["id"])
        title = matter.title if matter is not None else p["title"]
        issue = (p["row"], p["id"], title)
        if p["id"] in seen:
            preview.errors.append(
                RowIssue(
                    p["row"],
                    "bulk.duplicate",
                    _("This matter appears on an earlier row of the file."),
                    p["id"],
                    title,
                )
            )
            continue
        seen.add(p["id"])
        if matter is None:
            preview.errors.append(
                RowIssue(
                    p["row"],
                    "bulk.unknown_id",
                    _("No matter with id %(id)s is visible to you.") % {"id": p["id"]},
                    p["id"],
                    title,
                )
            )
            continue
        if not can(user, "feedback", matter):
            preview.errors.append(
                RowIssue(
                    p["row"],
                    "bulk.not_yours",
                    _("Your unit does not report on this matter in its current state."),
                    *issue[1:],
                )
            )
            continue
        if p["version"] is None or p["version"] != matter.version:
            preview.stale.append(
                RowIssue(
                    p["row"],
                    "bulk.stale",
                    _(
                        "The matter was changed after the file was downloaded: download a "
                        "new file and fill this row again."
                    ),
                    *issue[1:],
                )
            )
            continue
        new_text = p["text"]
        if p["note"]:
            new_text = (new_text + "\n" if new_text else "") + _("Note: %(note)s") % {
                "note": p["note"]
            }
        preview.changes.append(
            RowChange(
                row=p["row"],
                matter_id=matter.pk,
                version=matter.version,
                title=matter.title,
                old_text=matter.latest_progress or "",  # type: ignore[attr-defined]
                new_text=new_text,
                old_percent=matter.progress,
                new_percent=p["percent"],
                percent_applies=not (matter.has_milestones or matter.has_children),  # type: ignore[attr-defined]
            )
        )
    return preview


# --- applying ------------------------------------------------------------------------------------
def apply_bulk_update(actor: Any, preview: Preview) -> BulkResult:
    """Apply the preview's good rows in one transaction. Each matter is locked and its version
    checked again: a row whose matter changed since the preview is reported stale and left
    alone. One audit entry for the batch (file hash and counts); one timeline entry per matter."""
    if not may_bulk_update(actor):
        raise PermissionDenied("matters.bulk_update")
    result = BulkResult()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        for change in preview.changes:
            matter = (
                Matter.objects.visible_to(actor)
                .select_for_update()
                .filter(pk=change.matter_id)
                .first()
            )
            if (
                matter is None
                or matter.version != change.version
                or not can(actor, "feedback", matter)
            ):
                result.stale.append(
                    RowIssue(
                        change.row,
                        "bulk.stale",
                        _("The matter was changed after the preview; the row was not applied."),
                        change.matter_id,
                        change.title,
                    )
                )
                continue
            milestones = list(matter.milestones.all())
            Feedback.objects.create(
                matter=matter,
                unit=matter.lead_unit,
                author=actor,
                text=change.new_text,
                progress=change.new_percent,
                status=FeedbackStatus.SUBMITTED,
                due_date=matter.next_feedback_due,
                submitted_at=now,
            )
            fields = []
            derived = bool(milestones) or matter.children.exists()
            if change.new_percent is not None and not derived:
                matter.progress_typed = change.new_percent
                matter.progress = change.new_percent
                fields += ["progress_typed", "progress"]
            if matter.feedback_cadence != FeedbackCadence.NONE:
                matter.next_feedback_due = deadlines.next_report_due(
                    matter.feedback_cadence,
                    today,
                    day_of_month=matter.feedback_day,
                    milestones=milestones,
                    deadline=matter.deadline,
                )
                fields.append("next_feedback_due")
            matter.save_checked(change.version, fields=fields or ["updated_at"])
            add_timeline(
                matter,
                actor,
                "feedback",
                text=change.new_text,
                detail={
                    "bulk": preview.file_hash,
                    "progress": change.new_percent,
                    "row": change.row,
                },
            )
            result.applied.append(matter.pk)
        record(
            actor,
            "matters.bulk_update",
            object_kind="matters.bulk",
            object_id=preview.file_hash[:40],
            object_repr=_("Bulk progress update"),
            detail={
                "file_hash": preview.file_hash,
                "applied": len(result.applied),
                "applied_ids": result.applied,
                "stale": len(preview.stale) + len(result.stale),
                "errors": len(preview.errors),
                "skipped": len(preview.skipped),
            },
        )
    return result
