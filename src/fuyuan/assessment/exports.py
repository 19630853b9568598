"""The results sheet laid out for the province's rule-of-law supervision platform
(法治政府建设督导平台): a title row, then 序号, 被考核单位, 统一社会信用代码, one column per
indicator with its weight, 加减分, 合计, 排名, 调整说明. Header texts are the platform's layout,
so they are Chinese literals, not interface strings; scores are numbers with two decimals."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fuyuan.core.spreadsheets import neutralise_workbook
from fuyuan.matters.exports import BORDER, CENTRE, WRAP

from .models import Indicator, Scheme
from .queries import ResultRow

FIXED_HEAD = ("序号", "被考核单位", "统一社会信用代码")
FIXED_TAIL = ("加减分", "合计", "排名", "调整说明")
NUMBER = "0.00"
NOT_FINAL = "（未定稿）"


def indicator_header(indicator: Indicator) -> str:
    return f"{indicator.name}（{_plain(indicator.weight)}分）"


def _plain(value: Any) -> str:
    """12.50 → 12.5, 20.00 → 20 (weights in headers read as the scheme writes them)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def headers(indicators: list[Indicator]) -> list[str]:
    return [*FIXED_HEAD, *(indicator_header(i) for i in indicators), *FIXED_TAIL]


def adjustment_note(row: ResultRow) -> str:
    parts = []
    for a in row.adjustments:
        about = f"［{a.indicator.name}］" if a.indicator is not None else ""
        parts.append(f"{a.delta:+}分{about}：{a.reason}")
    return "；".join(parts)


def title(scheme: Scheme) -> str:
    text = f"{scheme.mechanism.name}{scheme.year}年度府院联动工作考核结果"
    return text if scheme.is_final else text + NOT_FINAL


def workbook(scheme: Scheme, indicators: list[Indicator], rows: list[ResultRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "考核结果"
    head = headers(indicators)
    last = get_column_letter(len(head))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title(scheme)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = CENTRE
    ws.row_dimensions[1].height = 30
    widths = [6, 30, 22, *([14] * len(indicators)), 10, 10, 8, 50]
    for col, (text, width) in enumerate(zip(head, widths, strict=True), start=1):
        cell = ws.cell(row=2, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = CENTRE
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C3"
    for n, row in enumerate(rows, start=1):
        result = row.result
        values: list[Any] = [n, result.unit.name, result.unit.credit_code or ""]
        values += [float(s.score) if s is not None else None for s in row.scores]
        values += [
            float(result.adjustment_total),
            float(result.total),
            result.rank,
            adjustment_note(row),
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=n + 2, column=col, value=value)
            cell.border = BORDER
            numeric = 3 < col < len(values) - 1
            cell.alignment = CENTRE if col == 1 or numeric or col == len(values) - 1 else WRAP
            if numeric and value is not None:
                cell.number_format = NUMBER
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    neutralise_workbook(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(scheme: Scheme) -> str:
    return f"{scheme.mechanism.name}{scheme.year}年度考核结果.xlsx"
