"""Builders for the meetings tests: a meeting called by the city office, held, with minutes."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fuyuan.core.calendar import seed_year
from fuyuan.meetings import actions
from fuyuan.meetings.models import Meeting

THURSDAY = datetime.date(2026, 11, 19)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed() -> None:
    seed_year(2026)
    seed_year(2027)


def schedule(
    world: Any,
    *,
    day: datetime.date = THURSDAY,
    units: tuple[str, ...] = ("hrss", "housing", "court"),
    kind: str = "coordination",
    mechanism: str = "city",
    title: str = "府院联动协调会",
) -> Meeting:
    office = {"city": "city_office", "a": "a_office", "b": "b_office"}[mechanism]
    return actions.schedule_meeting(
        world.users[office],
        world.mechanisms[mechanism],
        kind=kind,
        title=title,
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        place="市政府三楼会议室",
        agenda=[{"title": "研究行政机关负责人出庭应诉工作"}],
        units=[world.units[u] for u in units],
    )
