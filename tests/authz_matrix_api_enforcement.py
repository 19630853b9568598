"""Authorization-matrix rows of the REST API (enforcement, bankruptcy, risks): every route of
enforcement.api, bankruptcy.api and risks.api, with own and other objects, for people signed
in (sessions: no access grant asked, as on the pages). Anonymous requests get 401 (the API
asks for a token); administrators 403 (members of a mechanism only, as on the pages).

Fixtures come from the pages' matrix builders: the debtor entry is shared with every member;
the check is 市人社局's (hrss); the enforcement case has 市人社局 as debtor before the
intermediate court; the inquiry goes from that court to 市人社局; the bankruptcy case is the
intermediate court's, its query asks 市人社局, its item is led by 市住建局 (housing); the fund is
the city's; the city risk event involves the court and 市人社局, the city project is housing's."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect

_SEQUENCE = itertools.count(1)


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def api(default: int, **per_role: int) -> dict[str, int]:
    """Members get `default` unless named; administrators 403; anonymous 401."""
    return {**expect(default, anonymous=401), **_admins(403), **per_role}


MEMBERS = api(200)


# --- builders ------------------------------------------------------------------------------------
def _debtor(w: Any) -> dict[str, Any]:
    from fuyuan.enforcement.models import DebtorRecord

    n = next(_SEQUENCE)
    item = DebtorRecord.objects.create(
        name="张建国",
        party_kind="person",
        id_type="resident_id",
        id_number="411702197508123459",
        id_display="411702********3459",
        court_name="驻马店市中级人民法院",
        basis_number="（2023）豫17民初45号",
        case_number=f"（2024）豫17执{900 + n}号",
        row_key=f"api-matrix-{n}",
    )
    return {"pk": item.pk}


def _check(w: Any, unit: str = "hrss", listed: str = "王建国") -> Any:
    """A check of 王建国 (by identifier) and 刘桂芳 (by name): whichever is `listed` matches."""
    from fuyuan.enforcement import check_actions

    from .authz_matrix_enf_checks import _hrss_check

    if unit == "hrss":
        return _hrss_check(w, name=listed, identifier="411721198001010029")
    return check_actions.run_check(
        w.users[f"{unit}_liaison"], unit=w.units[unit], scenario="subsidy", parties=[("李四", "")]
    )


def _hit(w: Any, state: str) -> dict[str, Any]:
    check = _check(w, listed="王建国" if state == "hit" else "刘桂芳")
    return {"pk": check.pk, "hit_id": check.matches.get(state=state).pk}


def _enf_case(w: Any) -> dict[str, Any]:
    from .authz_matrix_enf_cases import city_case

    return {"pk": city_case(w).pk}


def _inquiry(w: Any) -> dict[str, Any]:
    from .authz_matrix_enf_cases import inquiry

    return {"pk": inquiry(w).pk}


def _bk_case(w: Any) -> dict[str, Any]:
    from .authz_matrix_bankruptcy import city_case

    return {"pk": city_case(w).pk}


def _bk_item(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    from fuyuan.bankruptcy import actions

    from .authz_matrix_bankruptcy import city_case

    item = actions.add_item(
        w.users["court_staff"],
        city_case(w),
        kind="asset_disposal",
        description="协调处置厂房土地",
        lead_unit=w.units["housing"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    return {"pk": item.pk}


def _bk_query(w: Any) -> dict[str, Any]:
    from .authz_matrix_bankruptcy import hrss_query

    return {"pk": hrss_query(w).pk}


def _bk_fund(w: Any) -> dict[str, Any]:
    from .authz_matrix_bankruptcy import city_fund

    return {"pk": city_fund(w).pk}


def _event(w: Any, which: str = "city") -> dict[str, Any]:
    from .authz_matrix_risks import city_event, county_event

    return {"pk": (city_event if which == "city" else county_event)(w).pk}


def _project(w: Any) -> dict[str, Any]:
    from .authz_matrix_risks import city_project

    return {"pk": city_project(w).pk}


# --- expected statuses ---------------------------------------------------------------------------
HRSS_CHECK = api(200, a_office=404, court_staff=404)
HOUSING_CHECK = api(200, a_office=404, court_staff=404, hrss_liaison=404)
# Only the department answers its hits: its office and leader see them (403), others do not.
HIT_ANSWER = {**HRSS_CHECK, "city_office": 403, "city_leader": 403}
RUN_CHECK = api(403, hrss_liaison=201)
RUN_CHECK_OWN_UNIT = api(403, hrss_liaison=201, city_office=201, a_office=201)
ENF_CASE = api(200, a_office=404)
INQUIRY = api(200, a_office=404, city_leader=404)
INQUIRY_ANSWER = {**INQUIRY, "court_staff": 403, "city_office": 403}
INQUIRY_REVEAL = {**INQUIRY, "city_office": 403}
BK_CASE = api(200, a_office=404, hrss_liaison=404)
BK_ITEM = BK_CASE
BK_QUERY = api(200, a_office=404)
BK_ANSWER = {**BK_QUERY, "court_staff": 403, "city_office": 403, "city_leader": 403}
BK_FUND = BK_CASE
CITY_EVENT = api(200, a_office=404)
COUNTY_EVENT = api(200, hrss_liaison=404, court_staff=404)
CITY_PROJECT = api(200, a_office=404, hrss_liaison=404, court_staff=404)


def _party(w: Any) -> dict[str, Any]:
    return {"unit": w.units["hrss"].pk, "scenario": "subsidy", "parties[0]name": "王建国"}


API_ENFORCEMENT_CASES: list[Case] = [
    # --- the debtor list ---------------------------------------------------------------------
    Case("api:enforcement-debtor-list", MEMBERS),
    Case("api:enforcement-debtor-detail", MEMBERS, kwargs=_debtor),
    # --- checks -----------------------------------------------------------------------------
    Case("api:enforcement-check-list", MEMBERS),
    Case(
        "api:enforcement-check-list",
        RUN_CHECK,
        variant="run a check for 市人社局",
        method="post",
        data=_party,
    ),
    Case(
        "api:enforcement-check-list",
        RUN_CHECK_OWN_UNIT,
        variant="run a check for one's own department (unit left out)",
        method="post",
        data=lambda w: {"scenario": "subsidy", "parties[0]name": "王建国"},
    ),
    Case("api:enforcement-check-detail", HRSS_CHECK, kwargs=lambda w: {"pk": _check(w).pk}),
    Case(
        "api:enforcement-check-detail",
        HOUSING_CHECK,
        variant="another department's check",
        kwargs=lambda w: {"pk": _check(w, "housing").pk},
    ),
    Case(
        "api:enforcement-check-hit-feedback",
        api(405),
        kwargs=lambda w: _hit(w, "hit"),
    ),
    Case(
        "api:enforcement-check-hit-feedback",
        HIT_ANSWER,
        variant="measure applied",
        method="post",
        kwargs=lambda w: _hit(w, "hit"),
        data=lambda w: {"action": "applied", "measure": "procurement.supplier"},
    ),
    Case(
        "api:enforcement-check-hit-confirm",
        HIT_ANSWER,
        variant="same party",
        method="post",
        kwargs=lambda w: _hit(w, "needs_confirmation"),
        data=lambda w: {"same": "true"},
    ),
    # --- government-debtor cases and inquiries ---------------------------------------------
    Case("api:enforcement-case-list", MEMBERS),
    Case("api:enforcement-case-detail", ENF_CASE, kwargs=_enf_case),
    Case("api:enforcement-inquiry-list", MEMBERS),
    Case("api:enforcement-inquiry-detail", INQUIRY, kwargs=_inquiry),
    Case(
        "api:enforcement-inquiry-answer",
        INQUIRY_ANSWER,
        variant="answer",
        method="post",
        kwargs=_inquiry,
        data=lambda w: {"result": "无社保记录"},
    ),
    Case(
        "api:enforcement-inquiry-reveal",
        INQUIRY_REVEAL,
        variant="identifier in clear",
        method="post",
        kwargs=_inquiry,
    ),
    # --- bankruptcy -------------------------------------------------------------------------
    Case("api:bankruptcy-case-list", MEMBERS),
    Case("api:bankruptcy-case-detail", BK_CASE, kwargs=_bk_case),
    Case("api:bankruptcy-item-list", MEMBERS),
    Case("api:bankruptcy-item-detail", BK_ITEM, kwargs=_bk_item),
    Case("api:bankruptcy-query-list", MEMBERS),
    Case("api:bankruptcy-query-detail", BK_QUERY, kwargs=_bk_query),
    Case(
        "api:bankruptcy-query-answer",
        BK_ANSWER,
        variant="answer",
        method="post",
        kwargs=_bk_query,
        data=lambda w: {"result": "欠缴社会保险费3个月"},
    ),
    Case("api:bankruptcy-fund-list", MEMBERS),
    Case("api:bankruptcy-fund-detail", BK_FUND, kwargs=_bk_fund),
    # --- risks ------------------------------------------------------------------------------
    Case("api:risks-event-list", MEMBERS),
    Case("api:risks-event-detail", CITY_EVENT, kwargs=_event),
    Case(
        "api:risks-event-detail",
        COUNTY_EVENT,
        variant="county event",
        kwargs=lambda w: _event(w, "county"),
    ),
    Case("api:risks-project-list", MEMBERS),
    Case("api:risks-project-detail", CITY_PROJECT, kwargs=_project),
]
