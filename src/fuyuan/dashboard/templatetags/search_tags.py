"""`{% search_box %}`: the page header's search form, for signed-in members only."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("dashboard/_search_box.html", takes_context=True)
def search_box(context: template.Context) -> dict[str, Any]:
    from fuyuan.dashboard.search_views import may_search

    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_search(user):
        return {"shown": False}
    match = getattr(request, "resolver_match", None)
    on_search = match is not None and match.view_name == "dashboard:search"
    return {"shown": True, "q": request.GET.get("q", "") if on_search else ""}
