"""The authorization matrix as data: for every URL route, the HTTP status each role gets, on
its own objects and on others'. tests/test_authz_matrix.py walks every route of the URL
configuration and fails when one has no row here.

Statuses: 200 page, 302 redirect (anonymous → sign-in; after a POST → result page),
403 visible but not permitted, 404 not within the user's remit, 405 wrong method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "city_office",
    "a_office",
    "city_leader",
    "hrss_liaison",
    "court_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
)
MEMBERS = ("city_office", "a_office", "city_leader", "hrss_liaison", "court_staff")
ADMINS = ("system_admin", "security_admin", "audit_admin")
SIGNED_IN = MEMBERS + ADMINS


def expect(default: int, anonymous: int = 302, **per_role: int) -> dict[str, int]:
    table = {role: default for role in SIGNED_IN}
    table["anonymous"] = anonymous
    table.update(per_role)
    return table


def only(roles: tuple[str, ...] | list[str], ok: int = 200, others: int = 403) -> dict[str, int]:
    table = {role: (ok if role in roles else others) for role in SIGNED_IN}
    table["anonymous"] = 302
    return table


@dataclass(frozen=True)
class Case:
    route: str
    expected: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    variant: str = ""
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda w: {})
    query: str = ""


CASES: list[Case] = [
    Case("home", expect(200)),
    # --- accounts ---------------------------------------------------------------------------
    Case("accounts:login", expect(302, anonymous=200)),
    Case("accounts:logout", expect(405, anonymous=405)),
    Case("accounts:password_change", expect(200)),
    Case("accounts:session", expect(200)),
    Case("accounts:profile", expect(200)),
    Case(
        "accounts:delegation_end",
        expect(405),
        kwargs=lambda w: {"pk": w.users["city_office"].assignments.first().pk},
    ),
    Case(
        "accounts:delegation_end",
        expect(404, anonymous=302),
        variant="post on someone else's role",
        method="post",
        kwargs=lambda w: {"pk": w.users["city_office"].assignments.first().pk},
    ),
    Case("accounts:user_list", only(["system_admin"])),
    Case(
        "accounts:user_toggle",
        only(["system_admin"], ok=302),
        method="post",
        kwargs=lambda w: {"pk": w.users["nobody"].pk},
    ),
    Case("accounts:assignment_list", only(["security_admin"])),
    Case(
        "accounts:assignment_end",
        only(["security_admin"], ok=302),
        method="post",
        kwargs=lambda w: {"pk": w.users["court_staff"].assignments.first().pk},
    ),
    # --- audit -------------------------------------------------------------------------------
    Case("audit:entry_list", only(["audit_admin"])),
    # --- i18n --------------------------------------------------------------------------------
    Case("set_language", expect(302, anonymous=302), method="post", data=lambda w: {"language": "en"}),
]

# Django admin: reference data for the system administrator only; everyone else is sent to
# the admin's sign-in page. Checked for every admin route that takes no arguments.
ADMIN_EXPECTED = {role: 302 for role in ROLES} | {"system_admin": 200}
ADMIN_NAMESPACE = "admin"
