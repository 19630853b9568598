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
