"""Whether a user's mechanisms accept government single sign-on. One rule for every second
factor: fuyuan.twofactor.policy (the `second_factors` settings of the user's mechanisms)."""

from __future__ import annotations

from typing import Any

from fuyuan.twofactor.policy import allowed_mechanisms, mechanisms_of

SSO = "sso"

# The names this app's callers and tests use.
mechanisms_for = mechanisms_of
allowed_second_factors = allowed_mechanisms


def sso_allowed(user: Any) -> bool:
    return SSO in allowed_second_factors(user)
