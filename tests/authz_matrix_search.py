"""Authorization-matrix rows of search across modules: members of a mechanism search (each
finds only what it may see — proven in dashboard/tests/test_search.py); the administrators
hold no business records and get 403; anonymous users are sent to sign in."""

from __future__ import annotations

from .authz_matrix import ADMINS, Case, expect

MEMBERS_SEARCH = expect(200, **dict.fromkeys(ADMINS, 403))

SEARCH_CASES: list[Case] = [
    Case("dashboard:search", MEMBERS_SEARCH),
    Case(
        "dashboard:search",
        MEMBERS_SEARCH,
        variant="a query filtered by kind, second page",
        query=lambda w: "q=%E6%8B%96%E6%AC%A0&kind=matters.matter&page=2",
    ),
    Case(
        "dashboard:search",
        MEMBERS_SEARCH,
        variant="query syntax in the box",
        query=lambda w: "q=%22%20OR%20NEAR(%27%3B%20DROP",
    ),
    Case("dashboard:search", expect(405, anonymous=302), variant="post", method="post"),
]
