"""Official documents in the GB/T 9704-2012 layout (DOMAIN.md §7), rendered to .docx.

Apps describe a document with these dataclasses; `render_docx(spec)` lays it out: A4, top
margin 37 mm, left (binding) 28 mm, text block 156 × 225 mm, body 3号 (16 pt) 仿宋_GB2312,
22 lines of 28 characters, issuer mark in red 方正小标宋简体, document number centred under it
with 〔〕 and a red rule, title 2号 (22 pt) 小标宋 centred, headings 一、(黑体) （一）(楷体_GB2312)
1. and （1）(仿宋), date in arabic numerals without leading zeros on the right, page numbers
4号 "— N —" right on odd pages and left on even pages; minutes (纪要) with a red title and the
出席/请假/列席 blocks after the body. Figures (charts) are `Image` blocks: a PNG centred in the
text block with its caption under it.
"""

from __future__ import annotations

import copy
import datetime
import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .identifiers import IdentifierError


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


@dataclass(frozen=True)
class Image:
    """A picture (a chart) centred in the text block, `width_cm` wide (at most the text
    block's 15.6 cm; the height follows the picture's proportions), with its caption centred
    under it (e.g. "图1 2025年各月新收一审行政案件数")."""

    data: bytes  # PNG (or another format python-docx reads: JPEG, GIF, BMP, TIFF)
    width_cm: float = 15.0
    caption: str = ""


Block = Heading | Paragraph | Table | Image


@dataclass(frozen=True)
class DocumentSpec:
    issuer: str  # the issuer mark, e.g. "驻马店市府院联动联席会议办公室"
    title: str
    blocks: tuple[Block, ...]
    date: datetime.date
    document_number: str = ""  # 发文字号, e.g. "驻府院办〔2026〕3号"; minutes use `issue_label`
    issue_label: str = ""  # minutes: "第3期"
    is_minutes: bool = False
    # A brief (专报/简报): the head of minutes — its own name as the mark, the issue label, the
    # issuing body and the date over the red rule — and no signature block at the end.
    is_brief: bool = False
    recipients: str = ""  # 主送机关, e.g. "各成员单位："
    signature: str = ""  # 落款 (the issuing body's name above the date)
    attendance: tuple[AttendanceBlock, ...] = field(default=())
    copy_to: str = ""  # 抄送
    printed_by: str = ""  # 印发机关


def format_date(day: datetime.date) -> str:
    """2026年1月5日: arabic numerals without leading zeros (GB/T 9704 §7.3.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- document numbers (发文字号) ---------------------------------------------------------------
# Brackets people type instead of the hexagonal 〔〕 (GB/T 9704 §7.2.4); NFKC has already folded
# full-width （）［］ into ASCII.
_OPENING = "〔[【(﹝"
_CLOSING = "〕]】)﹞"
_NUMBER = re.compile(
    rf"^(?P<code>[^{re.escape(_OPENING + _CLOSING)}\d]+)"
    rf"[{re.escape(_OPENING)}](?P<year>\d+)[{re.escape(_CLOSING)}]"
    r"(?P<di>第?)(?P<seq>\d+)号$"
)


@dataclass(frozen=True)
class DocumentNumber:
    """A parsed document number: 驻府院办〔2026〕3号."""

    issuer_code: str
    year: int
    sequence: int

    @property
    def value(self) -> str:
        return f"{self.issuer_code}〔{self.year}〕{self.sequence}号"

    def __str__(self) -> str:
        return self.value


def parse_document_number(raw: str, today: datetime.date | None = None) -> DocumentNumber:
    """Parse a 发文字号: issuer code, the year in 〔〕, the sequence without leading zeros and
    without 第, then 号 (GB/T 9704 §7.2.4). [] 【】 () are accepted and normalised to 〔〕.
    Raises IdentifierError with code docno.format, docno.leading_zero or docno.year."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"\s+", "", text)
    match = _NUMBER.match(text)
    if match is None:
        raise IdentifierError(
            "docno.format",
            _(
                "A document number is the issuer's code, the year in 〔〕, the sequence number "
                "and 号, e.g. 驻府院办〔2026〕3号."
            ),
        )
    if match["di"]:
        raise IdentifierError(
            "docno.format",
            _("Write the sequence number without 第, e.g. 〔2026〕3号 rather than 〔2026〕第3号."),
        )
    if match["seq"].startswith("0"):
        raise IdentifierError(
            "docno.leading_zero",
            _("Write the sequence number without leading zeros, e.g. 3号 rather than 03号."),
        )
    year = int(match["year"])
    current = (today or timezone.localdate()).year
    if len(match["year"]) != 4 or not 1949 <= year <= current + 1:
        raise IdentifierError(
            "docno.year",
            _("The year in 〔〕 must be written in full with four digits, e.g. 〔%(year)s〕.")
            % {"year": current},
        )
    return DocumentNumber(issuer_code=match["code"], year=year, sequence=int(match["seq"]))


# --- rendering --------------------------------------------------------------------------------
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xFF, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH_MM = 156
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号: a wide table is set smaller than the body
# 225 mm / 22 lines; the document grid uses the same pitch (in twentieths of a point).
LINE_PITCH = Pt(28.95)
LINE_PITCH_TWIPS = 579
# 156 mm / 28 characters = 15.79 pt; the grid's charSpace is the difference from the 16 pt
# body size in 1/4096 pt.
CHAR_SPACE = round((TEXT_WIDTH_MM / 25.4 * 72 / 28 - 16) * 4096)
ISSUER_MAX_SIZE = 36.0  # 小初
HEADING_FONTS = {1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}


def _fonts(run: Any, east_asian: str, latin: str | None = None) -> None:
    """Name the faces on the run itself: East Asian through w:rFonts w:eastAsia."""
    run.font.name = latin or east_asian
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:ascii"), latin or east_asian)
    r_fonts.set(qn("w:hAnsi"), latin or east_asian)


def _run(
    paragraph: Any,
    text: str,
    font: str = BODY_FONT,
    size: Any = BODY_SIZE,
    *,
    color: RGBColor | None = None,
    latin: str | None = LATIN_FONT,
) -> Any:
    run = paragraph.add_run(text)
    _fonts(run, font, latin)
    run.font.size = size
    run.font.bold = False
    run.font.color.rgb = color or BLACK
    return run


def _paragraph(
    doc: Any,
    *,
    align: Any = WD_PARAGRAPH_ALIGNMENT.JUSTIFY,
    line: Any = LINE_PITCH,
    first_line_chars: int = 0,
) -> Any:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    if first_line_chars:
        _indent_chars(paragraph, first_line=first_line_chars)
    return paragraph


def _indent_chars(
    paragraph: Any, *, first_line: int = 0, left: int = 0, right: int = 0, hanging: int = 0
) -> None:
    """Indents counted in characters (w:firstLineChars etc., hundredths of a character), with
    the equivalent length for readers that ignore the character units."""
    fmt = paragraph.paragraph_format
    char = BODY_SIZE.pt
    if first_line:
        fmt.first_line_indent = Pt(char * first_line)
    if hanging:
        fmt.first_line_indent = Pt(-char * hanging)
    if left or hanging:
        fmt.left_indent = Pt(char * (left + hanging))
    if right:
        fmt.right_indent = Pt(char * right)
    ind = paragraph._element.get_or_add_pPr().get_or_add_ind()
    if first_line:
        ind.set(qn("w:firstLineChars"), str(first_line * 100))
    if hanging:
        ind.set(qn("w:hangingChars"), str(hanging * 100))
    if left or hanging:
        ind.set(qn("w:leftChars"), str((left + hanging) * 100))
    if right:
        ind.set(qn("w:rightChars"), str(right * 100))


def _border(paragraph: Any, side: str, *, color: str, size_eighths: int, space: int = 1) -> None:
    p_pr = paragraph._element.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # w:pBdr must come before w:spacing/w:ind/w:jc in pPr's sequence.
        anchor = next(
            (
                p_pr.find(qn(tag))
                for tag in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:outlineLvl")
                if p_pr.find(qn(tag)) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            p_pr.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _outline_level(paragraph: Any, level: int) -> None:
    """Headings stay in the Normal style (Word's heading styles carry theme fonts and colours)
    but get an outline level, so the navigation pane still lists them."""
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level - 1))
    paragraph._element.get_or_add_pPr().append(element)


def _page_number_paragraph(footer: Any, *, odd: bool) -> None:
    """ "— N —" in 4号 宋体, one character in from the right on odd pages, the left on even."""
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT if odd else WD_PARAGRAPH_ALIGNMENT.LEFT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if odd:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE

    def text(value: str) -> None:
        _run(paragraph, value, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)

    def field_char(kind: str) -> None:
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._element.append(element)

    text("— ")
    field_char("begin")
    instr_run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FONT)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._element.append(instr)
    field_char("separate")
    text("1")
    field_char("end")
    text(" —")


def _set_layout(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance = Mm(15)
    # The page number sits about 7 mm below the text block.
    section.footer_distance = Mm(22)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.font.name = LATIN_FONT
    r_pr = normal.element.get_or_add_rPr()
    r_fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(attr), None)
    r_fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH

    doc.settings.odd_and_even_pages_header_footer = True
    section.footer.is_linked_to_previous = False
    _page_number_paragraph(section.footer, odd=True)
    _page_number_paragraph(section.even_page_footer, odd=False)


def _blank(doc: Any) -> None:
    _paragraph(doc)


def _issuer_size(text: str) -> Any:
    """The mark fits on one line of the text block: 小初 for short names, smaller for long."""
    width_pt = TEXT_WIDTH_MM / 25.4 * 72
    return Pt(min(ISSUER_MAX_SIZE, int(width_pt / max(len(text), 1))))


def _head(doc: Any, spec: DocumentSpec) -> None:
    """版头: the red issuer mark, the number (or issue label) and the red rule."""
    mark = spec.issuer
    if spec.is_minutes and not mark.endswith("纪要"):
        mark = f"{mark}纪要"
    size = _issuer_size(mark)
    paragraph = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER, line=Pt(size.pt * 1.5))
    _run(paragraph, mark, TITLE_FONT, size, color=RED, latin=TITLE_FONT)
    _blank(doc)
    periodical = spec.is_minutes or spec.is_brief
    number = spec.issue_label if periodical else spec.document_number
    if periodical and (spec.signature or spec.date):
        # Minutes: 第N期 centred, then the issuing body on the left and the date on the right.
        if number:
            label = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
            _run(label, number)
        rule = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
        rule.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        _run(rule, f"{spec.signature}\t{format_date(spec.date)}")
    else:
        rule = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
        if number:
            _run(rule, number)
    # The red rule sits about 4 mm under the number, across the whole text block.
    _border(rule, "bottom", color="FF0000", size_eighths=12, space=11)
    _blank(doc)


def _title(doc: Any, spec: DocumentSpec) -> None:
    if not spec.title:  # a brief's mark is its title
        return
    paragraph = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER, line=Pt(35))
    _run(paragraph, spec.title, TITLE_FONT, TITLE_SIZE, latin=TITLE_FONT)
    _blank(doc)


def _heading(doc: Any, block: Heading) -> None:
    level = min(max(block.level, 1), 4)
    paragraph = _paragraph(doc, first_line_chars=2)
    paragraph.paragraph_format.keep_with_next = True
    _outline_level(paragraph, level)
    _run(paragraph, block.text, HEADING_FONTS[level])


def _body_paragraph(doc: Any, block: Paragraph) -> None:
    paragraph = _paragraph(doc, first_line_chars=2)
    _run(paragraph, block.text)


def _cell_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    # Keep CT_TblPr's sequence: tblBorders precedes shd, tblLayout, tblCellMar and tblLook.
    anchor = next(
        (
            tbl_pr.find(qn(tag))
            for tag in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
            if tbl_pr.find(qn(tag)) is not None
        ),
        None,
    )
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)


def _table(doc: Any, block: Table) -> None:
    columns = len(block.header) or max((len(r) for r in block.rows), default=1)
    weights = list(block.widths) if len(block.widths) == columns else [1] * columns
    total = sum(weights) or columns
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in weights]
    table = doc.add_table(rows=0, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_borders(table)
    rows = [tuple(block.header)] if block.header else []
    rows.extend(tuple(r) for r in block.rows)
    body_row: Any = None  # a formatted body row, copied for each plain row (see below)
    for index, values in enumerate(rows):
        header = index == 0 and bool(block.header)
        texts = [str(values[c]) if c < len(values) else "" for c in range(columns)]
        if not header and not any(ch in t for t in texts for ch in "\n\r\t"):
            # python-docx formats every run through a dozen property setters: a table of
            # a city's 1,500 units took seconds. A row formatted once is copied instead,
            # only its texts replaced; the XML is the same.
            if body_row is None:
                body_row = _table_row(table, ["·"] * columns, widths, header=False)
                table._tbl.remove(body_row)
            tr = copy.deepcopy(body_row)
            for t_element, text in zip(tr.iter(qn("w:t")), texts, strict=True):
                t_element.text = text
                t_element.set(qn("xml:space"), "preserve")
            table._tbl.append(tr)
            continue
        _table_row(table, texts, widths, header=header)
    for column, width in enumerate(widths):
        table.columns[column].width = width


def _table_row(table: Any, texts: list[str], widths: list[Any], *, header: bool) -> Any:
    """Append one row formatted through python-docx; returns its w:tr element."""
    row = table.add_row()
    tr_pr = row._tr.get_or_add_trPr()
    if header:
        # Repeat the header row at the top of every page the table runs onto.
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)
    for column, cell in enumerate(row.cells):
        cell.width = widths[column]
        paragraph = cell.paragraphs[0]
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER if header else WD_PARAGRAPH_ALIGNMENT.LEFT
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _no_grid_snap(paragraph)
        _run(paragraph, texts[column], HEI_FONT if header else BODY_FONT, TABLE_SIZE)
    return row._tr


def _no_grid_snap(paragraph: Any) -> None:
    """Take the paragraph off the document grid (lines of 28.95 pt, 28 characters a line):
    pictures and table cells keep their own line height and character spacing."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p_pr = paragraph._element.get_or_add_pPr()
    # CT_PPr's sequence: snapToGrid comes before spacing, ind and jc.
    anchor = next(
        (
            p_pr.find(qn(tag))
            for tag in ("w:spacing", "w:ind", "w:jc")
            if p_pr.find(qn(tag)) is not None
        ),
        None,
    )
    if anchor is not None:
        anchor.addprevious(snap)
    else:
        p_pr.append(snap)


def _image(doc: Any, block: Image) -> None:
    """The picture in its own paragraph: single line spacing (an exact 28.95 pt line would crop
    it to one line's height) and no grid snapping; the caption in 小4号 仿宋 under it."""
    width_cm = min(max(block.width_cm, 1.0), TEXT_WIDTH_MM / 10)
    paragraph = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.keep_with_next = bool(block.caption)
    _no_grid_snap(paragraph)
    paragraph.add_run().add_picture(io.BytesIO(block.data), width=Cm(width_cm))
    if block.caption:
        caption = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.CENTER)
        _run(caption, block.caption, BODY_FONT, TABLE_SIZE)


def _signature(doc: Any, spec: DocumentSpec) -> None:
    """落款 without a seal: the body's name right-aligned two characters in, the date under it
    four characters in (GB/T 9704 §7.3.5.2)."""
    _blank(doc)
    if spec.signature:
        name = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.RIGHT)
        _indent_chars(name, right=2)
        _run(name, spec.signature)
    date = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.RIGHT)
    _indent_chars(date, right=4)
    _run(date, format_date(spec.date))


def _attendance(doc: Any, spec: DocumentSpec) -> None:
    if not spec.attendance:
        return
    _blank(doc)
    for block in spec.attendance:
        label = block.label if block.label.endswith(("：", ":")) else f"{block.label}："
        paragraph = _paragraph(doc)
        _indent_chars(paragraph, hanging=3)
        _run(paragraph, label, HEI_FONT)
        _run(paragraph, "、".join(block.entries))


def _imprint(doc: Any, spec: DocumentSpec) -> None:
    """版记: 抄送 and 印发机关 with the print date, between black rules (thick outside, thin
    between), 4号 仿宋, one character in from each side."""
    lines: list[Any] = []
    if spec.copy_to:
        paragraph = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_SIZE.pt * 4)
        paragraph.paragraph_format.first_line_indent = Pt(-PAGE_NUMBER_SIZE.pt * 3)
        text = spec.copy_to.rstrip("。")
        _run(paragraph, f"抄送：{text}。", size=PAGE_NUMBER_SIZE)
        lines.append(paragraph)
    if spec.printed_by:
        paragraph = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
        fmt = paragraph.paragraph_format
        fmt.left_indent = PAGE_NUMBER_SIZE
        fmt.right_indent = PAGE_NUMBER_SIZE
        width = Mm(TEXT_WIDTH_MM) - 2 * PAGE_NUMBER_SIZE
        fmt.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        _run(paragraph, f"{spec.printed_by}\t{format_date(spec.date)}印发", size=PAGE_NUMBER_SIZE)
        lines.append(paragraph)
    if not lines:
        return
    _blank(doc)
    _border(lines[0], "top", color="000000", size_eighths=8)
    for paragraph in lines[:-1]:
        _border(paragraph, "bottom", color="000000", size_eighths=6)
    _border(lines[-1], "bottom", color="000000", size_eighths=8)


def render_docx(spec: DocumentSpec) -> bytes:
    """Lay the document out as .docx (python-docx) and return the file's bytes."""
    doc = Document()
    _set_layout(doc)
    # A new document starts with no paragraph; everything is appended in reading order.
    _head(doc, spec)
    _title(doc, spec)
    if spec.recipients:
        recipients = _paragraph(doc, align=WD_PARAGRAPH_ALIGNMENT.LEFT)
        _run(recipients, spec.recipients)
    for block in spec.blocks:
        if isinstance(block, Heading):
            _heading(doc, block)
        elif isinstance(block, Paragraph):
            _body_paragraph(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
            # Word needs a paragraph after a table; it also separates two tables.
            _paragraph(doc)
        elif isinstance(block, Image):
            _image(doc, block)
    if spec.is_minutes or spec.is_brief:
        _attendance(doc, spec)
    else:
        _signature(doc, spec)
        _attendance(doc, spec)
    _imprint(doc, spec)
    doc.core_properties.title = spec.title or f"{spec.issuer} {spec.issue_label}".strip()
    doc.core_properties.author = spec.signature or spec.issuer
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


class PdfConversionError(RuntimeError):
    """LibreOffice is installed but did not turn the .docx into a PDF."""


def soffice_path() -> str | None:
    """The LibreOffice executable (`soffice` or `libreoffice`) on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, timeout: int = 60) -> bytes | None:
    """Convert a .docx to PDF with LibreOffice headless (`make deps-pdf` installs it with CJK
    fonts). Returns None when LibreOffice is not installed; raises PdfConversionError when the
    conversion fails or times out. Each run uses its own temporary profile
    (-env:UserInstallation) so parallel conversions do not lock each other out."""
    binary = soffice_path()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="fuyuan-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        command = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfConversionError(
                f"LibreOffice did not convert the document within {timeout} s"
            ) from exc
        target = work / "document.pdf"
        if result.returncode != 0 or not target.is_file():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
            raise PdfConversionError(
                f"LibreOffice could not convert the document (exit {result.returncode}): "
                f"{detail[:500]}"
            )
        return target.read_bytes()
