"""Authorization-matrix rows of the litigation app: dispute referrals (行政争议实质性化解),
and the meetings' agenda picker through which a case (or a dispute) goes on a meeting's
agenda."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect

TODAY = datetime.date.today


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def city_case(w: Any) -> Any:
    """A case of the intermediate court against 人社局 (hrss), as an import would bring it."""
    from fuyuan.litigation.models import AdminCase

    number = "（2026）豫17行初901号"
    found = AdminCase.objects.filter(number=number).first()
    if found is not None:
        return found
    unit = w.units["hrss"]
    filed = TODAY() - datetime.timedelta(days=30)
    case = AdminCase(
        mechanism=w.mechanisms["city"],
        number=number,
        year=filed.year,
        court=w.units["court"],
        type_code="行初",
        plaintiffs="张某",
        defendant=unit,
        jurisdiction=unit.jurisdiction,
        cause="工伤认定",
        filed_on=filed,
    )
    case.save()
    return case


def city_dispute(w: Any) -> Any:
    """A dispute about hrss referred by the court during its case."""
    from fuyuan.litigation import dispute_actions

    return dispute_actions.refer_dispute(
        w.users["court_staff"],
        unit=w.units["hrss"],
        case=city_case(w),
        title="工伤认定争议",
        applicant="张某",
        summary="对工伤认定不服",
        referred_on=TODAY(),
    )


def county_dispute(w: Any) -> Any:
    """A dispute about 西平县人社局 referred by its county office before any suit."""
    from fuyuan.litigation import dispute_actions

    return dispute_actions.refer_dispute(
        w.users["a_office"],
        unit=w.units["a_hrss"],
        title="社保补缴争议",
        applicant="某公司",
        summary="对补缴决定有异议",
        referred_on=TODAY(),
    )


def scheduled_meeting(w: Any) -> Any:
    """A coordination meeting of the city, tomorrow, inviting 人社局 (hrss)."""
    from django.utils import timezone

    from fuyuan.meetings import actions

    start = timezone.now() + datetime.timedelta(days=1)
    return actions.schedule_meeting(
        w.users["city_office"],
        w.mechanisms["city"],
        kind="case_analysis",
        title="行政案件分析会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        units=[w.units["hrss"]],
    )


MEMBERS_ONLY = {**expect(200), **_admins(403)}
REFERRERS = {**expect(200), "city_leader": 403, "court_staff": 403, **_admins(403)}
CITY_DISPUTE_READ = {**expect(200), "a_office": 404, **_admins(403)}
COUNTY_DISPUTE_READ = {
    **expect(200),
    "hrss_liaison": 404,
    "court_staff": 404,
    **_admins(403),
}
STEP_POST = {**CITY_DISPUTE_READ, "city_office": 302, "hrss_liaison": 302, "court_staff": 302}
STEP_POST["city_leader"] = 403
OUTCOME_POST = {
    **CITY_DISPUTE_READ,
    "city_office": 302,
    "city_leader": 403,
    "hrss_liaison": 403,
    "court_staff": 403,
}
OFFICES = {**expect(403), "city_office": 200, "a_office": 200}

LIT_DISPUTE_CASES: list[Case] = [
    Case("litigation:dispute_list", MEMBERS_ONLY),
    Case("litigation:dispute_create", REFERRERS),
    Case(
        "litigation:dispute_create",
        {**REFERRERS, "a_office": 404, "court_staff": 200},
        variant="from a case",
        query=lambda w: f"case={city_case(w).pk}",
    ),
    Case(
        "litigation:dispute_detail",
        CITY_DISPUTE_READ,
        kwargs=lambda w: {"pk": city_dispute(w).pk},
    ),
    Case(
        "litigation:dispute_detail",
        COUNTY_DISPUTE_READ,
        variant="county dispute before filing",
        kwargs=lambda w: {"pk": county_dispute(w).pk},
    ),
    Case(
        "litigation:dispute_step_add",
        STEP_POST,
        method="post",
        data=lambda w: {"on": TODAY().isoformat(), "kind": "talk", "note": "与申请人谈话"},
        kwargs=lambda w: {"pk": city_dispute(w).pk},
    ),
    Case(
        "litigation:dispute_step_add",
        {**expect(405), "a_office": 405},
        variant="GET",
        kwargs=lambda w: {"pk": city_dispute(w).pk},
    ),
    Case(
        "litigation:dispute_transition",
        OUTCOME_POST,
        variant="resolve",
        method="post",
        data=lambda w: {"comment": "原告撤诉"},
        kwargs=lambda w: {"pk": city_dispute(w).pk, "transition": "resolve"},
    ),
    Case(
        "litigation:dispute_transition",
        {
            **COUNTY_DISPUTE_READ,
            "city_office": 302,
            "a_office": 302,
            "city_leader": 403,
        },
        variant="county dispute, start",
        method="post",
        kwargs=lambda w: {"pk": county_dispute(w).pk, "transition": "start"},
    ),
    # --- meetings: putting a record on an agenda ----------------------------------------------
    Case(
        "meetings:agenda_pick",
        OFFICES,
        query=lambda w: f"kind=litigation.case&ref={city_case(w).pk}",
    ),
    Case(
        "meetings:agenda_pick",
        {**OFFICES, "city_office": 302, "a_office": 404},
        variant="add to the city's meeting",
        method="post",
        data=lambda w: {
            "meeting": scheduled_meeting(w).pk,
            "kind": "litigation.case",
            "ref": str(city_case(w).pk),
        },
    ),
]
