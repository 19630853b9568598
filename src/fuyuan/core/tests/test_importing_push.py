"""Pushes and drops (core.importing.submit / process): the file is stored as a "queued" batch
and imported once by the worker; the same batch id or the same file twice stores once; bad
rows are reported and good rows stored; held rows are not stored by the worker; file-level
errors and store failures leave the batch "failed" with a code and nothing stored; a killed
worker leaves the batch queued; two concurrent submits with one batch id give one batch and
one ImportFileError("import.batch_conflict") (PostgreSQL)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportChannel, ImportState, IssueLevel

from .import_test_urls import CountingFeed, DayFeed
from .test_importing import EXPECTED, csv_bytes, issues, stored_days

pytestmark = pytest.mark.django_db


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


def upload(content: bytes, name: str = "days.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def audits(batch: ImportBatch) -> int:
    return AuditEntry.objects.filter(action="import.test.days", object_id=str(batch.pk)).count()


def test_submit_stores_the_file_queued_without_reading_a_row(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    batch, created = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-1")
    assert created
    assert batch.state == ImportState.QUEUED
    assert batch.channel == ImportChannel.PUSH
    assert batch.batch_id == "b-1"
    assert batch.file.name.startswith("imports/")
    assert (batch.total_rows, batch.ok_rows) == (0, 0)
    assert days.prepared == 0
    assert stored_days() == {}

    done = importing.process(batch)
    assert done.state == ImportState.IMPORTED
    assert done.imported_by == office  # the uploader by default
    assert stored_days() == EXPECTED
    assert (done.total_rows, done.ok_rows, done.created_rows) == (3, 3, 3)
    assert audits(done) == 1


def test_a_drop_is_recorded_with_its_channel_and_options(days, world) -> None:  # type: ignore[no-untyped-def]
    batch, _ = importing.submit(
        "test.days",
        upload(csv_bytes()),
        world.users["city_office"],
        channel=ImportChannel.DROP,
        options={"source": "gateway"},
    )
    assert (batch.channel, batch.batch_id, batch.options) == ("drop", "", {"source": "gateway"})


def test_the_same_batch_id_twice_stores_once(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    first, created = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-1")
    importing.process(first)
    other = csv_bytes(rows=[("2024-10-03", "放假", "国庆")])  # another file, the same id
    again, created_again = importing.submit("test.days", upload(other), office, batch_id="b-1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.state == ImportState.IMPORTED
    assert importing.process(again).state == ImportState.IMPORTED
    assert stored_days() == EXPECTED
    assert ImportBatch.objects.filter(feed="test.days").count() == 1
    assert audits(first) == 1


def test_the_same_batch_id_while_queued_returns_the_queued_batch(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    first, _ = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-1")
    again, created = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-1")
    assert (again.pk, again.state, created) == (first.pk, ImportState.QUEUED, False)


def test_a_batch_id_of_another_sender_is_a_conflict(days, world) -> None:  # type: ignore[no-untyped-def]
    importing.submit("test.days", upload(csv_bytes()), world.users["city_office"], batch_id="b-1")
    with pytest.raises(importing.ImportFileError) as conflict:
        importing.submit("test.days", upload(csv_bytes()), world.users["a_office"], batch_id="b-1")
    assert conflict.value.code == "import.batch_conflict"
    assert ImportBatch.objects.count() == 1


def test_a_batch_id_is_per_feed(days, counting, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    a, _ = importing.submit("test.days", upload(csv_bytes()), office, batch_id="same")
    content = b"key,value\nk1,1\n"
    b, created = importing.submit("test.counting", upload(content), office, batch_id="same")
    assert created
    assert a.pk != b.pk


def test_the_same_file_under_another_batch_id_is_a_duplicate_file(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    first, _ = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-1")
    second, created = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-2")
    assert created
    assert importing.process(first).state == ImportState.IMPORTED
    days.calls.clear()
    second = importing.process(second)
    assert second.state == ImportState.DUPLICATE_FILE
    assert second.duplicate_of == first
    assert days.calls == []  # nothing handed to the feed
    assert stored_days() == EXPECTED
    assert audits(first) == 1
    assert audits(second) == 0


def test_a_file_already_imported_through_the_page_is_a_duplicate(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    page = importing.confirm(importing.preview("test.days", upload(csv_bytes()), office), office)
    pushed, _ = importing.submit("test.days", upload(csv_bytes()), office, batch_id="b-9")
    pushed = importing.process(pushed)
    assert (pushed.state, pushed.duplicate_of) == (ImportState.DUPLICATE_FILE, page)


def test_process_twice_imports_once(days, world) -> None:  # type: ignore[no-untyped-def]
    batch, _ = importing.submit("test.days", upload(csv_bytes()), world.users["city_office"])
    importing.process(batch)
    stale = ImportBatch.objects.get(pk=batch.pk)
    stale.state = ImportState.QUEUED  # a second worker holding an old copy
    again = importing.process(stale)
    assert again.state == ImportState.IMPORTED
    assert days.calls == [3]
    assert audits(batch) == 1


def test_bad_rows_are_reported_and_good_rows_stored(days, world) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ("2024-10-01", "放假", "国庆"),
        ("1999-10-01", "放假", ""),  # too old (the feed's own check)
        ("2024-13-01", "放假", ""),  # not a date
        ("2024-10-02", "请假", ""),  # not a kind
        ("2024-10-01", "放假", "again"),  # repeated key
        ("2024-10-08", "上班", ""),  # a moved working day on a weekday: held
        ("2024-10-12", "上班", ""),
    ]
    batch, _ = importing.submit("test.days", upload(csv_bytes(rows=rows)), world.users["a_office"])
    batch = importing.process(batch)
    assert batch.state == ImportState.IMPORTED
    assert (batch.total_rows, batch.ok_rows, batch.error_rows) == (7, 2, 3)
    assert (batch.held_rows, batch.duplicate_rows, batch.created_rows) == (1, 1, 2)
    assert stored_days() == {
        datetime.date(2024, 10, 1): "holiday",
        datetime.date(2024, 10, 12): "workday",
    }
    assert issues(batch) == [
        (3, IssueLevel.ERROR, "date", "test.too_old"),
        (4, IssueLevel.ERROR, "date", "import.date"),
        (5, IssueLevel.ERROR, "kind", "import.choice"),
        (6, IssueLevel.DUPLICATE, "", "import.duplicate_row"),
        (7, IssueLevel.WARNING, "date", "test.workday_on_weekday"),
    ]
    assert not batch.accepted_held


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"when,what\n2024-10-01,x\n", "import.headers"),
        (b"\xff\xfe\x00\xd8garbage", "import.encoding"),
        (b"PK\x03\x04 not a workbook", "import.xlsx"),
    ],
)
def test_a_file_level_error_fails_the_batch_with_its_code(days, world, content, code) -> None:  # type: ignore[no-untyped-def]
    name = "days.xlsx" if code == "import.xlsx" else "days.csv"
    batch, _ = importing.submit("test.days", upload(content, name), world.users["city_office"])
    batch = importing.process(batch)
    assert batch.state == ImportState.FAILED
    assert batch.failure_code == code
    assert batch.failure
    assert stored_days() == {}
    assert importing.process(batch).state == ImportState.FAILED  # not retried by the worker


def test_a_store_failure_stores_nothing_and_fails_the_batch(days, world) -> None:  # type: ignore[no-untyped-def]
    days.chunk_size = 2  # type: ignore[misc]
    days.fail_on_call = 2  # the first chunk is written, then the second call breaks
    batch, _ = importing.submit("test.days", upload(csv_bytes()), world.users["city_office"])
    batch = importing.process(batch)
    assert batch.state == ImportState.FAILED
    assert batch.failure_code == "import.store"
    assert "the store broke" in batch.failure
    assert stored_days() == {}
    failed = AuditEntry.objects.get(action="import.test.days", object_id=str(batch.pk))
    assert failed.outcome == "failed"


def test_a_worker_killed_half_way_leaves_the_batch_queued(days, world) -> None:  # type: ignore[no-untyped-def]
    batch, _ = importing.submit("test.days", upload(csv_bytes()), world.users["city_office"])

    class Killed(BaseException):  # like SystemExit: not caught as a store failure
        pass

    def die(rows: list[importing.Row], context: importing.Context) -> importing.StoreResult:
        DayFeed.store(days, rows, context)
        raise Killed

    days.store = die  # type: ignore[method-assign]
    with pytest.raises(Killed):
        importing.process(batch)
    batch.refresh_from_db()
    assert batch.state == ImportState.QUEUED
    assert stored_days() == {}
    assert batch.issues.count() == 0

    del days.store
    assert importing.process(batch).state == ImportState.IMPORTED
    assert stored_days() == EXPECTED


def test_only_those_the_feed_allows_may_submit(days, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        importing.submit("test.days", upload(csv_bytes()), world.users["court_staff"])
    with pytest.raises(importing.ImportFileError) as refused:
        importing.submit("nothing", upload(csv_bytes()), world.users["city_office"])
    assert refused.value.code == "import.feed"
    assert not ImportBatch.objects.exists()


def test_an_empty_file_or_a_too_long_batch_id_is_refused(days, world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    with pytest.raises(importing.ImportFileError) as empty:
        importing.submit("test.days", upload(b""), office)
    assert empty.value.code == "import.empty"
    with pytest.raises(importing.ImportFileError) as long_id:
        importing.submit("test.days", upload(csv_bytes()), office, batch_id="x" * 101)
    assert long_id.value.code == "import.batch_id"


def test_a_queued_batch_cannot_be_confirmed_on_the_page(days, world) -> None:  # type: ignore[no-untyped-def]
    batch, _ = importing.submit("test.days", upload(csv_bytes()), world.users["city_office"])
    assert not batch.can_confirm


def test_a_conflicting_insert_is_reported_as_batch_conflict(days, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The check before the insert misses a batch created at the same moment: the unique
    constraint decides (simulated here: the look-up sees nothing)."""
    office = world.users["city_office"]
    first, _ = importing.submit("test.days", upload(csv_bytes()), office, batch_id="race")
    real_filter = ImportBatch.objects.filter

    def blind_filter(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("batch_id") == "race":
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(ImportBatch.objects, "filter", blind_filter)
    with pytest.raises(importing.ImportFileError) as conflict:
        importing.submit("test.days", upload(csv_bytes()), office, batch_id="race")
    assert conflict.value.code == "import.batch_conflict"
    monkeypatch.undo()
    assert ImportBatch.objects.filter(batch_id="race").get() == first


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_with_one_batch_id_create_one_batch(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two threads, two connections: both pass the look-up (they wait for each other there),
    one insert wins, the other gets import.batch_conflict."""
    feed = DayFeed()
    monkeypatch.setitem(importing._FEEDS, feed.name, feed)
    office = world.users["city_office"]
    looked_up = threading.Barrier(2, timeout=20)
    real_save_new = importing._save_new

    def save_after_both_looked(batch: ImportBatch) -> None:
        looked_up.wait()  # both have seen no batch with the id
        real_save_new(batch)

    monkeypatch.setattr(importing, "_save_new", save_after_both_looked)
    results: list[Any] = []

    def push() -> None:
        try:
            results.append(
                importing.submit("test.days", upload(csv_bytes()), office, batch_id="race")
            )
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    created = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, importing.ImportFileError)]
    assert len(created) == 1 and created[0][1] is True, results
    assert [r.code for r in refused] == ["import.batch_conflict"], results
    assert ImportBatch.objects.filter(feed="test.days", batch_id="race").count() == 1


@pytest.mark.urls("fuyuan.core.tests.import_test_urls")
def test_the_preview_page_of_a_queued_push_says_it_waits_for_the_worker(days, world, client_for):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    batch, _ = importing.submit("test.days", upload(csv_bytes()), world.users["city_office"])
    page = client_for("city_office").get(reverse("import_test_preview", args=[batch.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="import-queued"' in content
    assert 'id="import-confirm"' not in content  # nothing to confirm: the worker imports it


def test_feeds_of_every_app_are_discovered(world) -> None:  # type: ignore[no-untyped-def]
    names = {feed.name for feed in importing.feeds()}
    assert {"enforcement.debtors", "enforcement.cases", "bankruptcy.cases"} <= names
    assert {"litigation.cases", "litigation.hearings", "matters.progress"} <= names
