"""Authorization-matrix rows of bulletins (通报) and the annual report to the joint meeting.

Objects: the city's bulletin on the current month as a draft and another one issued (sent to
the city's member units: hrss's liaison officer and the intermediate court's staff are members),
and 西平县's issued bulletin (its office and the city above it see it; the city's member units do
not). A draft is its own office's and leaders' only; an issued bulletin is read by the members,
and by the offices and leaders above; the administrators have no bulletin pages."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def _generate(w: Any, key: str, office: str) -> Any:
    from fuyuan.dashboard import bulletin_actions

    today = datetime.date.today()
    return bulletin_actions.generate(
        w.users[office], w.mechanisms[key], kind="month", year=today.year, number=today.month
    )


def _cached(w: Any, name: str, make: Any) -> Any:
    """One object per name while it exists: each matrix test runs in a transaction rolled
    back at its end, so a later test makes its own."""
    from fuyuan.dashboard.models import Bulletin

    found = w.__dict__.setdefault("_bulletins", {})
    if name not in found or not Bulletin.objects.filter(pk=found[name].pk).exists():
        found[name] = make()
    return found[name]


def city_draft(w: Any) -> Any:
    return _cached(w, "city_draft", lambda: _generate(w, "city", "city_office"))


def _issued(w: Any, key: str, office: str, code: str) -> Any:
    from fuyuan.dashboard import bulletin_actions
    from fuyuan.documents import actions as doc_actions

    bulletin = _generate(w, key, office)
    year = datetime.date.today().year
    number = doc_actions.reserve_number(
        w.users[office], w.mechanisms[key], f"{code}〔{year}〕{bulletin.pk}号"
    )
    return bulletin_actions.issue(w.users[office], bulletin, number=number)


def city_issued(w: Any) -> Any:
    return _cached(w, "city_issued", lambda: _issued(w, "city", "city_office", "驻府院办"))


def county_issued(w: Any) -> Any:
    return _cached(w, "county_issued", lambda: _issued(w, "a", "a_office", "西府院办"))


MEMBERS_PAGE = {**expect(200), **_admins(403)}
DRAFT_READ = {
    **MEMBERS_PAGE,
    "a_office": 404,
    "hrss_liaison": 404,
    "court_staff": 404,
}
CITY_ISSUED_READ = {**MEMBERS_PAGE, "a_office": 404}
COUNTY_ISSUED_READ = {**MEMBERS_PAGE, "hrss_liaison": 404, "court_staff": 404}
OFFICE_ON_DRAFT = {**DRAFT_READ, "city_leader": 403}
POST_ONLY = expect(405)


def _pk(make: Any) -> Any:
    return lambda w: {"pk": make(w).pk}


BULLETIN_CASES: list[Case] = [
    Case("dashboard:bulletin_list", MEMBERS_PAGE),
    Case("dashboard:bulletin_generate", only(["city_office", "a_office"])),
    Case(
        "dashboard:bulletin_generate",
        only(["city_office"], ok=302) | {"a_office": 200},
        variant="generate for the city",
        method="post",
        data=lambda w: {
            "mechanism": w.mechanisms["city"].pk,
            "kind": "month",
            "year": datetime.date.today().year,
            "number": datetime.date.today().month,
        },
    ),
    Case("dashboard:bulletin_detail", DRAFT_READ, kwargs=_pk(city_draft), variant="draft"),
    Case("dashboard:bulletin_detail", CITY_ISSUED_READ, kwargs=_pk(city_issued), variant="issued"),
    Case(
        "dashboard:bulletin_detail",
        COUNTY_ISSUED_READ,
        kwargs=_pk(county_issued),
        variant="county, issued",
    ),
    Case("dashboard:bulletin_edit", OFFICE_ON_DRAFT, kwargs=_pk(city_draft), variant="draft"),
    Case(
        "dashboard:bulletin_edit",
        {**CITY_ISSUED_READ, **dict.fromkeys(("city_office", "city_leader"), 403)}
        | {"hrss_liaison": 403, "court_staff": 403},
        kwargs=_pk(city_issued),
        variant="issued",
    ),
    Case("dashboard:bulletin_docx", DRAFT_READ, kwargs=_pk(city_draft), variant="draft"),
    Case("dashboard:bulletin_docx", CITY_ISSUED_READ, kwargs=_pk(city_issued), variant="issued"),
    Case("dashboard:bulletin_notify", POST_ONLY, kwargs=_pk(city_issued)),
    Case(
        "dashboard:bulletin_notify",
        {**CITY_ISSUED_READ, "city_office": 302, "city_leader": 403}
        | {"hrss_liaison": 403, "court_staff": 403},
        kwargs=_pk(city_issued),
        variant="post",
        method="post",
    ),
    Case(
        "dashboard:bulletin_transition",
        POST_ONLY,
        kwargs=lambda w: {"pk": city_draft(w).pk, "transition": "cancel"},
    ),
    Case(
        "dashboard:bulletin_transition",
        {**OFFICE_ON_DRAFT, "city_office": 302},
        kwargs=lambda w: {"pk": city_draft(w).pk, "transition": "cancel"},
        variant="cancel the draft",
        method="post",
        data=lambda w: {"comment": "重复生成", "version": city_draft(w).document.version},
    ),
    Case("dashboard:annual_report", only(["city_office", "a_office", "city_leader"])),
    Case(
        "dashboard:annual_report_docx",
        only(["city_office", "city_leader"]) | {"a_office": 404},
        query=lambda w: f"mechanism={w.mechanisms['city'].pk}&year={datetime.date.today().year}",
    ),
]
