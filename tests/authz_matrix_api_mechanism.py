"""Authorization-matrix rows of the REST API (mechanism): meetings, invitations and decisions
under /api/v1/meetings/, dual-list calls and items under /api/v1/duallists/, liaison letters
under /api/v1/liaison/.

As on the pages, these endpoints are for members of a joint meeting: the administrators get
403; what a member may not see is 404; a write the user's role may not do is 403, a write
in the wrong state 409; anonymous is 401. The objects are those of the page rows
(tests/authz_matrix_mechanism.py): a city meeting inviting 人社局 (hrss) and 住建局 — not the
court —, the city's dual-list call with an item the court asks 人社局 to lead, a letter from
人社局 to the intermediate court; plus a county a meeting and call, an item led by 住建局
and a draft letter."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect
from .authz_matrix_mechanism import (
    decision_of,
    dual_call,
    dual_item,
    hrss_invitation,
    letter,
    meeting,
)

TODAY = datetime.date.today


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def api(default: int, **per_role: int) -> dict[str, int]:
    """`default` for members, 403 for the administrators, 401 for anonymous."""
    return {**expect(default, anonymous=401), **_admins(403), **per_role}


# --- builders ------------------------------------------------------------------------------
def county_meeting(w: Any) -> Any:
    """A coordination meeting of county a inviting its 人社局 (a_hrss)."""
    from django.utils import timezone

    from fuyuan.meetings import actions

    start = timezone.now() + datetime.timedelta(days=3)
    return actions.schedule_meeting(
        w.users["a_office"],
        w.mechanisms["a"],
        kind="coordination",
        title="西平县府院联动协调会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        units=[w.units["a_hrss"]],
    )


def housing_invitation(w: Any) -> dict[str, Any]:
    return {"pk": meeting(w).invitations.get(unit=w.units["housing"]).pk}


def county_call(w: Any) -> Any:
    from fuyuan.duallists import actions
    from fuyuan.duallists.models import ListCall

    existing = ListCall.objects.filter(mechanism=w.mechanisms["a"], year=TODAY().year + 1).first()
    return existing or actions.open_call(
        w.users["a_office"],
        w.mechanisms["a"],
        year=TODAY().year + 1,
        proposal_deadline=TODAY() + datetime.timedelta(days=10),
    )


def court_kind(w: Any) -> Any:
    """The city's 法院需政府支持事项清单, as the page rows' dual_item makes it."""
    from fuyuan.org.models import ListKind

    return ListKind.objects.get_or_create(
        mechanism=w.mechanisms["city"],
        code="court_needs_government",
        defaults={
            "name": "法院需政府支持事项清单",
            "requester_side": "court",
            "provider_side": "government",
            "order": 1,
        },
    )[0]


def housing_item(w: Any) -> Any:
    """An item the court asks 住建局 (housing) to lead: not 人社局's business."""
    from fuyuan.duallists import actions

    return actions.propose(
        w.users["court_staff"],
        dual_call(w),
        proposing_unit=w.units["court"],
        list_kind=court_kind(w),
        lead_unit=w.units["housing"],
        title="协助查询被执行人不动产登记信息",
        content="建立点对点查询机制。",
        measurable_target="查询回复时间不超过3个工作日",
        deadline=datetime.date(TODAY().year + 1, 12, 31),
    )


def proposal(w: Any) -> dict[str, Any]:
    return {
        "proposing_unit": w.units["court"].pk,
        "list_kind": court_kind(w).pk,
        "title": "协助查询被执行人公积金信息",
        "content": "建立点对点查询机制。",
        "measurable_target": "查询回复时间不超过3个工作日",
        "lead_unit": w.units["hrss"].pk,
        "deadline": f"{TODAY().year + 1}-12-31",
    }


def draft_letter(w: Any) -> Any:
    from fuyuan.liaison import actions

    return actions.create_letter(
        w.users["hrss_liaison"],
        sender_unit=w.units["hrss"],
        recipient_unit=w.units["court"],
        subject="草拟的联系函",
        body="请予协调。",
        reply_by=TODAY() + datetime.timedelta(days=14),
        send=False,
    )


# --- meetings ------------------------------------------------------------------------------
# The city meeting: the office and leader oversee it, hrss is invited; the court is not.
MEETING = api(200, a_office=404, court_staff=404)
COUNTY_MEETING = api(200, hrss_liaison=404, court_staff=404)

MEETING_CASES = [
    Case("api:meeting-list", api(200)),
    Case("api:meeting-detail", MEETING, kwargs=lambda w: {"pk": meeting(w).pk}),
    Case(
        "api:meeting-detail",
        COUNTY_MEETING,
        variant="other county",
        kwargs=lambda w: {"pk": county_meeting(w).pk},
    ),
    Case("api:meeting-invitation-list", api(200)),
    Case("api:meeting-invitation-detail", MEETING, kwargs=hrss_invitation),
    Case(
        "api:meeting-invitation-sign-in",
        {**MEETING, "city_leader": 403},
        variant="hrss's invitation: its liaison or the office",
        method="post",
        data=lambda w: {"attendance": "attend"},
        kwargs=hrss_invitation,
    ),
    Case(
        "api:meeting-invitation-sign-in",
        {**MEETING, "city_leader": 403, "hrss_liaison": 403},
        variant="another unit's invitation",
        method="post",
        data=lambda w: {"attendance": "leave"},
        kwargs=housing_invitation,
    ),
    Case("api:meeting-invitation-sign-in", api(405), variant="GET", kwargs=hrss_invitation),
    Case("api:meeting-decision-list", api(200)),
    Case("api:meeting-decision-detail", MEETING, kwargs=decision_of),
]

# --- dual lists ----------------------------------------------------------------------------
CALL = api(200, a_office=404)
COUNTY_CALL = api(200, hrss_liaison=404, court_staff=404)

DUALLIST_CASES = [
    Case("api:duallist-call-list", api(200)),
    Case("api:duallist-call-detail", CALL, kwargs=lambda w: {"pk": dual_call(w).pk}),
    Case(
        "api:duallist-call-detail",
        COUNTY_CALL,
        variant="other county",
        kwargs=lambda w: {"pk": county_call(w).pk},
    ),
    Case(
        "api:duallist-call-propose",
        api(201, a_office=404, city_leader=403, hrss_liaison=403),
        variant="for the court: the court or the office",
        method="post",
        data=proposal,
        kwargs=lambda w: {"pk": dual_call(w).pk},
    ),
    Case("api:duallist-item-list", api(200)),
    Case("api:duallist-item-detail", CALL, kwargs=lambda w: {"pk": dual_item(w).pk}),
    Case(
        "api:duallist-item-detail",
        api(200, a_office=404, hrss_liaison=404),
        variant="another unit's item",
        kwargs=lambda w: {"pk": housing_item(w).pk},
    ),
]

# --- liaison letters -----------------------------------------------------------------------
# hrss → court, sent: both units and the city office see it; a leader only once escalated.
LETTER = api(200, a_office=404, city_leader=404)

LIAISON_CASES = [
    Case("api:liaison-letter-list", api(200)),
    Case(
        "api:liaison-letter-list",
        api(403, hrss_liaison=201, court_staff=400),
        variant="write and send to the court (the court: to itself)",
        method="post",
        data=lambda w: {
            "recipient_unit": w.units["court"].pk,
            "subject": "关于执行联动的联系函",
            "body": "请予协调。",
            "reply_by": (TODAY() + datetime.timedelta(days=14)).isoformat(),
        },
    ),
    Case("api:liaison-letter-detail", LETTER, kwargs=lambda w: {"pk": letter(w).pk}),
    Case(
        "api:liaison-letter-detail",
        {**LETTER, "city_leader": 200},
        variant="escalated",
        kwargs=lambda w: {"pk": letter(w, "escalated").pk},
    ),
    Case(
        "api:liaison-letter-detail",
        api(404, hrss_liaison=200),
        variant="draft",
        kwargs=lambda w: {"pk": draft_letter(w).pk},
    ),
    Case(
        "api:liaison-letter-send",
        api(404, hrss_liaison=200),
        variant="draft",
        method="post",
        kwargs=lambda w: {"pk": draft_letter(w).pk},
    ),
    Case(
        "api:liaison-letter-send",
        {**LETTER, "city_office": 403, "hrss_liaison": 409, "court_staff": 403},
        variant="already sent",
        method="post",
        kwargs=lambda w: {"pk": letter(w).pk},
    ),
    Case(
        "api:liaison-letter-reply",
        {**LETTER, "city_office": 403, "hrss_liaison": 403, "court_staff": 201},
        method="post",
        data=lambda w: {"body": "已收悉，正在研究。"},
        kwargs=lambda w: {"pk": letter(w).pk},
    ),
]

API_MECHANISM_CASES: list[Case] = [*MEETING_CASES, *DUALLIST_CASES, *LIAISON_CASES]
