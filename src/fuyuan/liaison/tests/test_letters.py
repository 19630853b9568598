"""Daily liaison: a letter from a department to the court, reply, agreement; no consensus
escalated to the office, which coordinates and opens a matter; reply time in working days;
who sees and who may act."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core import calendar
from fuyuan.core.workflow import TransitionError
from fuyuan.liaison import actions, queries
from fuyuan.liaison.models import LetterAttachment, LiaisonLetter
from fuyuan.matters import sources
from fuyuan.matters.models import Matter, MatterCoUnit
from fuyuan.notify.models import InboxMessage

pytestmark = pytest.mark.django_db

# Asia/Shanghai mornings (01:00 UTC = 09:00 local).
FRIDAY = datetime.datetime(2026, 11, 27, 1, 0, tzinfo=datetime.UTC)
NEXT_TUESDAY = datetime.datetime(2026, 12, 1, 1, 0, tzinfo=datetime.UTC)
AFTER_REPLY_BY = datetime.datetime(2026, 12, 14, 1, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _calendar_and_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    calendar.seed_year(2026)


def _letter(world, subject: str = "关于欠薪案件执行协调的函", **extra) -> LiaisonLetter:  # type: ignore[no-untyped-def]
    return actions.create_letter(
        world.users["hrss_liaison"],
        sender_unit=world.units["hrss"],
        recipient_unit=world.units["court"],
        subject=subject,
        body="请贵院协助推进农民工工资案件执行。",
        send=True,
        **extra,
    )


def _inbox(world, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        InboxMessage.objects.filter(user=world.users[name]).values_list("subject", flat=True)
    )


def test_letter_from_hrss_replied_by_court_and_agreed_is_closed(world, client_for):
    hrss = client_for("hrss_liaison")
    response = hrss.post(
        reverse("liaison:letter_create"),
        {
            "sender_unit": world.units["hrss"].pk,
            "recipient_unit": world.units["court"].pk,
            "subject": "关于欠薪案件执行协调的函",
            "body": "请贵院协助推进农民工工资案件执行。",
            "file": SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf"),
            "send": "1",
        },
    )
    assert response.status_code == 302
    letter = LiaisonLetter.objects.get()
    assert letter.state == "sent"
    assert letter.mechanism == world.mechanisms["city"]
    assert letter.sent_at is not None and letter.reply_by is not None
    assert LetterAttachment.objects.get(letter=letter).content_type == "application/pdf"
    assert any("关于欠薪案件执行协调的函" in s for s in _inbox(world, "court_staff"))

    court = client_for("court_staff")
    assert court.get(reverse("liaison:letter_detail", args=[letter.pk])).status_code == 200
    response = court.post(
        reverse("liaison:letter_reply", args=[letter.pk]), {"body": "我院已安排专人对接。"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == "replied"
    assert letter.replied_at is not None
    assert letter.replies.get().unit == world.units["court"]
    assert any("驻马店市中级人民法院" in s for s in _inbox(world, "hrss_liaison"))

    response = hrss.post(
        reverse("liaison:letter_transition", args=[letter.pk, "agree"]),
        {"version": letter.version, "comment": "同意"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == "agreed"
    assert letter.closed_at is not None
    assert letter.escalated_at is None
    assert AuditEntry.objects.filter(action="liaison.letter.agree").count() == 1


def test_recipient_cannot_agree_on_the_senders_behalf(world, client_for):
    letter = _letter(world)
    actions.reply(world.users["court_staff"], letter, "我院意见如下。")
    court = client_for("court_staff")
    response = court.post(
        reverse("liaison:letter_transition", args=[letter.pk, "agree"]),
        {"version": letter.version},
    )
    assert response.status_code == 403
    with pytest.raises(TransitionError):
        actions.agree(world.users["court_staff"], letter)
    letter.refresh_from_db()
    assert letter.state == "replied"


def test_no_consensus_escalates_to_the_office_which_coordinates_and_opens_a_matter(
    world, client_for
):
    letter = _letter(world, subject="关于破产企业职工安置的函")
    actions.reply(world.users["court_staff"], letter, "该事项需政府统筹。")
    city_leader = client_for("city_leader")
    detail = reverse("liaison:letter_detail", args=[letter.pk])
    assert city_leader.get(detail).status_code == 404  # leaders see escalated letters only

    with pytest.raises(TransitionError) as refused:
        actions.no_consensus(world.users["hrss_liaison"], letter, "  ")
    assert refused.value.code == "workflow.comment_required"

    response = client_for("hrss_liaison").post(
        reverse("liaison:letter_transition", args=[letter.pk, "no_consensus"]),
        {"version": letter.version, "comment": "安置资金来源仍有分歧"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == "escalated"
    assert letter.escalated_at is not None
    assert letter.no_consensus_reason == "安置资金来源仍有分歧"
    assert any("关于破产企业职工安置的函" in s for s in _inbox(world, "city_office"))
    assert not _inbox(world, "a_office")
    assert city_leader.get(detail).status_code == 200

    office = client_for("city_office")
    page = office.get(detail)
    assert b"coordinate" in page.content
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = office.post(
        reverse("liaison:letter_coordinate", args=[letter.pk]),
        {
            "version": letter.version,
            "outcome": "由人社局牵头筹措安置资金，法院配合做好债权申报。",
            "agenda_note": "提交下次协调会",
            "open_matter": "on",
            "lead_unit": world.units["hrss"].pk,
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == "coordinated"
    assert letter.coordinated_by == world.users["city_office"]
    assert letter.agenda_note == "提交下次协调会"
    matter = Matter.objects.get(pk=letter.matter_id)
    assert matter.source_kind == "liaison.letter"
    assert matter.source_ref == str(letter.pk)
    assert matter.lead_unit == world.units["hrss"]
    assert matter.matter_type == "liaison"
    assert matter.state == "assigned"
    assert matter.deadline == deadline
    assert MatterCoUnit.objects.filter(matter=matter, unit=world.units["court"]).exists()
    assert sources.url_of(matter) == detail
    assert sources.label_of("liaison.letter")


def test_only_the_office_coordinates(world):
    letter = _letter(world)
    actions.reply(world.users["court_staff"], letter, "意见")
    actions.no_consensus(world.users["hrss_liaison"], letter, "分歧")
    for name in ("hrss_liaison", "court_staff", "city_leader", "a_office"):
        with pytest.raises(TransitionError):
            actions.coordinate(world.users[name], letter, "结论")
    with pytest.raises(ValidationError) as missing:
        actions.coordinate(world.users["city_office"], letter, "结论", open_matter=True)
    assert set(missing.value.error_dict) == {"lead_unit", "deadline"}
    letter.refresh_from_db()
    assert letter.state == "escalated"


def test_reply_time_is_measured_in_working_days(world):
    # Sent on Friday 27 November 2026; replied on Tuesday 1 December: Monday and Tuesday
    # count, the weekend does not.
    with time_machine.travel(
        datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        letter = _letter(world)
    assert letter.reply_by == datetime.date(2026, 12, 11)  # 10 working days
    with time_machine.travel(NEXT_TUESDAY, tick=False):
        actions.reply(world.users["court_staff"], letter, "已办理。")
        actions.reply(world.users["court_staff"], letter, "补充说明。")
        letter.refresh_from_db()
        assert letter.reply_working_days == 2  # the first reply counts, not the second
        stats = {
            r["unit"]: r
            for r in queries.unit_statistics(world.users["city_office"], timezone.localdate())
        }
    court = stats["驻马店市中级人民法院"]
    assert court["received"] == 1
    assert court["on_time"] == 1 and court["on_time_percent"] == 100
    assert court["average_days"] == 2.0


def test_unanswered_letters_past_the_reply_by_date_are_overdue(world):
    with time_machine.travel(
        datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        letter = _letter(world)
    with time_machine.travel(
        datetime.datetime(2026, 12, 14, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        letter.refresh_from_db()
        assert letter.is_overdue
        totals = queries.totals(world.users["city_office"], timezone.localdate())
    assert totals["overdue"] == 1
    assert totals["escalated"] == 0


def test_unrelated_unit_cannot_see_the_letters(world, client_for):
    letter = _letter(world)
    detail = reverse("liaison:letter_detail", args=[letter.pk])
    housing = client_for("housing_liaison")
    assert housing.get(detail).status_code == 404
    for tab in ("received", "sent"):
        page = housing.get(reverse("liaison:letter_list"), {"tab": tab})
        assert page.status_code == 200
        assert letter.subject.encode() not in page.content
    assert client_for("a_office").get(detail).status_code == 404
    assert (
        housing.post(reverse("liaison:letter_transition", args=[letter.pk, "withdraw"])).status_code
        == 404
    )
    assert not LiaisonLetter.objects.visible_to(world.users["housing_liaison"]).exists()


def test_a_draft_is_seen_only_by_the_sending_unit(world):
    draft = actions.create_letter(
        world.users["hrss_liaison"],
        sender_unit=world.units["hrss"],
        recipient_unit=world.units["court"],
        subject="草稿",
        body="内容",
    )
    assert draft.state == "draft"
    visible = LiaisonLetter.objects.visible_to
    assert visible(world.users["hrss_liaison"]).filter(pk=draft.pk).exists()
    assert not visible(world.users["court_staff"]).filter(pk=draft.pk).exists()
    assert not visible(world.users["city_office"]).filter(pk=draft.pk).exists()
    actions.send_letter(world.users["hrss_liaison"], draft)
    assert visible(world.users["court_staff"]).filter(pk=draft.pk).exists()
    # The office sees every sent letter of its jurisdiction, escalated or not.
    assert visible(world.users["city_office"]).filter(pk=draft.pk).exists()


def test_only_the_sending_unit_writes_and_withdraws(world):
    with pytest.raises(PermissionDenied):
        actions.create_letter(
            world.users["court_staff"],
            sender_unit=world.units["hrss"],
            recipient_unit=world.units["court"],
            subject="冒名",
            body="内容",
        )
    letter = _letter(world)
    with pytest.raises(TransitionError):
        actions.withdraw(world.users["court_staff"], letter)
    actions.withdraw(world.users["hrss_liaison"], letter, "已电话沟通解决")
    letter.refresh_from_db()
    assert letter.state == "withdrawn"


def test_a_letter_to_ones_own_unit_or_with_a_past_reply_date_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        actions.create_letter(
            world.users["hrss_liaison"],
            sender_unit=world.units["hrss"],
            recipient_unit=world.units["hrss"],
            subject="主题",
            body="内容",
            reply_by=timezone.localdate() - datetime.timedelta(days=1),
        )
    codes = {e.code for errors in refused.value.error_dict.values() for e in errors}
    assert codes == {"liaison.same_unit", "liaison.reply_by_past"}


def test_attachments_are_checked_by_content(world, client_for):
    letter = _letter(world)
    fake = SimpleUploadedFile(
        "合同.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_attachment(world.users["hrss_liaison"], letter, fake)
    assert refused.value.error_dict["file"][0].code == "attachment.type"
    ok = SimpleUploadedFile("回执.pdf", PDF, content_type="application/pdf")
    attachment = actions.add_attachment(world.users["court_staff"], letter, ok)
    assert attachment.content_type == "application/pdf"
    with pytest.raises(PermissionDenied):
        actions.add_attachment(world.users["city_office"], letter, ok)
    url = reverse("liaison:attachment_download", args=[letter.pk, attachment.pk])
    assert client_for("hrss_liaison").get(url).status_code == 200
    assert client_for("housing_liaison").get(url).status_code == 404
