"""Reads of the risks app, all built on `visible_to(user)`: event and project lists with
what their rows show, and the figures (computed from records, one query each) — events by
level and state, projects by status, households affected and delivered, the delivery rate.
Layer-5 apps (dashboard, assessment) read risks through these functions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Jurisdiction, Unit

from . import workflow as wf
from .models import ProjectStatus, RiskEvent, RiskKind, RiskLevel, StalledProject


def visible_events(user: Any) -> QuerySet[RiskEvent]:
    """Events the user may see, with what a list row shows (units involved in one more
    query)."""
    return (
        RiskEvent.objects.visible_to(user)
        .select_related("mechanism__jurisdiction", "lead_unit", "project")
        .prefetch_related(
            Prefetch("units_involved", queryset=Unit.objects.order_by("order_no", "pk"))
        )
    )


def visible_projects(user: Any) -> QuerySet[StalledProject]:
    return StalledProject.objects.visible_to(user).select_related(
        "jurisdiction", "responsible_unit"
    )


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent with one decimal; None when whole is 0 (shown as "—")."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def event_figures(queryset: QuerySet[RiskEvent]) -> dict[str, Any]:
    """Figures of the events in `queryset` (scoped and filtered by the caller), in one query:
    total, open, resolved, closed, per level and per kind."""
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "open": Count("pk", filter=~Q(state__in=wf.FINAL)),
        "resolved": Count("pk", filter=Q(state=wf.RESOLVED)),
        "closed": Count("pk", filter=Q(state=wf.CLOSED)),
    }
    for level in RiskLevel.values:
        aggregates[f"level_{level}"] = Count("pk", filter=Q(level=level))
        aggregates[f"open_{level}"] = Count("pk", filter=Q(level=level) & ~Q(state__in=wf.FINAL))
    for kind in RiskKind.values:
        aggregates[f"kind_{kind}"] = Count("pk", filter=Q(kind=kind))
    counts = queryset.order_by().aggregate(**aggregates)
    return {key: value or 0 for key, value in counts.items()}


def project_figures(queryset: QuerySet[StalledProject]) -> dict[str, Any]:
    """Figures of the ledger rows in `queryset`, in one query: projects per status, on the
    white list, households affected and delivered, and the delivery rate (households
    delivered / households affected)."""
    counts = queryset.order_by().aggregate(
        total=Count("pk"),
        stopped=Count("pk", filter=Q(status=ProjectStatus.STOPPED)),
        restarted=Count("pk", filter=Q(status=ProjectStatus.RESTARTED)),
        delivered=Count("pk", filter=Q(status=ProjectStatus.DELIVERED)),
        white_list=Count("pk", filter=Q(white_list=True)),
        households_affected=Sum("households_affected"),
        households_delivered=Sum("households_delivered"),
    )
    figures = {key: value or 0 for key, value in counts.items()}
    figures["delivery_rate"] = percent(
        figures["households_delivered"], figures["households_affected"]
    )
    figures["project_rate"] = percent(figures["delivered"], figures["total"])
    return figures


# --- filters (the REST API's; the pages' forms take the same parameters) ---------------------
class EventFilterSet(django_filters.FilterSet):
    """The event list's filters (`forms.EventFilterForm`): kind, level, state, year."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RiskKind.choices)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=RiskLevel.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=wf.EVENT_WORKFLOW.choices())
    year = django_filters.NumberFilter(
        label=_("Year reported"),
        field_name="reported_on",
        lookup_expr="year",
        min_value=2000,
        max_value=2100,
    )

    class Meta:
        model = RiskEvent
        fields: list[str] = []


class ProjectFilterSet(django_filters.FilterSet):
    """The stalled-housing ledger's filters (`forms.ProjectFilterForm`): jurisdiction (and
    below), status, on the white list or not (`yes` / `no`)."""

    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), method="filter_jurisdiction"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    white_list = django_filters.ChoiceFilter(
        label=_("White list"),
        choices=[("yes", _("On the white list")), ("no", _("Not on it"))],
        method="filter_white_list",
    )

    class Meta:
        model = StalledProject
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        visible = StalledProject.objects.visible_to(getattr(request, "user", None))
        self.filters["jurisdiction"].queryset = Jurisdiction.objects.filter(
            pk__in=visible.values("jurisdiction_id")
        )

    def filter_jurisdiction(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(jurisdiction__path__startswith=value.path) if value else queryset

    def filter_white_list(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value in ("yes", "no"):
            return queryset.filter(white_list=value == "yes")
        return queryset
