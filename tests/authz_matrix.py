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

from fuyuan.org.models import MembershipChange

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
    query: Callable[[Any], str] = field(default=lambda w: "")


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
    Case(
        "set_language", expect(302, anonymous=302), method="post", data=lambda w: {"language": "en"}
    ),
]


def membership_change(w: Any, unit_key: str) -> MembershipChange:
    """A pending 'leave' proposal of a city unit, filed by its own liaison officer."""
    from django.utils import timezone

    unit = w.units[unit_key]
    found = MembershipChange.objects.filter(unit=unit, state="proposed").first()
    if found is not None:
        return found
    now = timezone.now()
    return MembershipChange.objects.create(
        mechanism=w.mechanisms["city"],
        unit=unit,
        kind="leave",
        reason="matrix",
        proposed_by=w.users[f"{unit_key}_liaison"],
        created_at=now,
        updated_at=now,
    )


# Readers: members of a mechanism and the system and security administrators.
READ = expect(200, audit_admin=403)
# A county-b object: the city side sees it, county a and the city liaison do not.
READ_OTHER_COUNTY = expect(200, a_office=404, hrss_liaison=404, audit_admin=403)
UNIT_EDITORS = only(["city_office", "system_admin"])

ORG_CASES: list[Case] = [
    Case("org:mechanism_list", READ),
    Case("org:mechanism_detail", READ, kwargs=lambda w: {"pk": w.mechanisms["city"].pk}),
    Case(
        "org:mechanism_detail",
        READ_OTHER_COUNTY,
        variant="other county",
        kwargs=lambda w: {"pk": w.mechanisms["b"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only(["city_office"]),
        kwargs=lambda w: {"pk": w.mechanisms["city"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only(["a_office"]) | {"hrss_liaison": 404},
        variant="own county",
        kwargs=lambda w: {"pk": w.mechanisms["a"].pk},
    ),
    Case(
        "org:mechanism_settings",
        only([], others=403) | {"a_office": 404, "hrss_liaison": 404},
        variant="other county",
        kwargs=lambda w: {"pk": w.mechanisms["b"].pk},
    ),
    Case("org:unit_list", READ),
    Case("org:unit_create", only(["city_office", "a_office", "system_admin"])),
    Case("org:unit_detail", READ, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case(
        "org:unit_detail",
        READ_OTHER_COUNTY,
        variant="other county",
        kwargs=lambda w: {"pk": w.units["b_office"].pk},
    ),
    Case("org:unit_edit", UNIT_EDITORS, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case(
        "org:unit_edit",
        UNIT_EDITORS | {"a_office": 404, "hrss_liaison": 404},
        variant="other county",
        kwargs=lambda w: {"pk": w.units["b_office"].pk},
    ),
    Case(
        "org:unit_edit",
        only(["city_office", "a_office", "system_admin"]) | {"hrss_liaison": 404},
        variant="own county",
        kwargs=lambda w: {"pk": w.units["a_hrss"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office", "hrss_liaison"]),
        variant="own unit",
        kwargs=lambda w: {"pk": w.units["hrss"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office"]),
        variant="other unit",
        kwargs=lambda w: {"pk": w.units["housing"].pk},
    ),
    Case(
        "org:unit_contacts",
        only(["city_office", "court_staff"]),
        variant="court",
        kwargs=lambda w: {"pk": w.units["court"].pk},
    ),
    Case("org:unit_reorganise", UNIT_EDITORS, kwargs=lambda w: {"pk": w.units["hrss"].pk}),
    Case("org:directory", READ),
    Case("org:jurisdiction_tree", READ),
    Case("org:change_list", only(MEMBERS)),
    Case("org:change_create", only(["city_office", "a_office", "hrss_liaison"])),
    Case(
        "org:change_create",
        only(["city_office", "hrss_liaison"]),
        variant="city mechanism",
        query=lambda w: f"mechanism={w.mechanisms['city'].pk}",
    ),
    Case(
        "org:change_detail",
        only(["city_office", "city_leader", "hrss_liaison"])
        | {"a_office": 404, "court_staff": 404},
        variant="own unit",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk},
    ),
    Case(
        "org:change_detail",
        only(["city_office", "city_leader"])
        | {"a_office": 404, "hrss_liaison": 404, "court_staff": 404},
        variant="other unit",
        kwargs=lambda w: {"pk": membership_change(w, "housing").pk},
    ),
    Case(
        "org:change_transition",
        expect(405),
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "withdraw"},
    ),
    Case(
        "org:change_transition",
        only(["city_office", "hrss_liaison"], ok=302) | {"a_office": 404, "court_staff": 404},
        variant="withdraw own unit's proposal",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "withdraw"},
    ),
    Case(
        "org:change_transition",
        only(["city_leader"], ok=302) | {"a_office": 404, "court_staff": 404},
        variant="approve",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "hrss").pk, "transition": "approve"},
    ),
    Case(
        "org:change_transition",
        only(["city_office"], ok=302) | {"a_office": 404, "hrss_liaison": 404, "court_staff": 404},
        variant="withdraw another unit's proposal",
        method="post",
        kwargs=lambda w: {"pk": membership_change(w, "housing").pk, "transition": "withdraw"},
    ),
]

CASES += ORG_CASES

# Django admin: reference data for the system administrator only; everyone else is sent to
# the admin's sign-in page. Checked for every admin route that takes no arguments.
ADMIN_EXPECTED = {role: 302 for role in ROLES} | {"system_admin": 200}
ADMIN_NAMESPACE = "admin"
# Mechanisms are read-only in the admin (they are set up by the office's own pages).
ADMIN_FORBIDDEN = {"admin:org_mechanism_add"}
