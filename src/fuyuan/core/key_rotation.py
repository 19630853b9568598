"""Rotation of the personal-data keys (`fuyuan rotate-keys`).

Data keys (FUYUAN_DATA_KEYS): every `EncryptedTextField` of every installed model (found by
walking the app registry) whose stored value is not under the current key is decrypted and
encrypted again under the current key. The work goes by primary key in batches, each in its
own transaction, and each value is written by a guarded UPDATE (`... WHERE pk = %s AND column
= <the ciphertext read>`): a value edited meanwhile is never overwritten, it is simply already
under the current key. Progress needs no bookkeeping: what is left is exactly "values not yet
under the current key", so a run that stops (crash, Ctrl-C) is resumed by running it again.
Every batch is audited in its own transaction, so the trail says what was re-encrypted.

Index key (FUYUAN_INDEX_KEY): `reindex` recomputes every `BlindIndexField` from its (decrypted)
source with the current index key, in the same batched, guarded way. Equality lookups use one
index key, so the reindex runs in a maintenance window (docs/deploy.md, "Key rotation").

`core` imports nothing of the project at load time; the audit recorder is imported lazily.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import ExpressionWrapper, F, Q, TextField

from . import crypto
from .fields import BlindIndexField, EncryptedTextField

DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True)
class Target:
    """One encrypted column (or one blind-index column with its source)."""

    model: type[models.Model]
    field: models.Field[Any, Any]
    source: models.Field[Any, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"


@dataclass
class BatchReport:
    """What one committed batch did; passed to the `after_batch` hook."""

    target: str
    number: int
    first_pk: Any
    last_pk: Any
    read: int
    written: int
    skipped: int
    unreadable: list[Any] = field(default_factory=list)


@dataclass
class FieldReport:
    target: str
    pending: int = 0  # dry run: values that would be rewritten
    by_key: dict[str, int] = field(default_factory=dict)
    written: int = 0
    skipped: int = 0  # changed concurrently between read and write
    batches: int = 0
    unreadable: list[Any] = field(default_factory=list)


AfterBatch = Callable[[BatchReport], None]


def encrypted_targets() -> list[Target]:
    """Every concrete EncryptedTextField of every installed, managed model."""
    found: list[Target] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for f in meta.local_concrete_fields:
            if isinstance(f, EncryptedTextField):
                found.append(Target(model, f))
    return sorted(found, key=lambda t: t.label)


def index_targets() -> list[Target]:
    """Every concrete BlindIndexField with the field it is computed from."""
    found: list[Target] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for f in meta.local_concrete_fields:
            if isinstance(f, BlindIndexField):
                found.append(Target(model, f, meta.get_field(f.source)))  # type: ignore[arg-type]
    return sorted(found, key=lambda t: t.label)


def key_id_of(token: str) -> str:
    prefix, _, rest = token.partition(":")
    return rest.partition(":")[0] if prefix == crypto.PREFIX else ""


def _prefix(key_id: str) -> str:
    return f"{crypto.PREFIX}:{key_id}:"


def _raw(f: models.Field[Any, Any]) -> ExpressionWrapper:
    """The column as stored: a plain TextField output, so nothing is decrypted on read."""
    return ExpressionWrapper(F(f.name), output_field=TextField())


def _stored(target: Target) -> models.QuerySet[Any]:
    """The rows with a non-empty stored value, the raw value annotated as `kr_raw`."""
    return (
        target.model._base_manager.annotate(kr_raw=_raw(target.field))
        .exclude(kr_raw__isnull=True)
        .exclude(kr_raw="")
    )


def _not_current(target: Target, current: str) -> models.QuerySet[Any]:
    return _stored(target).exclude(kr_raw__startswith=_prefix(current))


def _using_key(target: Target, key_id: str) -> models.QuerySet[Any]:
    return _stored(target).filter(kr_raw__startswith=_prefix(key_id))


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (container without a passwd entry)
        return ""


def _audit(action: str, target_label: str, detail: dict[str, Any]) -> None:
    from fuyuan.audit.record import record  # layer 2, imported lazily (core imports nothing)

    record(
        None,
        action,
        object_kind="core.keys",
        object_id=target_label[:40],
        object_repr=target_label,
        detail={"operator": _operator(), **detail},
    )


def _guarded_update(target: Target, column_field: models.Field[Any, Any], params: list[Any]) -> int:
    """UPDATE <table> SET <column> = new WHERE pk = ? AND <guard column> = the value read, for
    each (new, pk, guard) triple; returns the number of rows written."""
    if not params:
        return 0
    qn = connection.ops.quote_name
    meta = target.model._meta
    guard = target.field if target.source is None else target.source
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {qn(column_field.column)} = %s "
        f"WHERE {qn(meta.pk.column)} = %s AND {qn(guard.column)} = %s"  # type: ignore[union-attr]
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return max(cursor.rowcount, 0)


def _batches(query: models.QuerySet[Any], batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Keyset pages of (pk, raw[, index]) by primary key; the caller opens the transaction
    around each page before asking for the next one."""
    last: Any = None
    while True:
        page = query if last is None else query.filter(pk__gt=last)
        rows = list(page.order_by("pk")[:batch_size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def count_pending(targets: list[Target] | None = None) -> list[FieldReport]:
    """Dry run: per encrypted column, how many values are not under the current key, and
    under which (configured) key they are."""
    provider = crypto.get_provider()
    current = provider.current_key_id()
    keys = list(getattr(provider, "keys", {}))
    reports: list[FieldReport] = []
    for target in targets if targets is not None else encrypted_targets():
        report = FieldReport(target.label, pending=_not_current(target, current).count())
        known = 0
        for key_id in keys:
            if key_id == current or not report.pending:
                continue
            n = _using_key(target, key_id).count()
            if n:
                report.by_key[key_id] = n
                known += n
        if report.pending - known:
            report.by_key["?"] = report.pending - known
        reports.append(report)
    return reports


def rotate(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    targets: list[Target] | None = None,
    after_batch: AfterBatch | None = None,
) -> list[FieldReport]:
    """Re-encrypt under the current key every value that is not under it yet."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    provider = crypto.get_provider()
    current = provider.current_key_id()
    reports: list[FieldReport] = []
    for target in targets if targets is not None else encrypted_targets():
        report = FieldReport(target.label)
        reports.append(report)
        query = _not_current(target, current).values_list("pk", "kr_raw")
        pages = _batches(query, batch_size)
        while True:
            with transaction.atomic():
                rows = next(pages, None)
                if rows is None:
                    break
                clear: list[tuple[Any, str, str]] = []
                unreadable: list[Any] = []
                for pk, token in rows:
                    try:
                        clear.append((pk, token, provider.decrypt(token)))
                    except crypto.CryptoError:
                        unreadable.append(pk)
                fresh = crypto.encrypt_many([text for _, _, text in clear])
                params = [[new, pk, old] for (pk, old, _), new in zip(clear, fresh, strict=True)]
                written = _guarded_update(target, target.field, params)
                batch = BatchReport(
                    target=target.label,
                    number=report.batches + 1,
                    first_pk=rows[0][0],
                    last_pk=rows[-1][0],
                    read=len(rows),
                    written=written,
                    skipped=len(clear) - written,
                    unreadable=unreadable,
                )
                from_keys = sorted({key_id_of(token) for _, token in rows})
                _audit(
                    "core.keys.reencrypt_batch",
                    target.label,
                    {
                        "field": target.label,
                        "batch": batch.number,
                        "first_pk": str(batch.first_pk),
                        "last_pk": str(batch.last_pk),
                        "from_keys": from_keys,
                        "to_key": current,
                        "written": written,
                        "skipped_changed_meanwhile": batch.skipped,
                        "unreadable": [str(pk) for pk in unreadable],
                    },
                )
            report.batches += 1
            report.written += written
            report.skipped += batch.skipped
            report.unreadable.extend(unreadable)
            if after_batch is not None:
                after_batch(batch)
    return reports


def reindex(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    targets: list[Target] | None = None,
    after_batch: AfterBatch | None = None,
) -> list[FieldReport]:
    """Recompute every blind index from its source with the current index key; rows whose
    index is already right are not written (a rerun after a stop only reads them)."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    provider = crypto.get_provider()
    reports: list[FieldReport] = []
    for target in targets if targets is not None else index_targets():
        assert target.source is not None
        index_field: Any = target.field
        encrypted = isinstance(target.source, EncryptedTextField)
        report = FieldReport(target.label)
        reports.append(report)
        query = target.model._base_manager.annotate(
            kr_src=_raw(target.source), kr_idx=_raw(target.field)
        ).values_list("pk", "kr_src", "kr_idx")
        pages = _batches(query, batch_size)
        while True:
            with transaction.atomic():
                rows = next(pages, None)
                if rows is None:
                    break
                params: list[list[Any]] = []
                unreadable: list[Any] = []
                for pk, source, stored in rows:
                    if not source:
                        wanted = ""
                    else:
                        try:
                            plain = provider.decrypt(source) if encrypted else str(source)
                        except crypto.CryptoError:
                            unreadable.append(pk)
                            continue
                        wanted = provider.blind_index(index_field.normalize(plain))
                    if wanted != (stored or ""):
                        params.append([wanted, pk, source])
                written = _guarded_update(target, target.field, [p for p in params if p[2]])
                # An empty source cannot be matched by `= ''` on every database (NULL): its
                # index is simply cleared by primary key.
                empties = [p for p in params if not p[2]]
                for _, pk, _ in empties:
                    written += target.model._base_manager.filter(
                        Q(pk=pk) & (Q(**{target.source.name: ""}) | Q(**{target.source.name: None}))
                    ).update(**{target.field.name: ""})
                batch = BatchReport(
                    target=target.label,
                    number=report.batches + 1,
                    first_pk=rows[0][0],
                    last_pk=rows[-1][0],
                    read=len(rows),
                    written=written,
                    skipped=len(params) - written,
                    unreadable=unreadable,
                )
                if params or unreadable:
                    _audit(
                        "core.keys.reindex_batch",
                        target.label,
                        {
                            "field": target.label,
                            "batch": batch.number,
                            "first_pk": str(batch.first_pk),
                            "last_pk": str(batch.last_pk),
                            "written": written,
                            "skipped_changed_meanwhile": batch.skipped,
                            "unreadable": [str(pk) for pk in unreadable],
                        },
                    )
            report.batches += 1
            report.written += written
            report.skipped += batch.skipped
            report.unreadable.extend(unreadable)
            if after_batch is not None:
                after_batch(batch)
    return reports


@dataclass(frozen=True)
class KeyUse:
    key_id: str
    current: bool
    uses: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.uses.values())


def key_use(key_id: str) -> KeyUse:
    """How many values each encrypted column still holds under `key_id`."""
    uses = {t.label: _using_key(t, key_id).count() for t in encrypted_targets()}
    current = crypto.get_provider().current_key_id() == key_id
    return KeyUse(key_id, current, {label: n for label, n in uses.items() if n})


def record_summary(action: str, detail: dict[str, Any]) -> None:
    """One audit entry for a whole run (dry run, retirement check, totals)."""
    with transaction.atomic():
        _audit(action, "core.keys", detail)
