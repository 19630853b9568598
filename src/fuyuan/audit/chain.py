"""The hash chain: one sealer fills `prev_hash` and `hash` (SM3) in `seq` order; `verify`
names the first entry that was changed, inserted or removed. Entries older than the retention
are moved to archive files (audit.archive); the live chain then starts at the latest
checkpoint (`AuditArchive.last_hash`), and `verify_archives` checks every file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fuyuan.core.crypto import sm3_hex

from .models import AuditArchive, AuditEntry

GENESIS = "0" * 64
BATCH = 500


def entry_values(entry: AuditEntry) -> dict[str, Any]:
    """The hashed fields of an entry, as an archive line keeps them (plus the chain)."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_kind": entry.object_kind,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "outcome": entry.outcome,
        "before": entry.before,
        "after": entry.after,
        "detail": entry.detail,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def values_digest(values: dict[str, Any], prev_hash: str) -> str:
    """The SM3 of an entry given as `entry_values` (an archive line) chained to `prev_hash`."""
    payload = json.dumps(
        [
            values["seq"],
            values["at"],
            values["actor_id"],
            values["actor_name"],
            values["action"],
            values["object_kind"],
            values["object_id"],
            values["object_repr"],
            values["outcome"],
            values["before"],
            values["after"],
            values["detail"],
            values["ip"],
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return sm3_hex(payload.encode("utf-8"))


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    return values_digest(entry_values(entry), prev_hash)


def latest_checkpoint() -> AuditArchive | None:
    return AuditArchive.objects.order_by("-last_seq").first()


def seal() -> int:
    """Chain every unsealed entry; returns how many were sealed. Serialised by a row lock on
    the last sealed entry (PostgreSQL) or the IMMEDIATE transaction (SQLite)."""
    sealed = 0
    while True:
        with transaction.atomic():
            last = (
                AuditEntry.objects.select_for_update()
                .exclude(hash="")
                .order_by("-seq")
                .only("seq", "hash")
                .first()
            )
            if last is not None:
                prev, start = last.hash, last.seq
            else:  # nothing sealed online: continue the latest archive checkpoint, if any
                checkpoint = latest_checkpoint()
                prev = checkpoint.last_hash if checkpoint else GENESIS
                start = checkpoint.last_seq if checkpoint else 0
            batch = list(AuditEntry.objects.filter(seq__gt=start, hash="").order_by("seq")[:BATCH])
            if not batch:
                return sealed
            for entry in batch:
                digest = entry_digest(entry, prev)
                AuditEntry.objects.filter(seq=entry.seq)._seal(prev_hash=prev, hash=digest)
                prev = digest
            sealed += len(batch)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify() -> VerifyResult:
    """Check the live chain from the latest archive checkpoint (or the genesis hash): the
    first live entry must continue the checkpoint's last hash, every entry its predecessor."""
    checkpoint = latest_checkpoint()
    prev = checkpoint.last_hash if checkpoint else GENESIS
    checked = 0
    expected_seq: int | None = checkpoint.last_seq + 1 if checkpoint else None
    for entry in AuditEntry.objects.exclude(hash="").order_by("seq").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            problem = (
                "removed"
                if expected_seq is not None and entry.seq != expected_seq
                else ("inserted or reordered")
            )
            return VerifyResult(False, checked, entry.seq, problem)
        if entry_digest(entry, prev) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "changed")
        prev = entry.hash
        expected_seq = entry.seq + 1
        checked += 1
    return VerifyResult(True, checked)
