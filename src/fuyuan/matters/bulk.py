"""The bulk update of progress (DOMAIN.md §9: progress typed item by item is never kept up):
who may use it, and the write of one good row of the progress sheet. The sheet itself is read,
checked and previewed by the shared importer (`importers.ProgressFeed`, feed
"matters.progress"), which also writes the one audit entry of the batch."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fuyuan.accounts.permissions import scope_for

from . import deadlines
from .actions import add_timeline
from .models import Feedback, FeedbackCadence, FeedbackStatus, Matter


def may_bulk_update(user: Any) -> bool:
    """Liaison officers and court staff fill in the matters their units lead."""
    return bool(scope_for(user).unit_ids)


def record_progress(
    actor: Any,
    matter: Matter,
    *,
    version: int,
    text: str,
    percent: int | None,
    derived: bool,
    detail: dict[str, Any],
) -> Feedback:
    """One row of the sheet: a submitted progress report in the lead unit's name, the typed
    percentage (unless progress derives from milestones or sub-matters — ARCHITECTURE rule 7:
    a typed percentage is the fallback, so it stays on the report only), the next report date
    moved along the cadence, and a timeline entry. The matter must still be at `version`
    (StaleObjectError otherwise). No audit entry of its own: the importer writes one for the
    batch. Called by the feed inside the batch's transaction, after its checks."""
    today = timezone.localdate()
    feedback = Feedback.objects.create(
        matter=matter,
        unit=matter.lead_unit,
        author=actor,
        text=text,
        progress=percent,
        status=FeedbackStatus.SUBMITTED,
        due_date=matter.next_feedback_due,
        submitted_at=timezone.now(),
    )
    fields: list[str] = []
    if percent is not None and not derived:
        matter.progress_typed = percent
        matter.progress = percent
        fields += ["progress_typed", "progress"]
    if matter.feedback_cadence != FeedbackCadence.NONE:
        matter.next_feedback_due = deadlines.next_report_due(
            matter.feedback_cadence,
            today,
            day_of_month=matter.feedback_day,
            milestones=list(matter.milestones.all()),
            deadline=matter.deadline,
        )
        fields.append("next_feedback_due")
    matter.save_checked(version, fields=fields or ["updated_at"])
    add_timeline(matter, actor, "feedback", text=text, detail={**detail, "progress": percent})
    return feedback
