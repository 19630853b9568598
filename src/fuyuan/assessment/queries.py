"""Reads of the assessment, all built on visible_to(user): schemes, the units a scheme
assesses, and the results table (units × indicators) in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.org.models import Mechanism, Seat, SeatRole, Unit, UnitKind

from .models import Adjustment, Indicator, IndicatorScore, Result, Scheme

# Judicial bodies sit in the joint meeting as the government's counterpart; the rule-of-law
# government assessment scores government bodies only.
NOT_ASSESSED_KINDS = (UnitKind.COURT, UnitKind.PROCURATORATE)


def visible_schemes(user: Any) -> QuerySet[Scheme]:
    return Scheme.objects.visible_to(user).select_related(
        "mechanism", "mechanism__jurisdiction", "created_by", "finalized_by"
    )


def office_mechanisms(user: Any) -> list[Mechanism]:
    """Mechanisms whose office the user works in: they draw up schemes there."""
    ids = scope_for(user).assigned_jurisdictions.get(Role.OFFICE, frozenset())
    return list(
        Mechanism.objects.filter(jurisdiction_id__in=sorted(ids))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path")
    )


def assessed_units(mechanism: Mechanism) -> list[Unit]:
    """Current member units of the joint meeting in official order, without the office's own
    unit (it assesses) and without courts and procuratorates."""
    seats = Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER).current()
    return list(
        Unit.objects.filter(pk__in=seats.values("unit_id"))
        .current()
        .exclude(pk=mechanism.office_unit_id)
        .exclude(kind__in=NOT_ASSESSED_KINDS)
        .order_by("order_no", "pk")
    )


def indicators(scheme: Scheme) -> list[Indicator]:
    return list(scheme.indicators.order_by("order", "pk"))


@dataclass
class ResultRow:
    """A line of the results table: the result, its scores in the scheme's indicator order
    (None where an indicator has no score yet) and its adjustments."""

    result: Result
    scores: list[IndicatorScore | None]
    adjustments: list[Adjustment] = field(default_factory=list)


def result_rows(
    user: Any, scheme: Scheme, indicator_list: list[Indicator], only: int | None = None
) -> list[ResultRow]:
    """The results the user may see (or only the one with pk `only`), ranked ones by rank,
    the others in the units' official order; three queries whatever the number of units and
    indicators."""
    found = Result.objects.visible_to(user).filter(scheme=scheme)
    if only is not None:
        found = found.filter(pk=only)
    results = list(
        found.select_related("unit", "reviewed_by", "confirmed_by").prefetch_related(
            Prefetch("scores", queryset=IndicatorScore.objects.order_by()),
            Prefetch(
                "adjustments",
                queryset=Adjustment.objects.select_related("made_by", "indicator").order_by(
                    "made_at", "pk"
                ),
            ),
        )
    )
    results.sort(
        key=lambda r: (
            r.rank if r.rank is not None else 10**9,
            r.unit.order_no,
            r.unit_id,
        )
    )
    rows = []
    for result in results:
        result.scheme = scheme
        by_indicator = {s.indicator_id: s for s in result.scores.all()}
        rows.append(
            ResultRow(
                result=result,
                scores=[by_indicator.get(i.pk) for i in indicator_list],
                adjustments=list(result.adjustments.all()),
            )
        )
    return rows


def visible_result(user: Any, pk: int) -> QuerySet[Result]:
    return (
        Result.objects.visible_to(user)
        .filter(pk=pk)
        .select_related(
            "scheme",
            "scheme__mechanism",
            "scheme__mechanism__jurisdiction",
            "unit",
            "scored_by",
            "reviewed_by",
            "confirmed_by",
        )
    )
