"""The header's inbox link with the unread count."""

from __future__ import annotations

from typing import Any

from django import template

from fuyuan.notify.queries import unread_count

register = template.Library()


@register.inclusion_tag("notify/_unread.html", takes_context=True)
def inbox_badge(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    return {"unread": unread_count(user) if user is not None else 0}
