"""Authorization-matrix rows of the litigation app: cases, hearing notices and head
appearance records. The fixture case is 市人社局 (hrss) before the intermediate court (豫17):
its court staff, the body's liaison officer and the city's office and leader see it; the
county office of 西平县 (a_office) does not."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only

_SEQUENCE = itertools.count(500)


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def city_case(w: Any) -> Any:
    from django.utils import timezone

    from fuyuan.litigation import actions

    return actions.create_case(
        w.users["court_staff"],
        number=f"（2024）豫17行初{next(_SEQUENCE)}号",
        court=w.units["court"],
        defendant=w.units["hrss"],
        plaintiffs="驻马店市宏达物流有限公司",
        cause="劳动保障监察",
        enterprise_related=True,
        filed_on=timezone.localdate() - datetime.timedelta(days=60),
        stage="filed",
    )


def hearing(w: Any, past: bool = True) -> Any:
    from django.utils import timezone

    from fuyuan.litigation import actions

    when = timezone.now() + datetime.timedelta(days=-1 if past else 5)
    return actions.add_hearing(w.users["court_staff"], city_case(w), when, "第五审判庭")


def appearance(w: Any, disputed: bool = False) -> Any:
    from fuyuan.litigation import actions

    item = actions.record_appearance(
        w.users["court_staff"], hearing(w), rank="deputy", head_name="周建华", head_post="副局长"
    )
    if disputed:
        actions.appearance_transition(w.users["hrss_liaison"], item, "dispute", "实为正职出庭")
    return item


def case_form(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "number": f"（2024）豫17行初{next(_SEQUENCE)}号",
        "court": w.units["court"].pk,
        "defendant": w.units["hrss"].pk,
        "plaintiffs": "刘桂芳",
        "cause": "工伤认定",
        "filed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "stage": "filed",
    }


# Objects made by a row's kwargs, read by its data (kwargs runs first, once per row).
_MADE: dict[str, Any] = {}


def _stash(name: str, obj: Any) -> dict[str, Any]:
    _MADE[name] = obj
    return {"pk": obj.pk}


def _edit_data(w: Any) -> dict[str, Any]:
    case = _MADE["case"]
    return {**case_form(w), "number": case.number, "cause": "工伤保险待遇", "version": case.version}


def _future_hearing_form(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=7)
    return {"starts_at": f"{day.isoformat()}T09:00", "place": "第五审判庭"}


def _hearing_data(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    item = _MADE["hearing"]
    return {
        "starts_at": timezone.localtime(item.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "place": "第一审判庭",
        "state": "scheduled",
        "version": item.version,
    }


def _disputed(w: Any) -> dict[str, Any]:
    item = appearance(w, disputed=True)
    _MADE["appearance"] = item
    return {"pk": item.pk, "transition": "uphold"}


def _uphold_data(w: Any) -> dict[str, Any]:
    item = _MADE["appearance"]
    prefix = f"appearance-{item.pk}"
    return {f"{prefix}-comment": "以庭审笔录为准", f"{prefix}-version": item.version}


MEMBERS_ONLY = {**expect(200), **_admins(403)}
# The case seen by its court, the body and the city's office and leader; not the county office.
CASE_READ = {**expect(200), "a_office": 404, **_admins(403)}
# Court or office: correcting the case, announcing hearings.
CASE_WRITE = {**CASE_READ, "city_leader": 403, "hrss_liaison": 403}
CASE_WRITE_POST = {**CASE_WRITE, "city_office": 302, "court_staff": 302}
# Only the court records head appearances.
COURT_ONLY = {**CASE_WRITE, "city_office": 403}
COURT_ONLY_POST = {**COURT_ONLY, "court_staff": 302}
TRANSITION_GET = {**expect(405)}

LIT_CASE_CASES: list[Case] = [
    Case("litigation:case_list", MEMBERS_ONLY),
    Case("litigation:hearing_list", MEMBERS_ONLY),
    Case("litigation:case_create", only(["city_office", "a_office", "court_staff"])),
    Case(
        "litigation:case_create",
        # a_office: the city body is not among its choices (form shown again)
        {
            **only(["city_office", "a_office", "court_staff"]),
            "city_office": 302,
            "court_staff": 302,
        },
        variant="register a city body's case",
        method="post",
        data=case_form,
    ),
    Case("litigation:case_detail", CASE_READ, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case("litigation:case_edit", CASE_WRITE, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "litigation:case_edit",
        CASE_WRITE_POST,
        variant="correct the cause",
        method="post",
        kwargs=lambda w: _stash("case", city_case(w)),
        data=_edit_data,
    ),
    Case("litigation:hearing_create", CASE_WRITE, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "litigation:hearing_create",
        CASE_WRITE_POST,
        variant="announce",
        method="post",
        kwargs=lambda w: {"pk": city_case(w).pk},
        data=_future_hearing_form,
    ),
    Case("litigation:hearing_edit", CASE_WRITE, kwargs=lambda w: {"pk": hearing(w).pk}),
    Case(
        "litigation:hearing_edit",
        CASE_WRITE_POST,
        variant="move",
        method="post",
        kwargs=lambda w: _stash("hearing", hearing(w, past=False)),
        data=_hearing_data,
    ),
    Case("litigation:appearance_record", COURT_ONLY, kwargs=lambda w: {"pk": hearing(w).pk}),
    Case(
        "litigation:appearance_record",
        COURT_ONLY_POST,
        variant="record",
        method="post",
        kwargs=lambda w: {"pk": hearing(w).pk},
        data=lambda w: {"rank": "top", "head_name": "孙明亮", "head_post": "局长", "spoke": "on"},
    ),
    Case(
        "litigation:appearance_record",
        COURT_ONLY,
        variant="correct a disputed record",
        kwargs=lambda w: {"pk": appearance(w, disputed=True).hearing_id},
    ),
    Case(
        "litigation:appearance_transition",
        TRANSITION_GET,
        kwargs=lambda w: {"pk": appearance(w).pk, "transition": "confirm"},
    ),
    Case(
        "litigation:appearance_transition",
        {
            **CASE_READ,
            "city_office": 403,
            "city_leader": 403,
            "court_staff": 403,
            "hrss_liaison": 302,
        },
        variant="body confirms",
        method="post",
        kwargs=lambda w: {"pk": appearance(w).pk, "transition": "confirm"},
    ),
    Case(
        "litigation:appearance_transition",
        {
            **CASE_READ,
            "city_office": 403,
            "city_leader": 403,
            "hrss_liaison": 403,
            "court_staff": 302,
        },
        variant="court keeps a disputed record",
        method="post",
        kwargs=_disputed,
        data=_uphold_data,
    ),
]
