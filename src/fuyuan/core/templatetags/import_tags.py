"""Template tags of the importer: `{% may_import "feed.name" as can_import %}` tells whether
the signed-in user may import to a feed (a page's "Import" button)."""

from __future__ import annotations

from typing import Any

from django import template

from fuyuan.core import import_views

register = template.Library()


@register.simple_tag(takes_context=True)
def may_import(context: template.Context, *feed_names: str) -> bool:
    """True when the request's user may import to one of the feeds."""
    request: Any = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return user is not None and bool(import_views.allowed_feeds(user, list(feed_names)))
