"""`fuyuan backup` and `fuyuan restore`, for real: a world with matters and attachments is
backed up from the test database, then restored by a separate `fuyuan restore` process into a
different, empty instance (its own database and media folder), and every model's rows and every
file's hash are compared. A damaged archive, a non-empty target and another vendor's archive
are refused without touching the target."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from fuyuan.audit.models import AuditEntry
from fuyuan.matters import actions as matter_actions
from fuyuan.ops import backup
from fuyuan.testing import build_world, make_matter

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _data_with_attachments() -> None:
    world = build_world()
    liaison = world.users["hrss_liaison"]
    for n in range(3):
        matter = make_matter(world, title=f"备份测试事项{n}", state="assigned")
        matter_actions.add_attachment(
            liaison, matter, SimpleUploadedFile(f"报告{n}.pdf", PDF + str(n).encode())
        )
        matter_actions.add_attachment(
            liaison, matter, SimpleUploadedFile(f"照片{n}.png", PNG + str(n).encode())
        )


def orm_counts() -> dict[str, int]:
    """Rows of every concrete model, counted through the ORM (independent of backup.py)."""
    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        counts[model._meta.label_lower] = model._base_manager.using("default").count()
    return counts


def media_hashes(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_restore(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`fuyuan restore` as a separate process pointed at another instance."""
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "fuyuan", "restore", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def rewrite_archive(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    """A copy of the archive with some members' bytes changed (the manifest is kept as is
    unless `change` changes it)."""
    with tarfile.open(source, "r:gz") as src, tarfile.open(target, "w:gz") as out:
        for member in src:
            handle = src.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def _back_up(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, int], dict[str, str]]:
    _data_with_attachments()
    before = orm_counts()
    audits = AuditEntry.objects.filter(action="ops.backup").count()
    out = tmp_path / "nightly.tar.gz"
    call_command("backup", output=out, stdout=io.StringIO())
    assert out.is_file() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*")), "no temporary file or folder is left behind"
    assert AuditEntry.objects.filter(action="ops.backup").count() == audits + 1
    entry = AuditEntry.objects.filter(action="ops.backup").latest("seq")
    assert entry.detail["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()

    manifest = backup.read_manifest(out)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["keys_included"] is False
    # The manifest's counts are the ORM's for every concrete model.
    assert {label: e["rows"] for label, e in manifest["counts"].items()} == before
    assert before["matters.attachment"] == 6 and before["matters.matter"] == 3
    # Every file of the media folder is in the archive with its hash.
    source_media = media_hashes(Path(settings.MEDIA_ROOT))
    assert len([name for name in source_media if name.startswith("matters/")]) >= 6
    with tarfile.open(out, "r:gz") as tar:
        names = {m.name for m in tar.getmembers()}
        for name, entry_ in manifest["files"].items():
            handle = tar.extractfile(name)
            assert handle is not None
            assert hashlib.sha256(handle.read()).hexdigest() == entry_["sha256"]
    assert names == {*manifest["files"], backup.MANIFEST}
    assert {f"media/{name}" for name in source_media} <= set(manifest["files"])
    assert manifest["migrations"] and all("." in m for m in manifest["migrations"])
    return out, manifest, before, source_media


def _assert_restored(
    counts: dict[str, int | None], before: dict[str, int], media_root: Path, source_media: dict
) -> None:
    expected = dict(before)
    # The restored instance records its restore in its own audit trail.
    expected["audit.auditentry"] += 1
    assert counts == expected
    assert media_hashes(media_root) == source_media


def _sqlite_counts(path: Path) -> dict[str, int | None]:
    db = sqlite3.connect(path)
    try:
        return backup.table_counts(db.cursor(), "sqlite", backup.counted_models())
    finally:
        db.close()


@pytest.fixture
def sqlite_instance(tmp_path: Path) -> Callable[[str], dict[str, str]]:
    def make(name: str) -> dict[str, str]:
        var = tmp_path / name
        return {
            "FUYUAN_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'fuyuan.sqlite3'}",
        }

    return make


@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_and_refusals(tmp_path, sqlite_instance):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs in the SQLite pass")
    archive, manifest, before, source_media = _back_up(tmp_path / "out")

    # 1. Into a new, empty instance: everything comes back, verified.
    target = sqlite_instance("new")
    done = run_restore(target, str(archive))
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    var = Path(target["FUYUAN_VAR_DIR"])
    _assert_restored(_sqlite_counts(var / "fuyuan.sqlite3"), before, var / "media", source_media)
    assert not list(var.glob(".restore-*")), "the staging folder is removed"

    # 2. The same target again: it holds data now, so it is refused unless --force.
    again = run_restore(target, str(archive))
    assert again.returncode != 0
    assert "already holds data" in again.stderr and "--force" in again.stderr
    forced = run_restore(target, str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    held = sum(rows for label, rows in before.items() if label not in backup.MIGRATE_FILLS) + 1
    assert f"--force: replacing {held} rows in" in forced.stdout
    counts = _sqlite_counts(var / "fuyuan.sqlite3")
    assert (
        counts["matters.attachment"] == 6
        and counts["audit.auditentry"] == before["audit.auditentry"] + 1
    )

    # 3. A damaged archive (one attachment's bytes changed, same size) is refused, naming the
    # file, and the empty target stays untouched.
    victim = next(name for name in manifest["files"] if name.endswith(".pdf"))

    def flip(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1]) if name == victim else data

    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(archive, damaged, flip)
    empty = sqlite_instance("empty")
    refused = run_restore(empty, str(damaged))
    assert refused.returncode != 0
    assert victim in refused.stderr and "damaged" in refused.stderr
    empty_var = Path(empty["FUYUAN_VAR_DIR"])
    assert not (empty_var / "media").exists()
    assert not any(_sqlite_counts(empty_var / "fuyuan.sqlite3").values())

    # 4. A file missing from the archive is refused too.
    short = tmp_path / "short.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(short, "w:gz") as out:
        for member in src:
            if member.name != victim:
                out.addfile(member, src.extractfile(member))
    refused = run_restore(empty, str(short))
    assert refused.returncode != 0 and victim in refused.stderr and "missing" in refused.stderr

    # 5. Another vendor's archive is refused before anything is read.
    def postgres_manifest(name: str, data: bytes) -> bytes:
        if name != backup.MANIFEST:
            return data
        changed = json.loads(data)
        changed["database"]["vendor"] = "postgresql"
        return json.dumps(changed).encode()

    other = tmp_path / "other.tar.gz"
    rewrite_archive(archive, other, postgres_manifest)
    refused = run_restore(empty, str(other))
    assert refused.returncode != 0 and "postgresql" in refused.stderr
    assert not any(_sqlite_counts(empty_var / "fuyuan.sqlite3").values())


def test_a_failed_backup_leaves_no_archive(tmp_path, monkeypatch, db):
    """An error in the middle (here the dump) leaves neither the archive nor a partial file."""

    def broken(target: Path) -> Any:
        target.write_bytes(b"half")
        raise backup.BackupError("disk full")

    monkeypatch.setattr(backup, "dump_sqlite", broken)
    monkeypatch.setattr(backup, "dump_postgresql", broken)
    out = tmp_path / "x.tar.gz"
    with pytest.raises(Exception, match="disk full"):
        call_command("backup", output=out, stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []
    failed = AuditEntry.objects.filter(action="ops.backup").latest("seq")
    assert failed.outcome == "failed" and "disk full" in failed.detail["error"]


def test_archive_names_and_existing_outputs_are_checked(tmp_path, db):
    with pytest.raises(backup.BackupError, match=r"\.tar\.gz"):
        backup.create_backup(tmp_path / "backup.zip")
    taken = tmp_path / "taken.tar"
    taken.write_bytes(b"")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.create_backup(taken)
    assert taken.read_bytes() == b""


def test_unsafe_member_names_are_refused(tmp_path):
    archive = tmp_path / "evil.tar"
    data = b"x"
    manifest = {
        "format": "fuyuan-backup",
        "format_version": backup.FORMAT_VERSION,
        "files": {"media/../../etc/evil": {"sha256": hashlib.sha256(data).hexdigest(), "size": 1}},
        "database": {"vendor": "sqlite", "dump": "database.sqlite3"},
    }
    with tarfile.open(archive, "w") as tar:
        for name, content in (
            ("media/../../etc/evil", data),
            (backup.MANIFEST, json.dumps(manifest).encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(backup.BackupError, match="safe name"):
        backup.extract_verified(archive, backup.read_manifest(archive), staging)
    assert not (tmp_path / "etc").exists()


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def scratch_postgres() -> Iterator[dict[str, str]]:
    """A throwaway database on the same server, dropped afterwards."""
    params = connection.settings_dict
    name = f"fuyuan_restore_{uuid.uuid4().hex[:10]}"
    env = backup.pg_environment(params)
    env.pop("PGDATABASE", None)
    subprocess.run(["createdb", name], env=env, check=True, capture_output=True)
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    try:
        yield {
            "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{name}",
            "PGDATABASE": name,
        }
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", name], env=env, check=False, capture_output=True
        )


def _postgres_counts(env: dict[str, str]) -> dict[str, int | None]:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as db, db.cursor() as cursor:
        return backup.table_counts(cursor, "postgresql", backup.counted_models())


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_round_trip_and_refusals(tmp_path, scratch_postgres):
    archive, manifest, before, source_media = _back_up(tmp_path / "out")
    assert manifest["database"]["dump"] == "database.dump"
    target = {**scratch_postgres, "FUYUAN_VAR_DIR": str(tmp_path / "new")}
    # The target is a different database from the test database the backup came from.
    assert scratch_postgres["PGDATABASE"] != connection.settings_dict["NAME"]

    done = run_restore(target, str(archive))
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    _assert_restored(
        _postgres_counts(scratch_postgres), before, tmp_path / "new" / "media", source_media
    )

    again = run_restore(target, str(archive))
    assert again.returncode != 0 and "already holds data" in again.stderr
    forced = run_restore(target, str(archive), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _postgres_counts(scratch_postgres)["matters.attachment"] == 6

    dump = manifest["database"]["dump"]
    damaged = tmp_path / "damaged.tar.gz"
    rewrite_archive(
        archive,
        damaged,
        lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name == dump else data,
    )
    refused = run_restore(target, str(damaged), "--force")
    assert refused.returncode != 0 and dump in refused.stderr
    # Refused before touching anything: the previous restore's rows are all still there.
    assert _postgres_counts(scratch_postgres)["matters.attachment"] == 6
