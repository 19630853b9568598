"""Set-up for the dual-list tests: the usual pair of list kinds and a task area (test data
written directly, as in fuyuan.testing), and a shortcut for proposing."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fuyuan.duallists import actions
from fuyuan.org.models import ListKind, TaskArea

ITEM_DEADLINE = datetime.date(timezone.localdate().year + 1, 6, 30)


def setup_lists(world: Any) -> dict[str, Any]:
    mechanism = world.mechanisms["city"]
    court_kind = ListKind.objects.create(
        mechanism=mechanism,
        code="court_needs_government",
        name="法院需政府支持事项清单",
        order=1,
        requester_side="court",
        provider_side="government",
    )
    gov_kind = ListKind.objects.create(
        mechanism=mechanism,
        code="government_needs_court",
        name="政府需法院支持事项清单",
        order=2,
        requester_side="government",
        provider_side="court",
    )
    area = TaskArea.objects.create(mechanism=mechanism, code="enforcement", name="执行联动")
    return {"court_kind": court_kind, "gov_kind": gov_kind, "area": area}


def open_call(world: Any, year: int | None = None, days: int = 10) -> Any:
    today = timezone.localdate()
    return actions.open_call(
        world.users["city_office"],
        world.mechanisms["city"],
        year=year or today.year + 1,
        proposal_deadline=today + datetime.timedelta(days=days),
    )


def propose(world: Any, call: Any, user: str, unit: str, kind: Any, lead: str, **extra: Any) -> Any:
    values = {
        "title": "事项",
        "content": "内容",
        "measurable_target": "全年办结率达到90%以上",
        "deadline": ITEM_DEADLINE,
        "co_units": [],
        "task_area": None,
    }
    values.update(extra)
    return actions.propose(
        world.users[user],
        call,
        proposing_unit=world.units[unit],
        list_kind=kind,
        lead_unit=world.units[lead],
        **values,
    )
