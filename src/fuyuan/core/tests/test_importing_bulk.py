"""The bulk path (core.importing.bulk_insert): on PostgreSQL `COPY … FROM STDIN` writes exactly
the rows given, with encrypted identifiers that decrypt and blind indexes computed, and no
INSERT statement; on other databases bulk_create. The debtor feed stores its new entries
through it on both databases (searchable by identifier afterwards). A 20,000-row NDJSON push
of the debtor list is processed with bounded memory (tracemalloc peak under a fixed bound;
speed is measured by `benchmarks/push_memory.py`, not here)."""

from __future__ import annotations

import datetime
import io
import tracemalloc
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.core import crypto, importing
from fuyuan.core.models import CalendarDay, ImportState
from fuyuan.enforcement import debtor_actions
from fuyuan.enforcement.importers import DEBTORS_FEED, identifier_index
from fuyuan.enforcement.models import DebtorRecord, DebtorState
from fuyuan.enforcement.samples import bulk

pytestmark = pytest.mark.django_db

# Peak of Python allocations while 20,000 rows are submitted and processed, measured at
# 12.8–13.0 MB on PostgreSQL and SQLite (the file streams, rows go to the feed in chunks of
# 1,000, only the row keys' hashes are kept): a bound of twice that fails as soon as rows
# pile up in memory (20,000 parsed rows with their entries take well over 100 MB).
MEMORY_ROWS = 20_000
MEMORY_BOUND = 26 * 1024 * 1024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2025, 12, 1, 10, 0), tick=False):
        yield


def entries(count: int, start: int = 0) -> list[DebtorRecord]:
    now = timezone.now()
    found = []
    for row in bulk.debtors(count, start):
        found.append(
            DebtorRecord(
                name=row["iname"],
                party_kind="person",
                id_type="resident_id",
                id_number=row["cardNum"],
                id_display=row["cardNum"][:6] + "********" + row["cardNum"][-4:],
                court_name=row["courtName"],
                basis_number=row["gistId"],
                case_number=row["caseCode"],
                filed_on=datetime.date.fromisoformat(row["regDate"]),
                row_key=f"{row['caseCode']}#{len(found)}",
                created_at=now,
                updated_at=now,
            )
        )
    return found


def ndjson(count: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    bulk.write_ndjson(out, count)
    return SimpleUploadedFile("push.ndjson", out.getvalue())


@pytest.mark.postgres_only
def test_copy_stores_exactly_the_rows_with_decryptable_identifiers() -> None:
    objects = entries(250)
    with CaptureQueriesContext(connection) as queries:
        assert importing.bulk_insert(DebtorRecord, objects) == 250
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
    assert all(obj.pk is None for obj in objects)  # COPY returns no ids

    stored = {r.row_key: r for r in DebtorRecord.objects.all()}
    assert set(stored) == {o.row_key for o in objects}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_key, id_number FROM {DebtorRecord._meta.db_table}")
        ciphertexts = dict(cursor.fetchall())
    for obj in objects:
        record = stored[obj.row_key]
        assert record.id_number == obj.id_number  # decrypted on read
        assert ciphertexts[obj.row_key].startswith(crypto.PREFIX + ":")  # encrypted at rest
        assert obj.id_number not in ciphertexts[obj.row_key]
        assert record.id_index == identifier_index(obj.id_number)
        assert (record.state, record.version, record.name) == (
            DebtorState.ACTIVE,
            1,
            obj.name,
        )
        assert record.filed_on == obj.filed_on
        assert record.created_at == obj.created_at
    assert len(ciphertexts) == 250


def test_bulk_insert_writes_the_rows_on_every_database() -> None:
    now = timezone.now()
    days = [
        CalendarDay(
            date=datetime.date(2031, 1, 1) + datetime.timedelta(days=i),
            kind="holiday",
            name="测试",
            source="import",
            created_at=now,
            updated_at=now,
        )
        for i in range(30)
    ]
    assert importing.bulk_insert(CalendarDay, days, batch_size=7) == 30
    assert CalendarDay.objects.filter(date__year=2031, name="测试").count() == 30
    assert importing.bulk_insert(CalendarDay, []) == 0


def test_bulk_insert_refuses_objects_of_another_model() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("bulk_create checks the model itself")
    with pytest.raises(TypeError):
        importing.bulk_insert(CalendarDay, entries(1))


def test_the_debtor_feed_stores_new_entries_through_the_bulk_path(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, int]] = []
    real = importing.bulk_insert

    def spy(model: Any, objects: Any, **kwargs: Any) -> int:
        calls.append((model.__name__, len(objects)))
        return real(model, objects, **kwargs)

    monkeypatch.setattr(importing, "bulk_insert", spy)
    monkeypatch.setattr(type(importing.get(DEBTORS_FEED)), "chunk_size", 40)
    batch, _ = importing.submit(DEBTORS_FEED, ndjson(100), world.users["court_staff"])
    batch = importing.process(batch)
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert (batch.ok_rows, batch.error_rows, batch.created_rows) == (100, 0, 100)
    assert calls == [("DebtorRecord", 40), ("DebtorRecord", 40), ("DebtorRecord", 20)]
    assert DebtorRecord.objects.count() == 100

    wanted = bulk.debtor(57)
    found = debtor_actions.search_by_identifier(world.users["hrss_liaison"], wanted["cardNum"])
    assert [r.case_number for r in found] == [wanted["caseCode"]]
    assert found[0].id_number == wanted["cardNum"]


@pytest.mark.postgres_only  # the bulk path's database; tracing 20,000 rows on SQLite is slow
def test_a_twenty_thousand_row_push_is_processed_with_bounded_memory(world) -> None:  # type: ignore[no-untyped-def]
    upload = ndjson(MEMORY_ROWS)
    tracemalloc.start()
    try:
        batch, _ = importing.submit(DEBTORS_FEED, upload, world.users["court_staff"])
        batch = importing.process(batch)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert (batch.total_rows, batch.created_rows) == (MEMORY_ROWS, MEMORY_ROWS)
    assert DebtorRecord.objects.count() == MEMORY_ROWS
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MB"
