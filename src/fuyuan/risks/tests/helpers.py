"""Builders shared by the risks tests: well-formed developer credit codes, ledger rows and
risk events written through the actions."""

from __future__ import annotations

import datetime
from typing import Any

from stdnum.cn import uscc

from fuyuan.core.identifiers import organisation_code_check
from fuyuan.risks import actions


def credit_code(division: str = "411700", body: str = "MA44R8Y2") -> str:
    """A company's code (9 1) passing both checks."""
    first17 = f"91{division}{body}{organisation_code_check(body)}"
    return first17 + uscc.calc_check_digit(first17)


def bad_check(code: str) -> str:
    """The same code with a wrong 18th character."""
    wrong = "0" if code[17] != "0" else "1"
    return code[:17] + wrong


def project_data(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "天中名苑二期",
        "developer": "驻马店市天中置业有限公司",
        "developer_credit_code": credit_code(),
        "location": "驿城区雪松路",
        "households_affected": 420,
        "households_delivered": 0,
        "status": "stopped",
        "stopped_on": datetime.date(2024, 5, 1),
        "restarted_on": None,
        "delivered_on": None,
        "white_list": False,
        "responsible_unit": world.units["housing"],
        "note": "",
    }
    data.update(overrides)
    return data


def make_project(world: Any, actor: str = "city_office", jurisdiction: str = "city", **kw: Any):  # type: ignore[no-untyped-def]
    jur = {"city": world.city, "a": world.county_a, "b": world.county_b}[jurisdiction]
    override = kw.pop("override_reason", "")
    return actions.create_project(
        world.users[actor],
        jurisdiction=jur,
        override_reason=override,
        **project_data(world, **kw),
    )


def make_event(
    world: Any,
    *,
    actor: str = "city_office",
    mechanism: str = "city",
    lead: str = "new_regulator",
    involved: tuple[str, ...] = ("court", "hrss"),
    kind: str = "financial",
    level: str = "major",
    title: str = "某投资公司非法集资案",
    reported_on: datetime.date | None = None,
    project: Any = None,
) -> Any:
    return actions.report_event(
        world.users[actor],
        mechanism=world.mechanisms[mechanism],
        title=title,
        kind=kind,
        level=level,
        description="涉及集资参与人约1200人，金额约3.2亿元。",
        lead_unit=world.units[lead],
        units_involved=[world.units[k] for k in involved],
        reported_on=reported_on or datetime.date(2026, 3, 2),
        project=project,
    )
