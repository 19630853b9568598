"""Point-to-point inquiries: a court asks, the department answers with files, turnaround in
working days, withdrawal, urging overdue inquiries once a day, the audited clear view of the
identifier, and the figures per department."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fuyuan.audit.models import AuditEntry
from fuyuan.core import calendar
from fuyuan.core.identifiers import resident_id_check_char
from fuyuan.enforcement import inquiry_actions as actions
from fuyuan.enforcement.models import Inquiry, InquiryState
from fuyuan.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 16, 9, 0)
ID_BODY = "41170219900307123"
ID_NUMBER = ID_BODY + resident_id_check_char(ID_BODY)
BAD_CHECK = ID_BODY + ("0" if ID_NUMBER[-1] != "0" else "1")


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    """The world is built on the Monday (role assignments start 30 days before)."""
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def cal(world):  # type: ignore[no-untyped-def]
    calendar.seed_year(2026)
    return world


def at(day: datetime.datetime) -> Any:
    return time_machine.travel(day, tick=False)


def send(w: Any, **values: Any) -> Inquiry:
    defaults: dict[str, Any] = {
        "court": w.units["court"],
        "department": w.units["hrss"],
        "case_number": "（2025）豫17执88号",
        "kind": "social_insurance",
        "party_name": "张某某",
        "party_id_type": "resident_id",
        "party_id_number": ID_NUMBER,
        "question": "请查询社保缴纳单位及账户",
    }
    defaults.update(values)
    return actions.send_inquiry(w.users["court_staff"], **defaults)


def codes(exc: ValidationError) -> dict[str, list[str | None]]:
    return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}


def test_court_sends_an_inquiry_due_in_three_working_days_and_the_department_is_told(cal):
    with at(MONDAY):
        inquiry = send(cal)
    assert inquiry.asked_on == datetime.date(2026, 3, 16)
    assert inquiry.due_on == datetime.date(2026, 3, 19)
    assert inquiry.state == InquiryState.SENT
    assert inquiry.party_id_number == ID_NUMBER
    assert OutboxMessage.objects.filter(
        kind="enforcement.inquiry.sent", recipient=cal.users["hrss_liaison"]
    ).exists()
    assert AuditEntry.objects.filter(action="enforcement.inquiry.send").count() == 1


def test_the_due_date_skips_a_holiday(cal):
    # 2026-04-03 is a Friday before 清明 (4–6 April off): due the Wednesday after.
    with at(datetime.datetime(2026, 4, 2, 9, 0)):
        inquiry = send(cal)
    assert inquiry.due_on == calendar.add_working_days(datetime.date(2026, 4, 2), 3)
    assert inquiry.due_on > datetime.date(2026, 4, 7)


def test_only_court_staff_of_the_court_send(cal):
    with at(MONDAY):
        for who in ("hrss_liaison", "city_office", "b_court_staff"):
            with pytest.raises(PermissionDenied):
                actions.send_inquiry(
                    cal.users[who],
                    court=cal.units["court"],
                    department=cal.units["hrss"],
                    case_number="（2025）豫17执88号",
                    kind="real_estate",
                    party_name="张某某",
                    party_id_type="resident_id",
                    party_id_number=ID_NUMBER,
                )


def test_bad_identifiers_and_case_numbers_are_refused_with_codes(cal):
    with at(MONDAY):
        with pytest.raises(ValidationError) as exc:
            send(cal, party_id_number="4117021990", case_number="豫17执88号")
        found = codes(exc.value)
        assert found["party_id_number"][0].startswith("resident_id")
        assert found["case_number"] == ["case_number.brackets"]
        with pytest.raises(ValidationError) as exc:
            send(cal, party_id_number="411702********1234")
        assert codes(exc.value)["party_id_number"] == ["enforcement.identifier_masked"]
        with pytest.raises(ValidationError) as exc:
            send(cal, party_id_number=BAD_CHECK)
        assert codes(exc.value)["party_id_number"] == ["enforcement.identifier_check"]
        assert send(cal, party_id_number=BAD_CHECK, confirm_identifier=True).pk


def test_department_answers_with_files_and_the_turnaround_is_counted(cal):
    with at(MONDAY):
        inquiry = send(cal)
    upload = SimpleUploadedFile("社保缴费记录.txt", "单位：某公司".encode(), "text/plain")
    with at(datetime.datetime(2026, 3, 18, 15, 0)):
        with pytest.raises(PermissionDenied):
            actions.answer_inquiry(cal.users["housing_liaison"], inquiry, result="x")
        actions.answer_inquiry(
            cal.users["hrss_liaison"], inquiry, result="在某公司参保，账户正常", files=[upload]
        )
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.ANSWERED
    assert inquiry.answered_on == datetime.date(2026, 3, 18)
    assert inquiry.answer_working_days == 2
    assert inquiry.attachments.count() == 1
    assert OutboxMessage.objects.filter(
        kind="enforcement.inquiry.answered", recipient=cal.users["court_staff"]
    ).exists()
    with pytest.raises(ValidationError) as exc:
        actions.answer_inquiry(cal.users["hrss_liaison"], inquiry, result="again")
    assert codes(exc.value)["result"] == ["enforcement.inquiry_not_open"]


def test_an_answer_needs_a_result(cal):
    with at(MONDAY):
        inquiry = send(cal)
        with pytest.raises(ValidationError) as exc:
            actions.answer_inquiry(cal.users["hrss_liaison"], inquiry, result="  ")
    assert codes(exc.value)["result"] == ["required"]


def test_court_withdraws_an_open_inquiry_only(cal):
    with at(MONDAY):
        inquiry = send(cal)
        with pytest.raises(PermissionDenied):
            actions.withdraw(cal.users["hrss_liaison"], inquiry)
        actions.withdraw(cal.users["court_staff"], inquiry, "当事人已履行")
        inquiry.refresh_from_db()
        assert inquiry.state == InquiryState.WITHDRAWN
        with pytest.raises(ValidationError):
            actions.withdraw(cal.users["court_staff"], inquiry)


def test_reveal_is_audited_and_only_for_the_court_and_the_department(cal):
    with at(MONDAY):
        inquiry = send(cal)
        assert actions.reveal(cal.users["hrss_liaison"], inquiry) == ID_NUMBER
        assert actions.reveal(cal.users["court_staff"], inquiry) == ID_NUMBER
        with pytest.raises(PermissionDenied):
            actions.reveal(cal.users["city_office"], inquiry)
    assert AuditEntry.objects.filter(action="enforcement.inquiry.reveal").count() == 2
    masked = actions.mask(ID_NUMBER, "resident_id")
    assert masked.startswith("411702") and masked.endswith(ID_NUMBER[-4:]) and "*" in masked


def test_overdue_inquiries_are_urged_once_a_day(cal):
    with at(MONDAY):
        overdue = send(cal)
        answered = send(cal, department=cal.units["housing"])
        actions.answer_inquiry(cal.users["housing_liaison"], answered, result="无房产")
    friday = datetime.date(2026, 3, 20)
    assert actions.urge_overdue_inquiries(datetime.date(2026, 3, 19)) == 0  # due that day
    assert actions.urge_overdue_inquiries(friday) == 1
    assert actions.urge_overdue_inquiries(friday) == 0
    overdue.refresh_from_db()
    assert overdue.last_urged_on == friday
    urged = OutboxMessage.objects.filter(kind="enforcement.inquiry.overdue")
    assert set(urged.values_list("recipient__username", flat=True)) == {
        "hrss_liaison",
        "city_office",
    }
    assert actions.urge_overdue_inquiries(friday + datetime.timedelta(days=3)) == 1


def test_figures_per_department(cal):
    with at(MONDAY):
        a = send(cal)
        b = send(cal)
        send(cal)  # still waiting, overdue by the 25th
        w = send(cal)
        actions.withdraw(cal.users["court_staff"], w)
        c = send(cal, department=cal.units["housing"])
    with at(datetime.datetime(2026, 3, 17, 9, 0)):
        actions.answer_inquiry(cal.users["hrss_liaison"], a, result="有")
    with at(datetime.datetime(2026, 3, 24, 9, 0)):
        actions.answer_inquiry(cal.users["hrss_liaison"], b, result="无")
    figures = actions.inquiry_figures(Inquiry.objects.all(), today=datetime.date(2026, 3, 25))
    rows = {r["department__name"]: r for r in figures["departments"]}
    hrss = rows["驻马店市人力资源和社会保障局"]
    assert (hrss["asked"], hrss["answered"], hrss["on_time"], hrss["overdue"]) == (3, 2, 1, 1)
    assert hrss["avg_days"] == Decimal("3.5")  # 1 and 6 working days
    assert hrss["on_time_rate"] == Decimal("50.0")
    housing = rows["驻马店市住房和城乡建设局"]
    assert housing["answered"] == 0 and housing["avg_days"] is None
    assert housing["on_time_rate"] is None and housing["overdue"] == 1
    assert c.pk and figures["totals"]["asked"] == 4


def test_figures_of_nothing(cal):
    t = actions.inquiry_figures(Inquiry.objects.none())["totals"]
    assert t["asked"] == 0 and t["avg_days"] is None and t["on_time_rate"] is None
