"""Search across modules: a two-character Chinese word finds its matter; every indexed kind
(matters, minutes, liaison letters, collections, cases, recommendations, documents) is found,
also after an edit or an import; a user never finds what it may not see (exact lists per
role); query syntax in user text does no harm; the page ranks (the same order on SQLite and
PostgreSQL), filters by kind with counts, pages, and marks the words in escaped snippets."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fuyuan.core import search
from fuyuan.core.calendar import seed_year
from fuyuan.documents import actions as document_actions
from fuyuan.liaison import actions as liaison_actions
from fuyuan.litigation import actions as case_actions
from fuyuan.litigation import recommendation_actions
from fuyuan.matters import actions as matter_actions
from fuyuan.meetings import actions as meeting_actions
from fuyuan.reporting import actions as reporting_actions
from fuyuan.reporting.models import CollectionKind
from fuyuan.testing import World, make_matter

pytestmark = pytest.mark.django_db

SEARCH = reverse("dashboard:search")
MEMBERS = (
    "city_office",
    "city_leader",
    "a_office",
    "b_office",
    "hrss_liaison",
    "housing_liaison",
    "court_staff",
)
ADMINS = ("system_admin", "security_admin", "audit_admin")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def corpus(world: World) -> dict[str, tuple[str, int]]:
    """One record of every kind, each holding 拖欠 (arrears) or 征收 (expropriation)."""
    u, users = world.units, world.users
    today = timezone.localdate()
    seed_year(today.year)
    seed_year(today.year + 1)
    found: dict[str, Any] = {}
    found["m_city"] = make_matter(world, title="拖欠农民工工资问题协调", state="assigned")
    found["m_housing"] = make_matter(
        world, lead="housing", title="房屋征收补偿纠纷化解", state="assigned"
    )
    found["m_a"] = make_matter(
        world, mechanism="a", lead="a_hrss", title="西平县拖欠工程款清理", state="assigned"
    )
    found["m_b"] = make_matter(
        world, mechanism="b", lead="b_office", title="上蔡县征收项目风险排查", state="assigned"
    )
    meeting = meeting_actions.schedule_meeting(
        users["city_office"],
        world.mechanisms["city"],
        kind="coordination",
        title="府院联动协调会",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        units=[u["hrss"], u["court"]],
    )
    meeting_actions.hold(users["city_office"], meeting)
    found["minutes"] = meeting_actions.create_minutes(
        users["city_office"], meeting, body="会议研究了拖欠农民工工资问题。"
    )
    found["letter"] = liaison_actions.create_letter(
        users["hrss_liaison"],
        sender_unit=u["hrss"],
        recipient_unit=u["court"],
        subject="关于拖欠工资案件执行的联系函",
        body="请贵院协助推进执行。",
        send=True,
    )
    found["collection"] = reporting_actions.create_collection(
        users["city_office"],
        world.mechanisms["city"],
        kind=CollectionKind.TYPICAL_CASE,
        title="征收补偿典型案例征集",
        deadline=today + datetime.timedelta(days=10),
        units=[u["housing"]],
        jurisdictions=[],
    )
    found["case"] = case_actions.create_case(
        users["court_staff"],
        number="（2026）豫17行初8号",
        court=u["court"],
        defendant=u["housing"],
        plaintiffs="王秀兰",
        cause="房屋征收决定",
        enterprise_related=False,
        filed_on=today - datetime.timedelta(days=20),
        stage="filed",
    )
    found["recommendation"] = recommendation_actions.create_recommendation(
        users["court_staff"],
        kind="judicial",
        scope="case_type",
        issuer=u["court"],
        recipient=u["hrss"],
        title="关于拖欠工资问题的司法建议",
        content="我院在审理劳动保障行政案件中发现问题。",
        items=["规范送达程序"],
    )
    found["document"] = document_actions.create_document(
        users["city_office"],
        world.mechanisms["city"],
        {"kind": "supervision_notice", "title": "关于督促办理拖欠工资案件的通知", "body": "正文"},
    )
    found["document_a"] = document_actions.create_document(
        users["a_office"],
        world.mechanisms["a"],
        {"kind": "supervision_notice", "title": "西平县拖欠工资专项通知", "body": "正文"},
    )
    kinds = {
        "m": "matters.matter",
        "minutes": "meetings.minutes",
        "letter": "liaison.letter",
        "collection": "reporting.collection",
        "case": "litigation.case",
        "recommendation": "litigation.recommendation",
        "document": "documents.document",
    }
    return {key: (kinds[key.split("_")[0]], obj.pk) for key, obj in found.items()}


def hits(user: Any, q: str, kinds: list[str] | None = None) -> list[tuple[str, int]]:
    """(kind, id) of what the user finds, best first."""
    found = search.matches(user, q, kinds)
    assert found is not None
    return [(e.kind, e.object_id) for e in search.ranked(found, q)]


def keys(corpus: dict[str, tuple[str, int]], *names: str) -> list[tuple[str, int]]:
    return sorted(corpus[n] for n in names)


# --- finding -------------------------------------------------------------------------------------
def test_a_two_character_chinese_word_finds_its_matter(world, corpus, client_for):
    assert hits(world.users["housing_liaison"], "征收", ["matters.matter"]) == [corpus["m_housing"]]
    response = client_for("hrss_liaison").get(SEARCH, {"q": "拖欠", "kind": "matters.matter"})
    assert response.status_code == 200
    assert [h.url for h in response.context["hits"]] == [
        reverse("matters:matter_detail", args=[corpus["m_city"][1]])
    ]
    assert "<mark>拖欠</mark>农民工工资问题协调" in response.content.decode()


@pytest.mark.parametrize(
    ("key", "query", "route"),
    [
        ("minutes", "会议研究 农民工", "meetings:meeting_detail"),
        ("letter", "联系函", "liaison:letter_detail"),
        ("collection", "典型案例", "reporting:collection_detail"),
        ("case", "豫17行初8号", "litigation:case_detail"),
        ("recommendation", "司法建议", "litigation:recommendation_detail"),
        ("document", "督促办理", "documents:document_detail"),
    ],
)
def test_every_indexed_kind_is_found_and_links_to_its_page(
    world, corpus, client_for, key, query, route
):
    kind, pk = corpus[key]
    assert hits(world.users["city_office"], query) == [(kind, pk)]
    response = client_for("city_office").get(SEARCH, {"q": query})
    [hit] = response.context["hits"]
    target = corpus[key][1]
    if key == "minutes":
        from fuyuan.meetings.models import Minutes

        target = Minutes.objects.get(pk=pk).meeting_id
    assert hit.url == reverse(route, args=[target])


def test_plaintiffs_are_not_indexed(world, corpus):
    assert hits(world.users["city_office"], "王秀兰") == []


# --- scope ---------------------------------------------------------------------------------------
ARREARS = {
    "city_office": ["m_city", "m_a", "minutes", "letter", "recommendation", "document"],
    "city_leader": ["m_city", "m_a", "minutes", "document"],
    "a_office": ["m_a", "document_a"],
    "b_office": [],
    "hrss_liaison": ["m_city", "minutes", "letter"],
    "housing_liaison": [],
    "court_staff": ["minutes", "letter", "recommendation"],
}
EXPROPRIATION = {
    "city_office": ["m_housing", "m_b", "collection", "case"],
    "city_leader": ["m_housing", "m_b", "collection", "case"],
    "a_office": [],
    "b_office": ["m_b"],
    "hrss_liaison": [],
    "housing_liaison": ["m_housing", "case"],
    "court_staff": ["case"],
}


@pytest.mark.parametrize("name", MEMBERS + ADMINS)
def test_a_user_finds_exactly_what_it_may_see(world, corpus, name):
    user = world.users[name]
    assert sorted(hits(user, "拖欠")) == keys(corpus, *ARREARS.get(name, []))
    assert sorted(hits(user, "征收")) == keys(corpus, *EXPROPRIATION.get(name, []))


def test_the_scope_follows_the_records_state(world, corpus):
    # The recommendation's recipient finds it once delivery is recorded, not as a draft.
    hrss = world.users["hrss_liaison"]
    kinds = ["litigation.recommendation"]
    assert hits(hrss, "司法建议", kinds) == []
    rec = corpus["recommendation"][1]
    from fuyuan.litigation.models import Recommendation

    recommendation_actions.deliver(
        world.users["court_staff"], Recommendation.objects.get(pk=rec), timezone.localdate()
    )
    assert hits(hrss, "司法建议", kinds) == [corpus["recommendation"]]


def test_administrators_have_no_search_and_no_header_box(world, corpus, client_for):
    for name in ADMINS:
        client = client_for(name)
        assert client.get(SEARCH, {"q": "拖欠"}).status_code == 403
        assert 'id="header-search"' not in client.get(reverse("home")).content.decode()
    assert 'id="header-search"' in client_for("hrss_liaison").get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(SEARCH, {"q": "拖欠"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- edits and imports ---------------------------------------------------------------------------
def test_edits_are_indexed_in_the_same_transaction(world, corpus):
    office = world.users["city_office"]
    from fuyuan.documents.models import OfficialDocument
    from fuyuan.litigation.models import AdminCase
    from fuyuan.matters.models import Matter
    from fuyuan.meetings.models import Minutes

    matter = Matter.objects.get(pk=corpus["m_city"][1])
    matter_actions.update_matter(office, matter, {"title": "欠薪专项督办"}, matter.version)
    meeting_actions.save_minutes(
        office, Minutes.objects.get(pk=corpus["minutes"][1]), body="研究安置补助事项。"
    )
    case_actions.update_case(
        world.users["court_staff"], AdminCase.objects.get(pk=corpus["case"][1]), cause="行政强制"
    )
    document_actions.update_document(
        office, OfficialDocument.objects.get(pk=corpus["document"][1]), {"title": "催办函"}
    )
    assert hits(office, "欠薪") == [corpus["m_city"]]
    assert hits(office, "安置补助") == [corpus["minutes"]]
    assert hits(office, "行政强制") == [corpus["case"]]
    assert hits(office, "催办") == [corpus["document"]]
    assert sorted(hits(office, "拖欠")) == keys(corpus, "m_a", "letter", "recommendation")


def test_imported_court_cases_are_indexed(world):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from fuyuan.core import importing
    from fuyuan.litigation.importers import CASES_FEED
    from fuyuan.litigation.models import AdminCase

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["案号", "承办法院", "原告", "被告", "案由", "立案日期", "审理阶段"])
    filed = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    writer.writerow(["（2026）豫17行初5号", "驻马店市中级人民法院", "张三",
                     "驻马店市住房和城乡建设局", "房屋征收补偿", filed, "审理中"])  # fmt: skip
    upload = SimpleUploadedFile("cases.csv", out.getvalue().encode("utf-8"))
    court = world.users["court_staff"]
    batch = importing.confirm(importing.preview(CASES_FEED, upload, court), court)
    assert batch.ok_rows == 1, list(batch.issues.values_list("code", flat=True))
    case = AdminCase.objects.get(number="（2026）豫17行初5号")
    assert hits(court, "征收补偿") == [("litigation.case", case.pk)]
    assert hits(world.users["housing_liaison"], "征收") == [("litigation.case", case.pk)]
    assert hits(world.users["hrss_liaison"], "征收") == []


def test_the_rebuild_command_restores_every_kind(world, corpus):
    from django.core.management import call_command

    from fuyuan.core.models import SearchEntry

    before = sorted(SearchEntry.objects.values_list("kind", "object_id", "tokens"))
    SearchEntry.objects.all().delete()
    assert hits(world.users["city_office"], "拖欠") == []
    call_command("search_reindex", verbosity=0)
    assert sorted(SearchEntry.objects.values_list("kind", "object_id", "tokens")) == before


# --- the page ------------------------------------------------------------------------------------
def test_results_are_ranked_the_same_on_both_databases(world, corpus, client_for):
    # Shorter texts first (ts_rank divided by the length; bm25), every text holding the word
    # once; this exact order is asserted on SQLite and on PostgreSQL.
    response = client_for("city_office").get(SEARCH, {"q": "拖欠"})
    order = [corpus[k] for k in ARREARS_RANKED]
    assert hits(world.users["city_office"], "拖欠") == order
    assert [h.url for h in response.context["hits"]] == [_url(kind, pk) for kind, pk in order]


ARREARS_RANKED = ["document", "m_a", "m_city", "minutes", "letter", "recommendation"]


def _url(kind: str, pk: int) -> str:
    from fuyuan.meetings.models import Minutes

    routes = {
        "matters.matter": "matters:matter_detail",
        "liaison.letter": "liaison:letter_detail",
        "litigation.recommendation": "litigation:recommendation_detail",
        "documents.document": "documents:document_detail",
    }
    if kind == "meetings.minutes":
        return reverse("meetings:meeting_detail", args=[Minutes.objects.get(pk=pk).meeting_id])
    return reverse(routes[kind], args=[pk])


def test_kind_filter_with_counts(world, corpus, client_for):
    client = client_for("city_office")
    response = client.get(SEARCH, {"q": "拖欠"})
    counts = {k.name: k.count for k in response.context["kind_counts"]}
    assert counts == {
        "matters.matter": 2,
        "meetings.minutes": 1,
        "liaison.letter": 1,
        "litigation.recommendation": 1,
        "documents.document": 1,
    }
    assert response.context["total"] == 6
    only = client.get(SEARCH, {"q": "拖欠", "kind": "liaison.letter"})
    assert [h.url for h in only.context["hits"]] == [_url(*corpus["letter"])]
    assert only.context["total"] == 6  # the counts stay those of every kind
    unknown = client.get(SEARCH, {"q": "拖欠", "kind": "no.such"})
    assert len(unknown.context["hits"]) == 6


def test_empty_query_prompts_and_no_match_says_so(world, corpus, client_for):
    client = client_for("hrss_liaison")
    empty = client.get(SEARCH)
    assert empty.status_code == 200 and "hits" not in empty.context
    assert "placeholder" in empty.content.decode()
    assert client.get(SEARCH, {"q": "   %  "}).context.get("hits") is None
    none = client.get(SEARCH, {"q": "不存在的词语"})
    assert none.status_code == 200
    assert none.context["total"] == 0 and none.context["hits"] == []
    assert 'role="status"' in none.content.decode()


@pytest.mark.parametrize(
    "query", ['"', "*", "OR", "NEAR(", "'; DROP TABLE core_searchentry; --", "%", "拖欠 OR 征收"]
)
def test_query_syntax_in_the_box_does_no_harm(world, corpus, client_for, query):
    response = client_for("city_office").get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert len(hits(world.users["city_office"], "拖欠")) == 6


def test_snippets_are_escaped_before_words_are_marked(world, client_for):
    make_matter(world, title="<script>拖欠</script>工资&问题", state="assigned")
    body = client_for("hrss_liaison").get(SEARCH, {"q": "拖欠"}).content.decode()
    assert "&lt;script&gt;<mark>拖欠</mark>&lt;/script&gt;工资&amp;问题" in body
    assert "<script>拖欠" not in body


def test_results_are_paged(world, client_for):
    for n in range(22):
        make_matter(world, title=f"拖欠工资专项第{n}号", state="assigned")
    client = client_for("hrss_liaison")
    first = client.get(SEARCH, {"q": "拖欠"})
    second = client.get(SEARCH, {"q": "拖欠", "page": 2})
    assert first.context["page"].paginator.count == 22
    assert len(first.context["hits"]) == 20 and len(second.context["hits"]) == 2
    urls = [h.url for h in first.context["hits"]] + [h.url for h in second.context["hits"]]
    assert len(set(urls)) == 22
    assert "page=2" in first.content.decode()


def test_the_page_needs_the_same_number_of_queries_for_more_hits(world, corpus, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("city_office")
    client.get(SEARCH, {"q": "拖欠"})  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(SEARCH, {"q": "拖欠"})
    for n in range(6):
        make_matter(world, title=f"拖欠工资专项第{n}号", state="assigned")
    with CaptureQueriesContext(connection) as more:
        response = client.get(SEARCH, {"q": "拖欠"})
    assert len(response.context["hits"]) == 12
    assert len(more) == len(few)
