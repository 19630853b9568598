"""Authorization-matrix rows of the assessment (linkage indicators)."""

from __future__ import annotations

from .authz_matrix import Case

ASSESSMENT_CASES: list[Case] = []
