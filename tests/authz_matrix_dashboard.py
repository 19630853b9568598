"""Authorization-matrix rows of the leaders' brief and the cockpit."""

from __future__ import annotations

from .authz_matrix import Case

DASHBOARD_CASES: list[Case] = []
