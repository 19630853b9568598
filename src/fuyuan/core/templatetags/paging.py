"""`page|page_links`: the page numbers a pager shows (first, last, and three either side of
the current one), without looping over every page: a city's ledger has some 2,000."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def page_links(page: Any) -> list[int]:
    number, last = page.number, page.paginator.num_pages
    return sorted({1, last, *range(max(1, number - 3), min(last, number + 3) + 1)})
