"""The file-drop inbox (issue [api] 2; docs/api.md, "File drop"): the gateway between the
court's private network and the government extranet deposits a file and, once the file is
complete, its manifest in `<FUYUAN_EXCHANGE_ROOT>/inbox/<feed>/`; the worker's scan imports
each file once through the one importer (`core.importing.submit` + `process`), writes a
receipt and moves the three files to `done/` or `failed/`.

The manifest `<name>.manifest.json` is what says "complete" (files without one are ignored):

    {"feed": "litigation.cases", "file": "cases-0301.csv", "sha256": "<64 hex>",
     "size": 12345, "client": 7, "batch_id": "optional"}

`client` is the primary key of the sending system's ApiClient (shown on its page). The
gateway alone can write into the inbox, so the manifest's word is the gateway's word; the
client must still be active, hold the scope `imports:write`, and its service user must be
allowed to import the feed — the same checks as a push through the API.

Once per file: a DroppedFile row (feed, SHA-256) in state "importing" is the claim, and the
partial unique constraint lets one scanner hold it, on SQLite and PostgreSQL alike. A file
whose SHA-256 or size does not match its manifest (still being copied) waits in place.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportChannel, ImportState

from .models import ApiClient
from .transfer_models import DroppedFile, DropState

logger = logging.getLogger(__name__)

INBOX = "inbox"
DONE = "done"
FAILED = "failed"
MANIFEST_SUFFIX = ".manifest.json"
RECEIPT_SUFFIX = ".receipt.json"
LOCK_FILE = ".scan.lock"
RECEIPT_ISSUES = 1000
MANIFEST_MAX_BYTES = 64 * 1024
IMPORT_SCOPE = "imports"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


# --- settings ----------------------------------------------------------------------------------
def exchange_root() -> Path:
    return Path(settings.FUYUAN_EXCHANGE_ROOT)


def inbox_root() -> Path:
    return exchange_root() / INBOX


def settle_seconds() -> int:
    """An unreadable manifest younger than this may still be being written: left for the
    next scan rather than failed."""
    return int(getattr(settings, "FUYUAN_EXCHANGE_SETTLE_SECONDS", 60))


def stale_seconds() -> int:
    """A claim ("importing") older than this belongs to a dead worker and may be taken over."""
    return int(getattr(settings, "FUYUAN_TASK_STALE_AFTER_SECONDS", 1800))


def status_path(batch: ImportBatch) -> str:
    """The batch's status in the API (GET, scope imports:read)."""
    return reverse("api:import-batch-detail", kwargs={"pk": batch.pk})


# --- what the scan reports ------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the scan did with one manifest: waiting, done, duplicate, failed, busy (another
    scanner holds it) or pending (an unreadable manifest still settling)."""

    feed: str
    name: str
    state: str
    code: str = ""
    message: str = ""
    batch: int | None = None

    def line(self) -> str:
        batch = f" batch {self.batch}" if self.batch else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{self.feed}/{self.name}: {self.state}{batch}{code} {self.message}".rstrip()


@dataclass
class ScanReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for outcome in self.outcomes:
            found[outcome.state] = found.get(outcome.state, 0) + 1
        return found


class DropRefused(Exception):
    """The drop cannot be imported (manifest, feed, client); `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Manifest:
    feed: str
    file: str
    sha256: str
    size: int | None
    client_id: int
    batch_id: str


# --- the batch as reported in receipts and by the API -------------------------------------------
def batch_counts(batch: ImportBatch) -> dict[str, int]:
    return {
        "total": batch.total_rows,
        "ok": batch.ok_rows,
        "error": batch.error_rows,
        "held": batch.held_rows,
        "duplicate": batch.duplicate_rows,
        "created": batch.created_rows,
        "updated": batch.updated_rows,
        "unchanged": batch.unchanged_rows,
    }


def batch_issues(batch: ImportBatch, limit: int, *, cells: bool = False) -> list[dict[str, Any]]:
    """The first `limit` issues in row order: row, column, level, code, message (and the
    row's cells as stored, personal ones masked, when `cells`)."""
    fields = ["row_number", "column", "level", "code", "message"] + (["raw"] if cells else [])
    found = []
    for item in batch.issues.order_by("row_number", "pk").values(*fields)[:limit]:
        issue = {
            "row": item["row_number"],
            "column": item["column"],
            "level": item["level"],
            "code": item["code"],
            "message": item["message"],
        }
        if cells:
            issue["cells"] = [[str(h), str(t)] for h, t in (item["raw"] or [])]
        found.append(issue)
    return found


# --- manifests ---------------------------------------------------------------------------------
def _refused_manifest(message: str) -> DropRefused:
    return DropRefused("drop.manifest", message)


def parse_manifest(raw: bytes, folder_feed: str) -> Manifest:
    """The manifest's fields, checked; DropRefused("drop.manifest" / "drop.feed") otherwise."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refused_manifest(_("The manifest is not valid UTF-8 JSON.")) from None
    if not isinstance(data, dict):
        raise _refused_manifest(_("The manifest is not a JSON object."))
    name = data.get("file")
    if not isinstance(name, str) or not name or name != os.path.basename(name):
        raise _refused_manifest(
            _("The manifest's “file” must be the name of a file in the same folder.")
        )
    if len(name) > 200:
        raise _refused_manifest(_("The manifest's “file” is longer than 200 characters."))
    if name.startswith(".") or name.endswith((MANIFEST_SUFFIX, RECEIPT_SUFFIX)):
        raise _refused_manifest(_("The manifest's “file” names no data file."))
    sha = data.get("sha256")
    if not isinstance(sha, str) or not _SHA256.match(sha.strip().lower()):
        raise _refused_manifest(_("The manifest's “sha256” must be 64 hexadecimal digits."))
    size = data.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise _refused_manifest(_("The manifest's “size” must be a whole number of bytes."))
    client = data.get("client")
    if isinstance(client, str) and client.strip().isdigit():
        client = int(client.strip())
    if not isinstance(client, int) or isinstance(client, bool) or client <= 0:
        raise DropRefused(
            "drop.client",
            _("The manifest's “client” must be the number of the sending system client."),
        )
    batch_id = data.get("batch_id") or ""
    if not isinstance(batch_id, str) or len(batch_id.strip()) > 100:
        raise _refused_manifest(_("The manifest's “batch_id” must be text of 100 characters."))
    feed = data.get("feed")
    if feed != folder_feed:
        raise DropRefused(
            "drop.feed",
            _("The manifest names the import “%(feed)s” but lies in the folder “%(folder)s”.")
            % {"feed": feed, "folder": folder_feed},
        )
    return Manifest(
        feed=folder_feed,
        file=name,
        sha256=sha.strip().lower(),
        size=size,
        client_id=client,
        batch_id=batch_id.strip(),
    )


def check_sender(manifest: Manifest, feed: importing.Feed) -> ApiClient:
    """The sending system client, allowed to push to this feed (as through the API)."""
    client = (
        ApiClient.objects.select_related("service_user", "unit")
        .filter(pk=manifest.client_id)
        .first()
    )
    if client is None or not client.may_act():
        raise DropRefused(
            "drop.client",
            _("There is no active system client number %(client)s.")
            % {"client": manifest.client_id},
        )
    if not client.allows(IMPORT_SCOPE, write=True):
        raise DropRefused(
            "api.scope",
            _("The system client “%(client)s” has no “imports:write” scope.")
            % {"client": client.name},
        )
    if not feed.may_import(client.service_user):
        raise DropRefused(
            "drop.forbidden",
            _("The system client “%(client)s” may not import “%(feed)s”.")
            % {"client": client.name, "feed": feed.label},
        )
    return client


# --- files -------------------------------------------------------------------------------------
def file_digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _free_name(target: Path, name: str) -> str:
    """`name`, or name-2, name-3 … (before the first dot) if done/ or failed/ has it."""

    def taken(candidate: str) -> bool:
        return any(
            (target / f"{candidate}{suffix}").exists()
            for suffix in ("", MANIFEST_SUFFIX, RECEIPT_SUFFIX)
        )

    if not taken(name):
        return name
    stem, dot, rest = name.partition(".")
    n = 2
    while taken(f"{stem}-{n}{dot}{rest}"):
        n += 1
    return f"{stem}-{n}{dot}{rest}"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _deliver(
    folder: Path, manifest_path: Path, data_name: str | None, outcome: str, receipt: dict[str, Any]
) -> str:
    """Write the receipt into done/ or failed/ and move the data file and manifest beside it;
    returns the data file's new place relative to the exchange root."""
    target = folder / (DONE if outcome == DONE else FAILED)
    target.mkdir(parents=True, exist_ok=True)
    base = data_name or manifest_path.name.removesuffix(MANIFEST_SUFFIX)
    name = _free_name(target, base)
    _write_json(target / f"{name}{RECEIPT_SUFFIX}", receipt)
    data_path = folder / data_name if data_name else None
    if data_path is not None and data_path.is_file():
        os.replace(data_path, target / name)
    if manifest_path.exists():
        os.replace(manifest_path, target / f"{name}{MANIFEST_SUFFIX}")
    return str((target / name).relative_to(exchange_root()))


# --- receipts ----------------------------------------------------------------------------------
def _receipt(
    *,
    feed: str,
    name: str,
    result: str,
    code: str = "",
    message: str = "",
    sha256: str = "",
    size: int | None = None,
    client: ApiClient | None = None,
    batch: ImportBatch | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    receipt: dict[str, Any] = {
        "receipt_version": 1,
        "feed": feed,
        "file": name,
        "sha256": sha256,
        "size": size,
        "client": client.pk if client else None,
        "result": result,
        "code": code,
        "message": message,
        "batch": None,
        "counts": None,
        "issues": [],
        "issues_total": 0,
        "processed_at": timezone.localtime().isoformat(),
    }
    if batch is not None:
        receipt["batch"] = {
            "id": batch.pk,
            "batch_id": batch.batch_id,
            "state": batch.state,
            "status_url": status_path(batch),
            "duplicate_of": batch.duplicate_of_id,
        }
        receipt["counts"] = batch_counts(batch)
        receipt["issues"] = batch_issues(batch, RECEIPT_ISSUES)
        receipt["issues_total"] = batch.issues.count()
    receipt.update(extra or {})
    return receipt


def _audit(actor: Any, dropped: DroppedFile) -> None:
    from fuyuan.audit.record import record

    record(
        actor,
        "exchange.drop",
        dropped,
        outcome="success" if dropped.state in (DropState.DONE, DropState.DUPLICATE) else "failed",
        detail={
            "feed": dropped.feed,
            "file": dropped.name,
            "sha256": dropped.sha256,
            "state": dropped.state,
            "code": dropped.code,
            "batch": dropped.batch_id,
            "client": dropped.client_id,
        },
    )


# --- the scan -----------------------------------------------------------------------------------
def scan(root: Path | None = None) -> ScanReport:
    """One pass over every feed's inbox folder (creating the folders of registered feeds).
    Runs in the worker (task `exchange.tasks.scan_inbox`) or `fuyuan exchange_scan`."""
    inbox = (root or exchange_root()) / INBOX
    inbox.mkdir(parents=True, exist_ok=True)
    for feed in importing.feeds():
        (inbox / feed.name).mkdir(exist_ok=True)
    report = ScanReport()
    with translation.override(settings.LANGUAGE_CODE):
        for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue
            report.outcomes += scan_folder(folder)
    return report


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[bool]:
    """An exclusive lock on the feed's folder for one scan (a file lock, released by the
    kernel if the worker dies): a second scanner skips the folder rather than racing the
    first for the same files. The DroppedFile claim still guards across hosts."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def scan_folder(folder: Path) -> list[Outcome]:
    with _folder_lock(folder) as locked:
        if not locked:
            return [Outcome(folder.name, "", "busy", "drop.locked")]
        return _scan_locked(folder)


def _scan_locked(folder: Path) -> list[Outcome]:
    outcomes = []
    for manifest_path in sorted(folder.glob(f"*{MANIFEST_SUFFIX}")):
        if manifest_path.name.startswith(".") or not manifest_path.is_file():
            continue
        try:
            outcome = handle(folder, manifest_path)
        except Exception as exc:  # one bad file must not stop the scan of the others
            logger.exception("exchange: drop %s could not be handled", manifest_path)
            outcome = Outcome(
                folder.name, manifest_path.name, "error", "drop.error", str(exc)[:200]
            )
        if outcome.state != "pending":
            logger.info("exchange: %s", outcome.line())
        outcomes.append(outcome)
    return outcomes


def handle(folder: Path, manifest_path: Path) -> Outcome:
    """Deal with one manifest: wait, import, or refuse."""
    feed_name = folder.name
    try:
        raw = manifest_path.read_bytes()[:MANIFEST_MAX_BYTES]
    except FileNotFoundError:  # moved by another scanner meanwhile
        return Outcome(feed_name, manifest_path.name, "busy")
    try:
        manifest = parse_manifest(raw, feed_name)
    except DropRefused as refused:
        if refused.code == "drop.manifest" and _settling(manifest_path):
            return Outcome(feed_name, manifest_path.name, "pending", refused.code)
        # The data file: as the manifest names it, else by the naming rule <name>.manifest.json.
        conventional = manifest_path.name.removesuffix(MANIFEST_SUFFIX)
        data_name = _data_name(raw) or (conventional if (folder / conventional).is_file() else None)
        return _refuse(folder, manifest_path, data_name, refused)
    try:
        feed = importing.get(feed_name)
    except KeyError:
        return _refuse(
            folder,
            manifest_path,
            manifest.file,
            DropRefused(
                "drop.feed", _("There is no import called “%(feed)s”.") % {"feed": feed_name}
            ),
        )
    data_path = folder / manifest.file
    if not data_path.is_file():
        return _wait(
            manifest,
            None,
            "drop.file_missing",
            _("The file named by the manifest is not there yet."),
        )
    sha, size = file_digest(data_path)
    if sha != manifest.sha256 or (manifest.size is not None and size != manifest.size):
        return _wait(
            manifest,
            size,
            "drop.incomplete",
            _(
                "The file does not match its manifest yet (%(size)s bytes, SHA-256 %(sha)s…): "
                "waiting for the copy to finish."
            )
            % {"size": size, "sha": sha[:12]},
        )
    try:
        client = check_sender(manifest, feed)
    except DropRefused as refused:
        return _refuse(folder, manifest_path, manifest.file, refused, manifest=manifest, size=size)
    return _import(folder, manifest_path, manifest, feed, client, size)


def _settling(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < settle_seconds()
    except FileNotFoundError:
        return True


def _data_name(raw: bytes) -> str | None:
    """The data file a broken manifest still names, if it names one plainly."""
    with contextlib.suppress(Exception):
        name = json.loads(raw.decode("utf-8-sig")).get("file")
        plain = isinstance(name, str) and bool(name) and name == os.path.basename(name)
        if (
            plain
            and not name.startswith(".")
            and not name.endswith((MANIFEST_SUFFIX, RECEIPT_SUFFIX))
        ):
            return str(name)
    return None


def _wait(manifest: Manifest, size: int | None, code: str, message: str) -> Outcome:
    row = DroppedFile.objects.filter(
        feed=manifest.feed, name=manifest.file, sha256=manifest.sha256, state=DropState.WAITING
    ).first()
    if row is None:
        DroppedFile.objects.create(
            feed=manifest.feed,
            name=manifest.file,
            sha256=manifest.sha256,
            size=size,
            state=DropState.WAITING,
            code=code,
            detail=message,
        )
    elif (row.code, row.detail, row.size) != (code, message, size):
        row.code, row.detail, row.size = code, message, size
        row.save(update_fields=["code", "detail", "size"])
    return Outcome(manifest.feed, manifest.file, DropState.WAITING, code, message)


def _refuse(
    folder: Path,
    manifest_path: Path,
    data_name: str | None,
    refused: DropRefused,
    *,
    manifest: Manifest | None = None,
    size: int | None = None,
) -> Outcome:
    """Move a drop that cannot be imported to failed/ with a receipt saying why."""
    data_path = folder / data_name if data_name else None
    if manifest is not None:
        sha = manifest.sha256
    elif data_path is not None and data_path.is_file():
        sha, size = file_digest(data_path)
    else:
        sha = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    name = data_name or manifest_path.name
    client = None
    if refused.code not in ("drop.client", "drop.manifest") and manifest is not None:
        client = ApiClient.objects.filter(pk=manifest.client_id).first()
    receipt = _receipt(
        feed=folder.name,
        name=name,
        result=FAILED,
        code=refused.code,
        message=refused.message,
        sha256=sha,
        size=size,
        client=client,
    )
    with transaction.atomic():
        DroppedFile.objects.filter(feed=folder.name, name=name, state=DropState.WAITING).delete()
        dropped = DroppedFile.objects.create(
            feed=folder.name[:80],
            name=name[:255],
            sha256=sha,
            size=size,
            state=DropState.FAILED,
            client=client,
            code=refused.code,
            detail=refused.message,
            receipt=receipt,
        )
        _audit(client.service_user if client else None, dropped)
    dropped.location = _deliver(folder, manifest_path, data_name, FAILED, receipt)
    dropped.save(update_fields=["location"])
    return Outcome(folder.name, name, DropState.FAILED, refused.code, refused.message)


def _claim(manifest: Manifest, client: ApiClient, size: int) -> DroppedFile | str:
    """The DroppedFile that makes this scanner the one importing the file, or why not:
    "done" (received before) or "busy" (another scanner is importing it)."""
    try:
        with transaction.atomic():
            dropped = DroppedFile.objects.create(
                feed=manifest.feed,
                name=manifest.file,
                sha256=manifest.sha256,
                size=size,
                state=DropState.IMPORTING,
                client=client,
            )
            DroppedFile.objects.filter(
                feed=manifest.feed,
                name=manifest.file,
                sha256=manifest.sha256,
                state=DropState.WAITING,
            ).delete()
            return dropped
    except IntegrityError:
        pass
    held = DroppedFile.objects.filter(
        feed=manifest.feed, sha256=manifest.sha256, state__in=[DropState.IMPORTING, DropState.DONE]
    ).first()
    if held is None:
        return "busy"  # released meanwhile: the next scan takes it
    if held.state == DropState.DONE:
        return "done"
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_seconds())
    if held.updated_at < cutoff:
        # A claim left by a dead worker: take it over (one scanner wins the conditional
        # update); the batch id is derived from the claim, so submit/process resume it.
        taken = DroppedFile.objects.filter(
            pk=held.pk, state=DropState.IMPORTING, updated_at=held.updated_at
        ).update(updated_at=timezone.now(), client=client)
        if taken == 1:
            held.refresh_from_db()
            return held
    return "busy"


def _release(dropped: DroppedFile) -> None:
    """After an unexpected error: make the claim stale at once, so the next scan takes it over
    and resumes the same batch (its id is derived from the claim)."""
    long_ago = timezone.now() - datetime.timedelta(seconds=2 * stale_seconds() + 60)
    DroppedFile.objects.filter(pk=dropped.pk, state=DropState.IMPORTING).update(updated_at=long_ago)


def _import(
    folder: Path,
    manifest_path: Path,
    manifest: Manifest,
    feed: importing.Feed,
    client: ApiClient,
    size: int,
) -> Outcome:
    claim = _claim(manifest, client, size)
    if claim == "busy":
        return Outcome(manifest.feed, manifest.file, "busy")
    if claim == "done":
        return _duplicate(folder, manifest_path, manifest, client, size)
    assert isinstance(claim, DroppedFile)
    dropped = claim
    # The default batch id names the claim: a retry after a crash resumes the same batch,
    # a file delivered again after a failure gets a fresh attempt.
    batch_id = manifest.batch_id or f"drop-{manifest.sha256[:16]}-{dropped.pk}"
    user = client.service_user
    try:
        with (folder / manifest.file).open("rb") as handle:
            batch, created = importing.submit(
                feed.name,
                File(handle, name=manifest.file),
                user,
                batch_id=batch_id,
                channel=ImportChannel.DROP,
            )
        batch = importing.process(batch, user)
    except importing.ImportFileError as exc:
        if exc.code == "import.batch_conflict":
            DroppedFile.objects.filter(pk=dropped.pk, state=DropState.IMPORTING).delete()
            return Outcome(manifest.feed, manifest.file, "busy", exc.code)
        return _finish(
            folder, manifest_path, manifest, dropped, client, None, exc.code, exc.message
        )
    except PermissionDenied:
        message = _("The system client “%(client)s” may not import “%(feed)s”.") % {
            "client": client.name,
            "feed": feed.label,
        }
        return _finish(
            folder, manifest_path, manifest, dropped, client, None, "drop.forbidden", message
        )
    except BaseException:
        _release(dropped)
        raise
    if batch.state in (ImportState.IMPORTED, ImportState.DUPLICATE_FILE):
        code, message = "", ""
        if not created and batch.sha256 != manifest.sha256:
            code = "import.same_batch_id"
            message = _(
                "The batch id “%(id)s” was used before for another file: this is that "
                "batch's result, nothing of this file was stored."
            ) % {"id": batch.batch_id}
        elif batch.state == ImportState.DUPLICATE_FILE:
            code = "import.duplicate_file"
            message = _("This file had already been imported: nothing was stored again.")
    elif batch.state == ImportState.FAILED:
        code = batch.failure_code or "import.failed"
        message = batch.failure or _("The import failed.")
    else:
        code = "drop.batch_id_taken"
        message = _("The batch id “%(id)s” is already used by a batch that is %(state)s.") % {
            "id": batch.batch_id,
            "state": batch.get_state_display(),
        }
    return _finish(folder, manifest_path, manifest, dropped, client, batch, code, message)


def _finish(
    folder: Path,
    manifest_path: Path,
    manifest: Manifest,
    dropped: DroppedFile,
    client: ApiClient,
    batch: ImportBatch | None,
    code: str,
    message: str,
) -> Outcome:
    ok = batch is not None and batch.state in (ImportState.IMPORTED, ImportState.DUPLICATE_FILE)
    if ok:
        assert batch is not None
        result = "imported" if batch.state == ImportState.IMPORTED else "duplicate_file"
        if not message:
            message = _("Imported: %(ok)s good rows, %(error)s rows with errors.") % {
                "ok": batch.ok_rows,
                "error": batch.error_rows,
            }
    else:
        result = FAILED
    receipt = _receipt(
        feed=manifest.feed,
        name=manifest.file,
        result=result,
        code=code,
        message=message,
        sha256=manifest.sha256,
        size=dropped.size,
        client=client,
        batch=batch,
    )
    with transaction.atomic():
        dropped.state = DropState.DONE if ok else DropState.FAILED
        dropped.batch = batch
        dropped.code = code
        dropped.detail = message
        dropped.receipt = receipt
        dropped.save(update_fields=["state", "batch", "code", "detail", "receipt"])
        _audit(client.service_user, dropped)
    # Moved after the commit: a crash in between leaves the manifest in the inbox, and the
    # next scan finds the done row and delivers its receipt (see _duplicate).
    dropped.location = _deliver(
        folder, manifest_path, manifest.file, DONE if ok else FAILED, receipt
    )
    dropped.save(update_fields=["location"])
    return Outcome(
        manifest.feed, manifest.file, dropped.state, code, message, batch.pk if batch else None
    )


def _duplicate(
    folder: Path, manifest_path: Path, manifest: Manifest, client: ApiClient, size: int
) -> Outcome:
    """A file already received for this feed: moved to done/ with a receipt naming the first
    delivery; nothing is imported again. (If it is the first delivery itself, left behind by
    a crash after its import, its own receipt is delivered.)"""
    earlier = DroppedFile.objects.get(
        feed=manifest.feed, sha256=manifest.sha256, state=DropState.DONE
    )
    if not manifest_path.exists():  # delivered by the scanner that imported it
        return Outcome(manifest.feed, manifest.file, "busy")
    if not earlier.location and earlier.name == manifest.file and earlier.receipt:
        earlier.location = _deliver(folder, manifest_path, manifest.file, DONE, earlier.receipt)
        earlier.save(update_fields=["location"])
        return Outcome(manifest.feed, manifest.file, DropState.DONE, batch=earlier.batch_id)
    message = _("This file was already received on %(when)s as “%(name)s”: not imported again.") % {
        "when": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
        "name": earlier.name,
    }
    first = earlier.receipt or {}
    receipt = _receipt(
        feed=manifest.feed,
        name=manifest.file,
        result="duplicate",
        code="drop.duplicate",
        message=message,
        sha256=manifest.sha256,
        size=size,
        client=client,
        extra={
            "batch": first.get("batch"),
            "counts": first.get("counts"),
            "first_receipt": {
                "file": earlier.name,
                "processed_at": first.get("processed_at"),
                "result": first.get("result"),
                "location": earlier.location,
            },
        },
    )
    with transaction.atomic():
        dropped = DroppedFile.objects.create(
            feed=manifest.feed,
            name=manifest.file,
            sha256=manifest.sha256,
            size=size,
            state=DropState.DUPLICATE,
            client=client,
            batch_id=earlier.batch_id,
            code="drop.duplicate",
            detail=message,
            receipt=receipt,
        )
        _audit(client.service_user, dropped)
    dropped.location = _deliver(folder, manifest_path, manifest.file, DONE, receipt)
    dropped.save(update_fields=["location"])
    return Outcome(
        manifest.feed,
        manifest.file,
        DropState.DUPLICATE,
        "drop.duplicate",
        message,
        earlier.batch_id,
    )


def pending_manifests(root: Path | None = None) -> Iterator[Path]:
    """Manifests still in the inbox (for the administrator's page)."""
    inbox = (root or exchange_root()) / INBOX
    if not inbox.is_dir():
        return
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()):
        yield from sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))
