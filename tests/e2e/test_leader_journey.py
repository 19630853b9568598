"""A leader opens the brief and the cockpit from the home page, at desktop and phone width:
the brief lists the overdue matters, the cockpit's four echarts charts draw (a canvas each),
the big screen draws too, and nothing is blocked by the Content Security Policy (no console
error) nor wider than the window."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fuyuan.testing import build_world, make_matter

from .conftest import zh

OVERDUE = "长标题的逾期督办事项第{n}项：推进行政争议实质性化解与行政机关负责人出庭应诉"


def _world_with_overdue_matters() -> None:
    world = build_world()
    today = timezone.localdate()
    for n in range(6):
        make_matter(
            world,
            title=OVERDUE.format(n=n),
            lead="housing" if n % 2 else "hrss",
            start=today - datetime.timedelta(days=90),
            deadline=today - datetime.timedelta(days=10 + n),
            state="assigned",
        )


def test_leader_opens_the_brief_and_the_cockpit(user_browser):
    _world_with_overdue_matters()
    leader = user_browser("city_leader", who="leader")
    page = leader.page
    leader.shot("home")

    leader.click(zh("Leaders' brief"), role="link", within=page.locator("main"))
    assert page.url.startswith(leader.url("/dashboard/brief/"))
    for n in range(6):
        page.get_by_text(OVERDUE.format(n=n)).first.wait_for()
    red = page.get_by_role("heading", name=zh("Red list (%(total)s)") % {"total": 6})
    red.wait_for()
    assert leader.overflow() <= 0, f"the brief is {leader.overflow()}px wider than the window"
    leader.shot("brief")

    page.go_back()
    leader.click(zh("Cockpit"), role="link", within=page.locator("main"))
    assert page.url.startswith(leader.url("/dashboard/cockpit/"))
    for name in ("colours", "trend", "states", "ranking"):
        page.locator(f"[data-chart={name}] canvas").first.wait_for()
    assert page.locator("[data-chart] canvas").count() == 4
    assert leader.overflow() <= 0, f"the cockpit is {leader.overflow()}px wider than the window"
    leader.shot("cockpit")

    leader.click(zh("Big screen"), role="link")
    page.locator(".big-screen [data-chart=trend] canvas").first.wait_for()
    leader.shot("big screen")
