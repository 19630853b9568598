"""The import pages of the court's exports: upload → preview (every row's problem, nothing
stored) → confirm; the hearings file uploaded with its cases file; the sample downloads;
who sees which batch."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.litigation.importers import CASES_FEED, HEARINGS_FEED
from fuyuan.litigation.models import AdminCase, Appearance, Hearing

from .test_importers import (
    CASE_HEADERS,
    GOOD_ROWS,
    HEARING_HEADERS,
    at,
    case_row,
    csv_file,
    hearing_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def upload(client, feed: str, file, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("litigation:import"), {"feed": feed, "file": file, **extra})


def test_the_upload_page_lists_both_feeds_and_their_samples(client_for):
    response = client_for("court_staff").get(reverse("litigation:import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert CASES_FEED in page and HEARINGS_FEED in page
    assert reverse("litigation:import_sample", args=["cases"]) + "?format=csv" in page
    assert reverse("litigation:import_sample", args=["hearings"]) + "?format=xlsx" in page
    assert "案号" in page and "负责人类别" in page


def test_upload_preview_and_confirm(world, client_for):
    client = client_for("court_staff")
    rows = [*GOOD_ROWS, case_row("（2026）豫17民初5号"), case_row("（2026）豫17行初8号",
            defendants="驻马店市不存在局")]  # fmt: skip
    response = upload(client, CASES_FEED, csv_file(rows))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("litigation:import_preview", args=[batch.pk])

    page = client.get(response.url).content.decode()
    assert 'data-code="litigation.not_administrative" data-row="5"' in page
    assert 'data-code="litigation.import.unknown_body" data-row="6"' in page
    assert "驻马店市不存在局" in page and 'id="import-confirm"' in page
    assert 'id="import-add-hearings"' in page
    assert not AdminCase.objects.exists()

    done = client.post(reverse("litigation:import_confirm", args=[batch.pk]))
    assert done.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportState.IMPORTED and batch.created_rows == 3
    assert AdminCase.objects.count() == 3
    page = client.get(reverse("litigation:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-done"' in page and 'id="import-confirm"' not in page

    # The same file again: a duplicate, nothing to confirm.
    again = upload(client_for("city_office"), CASES_FEED, csv_file(rows))
    duplicate = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert duplicate.state == ImportState.DUPLICATE_FILE
    page = client_for("city_office").get(again.url).content.decode()
    assert 'id="import-duplicate"' in page and 'id="import-confirm"' not in page


def test_a_file_without_the_required_columns_is_refused_on_the_upload_page(client_for):
    client = client_for("city_office")
    bad = SimpleUploadedFile("x.csv", "名称,日期\r\n甲,2026-01-01\r\n".encode("gb18030"))
    response = upload(client, CASES_FEED, bad)
    assert response.status_code == 302 and response.url == reverse("litigation:import")
    assert not ImportBatch.objects.exists()
    assert "案号" in client.get(response.url).content.decode()


def test_the_hearings_file_uploaded_from_the_cases_preview_imports_both(world, client_for):
    client = client_for("court_staff")
    upload(client, CASES_FEED, csv_file(GOOD_ROWS))
    cases = ImportBatch.objects.get()
    rows = [
        hearing_row("（2026）豫17行初3号", at(-20), name="王局长", rank="正职", spoke="是"),
        hearing_row("（2026）豫1722行初15号", at(15), state="待开庭"),
    ]
    response = upload(
        client, HEARINGS_FEED, csv_file(rows, headers=HEARING_HEADERS), cases_batch=cases.pk
    )
    hearings = ImportBatch.objects.get(feed=HEARINGS_FEED)
    assert hearings.options == {"cases_batch": cases.pk} and hearings.error_rows == 0
    page = client.get(response.url).content.decode()
    assert 'id="import-linked-cases"' in page

    client.post(reverse("litigation:import_confirm", args=[hearings.pk]))
    cases.refresh_from_db()
    hearings.refresh_from_db()
    assert cases.state == hearings.state == ImportState.IMPORTED
    assert AdminCase.objects.count() == 3 and Hearing.objects.count() == 2
    assert Appearance.objects.count() == 1


def test_confirming_the_cases_leads_to_the_waiting_hearings_file(world, client_for):
    client = client_for("court_staff")
    upload(client, CASES_FEED, csv_file(GOOD_ROWS))
    cases = ImportBatch.objects.get()
    rows = [hearing_row("（2026）豫17行初3号", at(15), state="待开庭")]
    upload(client, HEARINGS_FEED, csv_file(rows, headers=HEARING_HEADERS), cases_batch=cases.pk)
    hearings = ImportBatch.objects.get(feed=HEARINGS_FEED)
    done = client.post(reverse("litigation:import_confirm", args=[cases.pk]))
    assert done.url == reverse("litigation:import_preview", args=[hearings.pk])
    hearings.refresh_from_db()
    assert hearings.state == ImportState.PREVIEWED  # confirmed by its own button


def test_only_a_cases_batch_still_waiting_is_linked_to_a_hearings_file(world, client_for):
    upload(client_for("court_staff"), CASES_FEED, csv_file(GOOD_ROWS))
    cases = ImportBatch.objects.get()
    cases.state = ImportState.IMPORTED
    cases.save()
    rows = [hearing_row("（2026）豫17行初3号", at(15), state="待开庭")]
    upload(
        client_for("city_office"),
        HEARINGS_FEED,
        csv_file(rows, headers=HEARING_HEADERS),
        cases_batch=cases.pk,
    )
    assert ImportBatch.objects.get(feed=HEARINGS_FEED).options == {}  # not waiting any more


def test_samples_download_as_xlsx_and_gb18030_csv(client_for):
    client = client_for("a_office")
    xlsx = client.get(reverse("litigation:import_sample", args=["cases"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == list(CASE_HEADERS)
    csv = client.get(reverse("litigation:import_sample", args=["hearings"]), {"format": "csv"})
    assert csv.status_code == 200
    assert csv.content.decode("gb18030").splitlines()[0] == ",".join(HEARING_HEADERS)
    assert client.get(reverse("litigation:import_sample", args=["x"])).status_code == 404
    assert (
        client.get(
            reverse("litigation:import_sample", args=["cases"]), {"format": "pdf"}
        ).status_code
        == 404
    )
    assert (
        client_for("hrss_liaison")
        .get(reverse("litigation:import_sample", args=["cases"]))
        .status_code
        == 403
    )


def test_who_sees_and_confirms_a_batch(world, client_for):
    upload(client_for("court_staff"), CASES_FEED, csv_file(GOOD_ROWS))
    batch = ImportBatch.objects.get()
    preview = reverse("litigation:import_preview", args=[batch.pk])
    confirm = reverse("litigation:import_confirm", args=[batch.pk])
    for name in ("hrss_liaison", "city_leader", "system_admin"):
        assert client_for(name).get(preview).status_code == 404
        assert client_for(name).post(confirm).status_code == 404
        assert client_for(name).get(reverse("litigation:import")).status_code == 403
    assert client_for("a_office").get(preview).status_code == 200
    # A batch of another feed is not shown here.
    other = ImportBatch.objects.create(
        feed="exchange.debtors",
        name="x.csv",
        sha256="0" * 64,
        uploaded_by=world.users["court_staff"],
    )
    url = reverse("litigation:import_preview", args=[other.pk])
    assert client_for("court_staff").get(url).status_code == 404
    assert not AdminCase.objects.exists()


def test_the_preview_page_makes_the_same_queries_for_2_or_40_problems(
    world, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("court_staff")
    few = [case_row(f"（2026）豫17民初{i}号") for i in range(2)]
    many = [case_row(f"（2026）豫17民初{i}号") for i in range(100, 140)]
    upload(client, CASES_FEED, csv_file(few, name="few.csv"))
    upload(client, CASES_FEED, csv_file(many, name="many.csv"))
    small, large = ImportBatch.objects.order_by("pk")
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("litigation:import_preview", args=[small.pk]))
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get(reverse("litigation:import_preview", args=[large.pk]))
