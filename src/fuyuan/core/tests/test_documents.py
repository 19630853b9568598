"""GB/T 9704 layout of generated .docx files, and the document number parser."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Emu, Pt

from fuyuan.core.documents import (
    AttendanceBlock,
    DocumentSpec,
    Heading,
    Paragraph,
    Table,
    format_date,
    parse_document_number,
    render_docx,
)
from fuyuan.core.identifiers import IdentifierError

DAY = datetime.date(2026, 1, 5)


def notice_spec() -> DocumentSpec:
    rows = tuple((str(i), f"事项{i}", "市人社局") for i in range(1, 60))
    return DocumentSpec(
        issuer="驻马店市府院联动联席会议办公室",
        title="关于开展行政机关负责人出庭应诉专项督促的通知",
        document_number="驻府院办〔2026〕3号",
        recipients="各成员单位：",
        blocks=(
            Heading("一、总体情况"),
            Paragraph("为贯彻落实府院联动机制，现将有关事项通知如下。" * 8),
            Heading("（一）工作目标", 2),
            Heading("1.具体任务", 3),
            Table(header=("序号", "事项", "牵头单位"), rows=rows, widths=(1, 6, 3)),
        ),
        date=DAY,
        signature="驻马店市府院联动联席会议办公室",
        copy_to="市委办公室，市人大常委会办公室",
        printed_by="驻马店市府院联动联席会议办公室",
    )


def open_docx(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def east_asian(run) -> str:  # type: ignore[no-untyped-def]
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph_with(doc, text: str):  # type: ignore[no-untyped-def]
    return next(p for p in doc.paragraphs if text in p.text)


def test_page_is_a4_with_gb_margins_and_text_block() -> None:
    section = open_docx(render_docx(notice_spec())).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37
    assert round(section.left_margin.mm) == 28
    width = Emu(section.page_width - section.left_margin - section.right_margin)
    height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert (round(width.mm), round(height.mm)) == (156, 225)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_body_is_16pt_fangsong_with_two_character_indent() -> None:
    doc = open_docx(render_docx(notice_spec()))
    paragraph = paragraph_with(doc, "为贯彻落实")
    run = paragraph.runs[0]
    assert run.font.size == Pt(16)
    assert east_asian(run) == "仿宋_GB2312"
    assert paragraph.paragraph_format.first_line_indent == Pt(32)
    assert paragraph.paragraph_format.line_spacing == Pt(28.95)


def test_headings_use_hei_kai_and_fangsong_by_level() -> None:
    doc = open_docx(render_docx(notice_spec()))
    assert east_asian(paragraph_with(doc, "一、总体情况").runs[0]) == "黑体"
    assert east_asian(paragraph_with(doc, "（一）工作目标").runs[0]) == "楷体_GB2312"
    assert east_asian(paragraph_with(doc, "1.具体任务").runs[0]) == "仿宋_GB2312"


def test_head_has_red_issuer_number_with_hexagonal_brackets_and_red_rule() -> None:
    doc = open_docx(render_docx(notice_spec()))
    mark = doc.paragraphs[0]
    assert mark.text == "驻马店市府院联动联席会议办公室"
    assert mark.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert east_asian(mark.runs[0]) == "方正小标宋简体"
    number = paragraph_with(doc, "〔2026〕")
    assert number.text == "驻府院办〔2026〕3号"
    assert number.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"


def test_title_is_22pt_xiaobiaosong_centred() -> None:
    doc = open_docx(render_docx(notice_spec()))
    title = paragraph_with(doc, "关于开展行政机关负责人出庭应诉专项督促的通知")
    assert title.runs[0].font.size == Pt(22)
    assert east_asian(title.runs[0]) == "方正小标宋简体"
    assert title.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER


def test_date_has_no_leading_zeros_and_sits_on_the_right() -> None:
    assert format_date(DAY) == "2026年1月5日"
    doc = open_docx(render_docx(notice_spec()))
    date = next(p for p in doc.paragraphs if p.text == "2026年1月5日")
    assert date.alignment == WD_PARAGRAPH_ALIGNMENT.RIGHT
    assert "2026年01月05日" not in "".join(p.text for p in doc.paragraphs)


def test_page_numbers_alternate_right_on_odd_and_left_on_even_pages() -> None:
    doc = open_docx(render_docx(notice_spec()))
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, alignment in (
        (section.footer, WD_PARAGRAPH_ALIGNMENT.RIGHT),
        (section.even_page_footer, WD_PARAGRAPH_ALIGNMENT.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert 'w:fldCharType="begin"' in xml
        assert paragraph.alignment == alignment
        assert paragraph.runs[0].font.size == Pt(14)


def test_table_header_row_repeats_on_every_page() -> None:
    doc = open_docx(render_docx(notice_spec()))
    table = doc.tables[0]
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None
    assert [c.text for c in table.rows[0].cells] == ["序号", "事项", "牵头单位"]
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None


def test_imprint_lists_copy_to_and_printing_body() -> None:
    doc = open_docx(render_docx(notice_spec()))
    assert paragraph_with(doc, "抄送：").text == "抄送：市委办公室，市人大常委会办公室。"
    assert "2026年1月5日印发" in paragraph_with(doc, "印发").text


def minutes_spec() -> DocumentSpec:
    return DocumentSpec(
        issuer="驻马店市府院联动联席会议",
        title="驻马店市府院联动联席会议第一次全体会议纪要",
        issue_label="第3期",
        is_minutes=True,
        signature="驻马店市府院联动联席会议办公室",
        blocks=(Paragraph("会议议定事项如下。"),),
        date=DAY,
        attendance=(
            AttendanceBlock("出席", ("张三（市政府）", "李四（市中级人民法院）")),
            AttendanceBlock("请假", ("王五（市人社局）",)),
            AttendanceBlock("列席", ("赵六（市司法局）",)),
        ),
    )


def test_minutes_have_red_title_issue_label_and_attendance_blocks() -> None:
    doc = open_docx(render_docx(minutes_spec()))
    mark = doc.paragraphs[0]
    assert mark.text == "驻马店市府院联动联席会议纪要"
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert paragraph_with(doc, "第3期").alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    present = paragraph_with(doc, "出席：")
    assert present.runs[0].text == "出席："
    assert east_asian(present.runs[0]) == "黑体"
    assert "张三（市政府）、李四（市中级人民法院）" in present.text
    assert paragraph_with(doc, "请假：") and paragraph_with(doc, "列席：")
    assert "2026年1月5日" in "".join(p.text for p in doc.paragraphs)


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice is not installed (make deps-pdf)",
)
@pytest.mark.parametrize("spec", [notice_spec, minutes_spec])
def test_libreoffice_converts_the_document_to_pdf(tmp_path, spec) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "doc.docx"
    source.write_bytes(render_docx(spec()))
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [binary, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pdf = tmp_path / "doc.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


# --- document numbers -------------------------------------------------------------------------
def test_document_number_is_parsed() -> None:
    number = parse_document_number("驻府院办〔2026〕3号", today=DAY)
    assert (number.issuer_code, number.year, number.sequence) == ("驻府院办", 2026, 3)
    assert number.value == "驻府院办〔2026〕3号"


@pytest.mark.parametrize(
    "raw",
    ["驻府院办[2026]3号", "驻府院办【2026】3号", "驻府院办（2026）3号", " 驻府院办 (2026) 3号 "],
)
def test_document_number_brackets_are_normalised(raw: str) -> None:
    assert parse_document_number(raw, today=DAY).value == "驻府院办〔2026〕3号"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("驻府院办〔2026〕03号", "docno.leading_zero"),
        ("驻府院办〔2026〕第3号", "docno.format"),
        ("驻府院办〔2026〕3", "docno.format"),
        ("〔2026〕3号", "docno.format"),
        ("驻府院办2026年3号", "docno.format"),
        ("驻府院办〔26〕3号", "docno.year"),
        ("驻府院办〔2035〕3号", "docno.year"),
    ],
)
def test_bad_document_numbers_are_refused_with_a_code(raw: str, code: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        parse_document_number(raw, today=DAY)
    assert caught.value.code == code


def test_copied_table_rows_keep_every_text_and_the_formatting() -> None:
    """Body rows are copied from one formatted row (speed): each cell keeps its own text,
    short rows are padded, a text with a line break goes the formatted way, and every
    copied run carries the formatted row's font and size."""
    rows = (
        ("1", "<征收> & 补偿", "人社局"),
        ("2", " 前后空格 ", ""),
        ("3", "第一行\n第二行", "住建局"),
        ("4",),
    )
    spec = DocumentSpec(
        issuer="驻马店市府院联动联席会议",
        title="表格",
        blocks=(Table(header=("序号", "事项", "牵头单位"), rows=rows),),
        date=DAY,
        signature="办公室",
    )
    table = open_docx(render_docx(spec)).tables[0]
    texts = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert texts == [
        ["1", "<征收> & 补偿", "人社局"],
        ["2", " 前后空格 ", ""],
        ["3", "第一行\n第二行", "住建局"],
        ["4", "", ""],
    ]
    first, fourth = table.rows[1].cells[1], table.rows[4].cells[0]
    for cell in (first, fourth):
        run = cell.paragraphs[0].runs[0]
        assert run.font.size == table.rows[3].cells[0].paragraphs[0].runs[0].font.size
        assert run._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
