"""The annual report to the joint meeting: built from the year's figures on the bulletins' data
set (today is 15 June 2026, so the year runs to date: A, B, C, D and G finished, four on time →
80.0%), with its charts as pictures and its tables — checked by opening the .docx with
python-docx; read only by the office and leaders of the mechanism's own jurisdiction."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from docx import Document

from fuyuan.dashboard import annual_report
from fuyuan.enforcement.models import EnforcementCase, EnforcementCaseKind, EnforcementCaseState
from fuyuan.testing import World

from .test_bulletins import COURT, HOUSING, HRSS, build_data

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 6, 15, 10)), tick=False):
        yield


@pytest.fixture
def data(world: World) -> World:
    w = build_data(world)
    # Government-debtor cases of 住建局: one of two closed; 150,000 of 200,000 paid.
    for n, paid, state in (
        (1, "100000", EnforcementCaseState.CLOSED),
        (2, "50000", EnforcementCaseState.OPEN),
    ):
        EnforcementCase.objects.create(
            mechanism=w.mechanisms["city"],
            jurisdiction=w.city,
            number=f"（2026）豫17执{n}号",
            court=w.units["court"],
            kind=EnforcementCaseKind.GOVERNMENT_DEBTOR,
            debtor_unit=w.units["housing"],
            debtor_name=HOUSING,
            creditor="某建筑公司",
            filed_on=D(2026, 1, 10),
            amount_owed=Decimal("100000"),
            amount_paid=Decimal(paid),
            state=state,
            closed_on=D(2026, 5, 1) if state == EnforcementCaseState.CLOSED else None,
        )
    return w


def read(content: bytes) -> tuple[str, list[list[str]], int]:
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return text, rows, len(doc.inline_shapes)


def test_the_report_carries_the_years_figures_charts_and_tables(data: World) -> None:
    content = annual_report.render_report(data.users["city_office"], data.mechanisms["city"], 2026)
    text, rows, pictures = read(content)
    assert "驻马店市府院联动工作2026年度报告" in text
    assert "2026年1月1日至2026年6月15日" in text
    assert "全年督办事项按期办结率80.0%" in text
    assert "2026年办结督办事项5项，其中按期办结4项，按期办结率80.0%" in text
    assert "在办督办事项2项，其中逾期（红色）1项、进度滞后（黄色）0项" in text
    assert "涉党政机关执行案件化解率50.0%，执行到位率75.0%" in text
    assert "全年共亮红牌2张、黄牌0张，涉及1个单位。" in text
    assert f"{HOUSING}红牌达到约谈标准" in text
    assert f"{HRSS}：A 农民工工资清欠。建立工资支付监控预警平台" in text
    for heading in (
        "一、总体情况",
        "二、督办事项办理情况",
        "三、双清单事项落实情况",
        "七、行政诉讼和司法建议办理情况",
        "八、执行联动情况",
        "十一、好的做法",
        "十二、指标口径说明",
    ):
        assert heading in text
    # Tables: the headline, jurisdictions, ranking, cards, the red list, the sections' figures.
    assert ["按期办结率", "80.0%", "4/5"] in rows
    assert ["驻马店市", "2", "1", "5", "4", "80.0%"] in rows
    assert ["1", HRSS, "3", "2", "2", "100.0%", "0"] in rows
    assert ["1", COURT, "1", "1", "1", "100.0%", "0"] in rows
    assert ["3", HOUSING, "3", "2", "1", "50.0%", "2"] in rows
    assert [HOUSING, "3", "2", "0", "4", "是"] in rows
    assert ["1", "E 问题楼盘交付", HOUSING, "2026年6月1日", "14"] in rows
    assert ["涉党政机关执行案件化解率", "50.0%", "1/2"] in rows
    # Charts: matters finished by month, on-time rate by unit, new cases by month.
    assert pictures == 3
    assert "图1 2026年各月办结督办事项数" in text
    assert "图2 2026年各牵头单位按期办结率" in text
    assert "图3 2026年各月新收一审行政案件数" in text


def test_the_page_and_the_download_are_the_offices_and_leaders(
    data: World, client_for: Any
) -> None:
    city = data.mechanisms["city"].pk
    office = client_for("city_office")
    page = office.get(f"/dashboard/annual-report/?mechanism={city}&year=2026")
    assert page.status_code == 200
    assert page.context["download"] == f"/dashboard/annual-report/docx/?mechanism={city}&year=2026"
    response = client_for("city_leader").get(page.context["download"])
    assert response.status_code == 200
    text, _rows, _pictures = read(response.content)
    assert "全年督办事项按期办结率80.0%" in text
    # Another county's office: not its joint meeting.
    assert client_for("a_office").get(page.context["download"]).status_code == 404
    for role in ("hrss_liaison", "court_staff", "system_admin"):
        assert client_for(role).get("/dashboard/annual-report/").status_code == 403, role
        assert client_for(role).get(page.context["download"]).status_code == 403, role


def test_a_county_report_counts_only_the_county(data: World) -> None:
    content = annual_report.render_report(data.users["a_office"], data.mechanisms["a"], 2026)
    text, rows, _pictures = read(content)
    assert "西平县府院联动工作2026年度报告" in text
    assert "全年督办事项按期办结率—" in text
    assert HRSS not in "\n".join(text.split("\n") + [c for r in rows for c in r])
