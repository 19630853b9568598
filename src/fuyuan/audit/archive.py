"""Retention of the audit trail: entries stay online at least FUYUAN_AUDIT_RETENTION_DAYS
(180 at least: Cybersecurity Law §21 asks for six months); older sealed entries are moved to an
archive file, never silently deleted and never leaving a gap in the chain.

One run (`fuyuan audit archive`, or the monthly job):

1. seal the trail, then pick the oldest live entries up to the first one that is unsealed or
   younger than the retention (a contiguous run of the chain);
2. stream them into VAR_DIR/audit-archive/audit-<first>-<last>-<time>.jsonl.gz (one JSON line
   per entry, every hashed field plus `prev_hash` and `hash`), checking the chain on the way
   (it must continue the latest checkpoint), then fsync and rename into place;
3. re-read the file: its SM3, its count, its chain from the checkpoint's hash to the last
   entry's hash — and write the manifest next to it (`.manifest.json`);
4. in one transaction: insert the `AuditArchive` checkpoint, remove exactly the archived rows
   through the one sanctioned path (`AuditQuerySet._remove_archived`), and audit the run.

A crash before step 4 commits leaves every row in place (and at worst an orphan file, reported
by `verify_archives`); the next run archives the same entries again into a new file.
"""

from __future__ import annotations

import datetime
import fcntl
import gzip
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import chain
from .models import AuditArchive, AuditEntry

MIN_RETENTION_DAYS = 180
SUFFIX = ".jsonl.gz"
MANIFEST_SUFFIX = ".manifest.json"


class ArchiveError(Exception):
    """The archive cannot be made (retention too short, chain broken, file not as written)."""


def archive_dir() -> Path:
    return Path(settings.VAR_DIR) / "audit-archive"


def retention_days() -> int:
    days = int(getattr(settings, "FUYUAN_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ArchiveError(
            _(
                "FUYUAN_AUDIT_RETENTION_DAYS is %(days)d: the audit trail must stay online at "
                "least %(minimum)d days."
            )
            % {"days": days, "minimum": MIN_RETENTION_DAYS}
        )
    return days


@dataclass(frozen=True)
class ArchiveResult:
    checkpoint: AuditArchive
    path: Path
    removed: int


def _sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.finalize().hex()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _single_archiver() -> Iterator[None]:
    """One archiver at a time on this host (the checkpoint's unique seq columns stop a second
    host's run at the commit)."""
    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ArchiveError(_("Another audit archive run is in progress.")) from exc
        yield
    finally:
        os.close(fd)


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


@dataclass
class FileCheck:
    """The outcome of checking one archive file's entries."""

    count: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str = ""
    first_bad_seq: int | None = None
    problem: str = ""


def check_lines(lines: Iterator[dict[str, Any]], prev_hash: str) -> FileCheck:
    """Walk archived entries: each must continue the previous one and hash to itself."""
    result = FileCheck(last_hash=prev_hash)
    prev = prev_hash
    for values in lines:
        seq = int(values["seq"])
        if values.get("prev_hash") != prev:
            result.first_bad_seq, result.problem = seq, "removed, inserted or reordered"
            return result
        if chain.values_digest(values, prev) != values.get("hash"):
            result.first_bad_seq, result.problem = seq, "changed"
            return result
        prev = values["hash"]
        result.count += 1
        result.first_seq = seq if result.first_seq is None else result.first_seq
        result.last_seq = seq
        result.last_hash = prev
    return result


def _candidates(cutoff: datetime.datetime) -> Any:
    """The oldest live entries before the first one that is unsealed or not yet old enough."""
    live = AuditEntry.objects.all()
    stop = (
        live.filter(Q(hash="") | Q(at__gte=cutoff))
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    return live.filter(seq__lt=stop) if stop is not None else live


def pending(now: datetime.datetime | None = None) -> dict[str, Any]:
    """What a run would archive now: count and seq range (nothing is written)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    stats = _candidates(cutoff).aggregate(count=Count("seq"), first=Min("seq"), last=Max("seq"))
    return {"cutoff": cutoff, **stats}


def archive(
    now: datetime.datetime | None = None,
    *,
    before_commit: Callable[[Path], None] | None = None,
) -> ArchiveResult | None:
    """Move the sealed entries older than the retention to a verified archive file; returns
    None when there is nothing old enough. `before_commit` runs after the file and manifest
    are written and verified and before the checkpoint is stored (tests simulate a crash)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    chain.seal()
    with _single_archiver():
        checkpoint = chain.latest_checkpoint()
        prev = checkpoint.last_hash if checkpoint else chain.GENESIS
        rows = _candidates(cutoff).order_by("seq")
        if not rows.exists():
            return None
        folder = archive_dir()
        partial = folder / f".writing-{os.getpid()}{SUFFIX}"
        try:
            written = _write(partial, rows.iterator(chunk_size=2000), prev)
            name = f"audit-{written.first_seq:012d}-{written.last_seq:012d}-{now:%Y%m%dT%H%M%S}"
            path = folder / (name + SUFFIX)
            run = 1
            while path.exists():  # an interrupted run's file of the same second stays as it is
                run += 1
                path = folder / f"{name}-{run}{SUFFIX}"
            name = path.name.removesuffix(SUFFIX)
            os.replace(partial, path)
            _fsync_dir(folder)
        finally:
            partial.unlink(missing_ok=True)
        # Re-read what is on disk: the rows leave the table only if the file proves them.
        reread = check_lines(read_lines(path), prev)
        if reread.problem or (reread.count, reread.last_seq, reread.last_hash) != (
            written.count,
            written.last_seq,
            written.last_hash,
        ):
            raise ArchiveError(
                _("%(file)s does not read back as written; nothing was removed.")
                % {"file": path.name}
            )
        bounds = AuditEntry.objects.filter(
            seq__gte=written.first_seq, seq__lte=written.last_seq
        ).aggregate(first_at=Min("at"), last_at=Max("at"))
        values = {
            "created_at": now,
            "first_seq": written.first_seq,
            "last_seq": written.last_seq,
            "first_prev_hash": prev,
            "last_hash": written.last_hash,
            "count": written.count,
            "first_at": bounds["first_at"],
            "last_at": bounds["last_at"],
            "file_name": path.name,
            "file_sm3": _sm3_file(path),
            "file_size": path.stat().st_size,
        }
        manifest = path.with_name(name + MANIFEST_SUFFIX)
        manifest.write_text(
            json.dumps(_jsonable(values), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _fsync_dir(folder)
        if before_commit is not None:
            before_commit(path)
        with transaction.atomic():
            if chain.latest_checkpoint() != checkpoint:
                raise ArchiveError(
                    _("Another archive run moved entries meanwhile; nothing was removed.")
                )
            stored = AuditArchive(**values)
            stored.save(force_insert=True)
            removed = AuditEntry.objects.all()._remove_archived(stored)
            if removed != written.count:  # _remove_archived checks it; belt and braces
                raise ArchiveError(
                    _("The audit trail changed during the archive run; nothing was removed.")
                )
            from .record import record

            record(
                None,
                "audit.archived",
                stored,
                detail={
                    "first_seq": stored.first_seq,
                    "last_seq": stored.last_seq,
                    "count": stored.count,
                    "file": stored.file_name,
                    "file_sm3": stored.file_sm3,
                    "retention_days": retention_days(),
                },
            )
        return ArchiveResult(stored, path, removed)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in values.items()
    }


def _write(path: Path, entries: Iterator[AuditEntry], prev_hash: str) -> FileCheck:
    """Stream entries into a gzip file, checking the chain as they go; fsync before return."""
    result = FileCheck(last_hash=prev_hash)
    prev = prev_hash
    with path.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            text = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
            for entry in entries:
                if entry.prev_hash != prev or chain.entry_digest(entry, prev) != entry.hash:
                    raise ArchiveError(
                        _(
                            "The audit chain is broken at entry #%(seq)s: run `fuyuan audit "
                            "verify`; nothing was archived."
                        )
                        % {"seq": entry.seq}
                    )
                values = chain.entry_values(entry)
                text.write(json.dumps(values, ensure_ascii=False, sort_keys=True) + "\n")
                prev = entry.hash
                result.count += 1
                result.first_seq = entry.seq if result.first_seq is None else result.first_seq
                result.last_seq = entry.seq
                result.last_hash = prev
            text.flush()
            text.detach()
        raw.flush()
        os.fsync(raw.fileno())
    return result


@dataclass
class ArchiveProblem:
    file_name: str
    problem: str
    seq: int | None = None


@dataclass
class ArchivesReport:
    checked: int = 0
    entries: int = 0
    problems: list[ArchiveProblem] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archives() -> ArchivesReport:
    """Check every archive file against its checkpoint: present, SM3 as recorded, entries
    chained from the previous checkpoint's hash to this one's, count and range as recorded.
    Files no checkpoint names (a run interrupted before its commit) are listed as orphans."""
    report = ArchivesReport()
    folder = archive_dir()
    prev = chain.GENESIS
    named: set[str] = set()
    for cp in AuditArchive.objects.order_by("first_seq"):
        named.update({cp.file_name, cp.file_name.removesuffix(SUFFIX) + MANIFEST_SUFFIX})
        path = folder / cp.file_name
        report.checked += 1
        if cp.first_prev_hash != prev:
            report.problems.append(
                ArchiveProblem(cp.file_name, "does not continue the previous archive", cp.first_seq)
            )
        if not path.is_file():
            report.problems.append(ArchiveProblem(cp.file_name, "file missing"))
            prev = cp.last_hash
            continue
        if _sm3_file(path) != cp.file_sm3:
            report.problems.append(ArchiveProblem(cp.file_name, "SM3 differs from the checkpoint"))
        try:
            found = check_lines(read_lines(path), cp.first_prev_hash)
        except (OSError, EOFError, ValueError, KeyError) as exc:
            report.problems.append(ArchiveProblem(cp.file_name, f"unreadable: {exc}"))
            prev = cp.last_hash
            continue
        if found.problem:
            report.problems.append(ArchiveProblem(cp.file_name, found.problem, found.first_bad_seq))
        elif (found.count, found.first_seq, found.last_seq, found.last_hash) != (
            cp.count,
            cp.first_seq,
            cp.last_seq,
            cp.last_hash,
        ):
            report.problems.append(
                ArchiveProblem(cp.file_name, "entries differ from the checkpoint", found.last_seq)
            )
        report.entries += found.count
        prev = cp.last_hash
    if folder.is_dir():
        report.orphans = sorted(
            p.name for p in folder.iterdir() if p.name.startswith("audit-") and p.name not in named
        )
    return report


def archive_if_due(now: datetime.datetime | None = None) -> int:
    """The monthly job: archive once per calendar month (the first daily run of a month that
    finds entries old enough). Returns how many entries were moved."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if AuditArchive.objects.filter(created_at__gte=month_start).exists():
        return 0
    result = archive(now)
    return result.removed if result else 0
