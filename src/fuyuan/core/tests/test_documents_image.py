"""Pictures (charts) in generated GB/T 9704 documents: an `Image` block puts the PNG in its
own centred paragraph, at the asked width (never wider than the text block), with its caption
under it, and leaves every other block as it was."""

from __future__ import annotations

import datetime
import io

from docx import Document
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm

from fuyuan.core import charts
from fuyuan.core.documents import DocumentSpec, Heading, Image, Paragraph, Table, render_docx

DAY = datetime.date(2026, 1, 5)


def chart() -> bytes:
    return charts.bar_chart(
        ["西平县", "上蔡县"], [charts.Series("败诉率", [25.0, 40.0])], percent=True
    )


def spec(*blocks: object) -> DocumentSpec:
    return DocumentSpec(
        issuer="驻马店市中级人民法院",
        title="2025年度行政案件报告",
        blocks=tuple(blocks),  # type: ignore[arg-type]
        date=DAY,
        signature="驻马店市中级人民法院",
    )


def open_docx(data: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(data))


def picture_paragraphs(doc):  # type: ignore[no-untyped-def]
    return [p for p in doc.paragraphs if p._element.findall(".//" + qn("w:drawing"))]


def test_an_image_block_puts_the_picture_with_its_caption() -> None:
    doc = open_docx(
        render_docx(
            spec(
                Heading("四、图表"),
                Image(chart(), width_cm=12, caption="图1 各地区败诉率"),
                Paragraph("正文。"),
            )
        )
    )
    assert len(doc.inline_shapes) == 1
    assert abs(doc.inline_shapes[0].width - Cm(12)) < Cm(0.01)
    (picture,) = picture_paragraphs(doc)
    assert picture.alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    # Not an exact 28.95 pt line, which would crop the picture to one line.
    assert picture.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
    assert picture._element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    texts = [p.text for p in doc.paragraphs]
    index = texts.index("图1 各地区败诉率")
    assert doc.paragraphs[index - 1]._p is picture._p
    assert doc.paragraphs[index].alignment == WD_PARAGRAPH_ALIGNMENT.CENTER
    assert picture.paragraph_format.keep_with_next
    assert doc.paragraphs[index + 1].text == "正文。"
    # The package holds the PNG itself.
    blobs = [part.blob for part in doc.part.package.parts if part.content_type == "image/png"]
    assert blobs and blobs[0][:8] == b"\x89PNG\r\n\x1a\n"


def test_an_image_is_never_wider_than_the_text_block() -> None:
    doc = open_docx(render_docx(spec(Image(chart(), width_cm=30))))
    assert abs(doc.inline_shapes[0].width - Cm(15.6)) < Cm(0.01)


def test_an_image_without_caption_adds_no_caption_paragraph() -> None:
    doc = open_docx(render_docx(spec(Image(chart()), Paragraph("后文。"))))
    (picture,) = picture_paragraphs(doc)
    texts = [p.text for p in doc.paragraphs]
    after = [p._p for p in doc.paragraphs].index(picture._p) + 1
    assert texts[after] == "后文。"
    assert not picture.paragraph_format.keep_with_next


def test_documents_without_images_are_unchanged() -> None:
    table = Table(header=("地区", "新收"), rows=(("西平县", "3"),))
    doc = open_docx(render_docx(spec(Heading("一、总体情况"), Paragraph("正文。"), table)))
    assert len(doc.inline_shapes) == 0
    assert doc.tables[0].rows[1].cells[1].text == "3"
