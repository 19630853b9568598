"""Exported spreadsheets never run what people typed (CSV/formula injection): a text cell that
starts like a formula (= + - @, a tab or a line break, or the full-width ＝ ＋ － ＠) is written
as text with Excel's "quote prefix" style, so it shows exactly as typed, is not evaluated
(no HYPERLINK or DDE payloads), and stays text when someone edits the cell. The value itself
is not changed: an import of the sheet reads back what was typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise_cell(cell: Any) -> None:
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_workbook(workbook: Any) -> None:
    """Every formula-like text cell of a (normal, not write-only) workbook, before saving."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                neutralise_cell(cell)


def safe_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's `append`, formula-like texts as quoted text cells."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            neutralise_cell(cell)
            row.append(cell)
        else:
            row.append(value)
    return row
