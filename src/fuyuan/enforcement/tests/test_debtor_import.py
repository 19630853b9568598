"""The court's dishonest-debtor files read by the shared importer: the same sample rows as a
UTF-8 CSV, a GB18030 CSV, an .xlsx and a JSON file in the public list's field names. Good
rows are stored only after confirmation, each refused row is reported with its code, rows
with a bad check character are held "to confirm" (stored as held entries only when
accepted), repeated rows are reported, the same file twice changes nothing, and the removal
file takes entries off the list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing, sample_files
from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.enforcement import debtor_actions
from fuyuan.enforcement.importers import DEBTORS_FEED, REMOVALS_FEED, row_key_for
from fuyuan.enforcement.models import DebtorRecord, DebtorState, IdType, PartyKind
from fuyuan.enforcement.samples import make_samples as samples

pytestmark = pytest.mark.django_db

FORMATS = {
    "utf-8 csv": ("debtors_utf8.csv", "csv-utf8"),
    "gb18030 csv": ("debtors_gb18030.csv", "csv"),
    "xlsx": ("debtors.xlsx", "xlsx"),
    "json": ("debtors.json", "json"),
}
GOOD = len(samples.GOOD)
HELD = len(samples.HELD)
REFUSED = len(samples.REFUSED)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2025, 12, 1, 10, 0), tick=False):
        yield


def upload(kind: str, fmt: str, name: str = "") -> SimpleUploadedFile:
    content = samples.build(kind, fmt)
    return SimpleUploadedFile(name or f"{kind}.{fmt.split('-')[0]}", content)


def preview(world: Any, fmt: str, user: str = "court_staff", feed: str = DEBTORS_FEED) -> Any:
    name, code = FORMATS[fmt]
    return importing.preview(feed, upload("debtors", code, name), world.users[user])


def codes_by_row(batch: ImportBatch) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for number, code in batch.issues.values_list("row_number", "code"):
        found.setdefault(number, set()).add(code)
    return found


def row_number(index: int, fmt: str) -> int:
    """Spreadsheet rows start under the header (row 2); JSON rows count from 1."""
    return index + (1 if fmt == "json" else 2)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_preview_reports_each_bad_row_with_its_code_and_stores_nothing(world, fmt):
    batch = preview(world, fmt)
    assert batch.state == ImportState.PREVIEWED
    assert (batch.ok_rows, batch.held_rows, batch.error_rows, batch.duplicate_rows) == (
        GOOD,
        HELD,
        REFUSED,
        1,
    )
    codes = codes_by_row(batch)
    for i, (_row, code) in enumerate(samples.REFUSED):
        index = GOOD + HELD + i
        if fmt == "json":
            code = samples.JSON_CODES.get(i, code)
        assert code in codes[row_number(index, fmt)], (index, codes)
    held_rows = [row_number(GOOD + i, fmt) for i in range(HELD)]
    assert codes[held_rows[0]] == {"uscc.checksum"}
    assert codes[held_rows[1]] == {"resident_id.check"}
    assert codes[row_number(len(samples.ROWS) - 1, fmt)] == {"import.duplicate_row"}
    assert not DebtorRecord.objects.exists()


def test_the_preview_keeps_identity_numbers_of_problem_rows_masked(world):
    batch = preview(world, "utf-8 csv")
    held = batch.issues.filter(code="resident_id.check").first()
    cells = dict(held.raw)
    shown = [text for text in cells.values() if "*" in text]
    assert shown, cells  # the number is there, masked (first 6 + stars + last 4)
    assert not any(
        len(text) >= 15 and text.isalnum() and text[:6].isdigit() and "*" not in text
        for text in cells.values()
    ), cells


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_confirm_stores_the_good_rows_with_their_document_types(world, fmt):
    batch = importing.confirm(preview(world, fmt), world.users["court_staff"])
    assert batch.state == ImportState.IMPORTED
    assert batch.created_rows == GOOD
    assert DebtorRecord.objects.count() == GOOD
    assert set(DebtorRecord.objects.values_list("state", flat=True)) == {DebtorState.ACTIVE}
    types = dict(DebtorRecord.objects.values_list("name", "id_type"))
    assert types == {
        "张建国": IdType.RESIDENT_ID,
        "李秀英": IdType.RESIDENT_ID,
        "驻马店市恒达建材有限公司": IdType.CREDIT_CODE,
        "王磊": IdType.RESIDENT_ID,
        "陈志强": IdType.HK_MACAO_PERMIT,
        "刘振华": IdType.RESIDENT_ID_15,
        "马丽": IdType.PASSPORT,
        "上蔡县鑫源农业开发有限公司": IdType.ORGANISATION_CODE,
    }
    company = DebtorRecord.objects.get(name="驻马店市恒达建材有限公司")
    assert company.party_kind == PartyKind.ORGANISATION
    assert company.legal_representative == "周明亮"
    assert company.court_name == "驻马店市驿城区人民法院"
    assert company.filed_on == datetime.date(2024, 1, 16)
    assert company.published_on == datetime.date(2024, 4, 9)
    # The court is linked when the city knows it (the intermediate court is in the world).
    first = DebtorRecord.objects.get(name="张建国")
    assert first.court == world.units["court"]
    assert first.id_number == "411702197508123459"
    assert first.id_display == "411702********3459"
    assert "411702197508123459" not in first.row_key
    partly = DebtorRecord.objects.get(name="李秀英")
    assert partly.performance == "partial"
    assert partly.performed_part == "已还款2万元"
    masked = DebtorRecord.objects.get(name="王磊")
    assert masked.id_masked
    assert masked.row_key == row_key_for("（2024）豫1722执77号", name="王磊")
    assert AuditEntry.objects.filter(action=f"import.{DEBTORS_FEED}").count() == 1


def test_held_rows_are_stored_as_to_confirm_only_when_accepted_with_a_reason(world):
    batch = preview(world, "gb18030 csv")
    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(batch, world.users["court_staff"], accept_held=True)
    assert refused.value.code == "import.reason_required"
    batch = importing.confirm(
        batch, world.users["court_staff"], accept_held=True, reason="与法院核对，早期代码"
    )
    assert batch.created_rows == GOOD + HELD
    held = DebtorRecord.objects.filter(state=DebtorState.TO_CONFIRM)
    assert set(held.values_list("name", flat=True)) == {"驻马店市天中物流有限公司", "赵红梅"}
    assert all("与法院核对" in h.hold_reason for h in held)
    assert not DebtorRecord.objects.hitting().filter(state=DebtorState.TO_CONFIRM).exists()
    entry = held.get(name="赵红梅")
    confirmed = debtor_actions.confirm_held(world.users["city_office"], entry, "已电话核实")
    assert confirmed.state == DebtorState.ACTIVE
    assert AuditEntry.objects.filter(action="enforcement.debtor.confirm").count() == 1


def test_the_same_file_twice_is_a_duplicate_and_the_same_rows_are_unchanged(world):
    importing.confirm(preview(world, "gb18030 csv"), world.users["court_staff"])
    again = preview(world, "gb18030 csv", user="city_office")
    assert again.state == ImportState.DUPLICATE_FILE
    with pytest.raises(importing.ImportFileError):
        importing.confirm(again, world.users["city_office"])
    before = list(DebtorRecord.objects.order_by("pk").values("pk", "version", "updated_at"))
    # The same rows in another format: a different file, every row unchanged.
    for fmt in ("utf-8 csv", "xlsx", "json"):
        other = importing.confirm(preview(world, fmt), world.users["court_staff"])
        assert (other.created_rows, other.updated_rows, other.unchanged_rows) == (0, 0, GOOD), fmt
    after = list(DebtorRecord.objects.order_by("pk").values("pk", "version", "updated_at"))
    assert after == before


def test_a_changed_row_updates_its_entry(world):
    importing.confirm(preview(world, "gb18030 csv"), world.users["court_staff"])
    rows = [dict(samples.GOOD[1], performance="全部未履行", performed_part="")]
    content = sample_files.table_bytes("csv", samples.HEADERS, samples.table(rows))
    batch = importing.preview(
        DEBTORS_FEED, SimpleUploadedFile("later.csv", content), world.users["court_staff"]
    )
    batch = importing.confirm(batch, world.users["court_staff"])
    assert (batch.created_rows, batch.updated_rows) == (0, 1)
    entry = DebtorRecord.objects.get(name="李秀英")
    assert entry.performance == "none"
    assert entry.version == 2


def test_liaison_officers_and_leaders_may_not_import(world):
    for user in ("hrss_liaison", "city_leader", "system_admin"):
        with pytest.raises(PermissionDenied):
            preview(world, "xlsx", user=user)


def test_removals_take_entries_off_the_list_and_unknown_entries_are_refused(world):
    importing.confirm(preview(world, "xlsx"), world.users["court_staff"])
    batch = importing.preview(
        REMOVALS_FEED, upload("removals", "csv", "removals.csv"), world.users["city_office"]
    )
    codes = codes_by_row(batch)
    for i, code in enumerate(samples.REMOVAL_CODES):
        if code:
            assert code in codes[i + 2]
        else:
            assert i + 2 not in codes
    batch = importing.confirm(batch, world.users["city_office"])
    assert batch.updated_rows == 2
    performed = DebtorRecord.objects.get(name="李秀英")
    assert performed.state == DebtorState.REMOVED
    assert performed.removed_on == datetime.date(2025, 9, 1)
    assert performed.removal_reason == "performed"
    corrected = DebtorRecord.objects.get(name="王磊")  # published masked: found by its name
    assert corrected.removal_reason == "corrected"
    assert corrected.removal_note == "身份信息有误"
    hitting = set(DebtorRecord.objects.hitting().values_list("name", flat=True))
    assert "李秀英" not in hitting and "王磊" not in hitting and "张建国" in hitting
    # The same removals in another file change nothing.
    again = importing.preview(
        REMOVALS_FEED, upload("removals", "xlsx", "removals.xlsx"), world.users["city_office"]
    )
    again = importing.confirm(again, world.users["city_office"])
    assert (again.updated_rows, again.unchanged_rows) == (0, 2)


def test_search_by_identifier_uses_the_blind_index(world):
    importing.confirm(preview(world, "json"), world.users["court_staff"])
    found = debtor_actions.search_by_identifier(world.users["hrss_liaison"], "91411700ma44b7kx47")
    assert [e.name for e in found] == ["驻马店市恒达建材有限公司"]
    found = debtor_actions.search_by_identifier(world.users["hrss_liaison"], "31752487-3")
    assert [e.name for e in found] == ["上蔡县鑫源农业开发有限公司"]
    assert not debtor_actions.search_by_identifier(world.users["system_admin"], "E12345678")


def test_queries_do_not_grow_with_the_rows(world):
    def count(rows: list[dict[str, Any]], name: str) -> int:
        content = sample_files.table_bytes(
            "csv", samples.HEADERS, samples.table(rows), encoding="utf-8"
        )
        with CaptureQueriesContext(connection) as ctx:
            batch = importing.preview(
                DEBTORS_FEED, SimpleUploadedFile(name, content), world.users["court_staff"]
            )
            importing.confirm(batch, world.users["court_staff"])
        return len(ctx.captured_queries)

    def rows(n: int, start: int) -> list[dict[str, Any]]:
        return [dict(samples.GOOD[0], case_number=f"（2024）豫17执{start + i}号") for i in range(n)]

    few = count(rows(2, 100), "few.csv")
    many = count(rows(40, 200), "many.csv")
    assert many <= few + 2
