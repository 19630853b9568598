"""Authorization-matrix rows of the litigation app: disputes."""

from __future__ import annotations

from .authz_matrix import Case  # noqa: F401

LIT_DISPUTE_CASES: list[Case] = []
