"""Authorization-matrix rows of government-debtor and livelihood cases and of point-to-point
inquiries. The fixture case is 市人社局 (hrss) as debtor before the intermediate court (豫17):
its court staff, the body's liaison officer and the city's office and leader see it; the
county office of 西平县 (a_office) does not. The fixture inquiry goes from the intermediate
court to 市人社局: the court, the department and the city office see it (leaders do not)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect

_SEQUENCE = itertools.count(700)
ID_NUMBER = "41170219900307123"


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def _id_number() -> str:
    from fuyuan.core.identifiers import resident_id_check_char

    return ID_NUMBER + resident_id_check_char(ID_NUMBER)


def city_case(w: Any) -> Any:
    from django.utils import timezone

    from fuyuan.enforcement import case_actions

    return case_actions.register_case(
        w.users["court_staff"],
        number=f"（2025）豫17执{next(_SEQUENCE)}号",
        court=w.units["court"],
        kind="government_debtor",
        debtor_unit=w.units["hrss"],
        debtor_name="驻马店市人力资源和社会保障局",
        creditor="驻马店市恒达建筑工程有限公司",
        filed_on=timezone.localdate() - datetime.timedelta(days=90),
        amount_owed="50000",
    )


def inquiry(w: Any, answered: bool = False) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from fuyuan.enforcement import inquiry_actions

    item = inquiry_actions.send_inquiry(
        w.users["court_staff"],
        court=w.units["court"],
        department=w.units["hrss"],
        case_number=f"（2025）豫17执{next(_SEQUENCE)}号",
        kind="social_insurance",
        party_name="张某某",
        party_id_type="resident_id",
        party_id_number=_id_number(),
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    if answered:
        upload = SimpleUploadedFile("结果.txt", "参保正常".encode(), "text/plain")
        inquiry_actions.answer_inquiry(
            w.users["hrss_liaison"], item, result="参保正常", files=[upload]
        )
    return item


def _file(w: Any) -> dict[str, Any]:
    item = inquiry(w, answered=True)
    return {"pk": item.pk, "att": item.attachments.get().pk}


def case_form(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "number": f"（2025）豫17执{next(_SEQUENCE)}号",
        "court": w.units["court"].pk,
        "kind": "government_debtor",
        "debtor_unit": w.units["hrss"].pk,
        "debtor_name": "市人社局",
        "creditor": "某建筑公司",
        "filed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "amount_owed": "1000",
        "amount_paid": "0",
    }


def inquiry_form(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "court": w.units["court"].pk,
        "department": w.units["housing"].pk,
        "case_number": f"（2025）豫17执{next(_SEQUENCE)}号",
        "kind": "real_estate",
        "party_name": "张某某",
        "party_id_type": "resident_id",
        "party_id_number": _id_number(),
        "due_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
    }


def _today(w: Any) -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


MEMBERS_ONLY = {**expect(200), **_admins(403)}
CASE_READ = {**expect(200), "a_office": 404, **_admins(403)}
CASE_WRITE = {**CASE_READ, "city_leader": 403, "hrss_liaison": 403}
CASE_WRITE_POST = {**CASE_WRITE, "city_office": 302, "court_staff": 302}
POST_ONLY = expect(405)
REGISTER = {**MEMBERS_ONLY, "city_leader": 403, "hrss_liaison": 403}
CAMPAIGN = {**MEMBERS_ONLY, "hrss_liaison": 403, "court_staff": 403}
# The inquiry: court, department and city office see it; leaders and the county office not.
INQ_READ = {**expect(200), "a_office": 404, "city_leader": 404, **_admins(403)}
INQ_COURT_POST = {**INQ_READ, "city_office": 403, "hrss_liaison": 403, "court_staff": 302}
INQ_DEPT_POST = {**INQ_READ, "city_office": 403, "court_staff": 403, "hrss_liaison": 302}
INQ_REVEAL = {**INQ_READ, "city_office": 403}
SEND = {
    **MEMBERS_ONLY,
    **dict.fromkeys(("city_office", "a_office", "city_leader", "hrss_liaison"), 403),
}

ENF_CASE_CASES: list[Case] = [
    # --- cases ------------------------------------------------------------------------------
    Case("enforcement:case_list", MEMBERS_ONLY),
    Case("enforcement:case_new", REGISTER),
    Case(
        "enforcement:case_new",
        # a_office: the city body is not among its choices (form shown again)
        {**REGISTER, "city_office": 302, "court_staff": 302},
        variant="register a city body's case",
        method="post",
        data=case_form,
    ),
    Case("enforcement:case_campaign", CAMPAIGN),
    Case("enforcement:case_detail", CASE_READ, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case("enforcement:case_edit", CASE_WRITE, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "enforcement:case_edit",
        CASE_WRITE_POST,
        variant="correct the creditor",
        method="post",
        kwargs=lambda w: {"pk": city_case(w).pk},
        data=lambda w: {
            "kind": "government_debtor",
            "debtor_name": "市人社局",
            "creditor": "恒达公司",
            "filed_on": "2025-09-01",
            "amount_owed": "50000",
            "state": "plan",
        },
    ),
    Case("enforcement:case_payment", POST_ONLY, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "enforcement:case_payment",
        CASE_WRITE_POST,
        variant="record a payment",
        method="post",
        kwargs=lambda w: {"pk": city_case(w).pk},
        data=lambda w: {"amount": "1000", "paid_on": _today(w)},
    ),
    Case("enforcement:case_close", POST_ONLY, kwargs=lambda w: {"pk": city_case(w).pk}),
    Case(
        "enforcement:case_close",
        CASE_WRITE_POST,
        variant="close with a reason",
        method="post",
        kwargs=lambda w: {"pk": city_case(w).pk},
        data=lambda w: {"closed_on": _today(w), "note": "终结本次执行程序"},
    ),
    # --- inquiries --------------------------------------------------------------------------
    Case("enforcement:inquiry_list", MEMBERS_ONLY),
    Case("enforcement:inquiry_figures", MEMBERS_ONLY),
    Case("enforcement:inquiry_new", SEND),
    Case(
        "enforcement:inquiry_new",
        {**SEND, "court_staff": 302},
        variant="send",
        method="post",
        data=inquiry_form,
    ),
    Case("enforcement:inquiry_detail", INQ_READ, kwargs=lambda w: {"pk": inquiry(w).pk}),
    Case("enforcement:inquiry_answer", POST_ONLY, kwargs=lambda w: {"pk": inquiry(w).pk}),
    Case(
        "enforcement:inquiry_answer",
        INQ_DEPT_POST,
        variant="answer",
        method="post",
        kwargs=lambda w: {"pk": inquiry(w).pk},
        data=lambda w: {"result": "无社保记录"},
    ),
    Case("enforcement:inquiry_withdraw", POST_ONLY, kwargs=lambda w: {"pk": inquiry(w).pk}),
    Case(
        "enforcement:inquiry_withdraw",
        INQ_COURT_POST,
        variant="withdraw",
        method="post",
        kwargs=lambda w: {"pk": inquiry(w).pk},
    ),
    Case("enforcement:inquiry_reveal", POST_ONLY, kwargs=lambda w: {"pk": inquiry(w).pk}),
    Case(
        "enforcement:inquiry_reveal",
        INQ_REVEAL,
        variant="show in full",
        method="post",
        kwargs=lambda w: {"pk": inquiry(w).pk},
    ),
    Case("enforcement:inquiry_file", INQ_READ, kwargs=_file),
]
