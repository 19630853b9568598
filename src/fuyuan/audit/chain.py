"""The hash chain: one sealer fills `prev_hash` and `hash` (SM3) in `seq` order; `verify`
names the first entry that was changed, inserted or removed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction

from fuyuan.core.crypto import sm3_hex

from .models import AuditEntry

GENESIS = "0" * 64
BATCH = 500


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    payload = json.dumps(
        [
            entry.seq,
            entry.at.isoformat(),
            entry.actor_id,
            entry.actor_name,
            entry.action,
            entry.object_kind,
            entry.object_id,
            entry.object_repr,
            entry.outcome,
            entry.before,
            entry.after,
            entry.detail,
            entry.ip,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return sm3_hex(payload.encode("utf-8"))


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
            prev = last.hash if last else GENESIS
            start = last.seq if last else 0
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
    prev = GENESIS
    checked = 0
    expected_seq: int | None = None
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
