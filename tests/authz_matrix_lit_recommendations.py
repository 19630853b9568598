"""Authorization-matrix rows of the litigation app: recommendations."""

from __future__ import annotations

from .authz_matrix import Case  # noqa: F401

LIT_RECOMMENDATION_CASES: list[Case] = []
