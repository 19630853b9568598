"""Spreadsheets of the ledger: the office's own printed layout (序号, 责任单位, 事项, 完成时限,
进展情况, 备注) and the liaison officers' bulk-update sheet. Header texts are the data layout
the offices use, so they are Chinese literals, not interface strings."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fuyuan.core.spreadsheets import neutralise_cell

from . import workflow as wf
from .models import Colour

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LEDGER_HEADERS = ("序号", "责任单位", "事项", "完成时限", "进展情况", "备注")
LEDGER_WIDTHS = (6, 24, 40, 12, 50, 18)

# Bulk update: the column headers the upload matches (any order); id and version are hidden.
BULK_NO = "序号"
BULK_TITLE = "事项"
BULK_DEADLINE = "完成时限"
BULK_PROGRESS = "进展情况"
BULK_PERCENT = "完成百分比"
BULK_NOTE = "备注"
BULK_ID = "id"
BULK_VERSION = "version"
BULK_HEADERS = (
    BULK_NO,
    BULK_TITLE,
    BULK_DEADLINE,
    BULK_PROGRESS,
    BULK_PERCENT,
    BULK_NOTE,
    BULK_ID,
    BULK_VERSION,
)
BULK_WIDTHS = (6, 40, 12, 50, 12, 24, 8, 8)

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def ascii_filename(filename: str, default: str) -> str:
    """The ASCII part of a file name for the `filename=` fallback (letters, digits, . _ -)."""
    kept = re.sub(r"[^A-Za-z0-9._-]", "", filename)
    return kept if kept.strip("._-") else default


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An attachment with an ASCII fallback name and the real (Chinese) name per RFC 5987."""
    response = HttpResponse(content, content_type=XLSX)
    # The plain-ASCII fallback keeps only safe characters: a title with quotes or line breaks
    # never breaks the header.
    ascii_name = ascii_filename(filename, "export.xlsx")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _sheet_setup(
    ws: Worksheet, title: str, headers: tuple[str, ...], widths: tuple[int, ...]
) -> None:
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    neutralise_cell(ws["A1"])
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = CENTRE
    ws.row_dimensions[1].height = 30
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = CENTRE
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A3"
    # Print: landscape A4, fit all columns on the page width, header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_options.horizontalCentered = True


def _body_cell(ws: Worksheet, row: int, col: int, value: Any, *, centre: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    neutralise_cell(cell)
    cell.border = BORDER
    cell.alignment = CENTRE if centre else WRAP


def _progress_text(matter: Any) -> str:
    text = (getattr(matter, "latest_progress", None) or "").strip()
    percent = f"{matter.progress}%"
    return f"{text}\n（{percent}）" if text else percent


def _remark(matter: Any) -> str:
    parts = [str(wf.MATTER_WORKFLOW.state(matter.state).label)]
    colour = getattr(matter, "colour", None)
    if colour and colour != Colour.NONE:
        parts.append(str(Colour(colour).label))
    if matter.is_key_issue:
        parts.append(str(_("Key issue")))
    return "；".join(parts)


def ledger_workbook(matters: Iterable[Any], title: str) -> bytes:
    """The ledger in the office's layout: a title row, then one bordered, wrapped row per
    matter; rows come from `queries.ledger_rows` (co-units prefetched as `co_unit_list`)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    _sheet_setup(ws, title, LEDGER_HEADERS, LEDGER_WIDTHS)
    row = 2
    for no, matter in enumerate(matters, start=1):
        row += 1
        units = [matter.lead_unit.name]
        co = [c.unit.name for c in getattr(matter, "co_unit_list", [])]
        if co:
            units.append("、".join(co))
        values = (
            no,
            "\n".join(units),
            matter.title,
            matter.deadline.isoformat() if matter.deadline else "",
            _progress_text(matter),
            _remark(matter),
        )
        for col, value in enumerate(values, start=1):
            _body_cell(ws, row, col, value, centre=col in (1, 4))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bulk_workbook(matters: Iterable[Any], title: str) -> bytes:
    """The bulk-update sheet: progress, percentage and remarks left to fill; each row carries
    the matter's id and version in hidden columns so the upload can match it and tell a row
    edited elsewhere since the download. Nothing is protected: offices re-format freely."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "进展填报"
    _sheet_setup(ws, title, BULK_HEADERS, BULK_WIDTHS)
    row = 2
    for no, matter in enumerate(matters, start=1):
        row += 1
        values = (
            no,
            matter.title,
            matter.deadline.isoformat() if matter.deadline else "",
            "",
            None,
            "",
            matter.pk,
            matter.version,
        )
        for col, value in enumerate(values, start=1):
            _body_cell(ws, row, col, value, centre=col in (1, 3, 5, 7, 8))
    for col in (7, 8):
        ws.column_dimensions[get_column_letter(col)].hidden = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dated_filename(stem: str, day: datetime.date) -> str:
    return f"{stem}-{day.isoformat()}.xlsx"
