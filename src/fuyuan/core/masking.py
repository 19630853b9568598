"""Masking of personal identifiers for display."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """138****5678: the first 3 and last 4 digits stay visible."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(value: str | None) -> str:
    """First 6 + 8 stars + last 4, as DOMAIN.md §5 asks for resident ID numbers."""
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


_RESIDENT_ID_TYPES = frozenset({"resident_id", "resident_id_15"})
_ORGANISATION_ID_TYPES = frozenset({"credit_code", "organisation_code"})


def mask_identifier(value: str | None, id_type: str | None) -> str:
    """Mask an identity document number for display, by document type (DOMAIN.md §5).

    Resident ID numbers: first 6 + stars + last 4 (`mask_id_number`); permits, passports and
    other personal documents: first 2 + stars + last 2; credit and organisation codes are not
    personal information and are shown in full. A value already masked (it contains `*`, as on
    the court's public list) is returned as it is.
    """
    if not value:
        return ""
    value = value.strip()
    if "*" in value or "＊" in value or str(id_type or "") in _ORGANISATION_ID_TYPES:
        return value
    if str(id_type or "") in _RESIDENT_ID_TYPES:
        return mask_id_number(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]
