"""Authorization-matrix rows of bulletins (通报) and the annual report to the joint meeting."""

from __future__ import annotations

from .authz_matrix import Case

BULLETIN_CASES: list[Case] = []
