"""Yellow and red cards per unit and year (红黄牌), computed from records, never typed.

A red card is a matter of the year that ran past its deadline: still running after it,
reported after it, or completed after it. A yellow card is a progress report that came late,
or one that is late now. Points and the formal-talk rule (约谈, default three reds) are the
mechanism's settings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q

from fuyuan.org.models import Mechanism, Unit

from . import workflow as wf
from .models import Feedback, FeedbackStatus, Matter


@dataclass
class UnitCards:
    unit: Unit
    matters: int = 0
    red: int = 0
    yellow: int = 0
    points: int = 0
    formal_talk: bool = False


def red_card_q(today: datetime.date) -> Q:
    return (
        Q(state__in=wf.RUNNING_STATES, deadline__lt=today)
        | Q(reported_at__date__gt=F("deadline"))
        | Q(completed_at__date__gt=F("deadline"), reported_at__isnull=True)
    )


def finished_late_q() -> Q:
    """A finished matter that earned a red card: reported after its deadline, or (never
    reported) completed after it."""
    return Q(reported_at__date__gt=F("deadline")) | Q(
        reported_at__isnull=True, completed_at__date__gt=F("deadline")
    )


def finished_on_time_q() -> Q:
    """A finished matter reported (or, never reported, completed) by its deadline: the
    numerator of the on-time completion rate (按期办结率). With `finished_late_q` it splits
    every finished matter in two."""
    return Q(state__in=wf.DONE_STATES) & (
        Q(reported_at__date__lte=F("deadline"))
        | Q(reported_at__isnull=True, completed_at__date__lte=F("deadline"))
        | Q(reported_at__isnull=True, completed_at__isnull=True)
    )


def cards_by_unit(
    user: Any, mechanism: Mechanism, year: int, today: datetime.date
) -> list[UnitCards]:
    """One row per lead unit of the mechanism's matters of `year` that the user may see, in
    the units' official order; three queries whatever the number of units."""
    config = mechanism.config
    matters = Matter.objects.visible_to(user).filter(mechanism=mechanism, year=year)
    counts = {
        row["lead_unit"]: row
        for row in matters.values("lead_unit").annotate(
            total=Count("pk"),
            red=Count("pk", filter=red_card_q(today)),
            late_now=Count(
                "pk", filter=Q(state__in=wf.RUNNING_STATES, next_feedback_due__lt=today)
            ),
        )
    }
    late_reports = {
        row["matter__lead_unit"]: row["n"]
        for row in Feedback.objects.filter(
            matter__in=matters,
            status=FeedbackStatus.SUBMITTED,
            due_date__isnull=False,
            submitted_at__date__gt=F("due_date"),
        )
        .values("matter__lead_unit")
        .annotate(n=Count("pk"))
    }
    units = Unit.objects.filter(pk__in=list(counts)).order_by("order_no", "pk")
    rows = []
    for unit in units:
        row = counts[unit.pk]
        yellow = row["late_now"] + late_reports.get(unit.pk, 0)
        red = row["red"]
        rows.append(
            UnitCards(
                unit=unit,
                matters=row["total"],
                red=red,
                yellow=yellow,
                points=yellow * config.yellow_card_points + red * config.red_card_points,
                formal_talk=red >= config.reds_for_formal_talk,
            )
        )
    return rows
