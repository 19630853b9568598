"""The ledger: scoped rows (a liaison sees its unit's matters, an office its jurisdiction and
what counties share upward, another county nothing of the city), filters on the SQL colour
and the Chinese search index, sorting, saved filters, and a query count that does not grow
with the data."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.matters.models import MatterType, SavedFilter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db

LEDGER = reverse("matters:ledger")


def titles(response) -> set[str]:
    return {m.title for m in response.context["page"].object_list}


@pytest.fixture
def spread(world):
    """City matters for two units, one county-a matter (shared upward), one county-b matter."""
    return {
        "hrss": make_matter(world, title="人社局欠薪案件协调", state="assigned"),
        "housing": make_matter(world, lead="housing", title="问题楼盘化解", state="assigned"),
        "a": make_matter(
            world, mechanism="a", lead="a_hrss", title="西平县工资支付专项", state="assigned"
        ),
        "b": make_matter(world, mechanism="b", lead="b_office", title="上蔡县行政应诉培训"),
    }


def test_liaison_sees_only_its_units_matters(spread, client_for):
    response = client_for("hrss_liaison").get(LEDGER)
    assert response.status_code == 200
    assert titles(response) == {"人社局欠薪案件协调"}
    assert response.context["page"].paginator.count == 1
    assert response.context["query"] == ""


def test_city_office_sees_its_jurisdiction_and_county_matters_shared_upward(spread, client_for):
    response = client_for("city_office").get(LEDGER)
    assert titles(response) == {
        "人社局欠薪案件协调",
        "问题楼盘化解",
        "西平县工资支付专项",
        "上蔡县行政应诉培训",
    }


def test_county_office_sees_nothing_of_the_city_or_the_other_county(spread, client_for):
    assert titles(client_for("a_office").get(LEDGER)) == {"西平县工资支付专项"}
    assert titles(client_for("b_office").get(LEDGER)) == {"上蔡县行政应诉培训"}


def test_county_matter_not_shared_upward_stays_hidden_from_the_city(world, client_for):
    make_matter(world, mechanism="a", lead="a_hrss", title="县内事项", shared_upward=False)
    assert titles(client_for("city_office").get(LEDGER)) == set()
    assert titles(client_for("a_office").get(LEDGER)) == {"县内事项"}


def test_administrators_have_no_ledger(world, client_for):
    for name in ("system_admin", "security_admin", "audit_admin"):
        assert client_for(name).get(LEDGER).status_code == 403


def test_colour_filter_uses_todays_date(world, client_for):
    today = timezone.localdate()
    make_matter(
        world, title="即将到期事项", state="assigned", deadline=today + datetime.timedelta(days=10)
    )
    make_matter(
        world, title="远期事项", state="assigned", deadline=today + datetime.timedelta(days=60)
    )
    # 11 days later the first matter is overdue (red); the second still green. (Sign in
    # after travelling: the idle timeout would end a session opened 11 days earlier.)
    with time_machine.travel(today + datetime.timedelta(days=11), tick=False):
        client = client_for("city_office")
        assert titles(client.get(LEDGER, {"colour": "red"})) == {"即将到期事项"}
        assert titles(client.get(LEDGER, {"colour": "green"})) == {"远期事项"}
        both = client.get(LEDGER, {"colour": ["red", "green"], "o": "colour"})
        assert [m.title for m in both.context["page"].object_list] == ["即将到期事项", "远期事项"]
    # Today both are running and neither is red.
    client = client_for("city_office")
    assert titles(client.get(LEDGER, {"colour": "red"})) == set()


def test_chinese_keyword_finds_a_matter_by_a_word_of_its_title(spread, client_for):
    client = client_for("city_office")
    assert titles(client.get(LEDGER, {"q": "楼盘"})) == {"问题楼盘化解"}
    assert titles(client.get(LEDGER, {"q": "欠薪"})) == {"人社局欠薪案件协调"}
    assert titles(client.get(LEDGER, {"q": "不存在的词语"})) == set()


def test_keyword_search_keeps_the_readers_scope(spread, client_for):
    # The housing matter matches the word but is not the hrss liaison's.
    assert titles(client_for("hrss_liaison").get(LEDGER, {"q": "楼盘"})) == set()


def test_filters_on_unit_type_state_flags_and_dates(world, client_for):
    today = timezone.localdate()
    make_matter(
        world,
        title="重点涉企事项",
        state="assigned",
        is_key_issue=True,
        enterprise_related=True,
        matter_type=MatterType.KEY_ISSUE,
        deadline=today + datetime.timedelta(days=5),
    )
    make_matter(
        world,
        lead="housing",
        title="配合事项",
        co_units=[world.units["hrss"]],
        deadline=today + datetime.timedelta(days=90),
    )
    client = client_for("city_office")
    assert titles(client.get(LEDGER, {"key_issue": "on"})) == {"重点涉企事项"}
    assert titles(client.get(LEDGER, {"enterprise": "on"})) == {"重点涉企事项"}
    assert titles(client.get(LEDGER, {"matter_type": "key_issue"})) == {"重点涉企事项"}
    assert titles(client.get(LEDGER, {"state": ["draft"]})) == {"配合事项"}
    assert titles(client.get(LEDGER, {"lead_unit": world.units["housing"].pk})) == {"配合事项"}
    assert titles(client.get(LEDGER, {"co_unit": world.units["hrss"].pk})) == {"配合事项"}
    after = (today + datetime.timedelta(days=30)).isoformat()
    assert titles(client.get(LEDGER, {"deadline_from": after})) == {"配合事项"}
    assert titles(client.get(LEDGER, {"deadline_to": after})) == {"重点涉企事项"}
    assert titles(client.get(LEDGER, {"year": today.year + 5})) == set()
    # The co-unit's liaison sees the matter it co-handles.
    assert "配合事项" in titles(client_for("hrss_liaison").get(LEDGER))


def test_jurisdiction_filter_with_and_without_lower_levels(spread, world, client_for):
    client = client_for("city_office")
    city_only = titles(client.get(LEDGER, {"jurisdiction": world.city.pk}))
    assert city_only == {"人社局欠薪案件协调", "问题楼盘化解"}
    subtree = titles(client.get(LEDGER, {"jurisdiction": world.city.pk, "subtree": "on"}))
    assert len(subtree) == 4


def test_sort_by_unit_follows_the_official_order(spread, client_for):
    response = client_for("city_office").get(
        LEDGER, {"jurisdiction": spread["hrss"].jurisdiction_id, "o": "unit"}
    )
    # hrss has order number 6, housing 9.
    assert [m.title for m in response.context["page"].object_list] == [
        "人社局欠薪案件协调",
        "问题楼盘化解",
    ]


def test_unknown_sort_falls_back_to_the_default_worst_colour_first(spread, client_for):
    client = client_for("city_office")
    unknown = client.get(LEDGER, {"o": "password"})
    assert unknown.status_code == 200
    default = client.get(LEDGER, {"o": "colour"})
    pks = lambda r: [m.pk for m in r.context["page"].object_list]  # noqa: E731
    assert pks(unknown) == pks(default)
    ranks = [m.colour_rank for m in unknown.context["page"].object_list]
    assert ranks == sorted(ranks)


def test_saved_filter_is_kept_listed_and_deleted_by_its_owner_only(world, client_for):
    client = client_for("city_office")
    response = client.post(
        reverse("matters:ledger_filter_save"), {"name": "红色事项", "query": "colour=red&page=3"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=world.users["city_office"])
    assert saved.query == "colour=red"
    assert AuditEntry.objects.filter(action="matters.saved_filter.save").count() == 1
    assert "红色事项" in client.get(LEDGER).content.decode()
    delete = reverse("matters:ledger_filter_delete", kwargs={"pk": saved.pk})
    assert client_for("a_office").post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.exists()


def _ledger_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LEDGER, {"o": "colour"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_ledger_query_count_is_the_same_at_two_data_sizes(world, client_for):
    client = client_for("city_office")

    def add(n: int) -> None:
        for i in range(n):
            matter = make_matter(
                world,
                lead="hrss" if i % 2 else "housing",
                title=f"事项{i}",
                co_units=[world.units["court"]],
                state="assigned",
            )
            from fuyuan.matters.models import Feedback

            Feedback.objects.create(
                matter=matter,
                unit=matter.lead_unit,
                author=world.users["hrss_liaison"],
                text=f"进展{i}",
                status="submitted",
                submitted_at=timezone.now(),
            )

    add(3)
    small = _ledger_queries(client)
    add(27)
    large = _ledger_queries(client)
    page = client.get(LEDGER).context["page"]
    assert page.paginator.count == 30
    assert page.object_list[0].latest_progress.startswith("进展")
    assert small == large


@pytest.mark.django_db
def test_ledger_pages_keep_the_order_and_the_total(world, client_for, monkeypatch):
    """One page = the count, the page's ids in order, then those rows: the rows come in the
    sort's order, the total is the pager's, a page past the end shows the last page, and a
    malformed page number the first."""
    from fuyuan.matters import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    today = timezone.localdate()
    for i, days in enumerate((30, 10, 20, 40, 5)):
        make_matter(
            world,
            title=f"排序{i}",
            deadline=today + datetime.timedelta(days=days),
            state="assigned",
        )
    client = client_for("city_office")

    def titles(query: str) -> tuple[list[str], int, int]:
        response = client.get(reverse("matters:ledger") + "?o=deadline&" + query)
        assert response.status_code == 200
        page = response.context["page"]
        return [m.title for m in page.object_list], page.number, page.paginator.count

    assert titles("page=1") == (["排序4", "排序1"], 1, 5)
    assert titles("page=2") == (["排序2", "排序0"], 2, 5)
    assert titles("page=3") == (["排序3"], 3, 5)
    assert titles("page=99") == (["排序3"], 3, 5)
    assert titles("page=abc") == (["排序4", "排序1"], 1, 5)
    html = client.get(reverse("matters:ledger") + "?o=deadline&q=排序3").content.decode()
    assert "排序3" in html and "排序4" not in html
