"""The file-drop inbox: a file with its manifest is imported once and receipted, a half-copied
file waits, a failed file moves to failed with its report, refusals say why."""

from __future__ import annotations

import hashlib
import json
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import ImportBatch, ImportChannel, ImportState
from fuyuan.exchange import drop, jobs
from fuyuan.exchange.models import ApiClient
from fuyuan.exchange.testing import client_token
from fuyuan.exchange.transfer_models import DroppedFile, DropState
from fuyuan.litigation.models import AdminCase

pytestmark = pytest.mark.django_db

FEED = "litigation.cases"
HEADERS = "案号,原告,被告,案由,立案日期,审理阶段\r\n"
HRSS = "驻马店市人力资源和社会保障局"


def cases_csv(*numbers: int) -> bytes:
    rows = "".join(
        f"（2026）豫17行初{n}号,张玉梅,{HRSS},工伤认定,2026-01-05,审理中\r\n" for n in numbers
    )
    return (HEADERS + rows).encode("gb18030")


def court_client(world: Any, **kwargs: Any) -> ApiClient:
    token = client_token(unit=world.units["court"], **kwargs)
    return ApiClient.objects.get(tokens__prefix=token.split("_")[1])


def deposit(
    root: Path,
    name: str,
    body: bytes,
    sender: ApiClient,
    *,
    folder_feed: str = FEED,
    manifest_body: bytes | None = None,
    **fields: Any,
) -> Path:
    """What the gateway does: the file first, then its manifest (`fields` override it)."""
    folder = root / "inbox" / folder_feed
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    manifest = {
        "feed": folder_feed,
        "file": name,
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
        "client": sender.pk,
        **fields,
    }
    (folder / f"{name}.manifest.json").write_bytes(
        manifest_body if manifest_body is not None else json.dumps(manifest).encode()
    )
    return folder


def receipt(folder: Path, where: str, name: str) -> dict[str, Any]:
    return json.loads((folder / where / f"{name}.receipt.json").read_text(encoding="utf-8"))


@pytest.fixture
def root(tmp_path: Path) -> Any:
    with override_settings(FUYUAN_EXCHANGE_ROOT=tmp_path):
        yield tmp_path


def test_a_file_with_its_manifest_is_imported_once_and_receipted(world, root):
    client = court_client(world)
    folder = deposit(root, "cases-0301.csv", cases_csv(901, 902), client)

    first = drop.scan()
    second = drop.scan()

    assert [o.state for o in first.outcomes] == [DropState.DONE]
    assert second.outcomes == []  # moved away: nothing left to do
    assert AdminCase.objects.count() == 2
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.IMPORTED
    assert batch.channel == ImportChannel.DROP
    assert batch.uploaded_by == client.service_user
    assert sorted(p.name for p in (folder / "done").iterdir()) == [
        "cases-0301.csv",
        "cases-0301.csv.manifest.json",
        "cases-0301.csv.receipt.json",
    ]
    assert not (folder / "cases-0301.csv").exists()
    report = receipt(folder, "done", "cases-0301.csv")
    assert report["result"] == "imported"
    assert report["batch"]["id"] == batch.pk
    assert report["batch"]["status_url"] == f"/api/v1/imports/batches/{batch.pk}/"
    assert report["counts"]["ok"] == 2 and report["counts"]["created"] == 2
    assert report["sha256"] == hashlib.sha256(cases_csv(901, 902)).hexdigest()
    assert report["client"] == client.pk and report["processed_at"]
    dropped = DroppedFile.objects.get()
    assert (dropped.state, dropped.batch, dropped.client) == (DropState.DONE, batch, client)
    assert dropped.location == f"inbox/{FEED}/done/cases-0301.csv"
    assert AuditEntry.objects.filter(action="exchange.drop").count() == 1


def test_a_second_copy_of_the_same_file_gets_a_duplicate_receipt_and_stores_nothing(world, root):
    client = court_client(world)
    folder = deposit(root, "cases.csv", cases_csv(903), client)
    drop.scan()
    deposit(root, "cases.csv", cases_csv(903), client)  # the gateway delivers it again

    report = drop.scan()

    assert [(o.state, o.code) for o in report.outcomes] == [("duplicate", "drop.duplicate")]
    assert AdminCase.objects.count() == 1
    assert ImportBatch.objects.count() == 1
    again = receipt(folder, "done", "cases-2.csv")
    assert again["result"] == "duplicate" and again["code"] == "drop.duplicate"
    assert again["batch"]["id"] == ImportBatch.objects.get().pk
    assert again["first_receipt"]["file"] == "cases.csv"
    assert (folder / "done" / "cases-2.csv").exists()
    assert sorted(DroppedFile.objects.values_list("state", flat=True)) == ["done", "duplicate"]


def test_a_file_whose_hash_does_not_match_waits_then_completes(world, root):
    client = court_client(world)
    whole = cases_csv(904, 905)
    folder = deposit(root, "late.csv", whole, client)
    (folder / "late.csv").write_bytes(whole[: len(whole) // 2])  # still being copied

    waiting = drop.scan()
    drop.scan()  # still waiting: one row, not two

    assert [(o.state, o.code) for o in waiting.outcomes] == [("waiting", "drop.incomplete")]
    assert (folder / "late.csv").exists() and (folder / "late.csv.manifest.json").exists()
    assert not (folder / "done").exists() and not (folder / "failed").exists()
    row = DroppedFile.objects.get()
    assert row.state == DropState.WAITING and row.code == "drop.incomplete"
    assert AdminCase.objects.count() == 0

    (folder / "late.csv").write_bytes(whole)  # the copy finished
    done = drop.scan()

    assert [o.state for o in done.outcomes] == [DropState.DONE]
    assert AdminCase.objects.count() == 2
    assert list(DroppedFile.objects.values_list("state", flat=True)) == [DropState.DONE]
    assert receipt(folder, "done", "late.csv")["result"] == "imported"


def test_a_manifest_before_its_file_waits(world, root):
    client = court_client(world)
    folder = deposit(root, "soon.csv", cases_csv(906), client)
    (folder / "soon.csv").unlink()

    report = drop.scan()

    assert [(o.state, o.code) for o in report.outcomes] == [("waiting", "drop.file_missing")]
    assert (folder / "soon.csv.manifest.json").exists()


def test_a_failed_file_moves_to_failed_with_its_report(world, root):
    client = court_client(world)
    body = "编号,名称\r\n1,甲\r\n".encode()
    folder = deposit(root, "wrong.csv", body, client)

    report = drop.scan()

    assert [o.state for o in report.outcomes] == [DropState.FAILED]
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.FAILED
    assert sorted(p.name for p in (folder / "failed").iterdir()) == [
        "wrong.csv",
        "wrong.csv.manifest.json",
        "wrong.csv.receipt.json",
    ]
    failed = receipt(folder, "failed", "wrong.csv")
    assert failed["result"] == "failed"
    assert failed["code"] == batch.failure_code and failed["code"].startswith("import.")
    assert failed["message"] == batch.failure
    assert failed["batch"]["state"] == ImportState.FAILED
    assert DroppedFile.objects.get().state == DropState.FAILED
    assert AdminCase.objects.count() == 0


def test_bad_rows_are_reported_in_the_receipt_and_good_rows_stored(world, root):
    client = court_client(world)
    body = cases_csv(
        907
    ) + "（2026）豫17行初908号,张三,不存在的单位,工伤认定,2026-01-05,审理中\r\n".encode("gb18030")
    folder = deposit(root, "mixed.csv", body, client)

    drop.scan()

    report = receipt(folder, "done", "mixed.csv")
    assert report["counts"]["ok"] == 1 and report["counts"]["error"] == 1
    assert report["issues_total"] == 1
    issue = report["issues"][0]
    assert issue["row"] == 3 and issue["code"] and issue["message"]
    assert AdminCase.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client": 999999}, "drop.client"),
        ({"feed": "enforcement.debtors"}, "drop.feed"),
        ({"sha256": "xyz"}, "drop.manifest"),
        ({"file": "../escape.csv"}, "drop.manifest"),
    ],
)
def test_a_drop_with_a_bad_manifest_is_refused_with_its_code(world, root, change, code):
    client = court_client(world)
    folder = deposit(root, "bad.csv", cases_csv(909), client, **change)
    old = time.time() - 3600
    os.utime(folder / "bad.csv.manifest.json", (old, old))

    report = drop.scan()

    assert [(o.state, o.code) for o in report.outcomes] == [("failed", code)]
    found = list((folder / "failed").glob("*.receipt.json"))
    assert len(found) == 1
    assert json.loads(found[0].read_text(encoding="utf-8"))["code"] == code
    assert ImportBatch.objects.count() == 0


def test_a_client_without_the_imports_write_scope_is_refused(world, root):
    client = court_client(world, scopes={"imports": "read"})
    folder = deposit(root, "scope.csv", cases_csv(910), client)

    report = drop.scan()

    assert [o.code for o in report.outcomes] == ["api.scope"]
    assert receipt(folder, "failed", "scope.csv")["code"] == "api.scope"


def test_a_client_whose_unit_may_not_import_the_feed_is_refused(world, root):
    token = client_token(unit=world.units["hrss"])
    client = ApiClient.objects.get(tokens__prefix=token.split("_")[1])
    folder = deposit(root, "hrss.csv", cases_csv(911), client)

    drop.scan()

    assert receipt(folder, "failed", "hrss.csv")["code"] == "drop.forbidden"
    assert AdminCase.objects.count() == 0


def test_an_unreadable_manifest_still_being_written_is_left_for_the_next_scan(world, root):
    client = court_client(world)
    folder = deposit(root, "half.csv", cases_csv(912), client, manifest_body=b'{"feed": "liti')

    report = drop.scan()

    assert [o.state for o in report.outcomes] == ["pending"]
    assert (folder / "half.csv.manifest.json").exists()
    old = time.time() - 3600
    os.utime(folder / "half.csv.manifest.json", (old, old))
    later = drop.scan()
    assert [(o.state, o.code) for o in later.outcomes] == [("failed", "drop.manifest")]
    assert (folder / "failed" / "half.csv").exists()


def test_files_without_a_manifest_are_ignored(world, root):
    folder = root / "inbox" / FEED
    folder.mkdir(parents=True)
    (folder / "alone.csv").write_bytes(cases_csv(913))

    assert drop.scan().outcomes == []
    assert (folder / "alone.csv").exists()


def test_the_scan_creates_a_folder_per_registered_feed(world, root):
    drop.scan()

    assert (root / "inbox" / FEED).is_dir()
    assert (root / "inbox" / "enforcement.debtors").is_dir()


def test_a_file_dropped_in_the_folder_of_an_unknown_feed_fails(world, root):
    client = court_client(world)
    folder = deposit(root, "x.csv", cases_csv(914), client, folder_feed="nothing.here")

    drop.scan()

    assert receipt(folder, "failed", "x.csv")["code"] == "drop.feed"


def test_a_claim_held_by_another_scanner_is_left_alone(world, root):
    client = court_client(world)
    body = cases_csv(915)
    folder = deposit(root, "busy.csv", body, client)
    DroppedFile.objects.create(
        feed=FEED,
        name="busy.csv",
        sha256=hashlib.sha256(body).hexdigest(),
        state=DropState.IMPORTING,
        client=client,
    )

    report = drop.scan()

    assert [o.state for o in report.outcomes] == ["busy"]
    assert (folder / "busy.csv").exists()
    assert ImportBatch.objects.count() == 0


def test_a_stale_claim_of_a_dead_worker_is_taken_over(world, root):
    import datetime

    from django.utils import timezone

    client = court_client(world)
    body = cases_csv(916)
    deposit(root, "stale.csv", body, client)
    claim = DroppedFile.objects.create(
        feed=FEED,
        name="stale.csv",
        sha256=hashlib.sha256(body).hexdigest(),
        state=DropState.IMPORTING,
        client=client,
    )
    DroppedFile.objects.filter(pk=claim.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=1)
    )

    report = drop.scan()

    assert [o.state for o in report.outcomes] == [DropState.DONE]
    claim.refresh_from_db()
    assert claim.state == DropState.DONE and AdminCase.objects.count() == 1


def test_the_manifest_batch_id_is_used_and_a_repeat_gives_the_first_result(world, root):
    client = court_client(world)
    folder = deposit(root, "b1.csv", cases_csv(917), client, batch_id="court-2026-03-01")
    drop.scan()
    deposit(root, "b2.csv", cases_csv(918), client, batch_id="court-2026-03-01")

    drop.scan()

    assert ImportBatch.objects.get().batch_id == "court-2026-03-01"
    assert AdminCase.objects.count() == 1
    second = receipt(folder, "done", "b2.csv")
    assert second["code"] == "import.same_batch_id"


def test_the_scan_job_is_registered(settings):
    from fuyuan.core import scheduler

    job = {j.name: j for j in scheduler.registered()}[jobs.SCAN_JOB]
    assert job.task_path == "fuyuan.exchange.tasks.scan_inbox"
    assert job.every is not None and job.every.total_seconds() == 60


def test_the_scan_task_and_command_run_one_scan(world, root):
    from fuyuan.exchange.tasks import scan_inbox

    client = court_client(world)
    deposit(root, "task.csv", cases_csv(919), client)
    result = scan_inbox.enqueue()
    assert result.return_value == {"done": 1}

    deposit(root, "cmd.csv", cases_csv(920), client)
    out = StringIO()
    call_command("exchange_scan", stdout=out)
    assert f"{FEED}/cmd.csv: done" in out.getvalue()
    assert "done 1" in out.getvalue()


# --- the system administrator's pages ---------------------------------------------------------
def test_the_drops_page_lists_what_the_scans_found(world, root, client_for):
    from django.urls import reverse

    client = court_client(world)
    deposit(root, "page.csv", cases_csv(921), client)
    deposit(root, "wrong.csv", "编号\r\n1\r\n".encode(), client)
    drop.scan()

    response = client_for("system_admin").get(reverse("exchange:drop_list"))
    failed = client_for("system_admin").get(reverse("exchange:drop_list"), {"state": "failed"})

    assert response.status_code == 200
    assert {d.name for d in response.context["page"]} == {"page.csv", "wrong.csv"}
    assert [d.name for d in failed.context["page"]] == ["wrong.csv"]
    assert client_for("court_staff").get(reverse("exchange:drop_list")).status_code == 403


def test_the_batches_page_shows_queued_and_failed_batches(world, root, client_for):
    from django.urls import reverse

    client = court_client(world)
    deposit(root, "ok.csv", cases_csv(922), client)
    deposit(root, "wrong.csv", "编号\r\n1\r\n".encode(), client)
    drop.scan()
    failed = ImportBatch.objects.get(state=ImportState.FAILED)

    admin = client_for("system_admin")
    listing = admin.get(reverse("exchange:transfer_batch_list"))
    everything = admin.get(reverse("exchange:transfer_batch_list"), {"state": "all"})
    detail = admin.get(reverse("exchange:transfer_batch_detail", args=[failed.pk]))

    assert [b.pk for b in listing.context["page"]] == [failed.pk]
    assert len(everything.context["page"].object_list) == 2
    assert detail.status_code == 200 and detail.context["batch"] == failed
    assert (
        client_for("city_office")
        .get(reverse("exchange:transfer_batch_detail", args=[failed.pk]))
        .status_code
        == 403
    )


def test_scan_now_asks_the_worker_after_the_commit(
    world, root, client_for, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    deposit(root, "now.csv", cases_csv(923), court_client(world))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("system_admin").post(reverse("exchange:drop_scan"))

    assert response.status_code == 302
    assert DroppedFile.objects.get().state == DropState.DONE


def test_a_second_scanner_skips_a_folder_being_scanned(world, root):
    folder = deposit(root, "locked.csv", cases_csv(924), court_client(world))

    with drop._folder_lock(folder) as mine:
        assert mine
        report = drop.scan()

    assert [(o.state, o.code) for o in report.outcomes if o.feed == FEED] == [
        ("busy", "drop.locked")
    ]
    assert (folder / "locked.csv").exists() and ImportBatch.objects.count() == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("folder_lock", [True, False], ids=["with the folder lock", "claim only"])
def test_two_scanners_at_once_import_a_file_once(tmp_path, monkeypatch, folder_lock):
    import contextlib
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from fuyuan.testing import build_world

    world = build_world()
    client = court_client(world)
    folder = deposit(tmp_path, "race.csv", cases_csv(925, 926), client)
    if not folder_lock:
        # Scanners on two hosts whose shared folder has no working file lock: the claim
        # (the partial unique constraint on DroppedFile) alone must hold.
        monkeypatch.setattr(drop, "_folder_lock", lambda f: contextlib.nullcontext(True))
        both_hashed = threading.Barrier(2, timeout=30)
        digest = drop.file_digest

        def slow_digest(path: Path) -> Any:
            found = digest(path)
            with contextlib.suppress(threading.BrokenBarrierError):
                both_hashed.wait()
            return found

        monkeypatch.setattr(drop, "file_digest", slow_digest)
    start = threading.Barrier(2, timeout=30)
    states: list[str] = []

    def scanner() -> None:
        try:
            start.wait()
            states.extend(o.state for o in drop.scan().outcomes if o.feed == FEED)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scanner) for _ in range(2)]
    with override_settings(FUYUAN_EXCHANGE_ROOT=tmp_path):  # process-wide: set once
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert states.count(DropState.DONE) == 1
    assert ImportBatch.objects.count() == 1 and AdminCase.objects.count() == 2
    assert DroppedFile.objects.filter(state=DropState.DONE).count() == 1
    assert (folder / "done" / "race.csv.receipt.json").exists()
