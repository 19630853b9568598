"""The approved dual lists as a table: a spreadsheet (one sheet per list) and, where the core
renderer is available, a GB/T 9704 .docx. Both come from the approved version's snapshot, so
they show what the joint meeting approved. Column headers and the document's fixed words
are the offices' layout, so they are Chinese literals, not interface strings."""

from __future__ import annotations

import io
from typing import Any

from django.http import Http404, HttpResponse
from openpyxl import Workbook

from fuyuan.core import documents
from fuyuan.matters.exports import _body_cell, _sheet_setup, xlsx_response

from .models import ListCall, VersionKind

HEADERS = ("序号", "事项", "工作目标", "牵头单位", "配合单位", "完成时限")
WIDTHS = (6, 36, 40, 22, 28, 12)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"


def approved_rows(call: ListCall) -> list[tuple[str, list[dict[str, Any]]]]:
    """(list name, rows) in the mechanism's list order, from the latest approved version."""
    version = call.versions.filter(kind=VersionKind.APPROVED).order_by("-number").first()
    if version is None:
        raise Http404
    order = {k.name: (k.order, k.pk) for k in call.mechanism.list_kinds.all()}
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in version.snapshot:
        groups.setdefault(row["list_kind"], []).append(row)
    return sorted(groups.items(), key=lambda g: order.get(g[0], (999, 0)))


def _values(no: int, row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        no,
        row["title"],
        row["target"],
        row["lead"],
        "、".join(row["co_units"]),
        row["deadline"],
    )


def approved_lists_workbook(call: ListCall) -> bytes:
    wb = Workbook()
    first = True
    for name, rows in approved_rows(call):
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        first = False
        ws.title = name[:31]
        _sheet_setup(ws, f"{call.year}年度{name}", HEADERS, WIDTHS)
        for no, row in enumerate(rows, start=1):
            for col, value in enumerate(_values(no, row), start=1):
                _body_cell(ws, no + 2, col, value, centre=col in (1, 6))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def approved_lists_xlsx(call: ListCall) -> HttpResponse:
    return xlsx_response(approved_lists_workbook(call), f"{call.year}年度双清单.xlsx")


def docx_available() -> bool:
    return callable(getattr(documents, "render_docx", None))


def approved_lists_spec(call: ListCall) -> Any:
    blocks: list[Any] = []
    for index, (name, rows) in enumerate(approved_rows(call)):
        numeral = NUMERALS[index] if index < len(NUMERALS) else str(index + 1)
        blocks.append(documents.Heading(f"{numeral}、{name}", level=1))
        blocks.append(
            documents.Table(
                header=HEADERS,
                rows=tuple(
                    tuple(str(v) for v in _values(no, row)) for no, row in enumerate(rows, 1)
                ),
                widths=(2, 8, 9, 5, 6, 4),
            )
        )
    mechanism = call.mechanism
    return documents.DocumentSpec(
        issuer=f"{mechanism.name}办公室",
        title=f"{call.year}年度府院联动双清单",
        blocks=tuple(blocks),
        date=call.approved_on or call.updated_at.date(),
        signature=f"{mechanism.name}办公室",
    )


def approved_lists_docx(call: ListCall) -> HttpResponse:
    from urllib.parse import quote

    content = documents.render_docx(approved_lists_spec(call))
    response = HttpResponse(content, content_type=DOCX)
    name = f"{call.year}年度双清单.docx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"duallists-{call.year}.docx\"; filename*=UTF-8''{quote(name)}"
    )
    return response
