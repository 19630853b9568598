"""Authorization matrix rows of the sso app."""

from __future__ import annotations

from .authz_matrix import Case, expect, only  # noqa: F401

SSO_CASES: list[Case] = []
