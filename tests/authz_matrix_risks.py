"""Authorization-matrix rows of the risks app: risk events and the stalled-housing ledger.

The city event is led by the financial regulator with the intermediate court and 市人社局
(hrss) involved: the city's office and leader, hrss's liaison officer and the court's staff
see it; 西平县's office (a_office) does not. The county event of 西平县 is seen by its office
and the city's. The city project is 市住建局's (housing); the county project 西平县政府's."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect

TODAY = datetime.date.today


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def city_event(w: Any) -> Any:
    from fuyuan.risks import actions

    return actions.report_event(
        w.users["city_office"],
        mechanism=w.mechanisms["city"],
        title="某投资公司非法集资案",
        kind="financial",
        level="major",
        description="涉及集资参与人约1200人。",
        lead_unit=w.units["new_regulator"],
        units_involved=[w.units["court"], w.units["hrss"]],
        reported_on=TODAY(),
    )


def county_event(w: Any) -> Any:
    from fuyuan.risks import actions

    return actions.report_event(
        w.users["a_office"],
        mechanism=w.mechanisms["a"],
        title="西平县某农商行流动性风险",
        kind="financial",
        level="large",
        description="存款集中支取。",
        lead_unit=w.units["a_gov"],
        reported_on=TODAY(),
    )


def _project(w: Any, jurisdiction: Any, unit: Any, actor: str, name: str) -> Any:
    from fuyuan.risks import actions

    return actions.create_project(
        w.users[actor],
        jurisdiction=jurisdiction,
        name=name,
        developer="驻马店市天中置业有限公司",
        developer_credit_code="",
        households_affected=300,
        households_delivered=0,
        status="stopped",
        stopped_on=TODAY() - datetime.timedelta(days=400),
        responsible_unit=unit,
    )


def city_project(w: Any) -> Any:
    return _project(w, w.city, w.units["housing"], "city_office", "天中名苑二期")


def county_project(w: Any) -> Any:
    return _project(w, w.county_a, w.units["a_gov"], "a_office", "西平县锦绣花园")


MEMBERS_ONLY = {**expect(200), **_admins(403)}
OFFICES_ONLY = {**expect(403), "city_office": 200, "a_office": 200}
CITY_EVENT_READ = {**MEMBERS_ONLY, "a_office": 404}
COUNTY_EVENT_READ = {**MEMBERS_ONLY, "hrss_liaison": 404, "court_staff": 404}
CITY_EVENT_OFFICE = {
    **CITY_EVENT_READ,
    "city_office": 200,
    "city_leader": 403,
    "hrss_liaison": 403,
    "court_staff": 403,
}
CITY_PROJECT_READ = {**MEMBERS_ONLY, "a_office": 404, "hrss_liaison": 404, "court_staff": 404}
COUNTY_PROJECT_READ = {**MEMBERS_ONLY, "hrss_liaison": 404, "court_staff": 404}


def _event_post(w: Any) -> dict[str, Any]:
    return {
        "mechanism": w.mechanisms["city"].pk,
        "title": "某P2P平台兑付风险",
        "kind": "financial",
        "level": "large",
        "description": "平台逾期兑付。",
        "lead_unit": w.units["new_regulator"].pk,
        "units_involved": [w.units["court"].pk],
        "reported_on": TODAY().isoformat(),
    }


RISK_CASES: list[Case] = [
    Case("risks:event_list", MEMBERS_ONLY),
    Case("risks:event_create", OFFICES_ONLY),
    Case(
        "risks:event_create",
        {**OFFICES_ONLY, "city_office": 302},
        variant="report a city event",
        method="post",
        data=_event_post,
    ),
    Case("risks:event_detail", CITY_EVENT_READ, kwargs=lambda w: {"pk": city_event(w).pk}),
    Case(
        "risks:event_detail",
        COUNTY_EVENT_READ,
        variant="county event",
        kwargs=lambda w: {"pk": county_event(w).pk},
    ),
    Case("risks:event_edit", CITY_EVENT_OFFICE, kwargs=lambda w: {"pk": city_event(w).pk}),
    Case(
        "risks:event_note_add",
        {
            **CITY_EVENT_READ,
            "city_office": 302,
            "hrss_liaison": 302,
            "court_staff": 302,
            "city_leader": 403,
        },
        method="post",
        data=lambda w: {"on": TODAY().isoformat(), "text": "已约谈平台负责人"},
        kwargs=lambda w: {"pk": city_event(w).pk},
    ),
    Case(
        "risks:event_note_add",
        {**expect(405), **_admins(405)},
        variant="GET",
        kwargs=lambda w: {"pk": city_event(w).pk},
    ),
    Case(
        "risks:event_transition",
        {**CITY_EVENT_OFFICE, "city_office": 302},
        variant="start",
        method="post",
        kwargs=lambda w: {"pk": city_event(w).pk, "transition": "start"},
    ),
    Case(
        "risks:event_transition",
        {**COUNTY_EVENT_READ, "city_office": 302, "a_office": 302, "city_leader": 403},
        variant="county event, close",
        method="post",
        data=lambda w: {"comment": "经核实不构成风险"},
        kwargs=lambda w: {"pk": county_event(w).pk, "transition": "close"},
    ),
    Case(
        "risks:event_matter_open",
        CITY_EVENT_OFFICE,
        kwargs=lambda w: {"pk": city_event(w).pk},
    ),
    Case(
        "risks:event_matter_open",
        {**CITY_EVENT_OFFICE, "city_office": 302},
        variant="open a matter",
        method="post",
        data=lambda w: {
            "title": "追赃挽损",
            "lead_unit": w.units["new_regulator"].pk,
            "deadline": (TODAY() + datetime.timedelta(days=60)).isoformat(),
        },
        kwargs=lambda w: {"pk": city_event(w).pk},
    ),
    Case("risks:project_list", MEMBERS_ONLY),
    Case("risks:project_create", OFFICES_ONLY),
    Case("risks:project_detail", CITY_PROJECT_READ, kwargs=lambda w: {"pk": city_project(w).pk}),
    Case(
        "risks:project_detail",
        COUNTY_PROJECT_READ,
        variant="county project",
        kwargs=lambda w: {"pk": county_project(w).pk},
    ),
    Case(
        "risks:project_edit",
        {**CITY_PROJECT_READ, "city_leader": 403},
        kwargs=lambda w: {"pk": city_project(w).pk},
    ),
    Case(
        "risks:project_edit",
        {**COUNTY_PROJECT_READ, "city_leader": 403},
        variant="county project",
        kwargs=lambda w: {"pk": county_project(w).pk},
    ),
]
