"""Authorization-matrix rows of the litigation app: imports."""

from __future__ import annotations

from .authz_matrix import Case  # noqa: F401

LIT_IMPORT_CASES: list[Case] = []
