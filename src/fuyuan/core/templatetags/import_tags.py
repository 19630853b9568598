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


@register.filter
def feed_label(name: str) -> Any:
    """The feed's label ("Administrative cases (court export)") for its name, else the name."""
    from fuyuan.core import importing

    try:
        return importing.get(name).label
    except KeyError:
        return name
