"""The search index finds Chinese records by words and single characters, all words must
match, rewriting an entry replaces it, ranking and its tie order are the same on SQLite (FTS5,
bm25) and PostgreSQL (tsvector, ts_rank), the reader's scope is applied inside the query,
query text is never read as FTS syntax, and snippets are escaped before words are marked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from fuyuan.core import search
from fuyuan.core.models import SearchEntry

pytestmark = pytest.mark.django_db


def ids(kind: str, q: str) -> list[int]:
    found = search.matching_ids(kind, q)
    assert found is not None
    return sorted(e["object_id"] for e in found)


def test_chinese_keyword_search():
    search.index("t", 1, "/1/", [3], "推进破产案件财产处置协调")
    search.index("t", 2, "/1/", [4], "问题楼盘复工交付专项工作")
    search.index("t", 3, "/1/", [], "行政机关负责人出庭应诉")
    assert ids("t", "破产") == [1]
    assert ids("t", "楼盘") == [2]
    assert ids("t", "出庭应诉") == [3]
    assert ids("t", "破产 楼盘") == []
    assert search.matching_ids("t", "   ") is None
    search.index("t", 1, "/1/", [3], "完全不同的内容")
    assert ids("t", "破产") == []
    assert ids("t", "内容") == [1]


def test_two_character_word_single_character_and_sub_words_match():
    search.index("t", 1, "/1/", [], "西平县拖欠农民工工资问题协调")
    search.index("t", 2, "/1/", [], "房屋征收补偿纠纷化解")
    search.index("other", 1, "/1/", [], "拖欠工程款")
    assert ids("t", "拖欠") == [1]
    assert ids("t", "征收") == [2]
    assert ids("t", "欠") == [1]
    # jieba cuts the query as one word 拖欠工资; the record holds its parts 拖欠 and 工资.
    assert search.query_tokens("拖欠工资") == ["拖欠工资"]
    assert ids("t", "拖欠工资") == [1]
    assert ids("t", "征收工资") == []
    assert ids("other", "拖欠") == [1]


def test_ascii_words_and_case_numbers_match_whatever_the_case():
    search.index("t", 1, "/1/", [], "（2026）豫17行初8号 Wang ABC-123")
    search.index("t", 2, "/1/", [], "（2025）豫17行初9号")
    assert ids("t", "abc") == [1]
    assert ids("t", "WANG") == [1]
    assert ids("t", "豫17行初8号") == [1]
    assert ids("t", "豫17") == [1, 2]


@pytest.mark.parametrize(
    "query",
    ['"', "*", "OR", "NEAR(", "'; DROP TABLE core_searchentry; --", "%", "a OR b", "拖欠*", "\\"],
)
def test_query_syntax_in_user_text_is_never_interpreted(query: str):
    search.index("t", 1, "/1/", [], "拖欠工资 near or drop")
    found = search.matching_ids("t", query)
    if found is not None:
        list(found)  # runs without a syntax error
    assert ids("t", "NEAR(") == [1]
    assert ids("t", "拖欠*") == [1]
    assert search.matching_ids("t", "%") is None
    assert ids("t", "a OR b") == []  # "a", "or", "b" must all match, "or" is no operator
    assert SearchEntry.objects.count() == 1


def test_ranking_and_its_tie_order_are_the_same_on_both_databases(monkeypatch):
    texts = {
        5: "关于征收补偿的意见",
        3: "征收 征收 征收 补偿",
        4: "征收补偿安置方案的说明材料及有关单位的意见和建议汇总",
        1: "关于征收补偿的意见",
        2: "完全无关的内容",
    }
    for pk, text in texts.items():
        search.index("t", pk, "/1/", [], text)
    search.index("u", 1, "/1/", [], "关于征收补偿的意见")
    _register(monkeypatch, "t", [1, 2, 3, 4, 5])
    _register(monkeypatch, "u", [1])
    found = search.matches(object(), "征收")
    assert found is not None
    order = [(e.kind, e.object_id) for e in search.ranked(found, "征收")]
    # Most mentions first; equal texts tie and go by kind, then id; the long text last.
    assert order == [("t", 3), ("t", 1), ("t", 5), ("u", 1), ("t", 4)]
    assert search.counts_by_kind(found) == {"t": 4, "u": 1}


def test_scope_is_applied_inside_the_query(monkeypatch):
    for pk in (1, 2, 3):
        search.index("t", pk, "/1/", [], "拖欠工资")
    search.index("u", 1, "/1/", [], "拖欠工资")
    _register(monkeypatch, "t", [1, 3])
    _register(monkeypatch, "u", [])
    found = search.matches(object(), "拖欠")
    assert found is not None
    assert sorted((e.kind, e.object_id) for e in found) == [("t", 1), ("t", 3)]
    only_u = search.matches(object(), "拖欠", ["u"])
    assert only_u is not None and list(only_u) == []


def test_index_many_rewrites_and_the_rebuild_replaces_a_kind(monkeypatch):
    search.index("t", 1, "/1/", [], "旧的内容")
    rows = [search.IndexRow(pk, "/1/", [pk], f"新的文本{pk}号征收") for pk in (1, 2, 3)]
    assert search.index_many("t", rows, batch_size=2) == 3
    assert ids("t", "征收") == [1, 2, 3]
    assert ids("t", "旧") == []
    _register(monkeypatch, "t", [1, 2, 3], rows=[search.IndexRow(9, "/1/", [], "拖欠")])
    call_command("search_reindex", "--kind", "t", verbosity=0)
    assert ids("t", "征收") == []
    assert ids("t", "拖欠") == [9]
    search.remove("t", 9)
    assert ids("t", "拖欠") == []


def test_highlight_escapes_the_text_before_marking_words():
    html = search.highlight("<b>拖欠</b> & 工资 拖欠", ["拖欠", "工资"])
    assert html == (
        "&lt;b&gt;<mark>拖欠</mark>&lt;/b&gt; &amp; <mark>工资</mark> <mark>拖欠</mark>"
    )
    # A long text is cut around the first word, with ellipses.
    long = "甲" * 100 + "征收" + "乙" * 100
    snippet = search.highlight(long, ["征收"], width=40)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>征收</mark>" in snippet
    assert search.highlight("<script>", []) == "&lt;script&gt;"


def _register(
    monkeypatch: Any, name: str, visible: list[int], rows: list[search.IndexRow] | None = None
) -> None:
    """A kind whose visible ids are a fixed list (a values queryset, as apps return)."""

    def visible_ids(user: Any) -> Any:
        return SearchEntry.objects.filter(kind=name, object_id__in=visible).values("object_id")

    kind = search.SearchKind(
        name, name, visible_ids, lambda user, ids: {}, lambda: list(rows or []), order=0
    )
    monkeypatch.setitem(search._KINDS, name, kind)
