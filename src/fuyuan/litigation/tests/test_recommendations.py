"""Recommendations (司法建议 and the like) through their actions: three items through delivery
(three rectification matters, reply due after the mechanism's 60 days), reply with the adoption
of each item (reasons required for partly / not adopted; progress reports on the matters),
return and close-out; the overdue reply warned and urged once a week; who may do what; the
validation at registration; the figures on a small known set."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.workflow import TransitionError
from fuyuan.litigation import recommendation_actions as actions
from fuyuan.litigation.models import (
    AdminCase,
    Recommendation,
    RecommendationAttachment,
    RecommendationItem,
)
from fuyuan.matters import actions as matter_actions
from fuyuan.matters.models import Feedback, Matter
from fuyuan.notify.models import InboxMessage, OutboxMessage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ITEMS = [
    "规范劳动保障监察案件的送达程序",
    "加强行政执法人员法律培训",
    "建立败诉案件分析通报制度",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _today() -> datetime.date:
    return timezone.localdate()


def _codes(exc: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in exc.error_dict.items()}


def _draft(world, items=ITEMS, **extra) -> Recommendation:  # type: ignore[no-untyped-def]
    fields = {
        "kind": "judicial",
        "scope": "case_type",
        "issuer": world.units["court"],
        "recipient": world.units["hrss"],
        "title": "关于规范劳动保障监察执法的司法建议",
        "content": "我院在审理劳动保障行政案件中发现以下问题。",
        "items": list(items),
        "document_number": "驻中法建〔2026〕3号",
    }
    fields.update(extra)
    return actions.create_recommendation(world.users["court_staff"], **fields)


def _delivered(world, days_ago: int = 5, **extra) -> Recommendation:  # type: ignore[no-untyped-def]
    rec = _draft(world, **extra)
    return actions.deliver(
        world.users["court_staff"], rec, _today() - datetime.timedelta(days=days_ago)
    )


def _adopt_all(rec: Recommendation, *choices: tuple[str, str]) -> dict[int, tuple[str, str]]:
    items = list(rec.items.order_by("order"))
    return {item.pk: choice for item, choice in zip(items, choices, strict=True)}


def _inbox(world, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        InboxMessage.objects.filter(user=world.users[name]).values_list("subject", flat=True)
    )


# --- the flow ---------------------------------------------------------------------------------
def test_three_items_delivered_open_three_matters_for_the_recipient_due_in_sixty_days(world):
    rec = _draft(world)
    assert rec.state == "draft"
    assert rec.mechanism == world.mechanisms["city"]
    assert [i.text for i in rec.items.order_by("order")] == ITEMS
    assert not Matter.objects.exists()

    delivered_on = _today() - datetime.timedelta(days=2)
    actions.deliver(world.users["court_staff"], rec, delivered_on)
    rec.refresh_from_db()
    assert rec.state == "delivered"
    assert rec.delivered_on == delivered_on
    assert rec.reply_due == delivered_on + datetime.timedelta(days=60)
    matters = list(Matter.objects.order_by("pk"))
    assert len(matters) == 3
    for item, matter in zip(rec.items.order_by("order"), matters, strict=True):
        assert item.matter == matter
        assert matter.source_kind == "litigation.recommendation_item"
        assert matter.source_ref == str(rec.pk)
        assert matter.lead_unit == world.units["hrss"]
        assert matter.state == "assigned"
        assert matter.deadline == rec.reply_due
        assert matter.start_date == delivered_on
        assert matter.matter_type == "recommendation"
        assert matter.description == item.text
    assert any(rec.title in s for s in _inbox(world, "hrss_liaison"))
    assert AuditEntry.objects.filter(action="litigation.recommendation.deliver").count() == 1


def test_reply_days_follow_the_mechanism_setting(world):
    mechanism = world.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "recommendation_reply_days": 30}
    mechanism.save()
    rec = _delivered(world, days_ago=0)
    assert rec.reply_due == _today() + datetime.timedelta(days=30)


def test_reply_needs_an_adoption_for_every_item_and_reasons_for_partly_or_not(world):
    rec = _delivered(world)
    items = list(rec.items.order_by("order"))
    hrss = world.users["hrss_liaison"]
    with pytest.raises(ValidationError) as missing:
        actions.reply(
            hrss,
            rec,
            reply_text="已研究落实。",
            replied_on=_today(),
            adoptions={items[0].pk: ("adopted", ""), items[1].pk: ("partly", "")},
        )
    codes = _codes(missing.value)
    assert codes[f"adoption_{items[2].pk}"] == {"litigation.adoption_required"}
    assert codes[f"reason_{items[1].pk}"] == {"litigation.adoption_reason_required"}
    assert f"reason_{items[0].pk}" not in codes
    with pytest.raises(ValidationError) as no_reason:
        actions.reply(
            hrss,
            rec,
            reply_text="已研究落实。",
            replied_on=_today(),
            adoptions=_adopt_all(
                rec, ("adopted", ""), ("partly", "已部分培训"), ("not_adopted", "")
            ),
        )
    assert _codes(no_reason.value) == {
        f"reason_{items[2].pk}": {"litigation.adoption_reason_required"}
    }
    rec.refresh_from_db()
    assert rec.state == "delivered" and rec.replied_on is None
    assert not Feedback.objects.exists()


def test_reply_records_adoption_the_letter_and_reports_on_adopted_items_matters(world):
    rec = _delivered(world)
    letter = SimpleUploadedFile("回复函.pdf", PDF, content_type="application/pdf")
    actions.reply(
        world.users["hrss_liaison"],
        rec,
        reply_text="我局已逐项研究并落实整改。",
        replied_on=_today(),
        adoptions=_adopt_all(
            rec, ("adopted", ""), ("partly", "已完成首轮培训"), ("not_adopted", "另有规定")
        ),
        files=[letter],
    )
    rec.refresh_from_db()
    assert rec.state == "replied"
    assert rec.replied_on == _today()
    assert rec.reply == "我局已逐项研究并落实整改。"
    items = list(rec.items.order_by("order").select_related("matter"))
    assert [i.adoption for i in items] == ["adopted", "partly", "not_adopted"]
    assert items[1].adoption_reason == "已完成首轮培训"
    attachment = RecommendationAttachment.objects.get(recommendation=rec)
    assert attachment.kind == "reply" and attachment.content_type == "application/pdf"
    # The adopted and partly adopted items' matters got a report from the recipient.
    reports = Feedback.objects.filter(status="submitted")
    assert {f.matter_id for f in reports} == {items[0].matter_id, items[1].matter_id}
    assert all(f.unit == world.units["hrss"] for f in reports)
    assert "已完成首轮培训" in reports.get(matter=items[1].matter).text
    assert any("驻马店市人力资源和社会保障局" in s for s in _inbox(world, "court_staff"))


def test_returned_reply_goes_back_to_the_recipient_and_the_first_reply_date_is_kept(world):
    rec = _delivered(world, days_ago=10)
    first = _today() - datetime.timedelta(days=3)
    adoptions = _adopt_all(rec, ("adopted", ""), ("adopted", ""), ("adopted", ""))
    hrss = world.users["hrss_liaison"]
    actions.reply(hrss, rec, reply_text="已整改。", replied_on=first, adoptions=adoptions)
    with pytest.raises(TransitionError) as no_comment:
        actions.return_reply(world.users["court_staff"], rec, "")
    assert no_comment.value.code == "workflow.comment_required"
    actions.return_reply(world.users["court_staff"], rec, "请补充整改措施和时间表。")
    rec.refresh_from_db()
    assert rec.state == "delivered"
    assert any("驻马店市中级人民法院" in s for s in _inbox(world, "hrss_liaison"))
    actions.reply(hrss, rec, reply_text="补充说明如下。", replied_on=_today(), adoptions=adoptions)
    rec.refresh_from_db()
    assert rec.state == "replied"
    assert rec.replied_on == first
    assert rec.reply == "补充说明如下。"


def test_close_out_by_the_issuer_leaves_the_item_matters_to_the_office_and_tells_it(world):
    rec = _delivered(world)
    actions.reply(
        world.users["hrss_liaison"],
        rec,
        reply_text="已整改。",
        replied_on=_today(),
        adoptions=_adopt_all(rec, ("adopted", ""), ("adopted", ""), ("not_adopted", "无法实施")),
    )
    with pytest.raises(TransitionError):
        actions.close(world.users["city_office"], rec, "办结")
    actions.close(world.users["court_staff"], rec, "整改到位，予以办结。")
    rec.refresh_from_db()
    assert rec.state == "closed"
    assert rec.closed_on == _today()
    assert rec.close_comment == "整改到位，予以办结。"
    assert len(rec.matters_for_office) == 3  # type: ignore[attr-defined]
    # The matter graph lets only the office accept and strike off: the court does not.
    assert set(Matter.objects.values_list("state", flat=True)) == {"assigned"}
    assert any("3" in s and rec.title in s for s in _inbox(world, "city_office"))
    assert any(rec.title in s for s in _inbox(world, "hrss_liaison"))


def test_close_out_by_someone_who_is_also_the_office_completes_and_closes_reported_matters(world):
    from fuyuan.accounts.models import Role, RoleAssignment

    rec = _delivered(world, items=ITEMS[:1])
    actions.reply(
        world.users["hrss_liaison"],
        rec,
        reply_text="已整改。",
        replied_on=_today(),
        adoptions=_adopt_all(rec, ("adopted", "")),
    )
    matter = rec.items.get().matter
    hrss = world.users["hrss_liaison"]
    matter_actions.transition(hrss, matter, "sign")
    matter_actions.transition(hrss, matter, "start")
    matter_actions.transition(hrss, matter, "report", values={"summary": "整改完成"})
    court = world.users["court_staff"]
    RoleAssignment.objects.create(
        user=court,
        role=Role.OFFICE,
        jurisdiction=world.city,
        valid_from=_today() - datetime.timedelta(days=1),
    )
    court.forget_roles()
    actions.close(court, rec, "整改到位。")
    matter.refresh_from_db()
    assert matter.state == "closed"
    assert rec.matters_for_office == []  # type: ignore[attr-defined]


def test_withdrawing_a_draft_by_the_issuer(world):
    rec = _draft(world)
    with pytest.raises(TransitionError):
        actions.withdraw(world.users["hrss_liaison"], rec)
    actions.withdraw(world.users["court_staff"], rec)
    rec.refresh_from_db()
    assert rec.state == "withdrawn"
    with pytest.raises(TransitionError):
        actions.deliver(world.users["court_staff"], rec, _today())


def test_editing_a_draft_changes_its_items_and_delivery_locks_them(world):
    rec = _draft(world)
    first = rec.items.order_by("order").first()
    assert first is not None
    actions.update_recommendation(
        world.users["court_staff"],
        rec,
        kind="judicial",
        scope="single_case",
        issuer=world.units["court"],
        recipient=world.units["hrss"],
        title="修改后的标题",
        content="内容",
        items=["第一项修改", "第二项"],
        document_number="驻中法建〔2026〕3号",
    )
    rec.refresh_from_db()
    assert rec.title == "修改后的标题"
    assert [i.text for i in rec.items.order_by("order")] == ["第一项修改", "第二项"]
    assert rec.items.filter(pk=first.pk).exists()
    actions.deliver(world.users["court_staff"], rec, _today())
    with pytest.raises(PermissionDenied):
        actions.update_recommendation(
            world.users["court_staff"],
            rec,
            kind="judicial",
            scope="single_case",
            issuer=world.units["court"],
            recipient=world.units["hrss"],
            title="再改",
            content="内容",
            items=["x"],
        )


# --- overdue ----------------------------------------------------------------------------------
def test_overdue_reply_warns_the_recipient_and_the_office_once_a_week(world):
    rec = _delivered(world, days_ago=65)  # due 5 days ago
    today = _today()
    assert actions.urge_overdue_replies(today) == 1
    rec.refresh_from_db()
    assert rec.last_urged_on == _today()
    assert any("overdue" in s.lower() or "逾期" in s for s in _inbox(world, "hrss_liaison"))
    assert len(_inbox(world, "city_office")) == 1
    queued = OutboxMessage.objects.filter(kind="litigation.recommendation.overdue").count()
    # The same day, and later the same week: nothing more.
    assert actions.urge_overdue_replies(today) == 0
    assert actions.urge_overdue_replies(today + datetime.timedelta(days=1)) == 0
    assert OutboxMessage.objects.filter(kind="litigation.recommendation.overdue").count() == queued
    # A week on, once more.
    next_week = today + datetime.timedelta(days=7)
    assert actions.urge_overdue_replies(next_week) == 1
    assert actions.urge_overdue_replies(next_week) == 0
    assert len(_inbox(world, "hrss_liaison")) == 3  # delivery + two weekly warnings


def test_not_yet_due_or_replied_recommendations_are_not_warned(world):
    _delivered(world, days_ago=60)  # due today: not overdue yet
    replied = _delivered(world, days_ago=90, document_number="驻中法建〔2026〕4号")
    actions.reply(
        world.users["hrss_liaison"],
        replied,
        reply_text="已整改。",
        replied_on=_today(),
        adoptions=_adopt_all(replied, ("adopted", ""), ("adopted", ""), ("adopted", "")),
    )
    assert actions.urge_overdue_replies(_today()) == 0
    assert actions.overdue_point(_today(), _today()) is None


def test_office_and_issuer_urge_the_recipient_by_hand_and_the_recipient_cannot(world):
    rec = _delivered(world)
    with pytest.raises(PermissionDenied):
        actions.urge(world.users["hrss_liaison"], rec)
    actions.urge(world.users["city_office"], rec, "请抓紧回复。")
    rec.refresh_from_db()
    assert rec.last_urged_on == _today()
    assert any("urged" in s.lower() or "催" in s for s in _inbox(world, "hrss_liaison"))
    assert AuditEntry.objects.filter(action="litigation.recommendation.urge").count() == 1


# --- permissions ------------------------------------------------------------------------------
def test_recipient_cannot_deliver_issuer_cannot_reply_and_another_unit_sees_nothing(world):
    rec = _draft(world)
    with pytest.raises(TransitionError) as deliver:
        actions.deliver(world.users["hrss_liaison"], rec, _today())
    assert deliver.value.code == "workflow.not_allowed"
    assert not Recommendation.objects.visible_to(world.users["hrss_liaison"]).exists()
    actions.deliver(world.users["court_staff"], rec, _today())
    assert Recommendation.objects.visible_to(world.users["hrss_liaison"]).count() == 1
    adoptions = _adopt_all(rec, ("adopted", ""), ("adopted", ""), ("adopted", ""))
    with pytest.raises(TransitionError) as reply:
        actions.reply(
            world.users["court_staff"],
            rec,
            reply_text="代为回复",
            replied_on=_today(),
            adoptions=adoptions,
        )
    assert reply.value.code == "workflow.not_allowed"
    for other in ("housing_liaison", "a_office", "a_hrss_liaison", "b_court_staff"):
        assert not Recommendation.objects.visible_to(world.users[other]).exists(), other
    assert Recommendation.objects.visible_to(world.users["city_leader"]).count() == 1


def test_only_an_issuing_body_or_the_office_registers_recommendations(world):
    with pytest.raises(PermissionDenied):
        _draft(world, issuer=world.units["hrss"])  # court staff do not act for 人社局
    with pytest.raises(PermissionDenied):
        actions.create_recommendation(
            world.users["hrss_liaison"],
            kind="judicial",
            scope="general",
            issuer=world.units["court"],
            recipient=world.units["housing"],
            title="t",
            content="c",
            items=["i"],
        )
    assert not actions.may_register(world.users["hrss_liaison"])
    assert actions.may_register(world.users["court_staff"])
    # The office registers one received on paper from the court.
    paper = actions.create_recommendation(
        world.users["city_office"],
        kind="judicial",
        scope="general",
        issuer=world.units["court"],
        recipient=world.units["housing"],
        title="纸质来文",
        content="c",
        items=["i"],
    )
    assert paper.created_by == world.users["city_office"]
    actions.deliver(world.users["city_office"], paper, _today())
    # A county office cannot register one for a city unit.
    with pytest.raises(ValidationError) as outside:
        actions.create_recommendation(
            world.users["a_office"],
            kind="judicial",
            scope="general",
            issuer=world.units["court"],
            recipient=world.units["housing"],
            title="t",
            content="c",
            items=["i"],
        )
    assert _codes(outside.value) == {"recipient": {"litigation.office_scope"}}


def test_county_recipient_gets_the_countys_mechanism_and_matters(world):
    rec = _delivered(world, recipient=world.units["a_hrss"])
    assert rec.mechanism == world.mechanisms["a"]
    assert set(Matter.objects.values_list("mechanism_id", flat=True)) == {rec.mechanism_id}
    assert Recommendation.objects.visible_to(world.users["a_office"]).count() == 1
    assert Recommendation.objects.visible_to(world.users["a_hrss_liaison"]).count() == 1


# --- validation -------------------------------------------------------------------------------
def test_registration_refuses_bad_input_with_codes(world):
    with pytest.raises(ValidationError) as bad:
        _draft(
            world,
            kind="procuratorial",
            items=["", "  "],
            title="",
            recipient=world.units["court"],
            document_number="驻中法建〔2026〕第3号",
            case_numbers="（2026）豫17行初12号\n2026豫17行初",
        )
    codes = _codes(bad.value)
    assert "kind" not in codes
    assert codes["issuer"] == {"litigation.issuer_kind"}
    assert codes["items"] == {"litigation.items_required"}
    assert codes["title"] == {"required"}
    assert codes["recipient"] == {"litigation.same_unit"}
    assert codes["document_number"] == {"docno.format"}
    assert len(codes["case_numbers"]) == 1
    assert next(iter(codes["case_numbers"])).startswith("case_number.")
    assert not Recommendation.objects.exists()


def test_document_number_is_normalised_and_not_used_twice_by_the_issuer(world):
    rec = _draft(world, document_number="驻中法建[2026]3号")
    assert rec.document_number == "驻中法建〔2026〕3号"
    with pytest.raises(ValidationError) as twice:
        _draft(world, document_number="驻中法建〔2026〕3号")
    assert _codes(twice.value) == {"document_number": {"litigation.document_number_taken"}}


def test_case_numbers_of_cases_held_here_are_linked_the_others_kept_as_text(world):
    case = AdminCase.objects.create(
        mechanism=world.mechanisms["city"],
        number="（2026）豫17行初12号",
        year=2026,
        court=world.units["court"],
        type_code="行初",
        plaintiffs="张三",
        defendant=world.units["hrss"],
        jurisdiction=world.city,
        cause="劳动保障监察",
        filed_on=datetime.date(2026, 3, 2),
    )
    rec = _draft(
        world,
        case_numbers="(2026)豫17行初12号\n（2026）豫1722民初88号\n\n（2026）豫1722民初88号",
    )
    assert list(rec.cases.all()) == [case]
    assert rec.case_numbers == "（2026）豫1722民初88号"


def test_split_items_drops_blank_lines_and_leading_numbers():
    assert actions.split_items("1. 第一项\n\n二、第二项\n（三）第三项\n 4、第四项 \n") == [
        "第一项",
        "第二项",
        "第三项",
        "第四项",
    ]


def test_delivery_date_cannot_be_in_the_future_and_reply_not_before_delivery(world):
    rec = _draft(world)
    with pytest.raises(ValidationError) as future:
        actions.deliver(world.users["court_staff"], rec, _today() + datetime.timedelta(days=1))
    assert _codes(future.value) == {"delivered_on": {"litigation.date_future"}}
    actions.deliver(world.users["court_staff"], rec, _today())
    with pytest.raises(ValidationError) as early:
        actions.reply(
            world.users["hrss_liaison"],
            rec,
            reply_text="已整改。",
            replied_on=_today() - datetime.timedelta(days=1),
            adoptions=_adopt_all(rec, ("adopted", ""), ("adopted", ""), ("adopted", "")),
        )
    assert _codes(early.value) == {"replied_on": {"litigation.replied_before_delivery"}}


def test_attachments_by_kind_follow_the_relation(world):
    rec = _delivered(world)
    pdf = SimpleUploadedFile("建议书.pdf", PDF)
    att = actions.add_attachment(world.users["court_staff"], rec, pdf, "letter")
    assert att.kind == "letter"
    with pytest.raises(ValidationError) as wrong_kind:
        actions.add_attachment(
            world.users["hrss_liaison"], rec, SimpleUploadedFile("x.pdf", PDF), "letter"
        )
    assert _codes(wrong_kind.value) == {"kind": {"litigation.attachment_kind"}}
    with pytest.raises(PermissionDenied):
        actions.add_attachment(world.users["city_leader"], rec, SimpleUploadedFile("x.pdf", PDF))
    with pytest.raises(ValidationError) as bad_type:
        actions.add_attachment(
            world.users["hrss_liaison"], rec, SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary")
        )
    assert _codes(bad_type.value) == {"file": {"attachment.type"}}


# --- figures ----------------------------------------------------------------------------------
def test_figures_on_a_small_known_set(world):
    today = _today()
    court, hrss = world.users["court_staff"], world.users["hrss_liaison"]
    # A: three items, replied on time (2 adopted, 1 partly); one matter closed by the office.
    a = _delivered(world, days_ago=70, document_number="驻中法建〔2026〕1号")
    actions.reply(
        hrss,
        a,
        reply_text="已整改。",
        replied_on=today - datetime.timedelta(days=20),
        adoptions=_adopt_all(a, ("adopted", ""), ("adopted", ""), ("partly", "部分")),
    )
    matter = a.items.order_by("order").first().matter  # type: ignore[union-attr]
    office = world.users["city_office"]
    matter_actions.transition(hrss, matter, "sign")
    matter_actions.transition(hrss, matter, "start")
    matter_actions.transition(hrss, matter, "report", values={"summary": "完成"})
    matter_actions.transition(office, matter, "complete")
    matter_actions.transition(office, matter, "close")
    actions.close(court, a, "办结")
    # B: two items, replied late (1 not adopted, 1 adopted).
    b = _delivered(world, days_ago=90, items=ITEMS[:2], document_number="驻中法建〔2026〕2号")
    actions.reply(
        hrss,
        b,
        reply_text="迟复。",
        replied_on=today - datetime.timedelta(days=5),
        adoptions=_adopt_all(b, ("not_adopted", "无法"), ("adopted", "")),
    )
    # C: one item, overdue without a reply.
    _delivered(world, days_ago=61, items=ITEMS[:1], document_number="驻中法建〔2026〕5号")
    # D: one item, delivered recently, not yet due.
    _delivered(world, days_ago=3, items=ITEMS[:1], document_number="驻中法建〔2026〕6号")
    # E: a draft, not counted.
    _draft(world, document_number="驻中法建〔2026〕7号")

    figures = actions.recommendation_figures(Recommendation.objects.all(), today)
    assert figures["delivered"] == 4
    assert figures["replied"] == 2
    assert figures["reply_rate"] == Decimal("50.0")
    assert figures["due"] == 3  # A, B replied; C past due
    assert figures["replied_on_time"] == 1
    assert figures["on_time_rate"] == Decimal("33.3")
    assert figures["closed"] == 1
    assert figures["overdue"] == 1
    assert figures["items"] == 7
    assert figures["items_adopted"] == 3
    assert figures["items_partly"] == 1
    assert figures["items_not_adopted"] == 1
    assert figures["items_rectified"] == 1
    assert figures["items_closed"] == 1
    assert figures["items_closed_rate"] == Decimal("14.3")
    assert set(actions.FIGURE_DEFINITIONS) <= set(figures)


def test_figures_with_nothing_delivered_have_no_rates(world):
    _draft(world)
    figures = actions.recommendation_figures(Recommendation.objects.all(), _today())
    assert figures["delivered"] == 0
    assert figures["reply_rate"] is None
    assert figures["on_time_rate"] is None
    assert figures["items_closed_rate"] is None
    assert figures["items"] == 0


def test_figures_take_the_callers_queryset(world, django_assert_max_num_queries):
    _delivered(world)
    other = _delivered(
        world, document_number="驻中法建〔2026〕9号", recipient=world.units["housing"]
    )
    with django_assert_max_num_queries(2):
        figures = actions.recommendation_figures(
            Recommendation.objects.filter(recipient=other.recipient), _today()
        )
    assert figures["delivered"] == 1 and figures["items"] == 3
    assert RecommendationItem.objects.count() == 6
