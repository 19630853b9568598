"""Authorization matrix rows of the twofactor app."""

from __future__ import annotations

from .authz_matrix import Case, expect, only  # noqa: F401

TWOFACTOR_CASES: list[Case] = []
