"""The importer framework (core.importing): every format and encoding read the same way,
headers matched in Chinese and English, row errors with codes and Excel row numbers,
repeated keys, rows held to confirm, idempotency by file hash and row key, one transaction
and one audit entry per batch, chunked storing of a large file, and who may import."""

from __future__ import annotations

import datetime
import decimal
import gzip
import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fuyuan.accounts.permissions import can
from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import (
    CalendarDay,
    CalendarDayKind,
    ImportBatch,
    ImportIssue,
    ImportState,
    IssueLevel,
)

from .import_test_urls import CountingFeed, DayFeed

pytestmark = pytest.mark.django_db

HEADERS = ("日期", "类型", "名称")
ROWS = (("2024-10-01", "放假", "国庆"), ("2024-10-02", "放假", "国庆"), ("2024-10-12", "上班", ""))
EXPECTED = {
    datetime.date(2024, 10, 1): "holiday",
    datetime.date(2024, 10, 2): "holiday",
    datetime.date(2024, 10, 12): "workday",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def days(monkeypatch) -> DayFeed:  # type: ignore[no-untyped-def]
    feed = DayFeed()
    monkeypatch.setitem(importing._FEEDS, feed.name, feed)
    return feed


@pytest.fixture
def counting(monkeypatch) -> CountingFeed:  # type: ignore[no-untyped-def]
    feed = CountingFeed()
    monkeypatch.setitem(importing._FEEDS, feed.name, feed)
    return feed


def csv_bytes(
    rows: Any = ROWS, headers: Any = HEADERS, encoding: str = "utf-8", newline: str = "\n"
) -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows: Any, headers: Any = HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def objects(rows: Any = ROWS, headers: Any = HEADERS) -> list[dict[str, str]]:
    return [dict(zip(headers, r, strict=True)) for r in rows]


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_days() -> dict[datetime.date, str]:
    return dict(CalendarDay.objects.values_list("date", "kind"))


def issues(batch: ImportBatch) -> list[tuple[int, str, str, str]]:
    return list(
        batch.issues.order_by("row_number", "pk").values_list(
            "row_number", "level", "column", "code"
        )
    )


XLSX_ROWS = [
    (datetime.datetime(2024, 10, 1), "放假", "国庆"),
    (datetime.datetime(2024, 10, 2), "放假", "国庆"),
    (datetime.datetime(2024, 10, 12), "上班", None),
]
FORMATS = {
    "days.csv": csv_bytes(),
    "days-bom.csv": csv_bytes(encoding="utf-8-sig", newline="\r\n"),
    "days-gbk.csv": csv_bytes(encoding="gb18030"),
    "days.csv.gz": gzip.compress(mtime=0, data=csv_bytes()),
    "days.xlsx": xlsx_bytes(XLSX_ROWS),
    "days.json": json.dumps(objects(), ensure_ascii=False).encode(),
    "wrapped.json": json.dumps({"code": 0, "total": 3, "data": objects()}).encode(),
    "days.ndjson": "\n".join(json.dumps(o, ensure_ascii=False) for o in objects()).encode(),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_and_encoding_is_read_to_the_same_rows(name: str) -> None:
    rows = list(importing.read_table(io.BytesIO(FORMATS[name]), name))
    assert rows == objects()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_previewed_then_imported(name, world, days) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    batch = importing.preview("test.days", upload(name, FORMATS[name]), office)
    assert batch.state == ImportState.PREVIEWED
    assert (batch.total_rows, batch.ok_rows, batch.error_rows) == (3, 3, 0)
    assert batch.file.name.startswith("imports/")
    assert stored_days() == {}  # a preview stores no row

    batch = importing.confirm(batch, office)
    assert batch.state == ImportState.IMPORTED
    assert stored_days() == EXPECTED
    assert (batch.created_rows, batch.updated_rows, batch.unchanged_rows) == (3, 0, 0)
    assert batch.imported_by == office


def test_gb18030_text_is_detected_and_decoded(days, world) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(rows=[("2024-10-01", "放假", "国庆节")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    rows = list(importing.read_table(io.BytesIO(content), "导出.csv"))
    assert rows == [{"日期": "2024-10-01", "类型": "放假", "名称": "国庆节"}]


def test_xlsx_dates_become_iso_and_whole_numbers_lose_the_decimal() -> None:
    content = xlsx_bytes(
        [(datetime.datetime(2024, 3, 1), 12.0, 2.5, datetime.datetime(2024, 3, 1, 9, 30), True)],
        headers=("日期", "件数", "比例", "开庭时间", "涉企"),
    )
    rows = list(importing.read_table(io.BytesIO(content), "cases.xlsx"))
    assert rows == [
        {
            "日期": "2024-03-01",
            "件数": "12",
            "比例": "2.5",
            "开庭时间": "2024-03-01 09:30",
            "涉企": "true",
        }
    ]


def test_tab_separated_text_and_a_file_without_extension_are_read() -> None:
    tsv = "日期\t类型\n2024-10-01\t放假\n".encode()
    assert list(importing.read_table(io.BytesIO(tsv), "days.txt")) == [
        {"日期": "2024-10-01", "类型": "放假"}
    ]
    ndjson = b'{"date": "2024-10-01"}\n{"date": "2024-10-02"}\n'
    assert len(list(importing.read_table(io.BytesIO(ndjson), "push"))) == 2


def test_json_is_streamed_piece_by_piece_through_nested_wrappers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(importing, "JSON_READ", 7)  # tiny pieces: every value crosses a boundary
    payload = {
        "meta": {"items": 3, "list": [1, 2]},
        "count": 1234567,
        "result": {"page": 1, "rows": [{"k": i, "v": "值" * 5, "x": None} for i in range(40)]},
    }
    rows = list(importing.read_table(io.BytesIO(json.dumps(payload).encode()), "p.json"))
    assert len(rows) == 40
    assert rows[39] == {"k": "39", "v": "值" * 5, "x": ""}


def test_headers_match_in_english_and_chinese_whatever_the_case_spaces_and_width(
    days, world
) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(headers=("\ufeff DATE ", "Ｔｙｐｅ", "“名 称”"))
    batch = importing.preview("test.days", upload("days.csv", content), world.users["city_office"])
    assert batch.ok_rows == 3
    assert batch.header_map == {"DATE": "date", "Ｔｙｐｅ": "kind", "“名 称”": "name"}


def test_unknown_columns_are_ignored_and_listed(days, world) -> None:  # type: ignore[no-untyped-def]
    rows = [(*r, "x") for r in ROWS]
    content = csv_bytes(rows=rows, headers=(*HEADERS, "备注"))
    batch = importing.preview("test.days", upload("days.csv", content), world.users["city_office"])
    assert batch.ok_rows == 3
    assert batch.header_map["备注"] == ""


def test_a_missing_required_header_refuses_the_file_and_stores_nothing(
    days, world, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(rows=[(r[0], r[2]) for r in ROWS], headers=("日期", "名称"))
    with pytest.raises(importing.ImportFileError) as refused:
        importing.preview("test.days", upload("days.csv", content), world.users["city_office"])
    assert refused.value.code == "import.headers"
    assert "Kind" in refused.value.message or "类型" in refused.value.message
    assert ImportBatch.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_two_columns_meaning_the_same_refuse_the_file(days, world) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(rows=[(*r, r[0]) for r in ROWS], headers=(*HEADERS, "date"))
    with pytest.raises(importing.ImportFileError) as refused:
        importing.preview("test.days", upload("days.csv", content), world.users["city_office"])
    assert refused.value.code == "import.headers"


# UTF-8 in the first 64 KB, GB18030 after: detected as UTF-8, refused where it breaks.
MIXED_ENCODINGS = (
    "日期,类型\n2024-10-01,放假\n".encode() + b"x" * 70000 + "\n2024年,放".encode("gb18030")
)


UNREADABLE = [
    ("empty.csv", b"", "import.empty"),
    ("blank.csv", b"\n\n,,\n", "import.empty"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "import.format"),
    ("broken.csv.gz", b"\x1f\x8b\x08\x00broken", "import.gzip"),
    ("cut.csv.gz", gzip.compress(mtime=0, data=csv_bytes() * 50)[:-30], "import.gzip"),
    ("bad.json", b'[{"a": 1}, {"a": ', "import.json"),
    ("object.json", b'{"a": 1}', "import.json"),
    ("scalars.json", b"[1, 2]", "import.json"),
    ("bad.ndjson", b'{"a": 1}\nnot json\n', "import.json"),
    ("fake.xlsx", b"PK\x03\x04 not a zip", "import.xlsx"),
    ("mixed.csv", MIXED_ENCODINGS, "import.encoding"),
]


@pytest.mark.parametrize(
    ("name", "content", "code"), UNREADABLE, ids=[case[0] for case in UNREADABLE]
)
def test_unreadable_files_are_refused_with_a_code(name: str, content: bytes, code: str) -> None:
    with pytest.raises(importing.ImportFileError) as refused:
        list(importing.read_table(io.BytesIO(content), name))
    assert refused.value.code == code


def test_row_errors_carry_codes_columns_and_the_row_number_seen_in_excel(days, world) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(
        rows=[
            ("2024-10-01", "放假", "国庆"),  # row 2: good
            ("2024-13-01", "放假", ""),  # row 3: not a date
            ("", "", ""),  # row 4: blank, skipped
            ("2024-10-03", "", ""),  # row 5: kind required
            ("2024-10-04", "开会", ""),  # row 6: not a kind
            ("2024-10-05", "放假", "国庆节假期第五天的名称"),  # row 7: too long (11 > 10)
            ("1999-10-01", "放假", ""),  # row 8: refused by the feed's clean_row
        ]
    )
    batch = importing.preview("test.days", upload("days.csv", content), world.users["city_office"])
    assert (batch.total_rows, batch.ok_rows, batch.error_rows) == (6, 1, 5)
    assert issues(batch) == [
        (3, "error", "date", "import.date"),
        (5, "error", "kind", "import.required"),
        (6, "error", "kind", "import.choice"),
        (7, "error", "name", "import.too_long"),
        (8, "error", "date", "test.too_old"),
    ]
    bad_date = batch.issues.get(row_number=3)
    assert bad_date.raw == [["日期", "2024-13-01"], ["类型", "放假"], ["名称", ""]]
    assert "2024-13-01" in bad_date.message

    importing.confirm(batch, world.users["city_office"])
    assert stored_days() == {datetime.date(2024, 10, 1): "holiday"}


def test_xlsx_row_numbers_are_the_sheet_rows(days, world) -> None:  # type: ignore[no-untyped-def]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "日期", "类型"  # header on row 3, rows 1-2 empty
    sheet["A4"], sheet["B4"] = datetime.datetime(2024, 10, 1), "放假"
    sheet["A6"], sheet["B6"] = "not a date", "放假"
    out = io.BytesIO()
    workbook.save(out)
    batch = importing.preview(
        "test.days", upload("d.xlsx", out.getvalue()), world.users["city_office"]
    )
    assert issues(batch) == [(6, "error", "date", "import.date")]


def test_a_repeated_row_key_is_reported_and_stored_once(days, world) -> None:  # type: ignore[no-untyped-def]
    rows = [*ROWS, ("2024/10/1", "放假", "again")]  # the same date written differently
    batch = importing.preview(
        "test.days", upload("days.csv", csv_bytes(rows=rows)), world.users["city_office"]
    )
    assert (batch.ok_rows, batch.duplicate_rows) == (3, 1)
    [dup] = batch.issues.all()
    assert (dup.row_number, dup.level, dup.code, dup.row_key) == (
        5,
        IssueLevel.DUPLICATE,
        "import.duplicate_row",
        "2024-10-01",
    )
    assert "2" in dup.message  # names the row that came first
    importing.confirm(batch, world.users["city_office"])
    assert CalendarDay.objects.get(date=datetime.date(2024, 10, 1)).name == "国庆"


def test_rows_to_confirm_are_held_unless_accepted(days, world) -> None:  # type: ignore[no-untyped-def]
    rows = [*ROWS, ("2024-10-14", "上班", "")]  # a moved working day on a Monday: held
    batch = importing.preview(
        "test.days", upload("days.csv", csv_bytes(rows=rows)), world.users["city_office"]
    )
    assert (batch.ok_rows, batch.held_rows) == (3, 1)
    assert issues(batch) == [(5, "warning", "date", "test.workday_on_weekday")]

    batch = importing.confirm(batch, world.users["city_office"])
    assert datetime.date(2024, 10, 14) not in stored_days()
    assert batch.held_rows == 1 and not batch.accepted_held


def test_rows_to_confirm_are_stored_when_accepted_with_a_reason(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    rows = [*ROWS, ("2024-10-14", "上班", "")]
    batch = importing.preview("test.days", upload("days.csv", csv_bytes(rows=rows)), office)

    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(batch, office, accept_held=True, reason="  ")
    assert refused.value.code == "import.reason_required"
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED and stored_days() == {}

    batch = importing.confirm(batch, office, accept_held=True, reason="法院确认的调休安排")
    assert stored_days()[datetime.date(2024, 10, 14)] == "workday"
    assert batch.accepted_held and batch.held_reason == "法院确认的调休安排"
    assert batch.created_rows == 4
    entry = AuditEntry.objects.get(action="import.test.days")
    assert entry.detail["held_reason"] == "法院确认的调休安排"


def test_the_same_file_after_import_is_a_duplicate_and_cannot_be_confirmed(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    first = importing.preview("test.days", upload("days.csv", csv_bytes()), office)
    importing.confirm(first, office)

    again = importing.preview(
        "test.days", upload("renamed.csv", csv_bytes()), world.users["a_office"]
    )
    assert again.pk != first.pk
    assert again.state == ImportState.DUPLICATE_FILE
    assert again.duplicate_of == first
    assert not again.file and not again.issues.exists()
    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(again, office)
    assert refused.value.code == "import.already_imported"
    assert len(days.calls) == 1
    assert AuditEntry.objects.filter(action="import.test.days").count() == 1


def test_confirming_twice_is_refused(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    batch = importing.preview("test.days", upload("days.csv", csv_bytes()), office)
    importing.confirm(batch, office)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(batch, office)
    assert refused.value.code == "import.already_imported"
    stale_copy = ImportBatch.objects.get(pk=batch.pk)
    stale_copy.state = ImportState.PREVIEWED  # a copy read before the first confirmation
    with pytest.raises(importing.ImportFileError):
        importing.confirm(stale_copy, office)
    assert days.calls == [3]


def test_of_two_previews_of_one_file_only_one_is_imported(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    first = importing.preview("test.days", upload("days.csv", csv_bytes()), office)
    second = importing.preview(
        "test.days", upload("days.csv", csv_bytes()), world.users["a_office"]
    )
    assert second.state == ImportState.PREVIEWED  # nothing imported yet
    importing.confirm(second, office)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(first, office)
    assert refused.value.code == "import.already_imported"


def test_a_second_export_updates_changed_rows_and_keeps_the_rest(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    importing.confirm(importing.preview("test.days", upload("a.csv", csv_bytes()), office), office)
    rows = [ROWS[0], ("2024-10-02", "放假", "国庆节"), ROWS[2], ("2024-10-03", "放假", "")]
    batch = importing.preview("test.days", upload("b.csv", csv_bytes(rows=rows)), office)
    batch = importing.confirm(batch, office)
    assert (batch.created_rows, batch.updated_rows, batch.unchanged_rows) == (1, 1, 2)
    assert CalendarDay.objects.count() == 4


def test_a_failing_store_stores_nothing_and_leaves_the_batch_failed(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    days.chunk_size = 2  # type: ignore[misc]
    days.fail_on_call = 2  # the first chunk is written, then the second call breaks
    batch = importing.preview("test.days", upload("days.csv", csv_bytes()), office)
    batch = importing.confirm(batch, office)

    assert days.calls == [2, 1]
    assert batch.state == ImportState.FAILED
    assert "the store broke" in batch.failure
    assert stored_days() == {}  # the first chunk was rolled back with the rest
    assert batch.issues.count() == 0 and batch.created_rows == 0
    failed = AuditEntry.objects.get(action="import.test.days")
    assert failed.outcome == "failed" and "the store broke" in failed.detail["error"]

    days.fail_on_call = None  # fixed: the same batch can be confirmed again
    batch = importing.confirm(batch, office)
    assert batch.state == ImportState.IMPORTED and batch.failure == ""
    assert stored_days() == EXPECTED


def test_a_large_file_is_stored_in_chunks_of_a_thousand_with_one_audit_entry(
    counting, world
) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]

    def lines():  # type: ignore[no-untyped-def]
        yield "编号,数值\n"
        for i in range(20_000):
            yield f"K{i:05d},{i}\n"
        yield "K00007,7\n"  # a repeated key at the end
        yield "K99999,many\n"  # a bad number

    content = "".join(lines()).encode()
    batch = importing.preview("test.counting", upload("big.csv", content), office)
    assert (batch.total_rows, batch.ok_rows, batch.duplicate_rows, batch.error_rows) == (
        20_002,
        20_000,
        1,
        1,
    )
    assert counting.calls == []

    batch = importing.confirm(batch, office)
    assert counting.calls == [1000] * 20
    assert len(counting.rows) == 20_000 and counting.rows["K19999"] == 19999
    assert batch.created_rows == 20_000
    assert issues(batch) == [
        (20_002, "duplicate", "", "import.duplicate_row"),
        (20_003, "error", "value", "import.int"),
    ]
    [entry] = AuditEntry.objects.filter(action="import.test.counting")
    assert entry.object_id == str(batch.pk)
    assert entry.detail["counts"]["total"] == 20_002
    assert entry.detail["stored"]["created"] == 20_000
    assert entry.detail["sha256"] == batch.sha256


def test_prepare_runs_once_per_pass(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    batch = importing.preview("test.days", upload("days.csv", csv_bytes()), office)
    importing.confirm(batch, office)
    assert days.prepared == 2


def test_only_those_the_feed_allows_may_preview_or_confirm(days, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        importing.preview("test.days", upload("days.csv", csv_bytes()), world.users["court_staff"])
    assert ImportBatch.objects.count() == 0
    batch = importing.preview(
        "test.days", upload("days.csv", csv_bytes()), world.users["city_office"]
    )
    with pytest.raises(PermissionDenied):
        importing.confirm(batch, world.users["hrss_liaison"])
    assert can(world.users["a_office"], "confirm", batch)
    assert not can(world.users["hrss_liaison"], "confirm", batch)
    importing.confirm(batch, world.users["a_office"])
    batch.refresh_from_db()
    assert not can(world.users["a_office"], "confirm", batch)  # already imported


def test_an_unknown_feed_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(importing.ImportFileError) as refused:
        importing.preview("no.such", upload("x.csv", csv_bytes()), world.users["city_office"])
    assert refused.value.code == "import.feed"


def test_batches_are_visible_to_the_uploader_and_those_who_may_import(
    days, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    batch = importing.preview(
        "test.days", upload("days.csv", csv_bytes()), world.users["city_office"]
    )
    visible = ImportBatch.objects.visible_to
    assert batch in visible(world.users["city_office"])
    assert batch in visible(world.users["a_office"])  # may import to the feed
    assert batch not in visible(world.users["court_staff"])
    assert not visible(AnonymousUser()).exists()
    # The uploader keeps seeing the batch after losing the right to import.
    monkeypatch.setattr(days, "may_import", lambda user: False)
    assert batch in visible(world.users["city_office"])
    assert batch not in visible(world.users["a_office"])


def test_a_batch_id_given_twice_returns_the_first_batch(counting, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    content = b'{"key": "A", "value": 1}\n'
    first = importing.preview(
        "test.counting", upload("p.ndjson", content), office, batch_id="push-1"
    )
    again = importing.preview(
        "test.counting", upload("p2.ndjson", b'{"key": "B"}\n'), office, batch_id="push-1"
    )
    assert again.pk == first.pk and ImportBatch.objects.count() == 1
    other = importing.preview(
        "test.counting", upload("p.ndjson", content), office, batch_id="push-2"
    )
    assert other.pk != first.pk


def test_options_reach_the_feed_through_the_context(days, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[Any] = []
    monkeypatch.setattr(days, "prepare", lambda ctx: seen.append((ctx.mode, ctx.options)))
    office = world.users["city_office"]
    batch = importing.preview("test.days", upload("d.csv", csv_bytes()), office, options={"m": 3})
    importing.confirm(batch, office)
    assert seen == [("preview", {"m": 3}), ("confirm", {"m": 3})]


def test_issues_page_labels_columns_and_marks_the_cell(days, world) -> None:  # type: ignore[no-untyped-def]
    rows = [(f"2024-13-{i:02d}", "放假", "") for i in range(1, 8)]
    batch = importing.preview(
        "test.days", upload("d.csv", csv_bytes(rows=rows)), world.users["city_office"]
    )
    page = importing.issues_page(batch, 2, per_page=5)
    assert page.paginator.count == 7
    assert [i.row_number for i in page] == [7, 8]
    first = page[0]
    assert first.column_label == "Date"
    assert first.cells == [
        ("日期", "2024-13-06", True),
        ("类型", "放假", False),
        ("名称", "", False),
    ]
    assert importing.issues_page(batch, 1, level=IssueLevel.WARNING).paginator.count == 0
    assert ImportIssue.objects.filter(batch=batch).count() == 7


# --- parsers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "2024 年 3 月 1 日",
        "20240301",
        "２０２４－０３－０１",
        "2024-03-01 00:00:00",
        "2024-03-01T10:30:00+08:00",
        "45352",
    ],
)
def test_parse_date_reads_the_usual_forms(text: str) -> None:
    assert importing.parse_date(text) == datetime.date(2024, 3, 1)


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "3/1/2024", "next week", "2024"])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(importing.CellError) as refused:
        importing.parse_date(text)
    assert refused.value.code == "import.date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 09:30", (2024, 3, 1, 9, 30)),
        ("2024/3/1 9:30:15", (2024, 3, 1, 9, 30, 15)),
        ("2024年3月1日 9时30分", (2024, 3, 1, 9, 30)),
        ("2024年3月1日下午3点", (2024, 3, 1, 15, 0)),
        ("2024-03-01T01:30:00Z", (2024, 3, 1, 9, 30)),
        ("2024-03-01", (2024, 3, 1, 0, 0)),
    ],
)
def test_parse_datetime_gives_local_aware_times(text: str, expected: tuple[int, ...]) -> None:
    from django.utils import timezone

    value = importing.parse_datetime(text)
    assert timezone.is_aware(value)
    assert timezone.localtime(value).replace(tzinfo=None) == datetime.datetime(*expected)


def test_parse_bool_int_and_decimal() -> None:
    yes, no = ("是", "Y", "true", "1", "涉企", "√"), ("否", "n", "FALSE", "0", "不涉企", "×")
    assert [importing.parse_bool(t) for t in yes] == [True] * 6
    assert [importing.parse_bool(t) for t in no] == [False] * 6
    with pytest.raises(importing.CellError) as refused:
        importing.parse_bool("maybe")
    assert refused.value.code == "import.bool"
    assert importing.parse_int("1,234") == 1234 and importing.parse_int("12.0") == 12
    with pytest.raises(importing.CellError) as refused:
        importing.parse_int("12.5")
    assert refused.value.code == "import.int"
    assert importing.parse_decimal("¥1,234.50元") == decimal.Decimal("1234.50")
    with pytest.raises(importing.CellError) as refused:
        importing.parse_decimal("NaN")
    assert refused.value.code == "import.decimal"


def test_choice_accepts_labels_in_both_languages_and_keys() -> None:
    from django.utils import translation

    parse = importing.choice(CalendarDayKind)
    assert parse("holiday") == "holiday"
    assert parse("Public holiday (no work)") == "holiday"
    with translation.override("zh-hans"):
        chinese = str(CalendarDayKind.HOLIDAY.label)
        assert importing.choice(CalendarDayKind)(chinese) == "holiday"
    mapped = importing.choice({"驳回": "dismissed", "撤销": "revoked"})
    assert mapped(" 驳回 ") == "dismissed" and mapped("REVOKED") == "revoked"
    with pytest.raises(importing.CellError) as refused:
        mapped("调解")
    assert refused.value.code == "import.choice" and "驳回" in refused.value.message


def test_a_parser_raising_value_error_names_the_column(days, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def strict(text: str) -> str:
        raise ValueError("no good")

    column = importing.Column("name", "Name", headers=("名称",), parse=strict)
    monkeypatch.setattr(DayFeed, "columns", (*DayFeed.columns[:2], column))
    content = csv_bytes(rows=[("2024-10-01", "放假", "x")])
    batch = importing.preview("test.days", upload("d.csv", content), world.users["city_office"])
    [issue] = batch.issues.all()
    assert (issue.code, issue.column) == ("import.invalid", "name")
    assert issue.message == "Name: no good"


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(min(len(buffer), 1000))  # short reads, as a pipe gives
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("name", ["days.csv", "days.csv.gz", "days.xlsx", "days.json"])
def test_streams_that_cannot_seek_are_read(name: str) -> None:
    rows = list(importing.read_table(_Pipe(FORMATS[name]), name))  # type: ignore[arg-type]
    assert rows == objects()


def test_a_plain_file_from_a_drop_folder_is_previewed(days, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "drop" / "法院导出.csv"
    path.parent.mkdir()
    path.write_bytes(csv_bytes(encoding="gb18030"))
    with path.open("rb") as handle:
        batch = importing.preview("test.days", handle, world.users["city_office"])
    assert batch.name == "法院导出.csv" and batch.ok_rows == 3
    assert importing.confirm(batch, world.users["city_office"]).created_rows == 3
