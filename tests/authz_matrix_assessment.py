"""Authorization-matrix rows of the assessment (linkage indicators).

The city's joint meeting has three schemes: a draft (2024), one published and scored (2025)
and a final one (2023). The assessed units are 市人社局 (hrss), 市住建局 and the financial
regulator; the court is not assessed. The city's office edits, scores, adjusts and submits;
the city's leader reads and confirms as the second reviewer; 西平县's office (a_office) sees
nothing of the city's assessment; hrss's liaison officer sees only its own final result;
administrators hold no member role (403)."""

from __future__ import annotations

from typing import Any

from .authz_matrix import ADMINS, Case, expect

DRAFT_YEAR = 2024
SCORED_YEAR = 2025
FINAL_YEAR = 2023

INDICATORS = [
    {"kind": "matters_on_time", "weight": "50"},
    {"kind": "cards", "weight": "30"},
    {"kind": "recommendation_reply", "weight": "20"},
]


def _scheme(w: Any, year: int) -> Any:
    from fuyuan.assessment import actions
    from fuyuan.assessment.models import Result, Scheme

    found = Scheme.objects.filter(mechanism=w.mechanisms["city"], year=year).first()
    if found is not None:
        return found
    office = w.users["city_office"]
    scheme = actions.save_scheme(
        office,
        w.mechanisms["city"],
        year=year,
        title=f"{year}年度考核方案",
        indicators=INDICATORS,
    )
    if year == DRAFT_YEAR:
        return scheme
    actions.transition_scheme(office, scheme, "publish")
    actions.score(office, scheme)
    if year == SCORED_YEAR:
        housing = Result.objects.get(scheme=scheme, unit=w.units["housing"])
        actions.transition_result(office, housing, "submit")
    if year == FINAL_YEAR:
        actions.transition_all(office, scheme, "submit")
        actions.transition_all(w.users["city_leader"], scheme, "confirm")
        actions.transition_scheme(office, scheme, "finalize")
    scheme.refresh_from_db()
    return scheme


def _result(w: Any, year: int, unit: str) -> Any:
    from fuyuan.assessment.models import Result

    return Result.objects.get(scheme=_scheme(w, year), unit=w.units[unit])


def _scheme_post(w: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mechanism": w.mechanisms["city"].pk,
        "year": "2022",
        "title": "2022年度考核方案",
        "total_points": "100",
        "ranking": "standard",
        "notes": "",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for n, (kind, weight) in enumerate((("matters_on_time", "70"), ("cards", "30"))):
        data[f"indicators-{n}-kind"] = kind
        data[f"indicators-{n}-weight"] = weight
        data[f"indicators-{n}-if_no_data"] = "full"
    return data


def _edit_post(w: Any) -> dict[str, Any]:
    data = _scheme_post(w)
    data["year"] = str(DRAFT_YEAR)
    return data


NOT_MEMBERS = dict.fromkeys(ADMINS, 403)
MEMBERS = {**expect(200), **NOT_MEMBERS}
OFFICES = {**expect(403), "city_office": 200, "a_office": 200}
# A city scheme before it is final: the city's office and leader; nobody else.
CITY_READ = {
    **MEMBERS,
    "a_office": 404,
    "hrss_liaison": 404,
    "court_staff": 404,
}
# ... and what only the city's office may do there.
CITY_OFFICE = {**CITY_READ, "city_leader": 403, "city_office": 302}
# A final scheme: hrss's liaison officer sees its own result too.
FINAL_READ = {**CITY_READ, "hrss_liaison": 200}
POST_ONLY = {**expect(405), "anonymous": 302}


ASSESSMENT_CASES: list[Case] = [
    Case("assessment:scheme_list", MEMBERS),
    Case("assessment:scheme_create", OFFICES),
    Case(
        "assessment:scheme_create",
        {**OFFICES, "city_office": 302, "a_office": 403},
        variant="draw up a city scheme",
        method="post",
        data=_scheme_post,
    ),
    Case(
        "assessment:scheme_detail",
        CITY_READ,
        variant="draft",
        kwargs=lambda w: {"pk": _scheme(w, DRAFT_YEAR).pk},
    ),
    Case(
        "assessment:scheme_detail",
        CITY_READ,
        variant="scored",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk},
    ),
    Case(
        "assessment:scheme_detail",
        FINAL_READ,
        variant="final",
        kwargs=lambda w: {"pk": _scheme(w, FINAL_YEAR).pk},
    ),
    Case(
        "assessment:scheme_edit",
        {**CITY_READ, "city_leader": 403},
        variant="draft",
        kwargs=lambda w: {"pk": _scheme(w, DRAFT_YEAR).pk},
    ),
    Case(
        "assessment:scheme_edit",
        CITY_OFFICE,
        variant="save the draft",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, DRAFT_YEAR).pk},
        data=_edit_post,
    ),
    Case(
        "assessment:scheme_edit",
        {**CITY_READ, "city_leader": 403, "city_office": 403},
        variant="published: locked",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk},
    ),
    Case(
        "assessment:scheme_score",
        POST_ONLY,
        variant="GET",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk},
    ),
    Case(
        "assessment:scheme_score",
        CITY_OFFICE,
        variant="rescore",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk},
    ),
    Case(
        "assessment:scheme_score",
        {**FINAL_READ, "city_office": 403, "city_leader": 403, "hrss_liaison": 403},
        variant="final: refused",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, FINAL_YEAR).pk},
    ),
    Case(
        "assessment:scheme_export",
        CITY_READ,
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk},
    ),
    Case(
        "assessment:scheme_export",
        {**FINAL_READ, "hrss_liaison": 403},
        variant="final",
        kwargs=lambda w: {"pk": _scheme(w, FINAL_YEAR).pk},
    ),
    Case(
        "assessment:scheme_transition",
        CITY_OFFICE,
        variant="publish the draft",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, DRAFT_YEAR).pk, "transition": "publish"},
    ),
    Case(
        "assessment:scheme_transition",
        CITY_OFFICE,
        variant="finalize (refused with a message: results unconfirmed)",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk, "transition": "finalize"},
    ),
    Case(
        "assessment:scheme_transition",
        {**CITY_READ, "city_office": 404, "city_leader": 404},
        variant="unknown transition",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk, "transition": "nonsense"},
    ),
    Case(
        "assessment:scheme_all",
        CITY_OFFICE,
        variant="submit all",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk, "transition": "submit"},
    ),
    Case(
        "assessment:scheme_all",
        {**CITY_READ, "city_office": 403, "city_leader": 302},
        variant="confirm all (the office member submitted; the leader confirms)",
        method="post",
        kwargs=lambda w: {"pk": _scheme(w, SCORED_YEAR).pk, "transition": "confirm"},
    ),
    Case(
        "assessment:result_detail",
        CITY_READ,
        variant="scored",
        kwargs=lambda w: {"pk": _result(w, SCORED_YEAR, "hrss").pk},
    ),
    Case(
        "assessment:result_detail",
        FINAL_READ,
        variant="own final result",
        kwargs=lambda w: {"pk": _result(w, FINAL_YEAR, "hrss").pk},
    ),
    Case(
        "assessment:result_detail",
        CITY_READ,
        variant="another unit's final result",
        kwargs=lambda w: {"pk": _result(w, FINAL_YEAR, "housing").pk},
    ),
    Case(
        "assessment:result_adjust",
        {**CITY_READ, "city_leader": 403},
        kwargs=lambda w: {"pk": _result(w, SCORED_YEAR, "hrss").pk},
    ),
    Case(
        "assessment:result_adjust",
        CITY_OFFICE,
        variant="adjust with a reason",
        method="post",
        kwargs=lambda w: {"pk": _result(w, SCORED_YEAR, "hrss").pk},
        data=lambda w: {"delta": "1.5", "reason": "经验做法被推广"},
    ),
    Case(
        "assessment:result_adjust",
        {**FINAL_READ, "city_office": 403, "city_leader": 403, "hrss_liaison": 403},
        variant="final result",
        kwargs=lambda w: {"pk": _result(w, FINAL_YEAR, "hrss").pk},
    ),
    Case(
        "assessment:result_transition",
        CITY_OFFICE,
        variant="submit",
        method="post",
        kwargs=lambda w: {"pk": _result(w, SCORED_YEAR, "hrss").pk, "transition": "submit"},
    ),
    Case(
        "assessment:result_transition",
        # The office member submitted it: told so and sent back to the page (302).
        {**CITY_READ, "city_office": 302, "city_leader": 302},
        variant="confirm",
        method="post",
        kwargs=lambda w: {"pk": _result(w, SCORED_YEAR, "housing").pk, "transition": "confirm"},
    ),
    Case(
        "assessment:result_transition",
        {**FINAL_READ, "city_office": 403, "city_leader": 403, "hrss_liaison": 403},
        variant="send back a final result",
        method="post",
        kwargs=lambda w: {"pk": _result(w, FINAL_YEAR, "hrss").pk, "transition": "send_back"},
        data=lambda w: {"comment": "重新核实"},
    ),
]
