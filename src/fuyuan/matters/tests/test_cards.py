"""Yellow and red cards are computed per unit and year; three reds flag a formal talk; a
liaison sees only its own unit's row; the page's query count does not grow with units."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.matters import actions
from fuyuan.matters.cards import cards_by_unit
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


def _late_report(world, matter):
    liaison = world.users["hrss_liaison"]
    draft = actions.save_feedback_draft(liaison, matter, "进展", 10)
    actions.submit_feedback(liaison, draft)


def test_three_overdue_matters_flag_a_formal_talk(world):
    start = datetime.date(2026, 3, 2)
    for i in range(3):
        make_matter(
            world,
            title=f"逾期事项{i}",
            start=start,
            deadline=datetime.date(2026, 3, 20),
            state="assigned",
        )
    make_matter(
        world,
        lead="housing",
        start=start,
        deadline=datetime.date(2026, 12, 20),
        state="assigned",
    )
    today = datetime.date(2026, 4, 1)
    rows = {
        r.unit.name: r
        for r in cards_by_unit(world.users["city_office"], world.mechanisms["city"], 2026, today)
    }
    hrss = rows["驻马店市人力资源和社会保障局"]
    assert (hrss.matters, hrss.red, hrss.points, hrss.formal_talk) == (3, 3, 6, True)
    housing = rows["驻马店市住房和城乡建设局"]
    assert (housing.red, housing.formal_talk) == (0, False)


def test_a_late_report_is_a_yellow_card(world):
    # Started in March with reports due before the 25th; the first report comes today,
    # months late. On a day before the next due date only that late report counts.
    start = datetime.date(2026, 3, 2)
    matter = make_matter(
        world,
        start=start,
        deadline=datetime.date(2026, 12, 20),
        state="assigned",
        feedback_cadence="monthly",
        feedback_day=25,
    )
    actions.transition(world.users["hrss_liaison"], matter, "sign")
    assert matter.next_feedback_due == datetime.date(2026, 3, 25)
    _late_report(world, matter)
    matter.refresh_from_db()
    rows = cards_by_unit(
        world.users["city_office"], world.mechanisms["city"], 2026, matter.next_feedback_due
    )
    assert [(r.yellow, r.red) for r in rows] == [(1, 0)]


def test_liaison_sees_only_its_unit_and_page_queries_are_flat(world, client_for):
    today = timezone.localdate()
    make_matter(world, state="assigned")
    make_matter(world, lead="housing", state="assigned")
    rows = cards_by_unit(world.users["hrss_liaison"], world.mechanisms["city"], today.year, today)
    assert [r.unit.name for r in rows] == ["驻马店市人力资源和社会保障局"]
    client = client_for("city_office")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/matters/cards/").status_code == 200
    for lead in ("court", "new_regulator", "hrss", "housing"):
        make_matter(world, lead=lead, state="assigned")
    with CaptureQueriesContext(connection) as large:
        page = client.get("/matters/cards/")
    assert len(large) == len(small)
    assert "驻马店市中级人民法院" in page.content.decode()
