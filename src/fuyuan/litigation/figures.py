"""Litigation figures computed from the records (never typed): new cases year on year, loss
rate, heads' appearance in court, mediated/withdrawn rate and 实质化解率 — per body and per
jurisdiction, for a year or a date range — and the daily loss-risk warnings (败诉风险预警).

Definitions (DOMAIN.md §4), each shown beside its figure with the mechanism's settings:
- a case counts for its primary defendant and the defendant's jurisdiction
  (`AdminCase.jurisdiction`), wherever it is heard (相对集中管辖);
- new cases: first-instance cases filed in the period, against the same dates a year earlier;
- concluded: first-instance cases concluded in the period; losses: those whose outcome is in
  the mechanism's `loss_outcomes`; loss rate = losses ÷ the `loss_denominator` (all concluded,
  or "judgments": concluded minus mediated and withdrawn);
- heard cases: cases (any instance) with at least one hearing held in the period; a heard case
  counts once however many sessions it had. Appeared: a record of that period says the head
  (top official or deputy) appeared; top official: a record says the top official did;
  spoke: a record says the appearing head spoke. Appearance and top-official rates are
  ÷ heard cases, the spoke rate ÷ appeared cases; the appearance rate is compared with
  `appearance_target_percent`;
- mediated/withdrawn rate = (mediated + withdrawn) ÷ concluded;
- 实质化解率 = disputes closed in the period as resolved or settled ÷ disputes closed.
Rates are `Decimal` percentages with one decimal, None when the denominator is 0 ("—").

Everything is a handful of grouped SQL aggregates over the visible cases, whatever the number
of bodies: one over cases (grouped by body, jurisdiction and outcome, so any mechanism's
definition of a loss applies in Python), one over held hearings with their appearance records,
one over disputes, one for the labels.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.actions import system_user
from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.org.models import Jurisdiction, Mechanism, Unit
from fuyuan.org.settings_schema import (
    ADMIN_CASE_OUTCOMES,
    LOSS_DENOMINATORS,
    MechanismSettings,
)

from . import workflow as wf
from .actions import body_users, office_users
from .dispute_actions import resolution_rate
from .models import (
    AdminCase,
    CaseStage,
    Dispute,
    HeadRank,
    Hearing,
    HearingState,
    Instance,
    LossRiskWarning,
    Recommendation,
    RiskLevel,
)
from .recommendation_actions import FIGURE_DEFINITIONS, recommendation_figures

logger = logging.getLogger(__name__)

NO_VALUE = "—"
SOURCE_KIND = "litigation.loss_risk"
MATTER_DAYS = 30
MEDIATED = "mediated"
WITHDRAWN = "withdrawn"
APPEARED_RANKS = (HeadRank.TOP, HeadRank.DEPUTY)
RESOLVED_STATES = (wf.RESOLVED, wf.SETTLED)
SEVERITY: dict[str, int] = {RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}
BODY = "body"
JURISDICTION = "jurisdiction"


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def change(now: int, before: int) -> Decimal | None:
    """Year-on-year change in percent; None when there was nothing a year earlier."""
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def shown(value: Decimal | None) -> str:
    """A rate as pages and the report show it: "12.5%", or "—" when there is no data."""
    return NO_VALUE if value is None else f"{value}%"


# --- periods ----------------------------------------------------------------------------------
def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def is_year(self) -> bool:
        return (
            self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1)
            and (self.end.month, self.end.day) == (12, 31)
        )

    def previous(self) -> Period:
        """The same dates a year earlier (year-on-year comparison)."""
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    @property
    def label(self) -> str:
        if self.is_year:
            return _("%(year)s (whole year)") % {"year": self.start.year}
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, day after end 00:00) in the current time zone, for datetimes."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )
        return start, end


# --- rows -------------------------------------------------------------------------------------
COUNT_FIELDS = (
    "new_cases",
    "new_cases_last_year",
    "concluded",
    "losses",
    "mediated",
    "withdrawn",
    "heard",
    "appeared",
    "top_appeared",
    "spoke",
    "disputes_closed",
    "disputes_resolved",
)
RATE_FIELDS = (
    "loss_rate",
    "mediated_withdrawn_rate",
    "appearance_rate",
    "top_rate",
    "spoke_rate",
    "resolution_rate",
)


@dataclass
class FigureRow:
    """The figures of one body, one jurisdiction, or the total of a table. Counts are stored;
    rates are computed from them with the mechanism's settings."""

    label: str = ""
    unit: Unit | None = None
    jurisdiction: Jurisdiction | None = None
    is_total: bool = False
    # Settings the rates depend on.
    judgments_only: bool = False
    target: int = 70
    new_cases: int = 0
    new_cases_last_year: int = 0
    concluded: int = 0
    losses: int = 0
    mediated: int = 0
    withdrawn: int = 0
    heard: int = 0
    appeared: int = 0
    top_appeared: int = 0
    spoke: int = 0
    disputes_closed: int = 0
    disputes_resolved: int = 0
    # For jurisdiction rows: another row of the table lies below this jurisdiction, so the
    # case list's jurisdiction filter (a subtree) would show more than this row counts.
    has_rows_below: bool = False

    def add(self, other: FigureRow) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def new_cases_change(self) -> Decimal | None:
        return change(self.new_cases, self.new_cases_last_year)

    @property
    def loss_denominator(self) -> int:
        if self.judgments_only:
            return max(self.concluded - self.mediated - self.withdrawn, 0)
        return self.concluded

    @property
    def loss_rate(self) -> Decimal | None:
        return rate(self.losses, self.loss_denominator)

    @property
    def mediated_withdrawn(self) -> int:
        return self.mediated + self.withdrawn

    @property
    def mediated_withdrawn_rate(self) -> Decimal | None:
        return rate(self.mediated_withdrawn, self.concluded)

    @property
    def appearance_rate(self) -> Decimal | None:
        return rate(self.appeared, self.heard)

    @property
    def top_rate(self) -> Decimal | None:
        return rate(self.top_appeared, self.heard)

    @property
    def spoke_rate(self) -> Decimal | None:
        return rate(self.spoke, self.appeared)

    @property
    def resolution_rate(self) -> Decimal | None:
        # The disputes module's definition (resolved and withdrawn + settled) ÷ closed.
        return resolution_rate(self.disputes_resolved, self.disputes_closed)

    @property
    def below_target(self) -> bool:
        value = self.appearance_rate
        return value is not None and value < self.target

    @property
    def shown(self) -> dict[str, str]:
        """The rates as pages show them: "25.0%", the change signed ("+100.0%"), "—" for
        no data."""
        values = {name: shown(getattr(self, name)) for name in RATE_FIELDS}
        delta = self.new_cases_change
        values["new_cases_change"] = NO_VALUE if delta is None else f"{delta:+}%"
        return values

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in COUNT_FIELDS)


@dataclass
class Figures:
    """Both tables of a period (by body, by jurisdiction) and their total, with the
    definitions as the mechanism's settings make them."""

    period: Period
    config: MechanismSettings
    mechanism: Mechanism | None
    by_body: list[FigureRow]
    by_jurisdiction: list[FigureRow]
    total: FigureRow
    definitions: dict[str, str] = field(default_factory=dict)

    @property
    def previous(self) -> Period:
        return self.period.previous()


FIGURE_LABELS = {
    "attribution": gettext_lazy("Attribution"),
    "new_cases": gettext_lazy("New cases"),
    "concluded": gettext_lazy("Cases concluded"),
    "losses": gettext_lazy("Losses"),
    "loss_rate": gettext_lazy("Loss rate"),
    "mediated_withdrawn_rate": gettext_lazy("Mediated/withdrawn rate"),
    "heard": gettext_lazy("Heard cases"),
    "appearance_rate": gettext_lazy("Appearance rate"),
    "top_rate": gettext_lazy("Top-official rate"),
    "spoke_rate": gettext_lazy("Spoke rate"),
    "resolution_rate": gettext_lazy("Substantive resolution rate"),
}


def definitions(config: MechanismSettings) -> dict[str, str]:
    """What each figure means, with the settings that define it (shown beside the figure and
    in the annual report)."""
    outcomes = "、".join(str(ADMIN_CASE_OUTCOMES.get(k, k)) for k in config.loss_outcomes)
    denominator = str(LOSS_DENOMINATORS.get(config.loss_denominator, config.loss_denominator))
    return {
        "attribution": _(
            "Cases count for the primary defendant body and the defendant's jurisdiction, "
            "wherever the case is heard (including another county's court)."
        ),
        "new_cases": _(
            "First-instance administrative cases filed in the period, compared with the same "
            "dates a year earlier (year-on-year change)."
        ),
        "concluded": _("First-instance cases concluded in the period."),
        "losses": _("Concluded first-instance cases with one of these outcomes: %(outcomes)s.")
        % {"outcomes": outcomes or NO_VALUE},
        "loss_rate": _("Losses ÷ %(denominator)s, concluded in the period.")
        % {"denominator": denominator},
        "mediated_withdrawn_rate": _(
            "Concluded first-instance cases mediated or withdrawn ÷ all concluded "
            "first-instance cases."
        ),
        "heard": _(
            "Cases (any instance) with at least one hearing held in the period; a case counts "
            "once however many sessions it had."
        ),
        "appearance_rate": _(
            "Heard cases at which the head of the defendant body (top official or deputy) "
            "appeared ÷ heard cases, counted per case, not per session. Target: %(target)s%%."
        )
        % {"target": config.appearance_target_percent},
        "top_rate": _("Heard cases at which the top official (正职) appeared ÷ heard cases."),
        "spoke_rate": _("Cases at which the appearing head spoke in court ÷ cases appeared."),
        "resolution_rate": _(
            "Disputes referred for substantive resolution and closed in the period as resolved "
            "(suit withdrawn) or settled ÷ all disputes closed in the period (failed included)."
        ),
    }


# --- computing --------------------------------------------------------------------------------
def _new_row(config: MechanismSettings, **values: Any) -> FigureRow:
    return FigureRow(
        judgments_only=config.loss_denominator == "judgments",
        target=int(config.appearance_target_percent),
        **values,
    )


def _case_counts(
    cases: QuerySet[AdminCase], period: Period, config: MechanismSettings
) -> dict[tuple[int, int], FigureRow]:
    """New (this period and a year earlier) and concluded first-instance cases, by (body,
    jurisdiction); one query grouped by outcome too, so the loss definition applies here."""
    previous = period.previous()
    filed_now = Q(filed_on__gte=period.start, filed_on__lte=period.end)
    filed_before = Q(filed_on__gte=previous.start, filed_on__lte=previous.end)
    concluded = Q(
        stage=CaseStage.CONCLUDED, concluded_on__gte=period.start, concluded_on__lte=period.end
    )
    rows = (
        cases.filter(instance=Instance.FIRST)
        .filter(filed_now | filed_before | concluded)
        .order_by()
        .values("defendant_id", "jurisdiction_id", "outcome")
        .annotate(
            new=Count("pk", filter=filed_now),
            before=Count("pk", filter=filed_before),
            concluded=Count("pk", filter=concluded),
        )
    )
    losses = set(config.loss_outcomes)
    found: dict[tuple[int, int], FigureRow] = {}
    for row in rows:
        key = (row["defendant_id"], row["jurisdiction_id"])
        one = found.setdefault(key, _new_row(config))
        one.new_cases += row["new"]
        one.new_cases_last_year += row["before"]
        one.concluded += row["concluded"]
        if row["outcome"] in losses:
            one.losses += row["concluded"]
        if row["outcome"] == MEDIATED:
            one.mediated += row["concluded"]
        elif row["outcome"] == WITHDRAWN:
            one.withdrawn += row["concluded"]
    return found


def _hearing_counts(
    cases: QuerySet[AdminCase], period: Period, config: MechanismSettings
) -> dict[tuple[int, int], FigureRow]:
    """Heard cases and the appearance of heads, per case (distinct), from the hearings held in
    the period and their appearance records; one query."""
    start, end = period.bounds()
    appeared = Q(appearance__rank__in=APPEARED_RANKS)
    rows = (
        Hearing.objects.filter(
            state=HearingState.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
            case__in=cases.order_by().values("pk"),
        )
        .order_by()
        .values("case__defendant_id", "case__jurisdiction_id")
        .annotate(
            heard=Count("case_id", distinct=True),
            appeared=Count("case_id", distinct=True, filter=appeared),
            top=Count("case_id", distinct=True, filter=Q(appearance__rank=HeadRank.TOP)),
            spoke=Count("case_id", distinct=True, filter=appeared & Q(appearance__spoke=True)),
        )
    )
    found: dict[tuple[int, int], FigureRow] = {}
    for row in rows:
        key = (row["case__defendant_id"], row["case__jurisdiction_id"])
        found[key] = _new_row(
            config,
            heard=row["heard"],
            appeared=row["appeared"],
            top_appeared=row["top"],
            spoke=row["spoke"],
        )
    return found


def _dispute_counts(
    disputes: QuerySet[Dispute], period: Period, config: MechanismSettings
) -> dict[tuple[int, int], FigureRow]:
    """Disputes closed in the period, and those resolved or settled, by body; one query."""
    rows = (
        disputes.filter(
            state__in=wf.DISPUTE_FINAL, closed_on__gte=period.start, closed_on__lte=period.end
        )
        .order_by()
        .values("unit_id", "unit__jurisdiction_id")
        .annotate(
            closed=Count("pk"),
            resolved=Count("pk", filter=Q(state__in=RESOLVED_STATES)),
        )
    )
    return {
        (row["unit_id"], row["unit__jurisdiction_id"]): _new_row(
            config, disputes_closed=row["closed"], disputes_resolved=row["resolved"]
        )
        for row in rows
    }


def compute(
    cases: QuerySet[AdminCase],
    disputes: QuerySet[Dispute] | None,
    *,
    period: Period,
    config: MechanismSettings,
    mechanism: Mechanism | None = None,
) -> Figures:
    """The figures of the given cases and disputes (already scoped and filtered by the
    caller), by body and by jurisdiction, with a total: four queries whatever the number of
    bodies."""
    parts: dict[tuple[int, int], FigureRow] = {}
    counted = [_case_counts(cases, period, config), _hearing_counts(cases, period, config)]
    if disputes is not None:
        counted.append(_dispute_counts(disputes, period, config))
    for found in counted:
        for key, row in found.items():
            parts.setdefault(key, _new_row(config)).add(row)
    unit_ids = {unit_id for unit_id, _j in parts}
    jurisdiction_ids = {j for _u, j in parts}
    units = Unit.objects.select_related("jurisdiction").in_bulk(unit_ids)
    jurisdictions = {u.jurisdiction_id: u.jurisdiction for u in units.values()}
    missing = jurisdiction_ids - set(jurisdictions)
    if missing:
        jurisdictions.update(Jurisdiction.objects.in_bulk(missing))
    by_body: dict[int, FigureRow] = {}
    by_jurisdiction: dict[int, FigureRow] = {}
    total = _new_row(config, label=_("Total"), is_total=True)
    for (unit_id, jurisdiction_id), row in parts.items():
        unit = units[unit_id]
        jurisdiction = jurisdictions[jurisdiction_id]
        by_body.setdefault(
            unit_id, _new_row(config, label=unit.name, unit=unit, jurisdiction=jurisdiction)
        ).add(row)
        by_jurisdiction.setdefault(
            jurisdiction_id, _new_row(config, label=jurisdiction.name, jurisdiction=jurisdiction)
        ).add(row)
        total.add(row)
    body_rows = sorted(
        by_body.values(),
        key=lambda r: (r.jurisdiction.path, r.unit.order_no, r.unit.pk),  # type: ignore[union-attr]
    )
    jurisdiction_rows = sorted(by_jurisdiction.values(), key=lambda r: r.jurisdiction.path)  # type: ignore[union-attr]
    paths = [r.jurisdiction.path for r in jurisdiction_rows]  # type: ignore[union-attr]
    for row in jurisdiction_rows:
        own = row.jurisdiction.path  # type: ignore[union-attr]
        row.has_rows_below = any(p != own and p.startswith(own) for p in paths)
    return Figures(
        period=period,
        config=config,
        mechanism=mechanism,
        by_body=body_rows,
        by_jurisdiction=jurisdiction_rows,
        total=total,
        definitions=definitions(config),
    )


def scoped_cases(user: Any, jurisdiction: Jurisdiction | None = None) -> QuerySet[AdminCase]:
    cases = AdminCase.objects.visible_to(user)
    if jurisdiction is not None:
        cases = cases.filter(jurisdiction__path__startswith=jurisdiction.path)
    return cases


def scoped_disputes(user: Any, jurisdiction: Jurisdiction | None = None) -> QuerySet[Dispute]:
    disputes = Dispute.objects.visible_to(user)
    if jurisdiction is not None:
        disputes = disputes.filter(unit__jurisdiction__path__startswith=jurisdiction.path)
    return disputes


def litigation_figures(
    user: Any,
    period: Period,
    *,
    mechanism: Mechanism | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> Figures:
    """The figures of the cases and disputes `user` may see (optionally only those of a
    jurisdiction and the jurisdictions below it), defined by `mechanism`'s settings."""
    config = mechanism.config if mechanism is not None else MechanismSettings()
    return compute(
        scoped_cases(user, jurisdiction),
        scoped_disputes(user, jurisdiction),
        period=period,
        config=config,
        mechanism=mechanism,
    )


def scoped_recommendations(
    user: Any, jurisdiction: Jurisdiction | None = None
) -> QuerySet[Recommendation]:
    """Recommendations the user may see, addressed to bodies of the jurisdiction (and below)."""
    recommendations = Recommendation.objects.visible_to(user)
    if jurisdiction is not None:
        recommendations = recommendations.filter(
            recipient__jurisdiction__path__startswith=jurisdiction.path
        )
    return recommendations


def mechanism_figures(mechanism: Mechanism, period: Period) -> Figures:
    """Every case and dispute of the mechanism's jurisdiction and those below it (the annual
    report: its readers are authorised for the whole mechanism)."""
    path = mechanism.jurisdiction.path
    return compute(
        AdminCase.objects.filter(jurisdiction__path__startswith=path),
        Dispute.objects.filter(unit__jurisdiction__path__startswith=path),
        period=period,
        config=mechanism.config,
        mechanism=mechanism,
    )


def home_mechanism(user: Any) -> Mechanism | None:
    """The mechanism whose definitions a user's figures use by default: the nearest one at or
    above the jurisdictions the user works in (office, leader) or of the user's units (liaison,
    court), the highest of them."""
    scope = scope_for(user)
    anchors = {path for paths in scope.oversight.values() for path in paths}
    if scope.unit_ids:
        anchors |= set(
            Unit.objects.filter(pk__in=sorted(scope.unit_ids)).values_list(
                "jurisdiction__path", flat=True
            )
        )
    if not anchors:
        return None
    above = {p for path in anchors for p in _ancestors(path)}
    mechanisms = {
        m.jurisdiction.path: m
        for m in Mechanism.objects.filter(jurisdiction__path__in=sorted(above)).select_related(
            "jurisdiction"
        )
    }
    found = [
        next((mechanisms[p] for p in reversed(_ancestors(path)) if p in mechanisms), None)
        for path in anchors
    ]
    candidates = [m for m in found if m is not None]
    return min(candidates, key=lambda m: (len(m.jurisdiction.path), m.pk), default=None)


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def monthly_new_cases(cases: QuerySet[AdminCase], year: int) -> list[int]:
    """First-instance cases filed in each month of `year` (twelve numbers); one query."""
    counts = [0] * 12
    rows = (
        cases.filter(instance=Instance.FIRST, filed_on__year=year)
        .order_by()
        .annotate(month=ExtractMonth("filed_on"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[int(row["month"]) - 1] = row["n"]
    return counts


def recommendation_summary(recommendations: QuerySet[Any], period: Period) -> dict[str, Any]:
    """The recommendation figures (recommendation_actions.recommendation_figures) of those
    delivered in the period."""
    today = min(timezone.localdate(), period.end)
    return recommendation_figures(
        recommendations.filter(delivered_on__gte=period.start, delivered_on__lte=period.end),
        today,
    )


def recommendation_definitions() -> dict[str, str]:
    return {key: str(value) for key, value in FIGURE_DEFINITIONS.items()}


# --- loss-risk warnings (败诉风险预警) ---------------------------------------------------------
def assess(config: MechanismSettings, row: FigureRow) -> tuple[str | None, list[str]]:
    """The warning level a body's year-to-date figures call for, and why. The loss rate counts
    only from `loss_risk_min_cases` concluded cases on; a threshold of 0 is switched off."""
    level: str | None = None
    reasons: list[str] = []

    def worse(candidate: str) -> None:
        nonlocal level
        if level is None or SEVERITY[candidate] > SEVERITY[level]:
            level = candidate

    thresholds = (
        (RiskLevel.RED, config.loss_risk_red_percent, config.new_cases_red),
        (RiskLevel.ORANGE, config.loss_risk_orange_percent, config.new_cases_orange),
        (RiskLevel.YELLOW, config.loss_risk_yellow_percent, config.new_cases_yellow),
    )
    loss_rate = row.loss_rate
    if loss_rate is not None and row.concluded >= int(config.loss_risk_min_cases):
        for candidate, percent, _n in thresholds:
            if percent and loss_rate >= percent:
                worse(candidate)
                reasons.append(
                    _(
                        "Loss rate %(rate)s%% (%(losses)s of %(whole)s) reached the %(level)s "
                        "threshold of %(threshold)s%%."
                    )
                    % {
                        "rate": loss_rate,
                        "losses": row.losses,
                        "whole": row.loss_denominator,
                        "level": RiskLevel(candidate).label,
                        "threshold": percent,
                    }
                )
                break
    for candidate, _p, count in thresholds:
        if count and row.new_cases >= count:
            worse(candidate)
            reasons.append(
                _("%(count)s new cases reached the %(level)s threshold of %(threshold)s.")
                % {
                    "count": row.new_cases,
                    "level": RiskLevel(candidate).label,
                    "threshold": count,
                }
            )
            break
    return level, reasons


def _nearest_mechanisms(units: Iterable[Unit]) -> dict[int, Mechanism | None]:
    """`actions.mechanism_for` for many units in one query: the mechanism of the unit's
    jurisdiction, else the nearest one above it."""
    units = list(units)
    paths = {p for u in units for p in u.jurisdiction.ancestor_paths()}
    by_path = {
        m.jurisdiction.path: m
        for m in Mechanism.objects.filter(jurisdiction__path__in=sorted(paths)).select_related(
            "jurisdiction", "office_unit"
        )
    }
    found: dict[int, Mechanism | None] = {}
    for unit in units:
        found[unit.pk] = next(
            (by_path[p] for p in reversed(unit.jurisdiction.ancestor_paths()) if p in by_path),
            None,
        )
    return found


# (outcome, new cases, concluded cases) of one body
OutcomeCounts = tuple[str, int, int]


def _year_rows(
    today: datetime.date, paths: tuple[str, ...] | None
) -> tuple[dict[int, Unit], dict[int, list[OutcomeCounts]]]:
    """Year-to-date first-instance counts per body, outcomes kept apart (each body's mechanism
    decides what a loss is); a reorganised body's cases count for its successor."""
    period = Period(datetime.date(today.year, 1, 1), today)
    cases = AdminCase.objects.all()
    if paths is not None:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(jurisdiction__path__startswith=path)
        cases = cases.filter(q)
    filed = Q(filed_on__gte=period.start, filed_on__lte=period.end)
    concluded = Q(
        stage=CaseStage.CONCLUDED, concluded_on__gte=period.start, concluded_on__lte=period.end
    )
    rows = list(
        cases.filter(instance=Instance.FIRST)
        .filter(filed | concluded)
        .order_by()
        .values("defendant_id", "outcome")
        .annotate(new=Count("pk", filter=filed), concluded=Count("pk", filter=concluded))
    )
    units = Unit.objects.select_related("jurisdiction").in_bulk({r["defendant_id"] for r in rows})
    target: dict[int, Unit] = {}
    for unit in units.values():
        current = unit
        if unit.successor_id and unit.valid_to is not None and unit.valid_to < today:
            successor = unit.current_successor()
            current = Unit.objects.select_related("jurisdiction").get(pk=successor.pk)
        target[unit.pk] = current
    bodies: dict[int, Unit] = {}
    counts: dict[int, list[OutcomeCounts]] = {}
    for row in rows:
        unit = target[row["defendant_id"]]
        bodies[unit.pk] = unit
        counts.setdefault(unit.pk, []).append((row["outcome"], row["new"], row["concluded"]))
    return bodies, counts


def _body_row(config: MechanismSettings, parts: list[OutcomeCounts]) -> FigureRow:
    row = _new_row(config)
    losses = set(config.loss_outcomes)
    for outcome, new, concluded in parts:
        row.new_cases += new
        row.concluded += concluded
        if outcome in losses:
            row.losses += concluded
        if outcome == MEDIATED:
            row.mediated += concluded
        elif outcome == WITHDRAWN:
            row.withdrawn += concluded
    return row


def warnings_url() -> str:
    return reverse("litigation:warnings")


def _notify_warning(warning: LossRiskWarning, mechanism: Mechanism, *, kick: bool) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [*body_users(warning.unit), *office_users(mechanism.jurisdiction)]
    if not people:
        return
    notify(
        ref_kind=SOURCE_KIND,
        ref_id=warning.pk,
        kind=f"{SOURCE_KIND}.{warning.level}",
        due_date=timezone.localdate(),
        recipients=people,
        subject=_("Loss-risk warning (%(level)s) for %(year)s: %(unit)s")
        % {"level": warning.get_level_display(), "year": warning.year, "unit": warning.unit.name},
        url=warnings_url(),
    )
    if kick:
        kick_delivery()


def _open_matter(
    actor: Any, warning: LossRiskWarning, mechanism: Mechanism, today: datetime.date
) -> None:
    """The rectification matter for the flagged body, assigned at once; the body must be in
    the mechanism's own jurisdiction (a body of a jurisdiction without a mechanism of its own
    gets the warning without a matter, logged)."""
    from fuyuan.matters import actions as matter_actions
    from fuyuan.matters.models import MatterType

    try:
        with transaction.atomic():
            matter = matter_actions.open_for_source(
                actor,
                mechanism=mechanism,
                source_kind=SOURCE_KIND,
                source_ref=str(warning.pk),
                title=_("Rectify the loss risk (%(level)s, %(year)s): %(unit)s")
                % {
                    "level": warning.get_level_display(),
                    "year": warning.year,
                    "unit": warning.unit.name,
                },
                lead_unit=warning.unit,
                start_date=today,
                deadline=today + datetime.timedelta(days=MATTER_DAYS),
                deadline_kind="calendar_days",
                deadline_days=MATTER_DAYS,
                description=warning.reasons,
                matter_type=MatterType.OTHER,
            )
    except ValidationError as exc:
        logger.warning("litigation: no matter for loss-risk warning %s: %s", warning.pk, exc)
        return
    before = snapshot(warning)
    warning.matter = matter
    warning.save_checked(warning.version, ["matter"])
    record(actor, "litigation.loss_risk.matter", warning, before=before, after=snapshot(warning))


def raise_loss_risk_warnings(
    today: datetime.date | None = None,
    *,
    actor: Any = None,
    paths: tuple[str, ...] | None = None,
) -> int:
    """For each body with first-instance cases filed or concluded this year (year to date):
    the level its own mechanism's thresholds call for (`assess`). A new warning is created
    with a rectification matter (30 calendar days) and the body's liaison officers and the
    office are notified; an existing warning of the year is raised when the level is higher,
    never lowered. Idempotent: a second run the same day changes nothing. `actor` is the
    office user who asked for the check (else the system account); `paths` limits it to
    the bodies of those jurisdictions. Returns the number of warnings created or raised."""
    today = today or timezone.localdate()
    bodies, parts = _year_rows(today, paths)
    if not bodies:
        return 0
    mechanisms = _nearest_mechanisms(bodies.values())
    existing = {
        w.unit_id: w
        for w in LossRiskWarning.objects.filter(unit_id__in=list(bodies), year=today.year)
    }
    changed = 0
    who = actor
    for unit_id, unit in sorted(bodies.items(), key=lambda kv: (kv[1].order_no, kv[0])):
        mechanism = mechanisms.get(unit_id)
        if mechanism is None:
            continue
        config = mechanism.config
        row = _body_row(config, parts[unit_id])
        level, reasons = assess(config, row)
        if level is None:
            continue
        current = existing.get(unit_id)
        if current is not None and SEVERITY[level] <= SEVERITY[current.level]:
            continue
        who = who or system_user()
        warning = _write_warning(who, unit, mechanism, today, level, reasons, row, current)
        if warning is not None:
            changed += 1
            # A person asking for the check gets delivery now; the daily job delivers after.
            _notify_warning(warning, mechanism, kick=actor is not None)
    return changed


def _write_warning(
    actor: Any,
    unit: Unit,
    mechanism: Mechanism,
    today: datetime.date,
    level: str,
    reasons: list[str],
    row: FigureRow,
    current: LossRiskWarning | None,
) -> LossRiskWarning | None:
    """Create the year's warning or raise it (in one transaction with its audit entry and,
    when it has none yet, its matter); None when there was nothing to do."""
    text = "\n".join(reasons)
    try:
        with transaction.atomic():
            if current is None:
                warning = LossRiskWarning(
                    mechanism=mechanism,
                    unit=unit,
                    year=today.year,
                    level=level,
                    reasons=text,
                    loss_rate=row.loss_rate,
                    new_cases=row.new_cases,
                )
                warning.save()
                record(
                    actor,
                    "litigation.loss_risk.raise",
                    warning,
                    after=snapshot(warning),
                    detail={"today": today.isoformat()},
                )
            else:
                warning = (
                    LossRiskWarning.objects.select_for_update()
                    .select_related("unit")
                    .get(pk=current.pk)
                )
                if SEVERITY[level] <= SEVERITY[warning.level]:
                    return None
                before = snapshot(warning)
                warning.level = level
                warning.reasons = text
                warning.loss_rate = row.loss_rate
                warning.new_cases = row.new_cases
                warning.save_checked(
                    warning.version, ["level", "reasons", "loss_rate", "new_cases"]
                )
                record(
                    actor,
                    "litigation.loss_risk.escalate",
                    warning,
                    before=before,
                    after=snapshot(warning),
                    detail={"today": today.isoformat()},
                )
                if warning.matter_id:
                    from fuyuan.matters.actions import add_timeline

                    add_timeline(
                        warning.matter,  # type: ignore[arg-type]
                        actor,
                        "litigation.loss_risk.escalate",
                        text=_("The loss-risk warning was raised to %(level)s.")
                        % {"level": warning.get_level_display()},
                    )
            if warning.matter_id is None and unit.jurisdiction_id == mechanism.jurisdiction_id:
                warning.unit = unit
                _open_matter(actor, warning, mechanism, today)
    except IntegrityError:  # another run created the year's warning at the same moment
        return None
    return warning


# --- who sees warnings ------------------------------------------------------------------------
def visible_warnings(user: Any) -> QuerySet[LossRiskWarning]:
    """The body's own liaison officers; offices and leaders overseeing the body's
    jurisdiction; court staff for the bodies whose cases their court hears."""
    scope = scope_for(user)
    q = scope.unit_q("unit_id")
    for path in scope.oversight_paths:
        q |= Q(unit__jurisdiction__path__startswith=path)
    court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
    if court_ids:
        q |= Q(
            unit_id__in=AdminCase.objects.filter(court_id__in=court_ids)
            .order_by()
            .values("defendant_id")
        )
    return LossRiskWarning.objects.filter(q)


def may_run_check(user: Any) -> bool:
    """Office staff may run the loss-risk check now for the jurisdictions they oversee."""
    return bool(scope_for(user).oversight.get(Role.OFFICE))


def run_check_now(actor: Any, today: datetime.date | None = None) -> int:
    """The office's "check now": the daily check limited to the jurisdictions the office
    oversees, written in the office user's name."""
    from django.core.exceptions import PermissionDenied

    if not may_run_check(actor):
        raise PermissionDenied("litigation.loss_risk.check")
    paths = tuple(scope_for(actor).oversight.get(Role.OFFICE, ()))
    return raise_loss_risk_warnings(today, actor=actor, paths=paths)
