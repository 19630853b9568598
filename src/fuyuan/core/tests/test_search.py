"""The search index finds Chinese records by words and single characters, all words must
match, and rewriting an entry replaces it."""

import pytest

from fuyuan.core import search


@pytest.mark.django_db
def test_chinese_keyword_search():
    search.index("t", 1, "/1/", [3], "推进破产案件财产处置协调")
    search.index("t", 2, "/1/", [4], "问题楼盘复工交付专项工作")
    search.index("t", 3, "/1/", [], "行政机关负责人出庭应诉")
    ids = lambda q: sorted(e["object_id"] for e in search.matching_ids("t", q))  # noqa: E731
    assert ids("破产") == [1]
    assert ids("楼盘") == [2]
    assert ids("出庭应诉") == [3]
    assert ids("破产 楼盘") == []
    assert search.matching_ids("t", "   ") is None
    search.index("t", 1, "/1/", [3], "完全不同的内容")
    assert ids("破产") == []
