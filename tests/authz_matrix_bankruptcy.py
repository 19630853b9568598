"""Authorization-matrix rows of the bankruptcy app: cases, coordination items, information
queries, the cost fund and its applications, figures. The fixture case is a case of the
intermediate court (豫17): its court staff and the city's office and leader see it; the county
office of 西平县 (a_office) and 市人社局's liaison (no item, no query on it) do not. The fixture
query asks 市人社局, whose liaison answers it; the city fund belongs to the city's joint
meeting, whose office reviews and approves."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only

_SEQUENCE = itertools.count(700)
_MADE: dict[str, Any] = {}


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def city_case(w: Any) -> Any:
    from fuyuan.bankruptcy import actions

    today = _today()
    return actions.create_case(
        w.users["court_staff"],
        number=f"（{today.year}）豫17破{next(_SEQUENCE)}号",
        court=w.units["court"],
        debtor_name="驻马店市恒远纺织有限公司",
        debtor_credit_code="91411700MA44A1B2CK",
        administrator="河南天中律师事务所",
        applied_on=today - datetime.timedelta(days=40),
        accepted_on=today - datetime.timedelta(days=20),
        stage="administration",
        no_assets=True,
    )


def city_fund(w: Any) -> Any:
    from decimal import Decimal

    from fuyuan.bankruptcy import actions

    return actions.set_budget(
        w.users["city_office"], w.mechanisms["city"], _today().year, Decimal("100000")
    )


def hrss_query(w: Any) -> Any:
    from fuyuan.bankruptcy import actions
    from fuyuan.core import calendar

    calendar.seed_year(_today().year)
    item = actions.ask_query(
        w.users["court_staff"],
        city_case(w),
        department=w.units["hrss"],
        kind="social_insurance",
        question="查询欠缴社会保险费及欠薪情况",
    )
    _MADE["query"] = item
    return item


def application(w: Any) -> Any:
    from fuyuan.bankruptcy import actions

    city_fund(w)
    item = actions.apply_fund(w.users["court_staff"], city_case(w), amount="5000", reason="公告费")
    _MADE["application"] = item
    return item


def _seed_calendar(w: Any) -> dict[str, Any]:
    from fuyuan.core import calendar

    calendar.seed_year(_today().year)
    return {"pk": city_case(w).pk}


def _with_fund(w: Any) -> dict[str, Any]:
    city_fund(w)
    return {"pk": city_case(w).pk}


def _stash_case(w: Any) -> dict[str, Any]:
    case = city_case(w)
    _MADE["case"] = case
    return {"pk": case.pk}


def case_form(w: Any) -> dict[str, Any]:
    today = _today()
    return {
        "number": f"（{today.year}）豫17破申{next(_SEQUENCE)}号",
        "court": w.units["court"].pk,
        "debtor_name": "驻马店市天合建材有限公司",
        "debtor_credit_code": "91411700MA44A1B2CK",
        "applied_on": (today - datetime.timedelta(days=3)).isoformat(),
        "stage": "application",
        "employees": "12",
    }


def _edit_data(w: Any) -> dict[str, Any]:
    case = _MADE["case"]
    today = _today()
    return {
        "number": case.number,
        "court": case.court_id,
        "debtor_name": case.debtor_name,
        "debtor_credit_code": case.debtor_credit_code,
        "applied_on": case.applied_on.isoformat(),
        "accepted_on": case.accepted_on.isoformat(),
        "stage": "liquidation",
        "no_assets": "on",
        "employees": "40",
        "version": case.version,
        "note": f"{today.isoformat()} 宣告破产",
    }


def _item_form(w: Any) -> dict[str, Any]:
    return {
        "kind": "wages",
        "lead_unit": w.units["hrss"].pk,
        "description": "协调垫付职工欠薪",
        "deadline": (_today() + datetime.timedelta(days=30)).isoformat(),
    }


MEMBERS_ONLY = {**expect(200), **_admins(403)}
# The case: its court, the city's office and leader.
CASE_READ = {**MEMBERS_ONLY, "a_office": 404, "hrss_liaison": 404}
# Court or office: correcting the case, asking government to act.
CASE_WRITE = {**CASE_READ, "city_leader": 403}
CASE_WRITE_POST = {**CASE_WRITE, "city_office": 302, "court_staff": 302}
# Only the court asks departments and applies to the fund.
COURT_ONLY = {**CASE_WRITE, "city_office": 403}
COURT_ONLY_POST = {**COURT_ONLY, "court_staff": 302}
# The query to 市人社局: its liaison answers.
QUERY_READ = {**CASE_READ, "hrss_liaison": 200}
QUERY_ANSWER_POST = {
    **QUERY_READ,
    "hrss_liaison": 302,
    "court_staff": 403,
    "city_office": 403,
    "city_leader": 403,
}
OFFICES = ("city_office", "a_office")

BANKRUPTCY_CASES: list[Case] = [
    Case("bankruptcy:case_list", MEMBERS_ONLY),
    Case("bankruptcy:query_list", MEMBERS_ONLY),
    Case("bankruptcy:fund_list", MEMBERS_ONLY),
    Case("bankruptcy:figures", MEMBERS_ONLY),
    Case("bankruptcy:case_create", only(["city_office", "a_office", "court_staff"])),
    Case(
        "bankruptcy:case_create",
        # a_office: the intermediate court is not among its choices (form shown again)
        {
            **only(["city_office", "a_office", "court_staff"]),
            "city_office": 302,
            "court_staff": 302,
        },
        variant="register a case of the intermediate court",
        method="post",
        data=case_form,
    ),
    Case("bankruptcy:case_detail", CASE_READ, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case("bankruptcy:case_edit", CASE_WRITE, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "bankruptcy:case_edit",
        CASE_WRITE_POST,
        variant="move to liquidation",
        method="post",
        kwargs=_stash_case,
        data=_edit_data,
    ),
    Case("bankruptcy:item_create", CASE_WRITE, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "bankruptcy:item_create",
        CASE_WRITE_POST,
        variant="wages item for 市人社局",
        method="post",
        kwargs=lambda w: {"pk": city_case(w).pk},
        data=_item_form,
    ),
    Case("bankruptcy:query_create", COURT_ONLY, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "bankruptcy:query_create",
        COURT_ONLY_POST,
        variant="ask 市住建局",
        method="post",
        kwargs=_seed_calendar,
        data=lambda w: {
            "department": w.units["housing"].pk,
            "kind": "real_estate",
            "question": "查询不动产登记",
        },
    ),
    Case("bankruptcy:query_answer", QUERY_READ, kwargs=lambda w: {"pk": hrss_query(w).pk}),
    Case(
        "bankruptcy:query_answer",
        QUERY_ANSWER_POST,
        variant="answer",
        method="post",
        kwargs=lambda w: {"pk": hrss_query(w).pk},
        data=lambda w: {"result": "欠缴社保费12万元", "version": _MADE["query"].version},
    ),
    Case("bankruptcy:application_create", COURT_ONLY, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "bankruptcy:application_create",
        COURT_ONLY_POST,
        variant="apply",
        method="post",
        kwargs=_with_fund,
        data=lambda w: {"amount": "3000", "reason": "管理人报酬"},
    ),
    Case("bankruptcy:fund_budget", only(OFFICES)),
    Case(
        "bankruptcy:fund_budget",
        # a_office: the city's joint meeting is not among its choices (form shown again)
        {**only(OFFICES), "city_office": 302},
        variant="set the city's budget",
        method="post",
        data=lambda w: {
            "mechanism": w.mechanisms["city"].pk,
            "year": _today().year,
            "budget": "200000",
        },
    ),
    Case(
        "bankruptcy:fund_detail",
        {**MEMBERS_ONLY, "a_office": 404, "hrss_liaison": 404},
        kwargs=lambda w: {"pk": city_fund(w).pk},
    ),
    Case(
        "bankruptcy:application_transition",
        expect(405),
        kwargs=lambda w: {"pk": application(w).pk, "transition": "review"},
    ),
    Case(
        "bankruptcy:application_transition",
        {**CASE_READ, "city_office": 302, "court_staff": 403, "city_leader": 403},
        variant="office reviews",
        method="post",
        kwargs=lambda w: {"pk": application(w).pk, "transition": "review"},
    ),
    Case(
        "bankruptcy:application_transition",
        {**CASE_READ, "court_staff": 302, "city_office": 403, "city_leader": 403},
        variant="court withdraws",
        method="post",
        kwargs=lambda w: {"pk": application(w).pk, "transition": "withdraw"},
    ),
]
