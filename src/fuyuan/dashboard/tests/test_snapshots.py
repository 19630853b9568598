"""Precomputed figures (dashboard/snapshots.py): a page reads its snapshot while it is young,
says when the figures were taken, recomputes on demand; keys follow the reader's scope; the
scheduler refreshes what people look at and prepares the leaders' pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.dashboard import snapshots
from fuyuan.dashboard.area import area_from
from fuyuan.dashboard.models import FigureSnapshot
from fuyuan.testing import World, make_matter

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 9))


@pytest.fixture(autouse=True)
def _on(settings: Any):  # type: ignore[no-untyped-def]
    settings.FUYUAN_FIGURES_MAX_AGE_SECONDS = 600
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _running(world: World) -> int:
    body = snapshots.take("cockpit", world.users["city_office"], _area(world)).data
    return body["sections"][0].figures[1].value  # type: ignore[no-any-return]


def _area(world: World) -> Any:
    return area_from(world.users["city_office"], {}, default_kind="year")


def test_the_cockpit_reads_its_snapshot_until_it_is_old(world: World, client_for: Any, _on) -> None:  # type: ignore[no-untyped-def]
    make_matter(world, lead="hrss", state="assigned")
    client = client_for("city_office")
    first = client.get("/dashboard/cockpit/")
    assert first.status_code == 200
    assert FigureSnapshot.objects.filter(kind="cockpit").count() == 1
    with CaptureQueriesContext(connection) as cached:
        again = client.get("/dashboard/cockpit/")
    assert again.status_code == 200
    assert "Figures as of" in again.content.decode() or "数据截至" in again.content.decode()
    assert not any("matters_matter" in q["sql"] for q in cached)
    # A new matter shows after "recompute now", and at the latest when the snapshot is old.
    make_matter(world, lead="hrss", state="assigned", title="新的事项")
    assert client.get("/dashboard/cockpit/").context["computed_at"] == NOW
    with CaptureQueriesContext(connection) as fresh:
        assert client.get("/dashboard/cockpit/?fresh=1").status_code == 200
    assert any("matters_matter" in q["sql"] for q in fresh)
    _on.shift(datetime.timedelta(minutes=11))
    with CaptureQueriesContext(connection) as old:
        client.get("/dashboard/cockpit/")
    assert any("matters_matter" in q["sql"] for q in old)


def test_keys_follow_the_reader_and_the_area(world: World) -> None:
    office = world.users["city_office"]
    county = world.users["a_office"]
    city_area = area_from(office, {}, default_kind="year")
    month_area = area_from(office, {"period": "month"}, default_kind="year")
    county_area = area_from(county, {}, default_kind="year")
    keys = {
        snapshots.key_for("cockpit", office, city_area),
        snapshots.key_for("brief", office, city_area),
        snapshots.key_for("cockpit", office, month_area),
        snapshots.key_for("cockpit", county, county_area),
    }
    assert len(keys) == 4
    assert snapshots.key_for("cockpit", office, city_area) == snapshots.key_for(
        "cockpit", office, area_from(office, {}, default_kind="year")
    )


def test_the_scheduler_refreshes_what_is_viewed_and_drops_the_rest(world: World, _on) -> None:  # type: ignore[no-untyped-def]
    make_matter(world, lead="hrss", state="assigned")
    assert _running(world) == 1
    make_matter(world, lead="hrss", state="assigned", title="第二件")
    assert _running(world) == 1  # still the snapshot
    _on.shift(datetime.timedelta(minutes=6))  # past half the maximum age
    assert snapshots.refresh_due() == 1
    assert _running(world) == 2
    # Nobody looks for a day: the snapshot goes.
    _on.shift(datetime.timedelta(days=1, minutes=1))
    assert snapshots.refresh_due() == 0
    assert not FigureSnapshot.objects.exists()


def test_a_reader_who_lost_the_role_loses_the_snapshot(world: World, _on) -> None:  # type: ignore[no-untyped-def]
    _running(world)
    office = world.users["city_office"]
    office.is_active = False
    office.save(update_fields=["is_active"])
    _on.shift(datetime.timedelta(minutes=6))
    assert snapshots.refresh_due() == 0
    assert not FigureSnapshot.objects.exists()


def test_the_morning_prepares_every_leader_and_office(world: World) -> None:
    done = snapshots.prepare_defaults()
    readers = set(FigureSnapshot.objects.values_list("user__username", "kind"))
    assert done == len(readers) >= 4
    assert {k for _u, k in readers} == {"cockpit", "brief"}


def test_snapshots_off_compute_live_and_store_nothing(world: World, settings: Any) -> None:
    settings.FUYUAN_FIGURES_MAX_AGE_SECONDS = 0
    taken = snapshots.take("brief", world.users["city_office"], _area(world))
    assert not taken.stored
    assert not FigureSnapshot.objects.exists()
    assert snapshots.refresh_due() == 0
    assert snapshots.prepare_defaults() == 0


def test_an_unreadable_snapshot_is_recomputed(world: World) -> None:
    _running(world)
    FigureSnapshot.objects.update(payload=b"not a pickle")
    make_matter(world, lead="hrss", state="assigned")
    assert _running(world) == 1


def test_pages_show_the_head_and_tail_of_a_long_ranking() -> None:
    from fuyuan.dashboard import figures

    rows = [figures.UnitRank(unit=None, matters=1, finished=1, on_time=1, red=0) for _ in range(40)]  # type: ignore[arg-type]
    shown = figures.ranking_ends(rows)
    assert len(shown) == figures.RANKING_HEAD + 1 + figures.RANKING_TAIL
    assert shown[figures.RANKING_HEAD] is None
    assert shown[:3] == rows[:3] and shown[-1] is rows[-1]
    assert figures.ranking_ends(rows[:20]) == rows[:20]
