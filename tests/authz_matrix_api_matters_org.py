"""Authorization-matrix rows of the REST API (matters_org): the matters (the ledger's rows,
a matter, a progress report and workflow steps) and the organisation's reference data.

API answers: 401 without a session or token, 403 signed in but not permitted (administrators
on the ledger; the audit administrator on reference data; a role that may not take the step),
404 outside the user's remit, 409 a step the role may take but not in the matter's state."""

from __future__ import annotations

from typing import Any

from .authz_matrix import ADMINS, Case, city_matter, expect, pk_of


def county_b_matter(w: Any) -> Any:
    """A matter of 上蔡县 (county b), led by its 司法局, assigned by the county office."""
    from fuyuan.testing import make_matter

    return make_matter(w, mechanism="b", lead="b_office", title="上蔡县事项", state="assigned")


# Members read the ledger; administrators do not (403); without a session or token, 401.
LEDGER = {**expect(200, anonymous=401), **dict.fromkeys(ADMINS, 403)}
# A city matter led by 人社局: the city office, the city leader and the lead unit see it; a
# county office and another unit do not (404).
CITY_MATTER = {**LEDGER, "a_office": 404, "court_staff": 404}
# A county b matter: shared upward, so the city office and leader see it; county a does not.
COUNTY_B_MATTER = {**LEDGER, "a_office": 404, "hrss_liaison": 404, "court_staff": 404}
# Writes on the city matter: the visible roles that may not act get 403.
CITY_MATTER_WRITE = {**CITY_MATTER, "city_office": 403, "city_leader": 403, "hrss_liaison": 403}
# Reference data: members and the system and security administrators (the audit admin: 403).
REFERENCE = {**expect(200, anonymous=401), "audit_admin": 403}
# County b's reference data: those overseeing the city, the intermediate court (its counties
# are below it) and the administrators; not county a nor a city department (404).
COUNTY_B_REFERENCE = {**REFERENCE, "a_office": 404, "hrss_liaison": 404}


def _transition(name: str) -> Any:
    return lambda w: {"name": name}


API_MATTERS_ORG_CASES: list[Case] = [
    # --- matters ----------------------------------------------------------------------------
    Case("api:matter-list", LEDGER),
    Case("api:matter-list", LEDGER, variant="filtered", query=lambda w: "colour=red&o=deadline"),
    Case("api:matter-detail", CITY_MATTER, variant="city matter", kwargs=pk_of(city_matter)),
    Case(
        "api:matter-detail",
        COUNTY_B_MATTER,
        variant="county b matter",
        kwargs=pk_of(county_b_matter),
    ),
    Case(
        "api:matter-feedback",
        {**CITY_MATTER_WRITE, "hrss_liaison": 200},
        variant="the lead unit reports progress",
        method="post",
        kwargs=pk_of(city_matter),
        data=lambda w: {"text": "已召开协调会", "progress": "30"},
    ),
    Case(
        "api:matter-transition",
        {**CITY_MATTER_WRITE, "hrss_liaison": 200},
        variant="the lead unit signs for it",
        method="post",
        kwargs=pk_of(city_matter),
        data=_transition("sign"),
    ),
    Case(
        "api:matter-transition",
        {**CITY_MATTER_WRITE, "city_office": 409},
        variant="the office accepts it before it is reported",
        method="post",
        kwargs=pk_of(city_matter),
        data=_transition("complete"),
    ),
    # --- organisation -----------------------------------------------------------------------
    Case("api:org-jurisdiction-list", REFERENCE),
    Case(
        "api:org-jurisdiction-detail",
        COUNTY_B_REFERENCE,
        variant="county b",
        kwargs=lambda w: {"pk": w.county_b.pk},
    ),
    Case("api:org-unit-list", REFERENCE),
    Case("api:org-unit-list", REFERENCE, variant="filtered", query=lambda w: "kind=court"),
    Case(
        "api:org-unit-detail",
        COUNTY_B_REFERENCE,
        variant="a unit of county b",
        kwargs=lambda w: {"pk": w.units["b_office"].pk},
    ),
    Case(
        "api:org-unit-detail",
        REFERENCE,
        variant="a former city unit",
        kwargs=lambda w: {"pk": w.units["old_regulator"].pk},
    ),
    Case("api:org-mechanism-list", REFERENCE),
    Case(
        "api:org-mechanism-detail",
        COUNTY_B_REFERENCE,
        variant="county b's joint meeting",
        kwargs=lambda w: {"pk": w.mechanisms["b"].pk},
    ),
]
