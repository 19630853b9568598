"""Retention of the audit trail: entries older than the retention move to a verified archive
file under a checkpoint; verify continues from the checkpoint and checks the files."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import subprocess
import sys

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from fuyuan.audit import archive, chain
from fuyuan.audit.models import AppendOnlyError, AuditArchive, AuditEntry
from fuyuan.audit.record import record


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def record_at(days_ago: float, n: int, action: str = "test.event") -> list[int]:
    """n sealed entries dated `days_ago` days back; returns their seqs."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    seqs = []
    with time_machine.travel(when, tick=False):
        for i in range(n):
            seqs.append(record(None, f"{action}.{i}", object_kind="x", object_id=str(i)).seq)
    chain.seal()
    return seqs


def audit(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def audit_fails(*args: str) -> str:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("audit", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


def rewrite_archive(path, change) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    change(lines)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for values in lines:
            fh.write(json.dumps(values, ensure_ascii=False, sort_keys=True) + "\n")


@pytest.mark.django_db
def test_archive_moves_old_entries_and_verify_passes_after(var_dir):
    old = record_at(200, 5)
    young = record_at(10, 2)

    out, _ = audit("archive")

    cp = AuditArchive.objects.get()
    assert (cp.first_seq, cp.last_seq, cp.count) == (old[0], old[-1], 5)
    assert f"Archived 5 entries (#{old[0]} to #{old[-1]})" in out
    assert not AuditEntry.objects.filter(seq__in=old).exists()
    assert set(young) <= set(AuditEntry.objects.values_list("seq", flat=True))
    run = AuditEntry.objects.get(action="audit.archived")
    assert run.detail["count"] == 5 and run.detail["file"] == cp.file_name
    # The file: one JSON line per archived entry, the manifest next to it, the SM3 recorded.
    path = var_dir / "audit-archive" / cp.file_name
    lines = list(archive.read_lines(path))
    assert [v["seq"] for v in lines] == old
    assert lines[-1]["hash"] == cp.last_hash
    assert archive._sm3_file(path) == cp.file_sm3
    manifest = json.loads(
        (
            var_dir / "audit-archive" / cp.file_name.replace(".jsonl.gz", ".manifest.json")
        ).read_text()
    )
    assert manifest["first_seq"] == old[0] and manifest["last_seq"] == old[-1]
    assert manifest["count"] == 5 and manifest["last_hash"] == cp.last_hash
    assert manifest["file_sm3"] == cp.file_sm3
    # The live chain continues the checkpoint.
    first_live = AuditEntry.objects.order_by("seq").first()
    assert first_live.seq == young[0] and first_live.prev_hash == cp.last_hash
    chain.seal()
    out, err = audit("verify", "--archives")
    assert "live chain continues archive checkpoint" in out
    assert "archives intact: 1 files, 5 entries" in out and not err


@pytest.mark.django_db
def test_nothing_younger_than_the_retention_is_archived(var_dir):
    old = record_at(181, 2)
    kept = record_at(179, 2)
    record_at(200, 1)  # old but after a young entry: the archive stays a prefix of the chain

    audit("archive")

    cp = AuditArchive.objects.get()
    assert (cp.first_seq, cp.last_seq) == (old[0], old[-1])
    assert set(kept) <= set(AuditEntry.objects.values_list("seq", flat=True))
    assert all(
        e.at >= timezone.now() - datetime.timedelta(days=180)
        for e in AuditEntry.objects.filter(seq__lte=kept[-1])
    )

    before = AuditEntry.objects.count()
    out, _ = audit("archive")  # the young entry now blocks the old one behind it
    assert "Nothing to archive" in out
    assert AuditEntry.objects.count() == before and AuditArchive.objects.count() == 1


@pytest.mark.django_db
def test_a_second_run_continues_the_first_and_verify_checks_both_files(var_dir):
    first = record_at(500, 3)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=250), tick=False):
        audit("archive")
    chain.seal()
    second = record_at(300, 2)
    audit("archive")

    cps = list(AuditArchive.objects.order_by("first_seq"))
    assert [c.count for c in cps] == [3, 2 + 1]  # the first run's own audit entry goes too
    assert cps[0].first_seq == first[0] and second[-1] <= cps[1].last_seq
    assert cps[1].first_prev_hash == cps[0].last_hash
    chain.seal()
    out, _ = audit("verify", "--archives")
    assert "archives intact: 2 files, 6 entries" in out


@pytest.mark.django_db
def test_an_edit_in_an_archive_file_is_caught(var_dir):
    old = record_at(200, 4)
    record_at(1, 1)
    audit("archive")
    cp = AuditArchive.objects.get()

    def forge(lines):
        lines[2]["actor_name"] = "someone else"

    rewrite_archive(var_dir / "audit-archive" / cp.file_name, forge)
    chain.seal()

    audit("verify")  # the live chain is untouched
    message = audit_fails("verify", "--archives")
    assert "SM3 differs from the checkpoint" in message
    assert f"changed at entry #{old[2]}" in message


@pytest.mark.django_db
def test_a_removed_line_or_a_missing_file_is_caught(var_dir):
    old = record_at(200, 4)
    audit("archive")
    cp = AuditArchive.objects.get()
    path = var_dir / "audit-archive" / cp.file_name
    rewrite_archive(path, lambda lines: lines.pop(1))
    assert f"at entry #{old[2]}" in audit_fails("verify", "--archives")
    path.unlink()
    assert "file missing" in audit_fails("verify", "--archives")


@pytest.mark.django_db
def test_an_edit_in_the_database_is_still_caught_after_archiving(var_dir):
    record_at(200, 3)
    live = record_at(1, 3)
    audit("archive")
    chain.seal()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = %s", [live[1]])
    assert f"entry #{live[1]}: changed" in audit_fails("verify")


@pytest.mark.django_db
def test_removing_the_first_live_entry_after_a_checkpoint_is_caught(var_dir):
    record_at(200, 3)
    live = record_at(1, 3)
    audit("archive")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [live[0]])
    assert f"entry #{live[1]}: removed" in audit_fails("verify")


@pytest.mark.django_db
def test_a_retention_below_180_days_is_refused(var_dir, settings):
    old = record_at(200, 2)
    settings.FUYUAN_AUDIT_RETENTION_DAYS = 90
    assert "at least 180 days" in audit_fails("archive")
    assert AuditEntry.objects.filter(seq__in=old).count() == 2
    assert not AuditArchive.objects.exists()
    assert not (var_dir / "audit-archive").exists()


def test_a_retention_below_180_days_is_refused_at_start_up():
    env = {**os.environ, "FUYUAN_AUDIT_RETENTION_DAYS": "90", "DJANGO_SETTINGS_MODULE": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import fuyuan.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FUYUAN_AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


@pytest.mark.django_db
def test_a_crash_between_file_and_delete_leaves_everything_and_reruns(var_dir):
    old = record_at(200, 4)
    record_at(1, 1)
    before = list(AuditEntry.objects.order_by("seq").values_list("seq", "hash"))

    class Crash(Exception):
        pass

    def crash(path):
        assert path.is_file()
        raise Crash

    with pytest.raises(Crash):
        archive.archive(before_commit=crash)

    assert list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")) == before
    assert not AuditArchive.objects.exists()
    out, err = audit("verify", "--archives")
    assert "is named by no checkpoint" in err  # the orphan file is reported, not trusted

    archive.archive()

    cp = AuditArchive.objects.get()
    assert (cp.first_seq, cp.last_seq) == (old[0], old[-1])
    assert not AuditEntry.objects.filter(seq__in=old).exists()
    chain.seal()
    out, _ = audit("verify", "--archives")
    assert "archives intact: 1 files, 4 entries" in out


@pytest.mark.django_db
def test_a_crash_inside_the_commit_removes_nothing(var_dir, monkeypatch):
    old = record_at(200, 3)
    from fuyuan.audit import record as record_module

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(record_module, "record", fail)
    with pytest.raises(RuntimeError):
        archive.archive()
    assert AuditEntry.objects.filter(seq__in=old).count() == 3
    assert not AuditArchive.objects.exists()


@pytest.mark.django_db
def test_a_broken_chain_is_not_archived(var_dir):
    old = record_at(200, 3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE seq = %s", [old[1]])
    with (
        translation.override("en"),
        pytest.raises(archive.ArchiveError, match=f"broken at entry #{old[1]}"),
    ):
        archive.archive()
    assert AuditEntry.objects.filter(seq__in=old).count() == 3
    assert not any((var_dir / "audit-archive").glob("audit-*"))


@pytest.mark.django_db
def test_only_the_archiver_may_remove_entries(var_dir):
    seqs = record_at(200, 3)
    unsaved = AuditArchive(first_seq=seqs[0], last_seq=seqs[-1], count=3)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all()._remove_archived(unsaved)
    result = archive.archive()
    with pytest.raises(AppendOnlyError):
        result.checkpoint.delete()
    with pytest.raises(AppendOnlyError):
        AuditArchive.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditArchive.objects.update(count=0)
    # A checkpoint that does not cover exactly the live rows cannot remove them.
    more = record_at(200, 2)
    AuditArchive.objects.create(
        created_at=timezone.now(),
        first_seq=more[0],
        last_seq=more[-1],
        first_prev_hash="0" * 64,
        last_hash="0" * 64,
        count=5,
        first_at=timezone.now(),
        last_at=timezone.now(),
        file_name="forged",
        file_sm3="0" * 64,
        file_size=0,
    )
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all()._remove_archived(AuditArchive.objects.get(file_name="forged"))
    assert AuditEntry.objects.filter(seq__in=more).count() == 2


@pytest.mark.django_db
def test_the_monthly_job_archives_once_a_month(var_dir):
    from fuyuan.core import scheduler

    assert (
        scheduler._REGISTRY["audit.archive"].task_path == "fuyuan.audit.tasks.archive_audit_trail"
    )
    record_at(200, 3)
    assert archive.archive_if_due() == 3
    record_at(200, 2)
    assert archive.archive_if_due() == 0  # already archived this month
    assert AuditArchive.objects.count() == 1


@pytest.mark.django_db
def test_the_audit_page_shows_the_online_range_and_the_archives(var_dir, client_for):
    record_at(200, 3)
    audit("archive")
    cp = AuditArchive.objects.get()
    client = client_for("audit_admin")
    with translation.override("en"):
        page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    oldest = AuditEntry.objects.order_by("seq").first()
    assert f"第 {oldest.seq} 条" in page
    assert cp.file_name in page
    assert f"#{cp.first_seq} – #{cp.last_seq}" in page
    assert client_for("city_office").get("/audit/").status_code == 403


@pytest.mark.django_db
def test_the_archive_dry_run_writes_nothing(var_dir):
    old = record_at(200, 3)
    record_at(1, 1)
    out, _ = audit("archive", "--dry-run")
    assert "Dry run: 3 entries older than" in out and f"#{old[0]} to #{old[-1]}" in out
    assert AuditEntry.objects.filter(seq__in=old).count() == 3
    assert not AuditArchive.objects.exists() and not (var_dir / "audit-archive").exists()
