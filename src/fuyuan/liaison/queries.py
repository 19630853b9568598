"""Reads of the liaison app, all built on visible_to(user): the letter lists, the reply-time
figures per unit, and the key-issue list (重点问题事项清单) read from the matter engine."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.matters.models import Matter

from . import workflow as wf
from .models import LiaisonLetter

TAB_RECEIVED = "received"
TAB_SENT = "sent"
TAB_ESCALATED = "escalated"
TAB_ALL = "all"


def letters(user: Any) -> QuerySet[LiaisonLetter]:
    return LiaisonLetter.objects.visible_to(user).select_related(
        "mechanism", "sender_unit", "recipient_unit", "sender"
    )


def tabs_for(user: Any) -> list[str]:
    """The list's tabs the user has: units see received and sent; the office and leaders see
    escalated letters, and the office every letter of its jurisdictions."""
    scope = scope_for(user)
    found: list[str] = []
    if scope.unit_ids:
        found += [TAB_RECEIVED, TAB_SENT]
    if scope.oversight.get(Role.OFFICE) or scope.oversight.get(Role.LEADER):
        found.append(TAB_ESCALATED)
    if scope.oversight.get(Role.OFFICE):
        found.append(TAB_ALL)
    return found


def letters_in_tab(user: Any, tab: str) -> QuerySet[LiaisonLetter]:
    scope = scope_for(user)
    rows = letters(user)
    if tab == TAB_RECEIVED:
        return rows.filter(scope.unit_q("recipient_unit_id")).exclude(state=wf.DRAFT)
    if tab == TAB_SENT:
        return rows.filter(scope.unit_q("sender_unit_id"))
    if tab == TAB_ESCALATED:
        return rows.filter(escalated_at__isnull=False).order_by("-escalated_at", "-pk")
    return rows


def overseen_letters(user: Any) -> QuerySet[LiaisonLetter]:
    """Letters sent within the jurisdictions the user oversees (office staff or leader), for
    figures only: a leader reads the figures of all letters but opens only escalated ones."""
    scope = scope_for(user)
    q = Q(pk__in=[])
    for path in scope.oversight_paths:
        q |= Q(mechanism__jurisdiction__path__startswith=path)
    return LiaisonLetter.objects.filter(q).exclude(state=wf.DRAFT)


def may_see_statistics(user: Any) -> bool:
    return bool(scope_for(user).oversight_paths)


def unit_statistics(user: Any, today: datetime.date) -> list[dict[str, Any]]:
    """Per receiving unit, in official order: letters received, replied, replied on time (and
    the share), average reply time in working days, unanswered past the reply-by date, and
    escalations — one aggregate query."""
    rows = (
        overseen_letters(user)
        .values(
            "recipient_unit_id",
            "recipient_unit__name",
            "recipient_unit__order_no",
            "recipient_unit__jurisdiction__path",
        )
        .annotate(
            received=Count("pk"),
            replied=Count("pk", filter=Q(replied_at__isnull=False)),
            on_time=Count(
                "pk", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("reply_by"))
            ),
            average_days=Avg("reply_working_days"),
            overdue=Count("pk", filter=Q(state=wf.SENT, reply_by__lt=today)),
            escalations=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
        .order_by(
            "recipient_unit__jurisdiction__path", "recipient_unit__order_no", "recipient_unit_id"
        )
    )
    result = []
    for row in rows:
        replied = row["replied"]
        result.append(
            {
                "unit": row["recipient_unit__name"],
                "received": row["received"],
                "replied": replied,
                "on_time": row["on_time"],
                "on_time_percent": round(100 * row["on_time"] / replied) if replied else None,
                "average_days": (
                    round(row["average_days"], 1) if row["average_days"] is not None else None
                ),
                "overdue": row["overdue"],
                "escalations": row["escalations"],
            }
        )
    return result


def totals(user: Any, today: datetime.date) -> dict[str, Any]:
    return overseen_letters(user).aggregate(
        sent=Count("pk"),
        overdue=Count("pk", filter=Q(state=wf.SENT, reply_by__lt=today)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        awaiting_office=Count("pk", filter=Q(state=wf.ESCALATED)),
        average_days=Avg("reply_working_days"),
    )


def key_issues(user: Any, today: datetime.date) -> QuerySet[Matter]:
    """The key-issue list: key-issue matters the user may see, by task area, then deadline."""
    return (
        Matter.objects.visible_to(user)
        .with_colour(today)
        .filter(is_key_issue=True)
        .select_related("task_area", "lead_unit", "mechanism")
        .order_by(F("task_area__order").asc(nulls_last=True), "task_area_id", "deadline", "pk")
    )
