"""The recommendation pages: the list with its filters and overdue marks (query count flat
with 1 and 10 rows), registering and editing a draft, the page with the graph's buttons,
delivery, the per-item reply form, close-out, urging and files — and who gets 404 / 403."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fuyuan.litigation import recommendation_actions as actions
from fuyuan.litigation.models import Recommendation, RecommendationAttachment
from fuyuan.matters.models import Matter

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def _today() -> datetime.date:
    return timezone.localdate()


def _draft(world, title: str = "关于规范劳动保障监察执法的司法建议", n: int = 0, **extra):  # type: ignore[no-untyped-def]
    fields = {
        "kind": "judicial",
        "scope": "case_type",
        "issuer": world.units["court"],
        "recipient": world.units["hrss"],
        "title": title,
        "content": "审理中发现的问题。",
        "items": ["规范送达程序", "加强执法培训"],
    }
    fields.update(extra)
    return actions.create_recommendation(world.users["court_staff"], **fields)


def _delivered(world, title: str = "已送达的司法建议", days_ago: int = 5, **extra):  # type: ignore[no-untyped-def]
    rec = _draft(world, title=title, **extra)
    return actions.deliver(
        world.users["court_staff"], rec, _today() - datetime.timedelta(days=days_ago)
    )


def _detail(rec: Recommendation) -> str:
    return reverse("litigation:recommendation_detail", args=[rec.pk])


# --- the list ---------------------------------------------------------------------------------
def test_list_shows_the_count_filters_and_marks_overdue_rows(world, client_for):
    _draft(world, title="草稿建议")
    _delivered(world, title="按期中的建议")
    _delivered(world, title="逾期未复的建议", days_ago=70, kind="review_report")
    url = reverse("litigation:recommendation_list")
    page = client_for("court_staff").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "草稿建议" in html and "按期中的建议" in html and "逾期未复的建议" in html
    assert "table-danger" in html
    assert page.context["page"].paginator.count == 3

    overdue = client_for("court_staff").get(url, {"overdue": "on"}).content.decode()
    assert "逾期未复的建议" in overdue and "按期中的建议" not in overdue
    by_kind = client_for("court_staff").get(url, {"kind": "review_report"})
    assert [r.title for r in by_kind.context["page"]] == ["逾期未复的建议"]
    drafts = client_for("court_staff").get(url, {"state": "draft"})
    assert [r.title for r in drafts.context["page"]] == ["草稿建议"]
    year = client_for("court_staff").get(url, {"year": _today().year, "scope": "case_type"})
    assert year.context["page"].paginator.count == 3
    by_recipient = client_for("court_staff").get(url, {"recipient": world.units["housing"].pk})
    assert by_recipient.status_code == 200  # not a recipient of any: the filter ignores it
    # The recipient sees delivered ones only; another unit none.
    hrss = client_for("hrss_liaison").get(url)
    assert hrss.context["page"].paginator.count == 2
    assert client_for("housing_liaison").get(url).context["page"].paginator.count == 0
    assert client_for("system_admin").get(url).status_code == 403


def test_list_query_count_is_the_same_for_1_and_10_rows(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("city_office")
    url = reverse("litigation:recommendation_list")
    counts = []
    for rows in (1, 10):
        while Recommendation.objects.count() < rows:
            _delivered(world, title=f"建议{Recommendation.objects.count()}", items=["一", "二"])
        client.get(url)  # warm the session and menus
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.context["page"].paginator.count == rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 16


# --- registering and editing ------------------------------------------------------------------
def test_court_registers_a_draft_with_one_item_per_line(world, client_for):
    client = client_for("court_staff")
    assert client.get(reverse("litigation:recommendation_create")).status_code == 200
    response = client.post(
        reverse("litigation:recommendation_create"),
        {
            "kind": "judicial",
            "scope": "single_case",
            "issuer": world.units["court"].pk,
            "recipient": world.units["hrss"].pk,
            "document_number": "驻中法建〔2026〕8号",
            "title": "关于工伤认定程序的司法建议",
            "content": "审理（2026）豫17行初12号案件中发现。",
            "items": "1. 严格落实告知程序\n\n2. 规范调查取证",
            "case_numbers": "（2026）豫1722民初88号",
        },
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert response["Location"] == _detail(rec)
    assert [i.text for i in rec.items.order_by("order")] == ["严格落实告知程序", "规范调查取证"]
    assert rec.case_numbers == "（2026）豫1722民初88号"
    assert (
        client_for("hrss_liaison").get(reverse("litigation:recommendation_create")).status_code
        == 403
    )


def test_registration_errors_come_back_on_the_form(world, client_for):
    response = client_for("court_staff").post(
        reverse("litigation:recommendation_create"),
        {
            "kind": "procuratorial",
            "scope": "single_case",
            "issuer": world.units["court"].pk,
            "recipient": world.units["hrss"].pk,
            "title": "t",
            "content": "c",
            "items": "一项",
            "document_number": "驻中法建〔2026〕第8号",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("issuer", "litigation.issuer_kind")
    assert form.has_error("document_number", "docno.format")
    assert not Recommendation.objects.exists()


def test_issuer_edits_the_draft_and_cannot_once_delivered(world, client_for):
    rec = _draft(world)
    client = client_for("court_staff")
    url = reverse("litigation:recommendation_edit", args=[rec.pk])
    assert "规范送达程序" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": rec.version,
            "kind": "judicial",
            "scope": "general",
            "issuer": world.units["court"].pk,
            "recipient": world.units["hrss"].pk,
            "title": "改后的标题",
            "content": "c",
            "items": "唯一一项",
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.title == "改后的标题" and rec.items.count() == 1
    actions.deliver(world.users["court_staff"], rec, _today())
    assert client.get(url).status_code == 403
    assert client_for("hrss_liaison").get(url).status_code == 403


# --- the page and the flow --------------------------------------------------------------------
def test_detail_shows_the_graphs_buttons_for_each_side_and_404_for_others(world, client_for):
    rec = _draft(world)
    court = client_for("court_staff").get(_detail(rec))
    assert court.status_code == 200
    assert court.context["can_deliver"] and court.context["can_edit"]
    assert client_for("hrss_liaison").get(_detail(rec)).status_code == 404  # a draft
    actions.deliver(world.users["court_staff"], rec, _today())
    hrss = client_for("hrss_liaison").get(_detail(rec))
    assert hrss.status_code == 200
    assert hrss.context["can_reply"] and not hrss.context["can_urge"]
    assert reverse("litigation:recommendation_reply", args=[rec.pk]) in hrss.content.decode()
    # The recipient leads the item matters: their links are shown.
    matter = Matter.objects.order_by("pk").first()
    assert reverse("matters:matter_detail", args=[matter.pk]) in hrss.content.decode()
    court = client_for("court_staff").get(_detail(rec))
    assert court.context["can_urge"] and not court.context["can_reply"]
    assert client_for("city_leader").get(_detail(rec)).status_code == 200
    for other in ("housing_liaison", "a_office", "b_court_staff"):
        assert client_for(other).get(_detail(rec)).status_code == 404, other
    assert client_for("audit_admin").get(_detail(rec)).status_code == 403


def test_delivery_reply_and_close_out_through_the_pages(world, client_for):
    rec = _draft(world)
    court = client_for("court_staff")
    deliver = reverse("litigation:recommendation_transition", args=[rec.pk, "deliver"])
    assert court.get(deliver).status_code == 405
    assert client_for("hrss_liaison").post(deliver, {"delivered_on": _today()}).status_code == 404
    response = court.post(deliver, {"version": rec.version, "delivered_on": _today().isoformat()})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.state == "delivered" and Matter.objects.count() == 2

    hrss = client_for("hrss_liaison")
    reply_url = reverse("litigation:recommendation_reply", args=[rec.pk])
    assert court.get(reply_url).status_code == 403
    form_page = hrss.get(reply_url)
    assert form_page.status_code == 200
    first, second = rec.items.order_by("order")
    assert f'name="adoption_{first.pk}"' in form_page.content.decode()
    missing_reason = hrss.post(
        reply_url,
        {
            "replied_on": _today().isoformat(),
            "reply_text": "已研究。",
            f"adoption_{first.pk}": "adopted",
            f"adoption_{second.pk}": "not_adopted",
        },
    )
    assert missing_reason.status_code == 200
    assert missing_reason.context["form"].has_error(
        f"reason_{second.pk}", "litigation.adoption_reason_required"
    )
    response = hrss.post(
        reply_url,
        {
            "replied_on": _today().isoformat(),
            "reply_text": "已研究并整改。",
            f"adoption_{first.pk}": "adopted",
            f"adoption_{second.pk}": "not_adopted",
            f"reason_{second.pk}": "上位法另有规定",
            "file": SimpleUploadedFile("回复函.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.state == "replied"
    assert RecommendationAttachment.objects.get(recommendation=rec).kind == "reply"
    page = court.get(_detail(rec)).content.decode()
    assert "上位法另有规定" in page and "已研究并整改。" in page

    close = reverse("litigation:recommendation_transition", args=[rec.pk, "close"])
    assert hrss.post(close, {"comment": "x"}).status_code == 403
    no_comment = court.post(close, {"version": rec.version, "comment": ""})
    assert no_comment.status_code == 200
    assert no_comment.context["transition_form"].has_error("comment", "workflow.comment_required")
    response = court.post(close, {"version": rec.version, "comment": "整改到位。"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.state == "closed"
    unknown = reverse("litigation:recommendation_transition", args=[rec.pk, "reply"])
    assert court.post(unknown).status_code == 404


def test_urge_by_the_office_from_the_page(world, client_for):
    rec = _delivered(world, days_ago=70)
    url = reverse("litigation:recommendation_urge", args=[rec.pk])
    assert client_for("hrss_liaison").post(url).status_code == 403
    assert client_for("a_office").post(url).status_code == 404
    assert client_for("city_office").get(url).status_code == 405
    response = client_for("city_office").post(url, {"note": "请于本周内回复。"})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.last_urged_on == _today()
    assert "Reply overdue" in client_for("city_office").get(_detail(rec)).content.decode() or (
        "逾期" in client_for("city_office").get(_detail(rec)).content.decode()
    )


def test_files_are_added_and_downloaded_by_those_who_see_the_recommendation(world, client_for):
    rec = _delivered(world)
    url = reverse("litigation:recommendation_attachment_add", args=[rec.pk])
    response = client_for("court_staff").post(
        url, {"kind": "letter", "file": SimpleUploadedFile("建议书.pdf", PDF)}
    )
    assert response.status_code == 302
    att = RecommendationAttachment.objects.get()
    assert att.kind == "letter"
    refused = client_for("hrss_liaison").post(
        url, {"kind": "letter", "file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert refused.status_code == 200  # "letter" is not a choice for the recipient
    assert refused.context["attachment_form"].has_error("kind")
    download = reverse("litigation:recommendation_attachment_download", args=[rec.pk, att.pk])
    got = client_for("hrss_liaison").get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF
    assert client_for("housing_liaison").get(download).status_code == 404
