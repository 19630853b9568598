"""Meetings of the joint meeting and their minutes, whose decisions become matters."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fuyuan.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from fuyuan.matters import sources

        from . import jobs, menus, search_index  # noqa: F401

        search_index.register()

        sources.register(
            "meetings.decision",
            _("Meeting decision"),
            url=lambda m: f"/meetings/decisions/{m.source_ref}/" if m.source_ref else "",
        )
        sources.register_backlinks(agenda_backlinks)


def agenda_backlinks(kind: str, ref: str, user: Any) -> list[Any]:
    """The meetings visible to `user` whose agenda holds (kind, ref) — newest first — each
    followed by the decisions of its minutes taken on that agenda item. Two queries."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from fuyuan.matters.sources import Backlink

    from . import workflow as wf
    from .models import AgendaItem, Decision, Meeting

    items = list(
        AgendaItem.objects.filter(
            reference_kind=kind,
            reference_id=ref,
            meeting__in=Meeting.objects.visible_to(user),
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "meeting_id", "order", "pk")
    )
    if not items:
        return []
    by_item: dict[int, list[Decision]] = {}
    for decision in (
        Decision.objects.filter(agenda_item_id__in=[i.pk for i in items])
        .select_related("minutes", "lead_unit")
        .order_by("order", "pk")
    ):
        by_item.setdefault(decision.agenda_item_id or 0, []).append(decision)
    found: list[Backlink] = []
    for item in items:
        meeting = item.meeting
        day = timezone.localtime(meeting.starts_at).date()
        found.append(
            Backlink(
                label=meeting.title,
                url=reverse("meetings:meeting_detail", args=[meeting.pk]),
                date=day,
                detail=_("%(kind)s · %(state)s · agenda item: %(item)s")
                % {
                    "kind": meeting.get_kind_display(),
                    "state": wf.MEETING_WORKFLOW.state(meeting.state).label,
                    "item": item.title,
                },
            )
        )
        for decision in by_item.get(item.pk, []):
            minutes = decision.minutes
            detail = _("Decision · lead unit %(unit)s · due %(deadline)s") % {
                "unit": decision.lead_unit.name,
                "deadline": decision.deadline.isoformat(),
            }
            if minutes.state != wf.ISSUED:
                detail += " · " + _("minutes not issued yet")
            elif minutes.issue_label:
                detail += f" · {minutes.title}（{minutes.issue_label}）"
            found.append(
                Backlink(
                    label=decision.text,
                    url=reverse("meetings:decision_detail", args=[decision.pk]),
                    date=day,
                    detail=detail,
                )
            )
    return found
