"""Writes of the ledger: a user's saved filters (own only, audited)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot

from .models import SavedFilter


def clean_query(query: str) -> str:
    """The filter part of a ledger query string (no page number), re-encoded."""
    pairs = [
        (k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k != "page"
    ]
    return urlencode(pairs)


@transaction.atomic
def save_filter(actor: Any, name: str, query: str) -> SavedFilter:
    """Keep the current ledger filter under a name; the same name replaces the old one."""
    if not scope_for(actor).is_member:
        raise PermissionDenied("matters.saved_filter")
    name = name.strip()
    if not name:
        raise ValidationError(
            {"name": [ValidationError(_("Give the filter a name."), code="required")]}
        )
    query = clean_query(query)
    if len(query) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ValidationError(
            {"name": [ValidationError(_("This filter is too long to keep."), code="too_long")]}
        )
    existing = SavedFilter.objects.filter(user=actor, name=name).first()
    before = snapshot(existing)
    if existing is not None:
        existing.query = query
        existing.save_checked(existing.version, fields=["query"])
        saved = existing
    else:
        saved = SavedFilter(user=actor, name=name[:60], query=query)
        saved.save()
    record(actor, "matters.saved_filter.save", saved, before=before, after=snapshot(saved))
    return saved


@transaction.atomic
def delete_filter(actor: Any, saved: SavedFilter) -> None:
    if saved.user_id != actor.pk:
        raise PermissionDenied("matters.saved_filter")
    before = snapshot(saved)
    record(actor, "matters.saved_filter.delete", saved, before=before)
    saved.delete()
