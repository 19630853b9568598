"""Authorization-matrix rows for the other side of object routes, continued (issue 10, item
5): meetings, dual lists, government-debtor cases, inquiries and administrative litigation
of another unit or another county. The rows beside them (tests/authz_matrix_mechanism.py,
tests/authz_matrix_enf_cases.py, tests/authz_matrix_lit_cases.py and their API twins) use
objects of 人社局 (hrss), whose liaison officer sees them; these rows prove a liaison officer
gets 404 on 住建局's (housing) object and everyone outside a county gets 404 on its objects.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from .authz_matrix import ADMINS, Case, expect

TODAY = timezone.localdate
_SEQUENCE = itertools.count(900)


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def api(default: int, **per_role: int) -> dict[str, int]:
    """`default` for members, 403 for the administrators, 401 for anonymous."""
    return {**expect(default, anonymous=401), **_admins(403), **per_role}


# --- meetings to which only 住建局 (housing) is invited -------------------------------------------
def housing_meeting(w: Any, state: str = "scheduled") -> Any:
    """A city coordination meeting inviting 住建局 only (not 人社局, not the court); `held`,
    `circulated` and `issued` take it further, with one decision for 住建局."""
    from fuyuan.core.calendar import seed_year
    from fuyuan.meetings import actions

    seed_year(TODAY().year)
    office = w.users["city_office"]
    start = timezone.now() - datetime.timedelta(days=1)
    item = actions.schedule_meeting(
        office,
        w.mechanisms["city"],
        kind="coordination",
        title="房地产领域矛盾纠纷化解协调会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="市政府二楼会议室",
        agenda=[{"title": "研究房屋征收补偿案件协调工作"}],
        units=[w.units["housing"]],
    )
    if state in {"held", "circulated", "issued"}:
        actions.hold(office, item)
    if state in {"circulated", "issued"}:
        minutes = actions.create_minutes(office, item, body="会议议定如下。")
        actions.save_minutes(
            office,
            minutes,
            decisions=[
                {
                    "text": "市住建局牵头完成房屋征收补偿案件排查",
                    "lead_unit": w.units["housing"],
                    "co_units": [],
                    "deadline": TODAY() + datetime.timedelta(days=30),
                }
            ],
        )
        actions.minutes_transition(
            office, minutes, "circulate", comment_deadline=TODAY() + datetime.timedelta(days=3)
        )
        if state == "issued":
            actions.minutes_transition(office, minutes, "finalise")
            actions.minutes_transition(office, minutes, "issue")
    item.refresh_from_db()
    return item


def _meeting_pk(state: str = "scheduled") -> Any:
    return lambda w: {"pk": housing_meeting(w, state).pk}


def _minutes_pk(state: str = "circulated") -> Any:
    return lambda w: {"pk": housing_meeting(w, state).minutes.pk}


def _decision_pk(w: Any) -> dict[str, Any]:
    return {"pk": housing_meeting(w, "issued").minutes.decisions.get().pk}


def _housing_invitation(w: Any) -> dict[str, Any]:
    meeting = housing_meeting(w)
    return {"pk": meeting.invitations.get(unit=w.units["housing"]).pk}


def _housing_invitation_in_shared_meeting(w: Any) -> dict[str, Any]:
    """住建局's invitation to the meeting 人社局 is also invited to."""
    from .authz_matrix_mechanism import meeting

    return {"pk": meeting(w).invitations.get(unit=w.units["housing"]).pk}


def _feed_of_another_unit(w: Any) -> dict[str, Any]:
    """人社局's liaison officer's feed token, asked for 住建局's calendar."""
    from fuyuan.meetings import actions

    token = actions.rotate_feed_token(w.users["hrss_liaison"]).token
    return {"token": token, "unit_id": w.units["housing"].pk}


# The office and the leader oversee the meeting; nobody else sees it.
HOUSING_MEETING_READ = {
    **expect(404),
    "city_office": 200,
    "city_leader": 200,
    **_admins(403),
}
HOUSING_MEETING_OFFICE = {**HOUSING_MEETING_READ, "city_leader": 403}
HOUSING_MEETING_OFFICE_POST = {**HOUSING_MEETING_OFFICE, "city_office": 302}
API_HOUSING_MEETING = api(404, city_office=200, city_leader=200)

MEETING_VARIANTS: list[Case] = [
    Case(
        "meetings:meeting_detail",
        HOUSING_MEETING_READ,
        variant="another unit's meeting",
        kwargs=_meeting_pk(),
    ),
    Case(
        "meetings:meeting_edit",
        HOUSING_MEETING_OFFICE,
        variant="another unit's meeting",
        kwargs=_meeting_pk(),
    ),
    Case(
        "meetings:meeting_transition",
        HOUSING_MEETING_OFFICE_POST,
        variant="cancel another unit's meeting",
        method="post",
        data=lambda w: {"comment": "改期"},
        kwargs=lambda w: {"pk": housing_meeting(w).pk, "transition": "cancel"},
    ),
    Case(
        "meetings:minutes_create",
        HOUSING_MEETING_OFFICE_POST,
        variant="another unit's meeting",
        method="post",
        kwargs=_meeting_pk("held"),
    ),
    Case(
        "meetings:minutes_edit",
        HOUSING_MEETING_OFFICE,
        variant="another unit's meeting",
        kwargs=_minutes_pk(),
    ),
    Case(
        "meetings:minutes_docx",
        HOUSING_MEETING_READ,
        variant="another unit's meeting",
        kwargs=_minutes_pk(),
    ),
    Case(
        "meetings:minutes_comment",
        {**HOUSING_MEETING_OFFICE, "city_office": 403},
        variant="another unit's meeting",
        method="post",
        data=lambda w: {"text": "建议明确完成时限。"},
        kwargs=_minutes_pk(),
    ),
    Case(
        "meetings:minutes_transition",
        HOUSING_MEETING_OFFICE_POST,
        variant="finalise another unit's minutes",
        method="post",
        kwargs=lambda w: {**_minutes_pk()(w), "transition": "finalise"},
    ),
    Case(
        "meetings:decision_detail",
        HOUSING_MEETING_READ,
        variant="another unit's decision",
        kwargs=_decision_pk,
    ),
    Case(
        "meetings:invitation_sign_in",
        HOUSING_MEETING_OFFICE_POST,
        variant="another unit's meeting",
        method="post",
        data=lambda w: {"attendance": "attend"},
        kwargs=_housing_invitation,
    ),
    Case(
        "meetings:invitation_sign_in",
        {
            **HOUSING_MEETING_OFFICE_POST,
            "hrss_liaison": 403,
        },
        variant="another unit's invitation to a shared meeting",
        method="post",
        data=lambda w: {"attendance": "attend"},
        kwargs=_housing_invitation_in_shared_meeting,
    ),
    Case(
        "meetings:feed_unit",
        dict.fromkeys(("anonymous", *expect(404)), 404),
        variant="a liaison officer's token for another unit's calendar",
        kwargs=_feed_of_another_unit,
    ),
    Case(
        "api:meeting-invitation-detail",
        API_HOUSING_MEETING,
        variant="another unit's meeting",
        kwargs=_housing_invitation,
    ),
    Case(
        "api:meeting-invitation-sign-in",
        {**API_HOUSING_MEETING, "city_leader": 403},
        variant="another unit's meeting",
        method="post",
        data=lambda w: {"attendance": "attend"},
        kwargs=_housing_invitation,
    ),
    Case(
        "api:meeting-decision-detail",
        API_HOUSING_MEETING,
        variant="another unit's decision",
        kwargs=_decision_pk,
    ),
]


# --- dual lists: an item 住建局 leads, a call of 上蔡县 (county b) --------------------------------
def _housing_item(w: Any) -> dict[str, Any]:
    from .authz_matrix_api_mechanism import housing_item

    return {"pk": housing_item(w).pk}


def b_call(w: Any) -> Any:
    """上蔡县's call for next year's dual lists."""
    from fuyuan.duallists import actions
    from fuyuan.duallists.models import ListCall

    existing = ListCall.objects.filter(mechanism=w.mechanisms["b"], year=TODAY().year + 1).first()
    return existing or actions.open_call(
        w.users["b_office"],
        w.mechanisms["b"],
        year=TODAY().year + 1,
        proposal_deadline=TODAY() + datetime.timedelta(days=10),
    )


def _b_call(w: Any) -> dict[str, Any]:
    return {"pk": b_call(w).pk}


# 住建局's item: the office, the leader and the proposing court see it; 人社局 and county a not.
ITEM_READ = {**expect(200), "a_office": 404, "hrss_liaison": 404, **_admins(403)}
ITEM_OFFICE = {**expect(403), "a_office": 404, "hrss_liaison": 404, "city_office": 302}
ITEM_OFFICE |= _admins(403)
# 上蔡县's call: the city's office and leader oversee it; nobody else of the matrix sees it.
B_CALL_READ = {**expect(404), "city_office": 200, "city_leader": 200, **_admins(403)}

DUALLIST_VARIANTS: list[Case] = [
    Case("duallists:item_detail", ITEM_READ, variant="another unit's item", kwargs=_housing_item),
    Case(
        "duallists:item_transition",
        {**ITEM_OFFICE, "city_office": 403},
        variant="another unit's item: claimed by the wrong unit",
        method="post",
        kwargs=lambda w: {**_housing_item(w), "step": "claim"},
    ),
    Case(
        "duallists:item_arbitrate",
        {**ITEM_OFFICE, "city_office": 403},
        variant="another unit's item",
        method="post",
        data=lambda w: {"comment": "维持牵头单位", "lead_unit": w.units["housing"].pk},
        kwargs=_housing_item,
    ),
    Case(
        "duallists:item_revise",
        {**ITEM_OFFICE, "city_office": 200},
        variant="another unit's item",
        kwargs=_housing_item,
    ),
    Case(
        "duallists:item_rate",
        {**ITEM_OFFICE, "city_office": 403},
        variant="another unit's item",
        method="post",
        data=lambda w: {"timeliness": 5, "quality": 5, "effect": 5},
        kwargs=_housing_item,
    ),
    Case("duallists:call_detail", B_CALL_READ, variant="another county's call", kwargs=_b_call),
    Case(
        "duallists:item_create",
        {**B_CALL_READ, "city_office": 403, "city_leader": 403},
        variant="another county's call: its own units propose",
        kwargs=_b_call,
    ),
    Case(
        "duallists:call_compare",
        B_CALL_READ,
        variant="another county's call",
        kwargs=_b_call,
    ),
]


# --- government-debtor cases and inquiries of 住建局 -------------------------------------------
def housing_enf_case(w: Any) -> Any:
    """住建局 (housing) as debtor before the intermediate court: not 人社局's case."""
    from fuyuan.enforcement import case_actions

    return case_actions.register_case(
        w.users["court_staff"],
        number=f"（2025）豫17执{next(_SEQUENCE)}号",
        court=w.units["court"],
        kind="government_debtor",
        debtor_unit=w.units["housing"],
        debtor_name="驻马店市住房和城乡建设局",
        creditor="驻马店市安居置业有限公司",
        filed_on=TODAY() - datetime.timedelta(days=90),
        amount_owed="80000",
    )


def housing_inquiry(w: Any) -> Any:
    """A point-to-point inquiry from the intermediate court to 住建局 (real estate)."""
    from fuyuan.enforcement import inquiry_actions

    from .authz_matrix_enf_cases import _id_number

    return inquiry_actions.send_inquiry(
        w.users["court_staff"],
        court=w.units["court"],
        department=w.units["housing"],
        case_number=f"（2025）豫17执{next(_SEQUENCE)}号",
        kind="real_estate",
        party_name="张某某",
        party_id_type="resident_id",
        party_id_number=_id_number(),
        due_on=TODAY() + datetime.timedelta(days=5),
    )


def _enf_case(w: Any) -> dict[str, Any]:
    return {"pk": housing_enf_case(w).pk}


def _inquiry(w: Any) -> dict[str, Any]:
    return {"pk": housing_inquiry(w).pk}


ENF_CASE_READ = {**expect(200), "a_office": 404, "hrss_liaison": 404, **_admins(403)}
ENF_CASE_WRITE = {**ENF_CASE_READ, "city_leader": 403}
ENF_CASE_WRITE_POST = {**ENF_CASE_WRITE, "city_office": 302, "court_staff": 302}
# The inquiry: the court, the department and the city office; not leaders, nor 人社局.
INQ_READ = {
    **expect(200),
    "a_office": 404,
    "city_leader": 404,
    "hrss_liaison": 404,
    **_admins(403),
}

ENFORCEMENT_VARIANTS: list[Case] = [
    Case("enforcement:case_detail", ENF_CASE_READ, variant="another unit's case", kwargs=_enf_case),
    Case("enforcement:case_edit", ENF_CASE_WRITE, variant="another unit's case", kwargs=_enf_case),
    Case(
        "enforcement:case_payment",
        ENF_CASE_WRITE_POST,
        variant="another unit's case",
        method="post",
        kwargs=_enf_case,
        data=lambda w: {"amount": "1000", "paid_on": TODAY().isoformat()},
    ),
    Case(
        "enforcement:case_close",
        ENF_CASE_WRITE_POST,
        variant="another unit's case",
        method="post",
        kwargs=_enf_case,
        data=lambda w: {"closed_on": TODAY().isoformat(), "note": "终结本次执行程序"},
    ),
    Case(
        "api:enforcement-case-detail",
        {**ENF_CASE_READ, "anonymous": 401},
        variant="another unit's case",
        kwargs=_enf_case,
    ),
    Case("enforcement:inquiry_detail", INQ_READ, variant="another unit's inquiry", kwargs=_inquiry),
    Case(
        "enforcement:inquiry_answer",
        {**INQ_READ, "city_office": 403, "court_staff": 403},
        variant="answered by another unit",
        method="post",
        kwargs=_inquiry,
        data=lambda w: {"result": "无不动产登记记录"},
    ),
    Case(
        "enforcement:inquiry_withdraw",
        {**INQ_READ, "city_office": 403, "court_staff": 302},
        variant="another unit's inquiry",
        method="post",
        kwargs=_inquiry,
    ),
    Case(
        "enforcement:inquiry_reveal",
        {**INQ_READ, "city_office": 403},
        variant="another unit's inquiry",
        method="post",
        kwargs=_inquiry,
    ),
    Case(
        "api:enforcement-inquiry-detail",
        {**INQ_READ, "anonymous": 401},
        variant="another unit's inquiry",
        kwargs=_inquiry,
    ),
    Case(
        "api:enforcement-inquiry-answer",
        {**INQ_READ, "anonymous": 401, "city_office": 403, "court_staff": 403},
        variant="answered by another unit",
        method="post",
        kwargs=_inquiry,
        data=lambda w: {"result": "无不动产登记记录"},
    ),
    Case(
        "api:enforcement-inquiry-reveal",
        {**INQ_READ, "anonymous": 401, "city_office": 403},
        variant="another unit's inquiry",
        method="post",
        kwargs=_inquiry,
    ),
]


# --- administrative litigation against 住建局; 上蔡县's records ---------------------------------
def _housing_case(w: Any) -> dict[str, Any]:
    from .authz_matrix_variants import housing_case

    return {"pk": housing_case(w).pk}


def housing_hearing(w: Any) -> Any:
    from fuyuan.litigation import actions

    from .authz_matrix_variants import housing_case

    when = timezone.now() - datetime.timedelta(days=1)
    return actions.add_hearing(w.users["court_staff"], housing_case(w), when, "第三审判庭")


def housing_appearance(w: Any) -> Any:
    from fuyuan.litigation import actions

    return actions.record_appearance(
        w.users["court_staff"], housing_hearing(w), rank="deputy", head_name="王志刚"
    )


LIT_CASE_READ = {**expect(200), "a_office": 404, "hrss_liaison": 404, **_admins(403)}
LIT_CASE_WRITE = {**LIT_CASE_READ, "city_leader": 403}
LIT_COURT_ONLY = {**LIT_CASE_WRITE, "city_office": 403}
# 上蔡县's own records (its court, its 司法局): the city's office and leader only.
B_RECORD = {**expect(404, anonymous=401), "city_office": 403, "city_leader": 403}

LITIGATION_VARIANTS: list[Case] = [
    Case(
        "litigation:case_edit",
        LIT_CASE_WRITE,
        variant="a case against another unit",
        kwargs=_housing_case,
    ),
    Case(
        "litigation:hearing_create",
        LIT_CASE_WRITE,
        variant="a case against another unit",
        kwargs=_housing_case,
    ),
    Case(
        "litigation:hearing_edit",
        LIT_CASE_WRITE,
        variant="a case against another unit",
        kwargs=lambda w: {"pk": housing_hearing(w).pk},
    ),
    Case(
        "litigation:appearance_record",
        LIT_COURT_ONLY,
        variant="a case against another unit",
        kwargs=lambda w: {"pk": housing_hearing(w).pk},
    ),
    Case(
        "litigation:appearance_transition",
        {**LIT_COURT_ONLY, "court_staff": 403},
        variant="another unit's record: confirmed by the wrong body",
        method="post",
        kwargs=lambda w: {"pk": housing_appearance(w).pk, "transition": "confirm"},
    ),
    Case(
        "api:litigation-hearing-record-appearance",
        B_RECORD,
        variant="another county's hearing",
        method="post",
        data=lambda w: {"rank": "top", "head_name": "孙明亮", "head_post": "局长", "spoke": "true"},
        kwargs=lambda w: {"pk": _api_lit("b_hearing")(w).pk},
    ),
    Case(
        "api:litigation-appearance-confirm",
        B_RECORD,
        variant="another county's record",
        method="post",
        kwargs=lambda w: {"pk": _api_lit("b_appearance")(w).pk},
    ),
    Case(
        "api:litigation-appearance-dispute",
        B_RECORD,
        variant="another county's record",
        method="post",
        data=lambda w: {"comment": "实为正职出庭"},
        kwargs=lambda w: {"pk": _api_lit("b_appearance")(w).pk},
    ),
    Case(
        "api:litigation-appearance-correct",
        B_RECORD,
        variant="another county's record",
        method="post",
        data=lambda w: {"rank": "top", "head_post": "局长"},
        kwargs=lambda w: {"pk": _api_lit("b_appearance")(w).pk},
    ),
    Case(
        "api:litigation-appearance-uphold",
        B_RECORD,
        variant="another county's record",
        method="post",
        data=lambda w: {"comment": "以庭审笔录为准"},
        kwargs=lambda w: {"pk": _api_lit("b_appearance")(w).pk},
    ),
]


# --- matters led by 住建局; liaison letters of 住建局 -------------------------------------------
def _housing_matter(w: Any) -> dict[str, Any]:
    from .authz_matrix_variants import housing_matter

    return {"pk": housing_matter(w).pk}


def _housing_letter(w: Any) -> dict[str, Any]:
    from .authz_matrix_variants import housing_letter

    return {"pk": housing_letter(w).pk}


def _housing_letter_attachment(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.liaison import actions

    from .authz_matrix_variants import housing_letter

    item = housing_letter(w)
    pdf = SimpleUploadedFile("函.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    att = actions.add_attachment(w.users["housing_liaison"], item, pdf)
    return {"pk": item.pk, "att": att.pk}


def _letter_upload(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    return {"file": SimpleUploadedFile("补充材料.pdf", pdf)}


# The city matter 住建局 leads: the city office acts; 人社局, county a and the court get 404.
NOT_VISIBLE = dict.fromkeys(("a_office", "court_staff", "hrss_liaison", *ADMINS), 404)
MATTER_OFFICE_ONLY = {**expect(403), **NOT_VISIBLE, "city_office": 200}
MATTER_NOBODY = {**expect(403), **NOT_VISIBLE}
# 住建局's letter to the court: the court and the city office see it.
LETTER = {**expect(404), "city_office": 200, "court_staff": 200, **_admins(403)}

UNIT_VARIANTS: list[Case] = [
    Case(
        "matters:matter_edit",
        MATTER_OFFICE_ONLY,
        variant="another unit's matter",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_decompose",
        MATTER_OFFICE_ONLY,
        variant="another unit's matter",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_urge",
        MATTER_OFFICE_ONLY,
        variant="another unit's matter",
        method="post",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_co_report",
        MATTER_NOBODY,
        variant="another unit's matter",
        method="post",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_share",
        MATTER_NOBODY,
        variant="another unit's matter",
        method="post",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_evaluate",
        MATTER_NOBODY,
        variant="another unit's matter, before completion",
        method="post",
        kwargs=_housing_matter,
    ),
    Case(
        "matters:matter_attachment_add",
        MATTER_OFFICE_ONLY,
        variant="another unit's matter",
        method="post",
        kwargs=_housing_matter,
    ),
    Case(
        "liaison:attachment_download",
        LETTER,
        variant="another unit's letter",
        kwargs=_housing_letter_attachment,
    ),
    Case(
        "liaison:attachment_add",
        {**LETTER, "city_office": 403, "court_staff": 302},
        variant="another unit's letter",
        method="post",
        data=_letter_upload,
        kwargs=_housing_letter,
    ),
    Case(
        "liaison:letter_reply",
        {**LETTER, "city_office": 403, "court_staff": 302},
        variant="another unit's letter",
        method="post",
        data=lambda w: {"body": "已收悉。"},
        kwargs=_housing_letter,
    ),
    Case(
        "api:liaison-letter-reply",
        {**LETTER, "anonymous": 401, "city_office": 403, "court_staff": 201},
        variant="another unit's letter",
        method="post",
        data=lambda w: {"body": "已收悉，正在研究。"},
        kwargs=_housing_letter,
    ),
]


# --- list checks of 住建局; recommendations to 住建局; 上蔡县's dual-list call --------------------
def housing_check(w: Any, name: str, identifier: str) -> Any:
    """住建局's check of one party listed as a debtor under `identifier`."""
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
        basis_number=f"（2024）豫1702民初{n}号",
        case_number=f"（2025）豫1702执{n}号",
        row_key=f"authz-variant-check-{n}",
    )
    return check_actions.run_check(
        w.users["housing_liaison"],
        unit=w.units["housing"],
        scenario="procurement",
        parties=[(name, identifier), ("刘桂芳", "")],
    )


def _housing_hit(state: str) -> Any:
    """(check, hit) of 住建局: `hit` by identifier, `needs_confirmation` by name only."""

    def build(w: Any) -> Any:
        if state == "hit":
            check = housing_check(w, "王建国", "411721198001010010")
        else:
            check = housing_check(w, "刘桂芳", "411721198001010029")
        return check, check.matches.get(state=state)

    return build


def housing_rec(w: Any, title: str) -> Any:
    """A judicial recommendation of the intermediate court to 住建局, delivered; made once."""
    from fuyuan.litigation import recommendation_actions as actions
    from fuyuan.litigation.models import Recommendation

    found = Recommendation.objects.filter(title=title).first()
    if found is not None:
        return found
    item = actions.create_recommendation(
        w.users["court_staff"],
        kind="judicial",
        scope="case_type",
        issuer=w.units["court"],
        recipient=w.units["housing"],
        title=title,
        content="审理中发现的问题。",
        items=["规范征收补偿程序"],
    )
    actions.deliver(w.users["court_staff"], item, TODAY() - datetime.timedelta(days=3))
    item.refresh_from_db()
    return item


def _housing_rec(w: Any) -> dict[str, Any]:
    return {"pk": housing_rec(w, "矩阵：致住建局").pk}


def _housing_rec_reply(w: Any) -> dict[str, Any]:
    item = housing_rec(w, "矩阵：致住建局")
    data: dict[str, Any] = {"replied_on": TODAY().isoformat(), "reply_text": "已整改"}
    for n, i in enumerate(item.items.order_by("order", "pk")):
        data[f"adoptions[{n}]item"] = i.pk
        data[f"adoptions[{n}]adoption"] = "adopted"
    return data


# 住建局's check: its office and leader oversee it (answering is the department's: 403).
CHECK_ANSWER = {
    **expect(404),
    "city_office": 403,
    "city_leader": 403,
    **_admins(403),
}
# A delivered recommendation to 住建局: the issuing court and the city's office and leader.
REC_OTHER = {**expect(404), **_admins(403)}
# 上蔡县's call: the city office oversees it, but the call is 上蔡县's office's to run.
B_CALL_OFFICE = {**B_CALL_READ, "city_office": 403, "city_leader": 403}

MORE_VARIANTS: list[Case] = [
    Case(
        "enforcement:check_feedback",
        CHECK_ANSWER,
        variant="another unit's check",
        method="post",
        kwargs=lambda w: {"pk": _housing_hit("hit")(w)[1].pk},
        data=lambda w: {"action": "applied", "measure": "procurement.supplier"},
    ),
    Case(
        "enforcement:check_confirm",
        CHECK_ANSWER,
        variant="another unit's check",
        method="post",
        kwargs=lambda w: {"pk": _housing_hit("needs_confirmation")(w)[1].pk},
        data=lambda w: {"same": "yes"},
    ),
    Case(
        "api:enforcement-check-hit-feedback",
        {**CHECK_ANSWER, "anonymous": 401},
        variant="another unit's check",
        method="post",
        kwargs=lambda w: dict(
            zip(("pk", "hit_id"), (o.pk for o in _housing_hit("hit")(w)), strict=True)
        ),
        data=lambda w: {"action": "applied", "measure": "procurement.supplier"},
    ),
    Case(
        "api:enforcement-check-hit-confirm",
        {**CHECK_ANSWER, "anonymous": 401},
        variant="another unit's check",
        method="post",
        kwargs=lambda w: dict(
            zip(
                ("pk", "hit_id"),
                (o.pk for o in _housing_hit("needs_confirmation")(w)),
                strict=True,
            )
        ),
        data=lambda w: {"same": "true"},
    ),
    Case(
        "litigation:recommendation_reply",
        {**REC_OTHER, "court_staff": 403, "city_office": 403, "city_leader": 403},
        variant="a recommendation to another unit",
        kwargs=_housing_rec,
    ),
    Case(
        "litigation:recommendation_urge",
        {**REC_OTHER, "court_staff": 302, "city_office": 302, "city_leader": 403},
        variant="a recommendation to another unit",
        method="post",
        kwargs=_housing_rec,
    ),
    Case(
        "api:litigation-recommendation-reply",
        {
            **REC_OTHER,
            "anonymous": 401,
            "court_staff": 403,
            "city_office": 403,
            "city_leader": 403,
            **dict.fromkeys(ADMINS, 404),
        },
        variant="a recommendation to another unit",
        method="post",
        kwargs=_housing_rec,
        data=_housing_rec_reply,
    ),
    Case(
        "duallists:call_close",
        B_CALL_OFFICE,
        variant="another county's call",
        method="post",
        kwargs=_b_call,
    ),
    Case(
        "duallists:call_urge",
        B_CALL_OFFICE,
        variant="another county's call",
        method="post",
        kwargs=_b_call,
    ),
    Case(
        "duallists:call_register",
        B_CALL_OFFICE,
        variant="another county's call",
        method="post",
        kwargs=_b_call,
    ),
    Case(
        "duallists:item_merge",
        ITEM_OFFICE,
        variant="another unit's item",
        method="post",
        data=lambda w: {"other": _housing_item(w)["pk"], "comment": "内容重复，合并"},
        kwargs=_housing_item,
    ),
]


# --- bankruptcy queries to 住建局; material collections from 住建局 only --------------------------
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def housing_query(w: Any) -> Any:
    """The intermediate court asks 住建局 about the bankrupt's real estate."""
    from fuyuan.bankruptcy import actions
    from fuyuan.core import calendar

    from .authz_matrix_bankruptcy import city_case

    calendar.seed_year(TODAY().year)
    return actions.ask_query(
        w.users["court_staff"],
        city_case(w),
        department=w.units["housing"],
        kind="real_estate",
        question="查询破产企业名下不动产登记情况",
    )


def housing_collection(w: Any) -> Any:
    """An open collection from 住建局 only, which has delivered (not 人社局, not county a)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.reporting import actions

    office = w.users["city_office"]
    item = actions.create_collection(
        office,
        w.mechanisms["city"],
        kind="half_year_summary",
        title="住建领域府院联动工作总结",
        deadline=TODAY() + datetime.timedelta(days=5),
        template=SimpleUploadedFile("模板.pdf", PDF),
        units=[w.units["housing"]],
        jurisdictions=[],
    )
    actions.transition_collection(office, item, "open")
    target = item.targets.get(unit=w.units["housing"])
    submission = actions.save_submission(
        w.users["housing_liaison"],
        target,
        text="上半年工作总结。",
        attachment=SimpleUploadedFile("总结.pdf", PDF),
    )
    actions.deliver(w.users["housing_liaison"], submission)
    item.refresh_from_db()
    return item


def _housing_collection(w: Any) -> dict[str, Any]:
    return {"pk": housing_collection(w).pk}


def _housing_submission(w: Any) -> dict[str, Any]:
    item = housing_collection(w)
    return {"pk": item.targets.get(unit=w.units["housing"]).submission.pk}


def _housing_inquiry_file(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.enforcement import inquiry_actions

    item = housing_inquiry(w)
    upload = SimpleUploadedFile("结果.txt", "无登记记录".encode(), "text/plain")
    inquiry_actions.answer_inquiry(
        w.users["housing_liaison"], item, result="无登记记录", files=[upload]
    )
    return {"pk": item.pk, "att": item.attachments.get().pk}


def _housing_rec_attachment(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.litigation import recommendation_actions as actions

    item = housing_rec(w, "矩阵：致住建局")
    att = item.attachments.first() or actions.add_attachment(
        w.users["court_staff"], item, SimpleUploadedFile("建议书.pdf", PDF), "letter"
    )
    return {"pk": item.pk, "att": att.pk}


# The query to 住建局: the court and the city's office and leader see it; 人社局 not.
BK_QUERY_READ = {**expect(200), "a_office": 404, "hrss_liaison": 404, **_admins(403)}
BK_QUERY_ANSWER = {
    **BK_QUERY_READ,
    "court_staff": 403,
    "city_office": 403,
    "city_leader": 403,
}
# The collection from 住建局 only: the city's office and leader see it.
COLLECTION_READ = {**expect(404), "city_office": 200, "city_leader": 200, **_admins(403)}

LAST_VARIANTS: list[Case] = [
    Case(
        "bankruptcy:query_answer",
        BK_QUERY_READ,
        variant="another unit's query",
        kwargs=lambda w: {"pk": housing_query(w).pk},
    ),
    Case(
        "api:bankruptcy-query-detail",
        {**BK_QUERY_READ, "anonymous": 401},
        variant="another unit's query",
        kwargs=lambda w: {"pk": housing_query(w).pk},
    ),
    Case(
        "api:bankruptcy-query-answer",
        {**BK_QUERY_ANSWER, "anonymous": 401},
        variant="answered by another unit",
        method="post",
        kwargs=lambda w: {"pk": housing_query(w).pk},
        data=lambda w: {"result": "名下无不动产"},
    ),
    Case(
        "reporting:collection_detail",
        COLLECTION_READ,
        variant="a collection from another unit only",
        kwargs=_housing_collection,
    ),
    Case(
        "reporting:collection_template",
        COLLECTION_READ,
        variant="a collection from another unit only",
        kwargs=_housing_collection,
    ),
    Case(
        "reporting:collection_urge",
        {**COLLECTION_READ, "city_office": 302, "city_leader": 403},
        variant="a collection from another unit only",
        method="post",
        kwargs=_housing_collection,
    ),
    Case(
        "reporting:submission_detail",
        COLLECTION_READ,
        variant="another unit's submission",
        kwargs=_housing_submission,
    ),
    Case(
        "reporting:submission_attachment",
        COLLECTION_READ,
        variant="another unit's submission",
        kwargs=_housing_submission,
    ),
    Case(
        "reporting:submission_transition",
        {**COLLECTION_READ, "city_office": 302, "city_leader": 403},
        variant="accept another unit's submission",
        method="post",
        kwargs=lambda w: {**_housing_submission(w), "transition": "accept"},
    ),
    Case(
        "enforcement:inquiry_file",
        INQ_READ,
        variant="another unit's inquiry",
        kwargs=_housing_inquiry_file,
    ),
    Case(
        "litigation:recommendation_attachment_download",
        {**REC_OTHER, "court_staff": 200, "city_office": 200, "city_leader": 200},
        variant="a recommendation to another unit",
        kwargs=_housing_rec_attachment,
    ),
    Case(
        "litigation:recommendation_attachment_add",
        {**REC_OTHER, "court_staff": 302, "city_office": 302, "city_leader": 403},
        variant="a recommendation to another unit",
        method="post",
        kwargs=_housing_rec,
        data=lambda w: {
            "kind": "other",
            "file": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                "说明.pdf", PDF
            ),
        },
    ),
]


# --- a dispute about 住建局; a risk event of 西平县 (county a) ------------------------------------
def housing_dispute(w: Any) -> Any:
    """A dispute about 住建局 the city office referred before any suit."""
    from fuyuan.litigation import dispute_actions

    return dispute_actions.refer_dispute(
        w.users["city_office"],
        unit=w.units["housing"],
        title="房屋征收补偿争议",
        applicant="王某某",
        summary="对征收补偿决定有异议",
        referred_on=TODAY(),
    )


def _county_event(w: Any) -> dict[str, Any]:
    from .authz_matrix_risks import county_event

    return {"pk": county_event(w).pk}


# 西平县's event: its office and the city's office (which oversees the county's mechanism)
# act on it; the leader sees it; the city's units (人社局, the intermediate court) do not.
COUNTY_EVENT_OFFICE = {
    **expect(403),
    "a_office": 200,
    "city_office": 200,
    "hrss_liaison": 404,
    "court_staff": 404,
    **_admins(403),
}

DISPUTE_EVENT_VARIANTS: list[Case] = [
    Case(
        "litigation:dispute_step_add",
        {
            **expect(404),
            "city_office": 302,
            "city_leader": 403,
            **_admins(403),
        },
        variant="a dispute about another unit",
        method="post",
        data=lambda w: {"on": TODAY().isoformat(), "kind": "talk", "note": "与申请人谈话"},
        kwargs=lambda w: {"pk": housing_dispute(w).pk},
    ),
    Case(
        "risks:event_edit",
        COUNTY_EVENT_OFFICE,
        variant="another county's event",
        kwargs=_county_event,
    ),
    Case(
        "risks:event_matter_open",
        COUNTY_EVENT_OFFICE,
        variant="another county's event",
        kwargs=_county_event,
    ),
    Case(
        "risks:event_note_add",
        {**COUNTY_EVENT_OFFICE, "a_office": 302, "city_office": 302},
        variant="another county's event",
        method="post",
        data=lambda w: {"on": TODAY().isoformat(), "text": "已约谈相关负责人。"},
        kwargs=_county_event,
    ),
]


# --- a campaign of 住建局's matters; 住建局's letters further on ---------------------------------
def housing_campaign(w: Any) -> Any:
    """A city special campaign holding one matter, led by 住建局 (none of 人社局's)."""
    from fuyuan.matters import campaigns

    from .authz_matrix_variants import housing_matter

    office = w.users["city_office"]
    campaign = campaigns.create_campaign(
        office,
        mechanism=w.mechanisms["city"],
        kind="special_supervision",
        title="住建领域专项督促",
        start_date=TODAY(),
        end_date=TODAY() + datetime.timedelta(days=60),
    )
    campaigns.add_matters(office, campaign, [housing_matter(w)])
    return campaign


def _housing_campaign(w: Any) -> dict[str, Any]:
    return {"pk": housing_campaign(w).pk}


def housing_letter_in(w: Any, state: str) -> Any:
    """住建局's letter to the court, replied (`replied`) or escalated (`escalated`)."""
    from fuyuan.liaison import actions

    from .authz_matrix_variants import housing_letter

    item = housing_letter(w)
    actions.reply(w.users["court_staff"], item, "已收悉，正在研究。")
    if state == "escalated":
        actions.no_consensus(w.users["housing_liaison"], item, "双方意见不一致")
    item.refresh_from_db()
    return item


# The campaign: the city's office and leader oversee it; 人社局 has no matter in it.
CAMPAIGN_READ = {**expect(404), "city_office": 200, "city_leader": 200, **_admins(403)}
CAMPAIGN_OFFICE = {**CAMPAIGN_READ, "city_leader": 403}
CAMPAIGN_OFFICE_POST = {**CAMPAIGN_OFFICE, "city_office": 302}

CAMPAIGN_LETTER_VARIANTS: list[Case] = [
    Case(
        "matters:campaign_detail",
        CAMPAIGN_READ,
        variant="a campaign of another unit's matters",
        kwargs=_housing_campaign,
    ),
    Case(
        "matters:campaign_add",
        CAMPAIGN_OFFICE,
        variant="a campaign of another unit's matters",
        kwargs=_housing_campaign,
    ),
    Case(
        "matters:campaign_report",
        CAMPAIGN_READ,
        variant="a campaign of another unit's matters",
        kwargs=_housing_campaign,
    ),
    Case(
        "matters:campaign_report_xlsx",
        CAMPAIGN_READ,
        variant="a campaign of another unit's matters",
        kwargs=_housing_campaign,
    ),
    Case(
        "matters:campaign_report_docx",
        CAMPAIGN_READ,
        variant="a campaign of another unit's matters",
        kwargs=_housing_campaign,
    ),
    Case(
        "matters:campaign_transition",
        CAMPAIGN_OFFICE_POST,
        variant="start a campaign of another unit's matters",
        method="post",
        kwargs=lambda w: {**_housing_campaign(w), "name": "start"},
    ),
    Case(
        "matters:campaign_remove",
        CAMPAIGN_OFFICE_POST,
        variant="a campaign of another unit's matters",
        method="post",
        kwargs=lambda w: {
            "pk": (c := housing_campaign(w)).pk,
            "matter_pk": _campaign_matter(c),
        },
    ),
    Case(
        "liaison:letter_transition",
        {**LETTER, "city_office": 403, "court_staff": 403},
        variant="another unit agrees",
        method="post",
        kwargs=lambda w: {"pk": housing_letter_in(w, "replied").pk, "transition": "agree"},
    ),
    Case(
        "liaison:letter_coordinate",
        {**LETTER, "city_office": 302, "city_leader": 403, "court_staff": 403},
        variant="another unit's letter",
        method="post",
        data=lambda w: {"outcome": "经协调达成一致。"},
        kwargs=lambda w: {"pk": housing_letter_in(w, "escalated").pk},
    ),
]


def _returned_housing_item(w: Any) -> dict[str, Any]:
    from fuyuan.duallists import actions

    from .authz_matrix_api_mechanism import housing_item

    item = housing_item(w)
    actions.return_item(w.users["city_office"], item, "请细化目标。")
    return {"pk": item.pk}


def _county_call(w: Any) -> dict[str, Any]:
    from .authz_matrix_api_mechanism import county_call

    return {"pk": county_call(w).pk}


DUALLIST_MORE: list[Case] = [
    Case(
        "duallists:item_resubmit",
        {**ITEM_OFFICE, "city_office": 403, "court_staff": 200},
        variant="another unit's item, returned to the court",
        kwargs=_returned_housing_item,
    ),
    Case(
        "duallists:call_export",
        {**B_CALL_OFFICE, "city_leader": 403},
        variant="another county's call, before approval",
        kwargs=lambda w: {**_b_call(w), "fmt": "xlsx"},
    ),
    Case(
        "duallists:call_meeting",
        B_CALL_OFFICE,
        variant="another county's call",
        method="post",
        data=lambda w: {"meeting_ref": "2026年第2次协调会"},
        kwargs=lambda w: {**_b_call(w), "step": "settle_draft"},
    ),
    Case(
        "api:duallist-call-propose",
        # Those who see the call get the form's 400 (no list kind given); the city's units 404.
        api(404, a_office=400, city_office=400, city_leader=400),
        variant="into another county's call",
        method="post",
        data=lambda w: {
            "proposing_unit": w.units["court"].pk,
            "title": "协助查询被执行人公积金信息",
            "content": "建立点对点查询机制。",
            "measurable_target": "查询回复时间不超过3个工作日",
            "lead_unit": w.units["hrss"].pk,
            "deadline": f"{TODAY().year + 1}-12-31",
        },
        kwargs=_county_call,
    ),
]


def _housing_extension(w: Any) -> dict[str, Any]:
    """住建局 signed for its matter and asked for more time; the office decides."""
    from fuyuan.matters import actions

    from .authz_matrix_variants import housing_matter

    matter = housing_matter(w)
    actions.transition(w.users["housing_liaison"], matter, "sign")
    ext = actions.request_extension(
        w.users["housing_liaison"],
        matter,
        reason="需协调",
        new_deadline=matter.deadline + datetime.timedelta(days=10),
        progress_note="已完成调研",
    )
    return {"pk": matter.pk, "ext": ext.pk, "decision": "approve"}


LAST_FEW: list[Case] = [
    Case(
        "matters:matter_extension_decide",
        {**MATTER_OFFICE_ONLY, "city_office": 302},
        variant="another unit's extension",
        method="post",
        kwargs=_housing_extension,
    ),
    Case(
        "reporting:collection_transition",
        {**COLLECTION_READ, "city_office": 302, "city_leader": 403},
        variant="close a collection from another unit only",
        method="post",
        kwargs=lambda w: {**_housing_collection(w), "transition": "close"},
    ),
]


def _campaign_matter(campaign: Any) -> Any:
    from fuyuan.matters.models import CampaignMatter

    return CampaignMatter.objects.get(campaign=campaign).matter_id


def _api_lit(name: str) -> Any:
    from . import authz_matrix_api_litigation

    return getattr(authz_matrix_api_litigation, name)


VARIANT2_CASES: list[Case] = [
    *MEETING_VARIANTS,
    *DUALLIST_VARIANTS,
    *ENFORCEMENT_VARIANTS,
    *LITIGATION_VARIANTS,
    *UNIT_VARIANTS,
    *MORE_VARIANTS,
    *LAST_VARIANTS,
    *DISPUTE_EVENT_VARIANTS,
    *CAMPAIGN_LETTER_VARIANTS,
    *DUALLIST_MORE,
    *LAST_FEW,
]
