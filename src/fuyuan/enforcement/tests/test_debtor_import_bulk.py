"""The debtor list's bulk path: new entries written from prepared values (identifier encrypted
and blind index computed once in `clean_row`) through `importing.bulk_insert` — COPY on
PostgreSQL, executemany elsewhere — read back exactly as the ORM writes them; a CSV from
`samples.bulk.write_csv` imports whole; a failure half-way leaves nothing written."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from fuyuan.core import crypto, importing
from fuyuan.core.models import ImportState
from fuyuan.enforcement.importers import DEBTORS_FEED, identifier_index, row_key_for
from fuyuan.enforcement.models import DebtorRecord, DebtorState
from fuyuan.enforcement.samples import bulk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _csv(count: int, start: int = 50_000_000) -> SimpleUploadedFile:
    out = io.BytesIO()
    bulk.write_csv(out, count, start)
    return SimpleUploadedFile("debtors.csv", out.getvalue(), content_type="text/csv")


def test_write_csv_is_deterministic_and_in_the_court_columns() -> None:
    a, b = io.BytesIO(), io.BytesIO()
    assert bulk.write_csv(a, 3, 7) == bulk.write_csv(b, 3, 7) == len(a.getvalue())
    assert a.getvalue() == b.getvalue()
    lines = a.getvalue().decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["被执行人姓名/名称", "证件类型", "身份证号码/组织机构代码"]
    assert len(lines) == 4 and bulk.debtor(8)["cardNum"] in lines[2]


def test_a_generated_csv_imports_whole_with_the_identifiers_encrypted(world: Any) -> None:
    batch, _ = importing.submit(DEBTORS_FEED, _csv(120), world.users["court_staff"])
    batch = importing.process(batch)
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert (batch.ok_rows, batch.created_rows) == (120, 120)
    row = bulk.debtor(50_000_057)
    entry = DebtorRecord.objects.get(case_number=row["caseCode"])
    assert entry.id_number == row["cardNum"]
    assert entry.id_index == identifier_index(row["cardNum"])
    assert entry.row_key == row_key_for(row["caseCode"], identifier=row["cardNum"])
    assert entry.state == DebtorState.ACTIVE and entry.version == 1
    assert entry.filed_on == datetime.date.fromisoformat(row["regDate"])
    assert entry.created_at == entry.updated_at
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number FROM {DebtorRecord._meta.db_table} WHERE id = %s", [entry.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith(crypto.PREFIX + ":") and row["cardNum"] not in stored
    # The same rows again (a file overlapping this one): unchanged, nothing inserted twice.
    again, _ = importing.submit(DEBTORS_FEED, _csv(130), world.users["court_staff"])
    again = importing.process(again)
    assert again.state == ImportState.IMPORTED, again.failure
    assert (again.created_rows, again.unchanged_rows) == (10, 120)
    assert DebtorRecord.objects.count() == 130


def _values(n: int, now: datetime.datetime) -> dict[str, Any]:
    row = bulk.debtor(n)
    return {
        "name": row["iname"],
        "party_kind": "person",
        "id_type": "resident_id",
        "id_number": crypto.encrypt(row["cardNum"]),
        "id_index": identifier_index(row["cardNum"]),
        "court_name": row["courtName"],
        "basis_number": row["gistId"],
        "case_number": row["caseCode"],
        "filed_on": datetime.date(2024, 3, 1),
        "row_key": f"k{n}",
        "created_at": now,
        "updated_at": now,
    }


def test_bulk_insert_of_prepared_values_matches_the_orm(world: Any) -> None:
    now = timezone.now()
    assert (
        importing.bulk_insert(DebtorRecord, [_values(n, now) for n in range(5)], batch_size=2) == 5
    )
    entry = DebtorRecord.objects.get(row_key="k3")
    assert entry.id_number == bulk.debtor(3)["cardNum"]
    assert entry.filed_on == datetime.date(2024, 3, 1) and entry.published_on is None
    assert entry.created_at == now and entry.version == 1 and entry.state == DebtorState.ACTIVE
    assert (entry.sex, entry.removal_reason, entry.id_masked) == ("", "", False)


def test_bulk_insert_refuses_unknown_columns(world: Any) -> None:
    with pytest.raises(TypeError):
        importing.bulk_insert(DebtorRecord, [{"row_key": "x", "nonsense": 1}])


@pytest.mark.postgres_only
def test_the_copy_path_rolls_back_with_the_transaction(world: Any) -> None:
    assert connection.vendor == "postgresql"
    now = timezone.now()
    with pytest.raises(RuntimeError), transaction.atomic():
        importing.bulk_insert(DebtorRecord, [_values(n, now) for n in range(3)])
        assert DebtorRecord.objects.count() == 3
        raise RuntimeError("half-way")
    assert DebtorRecord.objects.count() == 0
    # A duplicate key inside one COPY fails the whole COPY: nothing is half-written.
    rows = [_values(1, now), _values(2, now)]
    rows[1]["row_key"] = rows[0]["row_key"]
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        importing.bulk_insert(DebtorRecord, rows)
    assert DebtorRecord.objects.count() == 0


def test_existing_keys_names_the_keys_already_stored(world: Any) -> None:
    now = timezone.now()
    importing.bulk_insert(DebtorRecord, [_values(n, now) for n in range(3)])
    assert importing.existing_keys(DebtorRecord, "row_key", ["k0", "k2", "k9"]) == {"k0", "k2"}
    assert importing.existing_keys(DebtorRecord, "row_key", []) == set()


def test_a_changed_row_updates_its_entry_and_an_identical_one_is_unchanged(world: Any) -> None:
    batch, _ = importing.submit(DEBTORS_FEED, _csv(5), world.users["court_staff"])
    importing.process(batch)
    entry = DebtorRecord.objects.get(case_number=bulk.debtor(50_000_002)["caseCode"])
    DebtorRecord.objects.filter(pk=entry.pk).update(court_name="别的法院", court=None)
    again, _ = importing.submit(DEBTORS_FEED, _csv(6), world.users["court_staff"])
    again = importing.process(again)
    assert again.state == ImportState.IMPORTED, again.failure
    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (1, 1, 4)
    entry.refresh_from_db()
    assert entry.court_name == bulk.debtor(50_000_002)["courtName"] and entry.version == 2
    assert entry.id_number == bulk.debtor(50_000_002)["cardNum"]
