"""Pages of the leaders' brief (督办专报) and the cockpit (驾驶舱). Both read an `Area` from the
URL (jurisdiction, unit, period), so every drill-down keeps its filters in the address."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.matters.models import Colour
from fuyuan.matters.workflow import MATTER_WORKFLOW

from . import brief_docs, figures, snapshots
from .area import Area, area_from, may_view

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _area(request: HttpRequest, default_kind: str) -> Area:
    if not may_view(request.user):
        raise PermissionDenied("dashboard.view")
    return area_from(request.user, request.GET, default_kind=default_kind)


def _crumbs(request: HttpRequest, area: Area) -> list[tuple[str, str]]:
    """Jurisdictions from the highest the user oversees down to the area's, then the unit."""
    from fuyuan.accounts.permissions import scope_for

    paths = scope_for(request.user).oversight_paths
    chain = []
    j = area.jurisdiction
    while j is not None and any(j.path.startswith(p) for p in paths):
        chain.append(j)
        j = j.parent
    crumbs = [(str(c), "?" + area.query(j=c.pk, unit=None)) for c in reversed(chain)]
    if area.unit is not None:
        crumbs.append((str(area.unit), "?" + area.query()))
    return crumbs


def _taken(request: HttpRequest, kind: str, area: Area) -> snapshots.Taken:
    return snapshots.take(kind, request.user, area, fresh=request.GET.get("fresh") == "1")


def _context(request: HttpRequest, area: Area, taken: snapshots.Taken) -> dict[str, Any]:
    return {
        "area": area,
        "computed_at": taken.computed_at,
        "from_snapshot": taken.stored,
        "fresh_url": "?" + area.query(fresh="1"),
        "crumbs": _crumbs(request, area),
        "periods": [
            ("year", _("Year")),
            ("month", _("Month")),
            ("week", _("Week")),
        ],
    }


@login_required
def brief(request: HttpRequest) -> HttpResponse:
    area = _area(request, "month")
    taken = _taken(request, "brief", area)
    data = taken.data
    context = _context(request, area, taken)
    context.update(
        brief=data,
        summary=brief_docs.summary(data),
        title=brief_docs.title(area),
        issuer=brief_docs.issuer(area),
        may_push=brief_docs.may_push(request.user, area),
        leaders=brief_docs.leaders_of(area),
        docx_url=reverse("dashboard:brief_docx") + "?" + area.query(),
    )
    return render(request, "dashboard/brief.html", context)


@login_required
def brief_docx(request: HttpRequest) -> HttpResponse:
    area = _area(request, "month")
    content = brief_docs.docx(figures.brief(request.user, area))
    response = HttpResponse(content, content_type=DOCX)
    name = f"brief-{area.jurisdiction.code or area.jurisdiction.pk}-{area.period_value}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def brief_push(request: HttpRequest) -> HttpResponse:
    area = _area(request, "month")
    if not brief_docs.may_push(request.user, area):
        raise PermissionDenied("dashboard.push_brief")
    queued = brief_docs.push(request.user, figures.brief(request.user, area))
    if queued:
        messages.success(request, _("The brief was sent to %(n)s leader(s).") % {"n": queued // 2})
    else:
        messages.info(request, _("This brief had already been sent; nothing new was queued."))
    return redirect(reverse("dashboard:brief") + "?" + area.query())


def _chart_data(area: Area, data: dict[str, Any]) -> dict[str, Any]:
    """What the cockpit's charts draw (passed with json_script): each item carries the URL of
    its rows, so a click drills down."""
    colour_names = dict(Colour.choices)
    state_names = dict(MATTER_WORKFLOW.choices())
    colours = [
        {
            "name": str(colour_names[c]),
            "value": data["by_colour"].get(c, 0),
            "key": str(c),
            "url": figures.ledger_url(area, colour=str(c)),
        }
        for c in (Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.GREEN)
    ]
    states = [
        {
            "name": str(state_names.get(s, s)),
            "value": n,
            "url": figures.ledger_url(area, state=s),
        }
        for s, n in sorted(data["by_state"].items(), key=lambda kv: -kv[1])
    ]
    ranking = [
        {
            "name": str(r.unit),
            "value": float(r.on_time_rate) if r.on_time_rate is not None else None,
            "url": r.url,
        }
        for r in data["ranking"][:15]
        if r is not None
    ]
    months = [_("%(m)s月") % {"m": m} for m in range(1, 13)]
    return {
        "colours": colours,
        "states": states,
        "ranking": ranking,
        "months": months,
        "trend": {
            "cases": data["trend"]["cases"],
            "finished": data["trend"]["finished"],
            "cases_label": _("New administrative cases"),
            "finished_label": _("Matters finished"),
        },
        "labels": {
            "colours": _("Running matters by colour"),
            "states": _("Matters by state"),
            "ranking": _("On-time completion rate by unit (%)"),
            "trend": _("Month by month"),
        },
    }


@login_required
def cockpit(request: HttpRequest) -> HttpResponse:
    area = _area(request, "year")
    taken = _taken(request, "cockpit", area)
    data = taken.data
    context = _context(request, area, taken)
    context.update(data)
    context["charts"] = _chart_data(area, data)
    context["big_screen"] = request.GET.get("screen") == "1"
    context["screen_url"] = "?" + area.query(screen="1")
    context["normal_url"] = "?" + area.query()
    template = "dashboard/big_screen.html" if context["big_screen"] else "dashboard/cockpit.html"
    return render(request, template, context)
