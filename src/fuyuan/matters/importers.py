"""The matters' feed of the shared importer (`fuyuan.core.importing`): the progress sheet
(进展填报, feed "matters.progress"). A liaison officer or court staff downloads the sheet of
the unit's open matters from the ledger (`exports.bulk_workbook`), fills in progress, an
optional percentage and a note, and uploads it; the preview shows what each row changes and
every refused row; confirming stores the good rows in one transaction with one audit entry
(`import.matters.progress`, written by the importer).

Columns (matched by header text, in any order): 序号 · 事项 · 完成时限 · 进展情况 · 完成百分比 ·
备注 · id · version — the last two hidden in the download: the matter and the version it had
when the sheet was made, so a row edited elsewhere since is reported, never overwritten.

Rows:
- nothing filled in (no progress, percentage or note): skipped, counted "unchanged";
- `matters.unknown_matter`: no valid id, or no matter with that id visible to the user;
- `matters.not_permitted`: visible, but the user's unit does not report on it in its state
  (the same `can(user, "feedback", matter)` as the matter's page);
- `matters.stale`: the matter changed after the sheet was downloaded (checked again, with the
  rows locked, when the batch is confirmed);
- `matters.percent_invalid`: the percentage is not a whole number from 0 to 100;
- a later row for the same matter: `import.duplicate_row` (row key: the matter id).

Offices re-format the sheet freely (title rows above the header, merged cells): an uploaded
workbook goes through `sheet_for_import`, which finds the header row and fills merged cells
before the importer reads it.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.permissions import can
from fuyuan.core import importing
from fuyuan.core.importing import CellError, Column, Context, ImportFileError, Row, StoreResult
from fuyuan.core.models import ImportBatch

from . import bulk
from .exports import (
    BULK_DEADLINE,
    BULK_ID,
    BULK_NO,
    BULK_NOTE,
    BULK_PERCENT,
    BULK_PROGRESS,
    BULK_TITLE,
    BULK_VERSION,
)
from .models import Matter, Milestone
from .queries import latest_feedback_text

FEED = "matters.progress"

UNKNOWN_MATTER = "matters.unknown_matter"
NOT_PERMITTED = "matters.not_permitted"
STALE = "matters.stale"
PERCENT_INVALID = "matters.percent_invalid"
NO_HEADER = "matters.no_header"

MAX_TEXT = 4000
# A workbook up to this size is tidied (header row found, merged cells filled); a larger one
# is handed to the importer as it is (streamed; its header must be its first row).
TIDY_MAX_BYTES = 5 * 1024 * 1024
TIDY_MAX_EXPANDED = 100 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
HEADER_COLUMNS = ("id", "version", "progress")
# The preview lists at most this many changes (the importer checks every row regardless).
MAX_SHOWN = 2000


# --- cells --------------------------------------------------------------------------------------
def parse_percent(text: str) -> int:
    """50, "50%", 50.0, and 0.5 (a cell formatted as a percentage holds 0.5 for 50%)."""
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    has_sign = s.endswith("%")
    try:
        value = decimal.Decimal(s.rstrip("%"))
    except decimal.InvalidOperation:
        value = decimal.Decimal("NaN")
    if value.is_finite() and not has_sign and 0 < value < 1:
        value *= 100
    if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 100:
        raise CellError(PERCENT_INVALID, _("The percentage must be a whole number from 0 to 100."))
    return int(value)


def _whole(text: Any) -> int | None:
    """A whole number (12, "12", "12.0"); None for anything else."""
    if not text:
        return None
    try:
        return importing.parse_int(str(text))
    except CellError:
        return None


# --- the feed -------------------------------------------------------------------------------------
class ProgressFeed(importing.Feed):
    """The progress sheet of a unit's open matters (see the module docstring)."""

    name = FEED
    label = gettext_lazy("Bulk progress update")
    shared_batches = False  # a unit's sheet: its uploader's alone
    columns = (
        Column("no", gettext_lazy("No."), headers=(BULK_NO,)),
        Column("title", gettext_lazy("Matter"), headers=(BULK_TITLE,)),
        Column("deadline", gettext_lazy("Deadline"), headers=(BULK_DEADLINE,)),
        Column("progress", gettext_lazy("Progress made"), (BULK_PROGRESS,), max_length=MAX_TEXT),
        Column("percent", gettext_lazy("Percentage"), (BULK_PERCENT,), parse=parse_percent),
        Column("note", gettext_lazy("Note"), headers=(BULK_NOTE,), max_length=MAX_TEXT),
        Column("id", gettext_lazy("Matter id"), headers=(BULK_ID,)),
        Column("version", gettext_lazy("version"), headers=(BULK_VERSION,)),
    )

    def may_import(self, user: Any) -> bool:
        return bulk.may_bulk_update(user)

    def prepare(self, context: Context) -> None:
        """The matters the user sees, once per run (a unit's remit, not the file, bounds
        them); when confirming they are locked until the batch is stored, so the version
        checked here is still the one written."""
        rows = (
            Matter.objects.visible_to(context.actor)
            .select_related("lead_unit", "mechanism")
            .defer("description", "summary")
            .annotate(
                has_milestones=Exists(Milestone.objects.filter(matter=OuterRef("pk"))),
                has_children=Exists(Matter.objects.filter(parent=OuterRef("pk"))),
            )
        )
        if context.mode == "confirm":
            rows = rows.select_for_update(of=("self",))
        context.cache["matters"] = {m.pk: m for m in rows}
        context.cache["permitted"] = {}

    def row_key(self, values: dict[str, Any]) -> str:
        matter = values.get("matter")
        return str(matter.pk) if matter is not None else ""

    def clean_row(self, row: Row, context: Context) -> None:
        v = row.values
        text = v["progress"] or ""
        note = v["note"] or ""
        if not text and not note and v["percent"] is None:
            v["skip"] = True  # an open matter left as it was: nothing to store
            return
        matter_id = _whole(v["id"])
        if matter_id is None:
            row.error(
                UNKNOWN_MATTER, _("The row has no valid matter id (hidden column “id”)."), "id"
            )
            return
        matter: Matter | None = context.cache["matters"].get(matter_id)
        if matter is None:
            row.error(
                UNKNOWN_MATTER,
                _("No matter with id %(id)s is visible to you.") % {"id": matter_id},
                "id",
            )
            return
        permitted: dict[int, bool] = context.cache["permitted"]
        if matter.pk not in permitted:
            permitted[matter.pk] = can(context.actor, "feedback", matter)
        if not permitted[matter.pk]:
            row.error(
                NOT_PERMITTED,
                _("Your unit does not report on this matter in its current state."),
                "id",
            )
            return
        if _whole(v["version"]) != matter.version:
            row.error(
                STALE,
                _(
                    "The matter was changed after the file was downloaded: download a new "
                    "file and fill this row again."
                ),
                "version",
            )
            return
        if note:
            text = (text + "\n" if text else "") + _("Note: %(note)s") % {"note": note}
        v["matter"] = matter
        v["text"] = text

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        result = StoreResult()
        batch = context.batch
        for row in rows:
            v = row.values
            if v.get("skip"):
                result.unchanged += 1
                continue
            matter: Matter = v["matter"]
            bulk.record_progress(
                context.actor,
                matter,
                version=matter.version,
                text=v["text"],
                percent=v["percent"],
                derived=bool(matter.has_milestones or matter.has_children),  # type: ignore[attr-defined]
                detail={"import": batch.pk, "sha256": batch.sha256, "row": row.number},
            )
            result.updated += 1
        return result


importing.register(ProgressFeed())


# --- the upload: title rows and merged cells ------------------------------------------------------
def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _header_row(grid: list[list[Any]], feed: importing.Feed) -> int | None:
    """The index of the first row (among the first few) naming the id, version and progress
    columns, as the importer matches headers."""
    names = {key: col.names() for key in HEADER_COLUMNS if (col := feed.column(key))}
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {importing.normalise_header(_cell(v)) for v in row}
        if all(found & wanted for wanted in names.values()):
            return index
    return None


def sheet_for_import(upload: Any) -> Any:
    """The file to hand to the importer. A workbook of at most 5 MB whose header is not its
    first row, or that has merged cells, is given as a CSV of the same rows (same row numbers:
    the rows above the header are left blank, and every merged range's value is copied into
    all its cells); anything else is returned as it is. Raises ImportFileError
    (`matters.no_header`) for a workbook without the header row."""
    from openpyxl import load_workbook

    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04" or (getattr(upload, "size", 0) or 0) > TIDY_MAX_BYTES:
        return upload
    # The whole workbook is loaded below: a zip bomb is refused first, and a sheet that
    # unpacks to more than TIDY_MAX_EXPANDED is left to the streaming importer.
    if importing.xlsx_expanded_size(upload) > TIDY_MAX_EXPANDED:
        return upload
    try:
        workbook = load_workbook(upload, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        upload.seek(0)
        return upload  # the importer reports it (import.xlsx)
    try:
        sheet = workbook.worksheets[0]
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged = list(sheet.merged_cells.ranges)
    finally:
        workbook.close()
    for cells in merged:
        first = grid[cells.min_row - 1][cells.min_col - 1]
        for r in range(cells.min_row - 1, min(cells.max_row, len(grid))):
            for c in range(cells.min_col - 1, min(cells.max_col, len(grid[r]))):
                grid[r][c] = first
    feed = importing.get(FEED)
    header = _header_row(grid, feed)
    if header is None:
        raise ImportFileError(
            NO_HEADER,
            _("No header row with the columns %(columns)s was found in the first %(n)s rows.")
            % {
                "columns": "、".join((BULK_ID, BULK_VERSION, BULK_PROGRESS)),
                "n": HEADER_SEARCH_ROWS,
            },
        )
    upload.seek(0)
    if header == 0 and not merged:
        return upload
    id_names = feed.column("id").names()  # type: ignore[union-attr]
    id_col = next(
        (i for i, v in enumerate(grid[header]) if importing.normalise_header(_cell(v)) in id_names),
        None,
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for index, row in enumerate(grid):
        repeated_header = (
            index > header
            and id_col is not None
            and id_col < len(row)
            and importing.normalise_header(_cell(row[id_col])) in id_names
        )  # a header merged over two rows
        writer.writerow([] if index < header or repeated_header else [_cell(v) for v in row])
    stem = os.path.splitext(os.path.basename(getattr(upload, "name", "") or "upload"))[0]
    return ContentFile(out.getvalue().encode("utf-8"), name=f"{stem}.csv")


# --- the preview: what each good row changes -----------------------------------------------------
@dataclass
class PlannedChange:
    """A good row: the report it adds and what it changes on the matter."""

    row: int
    matter_id: int
    title: str
    new_text: str
    old_percent: int
    new_percent: int | None
    # False when progress derives from milestones or sub-matters: the percentage is kept on
    # the report only.
    percent_applies: bool
    old_text: str = ""


@dataclass
class Plan:
    changes: list[PlannedChange] = field(default_factory=list)
    skipped: int = 0
    more: int = 0  # changes beyond MAX_SHOWN, not listed


def _values(
    feed: importing.Feed, cells: dict[str, str], columns: dict[str, str]
) -> dict[str, Any] | None:
    """A row's values as the importer parses them; None when a cell is refused (the
    importer's own pass reports it)."""
    values: dict[str, Any] = {}
    for col in feed.columns:
        header = columns.get(col.key)
        text = (cells.get(header) or "") if header else ""
        text = text.replace("\u3000", " ").replace("\xa0", " ").strip()
        if not text:
            values[col.key] = None
            continue
        if col.max_length is not None and len(text) > col.max_length:
            return None
        try:
            values[col.key] = col.parse(text) if col.parse else text
        except (CellError, ValueError):
            return None
    return values


def planned_changes(batch: ImportBatch, user: Any, limit: int = MAX_SHOWN) -> Plan:
    """Read the batch's stored file again and list what confirming would change now, row by
    row, with the feed's own checks (rows refused are the preview's issues). Writes nothing."""
    feed = importing.get(FEED)
    context = Context(batch=batch, actor=user, options=dict(batch.options or {}))
    feed.prepare(context)
    columns: dict[str, str] = {}
    for header, key in (batch.header_map or {}).items():
        if key:
            columns.setdefault(key, header)
    plan = Plan()
    seen: set[int] = set()
    batch.file.open("rb")
    try:
        with importing.open_table(batch.file, batch.name) as table:
            for number, cells in table.rows:
                if not any(v.strip() for v in cells.values()):
                    continue
                values = _values(feed, cells, columns)
                if values is None:
                    continue
                row = Row(number=number, raw=cells, values=values)
                feed.clean_row(row, context)
                if row.errors:
                    continue
                if values.get("skip"):
                    plan.skipped += 1
                    continue
                matter: Matter = values["matter"]
                if matter.pk in seen:
                    continue
                seen.add(matter.pk)
                if len(plan.changes) >= limit:
                    plan.more += 1
                    continue
                plan.changes.append(
                    PlannedChange(
                        row=number,
                        matter_id=matter.pk,
                        title=matter.title,
                        new_text=values["text"],
                        old_percent=matter.progress,
                        new_percent=values["percent"],
                        percent_applies=not (matter.has_milestones or matter.has_children),  # type: ignore[attr-defined]
                    )
                )
    finally:
        batch.file.close()
    latest = dict(
        Matter.objects.filter(pk__in=[c.matter_id for c in plan.changes])
        .annotate(latest=latest_feedback_text())
        .values_list("pk", "latest")
    )
    for change in plan.changes:
        change.old_text = latest.get(change.matter_id) or ""
    return plan
