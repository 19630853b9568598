"""Pages of the debtor list: filters (name, exact identifier through the blind index, court,
state, party, year), "共 N 条" and pages with the filters kept, the entry's page, removal
and confirmation of a held entry (audited), the import pages and sample files; the list's
queries do not grow with its rows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.enforcement.models import DebtorRecord, DebtorState, PartyKind
from fuyuan.enforcement.samples import make_samples as samples

from .test_masking import CLEAR, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime.datetime(2025, 12, 1, 10, 0), tick=False):
        yield


def test_the_list_filters_by_exact_identifier_name_state_party_and_year(world, client_for):
    make_entry(1, published_on=datetime.date(2024, 6, 1))
    make_entry(
        2,
        identifier="91411700MA44B7KX47",
        name="驻马店市恒达建材有限公司",
        party_kind=PartyKind.ORGANISATION,
        published_on=datetime.date(2025, 3, 1),
    )
    make_entry(3, identifier="41172119900315432X", name="李秀英", state=DebtorState.REMOVED)
    client = client_for("housing_liaison")
    url = reverse("enforcement:debtor_list")

    def names(query: str) -> list[str]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        return [e.name for e in response.context["page"]]

    assert sorted(names("")) == sorted(["张建国", "驻马店市恒达建材有限公司", "李秀英"])
    assert names(f"ident={CLEAR.lower()}") == ["张建国"]
    assert names("ident=91411700 MA44B7KX47") == ["驻马店市恒达建材有限公司"]
    assert names("q=恒达") == ["驻马店市恒达建材有限公司"]
    assert names("state=removed") == ["李秀英"]
    assert names("party_kind=organisation") == ["驻马店市恒达建材有限公司"]
    assert names("year=2024") == ["张建国"]
    assert names("court=中级") and not names("court=西平")


def test_the_list_counts_and_keeps_filters_across_pages(world, client_for):
    for n in range(35):
        make_entry(100 + n, identifier=f"4117021975081{n:04d}"[:17] + "X", name="刘某")
    response = client_for("court_staff").get(reverse("enforcement:debtor_list") + "?q=刘某")
    body = response.content.decode()
    assert response.context["page"].paginator.count == 35
    assert "q=%E5%88%98%E6%9F%90&amp;page=2" in body


def test_admins_and_anonymous_do_not_see_the_list(world, client_for, client):
    assert client_for("system_admin").get(reverse("enforcement:debtor_list")).status_code == 403
    assert client.get(reverse("enforcement:debtor_list")).status_code == 302


def test_list_queries_stay_flat(world, client_for, django_assert_max_num_queries):
    client = client_for("court_staff")
    make_entry(1)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("enforcement:debtor_list"))
    for n in range(2, 12):
        make_entry(n, identifier=f"41170219750812{n:03d}"[:17] + "X")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("enforcement:debtor_list"))


def test_removal_from_the_entry_page_is_audited_and_stops_the_entry(world, client_for):
    entry = make_entry(published_on=datetime.date(2024, 6, 1))
    url = reverse("enforcement:debtor_remove", args=[entry.pk])
    assert client_for("hrss_liaison").post(url, {}).status_code == 403
    client = client_for("court_staff")
    bad = client.post(url, {"removed_on": "2024-01-01", "reason": "performed"})
    assert bad.status_code == 400
    assert (
        "enforcement.removed_before_published" in str(bad.context["removal_form"].errors.as_data())
        or bad.context["removal_form"].errors
    )
    no_note = client.post(url, {"removed_on": "2025-11-20", "reason": "corrected"})
    assert no_note.status_code == 400
    response = client.post(url, {"removed_on": "2025-11-20", "reason": "performed"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == DebtorState.REMOVED
    assert entry.removed_on == datetime.date(2025, 11, 20)
    assert not DebtorRecord.objects.hitting().filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="enforcement.debtor.remove").count() == 1


def test_a_held_entry_is_confirmed_with_a_reason(world, client_for):
    entry = make_entry(state=DebtorState.TO_CONFIRM, hold_reason="校验码不符")
    url = reverse("enforcement:debtor_confirm", args=[entry.pk])
    client = client_for("city_office")
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "已与法院核对"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == DebtorState.ACTIVE
    assert "已与法院核对" in entry.hold_reason


def test_import_pages_upload_preview_and_confirm_a_court_file(world, client_for):
    client = client_for("court_staff")
    page = client.get(reverse("enforcement:debtor_import"))
    assert page.status_code == 200
    assert reverse("enforcement:debtor_sample", args=["debtors"]) in page.content.decode()
    upload = SimpleUploadedFile("list.json", samples.build("debtors", "json"))
    response = client.post(
        reverse("enforcement:debtor_import"), {"feed": "enforcement.debtors", "file": upload}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    preview = client.get(reverse("enforcement:debtor_import_preview", args=[batch.pk]))
    assert preview.status_code == 200
    response = client.post(reverse("enforcement:debtor_import_confirm", args=[batch.pk]), {})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportState.IMPORTED
    assert DebtorRecord.objects.count() == len(samples.GOOD)


def _cells(content: bytes) -> list[tuple[object, ...]]:
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-utf8", "json"])
def test_sample_files_download_for_importers_only(world, client_for, fmt):
    url = reverse("enforcement:debtor_sample", args=["debtors"]) + f"?format={fmt}"
    response = client_for("a_office").get(url)
    assert response.status_code == 200
    expected = samples.build("debtors", fmt)
    if fmt == "xlsx":  # the file's own timestamps differ from one second to the next
        assert _cells(response.content) == _cells(expected)
    else:
        assert response.content == expected
    assert client_for("hrss_liaison").get(url).status_code == 403
