"""The annual administrative-case report: the court's text is an audited write by the
mechanism's court or office (stale forms refused), and the generated .docx carries the year's
figures by jurisdiction and by body, the charts as pictures, the court's text and the year's
recommendations — checked by opening the file with python-docx."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from docx import Document

from fuyuan.audit.models import AuditEntry
from fuyuan.core.models import StaleObjectError
from fuyuan.litigation import annual_report as reports
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import AnnualReport, Recommendation, RecommendationItem

from .test_figures import YEAR, build_data

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def recommendations(world: Any) -> None:
    """Two judicial recommendations delivered in 2025 to 市人社局: one replied on time with
    three items, one never replied (past its deadline)."""
    for title, replied in (
        ("关于规范工伤认定程序的司法建议", True),
        ("关于完善送达程序的司法建议", False),
    ):
        rec = Recommendation(
            mechanism=world.mechanisms["city"],
            issuer=world.units["court"],
            recipient=world.units["hrss"],
            title=title,
            content="一、……\n二、……\n三、……",
            state=wf.REPLIED if replied else wf.DELIVERED,
            created_by=world.users["court_staff"],
            delivered_on=datetime.date(YEAR, 4, 1),
            reply_due=datetime.date(YEAR, 5, 31),
            replied_on=datetime.date(YEAR, 5, 20) if replied else None,
        )
        rec.save()
        for n, adoption in enumerate(("adopted", "partly", "not_adopted") if replied else ("",)):
            RecommendationItem(
                recommendation=rec, order=n, text=f"建议{n}", adoption=adoption
            ).save()


def write_text(world: Any) -> AnnualReport:
    return reports.save_report_text(
        world.users["court_staff"],
        mechanism=world.mechanisms["city"],
        year=YEAR,
        problems="部分行政机关程序意识淡薄。\n个别案件超期作出决定。",
        suggestions="加强执法人员培训。",
    )


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]], Any]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    return paragraphs, tables, doc


def table_row(tables: list[list[list[str]]], first: str, label: str, header_cell: str) -> list[str]:
    """The row `label` of the table headed `first` whose header holds `header_cell`."""
    for table in tables:
        if table[0][0] == first and header_cell in table[0]:
            return next(row for row in table if row[0] == label)
    raise AssertionError(f"no table {first} / {header_cell}")


# --- the document ---------------------------------------------------------------------------------
def test_the_report_docx_carries_the_year_s_figures(world: Any) -> None:
    build_data(world)
    recommendations(world)
    write_text(world)
    data = reports.render_report(world.mechanisms["city"], YEAR, today=TODAY)
    paragraphs, tables, doc = docx_text(data)
    text = "\n".join(paragraphs)

    assert "驻马店市2025年度行政案件报告" in text
    assert "驻马店市中级人民法院" in text  # issuer and signature: the court that wrote it
    # The overview: the year's totals (known in advance, see test_figures.build_data).
    assert "新收一审行政案件5件，同比上升150.0%（上年同期2件）" in text
    assert "审结一审行政案件5件，其中行政机关败诉2件，败诉率40.0%" in text
    assert "调撤率40.0%" in text
    assert "出庭应诉率60.0%（目标70%，未达到目标）" in text
    assert "正职出庭率40.0%" in text and "出声率33.3%" in text
    assert "实质化解率66.7%" in text

    city, county = world.city.name, world.county_a.name
    # By jurisdiction: the case heard by 上蔡县's court is 西平县's.
    assert table_row(tables, "地区", county, "新收一审") == [
        county,
        "1",
        "0",
        "—",
        "1",
        "1",
        "100.0%",
        "0.0%",
    ]
    assert table_row(tables, "地区", county, "开庭案件") == [
        county,
        "1",
        "0",
        "0.0%▼",
        "0",
        "0.0%",
        "—",
        "—",
    ]
    assert table_row(tables, "地区", city, "新收一审")[1:] == [
        "4",
        "2",
        "+100.0%",
        "4",
        "1",
        "25.0%",
        "50.0%",
    ]
    assert not any(row[0] == world.county_b.name for table in tables for row in table)
    # By body.
    hrss = world.units["hrss"].name
    assert table_row(tables, "被告单位", hrss, "开庭案件")[1:] == [
        "4",
        "3",
        "75.0%",
        "2",
        "50.0%",
        "33.3%",
        "66.7%",
    ]
    # Totals.
    total = table_row(tables, "被告单位", gettext("Total"), "新收一审")
    assert total[1:] == ["5", "2", "+150.0%", "5", "2", "40.0%", "40.0%"]

    # Charts as pictures, with captions.
    assert len(doc.inline_shapes) == 2
    assert any(p.startswith("图1 2025年各月新收一审行政案件数") for p in paragraphs)
    assert any(p.startswith("图2 2025年各地区") for p in paragraphs)
    # The court's text, one paragraph per line.
    assert "部分行政机关程序意识淡薄。" in paragraphs
    assert "个别案件超期作出决定。" in paragraphs
    assert "加强执法人员培训。" in paragraphs
    # The year's recommendations.
    assert "本年度送达司法建议、检察建议等2份，已回复1份，回复率50.0%" in text
    assert "按期回复1份，按期回复率50.0%" in text
    assert "涉及建议事项4项，已采纳1项、部分采纳1项、未采纳1项" in text
    titles = [row[1] for table in tables if table[0][0] == "序号" for row in table[1:]]
    assert titles == ["关于规范工伤认定程序的司法建议", "关于完善送达程序的司法建议"]


def test_a_year_without_cases_shows_dashes_and_says_the_text_is_missing(world: Any) -> None:
    data = reports.render_report(world.mechanisms["b"], 2024, today=TODAY)
    paragraphs, _tables, doc = docx_text(data)
    text = "\n".join(paragraphs)
    assert "新收一审行政案件0件，上年同期无案件" in text
    assert "败诉率—" in text and "出庭应诉率—" in text
    assert reports.NOT_WRITTEN in paragraphs
    assert len(doc.inline_shapes) == 2  # the charts render with no data
    assert "上蔡县人民法院" in text  # the county's court issues it


def test_a_county_report_covers_only_the_county(world: Any) -> None:
    build_data(world)
    data = reports.render_report(world.mechanisms["a"], YEAR, today=TODAY)
    paragraphs, tables, _doc = docx_text(data)
    text = "\n".join(paragraphs)
    assert "新收一审行政案件1件" in text
    bodies = [row[0] for table in tables if table[0][0] == "被告单位" for row in table[1:]]
    assert world.units["a_hrss"].name in bodies and world.units["hrss"].name not in bodies


# --- the court's text -----------------------------------------------------------------------------
def test_the_court_writes_the_text_audited_and_the_office_may_correct_it(world: Any) -> None:
    report = write_text(world)
    assert report.court == world.units["court"]
    assert report.updated_by == world.users["court_staff"]
    entry = AuditEntry.objects.get(action="litigation.report.create")
    assert entry.actor == world.users["court_staff"]
    version = report.version
    updated = reports.save_report_text(
        world.users["city_office"],
        mechanism=world.mechanisms["city"],
        year=YEAR,
        problems="修改后的问题。",
        suggestions="修改后的建议。",
        expected_version=version,
    )
    assert updated.problems == "修改后的问题。"
    assert updated.court == world.units["court"]  # the office does not change the court
    assert updated.version == version + 1
    assert AuditEntry.objects.filter(action="litigation.report.update").count() == 1
    with pytest.raises(StaleObjectError):
        reports.save_report_text(
            world.users["court_staff"],
            mechanism=world.mechanisms["city"],
            year=YEAR,
            problems="旧表单",
            suggestions="",
            expected_version=version,
        )
    assert AnnualReport.objects.get().problems == "修改后的问题。"


@pytest.mark.parametrize(
    ("user", "mechanism", "allowed"),
    [
        ("court_staff", "city", True),
        ("city_office", "city", True),
        ("b_court_staff", "b", True),
        ("a_office", "a", True),
        ("b_court_staff", "city", False),
        ("court_staff", "b", False),  # the intermediate court writes the city's report
        ("city_office", "a", False),  # the county's own office writes the county's
        ("city_leader", "city", False),
        ("hrss_liaison", "city", False),
        ("system_admin", "city", False),
    ],
)
def test_who_writes_the_text(world: Any, user: str, mechanism: str, allowed: bool) -> None:
    def write() -> AnnualReport:
        return reports.save_report_text(
            world.users[user],
            mechanism=world.mechanisms[mechanism],
            year=YEAR,
            problems="问题",
            suggestions="建议",
        )

    if allowed:
        assert write().problems == "问题"
    else:
        with pytest.raises(PermissionDenied):
            write()
        assert not AnnualReport.objects.exists()


@pytest.mark.parametrize(
    ("user", "readable"),
    [
        ("city_office", {"city", "a", "b"}),
        ("city_leader", {"city", "a", "b"}),
        ("a_office", {"a"}),
        ("court_staff", {"city"}),
        ("b_court_staff", {"b"}),
        ("hrss_liaison", set()),
        ("audit_admin", set()),
    ],
)
def test_who_reads_the_report(world: Any, user: str, readable: set[str]) -> None:
    names = {v.pk: k for k, v in world.mechanisms.items()}
    found = {names[m.pk] for m in reports.report_mechanisms(world.users[user])}
    assert found == readable
    for key, mechanism in world.mechanisms.items():
        assert reports.may_read(world.users[user], mechanism) == (key in readable)


def test_a_future_year_or_overlong_text_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as future:
        reports.save_report_text(
            world.users["court_staff"],
            mechanism=world.mechanisms["city"],
            year=TODAY.year + 1,
            problems="",
            suggestions="",
        )
    assert future.value.error_dict["year"][0].code == "litigation.report_year"
    with pytest.raises(ValidationError) as long:
        reports.save_report_text(
            world.users["court_staff"],
            mechanism=world.mechanisms["city"],
            year=YEAR,
            problems="长" * (reports.MAX_TEXT + 1),
            suggestions="",
        )
    assert long.value.error_dict["problems"][0].code == "litigation.report_too_long"
