"""The importer's view helpers (core.import_views) mounted the way an app mounts them
(import_test_urls): upload → preview with every problem → confirm, rows held to confirm,
a file imported twice, refusals, visibility, pagination and flat query counts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import CalendarDay, ImportBatch, ImportState

from .import_test_urls import CountingFeed, DayFeed

pytestmark = [pytest.mark.django_db, pytest.mark.urls("fuyuan.core.tests.import_test_urls")]

GOOD = "日期,类型,名称\n2024-10-01,放假,国庆\n2024-10-02,放假,国庆\n"
WITH_PROBLEMS = (
    "日期,类型,名称\n"
    "2024-10-01,放假,国庆\n"  # row 2 good
    "2024-13-01,放假,\n"  # row 3 not a date
    "2024-10-14,上班,\n"  # row 4 held: a moved working day on a Monday
    "2024/10/1,放假,\n"  # row 5 repeats row 2
)


@pytest.fixture(autouse=True)
def _feeds(settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    for feed in (DayFeed(), CountingFeed()):
        monkeypatch.setitem(importing._FEEDS, feed.name, feed)


def _file(text: str, name: str = "days.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _upload(client, text: str, feed: str = "test.days", **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("import_test_upload"), {"feed": feed, "file": _file(text, **extra)})


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_upload_page_lists_the_feeds_and_their_columns(client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("city_office").get(reverse("import_test_upload"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Calendar days" in page and "Counted rows" in page
    assert "日期" in page and "节日" in page  # accepted header names
    assert "<script>" not in page and "style=" not in page


def test_upload_preview_confirm_stores_the_good_rows(client_for, world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    response = _upload(client, WITH_PROBLEMS, encoding="gb18030")
    batch = ImportBatch.objects.get()
    preview_url = reverse("import_test_preview", args=[batch.pk])
    assert response.status_code == 302 and response["Location"] == preview_url
    assert batch.options == {"source": "test"}

    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="import.date" data-row="3"' in html
    assert 'data-code="test.workday_on_weekday" data-row="4"' in html
    assert 'data-code="import.duplicate_row" data-row="5"' in html
    assert "<mark>2024-13-01</mark>" in html  # the cell in error is marked
    assert "共 3 条" in html
    assert 'id="import-confirm"' in html and 'name="accept_held"' in html
    assert CalendarDay.objects.count() == 0

    confirm_url = reverse("import_test_confirm", args=[batch.pk])
    response = client.post(confirm_url, {})
    assert response.status_code == 302 and response["Location"] == preview_url
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [datetime.date(2024, 10, 1)]
    batch.refresh_from_db()
    assert batch.state == ImportState.IMPORTED and batch.created_rows == 1
    assert AuditEntry.objects.filter(action="import.test.days").count() == 1

    html = client.get(preview_url).content.decode()
    assert 'id="import-done"' in html and 'id="import-confirm"' not in html


def test_accepting_held_rows_needs_a_reason(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    _upload(client, WITH_PROBLEMS)
    batch = ImportBatch.objects.get()
    confirm_url = reverse("import_test_confirm", args=[batch.pk])

    response = client.post(confirm_url, {"accept_held": "on", "reason": ""})
    assert response.status_code == 302
    assert _messages(response)  # the reason is asked for
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED and CalendarDay.objects.count() == 0

    client.post(confirm_url, {"accept_held": "on", "reason": "国务院办公厅通知的调休"})
    batch.refresh_from_db()
    assert batch.state == ImportState.IMPORTED and batch.accepted_held
    assert CalendarDay.objects.filter(date=datetime.date(2024, 10, 14), kind="workday").exists()


def test_a_file_uploaded_again_after_import_is_shown_as_duplicate(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    _upload(client, GOOD)
    first = ImportBatch.objects.get()
    client.post(reverse("import_test_confirm", args=[first.pk]), {})

    response = _upload(client_for("a_office"), GOOD, name="again.csv")
    again = ImportBatch.objects.exclude(pk=first.pk).get()
    assert again.state == ImportState.DUPLICATE_FILE
    html = client.get(response["Location"]).content.decode()
    assert 'id="import-duplicate"' in html and 'id="import-confirm"' not in html

    response = client.post(reverse("import_test_confirm", args=[again.pk]), {})
    assert response.status_code == 302
    assert CalendarDay.objects.count() == 2
    assert AuditEntry.objects.filter(action="import.test.days").count() == 1


def test_a_file_without_the_required_columns_goes_back_with_a_message(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    response = _upload(client, "名称\n国庆\n")
    assert response.status_code == 302
    assert response["Location"] == reverse("import_test_upload")
    assert _messages(response)
    assert not ImportBatch.objects.exists()


def test_a_missing_file_goes_back_with_a_message(client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("city_office").post(reverse("import_test_upload"), {"feed": "test.days"})
    assert response.status_code == 302 and _messages(response)
    assert not ImportBatch.objects.exists()


def test_a_failing_store_is_reported_and_nothing_is_stored(client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    feed = importing.get("test.days")
    monkeypatch.setattr(feed, "fail_on_call", 1)
    client = client_for("city_office")
    _upload(client, GOOD)
    batch = ImportBatch.objects.get()
    response = client.post(reverse("import_test_confirm", args=[batch.pk]), {})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED and CalendarDay.objects.count() == 0
    html = client.get(reverse("import_test_preview", args=[batch.pk])).content.decode()
    assert 'id="import-failed"' in html and "the store broke" in html
    assert 'id="import-confirm"' in html  # may be confirmed again once fixed


@pytest.mark.parametrize(
    ("user", "upload_page", "preview", "confirm"),
    [
        ("city_office", 200, 200, 302),
        ("a_office", 200, 200, 302),  # another office that may import to the feed
        ("court_staff", 403, 404, 404),
        ("hrss_liaison", 403, 404, 404),
        ("nobody", 403, 404, 404),
    ],
)
def test_who_may_upload_see_and_confirm(  # type: ignore[no-untyped-def]
    client_for, world, user, upload_page, preview, confirm
) -> None:
    batch = importing.preview("test.days", _file(GOOD), world.users["city_office"])
    client = client_for(user)
    assert client.get(reverse("import_test_upload")).status_code == upload_page
    assert client.get(reverse("import_test_preview", args=[batch.pk])).status_code == preview
    response = client.post(reverse("import_test_confirm", args=[batch.pk]), {})
    assert response.status_code == confirm


def test_anonymous_is_sent_to_sign_in_and_confirm_needs_post(client, client_for, world) -> None:  # type: ignore[no-untyped-def]
    batch = importing.preview("test.days", _file(GOOD), world.users["city_office"])
    response = client.get(reverse("import_test_preview", args=[batch.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    office = client_for("city_office")
    assert office.get(reverse("import_test_confirm", args=[batch.pk])).status_code == 405
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED


def test_issues_are_paginated_and_filtered_by_level_in_the_url(client_for, world) -> None:  # type: ignore[no-untyped-def]
    lines = ["日期,类型"] + [f"2023-02-{30 + i % 2},放假" for i in range(60)] + ["2024-10-14,上班"]
    batch = importing.preview("test.days", _file("\n".join(lines)), world.users["city_office"])
    client = client_for("city_office")
    url = reverse("import_test_preview", args=[batch.pk])

    html = client.get(url).content.decode()
    assert "共 61 条" in html and "page=2" in html
    html = client.get(url, {"page": 2}).content.decode()
    assert html.count('data-code="import.date"') == 10
    assert 'data-code="test.workday_on_weekday" data-row="62"' in html

    html = client.get(url, {"level": "warning"}).content.decode()
    assert "共 1 条" in html and 'data-code="import.date"' not in html
    html = client.get(url, {"level": "error", "page": 2}).content.decode()
    assert "level=error&amp;page=1" in html  # the filter is kept in the page links


def test_preview_queries_stay_flat_with_more_issues(  # type: ignore[no-untyped-def]
    client_for, world, django_assert_max_num_queries
) -> None:
    office = world.users["city_office"]
    client = client_for("city_office")
    small = importing.preview("test.days", _file("日期,类型\n2023-02-30,放假\n"), office)
    many = "日期,类型\n" + "".join(f"2023-02-30,{i}\n" for i in range(40))
    large = importing.preview("test.days", _file(many, name="many.csv"), office)
    client.get(reverse("import_test_preview", args=[small.pk]))  # warm the session and scope
    with django_assert_max_num_queries(12) as small_queries:
        client.get(reverse("import_test_preview", args=[small.pk]))
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        client.get(reverse("import_test_preview", args=[large.pk]))


def test_recent_batches_are_listed_on_the_upload_page(client_for, world) -> None:  # type: ignore[no-untyped-def]
    batch = importing.preview("test.days", _file(GOOD, name="国庆.csv"), world.users["city_office"])
    html = client_for("a_office").get(reverse("import_test_upload")).content.decode()
    assert reverse("import_test_preview", args=[batch.pk]) in html and "国庆.csv" in html
    html = client_for("city_office").get(reverse("import_test_upload")).content.decode()
    assert "国庆.csv" in html


def test_a_file_with_only_bad_rows_offers_no_confirmation(client_for, world) -> None:  # type: ignore[no-untyped-def]
    batch = importing.preview(
        "test.days", _file("日期,类型\n2023-02-30,放假\n"), world.users["city_office"]
    )
    html = client_for("city_office").get(reverse("import_test_preview", args=[batch.pk]))
    page = html.content.decode()
    assert 'data-code="import.date"' in page and 'id="import-confirm"' not in page
