"""The leaders' brief as an official document (GB/T 9704 .docx, one A4 page) and its push
to the leaders through the notification channels."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record
from fuyuan.core.documents import DocumentSpec, Heading, Paragraph, Table, render_docx
from fuyuan.notify.models import Channel
from fuyuan.notify.outbox import notify

from .area import Area
from .figures import Brief, Figure

# On paper the lists are cut so the page stays one A4 sheet; the page on screen has them all.
PRINTED_RED = 5
PRINTED_RANKING = 5


def _cut(text: str, length: int) -> str:
    """One table line on paper: longer text ends with an ellipsis (the page has it whole)."""
    return text if len(text) <= length else text[: length - 1] + "…"


def issuer(area: Area) -> str:
    """The red mark of the publication (a brief's mark is its own name, 督办专报)."""
    return _("Supervision brief")


def office_name(area: Area) -> str:
    return _("Linkage Office")


def title(area: Area) -> str:
    return _("%(name)s linkage supervision · %(period)s") % {
        "name": area.jurisdiction.name,
        "period": area.label,
    }


def _period_figure(b: Brief) -> Figure:
    return Figure("finished", _("Finished in the period"), b.finished_in_period)


def summary(b: Brief) -> str:
    """The brief's opening sentence: the figures in words."""
    values = {f.key: f for f in [*b.headline, *b.colours]}
    return _(
        "%(running)s matters are running: %(red)s red, %(yellow)s yellow, %(near)s due within "
        "a week. In this period %(finished)s were finished. On-time completion rate this year "
        "%(on_time)s; appearance rate %(appearance)s; recommendation reply rate %(reply)s; "
        "government-debtor cases cleared %(gov)s."
    ) % {
        "running": values["running"].text,
        "red": values["red"].text,
        "yellow": values["yellow"].text,
        "near": values["near"].text,
        "finished": b.finished_in_period,
        "on_time": values["on_time_rate"].text,
        "appearance": values["appearance_rate"].text,
        "reply": values["reply_rate"].text,
        "gov": values["gov_cleared"].text,
    }


def spec(b: Brief) -> DocumentSpec:
    area = b.area
    red_rows = tuple(
        (
            str(i),
            _cut(item.matter.title, 17),
            _cut(str(item.matter.lead_unit), 8),
            str(item.days_overdue),
        )
        for i, item in enumerate(b.red[:PRINTED_RED], start=1)
    )
    ranking = [r for r in b.ranking[:PRINTED_RANKING] if r is not None]
    ranking_rows = tuple(
        (
            str(r.rank),
            _cut(str(r.unit), 14),
            f"{r.on_time}/{r.finished}",
            r.on_time_text,
            str(r.red),
        )
        for r in ranking
    )
    counts = [*b.colours, _period_figure(b)]
    blocks: list[Any] = [
        Table(
            tuple(str(f.label) for f in counts),
            (
                tuple(f.text for f in counts),
                tuple(str(f.label) for f in b.headline),
                tuple(f.text for f in b.headline),
            ),
        )
    ]
    blocks.append(Heading(_("1. Red list (%(total)s)") % {"total": b.red_total}))
    if red_rows:
        blocks.append(
            Table(
                (_("No."), _("Matter"), _("Lead unit"), _("Days overdue")),
                red_rows,
                widths=(3, 20, 9, 5),
            )
        )
    else:
        blocks.append(Paragraph(_("No matter is overdue.")))
    blocks.append(Heading(_("2. Ranking of units (%(total)s)") % {"total": b.ranking_total}))
    if ranking_rows:
        blocks.append(
            Table(
                (_("Rank"), _("Unit"), _("On time/finished"), _("Share on time"), _("Red cards")),
                ranking_rows,
                widths=(3, 16, 7, 5, 4),
            )
        )
    return DocumentSpec(
        issuer=issuer(area),
        title="",
        blocks=tuple(blocks),
        date=area.today,
        is_brief=True,
        issue_label=f"{area.jurisdiction.name} {area.label}",
        signature=office_name(area),
    )


def docx(b: Brief) -> bytes:
    return render_docx(spec(b))


# --- push to the leaders ------------------------------------------------------------------
def may_push(user: Any, area: Area) -> bool:
    """The office of the brief's jurisdiction (or above) sends it to its leaders."""
    return scope_for(user).oversees(area.path, Role.OFFICE)


def leaders_of(area: Area) -> list[User]:
    """Leaders assigned to the brief's jurisdiction, today."""
    active = RoleAssignment.objects.active_on(area.today).filter(
        jurisdiction=area.jurisdiction, role=Role.LEADER
    )
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def deliver(b: Brief, recipients: list[Any]) -> int:
    """Queue the brief to `recipients` (inbox and the work messenger); the same brief (area,
    period) queued twice to someone is sent once — the outbox key."""
    area = b.area
    return notify(
        ref_kind="dashboard.brief",
        ref_id=area.jurisdiction.pk,
        kind=f"brief.{area.kind}",
        due_date=area.period.start,
        recipients=recipients,
        subject=title(area),
        body=summary(b),
        url=reverse("dashboard:brief") + "?" + area.query(unit=None),
        channels=(Channel.INBOX, Channel.MESSENGER),
    )


def push(actor: Any, b: Brief) -> int:
    """Queue the brief to the jurisdiction's leaders (inbox and the work messenger). Pushing
    the same period's brief twice sends it once (the outbox key); returns how many messages
    were newly queued."""
    from django.core.exceptions import PermissionDenied

    area = b.area
    if not may_push(actor, area):
        raise PermissionDenied("dashboard.push_brief")
    with transaction.atomic():
        queued = deliver(b, leaders_of(area))
        record(
            actor,
            "dashboard.push_brief",
            area.jurisdiction,
            after={"period": area.period_value, "kind": area.kind, "queued": queued},
        )
    return queued
