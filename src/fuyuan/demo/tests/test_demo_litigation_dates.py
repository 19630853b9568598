"""The demo loads on any working day, not only the day its module test is fixed to:
right after a long holiday (National Day, May Day) the scripted hearings of "3 and 6 working
days ago" lie more than the usual "recent" span back and must still come with records that
the demo accounts confirm or dispute."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import Appearance

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2026, 10, 12, 9, 0, tzinfo=BEIJING),  # after National Day
        datetime.datetime(2026, 5, 6, 9, 0, tzinfo=BEIJING),  # after May Day
    ],
)
def test_the_demo_loads_right_after_a_long_holiday(now, tmp_path) -> None:
    with override_settings(MEDIA_ROOT=str(tmp_path)), time_machine.travel(now, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        out = io.StringIO()
        call_command("load_demo_litigation", stdout=out)
    assert "Litigation demo loaded" in out.getvalue()
    assert Appearance.objects.filter(state=wf.DISPUTED).exists()


def test_the_demo_loads_in_a_year_whose_holidays_are_not_published_yet(tmp_path) -> None:
    """Early in a year the calendar package may not know (2027 here): the demo marks such a
    year provisional (weekends only) rather than failing; real deployments still refuse it
    until the office enters the published arrangement."""
    from fuyuan.core.calendar import PROVISIONAL
    from fuyuan.core.models import CalendarYear

    now = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=BEIJING)
    with override_settings(MEDIA_ROOT=str(tmp_path)), time_machine.travel(now, tick=False):
        for command in (
            "load_demo",
            "load_demo_matters",
            "load_demo_mechanism",
            "load_demo_litigation",
            "load_demo_enforcement",
        ):
            call_command(command, stdout=io.StringIO())
    assert CalendarYear.objects.get(year=2028).source == PROVISIONAL
