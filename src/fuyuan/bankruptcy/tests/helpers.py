"""Builders of the bankruptcy tests: cases, funds and a seeded calendar, all through the
actions."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from fuyuan.core import calendar

from .. import actions

TODAY = datetime.date(2026, 3, 10)  # a Tuesday
VALID_CODE = "91411700MA44A1B2CK"
BAD_CHECK_CODE = "91411700MA44A1B2C0"
_SEQ = itertools.count(1)


def seed_calendar() -> None:
    calendar.seed_year(2026)


def make_case(w: Any, *, court: str = "court", stage: str = "administration", **extra: Any) -> Any:
    """A case of the intermediate court (豫17) or the basic court of 上蔡县 (豫1722)."""
    unit = w.units[court]
    user = w.users["court_staff" if court == "court" else "b_court_staff"]
    kind = "破申" if stage == "application" else "破"
    values: dict[str, Any] = {
        "number": f"（2026）{unit.court_code}{kind}{next(_SEQ)}号",
        "court": unit,
        "debtor_name": "驻马店市恒远纺织有限公司",
        "debtor_credit_code": VALID_CODE,
        "administrator": "河南天中律师事务所",
        "applied_on": datetime.date(2026, 1, 5),
        "accepted_on": None if stage == "application" else datetime.date(2026, 1, 20),
        "stage": stage,
        "no_assets": True,
        "employees": 120,
    }
    values.update(extra)
    return actions.create_case(user, **values)


def make_fund(w: Any, budget: str = "100000", mechanism: str = "city", year: int = 2026) -> Any:
    office = {"city": "city_office", "a": "a_office", "b": "b_office"}[mechanism]
    return actions.set_budget(w.users[office], w.mechanisms[mechanism], year, Decimal(budget))


def reviewed_application(w: Any, case: Any, amount: str) -> Any:
    app = actions.apply_fund(
        w.users["court_staff"], case, amount=Decimal(amount), reason="管理人报酬"
    )
    return actions.application_transition(w.users["city_office"], app, "review", "材料齐全")
