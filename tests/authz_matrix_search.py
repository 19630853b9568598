"""Authorization-matrix rows of search across modules."""

from __future__ import annotations

from .authz_matrix import Case

SEARCH_CASES: list[Case] = []
