"""Authorization matrix rows of the mechanism's working methods (campaigns, liaison,
meetings, dual lists, material collection, official documents). Kept beside
tests/authz_matrix.py, which adds them to its CASES."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, city_matter, expect, only

TODAY = datetime.date.today
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


# --- special campaigns -------------------------------------------------------------------
def city_campaign(w: Any, start: bool = False) -> Any:
    from fuyuan.matters import campaigns

    office = w.users["city_office"]
    campaign = campaigns.create_campaign(
        office,
        mechanism=w.mechanisms["city"],
        kind="special_supervision",
        title="专项督促",
        start_date=TODAY(),
        end_date=TODAY() + datetime.timedelta(days=60),
    )
    campaigns.add_matters(office, campaign, [city_matter(w), city_matter(w, lead="housing")])
    if start:
        campaigns.start_campaign(office, campaign)
    return campaign


def campaign_and_matter(w: Any) -> dict[str, Any]:
    from fuyuan.matters.models import CampaignMatter

    campaign = city_campaign(w)
    link = CampaignMatter.objects.filter(campaign=campaign).first()
    return {"pk": campaign.pk, "matter_pk": link.matter_id}


def campaign_pk(w: Any) -> dict[str, Any]:
    return {"pk": city_campaign(w).pk}


CAMPAIGN_READ = {**expect(200), "a_office": 404, "court_staff": 404, **_admins(403)}
CAMPAIGN_OFFICE = {**expect(403), "a_office": 404, "court_staff": 404, "city_office": 200}
CAMPAIGN_OFFICE_POST = {**CAMPAIGN_OFFICE, "city_office": 302, **_admins(403)}
CAMPAIGN_REPORT = {**CAMPAIGN_READ, "hrss_liaison": 403}

CAMPAIGN_CASES = [
    Case("matters:campaign_list", {**expect(200), **_admins(403)}),
    Case("matters:campaign_create", only(["city_office", "a_office"])),
    Case("matters:campaign_detail", CAMPAIGN_READ, kwargs=campaign_pk),
    Case("matters:campaign_add", {**CAMPAIGN_OFFICE, **_admins(403)}, kwargs=campaign_pk),
    Case("matters:campaign_report", CAMPAIGN_REPORT, kwargs=campaign_pk),
    Case("matters:campaign_report_xlsx", CAMPAIGN_REPORT, kwargs=campaign_pk),
    Case("matters:campaign_report_docx", CAMPAIGN_REPORT, kwargs=campaign_pk),
    Case(
        "matters:campaign_remove",
        CAMPAIGN_OFFICE_POST,
        method="post",
        kwargs=lambda w: campaign_and_matter(w),
    ),
    Case(
        "matters:campaign_transition",
        CAMPAIGN_OFFICE_POST,
        variant="start",
        method="post",
        kwargs=lambda w: {"pk": city_campaign(w).pk, "name": "start"},
    ),
]


# --- liaison letters ---------------------------------------------------------------------
def letter(w: Any, state: str = "sent") -> Any:
    """A letter from 人社局 (hrss) to the intermediate court, taken to `state`."""
    from fuyuan.liaison import actions

    item = actions.create_letter(
        w.users["hrss_liaison"],
        sender_unit=w.units["hrss"],
        recipient_unit=w.units["court"],
        subject="关于劳动争议案件协调的联系函",
        body="请予协调。",
        reply_by=TODAY() + datetime.timedelta(days=14),
        send=True,
    )
    if state in {"replied", "escalated"}:
        actions.reply(w.users["court_staff"], item, "已收悉，正在研究。")
    if state == "escalated":
        actions.no_consensus(w.users["hrss_liaison"], item, "双方意见不一致")
    item.refresh_from_db()
    return item


def attachment(w: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.liaison import actions

    item = letter(w)
    pdf = SimpleUploadedFile("函.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    att = actions.add_attachment(w.users["hrss_liaison"], item, pdf)
    return {"pk": item.pk, "att": att.pk}


MEMBERS_ONLY = {**expect(200), **_admins(403)}
LETTER_READ = {
    **expect(404),
    "anonymous": 302,
    "city_office": 200,
    "hrss_liaison": 200,
    "court_staff": 200,
    **_admins(403),
}
SENDER_POST = {**LETTER_READ, "city_office": 403, "hrss_liaison": 302, "court_staff": 403}

LIAISON_CASES = [
    Case("liaison:letter_list", MEMBERS_ONLY),
    Case("liaison:letter_create", only(["hrss_liaison", "court_staff"])),
    Case("liaison:statistics", only(["city_office", "a_office", "city_leader"])),
    Case("liaison:key_issues", MEMBERS_ONLY),
    Case("liaison:letter_detail", LETTER_READ, kwargs=lambda w: {"pk": letter(w).pk}),
    Case(
        "liaison:letter_detail",
        {**LETTER_READ, "city_leader": 200},
        variant="escalated",
        kwargs=lambda w: {"pk": letter(w, "escalated").pk},
    ),
    Case("liaison:attachment_download", LETTER_READ, kwargs=attachment),
    Case(
        "liaison:letter_reply",
        {**LETTER_READ, "city_office": 403, "hrss_liaison": 403, "court_staff": 302},
        method="post",
        data=lambda w: {"body": "已收悉。"},
        kwargs=lambda w: {"pk": letter(w).pk},
    ),
    Case(
        "liaison:letter_transition",
        SENDER_POST,
        variant="agree",
        method="post",
        kwargs=lambda w: {"pk": letter(w, "replied").pk, "transition": "agree"},
    ),
    Case(
        "liaison:letter_coordinate",
        {
            **LETTER_READ,
            "city_office": 302,
            "city_leader": 403,
            "hrss_liaison": 403,
            "court_staff": 403,
        },
        method="post",
        data=lambda w: {"outcome": "经协调达成一致。"},
        kwargs=lambda w: {"pk": letter(w, "escalated").pk},
    ),
    Case(
        "liaison:attachment_add",
        {**LETTER_READ, "city_office": 403, "hrss_liaison": 302, "court_staff": 302},
        method="post",
        data=lambda w: {
            "file": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                "函.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
            )
        },
        kwargs=lambda w: {"pk": letter(w).pk},
    ),
]

MECHANISM_CASES: list[Case] = [*CAMPAIGN_CASES, *LIAISON_CASES]


# --- meetings ----------------------------------------------------------------------------
def meeting(w: Any, state: str = "scheduled") -> Any:
    """A coordination meeting of the city inviting 人社局 (hrss) and 住建局; `held` and
    `circulated` take it further (minutes circulated for comments, one decision for hrss)."""
    from django.utils import timezone

    from fuyuan.core.calendar import seed_year
    from fuyuan.meetings import actions

    seed_year(TODAY().year)
    office = w.users["city_office"]
    start = timezone.now() - datetime.timedelta(days=1)
    item = actions.schedule_meeting(
        office,
        w.mechanisms["city"],
        kind="coordination",
        title="府院联动协调会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="市政府三楼会议室",
        agenda=[{"title": "研究行政机关负责人出庭应诉工作"}],
        units=[w.units["hrss"], w.units["housing"]],
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
                    "text": "市人社局牵头完成行政机关负责人出庭应诉培训",
                    "lead_unit": w.units["hrss"],
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


def minutes_of(w: Any, state: str = "circulated") -> Any:
    return meeting(w, state).minutes


def decision_of(w: Any) -> dict[str, Any]:
    return {"pk": minutes_of(w, "issued").decisions.first().pk}


def hrss_invitation(w: Any) -> dict[str, Any]:
    return {"pk": meeting(w).invitations.get(unit=w.units["hrss"]).pk}


def feed(w: Any, unit: bool = False) -> dict[str, Any]:
    from fuyuan.meetings import actions

    token = actions.rotate_feed_token(w.users["hrss_liaison"]).token
    return {"token": token, "unit_id": w.units["hrss"].pk} if unit else {"token": token}


MEETING_READ = {**expect(200), "a_office": 404, **_admins(403)}
MEETING_OFFICE = {
    **expect(403),
    "a_office": 404,
    "court_staff": 404,
    "city_office": 200,
    **_admins(403),
}
MEETING_OFFICE_POST = {**MEETING_OFFICE, "city_office": 302}
MINUTES_OFFICE = {**MEETING_OFFICE, "court_staff": 403}
FEED = dict.fromkeys(("anonymous", *expect(200)), 200)

MEETING_CASES = [
    Case("meetings:meeting_list", MEMBERS_ONLY),
    Case("meetings:meeting_create", only(["city_office", "a_office"])),
    Case(
        "meetings:meeting_detail",
        {**MEETING_READ, "court_staff": 404},
        kwargs=lambda w: {"pk": meeting(w).pk},
    ),
    Case("meetings:meeting_edit", MEETING_OFFICE, kwargs=lambda w: {"pk": meeting(w).pk}),
    Case(
        "meetings:meeting_transition",
        MEETING_OFFICE_POST,
        variant="cancel",
        method="post",
        data=lambda w: {"comment": "改期"},
        kwargs=lambda w: {"pk": meeting(w).pk, "transition": "cancel"},
    ),
    Case(
        "meetings:minutes_create",
        MEETING_OFFICE_POST,
        method="post",
        kwargs=lambda w: {"pk": meeting(w, "held").pk},
    ),
    Case(
        "meetings:minutes_edit",
        {**MINUTES_OFFICE, "court_staff": 404},
        kwargs=lambda w: {"pk": minutes_of(w).pk},
    ),
    Case(
        "meetings:minutes_docx",
        {**MEETING_READ, "court_staff": 404},
        kwargs=lambda w: {"pk": minutes_of(w).pk},
    ),
    Case(
        "meetings:minutes_comment",
        {**MEETING_OFFICE, "city_office": 403, "city_leader": 403, "hrss_liaison": 302},
        method="post",
        data=lambda w: {"text": "建议明确完成时限。"},
        kwargs=lambda w: {"pk": minutes_of(w).pk},
    ),
    Case(
        "meetings:minutes_transition",
        {**MEETING_OFFICE_POST, "court_staff": 404},
        variant="finalise",
        method="post",
        kwargs=lambda w: {"pk": minutes_of(w).pk, "transition": "finalise"},
    ),
    Case(
        "meetings:decision_detail",
        {**MEETING_READ, "court_staff": 404},
        kwargs=decision_of,
    ),
    Case(
        "meetings:invitation_sign_in",
        {**MEETING_OFFICE_POST, "hrss_liaison": 302},
        method="post",
        data=lambda w: {"attendance": "attend"},
        kwargs=hrss_invitation,
    ),
    Case("meetings:feed_settings", MEMBERS_ONLY),
    Case("meetings:feed_rotate", {**expect(302), **_admins(403)}, method="post"),
    Case("meetings:feed_user", FEED, kwargs=feed),
    Case("meetings:feed_unit", FEED, kwargs=lambda w: feed(w, unit=True)),
]


# --- official documents --------------------------------------------------------------------
def document(w: Any) -> Any:
    from fuyuan.documents import actions

    return actions.create_document(
        w.users["city_office"],
        w.mechanisms["city"],
        {
            "kind": "supervision_notice",
            "title": "关于加快推进出庭应诉工作的督办通知",
            "body": "一、总体情况\n\n请各单位抓紧落实。",
            "recipients": "各成员单位：",
        },
    )


def number(w: Any) -> Any:
    from fuyuan.documents import actions

    sequence = (
        1 + __import__("fuyuan.documents.models", fromlist=["x"]).DocumentNumber.objects.count()
    )
    return actions.reserve_number(
        w.users["city_office"], w.mechanisms["city"], f"驻府院办〔{TODAY().year}〕{sequence}号"
    )


def _soffice() -> str | None:
    from fuyuan.core.documents import soffice_path

    return soffice_path()


OFFICE_STAFF = only(["city_office", "a_office"])
DOC_READ = {**expect(404), "anonymous": 302, "city_office": 200, "city_leader": 200}
DOC_OFFICE = {**DOC_READ, "city_leader": 403}

DOCUMENT_CASES = [
    Case("documents:document_list", only(["city_office", "a_office", "city_leader"])),
    Case("documents:document_create", OFFICE_STAFF),
    Case("documents:document_detail", DOC_READ, kwargs=lambda w: {"pk": document(w).pk}),
    Case("documents:document_edit", DOC_OFFICE, kwargs=lambda w: {"pk": document(w).pk}),
    Case("documents:document_download", DOC_READ, kwargs=lambda w: {"pk": document(w).pk}),
    # The preview needs LibreOffice (make deps-pdf); without it readers get a clear 503.
    Case(
        "documents:document_pdf",
        DOC_READ if _soffice() else {**DOC_READ, "city_office": 503, "city_leader": 503},
        kwargs=lambda w: {"pk": document(w).pk},
    ),
    Case(
        "documents:document_transition",
        expect(405),
        kwargs=lambda w: {"pk": document(w).pk, "transition": "issue_directly"},
    ),
    Case(
        "documents:document_transition",
        {**DOC_OFFICE, "city_office": 302},
        variant="issue directly with a reserved number",
        method="post",
        data=lambda w: {"number": number(w).pk, "version": 1},
        kwargs=lambda w: {"pk": document(w).pk, "transition": "issue_directly"},
    ),
    Case("documents:number_list", OFFICE_STAFF),
    Case("documents:number_reserve", OFFICE_STAFF),
    Case(
        "documents:number_release",
        {**expect(403), "a_office": 404, "city_office": 302},
        method="post",
        kwargs=lambda w: {"pk": number(w).pk},
    ),
]

MECHANISM_CASES += [*MEETING_CASES, *DOCUMENT_CASES]


# --- material collection -------------------------------------------------------------------
def collection(w: Any, compiled: bool = False) -> Any:
    """An open collection from hrss, housing and county a; hrss has delivered."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.reporting import actions

    office = w.users["city_office"]
    item = actions.create_collection(
        office,
        w.mechanisms["city"],
        kind="half_year_summary",
        title="上半年府院联动工作总结",
        deadline=TODAY() + datetime.timedelta(days=5),
        template=SimpleUploadedFile("模板.pdf", PDF),
        units=[w.units["hrss"], w.units["housing"]],
        jurisdictions=[w.county_a],
    )
    actions.transition_collection(office, item, "open")
    target = item.targets.get(unit=w.units["hrss"])
    submission = actions.save_submission(
        w.users["hrss_liaison"],
        target,
        text="上半年工作总结。",
        attachment=SimpleUploadedFile("总结.pdf", PDF),
    )
    actions.deliver(w.users["hrss_liaison"], submission)
    if compiled:
        actions.accept(office, submission)
        actions.compile_collection(office, item)
    item.refresh_from_db()
    return item


def hrss_submission(w: Any) -> Any:
    return collection(w).targets.get(unit=w.units["hrss"]).submission


def county_target(w: Any) -> dict[str, Any]:
    return {"pk": collection(w).targets.get(jurisdiction=w.county_a).pk}


COLLECTION_READ = {**expect(200), "court_staff": 404, **_admins(403)}
COLLECTION_OFFICE_POST = {**expect(403), "court_staff": 404, "city_office": 302, **_admins(403)}
SUBMISSION_READ = {
    **expect(404),
    "anonymous": 302,
    "city_office": 200,
    "city_leader": 200,
    "hrss_liaison": 200,
    **_admins(403),
}
SUBMISSION_OFFICE_POST = {
    **SUBMISSION_READ,
    "city_office": 302,
    "city_leader": 403,
    "hrss_liaison": 403,
}

REPORTING_CASES = [
    Case("reporting:collection_list", MEMBERS_ONLY),
    Case("reporting:collection_create", only(["city_office", "a_office"])),
    Case("reporting:collection_detail", COLLECTION_READ, kwargs=lambda w: {"pk": collection(w).pk}),
    Case(
        "reporting:collection_template",
        COLLECTION_READ,
        kwargs=lambda w: {"pk": collection(w).pk},
    ),
    Case(
        "reporting:collection_compiled",
        {**COLLECTION_READ, "a_office": 403, "hrss_liaison": 403},
        kwargs=lambda w: {"pk": collection(w, compiled=True).pk},
    ),
    Case(
        "reporting:collection_urge",
        COLLECTION_OFFICE_POST,
        method="post",
        kwargs=lambda w: {"pk": collection(w).pk},
    ),
    Case(
        "reporting:collection_transition",
        COLLECTION_OFFICE_POST,
        variant="close",
        method="post",
        kwargs=lambda w: {"pk": collection(w).pk, "transition": "close"},
    ),
    Case(
        "reporting:target_write",
        {**expect(403), "a_office": 200, "hrss_liaison": 404, "court_staff": 404, **_admins(403)},
        variant="county target, no draft yet",
        kwargs=county_target,
    ),
    Case(
        "reporting:submission_detail",
        SUBMISSION_READ,
        kwargs=lambda w: {"pk": hrss_submission(w).pk},
    ),
    Case(
        "reporting:submission_attachment",
        SUBMISSION_READ,
        kwargs=lambda w: {"pk": hrss_submission(w).pk},
    ),
    Case(
        "reporting:submission_transition",
        SUBMISSION_OFFICE_POST,
        variant="accept",
        method="post",
        kwargs=lambda w: {"pk": hrss_submission(w).pk, "transition": "accept"},
    ),
]

MECHANISM_CASES += REPORTING_CASES


# --- dual lists ------------------------------------------------------------------------------
def dual_call(w: Any) -> Any:
    """The city's call for next year's dual lists (one per mechanism and year)."""
    from fuyuan.duallists import actions
    from fuyuan.duallists.models import ListCall

    existing = ListCall.objects.filter(
        mechanism=w.mechanisms["city"], year=TODAY().year + 1
    ).first()
    return existing or actions.open_call(
        w.users["city_office"],
        w.mechanisms["city"],
        year=TODAY().year + 1,
        proposal_deadline=TODAY() + datetime.timedelta(days=10),
    )


def dual_item(w: Any, state: str = "submitted") -> Any:
    """An item the court proposes for 人社局 (hrss) to lead on the court's list."""
    from fuyuan.duallists import actions
    from fuyuan.org.models import ListKind

    mechanism = w.mechanisms["city"]
    kind = ListKind.objects.get_or_create(
        mechanism=mechanism,
        code="court_needs_government",
        defaults={
            "name": "法院需政府支持事项清单",
            "requester_side": "court",
            "provider_side": "government",
            "order": 1,
        },
    )[0]
    item = actions.propose(
        w.users["court_staff"],
        dual_call(w),
        proposing_unit=w.units["court"],
        list_kind=kind,
        lead_unit=w.units["hrss"],
        title="协助查询被执行人社保缴纳信息",
        content="建立点对点查询机制。",
        measurable_target="查询回复时间不超过3个工作日",
        deadline=datetime.date(TODAY().year + 1, 12, 31),
        co_units=[],
        task_area=None,
    )
    if state == "returned":
        actions.return_item(w.users["city_office"], item, "请细化目标。")
    item.refresh_from_db()
    return item


def call_pk(w: Any) -> dict[str, Any]:
    return {"pk": dual_call(w).pk}


def item_pk(w: Any, state: str = "submitted") -> dict[str, Any]:
    return {"pk": dual_item(w, state).pk}


CALL_READ = {**expect(200), "a_office": 404, **_admins(403)}
CALL_OFFICE = {**expect(403), "a_office": 404, "city_office": 302, **_admins(403)}
ITEM_READ = {**CALL_READ}
ITEM_OFFICE = {**CALL_OFFICE}

DUALLIST_CASES = [
    Case("duallists:call_list", MEMBERS_ONLY),
    Case("duallists:call_create", only(["city_office", "a_office"])),
    Case("duallists:call_detail", CALL_READ, kwargs=call_pk),
    Case("duallists:call_close", CALL_OFFICE, method="post", kwargs=call_pk),
    Case(
        "duallists:call_meeting",
        {**CALL_OFFICE, "city_office": 403},
        variant="settle a draft while the call is still open: refused",
        method="post",
        data=lambda w: {"meeting_ref": "2026年第2次协调会"},
        kwargs=lambda w: {"pk": dual_call(w).pk, "step": "settle_draft"},
    ),
    Case("duallists:call_register", CALL_OFFICE, method="post", kwargs=call_pk),
    Case("duallists:call_urge", CALL_OFFICE, method="post", kwargs=call_pk),
    Case(
        "duallists:call_carry_over",
        {**CALL_OFFICE, "city_office": 400},
        variant="into the same year: the form refuses it",
        method="post",
        data=lambda w: {"to_call": dual_call(w).pk, "deadline": f"{TODAY().year + 1}-12-31"},
        kwargs=call_pk,
    ),
    Case(
        "duallists:call_compare",
        {**CALL_READ, "hrss_liaison": 403, "court_staff": 403},
        kwargs=call_pk,
    ),
    Case(
        "duallists:call_export",
        {
            **CALL_READ,
            "city_office": 403,
            "city_leader": 403,
            "hrss_liaison": 403,
            "court_staff": 403,
        },
        variant="before approval there is no list to export",
        kwargs=lambda w: {"pk": dual_call(w).pk, "fmt": "xlsx"},
    ),
    Case(
        "duallists:item_create",
        {**CALL_READ, "city_leader": 403},
        kwargs=call_pk,
    ),
    Case("duallists:item_detail", ITEM_READ, kwargs=item_pk),
    Case(
        "duallists:item_transition",
        {**ITEM_OFFICE, "city_office": 403, "hrss_liaison": 302},
        variant="the lead unit claims",
        method="post",
        kwargs=lambda w: {"pk": dual_item(w).pk, "step": "claim"},
    ),
    Case(
        "duallists:item_arbitrate",
        {**ITEM_OFFICE, "city_office": 403},
        variant="no objection to arbitrate",
        method="post",
        data=lambda w: {"comment": "维持牵头单位", "lead_unit": w.units["hrss"].pk},
        kwargs=item_pk,
    ),
    Case(
        "duallists:item_resubmit",
        {**ITEM_OFFICE, "city_office": 403, "court_staff": 200},
        variant="returned to the court",
        kwargs=lambda w: item_pk(w, "returned"),
    ),
    Case("duallists:item_revise", {**ITEM_OFFICE, "city_office": 200}, kwargs=item_pk),
    Case(
        "duallists:item_merge",
        ITEM_OFFICE,
        method="post",
        data=lambda w: {"other": dual_item(w).pk, "comment": "内容重复，合并"},
        kwargs=item_pk,
    ),
    Case(
        "duallists:item_rate",
        {**ITEM_OFFICE, "city_office": 403},
        variant="before the matter is completed",
        method="post",
        data=lambda w: {"timeliness": 5, "quality": 5, "effect": 5},
        kwargs=item_pk,
    ),
]

MECHANISM_CASES += DUALLIST_CASES
