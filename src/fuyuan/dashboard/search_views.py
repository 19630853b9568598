"""Search across modules: one box over matters, minutes, liaison letters, collections, cases,
recommendations and official documents. Matching, ranking and the reader's scope are applied
in SQL by `core.search`; this page adds the kind filter with counts, pages and highlights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from fuyuan.accounts.permissions import scope_for
from fuyuan.core import search
from fuyuan.core.view_helpers import query_without_page

PER_PAGE = 20


@dataclass(frozen=True)
class Hit:
    kind_label: Any
    title: SafeString
    url: str
    snippet: SafeString


@dataclass(frozen=True)
class KindCount:
    name: str
    label: Any
    count: int


def may_search(user: Any) -> bool:
    """Members of a mechanism search; administrators hold no business records to find."""
    return bool(getattr(user, "is_authenticated", False)) and scope_for(user).is_member


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may_search(user):
        raise PermissionDenied("dashboard.search")
    query = (request.GET.get("q") or "").strip()[: search.MAX_QUERY_CHARS]
    words = search.query_tokens(query)
    marks = search.highlight_words(query)
    kinds = {k.name: k for k in search.kinds()}
    kind = request.GET.get("kind") or ""
    if kind not in kinds:
        kind = ""
    context: dict[str, Any] = {"q": query, "kind": kind, "words": words}
    found = search.matches(user, query)
    if found is None:
        return render(request, "dashboard/search.html", context)
    counts = search.counts_by_kind(found)
    if kind:
        found = found.filter(kind=kind)
    page = Paginator(search.ranked(found, query), PER_PAGE).get_page(request.GET.get("page"))
    hits = [
        Hit(
            kinds[entry.kind].label,
            search.highlight(shown.title, marks, width=200),
            shown.url,
            search.highlight(shown.text, marks),
        )
        for entry, shown in search.describe(user, page.object_list)
    ]
    context.update(
        {
            "page": page,
            "hits": hits,
            "total": sum(counts.values()),
            "kind_counts": [
                KindCount(k.name, k.label, counts[k.name])
                for k in kinds.values()
                if k.name in counts
            ],
            "query": query_without_page(request),
        }
    )
    return render(request, "dashboard/search.html", context)
