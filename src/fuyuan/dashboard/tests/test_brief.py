"""The leaders' brief as a document and as a message: the .docx holds the page's figures and
fits one printed A4 page even with every list full of the longest titles (checked on the PDF
LibreOffice makes of it); pushing it reaches the leaders once, through inbox and messenger;
only the office pushes."""

from __future__ import annotations

import datetime
import io
import os
import re
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.core.exceptions import PermissionDenied

from fuyuan.audit.models import AuditEntry
from fuyuan.core.documents import docx_to_pdf, soffice_path
from fuyuan.dashboard import brief_docs
from fuyuan.dashboard.area import Area, area_from
from fuyuan.dashboard.figures import Brief, Figure, ListedMatter, UnitRank
from fuyuan.litigation.figures import Period
from fuyuan.matters.models import Matter
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.org.models import Jurisdiction, Unit
from fuyuan.testing import World

TODAY = datetime.date(2026, 11, 27)
LONG = "关于推进全市行政机关负责人出庭应诉和行政争议实质性化解工作的督办事项（第二批次重点任务）"
UNIT = "国家金融监督管理总局驻马店监管分局办公室"


def _worst_case_brief() -> Brief:
    """Every list full, every title and unit name longer than the page can hold."""
    city = Jurisdiction(name="驻马店市", path="/410000/411700/")
    area = Area(
        jurisdiction=city,
        mechanism=None,
        period=Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
        kind="month",
        today=TODAY,
    )
    unit = Unit(name=UNIT, order_no=1)
    matters = [
        ListedMatter(Matter(title=f"{LONG}{n}", lead_unit=unit, deadline=TODAY), 100 + n, "red")
        for n in range(10)
    ]
    figures = [
        Figure("on_time_rate", "按期办结率", Decimal("99.9"), percent=True),
        Figure("appearance_rate", "出庭应诉率", Decimal("100.0"), percent=True),
        Figure("reply_rate", "司法建议回复率", Decimal("100.0"), percent=True),
        Figure("gov_cleared", "涉党政机关案件化解率", Decimal("100.0"), percent=True),
    ]
    colours = [
        Figure("running", "", 99999),
        Figure("red", "", 99999),
        Figure("yellow", "", 99999),
        Figure("near", "", 99999),
    ]
    ranking = [
        UnitRank(unit=unit, matters=999, finished=999, on_time=999, red=999, rank=n)
        for n in range(1, 41)
    ]
    return Brief(
        area=area,
        headline=figures,
        colours=colours,
        red=matters,
        red_total=9999,
        key_issues=matters,
        ranking=ranking,
        finished_in_period=9999,
        new_red_in_period=9999,
    )


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.skipif(
    soffice_path() is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (CI installs it)",
)
def test_the_fullest_brief_prints_on_one_a4_page() -> None:
    content = brief_docs.docx(_worst_case_brief())
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    pdf = docx_to_pdf(content)
    assert pdf is not None
    assert _pages(pdf) == 1


@pytest.mark.django_db
def test_the_docx_carries_the_pages_figures(world: World, client_for: Any) -> None:
    from fuyuan.testing import make_matter

    make_matter(
        world,
        title="推进工伤认定积案清理",
        start=datetime.date.today() - datetime.timedelta(days=60),
        deadline=datetime.date.today() - datetime.timedelta(days=3),
        state="assigned",
    )
    client = client_for("city_leader")
    page = client.get("/dashboard/brief/?period=month")
    assert page.status_code == 200
    response = client.get("/dashboard/brief/docx/?period=month")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    cells = [
        c.text
        for t in docx.Document(io.BytesIO(response.content)).tables
        for r in t.rows
        for c in r.cells
    ]
    headline = [f.text for f in page.context["brief"].headline]
    assert headline == ["—", "—", "—", "—"]  # nothing finished, heard or delivered yet
    area = page.context["area"]
    assert f"督办专报\n\n{area.jurisdiction.name} {area.label}\n府院联动办公室\t" in text
    assert "—" in cells
    assert "推进工伤认定积案清理" in cells
    assert "3" in cells  # days overdue


@pytest.mark.django_db
def test_pushing_reaches_the_leaders_once(world: World) -> None:
    office = world.users["city_office"]
    area = area_from(office, {"period": "week"}, today=TODAY)
    from fuyuan.dashboard import figures

    brief = figures.brief(office, area)
    assert brief_docs.push(office, brief) == 2  # city_leader: inbox + messenger
    assert brief_docs.push(office, brief) == 0
    assert InboxMessage.objects.filter(user=world.users["city_leader"]).count() == 1
    channels = set(
        OutboxMessage.objects.filter(kind="brief.week").values_list("channel", flat=True)
    )
    assert channels == {"inbox", "messenger"}
    assert AuditEntry.objects.filter(action="dashboard.push_brief").count() == 2
    with pytest.raises(PermissionDenied):
        brief_docs.push(world.users["city_leader"], brief)


@pytest.mark.django_db
def test_the_push_button_is_the_offices(world: World, client_for: Any) -> None:
    leader = client_for("city_leader")
    assert "dashboard/brief/push" not in leader.get("/dashboard/brief/").content.decode()
    assert leader.post("/dashboard/brief/push/").status_code == 403
    office = client_for("city_office")
    response = office.post("/dashboard/brief/push/?period=month")
    assert response.status_code == 302
    assert InboxMessage.objects.filter(user=world.users["city_leader"]).count() == 1


@pytest.mark.django_db
def test_every_monday_each_leader_gets_last_weeks_brief_once(world: World) -> None:
    from fuyuan.accounts.models import Role
    from fuyuan.dashboard.jobs import push_weekly_briefs
    from fuyuan.testing import make_user

    county_leader = make_user("a_leader", Role.LEADER, jurisdiction=world.county_a)
    monday = datetime.date(2026, 11, 23)
    assert push_weekly_briefs(monday - datetime.timedelta(days=1)) == 0  # a Sunday
    assert push_weekly_briefs(monday) == 4  # two leaders × inbox and messenger
    assert push_weekly_briefs(monday) == 0
    city = InboxMessage.objects.get(user=world.users["city_leader"])
    county = InboxMessage.objects.get(user=county_leader)
    assert "驻马店市" in city.subject and "11-16" in city.subject
    assert "西平县" in county.subject
    assert f"j={world.county_a.pk}" in county.url
