"""Official documents in the GB/T 9704-2012 layout (DOMAIN.md §7), rendered to .docx.

Apps describe a document with these dataclasses; `render_docx(spec)` lays it out: A4, top
margin 37 mm, left (binding) 28 mm, text block 156 × 225 mm, body 3号 (16 pt) 仿宋_GB2312,
22 lines of 28 characters, issuer mark in red 方正小标宋简体, document number centred under it
with 〔〕 and a red rule, title 2号 (22 pt) 小标宋 centred, headings 一、(黑体) （一）(楷体_GB2312)
1. and （1）(仿宋), date in arabic numerals without leading zeros on the right, page numbers
4号 "— N —" right on odd pages and left on even pages; minutes (纪要) with a red title and the
出席/请假/列席 blocks after the body.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 一、 (黑体), 2 （一） (楷体), 3 1. and 4 （1） (仿宋). The numbering
    text is part of `text` (the author writes "一、总体情况")."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A table (e.g. the approved dual lists): header row repeated on every page."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths; empty = equal.
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class AttendanceBlock:
    """A block after the body of minutes: 出席 / 请假 / 列席 followed by units and names."""

    label: str  # "出席", "请假", "列席"
    entries: tuple[str, ...]


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class DocumentSpec:
    issuer: str  # the issuer mark, e.g. "驻马店市府院联动联席会议办公室"
    title: str
    blocks: tuple[Block, ...]
    date: datetime.date
    document_number: str = ""  # 发文字号, e.g. "驻府院办〔2026〕3号"; minutes use `issue_label`
    issue_label: str = ""  # minutes: "第3期"
    is_minutes: bool = False
    recipients: str = ""  # 主送机关, e.g. "各成员单位："
    signature: str = ""  # 落款 (the issuing body's name above the date)
    attendance: tuple[AttendanceBlock, ...] = field(default=())
    copy_to: str = ""  # 抄送
    printed_by: str = ""  # 印发机关


def format_date(day: datetime.date) -> str:
    """2026年1月5日: arabic numerals without leading zeros (GB/T 9704 §7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


def render_docx(spec: DocumentSpec) -> bytes:
    """Lay the document out as .docx (python-docx) and return the file's bytes."""
    raise NotImplementedError  # implemented in the [mechanism] work on official documents
