"""Writing audit entries: `record()` for one event, `snapshot()` for an object's fields with
personal data redacted."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from fuyuan.core.fields import BlindIndexField, EncryptedTextField

from .context import client_ip, current_request
from .models import AuditEntry, Outcome

REDACTED = "[redacted]"


def _jsonable(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The object's concrete fields; personal ones (encrypted, blind-indexed, or listed in the
    model's `personal_fields`) are replaced by a marker saying whether they were set."""
    if obj is None:
        return None
    personal = set(getattr(obj, "personal_fields", ()))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if (
            field.name in personal
            or isinstance(field, EncryptedTextField | BlindIndexField)
            or field.name == "password"
        ):
            data[field.name] = REDACTED if value else ""
        else:
            data[field.name] = _jsonable(value)
    return data


def kind_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    object_kind: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry. Inside an action this runs in the action's transaction, so the entry
    exists exactly when the write does; the sealer chains it after commit."""
    request = current_request.get()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor if authenticated else None,
        actor_name=(str(actor) if authenticated else (detail or {}).get("username", ""))[:60],
        action=action,
        object_kind=kind_of(obj) if obj is not None else object_kind,
        object_id=str(obj.pk) if obj is not None else object_id,
        object_repr=(str(obj) if obj is not None else object_repr)[:200],
        outcome=outcome,
        before=_jsonable(before),
        after=_jsonable(after),
        detail=_jsonable(detail),
        ip=client_ip(request),
    )
    entry.save(force_insert=True)
    connection = transaction.get_connection()
    # One seal per transaction is enough (it chains every unsealed entry); a bulk load that
    # records hundreds of entries queues a single task.
    if not any(item[1] is _schedule_seal for item in connection.run_on_commit):
        transaction.on_commit(_schedule_seal)
    return entry


def _schedule_seal() -> None:
    from .tasks import seal_audit_chain

    try:
        seal_audit_chain.enqueue()
    except Exception:  # the periodic sealer catches up; never fail a user's write for this
        return
