"""The demo year's assessment of the city's joint meeting (`fuyuan load_demo_assessment`):
a scheme with every indicator of the catalogue, published and scored from the demo records by
the office, a few adjustments with their reasons, every result submitted for confirmation and
all but one confirmed by the city's leader — the last awaits the second reviewer. Every write
goes through assessment.actions as the demo account that would act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fuyuan.accounts.models import User
from fuyuan.org.models import Mechanism

from . import actions
from .models import Result, Scheme

CITY_CODE = "411700"
OFFICE = "office"
SECOND_REVIEWER = "leader"

INDICATORS = [
    {"kind": "matters_on_time", "weight": "20", "name": "督办事项按期办结率"},
    {"kind": "cards", "weight": "15", "name": "红黄牌扣分"},
    {"kind": "evaluation_average", "weight": "10", "name": "事项办理评价"},
    {"kind": "appearance_rate", "weight": "15", "name": "行政机关负责人出庭应诉率"},
    {
        "kind": "recommendation_reply",
        "weight": "10",
        "name": "司法建议按期回复率",
        "target": "100",
        "deduction_step": "0.2",
    },
    {"kind": "check_feedback", "weight": "10", "name": "失信惩戒触发反馈率"},
    {"kind": "liaison_on_time", "weight": "10", "name": "工作联系函按期回复率"},
    {"kind": "collections_on_time", "weight": "10", "name": "材料按时报送率"},
]

# (position in the units' official order, points, reason)
ADJUSTMENTS = [
    (0, "2", "牵头推进劳动争议诉调对接工作，经验做法被省司法厅推广。"),
    (1, "-1.5", "年度工作总结经两次催报后方才报送。"),
    (2, "1", "配合法院化解问题楼盘纠纷成效明显，获市委市政府通报表扬。"),
]


class DemoError(Exception):
    pass


@dataclass
class AssessmentDemo:
    year: int

    def load(self) -> dict[str, Any]:
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[OFFICE, SECOND_REVIEWER], is_active=True)
        }
        if set(users) != {OFFICE, SECOND_REVIEWER}:
            raise DemoError("Demo accounts office and leader are missing: run `fuyuan load_demo`.")
        mechanism = (
            Mechanism.objects.select_related("jurisdiction")
            .filter(jurisdiction__code=CITY_CODE)
            .first()
        )
        if mechanism is None:
            raise DemoError("The city's joint meeting is missing: run `fuyuan load_demo`.")
        office, leader = users[OFFICE], users[SECOND_REVIEWER]
        scheme = actions.save_scheme(
            office,
            mechanism,
            year=self.year,
            title=f"{self.year}年度府院联动工作考核方案",
            indicators=INDICATORS,
            notes="考核结果报送省法治政府建设督导平台，计入法治建设考核。",
        )
        actions.transition_scheme(office, scheme, "publish")
        actions.score(office, scheme)
        results = list(
            Result.objects.filter(scheme=scheme)
            .select_related("unit")
            .order_by("unit__order_no", "unit_id")
        )
        if not results:
            raise DemoError("The city's joint meeting has no member unit to assess.")
        for position, delta, reason in ADJUSTMENTS:
            if position < len(results):
                actions.adjust(office, results[position], delta=delta, reason=reason)
        actions.transition_all(office, scheme, "submit")
        # The leader confirms all but the last: it waits for the second reviewer.
        for result in results[:-1]:
            actions.transition_result(leader, result, "confirm")
        return {
            "scheme": Scheme.objects.filter(pk=scheme.pk).values_list("title", flat=True)[0],
            "results": len(results),
            "adjustments": min(len(ADJUSTMENTS), len(results)),
            "awaiting second reviewer": 1,
        }
