"""Reads of the matter engine's ledger and bulk update, all built on `visible_to(user)`."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from fuyuan.accounts.permissions import scope_for

from . import workflow as wf
from .models import Colour, Feedback, FeedbackStatus, Matter, MatterCoUnit, colour_rules

# Worst first: the ledger's "colour" sort puts overdue matters on top.
COLOUR_RANK = {
    Colour.RED: 0,
    Colour.YELLOW: 1,
    Colour.BLUE: 2,
    Colour.GREEN: 3,
    Colour.NONE: 4,
}


def colour_rank(today: datetime.date) -> Case:
    """The colour's rank (red 0 … none 4) from the same rules as `with_colour`, but as an
    integer computed from the columns, so sorting a city's hundred thousand matters
    compares small numbers instead of going through the colour's text."""
    return Case(
        *(When(q, then=Value(COLOUR_RANK[c])) for q, c in colour_rules(today)),
        default=Value(COLOUR_RANK[Colour.NONE]),
        output_field=IntegerField(),
    )


def latest_feedback_text() -> Subquery:
    """The text of the matter's latest submitted progress report (one subquery, no N+1)."""
    return Subquery(
        Feedback.objects.filter(matter=OuterRef("pk"), status=FeedbackStatus.SUBMITTED)
        .order_by("-submitted_at", "-pk")
        .values("text")[:1]
    )


def ledger_rows(user: Any, today: datetime.date) -> QuerySet[Matter]:
    """The matters a user may see, with colour, colour rank, latest progress text, units and
    task area loaded in a fixed number of queries whatever the number of rows."""
    return (
        Matter.objects.visible_to(user)
        .with_colour(today)
        .annotate(
            colour_rank=colour_rank(today),
            latest_progress=latest_feedback_text(),
        )
        .select_related("lead_unit", "task_area", "jurisdiction")
        .prefetch_related(
            Prefetch(
                "co_units",
                queryset=MatterCoUnit.objects.select_related("unit").order_by(
                    "unit__order_no", "pk"
                ),
                to_attr="co_unit_list",
            )
        )
    )


def bulk_rows(user: Any) -> QuerySet[Matter]:
    """The open matters a liaison officer (or court staff) fills in by spreadsheet: visible to
    the user and led by one of the units the user acts for."""
    scope = scope_for(user)
    return (
        Matter.objects.visible_to(user)
        .filter(lead_unit_id__in=sorted(scope.unit_ids), state__in=wf.OPEN_STATES)
        .annotate(latest_progress=latest_feedback_text())
        .select_related("lead_unit")
        .order_by("lead_unit__order_no", "deadline", "pk")
    )
