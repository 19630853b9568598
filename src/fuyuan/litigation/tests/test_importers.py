"""The court's exports read by the shared importer: administrative cases and hearings with
the heads' appearance. Idempotent by file hash and row key; every row error previewed with
its code and row number before anything is stored; GB18030 CSV and .xlsx alike; later
exports update what changed; the number of queries does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportState
from fuyuan.litigation import actions
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.importers import CASES_FEED, HEARINGS_FEED
from fuyuan.litigation.models import AdminCase, Appearance, CoDefendant, Hearing
from fuyuan.litigation.samples import make_samples
from fuyuan.notify.models import InboxMessage

pytestmark = pytest.mark.django_db

CASE_HEADERS = (
    "案号",
    "承办法院",
    "原告",
    "被告",
    "案由",
    "是否涉企",
    "立案日期",
    "审理阶段",
    "结案日期",
    "结案方式",
    "备注",
)
HEARING_HEADERS = (
    "案号",
    "开庭时间",
    "法庭",
    "状态",
    "出庭负责人",
    "职务",
    "负责人类别",
    "是否出声",
    "未出庭原因",
)
HRSS = "驻马店市人力资源和社会保障局"
HOUSING = "驻马店市住房和城乡建设局"
A_HRSS = "西平县人力资源和社会保障局"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> str:
    return (today() - datetime.timedelta(days=n)).isoformat()


def case_row(
    number: str,
    *,
    court: str = "",
    plaintiffs: str = "张玉梅",
    defendants: str = HRSS,
    cause: str = "工伤认定",
    enterprise: str = "否",
    filed: str | None = None,
    stage: str = "审理中",
    concluded: str = "",
    outcome: str = "",
    note: str = "",
) -> tuple[str, ...]:
    filed = filed if filed is not None else days_ago(90)
    return (
        number,
        court,
        plaintiffs,
        defendants,
        cause,
        enterprise,
        filed,
        stage,
        concluded,
        outcome,
        note,
    )


def hearing_row(
    number: str,
    starts: str,
    *,
    place: str = "行政审判庭",
    state: str = "已开庭",
    name: str = "",
    post: str = "",
    rank: str = "",
    spoke: str = "",
    reason: str = "",
) -> tuple[str, ...]:
    return (number, starts, place, state, name, post, rank, spoke, reason)


def csv_file(
    rows: Any, headers: Any = CASE_HEADERS, name: str = "export.csv", encoding: str = "gb18030"
) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding))


def xlsx_file(rows: Any, headers: Any = CASE_HEADERS, name: str = "export.xlsx") -> Any:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def run(world: Any, feed: str, upload: Any, user: str = "court_staff", **options: Any) -> Any:
    batch = importing.preview(feed, upload, world.users[user], options=options or None)
    assert batch.state == ImportState.PREVIEWED, batch.state
    return batch


def imported(world: Any, feed: str, upload: Any, user: str = "court_staff") -> Any:
    batch = run(world, feed, upload, user)
    batch = importing.confirm(batch, world.users[user])
    assert batch.state == ImportState.IMPORTED, batch.failure
    return batch


def issues(batch: ImportBatch) -> set[tuple[int, str]]:
    return set(batch.issues.values_list("row_number", "code"))


GOOD_ROWS = [
    case_row("（2026）豫17行初3号", court="驻马店市中级人民法院", defendants=f"{HRSS}、{HOUSING}"),
    case_row("(2026)豫1722行初15号", plaintiffs="西平县兴业建筑劳务有限公司；李红军",
             defendants=A_HRSS, enterprise="是", cause="劳动保障监察"),
    case_row("（2025）豫17行终66号", defendants=HOUSING, cause="行政处罚", filed=days_ago(200),
             stage="已结案", concluded=days_ago(100), outcome="撤销", note="二审改判"),
]  # fmt: skip


# --- cases -------------------------------------------------------------------------------------
def test_gb18030_cases_file_is_stored_only_on_confirmation(world):
    batch = run(world, CASES_FEED, csv_file(GOOD_ROWS))
    assert (batch.total_rows, batch.ok_rows, batch.error_rows) == (3, 3, 0)
    assert not AdminCase.objects.exists()

    batch = importing.confirm(batch, world.users["court_staff"])
    assert (batch.created_rows, batch.updated_rows, batch.unchanged_rows) == (3, 0, 0)
    first = AdminCase.objects.get(number="（2026）豫17行初3号")
    assert first.court == world.units["court"]
    assert first.defendant == world.units["hrss"]
    assert list(CoDefendant.objects.filter(case=first).values_list("unit", flat=True)) == [
        world.units["housing"].pk
    ]
    assert first.jurisdiction == world.city and first.mechanism == world.mechanisms["city"]
    assert (first.year, first.type_code, first.instance, first.stage) == (
        2026,
        "行初",
        "first",
        "hearing",
    )
    assert first.source == "import"
    county = AdminCase.objects.get(number="（2026）豫1722行初15号")  # brackets normalised
    assert county.court == world.units["b_court"]  # heard in another county (相对集中管辖)
    assert county.defendant == world.units["a_hrss"]
    assert county.mechanism == world.mechanisms["a"] and county.jurisdiction == world.county_a
    assert county.plaintiffs == "西平县兴业建筑劳务有限公司\n李红军"
    assert county.enterprise_related
    appeal = AdminCase.objects.get(number="（2025）豫17行终66号")
    assert (appeal.instance, appeal.stage, appeal.outcome, appeal.outcome_note) == (
        "second",
        "concluded",
        "revoked",
        "二审改判",
    )
    assert AuditEntry.objects.filter(action=f"import.{CASES_FEED}").count() == 1


def test_the_same_export_imported_twice_changes_nothing(world):
    content = csv_file(GOOD_ROWS).read()
    imported(world, CASES_FEED, SimpleUploadedFile("export.csv", content))
    before = list(AdminCase.objects.order_by("pk").values_list("pk", "version", "updated_at"))

    again = importing.preview(
        CASES_FEED, SimpleUploadedFile("export-copy.csv", content), world.users["city_office"]
    )
    assert again.state == ImportState.DUPLICATE_FILE and again.duplicate_of is not None
    with pytest.raises(importing.ImportFileError) as refused:
        importing.confirm(again, world.users["city_office"])
    assert refused.value.code == "import.already_imported"

    # A later export in another format with the same rows: every row unchanged.
    reexport = imported(world, CASES_FEED, xlsx_file(GOOD_ROWS), user="city_office")
    assert (reexport.created_rows, reexport.updated_rows, reexport.unchanged_rows) == (0, 0, 3)
    after = list(AdminCase.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    assert after == before
    assert CoDefendant.objects.count() == 1


def test_a_file_with_broken_rows_previews_every_error_and_stores_only_after_confirm(world):
    rows = [
        case_row("（2026）豫17行初3号"),  # 2: good
        case_row("2026豫17行初4号"),  # 3: no brackets
        case_row("（2026）豫17民初5号"),  # 4: a civil case
        case_row("（2026）豫17行初6号", defendants=f"{HRSS}、驻马店市不存在局"),  # 5
        case_row("（2026）豫1799行初7号"),  # 6: no such court
        case_row("（2026）豫17行初8号", filed=(today() + datetime.timedelta(days=3)).isoformat()),
        case_row("（2026）豫17行初9号", stage="已结案", concluded=days_ago(5)),  # 8: no outcome
        case_row("（2026）豫17行初3号"),  # 9: the same key as row 2
        case_row("（2026）豫17行初10号", court="上蔡县人民法院"),  # 10: court disagrees
        case_row("（2026）豫17行初11号", concluded=days_ago(1), outcome="撤销"),  # 11: stage
        case_row("（2026）豫17行初12号", filed=days_ago(10), stage="已结案",
                 concluded=days_ago(20), outcome="撤诉"),  # 12: concluded before filed
        case_row("（2026）豫17行初13号", outcome="判了"),  # 13: unknown outcome word
    ]  # fmt: skip
    batch = run(world, CASES_FEED, csv_file(rows))

    assert issues(batch) == {
        (3, "case_number.brackets"),
        (4, "litigation.not_administrative"),
        (5, "litigation.import.unknown_body"),
        (6, "litigation.import.unknown_court"),
        (7, "litigation.filed_in_future"),
        (8, "litigation.outcome_required"),
        (9, "import.duplicate_row"),
        (10, "litigation.import.court_mismatch"),
        (11, "litigation.import.stage_conflict"),
        (12, "litigation.concluded_before_filed"),
        (13, "import.choice"),
    }
    assert (batch.ok_rows, batch.error_rows, batch.duplicate_rows) == (1, 10, 1)
    unknown = batch.issues.get(code="litigation.import.unknown_body")
    assert "驻马店市不存在局" in unknown.message and unknown.column == "defendants"
    assert dict(unknown.raw)["被告"] == f"{HRSS}、驻马店市不存在局"
    assert "豫1799" in batch.issues.get(code="litigation.import.unknown_court").message
    assert not AdminCase.objects.exists()

    batch = importing.confirm(batch, world.users["court_staff"])
    assert batch.created_rows == 1
    assert list(AdminCase.objects.values_list("number", flat=True)) == ["（2026）豫17行初3号"]
    assert len(issues(batch)) == 11  # still listed after the import


def test_an_xlsx_export_with_date_cells_is_read(world):
    filed = today() - datetime.timedelta(days=30)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["  案号 ", "原告", "被告", "案由", "立案日期", "案件状态", "Note"])
    sheet.append(["（2026）豫17行初21号", "刘桂兰、刘建设", "驻马店市人民政府", "行政复议", filed,
                  "立案", "复议"])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    imported(world, CASES_FEED, SimpleUploadedFile("导出.xlsx", out.getvalue()))
    case = AdminCase.objects.get()
    assert case.filed_on == filed and case.stage == "filed"
    assert case.plaintiffs == "刘桂兰\n刘建设" and case.outcome_note == "复议"
    assert case.defendant == world.units["city_gov"] and not case.enterprise_related


def test_a_later_export_updates_stage_outcome_and_co_defendants(world):
    imported(world, CASES_FEED, csv_file(GOOD_ROWS[:1]))
    case = AdminCase.objects.get()
    assert case.stage == "hearing" and case.co_defendants.count() == 1

    later = [
        case_row(
            "（2026）豫17行初3号",
            defendants=HRSS,
            stage="已结案",
            concluded=days_ago(2),
            outcome="确认违法",
        )
    ]
    batch = imported(world, CASES_FEED, csv_file(later, name="later.csv"))
    assert (batch.created_rows, batch.updated_rows, batch.unchanged_rows) == (0, 1, 0)
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.concluded_on) == (
        "concluded",
        "confirmed_unlawful",
        today() - datetime.timedelta(days=2),
    )
    assert case.version == 2 and case.co_defendants.count() == 0
    assert case.source == "import"


def test_a_column_missing_from_a_later_export_keeps_the_stored_value(world):
    imported(world, CASES_FEED, csv_file(GOOD_ROWS[2:]))
    headers = [h for h in CASE_HEADERS if h != "备注"]
    rows = [tuple(v for h, v in zip(CASE_HEADERS, GOOD_ROWS[2], strict=True) if h != "备注")]
    batch = imported(world, CASES_FEED, csv_file(rows, headers=headers, encoding="utf-8"))
    assert batch.unchanged_rows == 1
    assert AdminCase.objects.get().outcome_note == "二审改判"


def test_old_form_numbers_take_the_court_by_name_and_bodies_by_short_name(world):
    world.units["hrss"].short_name = "市人社局"
    world.units["hrss"].save()
    rows = [
        case_row("（2015）驻中法行初字第12号", court="驻马店市中级人民法院",
                 defendants="市人社局", filed="2015-03-02", stage="已结案",
                 concluded="2015-09-01", outcome="驳回诉讼请求"),
        case_row("（2015）驻中法行初字第13号", filed="2015-03-02"),  # no court named
    ]  # fmt: skip
    batch = run(world, CASES_FEED, csv_file(rows))
    assert issues(batch) == {(3, "litigation.import.unknown_court")}
    importing.confirm(batch, world.users["court_staff"])
    case = AdminCase.objects.get()
    assert case.court == world.units["court"] and case.defendant == world.units["hrss"]
    assert case.type_code == "行初" and case.year == 2015


def test_rows_outside_the_importers_remit_are_refused(world):
    # 上蔡县人民法院 may import its own cases, not the intermediate court's; 西平县's office
    # only cases against 西平县's bodies.
    rows = [case_row("（2026）豫1722行初15号", defendants=A_HRSS), case_row("（2026）豫17行初3号")]
    court = run(world, CASES_FEED, csv_file(rows), user="b_court_staff")
    assert issues(court) == {(3, "litigation.import.outside_remit")}
    office = run(world, CASES_FEED, csv_file(rows, name="x.csv"), user="a_office")
    assert issues(office) == {(3, "litigation.import.outside_remit")}


def test_only_court_and_office_staff_may_import(world):
    from django.core.exceptions import PermissionDenied

    for name in ("hrss_liaison", "city_leader", "system_admin", "nobody"):
        with pytest.raises(PermissionDenied):
            importing.preview(CASES_FEED, csv_file(GOOD_ROWS), world.users[name])
    for name in ("court_staff", "b_court_staff", "city_office", "a_office"):
        assert importing.get(HEARINGS_FEED).may_import(world.users[name])


# --- hearings and appearance records -----------------------------------------------------------
def at(days: int, hour: int = 9) -> str:
    moment = today() + datetime.timedelta(days=days)
    return f"{moment.isoformat()} {hour:02d}:30"


def _cases(world: Any) -> None:
    imported(world, CASES_FEED, csv_file(GOOD_ROWS))


def test_a_hearings_file_creates_hearings_and_appearance_records(world):
    _cases(world)
    rows = [
        hearing_row("（2026）豫17行初3号", at(-20), name="王局长", post="局长", rank="正职",
                    spoke="是"),
        hearing_row("（2026）豫1722行初15号", at(-10), rank="未出庭", spoke="否",
                    reason="负责人因公出差"),
        hearing_row("（2026）豫17行初3号", at(12), state="待开庭"),
        hearing_row("（2025）豫17行终66号", at(-150), state="取消"),
    ]  # fmt: skip
    batch = imported(world, HEARINGS_FEED, csv_file(rows, headers=HEARING_HEADERS))
    assert (batch.created_rows, batch.error_rows) == (4, 0)
    assert Hearing.objects.count() == 4 and set(
        Hearing.objects.values_list("state", flat=True)
    ) == {"held", "scheduled", "cancelled"}
    top = Appearance.objects.get(case__number="（2026）豫17行初3号")
    assert (top.rank, top.head_name, top.head_post, top.spoke) == ("top", "王局长", "局长", True)
    assert top.state == wf.RECORDED and top.recorded_on == today()
    assert top.unit == world.units["hrss"] and top.recorded_by == world.users["court_staff"]
    absent = Appearance.objects.get(case__number="（2026）豫1722行初15号")
    assert (absent.rank, absent.absence_reason, absent.unit) == (
        "none",
        "负责人因公出差",
        world.units["a_hrss"],
    )
    # The bodies' liaison officers are told once per import.
    told = InboxMessage.objects.filter(
        user=world.users["hrss_liaison"], ref_kind="litigation.import"
    )
    assert told.count() == 1
    assert "1" in told.get().subject

    # The same rows again (another file): nothing changes.
    again = imported(world, HEARINGS_FEED, xlsx_file(rows, headers=HEARING_HEADERS))
    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 4)


def test_a_confirmed_record_is_left_alone_and_a_recorded_one_is_updated(world):
    _cases(world)
    first = [
        hearing_row("（2026）豫17行初3号", at(-20), name="王局长", rank="正职", spoke="否"),
        hearing_row("（2026）豫1722行初15号", at(-10), name="李副局长", rank="副职"),
    ]
    imported(world, HEARINGS_FEED, csv_file(first, headers=HEARING_HEADERS))
    record = Appearance.objects.get(case__number="（2026）豫17行初3号")
    actions.appearance_transition(world.users["hrss_liaison"], record, "confirm")

    later = [
        hearing_row("（2026）豫17行初3号", at(-20), name="王局长", rank="正职", spoke="是"),
        hearing_row("（2026）豫1722行初15号", at(-10), name="李副局长", rank="副职", spoke="是"),
    ]
    batch = imported(world, HEARINGS_FEED, csv_file(later, headers=HEARING_HEADERS, name="b.csv"))
    assert (batch.updated_rows, batch.unchanged_rows) == (1, 1)
    record.refresh_from_db()
    assert record.state == wf.CONFIRMED and record.spoke is False
    other = Appearance.objects.get(case__number="（2026）豫1722行初15号")
    assert other.spoke is True and other.version == 2 and other.state == wf.RECORDED


def test_hearing_rows_with_errors_are_reported(world):
    _cases(world)
    rows = [
        hearing_row("（2026）豫17行初99号", at(-5)),  # 2: no such case
        hearing_row("（2026）豫17行初3号", at(5), state="待开庭", rank="正职", name="王"),  # 3
        hearing_row("（2026）豫17行初3号", at(6)),  # 4: held in the future
        hearing_row("（2026）豫17行初3号", at(-6), rank="未出庭"),  # 5: no reason
        hearing_row("（2026）豫17行初3号", at(-7), rank="正职", spoke="是"),  # 6: no name
        hearing_row("（2026）豫17行初3号", at(-400)),  # 7: before the case was filed
        hearing_row("（2026）豫17行初3号", at(-8), name="王局长"),  # 8: rank missing
        hearing_row("（2026）豫17行初3号", "下周三", state="待开庭"),  # 9: not a time
    ]
    batch = run(world, HEARINGS_FEED, csv_file(rows, headers=HEARING_HEADERS))
    assert issues(batch) == {
        (2, "litigation.import.unknown_case"),
        (3, "litigation.import.appearance_not_held"),
        (4, "litigation.hearing_in_future"),
        (5, "litigation.absence_reason_required"),
        (6, "litigation.head_name_required"),
        (7, "litigation.hearing_before_filing"),
        (8, "litigation.import.rank_required"),
        (9, "import.date"),
    }
    assert batch.ok_rows == 0 and not Hearing.objects.exists()


def test_hearings_may_name_cases_of_the_cases_file_uploaded_with_them(world):
    cases = run(world, CASES_FEED, csv_file([*GOOD_ROWS, case_row("（2026）豫17民初1号")]))
    rows = [
        hearing_row("（2026）豫17行初3号", at(-20), name="王局长", rank="正职"),
        hearing_row("（2026）豫17民初1号", at(-20)),  # its case row is an error
    ]
    hearings = run(
        world,
        HEARINGS_FEED,
        csv_file(rows, headers=HEARING_HEADERS),
        cases_batch=cases.pk,
    )
    assert issues(hearings) == {(3, "litigation.import.unknown_case")}
    importing.confirm(cases, world.users["court_staff"])
    hearings = importing.confirm(hearings, world.users["court_staff"])
    assert hearings.created_rows == 1 and Appearance.objects.count() == 1


# --- the sample files -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(make_samples.FILES))
def test_the_kept_sample_files_match_the_generator(name):
    from pathlib import Path

    feed, fmt = make_samples.FILES[name]
    kept = (Path(make_samples.__file__).parent / name).read_bytes()
    built = make_samples.build(feed, fmt)
    with (
        importing.open_table(io.BytesIO(kept), name) as a,
        importing.open_table(io.BytesIO(built), name) as b,
    ):
        assert a.headers == b.headers and list(a.rows) == list(b.rows)
    if fmt == "csv":
        assert kept == built
        kept.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            kept.decode("utf-8")


def test_the_samples_import_cleanly_into_the_demo_city():
    from io import StringIO

    from django.core.management import call_command

    from fuyuan.accounts.models import Role, RoleAssignment

    call_command("load_demo", stdout=StringIO())
    user = RoleAssignment.objects.filter(role=Role.COURT, unit__court_code="豫17").first().user
    for feed, slug in ((CASES_FEED, "cases"), (HEARINGS_FEED, "hearings")):
        for fmt in ("csv", "xlsx"):
            upload = SimpleUploadedFile(f"{slug}.{fmt}", make_samples.build(slug, fmt))
            batch = importing.preview(feed, upload, user)
            assert batch.error_rows == 0, list(batch.issues.values_list("row_number", "message"))
            if fmt == "csv":
                batch = importing.confirm(batch, user)
                assert batch.created_rows == len(make_samples.rows(slug)[1])
    assert AdminCase.objects.filter(source="import").count() == len(make_samples.CASES)


# --- queries --------------------------------------------------------------------------------------
# Django splits bulk statements to stay under SQLite's 999 parameters, so a larger file costs
# a few more statements; a query per row would cost one more per row (180 here).
BULK_SLACK = 10


def _many_cases(first: int, n: int) -> list[tuple[str, ...]]:
    return [
        case_row(f"（2026）豫17行初{first + i}号", defendants=f"{HRSS}、{HOUSING}")
        for i in range(n)
    ]


def _many_hearings(first: int, n: int) -> list[tuple[str, ...]]:
    return [
        hearing_row(f"（2026）豫17行初{first + i}号", at(-3), name="王局长", rank="正职")
        for i in range(n)
    ]


def _count(world: Any, feed: str, rows: Any, headers: Any, name: str) -> int:
    upload = csv_file(rows, headers=headers, name=name)
    user = world.users["court_staff"]
    with CaptureQueriesContext(connection) as ctx:
        batch = importing.preview(feed, upload, user)
        batch = importing.confirm(batch, user)
    assert batch.error_rows == 0 and batch.created_rows == len(rows)
    return len(ctx.captured_queries)


def test_queries_of_an_import_do_not_grow_with_its_rows(world, django_assert_max_num_queries):
    small = _count(world, CASES_FEED, _many_cases(1000, 20), CASE_HEADERS, "small.csv")
    upload = csv_file(_many_cases(2000, 200), name="large.csv")
    user = world.users["court_staff"]
    with django_assert_max_num_queries(small + BULK_SLACK):
        importing.confirm(importing.preview(CASES_FEED, upload, user), user)
    assert AdminCase.objects.count() == 220

    small = _count(world, HEARINGS_FEED, _many_hearings(1000, 20), HEARING_HEADERS, "h1.csv")
    upload = csv_file(_many_hearings(2000, 200), headers=HEARING_HEADERS, name="h2.csv")
    with django_assert_max_num_queries(small + BULK_SLACK):
        importing.confirm(importing.preview(HEARINGS_FEED, upload, user), user)
    assert Appearance.objects.count() == 220
