"""One-archive backups and their restore (`fuyuan backup`, `fuyuan restore`).

The archive is a tar file (gzip-compressed when its name ends in .tar.gz or .tgz) holding:

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite:
  a consistent copy made through sqlite3's backup API);
- ``media/<path>``: every file under MEDIA_ROOT (uploads and stored documents);
- ``manifest.json``: format version, creation time, application version, database vendor,
  the applied migrations, rows per table of every concrete model, and the SHA-256 and size of
  every other file in the archive.

The keys of the personal data (FUYUAN_DATA_KEYS, FUYUAN_INDEX_KEY) are NOT in the archive: the
archive and the keys are kept apart, so a stolen archive does not reveal personal data.

Row counts and migrations are read in the same snapshot as the dump (PostgreSQL: an exported
snapshot handed to pg_dump; SQLite: read from the copy), so the manifest describes exactly
what the dump holds.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
# Filled by `migrate` itself on an empty database: their rows do not make a database "used".
MIGRATE_FILLS = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why (in the user's language)."""


# --- what the database holds ------------------------------------------------------------------


def counted_models() -> dict[str, str]:
    """label → table of every concrete, managed model of every installed app (auto-created
    many-to-many tables included)."""
    found: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        found[meta.label_lower] = meta.db_table
    return dict(sorted(found.items()))


def _count_tables(cursor: Any, tables: dict[str, str]) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for label, table in tables.items():
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[label] = int(cursor.fetchone()[0])
    return counts


def _existing_tables(cursor: Any, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false))"
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in cursor.fetchall()}


def table_counts(cursor: Any, vendor: str, tables: dict[str, str]) -> dict[str, int | None]:
    """Rows of each table that exists (None for a missing table), read through `cursor`."""
    existing = _existing_tables(cursor, vendor)
    present = {label: table for label, table in tables.items() if table in existing}
    counts: dict[str, int | None] = {label: None for label in tables}
    counts.update(_count_tables(cursor, present))
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def applied_migrations(cursor: Any, vendor: str) -> list[str]:
    if "django_migrations" not in _existing_tables(cursor, vendor):
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def current_data() -> dict[str, int]:
    """Rows held now by the configured database, per model, leaving out what `migrate` fills
    by itself: an empty result means an empty instance."""
    with connection.cursor() as cursor:
        counts = table_counts(cursor, connection.vendor, counted_models())
    return {label: rows for label, rows in counts.items() if rows and label not in MIGRATE_FILLS}


def code_migrations() -> set[str]:
    """Every migration this version of the code knows."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def app_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("fuyuan")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        return "unknown"


def code_identifier() -> str:
    """A git-less identifier of the code: SHA-256 over the names of every migration it knows
    (two installations with the same schema history share it)."""
    digest = hashlib.sha256("\n".join(sorted(code_migrations())).encode()).hexdigest()
    return f"migrations-sha256:{digest[:16]}"


# --- hashing ----------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every regular file under `root`, in a stable order; symbolic
    links are not followed."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield MEDIA_PREFIX + path.relative_to(root).as_posix(), path


class _HashingReader(io.RawIOBase):
    """Wraps a file: what tarfile reads from it is hashed on the way."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# --- the database dump ------------------------------------------------------------------------


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore from Django's connection settings (the password
    in PGPASSWORD, never on the command line)."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]}: not found in PATH") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


@dataclass
class DumpResult:
    path: Path
    counts: dict[str, int | None]
    migrations: list[str]


def dump_postgresql(target: Path) -> DumpResult:
    """pg_dump of the configured database in one exported snapshot, with the row counts and
    migrations read in that same snapshot."""
    params = connection.get_connection_params()
    raw: Any = connection.get_new_connection(params)
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = table_counts(cursor, "postgresql", counted_models())
            migrations = applied_migrations(cursor, "postgresql")
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                ],
                pg_environment(connection.settings_dict),
            )
        raw.rollback()
    finally:
        raw.close()
    return DumpResult(target, counts, migrations)


def _sqlite_source() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection  # type: ignore[return-value]


def dump_sqlite(target: Path) -> DumpResult:
    """A consistent copy through sqlite3's backup API (safe while other processes write), then
    counts and migrations read from the copy."""
    source = _sqlite_source()
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        counts = table_counts(cursor, "sqlite", counted_models())
        migrations = applied_migrations(cursor, "sqlite")
    finally:
        copy.close()
    return DumpResult(target, counts, migrations)


# --- backup -----------------------------------------------------------------------------------


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"fuyuan-backup-{stamp}.tar.gz"


def _tar_mode(path: Path, writing: bool) -> str:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "w:gz" if writing else "r:gz"
    if name.endswith(".tar"):
        return "w" if writing else "r:"
    raise BackupError(f"{path.name}: the archive's name must end in .tar.gz, .tgz or .tar")


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int
    sha256: str = ""
    files: int = field(default=0)


def create_backup(output: Path | None = None) -> BackupResult:
    """Write the archive to `output` (default under VAR_DIR/backups/), mode 0600, through a
    temporary name in the same folder renamed at the very end: a failed or interrupted backup
    never leaves a file that looks like an archive."""
    output = Path(output) if output else default_output()
    mode = _tar_mode(output, writing=True)
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"database vendor {vendor} is not supported")
    output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if output.exists():
        raise BackupError(f"{output}: already exists")
    media_root = Path(settings.MEDIA_ROOT)
    created_at = timezone.now()
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=output.parent))
    partial = output.parent / f".{output.name}.partial"
    try:
        os.chmod(work, 0o700)
        dump_name = DUMP_NAMES[vendor]
        dump_path = work / dump_name
        dumped = dump_postgresql(dump_path) if vendor == "postgresql" else dump_sqlite(dump_path)
        files: dict[str, dict[str, Any]] = {}
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw_out, tarfile.open(fileobj=raw_out, mode=mode) as tar:  # type: ignore[call-overload]
            for name, path in [(dump_name, dump_path), *media_files(media_root)]:
                added = _add_file(tar, name, path)
                if added is not None:
                    files[name] = added
            tables = counted_models()
            manifest = {
                "format": "fuyuan-backup",
                "format_version": FORMAT_VERSION,
                "created_at": created_at.isoformat(),
                "app_version": app_version(),
                "code_identifier": code_identifier(),
                "database": {"vendor": vendor, "dump": dump_name},
                "migrations": dumped.migrations,
                "counts": {
                    label: {"table": tables[label], "rows": rows}
                    for label, rows in dumped.counts.items()
                    if rows is not None
                },
                "files": files,
                "keys_included": False,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(created_at.timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
            raw_out.flush()
            os.fsync(raw_out.fileno())
        os.replace(partial, output)
        _fsync_dir(output.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(
        path=output,
        manifest=manifest,
        size=output.stat().st_size,
        sha256=sha256_file(output),
        files=len(files),
    )


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict[str, Any] | None:
    """Add one file, hashing it on the way; None when it was deleted since the folder was
    listed (a removed upload: nothing to keep)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        try:
            tar.addfile(info, reader)  # type: ignore[arg-type]
        except OSError as exc:  # the file shrank while being read
            raise BackupError(f"{name}: changed while being backed up; run it again") from exc
    return {"sha256": reader.digest.hexdigest(), "size": stat.st_size}


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading and verifying an archive ---------------------------------------------------------


def read_manifest(archive: Path) -> dict[str, Any]:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive, _tar_mode(archive, writing=False)) as tar:  # type: ignore[call-overload]
            member = tar.getmember(MANIFEST)
            handle = tar.extractfile(member)
            assert handle is not None
            manifest = json.loads(handle.read())
    except KeyError as exc:
        raise BackupError(f"{archive.name}: no {MANIFEST}; not a fuyuan backup") from exc
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{archive.name}: unreadable archive ({exc})") from exc
    if manifest.get("format") != "fuyuan-backup" or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{archive.name}: {MANIFEST} is not a fuyuan backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive.name}: format version {manifest.get('format_version')} is not supported"
        )
    return manifest


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return (
        bool(name)
        and not pure.is_absolute()
        and ".." not in pure.parts
        and "\\" not in name
        and "\x00" not in name
    )


def extract_verified(archive: Path, manifest: dict[str, Any], staging: Path) -> None:
    """Extract every file listed in the manifest into `staging`, hashing it on the way; refuse
    (naming the file) an unlisted, missing, unsafe, resized or altered file. Nothing outside
    `staging` is written."""
    expected: dict[str, dict[str, Any]] = manifest["files"]
    seen: set[str] = set()
    try:
        with tarfile.open(archive, _tar_mode(archive, writing=False)) as tar:  # type: ignore[call-overload]
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                if name not in expected:
                    raise BackupError(f"{name}: in the archive but not in its manifest")
                if not member.isfile() or not _safe_name(name):
                    raise BackupError(f"{name}: not a regular file with a safe name")
                if name in seen:
                    raise BackupError(f"{name}: twice in the archive")
                seen.add(name)
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                handle = tar.extractfile(member)
                assert handle is not None
                size = 0
                with open(target, "wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                want = expected[name]
                if digest.hexdigest() != want.get("sha256") or size != want.get("size"):
                    raise BackupError(f"{name}: damaged (its SHA-256 does not match the manifest)")
    except (tarfile.TarError, OSError, EOFError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"{archive.name}: unreadable archive ({exc})") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{missing[0]}: listed in the manifest but missing from the archive")


# --- restore ----------------------------------------------------------------------------------


def restore_postgresql(dump: Path) -> None:
    """pg_restore into the configured database in one transaction: it either all applies or
    nothing changes."""
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        pg_environment(connection.settings_dict),
    )


def restore_sqlite(dump: Path) -> None:
    """Copy the restored file into the configured database through the backup API: one write
    transaction under SQLite's own locks (WAL and other connections stay consistent)."""
    check = sqlite3.connect(dump)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{dump.name}: SQLite integrity check failed ({result})")
        target = _sqlite_source()
        check.backup(target)
    finally:
        check.close()
    connections.close_all()


def restore_media(staging: Path) -> int:
    """Move the verified media files into MEDIA_ROOT (each through a temporary name in its
    folder, so a reader never sees half a file). Returns how many."""
    root = Path(settings.MEDIA_ROOT)
    source_root = staging / MEDIA_PREFIX.rstrip("/")
    count = 0
    for name, path in media_files(source_root):
        target = root / name.removeprefix(MEDIA_PREFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".{target.name}.restoring"
        shutil.copyfile(path, temporary)
        os.chmod(temporary, 0o640)
        os.replace(temporary, target)
        count += 1
    return count


@dataclass
class Verification:
    count_mismatches: list[tuple[str, int, int | None]] = field(default_factory=list)
    file_mismatches: list[str] = field(default_factory=list)
    counts_checked: int = 0
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and not self.file_mismatches


def verify_restored(manifest: dict[str, Any]) -> Verification:
    """Rows per table and media files' hashes now in the instance, against the manifest."""
    result = Verification()
    tables = {label: entry["table"] for label, entry in manifest["counts"].items()}
    with connection.cursor() as cursor:
        counts = table_counts(cursor, connection.vendor, tables)
    for label, entry in sorted(manifest["counts"].items()):
        result.counts_checked += 1
        if counts.get(label) != entry["rows"]:
            result.count_mismatches.append((label, entry["rows"], counts.get(label)))
    root = Path(settings.MEDIA_ROOT)
    for name, entry in sorted(manifest["files"].items()):
        if not name.startswith(MEDIA_PREFIX):
            continue
        result.files_checked += 1
        path = root / name.removeprefix(MEDIA_PREFIX)
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            result.file_mismatches.append(name)
    return result


@contextmanager
def staging_folder() -> Iterator[Path]:
    """A private folder under VAR_DIR (same file system as the media folder), removed after."""
    base = Path(settings.VAR_DIR)
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".restore-", dir=base))
    os.chmod(folder, 0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def restore_database(staging: Path, manifest: dict[str, Any]) -> None:
    dump = staging / manifest["database"]["dump"]
    if manifest["database"]["vendor"] == "postgresql":
        restore_postgresql(dump)
    else:
        restore_sqlite(dump)


def created_at(manifest: dict[str, Any]) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, ValueError):
        return None
