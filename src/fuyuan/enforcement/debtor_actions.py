"""Actions on the city's copy of the court's dishonest-debtor list: who may see identifiers in
clear, the audited clear view, removal of an entry, confirmation of an entry held at import,
and search by identifier through the blind index (never by decrypting the column).

Every write checks the permission, runs in one transaction and leaves an audit entry with
the entry's snapshot before and after (personal fields redacted by `snapshot`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import identifiers
from fuyuan.core.identifiers import IdentifierError

from .models import DebtorRecord, DebtorRecordQuerySet, DebtorState, RemovalReason


def may_see_identifiers(user: Any) -> bool:
    """Identifiers in clear are for court staff (they keep the list) and office staff (they
    handle imports and disputed matches). Everyone else who sees the list — liaison officers
    of departments, leaders — sees only masked numbers (first 6 + last 4): a department
    checks a party by typing the number it has (`search_by_identifier`), it never reads
    the court's numbers. Even the roles that may see them get a masked page and must ask for
    each clear number, which is audited (`reveal_identifier`)."""
    scope = scope_for(user)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


def may_manage(user: Any) -> bool:
    """Removing an entry and confirming a held one: court staff and office staff."""
    return may_see_identifiers(user)


def _require_manage(actor: Any, what: str) -> None:
    if not may_manage(actor):
        raise PermissionDenied(what)


def _visible(actor: Any, item: DebtorRecord) -> None:
    if not DebtorRecord.objects.visible_to(actor).filter(pk=item.pk).exists():
        raise PermissionDenied("enforcement.debtor.view")


def reveal_identifier(actor: Any, item: DebtorRecord) -> str:
    """The entry's identifier in clear, for a role that may see it; each call is an audited
    read (`enforcement.debtor.reveal`). An identifier the court published masked stays
    masked: there is nothing more to show."""
    if not may_see_identifiers(actor):
        record(actor, "enforcement.debtor.reveal", item, outcome="denied")
        raise PermissionDenied("enforcement.debtor.reveal")
    _visible(actor, item)
    record(
        actor,
        "enforcement.debtor.reveal",
        item,
        detail={"id_type": item.id_type, "masked_at_source": item.id_masked},
    )
    return item.id_number


def remove_entry(
    actor: Any,
    item: DebtorRecord,
    *,
    removed_on: datetime.date,
    reason: str,
    note: str = "",
) -> DebtorRecord:
    """Take an entry off the list (performance, correction …) with the date and reason: it no
    longer triggers. Court staff or office staff."""
    _require_manage(actor, "enforcement.debtor.remove")
    if reason not in RemovalReason.values:
        raise ValidationError(
            {"reason": _("Choose the reason for removal.")}, code="enforcement.removal_reason"
        )
    if removed_on > timezone.localdate():
        raise ValidationError(
            {"removed_on": _("The removal date cannot be in the future.")},
            code="enforcement.removed_in_future",
        )
    if reason in (RemovalReason.CORRECTED, RemovalReason.OTHER) and not note.strip():
        raise ValidationError(
            {"note": _("Say what was corrected or why the entry is removed.")},
            code="enforcement.removal_note_required",
        )
    with transaction.atomic():
        locked = DebtorRecord.objects.select_for_update().get(pk=item.pk)
        if locked.state == DebtorState.REMOVED:
            raise ValidationError(
                _("The entry has already been removed."), code="enforcement.already_removed"
            )
        if locked.published_on and removed_on < locked.published_on:
            raise ValidationError(
                {"removed_on": _("The entry cannot be removed before it was published.")},
                code="enforcement.removed_before_published",
            )
        before = snapshot(locked)
        locked.state = DebtorState.REMOVED
        locked.removed_on = removed_on
        locked.removal_reason = reason
        locked.removal_note = note.strip()
        locked.save_checked(
            locked.version, ["state", "removed_on", "removal_reason", "removal_note"]
        )
        record(actor, "enforcement.debtor.remove", locked, before=before, after=snapshot(locked))
    return locked


def confirm_held(actor: Any, item: DebtorRecord, reason: str) -> DebtorRecord:
    """An entry held at import "to confirm" (its identifier's check character failed) is
    confirmed as it is and becomes active, with the reason (e.g. "checked with the court:
    an early pilot code")."""
    _require_manage(actor, "enforcement.debtor.confirm")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for confirming the entry.")},
            code="enforcement.confirm_reason_required",
        )
    with transaction.atomic():
        locked = DebtorRecord.objects.select_for_update().get(pk=item.pk)
        if locked.state != DebtorState.TO_CONFIRM:
            raise ValidationError(
                _("Only an entry held to confirm can be confirmed."),
                code="enforcement.not_held",
            )
        before = snapshot(locked)
        locked.state = DebtorState.ACTIVE
        locked.hold_reason = f"{locked.hold_reason}\n{_('Confirmed')}: {reason}".strip()
        locked.save_checked(locked.version, ["state", "hold_reason"])
        record(
            actor,
            "enforcement.debtor.confirm",
            locked,
            before=before,
            after=snapshot(locked),
            detail={"reason": reason},
        )
    return locked


def search_by_identifier(user: Any, raw: str) -> DebtorRecordQuerySet:
    """The entries visible to `user` with exactly this identifier, found through the blind
    index (normalised: spaces dropped, upper case); the encrypted column is never read."""
    raw = (raw or "").strip()
    rows = DebtorRecord.objects.visible_to(user)
    if not raw:
        return rows.none()
    try:
        value = identifiers.parse_party_identifier(raw).value
    except IdentifierError:
        value = identifiers.normalize_identifier(raw)
    index = DebtorRecord._meta.get_field("id_index").lookup_value(value)  # type: ignore[attr-defined]
    return rows.filter(id_index=index)
