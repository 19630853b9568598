"""Authorization matrix rows of the ops app."""

from __future__ import annotations

from .authz_matrix import Case, expect, only  # noqa: F401

OPS_CASES: list[Case] = []
