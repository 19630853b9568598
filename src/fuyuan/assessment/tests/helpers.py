"""A hand-built year (2025) of the city's linkage work, scored in January 2026, with the scores
each unit must get under SCHEME_2025. Matters move through the matter engine's actions at
frozen times; recommendations are written directly (test set-up).

Assessed units of the city (member units less the office's own and the court):
市人社局 (hrss), 市住建局 (housing), the financial regulator (new_regulator).

- hrss: three matters — one reported on time (rated 5/4/4 = 4.33), one reported late (red),
  one running past its deadline (red). On time 1/3 = 33.3% → 40 × 33.3 / 100 = 13.32;
  cards 2 red → 20 − 4 = 16; evaluation 4.33 / 5 × 20 = 17.32; no recommendation → full
  20. Total 66.64.
- housing: two matters reported on time (one on the deadline day; one rated 5/5/5). 2/2 →
  40; no card → 20; 5.00 → 20; recommendations 2 of 3 replied on time = 66.7% against the
  target 90, 0.5 per point short: 20 − 23.3 × 0.5 = 8.35. Total 88.35.
- regulator: no matter (on time: no records → full 40; evaluation: no records → 0 as the
  indicator says); no card → 20; one recommendation left unanswered past its deadline:
  0% → 20 − 90 × 0.5 < 0 → 0. Total 60.00.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

import time_machine
from django.utils import timezone

from fuyuan.accounts.models import User
from fuyuan.litigation.models import Recommendation
from fuyuan.matters import actions as matter_actions
from fuyuan.testing import World, build_world, make_matter

from .. import actions

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2025
SCORING_TIME = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=SHANGHAI)
D = datetime.date

SCHEME_2025 = [
    {"kind": "matters_on_time", "weight": "40", "name": "督办事项按期办结率"},
    {"kind": "cards", "weight": "20"},
    {"kind": "evaluation_average", "weight": "20", "if_no_data": "zero"},
    {
        "kind": "recommendation_reply",
        "weight": "20",
        "target": "90",
        "deduction_step": "0.5",
    },
]

EXPECTED = {
    "hrss": {
        "scores": [Decimal("13.32"), Decimal("16.00"), Decimal("17.32"), Decimal("20.00")],
        "values": [Decimal("33.3"), Decimal("4.00"), Decimal("4.33"), None],
        "total": Decimal("66.64"),
    },
    "housing": {
        "scores": [Decimal("40.00"), Decimal("20.00"), Decimal("20.00"), Decimal("8.35")],
        "values": [Decimal("100.0"), Decimal("0.00"), Decimal("5.00"), Decimal("66.7")],
        "total": Decimal("88.35"),
    },
    "new_regulator": {
        "scores": [Decimal("40.00"), Decimal("20.00"), Decimal("0.00"), Decimal("0.00")],
        "values": [None, Decimal("0.00"), None, Decimal("0.0")],
        "total": Decimal("60.00"),
    },
}


def at(day: datetime.date, hour: int = 10) -> Any:
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI), tick=False
    )


def _matter(
    w: World,
    lead: str,
    title: str,
    start: datetime.date,
    deadline: datetime.date,
    reported: datetime.date | None = None,
    *,
    complete: bool = True,
    rating: tuple[int, int, int] | None = None,
) -> Any:
    office = w.users["city_office"]
    liaison = w.users[f"{lead}_liaison"]
    with at(start):
        matter = make_matter(
            w, lead=lead, title=title, start=start, deadline=deadline, state="assigned"
        )
        matter_actions.transition(liaison, matter, "sign")
        matter_actions.transition(liaison, matter, "start")
    if reported is not None:
        with at(reported, 16):
            matter_actions.transition(liaison, matter, "report", values={"summary": "已办结。"})
        if complete:
            with at(reported + datetime.timedelta(days=2)):
                matter_actions.transition(office, matter, "complete")
                if rating is not None:
                    matter_actions.evaluate(office, matter, *rating)
    return matter


def _recommendation(
    w: World,
    recipient: str,
    delivered: datetime.date,
    due: datetime.date,
    replied: datetime.date | None,
) -> Recommendation:
    return Recommendation.objects.create(
        mechanism=w.mechanisms["city"],
        issuer=w.units["court"],
        recipient=w.units[recipient],
        title="关于规范行政执法程序的司法建议",
        content="……",
        state="replied" if replied else "delivered",
        created_by=w.users["court_staff"],
        delivered_on=delivered,
        reply_due=due,
        replied_on=replied,
    )


def build_year() -> World:
    """The world (built on 2 January 2025, so everyone's roles hold all year) and the year's
    records."""
    with at(D(2025, 1, 2)):
        w = build_world()
    # Passwords set "in 2025" would have expired by the time the pages are opened.
    User.objects.update(password_changed_at=timezone.now())
    _matter(
        w,
        "hrss",
        "推进负责人出庭应诉",
        D(2025, 3, 1),
        D(2025, 6, 30),
        D(2025, 6, 20),
        rating=(5, 4, 4),
    )
    _matter(w, "hrss", "欠薪案件执行协调", D(2025, 3, 1), D(2025, 5, 31), D(2025, 6, 10))
    _matter(w, "hrss", "劳动争议诉调对接", D(2025, 4, 1), D(2025, 10, 31))
    _matter(
        w, "housing", "问题楼盘化解", D(2025, 2, 1), D(2025, 9, 30), D(2025, 9, 1), rating=(5, 5, 5)
    )
    _matter(w, "housing", "物业纠纷多元化解", D(2025, 5, 1), D(2025, 11, 30), D(2025, 11, 30))
    # A matter of another year does not count.
    _matter(w, "housing", "上年度遗留事项", D(2024, 12, 28), D(2025, 1, 31))
    _recommendation(w, "housing", D(2025, 3, 1), D(2025, 4, 30), D(2025, 4, 20))
    _recommendation(w, "housing", D(2025, 6, 1), D(2025, 7, 31), D(2025, 7, 31))
    _recommendation(w, "housing", D(2025, 8, 1), D(2025, 9, 30), D(2025, 10, 9))
    _recommendation(w, "new_regulator", D(2025, 9, 1), D(2025, 11, 1), None)
    # Delivered the year before: not counted for 2025.
    _recommendation(w, "hrss", D(2024, 11, 1), D(2024, 12, 31), None)
    return w


def scheme(w: World, rows: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    return actions.save_scheme(
        w.users["city_office"],
        w.mechanisms["city"],
        year=YEAR,
        title="2025年度府院联动工作考核方案",
        indicators=rows or SCHEME_2025,
        **extra,
    )


def scored(w: World) -> Any:
    """The 2025 scheme, published and scored at SCORING_TIME."""
    with time_machine.travel(SCORING_TIME, tick=False):
        s = scheme(w)
        actions.transition_scheme(w.users["city_office"], s, "publish")
        actions.score(w.users["city_office"], s)
    return s
