"""`fuyuan load_demo_matters`: a year of matters on top of the org demo.

The data is laid out relative to today (timezone.localdate()), so what these tests check under
a frozen date holds on any day; two different "todays" are tried to show it.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from fuyuan.accounts.models import User
from fuyuan.audit.models import AuditEntry
from fuyuan.core import search
from fuyuan.core.models import CalendarYear
from fuyuan.matters import workflow as wf
from fuyuan.matters.models import (
    Colour,
    Evaluation,
    ExtensionRequest,
    Feedback,
    FeedbackStatus,
    Matter,
    MatterType,
    TimelineEntry,
)
from fuyuan.org.models import Mechanism

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime(2026, 11, 26, 10, 30, tzinfo=BEIJING)
ALL_STATES = {s.code for s in wf.MATTER_WORKFLOW.states} - {wf.AWAITING_CHECK}


def load(*extra: str) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo_matters", *extra, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "now",
    [TODAY, datetime.datetime(2026, 5, 12, 9, 0, tzinfo=BEIJING)],
    ids=["2026-11-26", "2026-05-12"],
)
def test_demo_matters_cover_every_state_and_colour_on_any_day(now: datetime.datetime) -> None:
    with time_machine.travel(now, tick=False):
        load()
        today = now.date()
        matters = Matter.objects.with_colour(today)
        by_place = Counter(matters.values_list("jurisdiction__name", flat=True))
        assert 120 <= by_place["驻马店市"] <= 180
        assert 30 <= by_place["西平县"] <= 50
        assert 30 <= by_place["上蔡县"] <= 50
        for place in ("驻马店市", "西平县", "上蔡县"):
            states = set(matters.filter(jurisdiction__name=place).values_list("state", flat=True))
            assert states == ALL_STATES, place
        running = Counter(
            matters.filter(state__in=wf.RUNNING_STATES).values_list("colour", flat=True)
        )
        assert {Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.GREEN} <= set(running)
        assert set(matters.values_list("matter_type", flat=True)) == set(MatterType.values)
        city = Mechanism.objects.get(jurisdiction__code="411700")
        areas = set(matters.filter(mechanism=city).values_list("task_area__code", flat=True))
        assert areas == set(city.task_areas.values_list("code", flat=True))
        total = matters.count()
        assert 0.10 <= matters.filter(is_key_issue=True).count() / total <= 0.25
        assert 0.15 <= matters.filter(enterprise_related=True).count() / total <= 0.35
        for m in matters:
            assert m.start_date <= m.deadline
            assert m.warn_from == m.deadline - datetime.timedelta(days=5)
            assert m.year == m.start_date.year and m.version == 1
            assert m.created_at is not None and m.created_at <= m.updated_at
            if m.state == wf.DRAFT:
                assert m.start_date <= today
        extensions = Counter(ExtensionRequest.objects.values_list("state", flat=True))
        assert extensions[wf.EXT_APPROVED] >= 2 and extensions[wf.EXT_REJECTED] >= 1
        assert extensions[wf.EXT_PENDING] == 1
        assert ExtensionRequest.objects.filter(level=2, state=wf.EXT_APPROVED).exists()
        assert Evaluation.objects.filter(matter__state__in=wf.DONE_STATES).count() >= 5
        submitted = Feedback.objects.filter(status=FeedbackStatus.SUBMITTED)
        assert any(f.was_late for f in submitted) and any(not f.was_late for f in submitted)
        assert CalendarYear.objects.filter(year__in=[2025, 2026]).count() == 2
        assert AuditEntry.objects.filter(action="matters.demo.load").count() == 1


def test_demo_timelines_follow_each_matters_state_path() -> None:
    with time_machine.travel(TODAY, tick=False):
        load()
        office = User.objects.get(username="office")
        for matter in Matter.objects.prefetch_related("timeline"):
            entries = list(matter.timeline.all())
            assert entries[0].kind == "created"
            assert all(e.at <= TODAY for e in entries)
            state = wf.DRAFT
            for entry in entries:
                if entry.kind.startswith("transition:"):
                    assert entry.from_state == state, (matter.title, entry.kind)
                    state = entry.to_state
            assert state == matter.state, matter.title
            if matter.signed_at and matter.reported_at:
                assert matter.signed_at < matter.reported_at
            if matter.closed_at:
                assert matter.completed_at and matter.completed_at < matter.closed_at
        closing = TimelineEntry.objects.filter(kind="transition:close")
        assert closing.exists() and set(closing.values_list("actor", flat=True)) <= {
            office.pk,
            User.objects.get(username="county").pk,
        }


def test_demo_sub_matters_roll_up_and_an_unshared_one_stays_in_the_county() -> None:
    with time_machine.travel(TODAY, tick=False):
        load()
        office = User.objects.get(username="office")
        county = User.objects.get(username="county")
        children = Matter.objects.filter(parent__jurisdiction__name="驻马店市")
        assert set(children.values_list("jurisdiction__name", flat=True)) == {"西平县", "上蔡县"}
        for parent in Matter.objects.filter(children__isnull=False).distinct():
            kids = list(parent.children.all())
            total = sum(k.weight for k in kids)
            assert parent.progress == round(sum(k.progress * k.weight for k in kids) / total)
        hidden = Matter.objects.get(shared_upward=False)
        assert hidden.jurisdiction.name == "西平县" and hidden.state == wf.DRAFT
        assert hidden.parent.jurisdiction.name == "西平县"
        assert hidden.parent.parent.jurisdiction.name == "驻马店市"
        assert not Matter.objects.visible_to(office).filter(pk=hidden.pk).exists()
        assert Matter.objects.visible_to(county).filter(pk=hidden.pk).exists()
        shared_sibling = hidden.parent.children.exclude(pk=hidden.pk).first()
        assert Matter.objects.visible_to(office).filter(pk=shared_sibling.pk).exists()
        assert not Matter.objects.visible_to(county).filter(jurisdiction__name="上蔡县").exists()


def test_chinese_keyword_search_finds_demo_matters() -> None:
    with time_machine.travel(TODAY, tick=False):
        load()
        ids = search.matching_ids("matters.matter", "破产")
        found = Matter.objects.filter(pk__in=ids)
        assert found.count() >= 5
        assert all("破产" in f"{m.title}{m.description}{' '.join(m.tags)}" for m in found)
        assert Matter.objects.filter(
            pk__in=search.matching_ids("matters.matter", "保交楼")
        ).exists()


def test_if_empty_loads_once() -> None:
    # Speed is measured by the benchmarks (`make bench`), never by a timed unit test.
    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_matters", "--if-empty", stdout=io.StringIO())
        count = Matter.objects.count()
        out = io.StringIO()
        call_command("load_demo_matters", "--if-empty", stdout=out)
        assert "exist already" in out.getvalue()
        assert Matter.objects.count() == count
        with pytest.raises(CommandError, match="already"):
            call_command("load_demo_matters", stdout=io.StringIO())


def test_demo_matters_refuse_without_the_org_demo() -> None:
    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo_matters", stdout=io.StringIO())
    assert not Matter.objects.exists()
