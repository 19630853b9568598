"""The court's ledger of government-debtor and livelihood cases (feed `enforcement.cases`): the
sample files as GB18030 CSV and .xlsx, each refused row with its code, good rows registered
through the case actions (matters opened, each audited) with one batch entry, updates of
registered cases (payments, plan, closing, fixed fields), the same file twice, who may
import, the pages (upload, preview, confirm, samples) and the case list's button."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.enforcement import case_actions
from fuyuan.enforcement.case_importers import CASES_FEED
from fuyuan.enforcement.models import EnforcementCase, EnforcementCaseState
from fuyuan.enforcement.samples import make_case_samples as samples

pytestmark = pytest.mark.django_db

FORMATS = {"csv": "cases_gb18030.csv", "xlsx": "cases.xlsx"}
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


def import_rows(world: Any, *rows: tuple[Any, ...], user: str = "court_staff") -> ImportBatch:
    batch = preview(world, csv_file(*rows, name=f"cases-{ImportBatch.objects.count()}.csv"))
    return importing.confirm(batch, world.users[user])


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_preview_reports_every_refused_row_with_its_code(world, fmt):
    batch = preview(world, sample(fmt))
    assert batch.state == ImportState.PREVIEWED
    assert (batch.ok_rows, batch.error_rows, batch.duplicate_rows) == (GOOD, REFUSED, 1)
    codes = codes_by_row(batch)
    for i, (_row, code) in enumerate(samples.REFUSED):
        assert code in codes[GOOD + i + 2], (i, code, codes)
    assert codes[len(samples.ROWS) + 1] == {"import.duplicate_row"}
    assert not EnforcementCase.objects.exists()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_confirm_registers_the_good_rows_through_the_actions(world, fmt):
    batch = importing.confirm(preview(world, sample(fmt)), world.users["court_staff"])
    assert batch.state == ImportState.IMPORTED, batch.failure
    assert (batch.created_rows, batch.updated_rows) == (GOOD, 0)
    cases = {c.number: c for c in EnforcementCase.objects.select_related("matter")}
    assert set(cases) == {
        "（2024）豫17执501号",
        "（2024）豫17执502号",
        "（2025）豫17执33号",
        "（2025）豫17执45号",
    }
    first = cases["（2024）豫17执501号"]
    assert first.debtor_unit == world.units["housing"]
    assert first.debtor_name == "驻马店市住房和城乡建设局"  # the body's name by default
    assert (first.amount_owed, first.amount_paid) == (Decimal("1280000.00"), Decimal("300000.00"))
    assert first.matter is not None and first.matter.lead_unit == world.units["housing"]
    arrears = cases["（2024）豫17执502号"]
    assert arrears.state == EnforcementCaseState.CLOSED
    assert arrears.closed_on == datetime.date(2025, 1, 15)
    assert arrears.enterprise_related and arrears.jurisdiction == world.county_a
    assert cases["（2025）豫17执33号"].state == EnforcementCaseState.PLAN
    assert cases["（2025）豫17执33号"].amount_owed == Decimal("156000.00")  # 15.6万元
    assert cases["（2025）豫17执45号"].debtor_unit is None
    assert all(c.matter_id for c in cases.values())
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("enforcement.case.register") == GOOD
    assert actions.count("enforcement.case.close") == 1
    assert actions.count("enforcement.case.update") == 1  # the payment plan
    assert actions.count("import.enforcement.cases") == 1  # one entry for the batch


def test_the_same_file_twice_is_a_duplicate_and_the_same_rows_are_unchanged(world):
    office = world.users["court_staff"]
    importing.confirm(preview(world, sample("csv")), office)
    again = preview(world, sample("csv"))
    assert again.state == ImportState.DUPLICATE_FILE
    # The same rows in another file (the .xlsx): nothing changes.
    other = importing.confirm(preview(world, sample("xlsx")), office)
    assert (other.created_rows, other.updated_rows, other.unchanged_rows) == (0, 0, GOOD)
    assert EnforcementCase.objects.count() == GOOD


def test_a_later_file_records_payments_changes_and_closings_through_the_actions(world):
    first = samples.GOOD[0]
    import_rows(world, first)
    case = EnforcementCase.objects.get(number="（2024）豫17执501号")
    row = list(first)
    row[9] = "500000"  # paid: 200,000 more
    row[10] = "2025-03-01"
    row[13] = "第二期已支付"
    batch = import_rows(world, tuple(row))
    assert batch.updated_rows == 1
    case.refresh_from_db()
    assert case.amount_paid == Decimal("500000.00")
    assert "2025-03-01" in case.note and "第二期已支付" in case.note
    payment = AuditEntry.objects.get(action="enforcement.case.payment")
    assert payment.detail == {"amount": "200000.00", "paid_on": "2025-03-01"}

    row[9], row[11], row[12], row[13] = "1280000", "已结案", "2025-06-30", "全部履行"
    import_rows(world, tuple(row))
    case.refresh_from_db()
    assert case.state == EnforcementCaseState.CLOSED
    assert case.closed_on == datetime.date(2025, 6, 30)
    assert case.amount_paid == case.amount_owed


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        (1, "上蔡县人民法院", "enforcement.court_mismatch"),
        (4, "驻马店市人力资源和社会保障局", "enforcement.import.fixed_changed"),
        (9, "100000", "enforcement.import.paid_decreased"),
        (8, "200000", "enforcement.overpaid"),
    ],
)
def test_fixed_fields_and_payments_are_not_undone(world, column, value, code):
    import_rows(world, samples.GOOD[0])
    row = list(samples.GOOD[0])
    row[column] = value
    batch = preview(world, csv_file(tuple(row), name="second.csv"))
    assert code in codes_by_row(batch)[2]


def test_a_closed_case_takes_only_its_own_row(world):
    closed = samples.GOOD[1]
    import_rows(world, closed)
    same = preview(world, csv_file(closed, samples.GOOD[3], name="again.csv"))  # another file
    assert same.ok_rows == 2, list(same.issues.values_list("code", "message"))
    row = list(closed)
    row[6] = "另一家公司"
    changed = preview(world, csv_file(tuple(row), name="changed.csv"))
    assert codes_by_row(changed)[2] == {"enforcement.case_closed"}


def test_who_may_import_and_the_remit_of_a_court(world):
    for name in ("city_office", "hrss_liaison", "city_leader", "system_admin"):
        with pytest.raises(PermissionDenied):
            preview(world, sample("csv"), user=name)
    # 上蔡县's court: the intermediate court's rows are outside its remit, its own is good.
    batch = preview(world, sample("csv"), user="b_court_staff")
    codes = codes_by_row(batch)
    assert "enforcement.import.outside_remit" in codes[2]
    assert batch.ok_rows == 1  # （2024）豫1722执288号
    batch = importing.confirm(batch, world.users["b_court_staff"])
    case = EnforcementCase.objects.get()
    assert (case.number, case.court, case.kind) == (
        "（2024）豫1722执288号",
        world.units["b_court"],
        "support",
    )


def test_a_push_of_the_ledger_goes_through_the_same_actions(world):
    batch, created = importing.submit(
        CASES_FEED, sample("csv"), world.users["court_staff"], batch_id="ledger-2025-06"
    )
    assert created
    batch = importing.process(batch)
    assert (batch.state, batch.created_rows, batch.error_rows) == ("imported", GOOD, REFUSED)
    assert AuditEntry.objects.filter(action="enforcement.case.register").count() == GOOD


def test_a_rule_broken_after_the_preview_fails_the_batch_and_stores_nothing(world, monkeypatch):
    batch = preview(world, sample("csv"))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        from django.core.exceptions import ValidationError

        raise ValidationError({"number": [ValidationError("taken", code="enforcement.x")]})

    monkeypatch.setattr(case_actions, "register_case", refuse)
    batch = importing.confirm(batch, world.users["court_staff"])
    assert batch.state == ImportState.FAILED
    assert batch.failure_code == "enforcement.x"
    assert "2" in batch.failure  # names the row
    assert not EnforcementCase.objects.exists()


# --- pages --------------------------------------------------------------------------------------
def test_the_upload_preview_and_confirm_pages(world, client_for):
    client = client_for("court_staff")
    page = client.get(reverse("enforcement:case_import"))
    assert page.status_code == 200
    assert reverse("enforcement:case_import_sample") in page.content.decode()
    response = client.post(
        reverse("enforcement:case_import"), {"feed": CASES_FEED, "file": sample("xlsx")}
    )
    batch = ImportBatch.objects.get(feed=CASES_FEED)
    assert response.status_code == 302
    assert response.url == reverse("enforcement:case_import_preview", args=[batch.pk])
    shown = client.get(response.url)
    assert shown.status_code == 200
    assert 'data-code="enforcement.not_enforcement_case"' in shown.content.decode()
    done = client.post(reverse("enforcement:case_import_confirm", args=[batch.pk]))
    assert done.status_code == 302
    assert EnforcementCase.objects.count() == GOOD


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_samples_download(world, client_for, fmt):
    response = client_for("court_staff").get(
        reverse("enforcement:case_import_sample") + f"?format={fmt}"
    )
    assert response.status_code == 200
    assert response.content == samples.build(fmt) or fmt == "xlsx"
    assert "attachment" in response.headers["Content-Disposition"]


def test_others_may_not_use_the_import_pages(world, client_for):
    client = client_for("city_office")
    assert client.get(reverse("enforcement:case_import")).status_code == 403
    assert client.get(reverse("enforcement:case_import_sample")).status_code == 403
    batch = preview(world, sample("csv"))
    url = reverse("enforcement:case_import_preview", args=[batch.pk])
    assert client_for("hrss_liaison").get(url).status_code == 404
    confirm = reverse("enforcement:case_import_confirm", args=[batch.pk])
    assert client_for("hrss_liaison").post(confirm).status_code == 404


def test_the_case_list_shows_the_import_button_to_court_staff_only(world, client_for):
    url = reverse("enforcement:case_list")
    assert 'id="case-import"' in client_for("court_staff").get(url).content.decode()
    assert 'id="case-import"' not in client_for("city_office").get(url).content.decode()
