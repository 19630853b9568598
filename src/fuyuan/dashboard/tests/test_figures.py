"""The brief's and the cockpit's figures on a hand-built data set where every number is known
in advance (today is 15 June 2026):

City matters (year 2026, lead unit → facts):
  M1 人社局  deadline 03-31, reported 03-20, completed 03-25           finished on time
  M2 人社局  deadline 03-31, reported 04-05, completed 04-10           finished late (red card)
  M3 住建局  deadline 05-31, reported 05-30, completed 06-01           on time (reported by then)
  M4 住建局  deadline 06-01, running, key issue                        red, 14 days overdue
  M5 人社局  deadline 06-20, running                                   due within a week
  M6 中院    deadline 12-31, running                                   green
西平县 matters (the county's own):
  M7 西平县人社局 deadline 05-01, running, shared upward with the city  red, 45 days overdue
  M8 西平县人社局 deadline 04-30, finished 04-20, not shared            on time (county only)

Litigation (city bodies): two first-instance cases of 人社局 heard this year, the head of
the body appeared at one → appearance rate 50.0%. Recommendations to 人社局: two delivered,
one replied → reply rate 50.0%. Government-debtor cases: two, one closed; owed 100,000 +
100,000, paid 100,000 + 50,000 → cleared 50.0%, 执行到位率 75.0%. A check by 人社局 with two
hits, one answered → feedback rate 50.0%.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from fuyuan.dashboard import figures
from fuyuan.dashboard.area import area_from
from fuyuan.enforcement import check_actions
from fuyuan.enforcement.models import (
    EnforcementCase,
    EnforcementCaseKind,
    EnforcementCaseState,
    FeedbackAction,
    Scenario,
)
from fuyuan.enforcement.tests.test_checks import entry, person_id
from fuyuan.litigation import workflow as lit_wf
from fuyuan.litigation.models import HeadRank, Recommendation, RecommendationKind
from fuyuan.litigation.tests.test_figures import hold_hearing, make_case
from fuyuan.matters import workflow as wf
from fuyuan.matters.models import Matter
from fuyuan.testing import World, make_matter

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 6, 15, 10)), tick=False):
        yield


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))


def _finish(matter: Matter, reported: datetime.date | None, completed: datetime.date) -> None:
    # Test set-up: the finished state and its dates as the workflow would have left them.
    Matter.objects.filter(pk=matter.pk).update(
        state=wf.COMPLETED,
        reported_at=_at(reported) if reported else None,
        completed_at=_at(completed),
        progress=100,
    )


def _matter(w: World, title: str, deadline: datetime.date, **kw: Any) -> Matter:
    return make_matter(
        w, title=title, start=D(2026, 1, 5), deadline=deadline, state="assigned", **kw
    )


@pytest.fixture
def data(world: World) -> World:
    w = world
    _finish(_matter(w, "M1 稳就业补贴发放", D(2026, 3, 31)), D(2026, 3, 20), D(2026, 3, 25))
    _finish(_matter(w, "M2 工伤认定积案清理", D(2026, 3, 31)), D(2026, 4, 5), D(2026, 4, 10))
    _finish(
        _matter(w, "M3 保障性住房分配", D(2026, 5, 31), lead="housing"),
        D(2026, 5, 30),
        D(2026, 6, 1),
    )
    m4 = _matter(w, "M4 问题楼盘交付", D(2026, 6, 1), lead="housing")
    Matter.objects.filter(pk=m4.pk).update(is_key_issue=True)
    _matter(w, "M5 农民工工资清欠", D(2026, 6, 20))
    _matter(w, "M6 行政审判白皮书", D(2026, 12, 31), lead="court")
    _matter(w, "M7 县级社保基金追缴", D(2026, 5, 1), mechanism="a", lead="a_hrss")
    m8 = _matter(
        w, "M8 县级劳动争议调处", D(2026, 4, 30), mechanism="a", lead="a_hrss", shared_upward=False
    )
    _finish(m8, None, D(2026, 4, 20))

    # Litigation: two cases of 人社局, the head appears at one hearing.
    first = make_case(w, "hrss", D(2026, 2, 3))
    second = make_case(w, "hrss", D(2026, 3, 4))
    hold_hearing(first, D(2026, 4, 8), HeadRank.TOP)
    hold_hearing(second, D(2026, 5, 12))

    # Recommendations to 人社局: two delivered, one replied.
    for n, replied in ((1, D(2026, 4, 1)), (2, None)):
        Recommendation.objects.create(
            mechanism=w.mechanisms["city"],
            kind=RecommendationKind.JUDICIAL,
            issuer=w.units["court"],
            recipient=w.units["hrss"],
            title=f"司法建议{n}",
            content="规范工伤认定程序",
            state=lit_wf.REPLIED if replied else lit_wf.DELIVERED,
            created_by=w.users["court_staff"],
            delivered_on=D(2026, 3, 1),
            reply_due=D(2026, 5, 1),
            replied_on=replied,
        )

    # Government-debtor cases: one closed, money half recovered on the other.
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
            debtor_name="驻马店市住房和城乡建设局",
            creditor="某建筑公司",
            filed_on=D(2026, 1, 10),
            amount_owed=Decimal("100000"),
            amount_paid=Decimal(paid),
            state=state,
            closed_on=D(2026, 5, 1) if state == EnforcementCaseState.CLOSED else None,
        )

    # A check by 人社局: two hits, one answered.
    entry("王建国", person_id(1))
    entry("李红梅", person_id(2))
    check = check_actions.run_check(
        w.users["hrss_liaison"],
        unit=w.units["hrss"],
        scenario=Scenario.SUBSIDY,
        parties=[("王建国", person_id(1)), ("李红梅", person_id(2))],
    )
    hit = check.matches.order_by("pk").first()
    check_actions.give_feedback(
        w.users["hrss_liaison"],
        hit,
        action=FeedbackAction.NOT_APPLICABLE,
        note="补贴已停发",
    )
    return w


def _area(w: World, user: str, **params: str) -> Any:
    return area_from(w.users[user], params, today=TODAY)


def _texts(found: list[figures.Figure]) -> dict[str, str]:
    return {f.key: f.text for f in found}


def test_the_brief_of_the_city(data: World) -> None:
    area = _area(data, "city_office", period="month", on="2026-06")
    brief = figures.brief(data.users["city_office"], area)
    assert _texts(brief.headline) == {
        "on_time_rate": "66.7%",  # M1 and M3 of M1, M2, M3 (M8 is not shared)
        "appearance_rate": "50.0%",
        "reply_rate": "50.0%",
        "gov_cleared": "50.0%",
    }
    assert [(f.part, f.whole) for f in brief.headline[:1]] == [(2, 3)]
    assert _texts(brief.colours) == {"running": "4", "red": "2", "yellow": "0", "near": "1"}
    assert [(i.matter.title[:2], i.days_overdue) for i in brief.red] == [("M7", 45), ("M4", 14)]
    assert brief.red_total == 2
    assert [i.matter.title[:2] for i in brief.key_issues] == ["M4"]
    ranking = [(r.rank, r.unit.name, r.finished, r.on_time, r.red) for r in brief.ranking]
    assert ranking == [
        (1, "驻马店市住房和城乡建设局", 1, 1, 1),
        (2, "驻马店市人力资源和社会保障局", 2, 1, 1),
        (3, "驻马店市中级人民法院", 0, 0, 0),
        (4, "西平县人力资源和社会保障局", 0, 0, 1),
    ]
    # June: M3 finished; M4 fell due (1 June) unfinished.
    assert (brief.finished_in_period, brief.new_red_in_period) == (1, 1)


def test_the_cockpit_of_the_city(data: World) -> None:
    area = _area(data, "city_office")
    cockpit = figures.cockpit(data.users["city_office"], area)
    values = {f.key: f.text for s in cockpit["sections"] for f in s.figures}
    assert values == {
        "on_time_rate": "66.7%",
        "running": "4",
        "red": "2",
        "yellow": "0",
        "near": "1",
        "list_items": "0",
        "list_done": "—",
        "list_red": "0",
        "meetings_held": "0",
        "minutes_issued": "0",
        "letters_sent": "0",
        "reply_days": "—",
        "letters_overdue": "0",
        "escalations": "0",
        "collections": "0",
        "collections_on_time": "—",
        "new_cases": "2",
        "concluded": "0",
        "loss_rate": "—",
        "appearance_rate": "50.0%",
        "recommendations": "2",
        "reply_rate": "50.0%",
        "reply_overdue": "1",
        "checks": "1",
        "hits": "2",
        "feedback_rate": "50.0%",
        "gov_cleared": "50.0%",
        "gov_paid_rate": "75.0%",
        "livelihood_cleared": "—",
        "bankruptcy_open": "0",
        "fund_balance": "—",
        "risks_open": "0",
        "risks_new": "0",
    }
    assert cockpit["by_state"] == {wf.ASSIGNED: 4, wf.COMPLETED: 3}
    rows = [
        (r.jurisdiction.name, r.running, r.red, r.finished, r.on_time)
        for r in cockpit["jurisdictions"]
    ]
    assert rows == [("驻马店市", 3, 1, 3, 2), ("西平县", 1, 1, 0, 0)]
    trend = cockpit["trend"]
    assert trend["cases"][:6] == [0, 1, 1, 0, 0, 0]
    assert trend["finished"][:6] == [0, 0, 1, 1, 0, 1]


def test_every_figure_links_to_its_rows(data: World, client_for: Any) -> None:
    area = _area(data, "city_office")
    on_time = figures.on_time_figure(data.users["city_office"], area)
    client = client_for("city_office")
    page = client.get(on_time.url)
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    red = next(f for f in figures.colour_figures(data.users["city_office"], area) if f.key == "red")
    assert client.get(red.url).context["page"].paginator.count == 2
    late = client.get(on_time.url + "&timeliness=late")
    assert [m.title[:2] for m in late.context["page"]] == ["M2"]


def test_drilling_down_to_a_unit(data: World) -> None:
    area = _area(data, "city_office", unit=str(data.units["hrss"].pk))
    brief = figures.brief(data.users["city_office"], area)
    assert _texts(brief.headline)["on_time_rate"] == "50.0%"
    assert _texts(brief.colours) == {"running": "1", "red": "0", "yellow": "0", "near": "1"}
    assert _texts(brief.headline)["appearance_rate"] == "50.0%"


def test_a_county_cockpit_shows_only_its_county(data: World, client_for: Any) -> None:
    area = _area(data, "a_office")
    assert area.jurisdiction == data.county_a
    brief = figures.brief(data.users["a_office"], area)
    assert _texts(brief.headline)["on_time_rate"] == "100.0%"  # M8
    assert _texts(brief.colours)["running"] == "1"  # M7
    assert [i.matter.title[:2] for i in brief.red] == ["M7"]
    assert [r.unit.name for r in brief.ranking] == ["西平县人力资源和社会保障局"]
    assert _texts(brief.headline)["reply_rate"] == "—"  # the city's recommendations
    assert _texts(brief.headline)["gov_cleared"] == "—"
    client = client_for("a_office")
    assert client.get(f"/dashboard/cockpit/?j={data.city.pk}").status_code == 404
    assert client.get(f"/dashboard/cockpit/?j={data.county_b.pk}").status_code == 404
    assert client.get(f"/dashboard/brief/?unit={data.units['hrss'].pk}").status_code == 404
    page = client.get("/dashboard/cockpit/")
    assert page.status_code == 200
    assert "M4" not in page.content.decode()
    assert "M7" in page.content.decode()


def test_liaison_officers_and_administrators_have_no_dashboard(client_for: Any) -> None:
    for role in ("hrss_liaison", "court_staff", "system_admin", "audit_admin"):
        assert client_for(role).get("/dashboard/cockpit/").status_code == 403
