"""Pages of point-to-point inquiries: the list (masked identifiers, flat query count), sending
through the form, answering with a file, downloading it, the audited "show in full", the
figures page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.core import calendar
from fuyuan.core.identifiers import resident_id_check_char
from fuyuan.enforcement import inquiry_actions as actions
from fuyuan.enforcement.models import Inquiry, InquiryState

pytestmark = pytest.mark.django_db

ID_BODY = "41170219851111402"
ID_NUMBER = ID_BODY + resident_id_check_char(ID_BODY)


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


@pytest.fixture
def cal(world):  # type: ignore[no-untyped-def]
    calendar.seed_year(2026)
    return world


def send(w: Any, **values: Any) -> Inquiry:
    defaults: dict[str, Any] = {
        "court": w.units["court"],
        "department": w.units["hrss"],
        "case_number": "（2025）豫17执88号",
        "kind": "social_insurance",
        "party_name": "李某某",
        "party_id_type": "resident_id",
        "party_id_number": ID_NUMBER,
    }
    defaults.update(values)
    return actions.send_inquiry(w.users["court_staff"], **defaults)


def test_list_shows_only_masked_identifiers(cal, client_for):
    send(cal)
    page = client_for("city_office").get(reverse("enforcement:inquiry_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "李某某" in text and ID_NUMBER not in text
    assert actions.mask(ID_NUMBER, "resident_id") in text


def test_list_query_count_is_flat(cal, client_for, django_assert_max_num_queries):
    send(cal)
    client = client_for("court_staff")
    url = reverse("enforcement:inquiry_list")
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for _ in range(9):
        send(cal)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_sending_through_the_form(cal, client_for):
    response = client_for("court_staff").post(
        reverse("enforcement:inquiry_new"),
        {
            "court": cal.units["court"].pk,
            "department": cal.units["housing"].pk,
            "case_number": "（2025）豫17执90号",
            "kind": "real_estate",
            "party_name": "李某某",
            "party_id_type": "resident_id",
            "party_id_number": ID_NUMBER,
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert inquiry.due_on == datetime.date(2026, 3, 19)


def test_reveal_shows_the_number_to_the_department_and_is_audited(cal, client_for):
    inquiry = send(cal)
    url = reverse("enforcement:inquiry_reveal", args=[inquiry.pk])
    page = client_for("hrss_liaison").post(url)
    assert page.status_code == 200 and ID_NUMBER in page.content.decode()
    assert AuditEntry.objects.filter(action="enforcement.inquiry.reveal").count() == 1
    assert client_for("city_office").post(url).status_code == 403
    detail = client_for("hrss_liaison").get(
        reverse("enforcement:inquiry_detail", args=[inquiry.pk])
    )
    assert ID_NUMBER not in detail.content.decode()


def test_answering_with_a_file_and_downloading_it(cal, client_for):
    inquiry = send(cal)
    upload = SimpleUploadedFile("查询结果.txt", "名下无不动产".encode(), "text/plain")
    response = client_for("hrss_liaison").post(
        reverse("enforcement:inquiry_answer", args=[inquiry.pk]),
        {"result": "名下无不动产登记", "answer_files": [upload]},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.ANSWERED and inquiry.answer_working_days == 0
    attachment = inquiry.attachments.get()
    url = reverse("enforcement:inquiry_file", args=[inquiry.pk, attachment.pk])
    download = client_for("court_staff").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "名下无不动产"
    assert client_for("a_office").get(url).status_code == 404


def test_withdraw_by_post_and_the_figures_page(cal, client_for):
    inquiry = send(cal)
    assert (
        client_for("hrss_liaison")
        .post(reverse("enforcement:inquiry_withdraw", args=[inquiry.pk]))
        .status_code
        == 403
    )
    response = client_for("court_staff").post(
        reverse("enforcement:inquiry_withdraw", args=[inquiry.pk]), {"note": "已履行"}
    )
    assert response.status_code == 302
    send(cal)
    page = client_for("city_office").get(reverse("enforcement:inquiry_figures"))
    assert page.status_code == 200
    assert page.context["figures"]["totals"]["asked"] == 1
