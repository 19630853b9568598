"""Authorization-matrix rows of list checks and feedback (enforcement check_*). The fixture
check is 市人社局's (hrss): its liaison officer answers it; the city's office and leader see it
(and keep the figures); the county office of 西平县 (a_office) and the court do not see it.
Office staff run checks for their own office unit only."""

from __future__ import annotations

import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only

_SEQUENCE = itertools.count(1)


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def _hrss_check(w: Any, name: str = "王建国", identifier: str = "411721198001010010") -> Any:
    from fuyuan.enforcement import check_actions
    from fuyuan.enforcement.models import DebtorRecord, PartyKind

    n = next(_SEQUENCE)
    DebtorRecord.objects.create(
        name=name,
        party_kind=PartyKind.PERSON,
        id_type="resident_id",
        id_number=identifier,
        id_display=identifier[:6] + "********" + identifier[-4:],
        court_name="驻马店市驿城区人民法院",
        basis_number=f"（2024）豫1702民初{900 + n}号",
        case_number=f"（2025）豫1702执{900 + n}号",
        row_key=f"authz-check-{n}",
    )
    return check_actions.run_check(
        w.users["hrss_liaison"],
        unit=w.units["hrss"],
        scenario="procurement",
        parties=[(name, identifier), ("刘桂芳", "")],
    )


def _hit(w: Any) -> dict[str, Any]:
    check = _hrss_check(w)
    return {"pk": check.matches.get(state="hit").pk}


def _to_confirm(w: Any) -> dict[str, Any]:
    check = _hrss_check(w, name="刘桂芳", identifier="411721198001010029")
    return {"pk": check.matches.get(state="needs_confirmation").pk}


MEMBERS_ONLY = {**expect(200), **_admins(403)}
CHECK_READ = {**MEMBERS_ONLY, "a_office": 404, "court_staff": 404}
# Only the department answers: visible to its office and leader (403), hidden elsewhere (404).
ANSWER_POST = {**CHECK_READ, "hrss_liaison": 302, "city_office": 403, "city_leader": 403}
RUNS_CHECKS = ["hrss_liaison", "city_office", "a_office"]

ENF_CHECK_CASES: list[Case] = [
    Case("enforcement:check_list", MEMBERS_ONLY),
    Case("enforcement:check_new", only(RUNS_CHECKS)),
    Case(
        "enforcement:check_new",
        {**only(RUNS_CHECKS), "hrss_liaison": 302},
        variant="check one party for 市人社局 (offices: not among their units, form again)",
        method="post",
        data=lambda w: {"unit": w.units["hrss"].pk, "scenario": "subsidy", "name": "王建国"},
    ),
    Case("enforcement:check_figures", only(["city_office", "a_office", "city_leader"])),
    Case("enforcement:check_detail", CHECK_READ, kwargs=lambda w: {"pk": _hrss_check(w).pk}),
    Case("enforcement:check_feedback", {**expect(405)}, kwargs=_hit),
    Case(
        "enforcement:check_feedback",
        ANSWER_POST,
        variant="measure applied",
        method="post",
        kwargs=_hit,
        data=lambda w: {"action": "applied", "measure": "procurement.supplier"},
    ),
    Case("enforcement:check_confirm", {**expect(405)}, kwargs=_to_confirm),
    Case(
        "enforcement:check_confirm",
        ANSWER_POST,
        variant="same party",
        method="post",
        kwargs=_to_confirm,
        data=lambda w: {"same": "yes"},
    ),
]
