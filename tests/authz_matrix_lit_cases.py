"""Authorization-matrix rows of the litigation app: cases."""

from __future__ import annotations

from .authz_matrix import Case  # noqa: F401

LIT_CASE_CASES: list[Case] = []
