"""The court's ledger of bankruptcy cases (feed `bankruptcy.cases`): the sample files as
GB18030 CSV and .xlsx, each refused row with the case actions' codes, good rows registered
through `create_case` (each audited) with one batch entry, later files updating cases through
`update_case`, the same file twice, who may import, the pages and the case list's button."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.bankruptcy import actions
from fuyuan.bankruptcy.importers import CASES_FEED
from fuyuan.bankruptcy.models import BankruptcyCase, CaseStage
from fuyuan.bankruptcy.samples import make_samples as samples
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportState

pytestmark = pytest.mark.django_db

FORMATS = {"csv": "bankruptcy_cases_gb18030.csv", "xlsx": "bankruptcy_cases.xlsx"}
GOOD = len(samples.GOOD)
REFUSED = len(samples.REFUSED)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def sample(fmt: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(FORMATS[fmt], samples.build(fmt))


def csv_file(*rows: tuple[Any, ...], name: str = "cases.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(samples.HEADERS)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])
    return SimpleUploadedFile(name, out.getvalue().encode("gb18030"))


def preview(world: Any, upload: Any, user: str = "court_staff") -> ImportBatch:
    return importing.preview(CASES_FEED, upload, world.users[user])


def codes_by_row(batch: ImportBatch) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for number, code in batch.issues.values_list("row_number", "code"):
        found.setdefault(number, set()).add(code)
    return found


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_preview_reports_every_refused_row_with_its_code(world, fmt):
    batch = preview(world, sample(fmt))
    assert (batch.ok_rows, batch.error_rows, batch.duplicate_rows) == (GOOD, REFUSED, 1)
    codes = codes_by_row(batch)
    for i, (_row, code) in enumerate(samples.REFUSED):
        assert code in codes[GOOD + i + 2], (i, code, codes)
    assert codes[len(samples.ROWS) + 1] == {"import.duplicate_row"}
    assert not BankruptcyCase.objects.exists()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_confirm_registers_the_good_rows_through_the_action(world, fmt):
    batch = importing.confirm(preview(world, sample(fmt)), world.users["court_staff"])
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert batch.created_rows == GOOD
    cases = {c.number: c for c in BankruptcyCase.objects.all()}
    assert set(cases) == {row[0] for row in samples.GOOD}
    application = cases["（2025）豫17破申3号"]
    assert (application.stage, application.type_code, application.employees) == (
        CaseStage.APPLICATION,
        "破申",
        120,
    )
    liquidation = cases["（2024）豫17破7号"]
    assert liquidation.no_assets and liquidation.stage == CaseStage.LIQUIDATION
    assert liquidation.mechanism == world.mechanisms["city"]
    assert liquidation.administrator_contact == "0396-2881234"
    assert cases["（2024）豫17破12号"].employees == 310  # "310人"
    concluded = cases["（2023）豫17破3号"]
    assert concluded.stage == CaseStage.CONCLUDED  # told by its conclusion date
    assert concluded.concluded_on == datetime.date(2024, 9, 30)
    entries = list(AuditEntry.objects.values_list("action", flat=True))
    assert entries.count("bankruptcy.case.create") == GOOD
    assert entries.count("import.bankruptcy.cases") == 1


def test_the_same_file_twice_is_a_duplicate_and_the_same_rows_are_unchanged(world):
    staff = world.users["court_staff"]
    importing.confirm(preview(world, sample("csv")), staff)
    assert preview(world, sample("csv")).state == ImportState.DUPLICATE_FILE
    other = importing.confirm(preview(world, sample("xlsx")), staff)
    assert (other.created_rows, other.updated_rows, other.unchanged_rows) == (0, 0, GOOD)


def test_a_later_file_moves_a_case_on_through_update_case(world):
    row = list(samples.GOOD[1])
    importing.confirm(preview(world, csv_file(tuple(row))), world.users["court_staff"])
    row[8] = datetime.date(2025, 6, 30)  # concluded
    row[9] = "已终结"
    row[4] = ""  # an empty cell keeps the administrator
    batch = importing.confirm(
        preview(world, csv_file(tuple(row), name="later.csv")), world.users["court_staff"]
    )
    assert batch.updated_rows == 1
    case = BankruptcyCase.objects.get()
    assert (case.stage, case.concluded_on) == (CaseStage.CONCLUDED, datetime.date(2025, 6, 30))
    assert case.administrator == "河南天中律师事务所"
    update = AuditEntry.objects.get(action="bankruptcy.case.update")
    assert update.after["stage"] == "concluded"


def test_a_later_file_is_checked_against_the_stored_case(world):
    row = list(samples.GOOD[1])
    importing.confirm(preview(world, csv_file(tuple(row))), world.users["court_staff"])
    row[9] = "破产申请审查"  # back to the application while accepted
    batch = preview(world, csv_file(tuple(row), name="later.csv"))
    assert "bankruptcy.stage_mismatch" in codes_by_row(batch)[2]


def test_who_may_import_and_the_remit_of_a_court(world):
    for name in ("city_office", "hrss_liaison", "city_leader", "audit_admin"):
        with pytest.raises(PermissionDenied):
            preview(world, sample("csv"), user=name)
    batch = preview(world, sample("csv"), user="b_court_staff")
    assert "bankruptcy.import.outside_remit" in codes_by_row(batch)[2]
    assert batch.ok_rows == 1
    importing.confirm(batch, world.users["b_court_staff"])
    case = BankruptcyCase.objects.get()
    assert (case.number, case.court) == ("（2024）豫1722破5号", world.units["b_court"])
    assert case.mechanism == world.mechanisms["b"]


def test_a_push_of_the_ledger_goes_through_the_same_action(world):
    batch, _ = importing.submit(CASES_FEED, sample("xlsx"), world.users["court_staff"])
    batch = importing.process(batch)
    assert (batch.state, batch.created_rows, batch.error_rows) == ("imported", GOOD, REFUSED)


def test_a_rule_broken_after_the_preview_fails_the_batch(world, monkeypatch):
    batch = preview(world, sample("csv"))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ValidationError({"number": [ValidationError("taken", code="bankruptcy.x")]})

    monkeypatch.setattr(actions, "create_case", refuse)
    batch = importing.confirm(batch, world.users["court_staff"])
    assert (batch.state, batch.failure_code) == (ImportState.FAILED, "bankruptcy.x")
    assert not BankruptcyCase.objects.exists()


# --- pages --------------------------------------------------------------------------------------
def test_the_upload_preview_and_confirm_pages(world, client_for):
    client = client_for("court_staff")
    page = client.get(reverse("bankruptcy:case_import"))
    assert page.status_code == 200
    assert reverse("bankruptcy:case_import_sample") in page.content.decode()
    response = client.post(
        reverse("bankruptcy:case_import"), {"feed": CASES_FEED, "file": sample("csv")}
    )
    batch = ImportBatch.objects.get(feed=CASES_FEED)
    assert response.url == reverse("bankruptcy:case_import_preview", args=[batch.pk])
    shown = client.get(response.url)
    assert 'data-code="bankruptcy.not_bankruptcy_case"' in shown.content.decode()
    done = client.post(reverse("bankruptcy:case_import_confirm", args=[batch.pk]))
    assert done.status_code == 302
    assert BankruptcyCase.objects.count() == GOOD


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_samples_download(world, client_for, fmt):
    url = reverse("bankruptcy:case_import_sample") + f"?format={fmt}"
    response = client_for("court_staff").get(url)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(importing.read_table(io.BytesIO(response.content), f"sample.{fmt}"))
    assert len(rows) == len(samples.ROWS)


def test_others_may_not_use_the_import_pages(world, client_for):
    client = client_for("city_office")
    assert client.get(reverse("bankruptcy:case_import")).status_code == 403
    assert client.get(reverse("bankruptcy:case_import_sample")).status_code == 403
    batch = preview(world, sample("csv"))
    url = reverse("bankruptcy:case_import_preview", args=[batch.pk])
    assert client_for("hrss_liaison").get(url).status_code == 404
    assert client_for("b_court_staff").get(url).status_code == 200  # may import to the feed


def test_the_case_list_shows_the_import_button_to_court_staff_only(world, client_for):
    url = reverse("bankruptcy:case_list")
    assert 'id="case-import"' in client_for("court_staff").get(url).content.decode()
    assert 'id="case-import"' not in client_for("city_office").get(url).content.decode()
