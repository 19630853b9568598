"""Progress reports: drafts autosave and stay the author's own; submitting records the due
date, marks a milestone reached, derives progress and moves the next report date.
Attachments are typed by their content."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuyuan.matters import actions
from fuyuan.matters.models import Feedback, FeedbackStatus, Matter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _monthly(world):
    today = timezone.localdate()
    return make_matter(
        world,
        state="assigned",
        deadline=today + datetime.timedelta(days=200),
        feedback_cadence="monthly",
        feedback_day=25,
        milestones=[
            {"title": "摸底", "due_date": today + datetime.timedelta(days=30), "weight": 1},
            {"title": "整改", "due_date": today + datetime.timedelta(days=90), "weight": 3},
        ],
    )


def test_draft_autosave_is_invisible_to_others_and_submit_moves_the_due_date(world, client_for):
    matter = _monthly(world)
    due = matter.next_feedback_due
    assert due is not None and due.day == 25
    client = client_for("hrss_liaison")
    saved = client.post(
        f"/matters/m/{matter.pk}/feedback/", {"text": "草稿内容一"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200 and "草稿内容一" not in saved.content.decode()
    client.post(f"/matters/m/{matter.pk}/feedback/", {"text": "草稿内容二"}, HTTP_HX_REQUEST="true")
    drafts = Feedback.objects.filter(matter=matter, status=FeedbackStatus.DRAFT)
    assert [d.text for d in drafts] == ["草稿内容二"]
    assert "草稿内容二" in client.get(f"/matters/m/{matter.pk}/").content.decode()
    assert (
        "草稿内容二"
        not in client_for("city_office").get(f"/matters/m/{matter.pk}/").content.decode()
    )

    stone = matter.milestones.get(title="摸底")
    response = client.post(
        f"/matters/m/{matter.pk}/feedback/submit/",
        {"text": "已完成摸底", "milestone": stone.pk},
    )
    assert response.status_code == 302
    report = Feedback.objects.get(matter=matter)
    assert report.status == FeedbackStatus.SUBMITTED and report.due_date == due
    matter = Matter.objects.get(pk=matter.pk)
    assert matter.next_feedback_due > due and matter.next_feedback_due.day == 25
    assert matter.progress == 25  # one of four weight units reached
    assert matter.next_milestone_due == matter.milestones.get(title="整改").due_date
    assert (
        "已完成摸底" in client_for("city_office").get(f"/matters/m/{matter.pk}/").content.decode()
    )


def test_only_the_author_submits_a_draft(world):
    matter = _monthly(world)
    draft = actions.save_feedback_draft(world.users["hrss_liaison"], matter, "x")
    with pytest.raises(PermissionDenied):
        actions.submit_feedback(world.users["city_office"], draft)
    with pytest.raises(PermissionDenied):
        actions.save_feedback_draft(world.users["housing_liaison"], matter, "y")


def test_typed_progress_is_the_fallback_without_milestones(world):
    matter = make_matter(world, state="assigned")
    liaison = world.users["hrss_liaison"]
    actions.submit_feedback(liaison, actions.save_feedback_draft(liaison, matter, "进展", 30))
    assert Matter.objects.get(pk=matter.pk).progress == 30


def test_attachment_type_is_judged_by_content(world):
    matter = make_matter(world, state="assigned")
    liaison = world.users["hrss_liaison"]
    pdf = actions.add_attachment(liaison, matter, SimpleUploadedFile("报告.pdf", PDF))
    assert pdf.content_type == "application/pdf"
    disguised = actions.add_attachment(liaison, matter, SimpleUploadedFile("照片.pdf", PNG))
    assert disguised.content_type == "image/png" and disguised.name == "照片.png"
    text = actions.add_attachment(
        liaison, matter, SimpleUploadedFile("说明.txt", "进展说明".encode("gb18030"))
    )
    assert text.content_type == "text/plain"
    for name, content in (("tool.exe", EXE), ("report.pdf", EXE), ("x.txt", b"\xff\xfe\x00\x81")):
        with pytest.raises(ValidationError) as refused:
            actions.add_attachment(liaison, matter, SimpleUploadedFile(name, content))
        assert refused.value.error_dict["file"][0].code == "attachment.type"
    with pytest.raises(PermissionDenied):
        actions.add_attachment(
            world.users["housing_liaison"], matter, SimpleUploadedFile("a.pdf", PDF)
        )


def test_attachment_size_limit(world, monkeypatch):
    monkeypatch.setattr(actions, "MAX_ATTACHMENT_BYTES", 10)
    matter = make_matter(world, state="assigned")
    with pytest.raises(ValidationError) as refused:
        actions.add_attachment(
            world.users["hrss_liaison"], matter, SimpleUploadedFile("a.pdf", PDF)
        )
    assert refused.value.error_dict["file"][0].code == "attachment.size"


def test_attachment_download_is_scoped(world, client_for):
    matter = make_matter(world, state="assigned")
    pdf = actions.add_attachment(
        world.users["hrss_liaison"], matter, SimpleUploadedFile("报告.pdf", PDF)
    )
    url = f"/matters/m/{matter.pk}/files/{pdf.pk}/"
    response = client_for("city_office").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert client_for("housing_liaison").get(url).status_code == 404
