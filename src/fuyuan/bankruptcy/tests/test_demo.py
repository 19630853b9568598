"""The bankruptcy demo module loads on top of the org demo: a dozen cases at the intermediate
and basic courts, items as matters, queries with turnaround, and a fund whose applications
reached every step without the balance going negative."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from fuyuan.core import calendar

from ..models import BankruptcyCase, Fund, FundApplication, InformationQuery

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 10, 9, 0)


def test_the_demo_loads_a_realistic_bankruptcy_area():
    from fuyuan.demo import bankruptcy

    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        calendar.seed_from_package([2025, 2026])
        counts = bankruptcy.load(NOW.date())
    assert counts["bankruptcy_cases"] == 12 and counts["bankruptcy_items"] >= 10
    courts = set(BankruptcyCase.objects.values_list("court__court_code", flat=True))
    assert "豫17" in courts and len(courts) >= 6
    assert (
        InformationQuery.objects.filter(state="answered").exclude(answer_working_days=None).count()
        >= 5
    )
    states = set(FundApplication.objects.values_list("state", flat=True))
    assert {"paid", "approved", "reviewed", "submitted", "rejected"} <= states
    fund = Fund.objects.get(mechanism__jurisdiction__code="411700")
    assert fund.committed == sum(
        a.amount for a in FundApplication.objects.filter(fund=fund, state__in=("approved", "paid"))
    )
    assert fund.balance >= 0 and fund.paid > 0
