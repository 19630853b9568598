"""Sample files of the importer's feeds (the "download a sample" links of the import pages,
and the files kept beside each app's `samples/make_*.py`): one table written as CSV (GB18030,
as the courts' systems export, or UTF-8 with a BOM) or .xlsx with dates formatted as dates."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any


def _cell(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def table_bytes(
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = "gb18030",
) -> bytes:
    """The table as `fmt` "csv" (in `encoding`; "utf-8" is written with a BOM) or "xlsx"."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        text = buffer.getvalue()
        return text.encode("utf-8-sig" if encoding == "utf-8" else encoding)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(fmt)


def write_files(
    folder: pathlib.Path, files: dict[str, str], build: Callable[[str], bytes]
) -> list[pathlib.Path]:
    """Write each `name: fmt` of `files` into `folder` with `build(fmt)`."""
    written = []
    for name, fmt in files.items():
        path = folder / name
        path.write_bytes(build(fmt))
        written.append(path)
    return written
