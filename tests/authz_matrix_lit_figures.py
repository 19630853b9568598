"""Authorization-matrix rows of the litigation app: figures."""

from __future__ import annotations

from .authz_matrix import Case  # noqa: F401

LIT_FIGURE_CASES: list[Case] = []
