"""The catalogue of linkage indicators the software can compute (考核指标库): each kind knows
how to read a unit's raw figure for the year from the records of the apps below — through
their figures/queries modules and their models' `visible_to(actor)` — what the figure means,
its default target, and which list page shows the rows behind it.

Every kind computes the figures of all the units in one or two grouped queries, whatever
their number. The figures of a year are taken as of `Context.as_of`: the year's last day, or
the scoring day while the year runs. Rates are percentages with one decimal, as everywhere
in the app (`litigation.figures.rate`); an average keeps two decimals.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fuyuan.enforcement.check_actions import feedback_figures
from fuyuan.enforcement.models import Check
from fuyuan.liaison import workflow as liaison_wf
from fuyuan.liaison.models import LiaisonLetter
from fuyuan.litigation.figures import Period, litigation_figures, rate
from fuyuan.litigation.models import Recommendation
from fuyuan.matters import workflow as matter_wf
from fuyuan.matters.cards import cards_by_unit
from fuyuan.matters.models import Evaluation, Matter
from fuyuan.org.models import Mechanism, Unit
from fuyuan.reporting import workflow as reporting_wf
from fuyuan.reporting.models import Collection, CollectionTarget

RATIO = "ratio"  # a rate or an average scored against a target
CARDS = "cards"  # points deducted per card from the weight

FINISHED_STATES = (matter_wf.REPORTED, *matter_wf.DONE_STATES)


@dataclass(frozen=True)
class Context:
    """What every kind needs: who reads (the records are those `actor` may see), the
    mechanism, the year and the day the figures are taken on."""

    actor: Any
    mechanism: Mechanism
    year: int

    @property
    def as_of(self) -> datetime.date:
        return min(timezone.localdate(), datetime.date(self.year, 12, 31))

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[1 January 00:00, next 1 January 00:00) in the current time zone."""
        start = timezone.make_aware(datetime.datetime(self.year, 1, 1))
        end = timezone.make_aware(datetime.datetime(self.year + 1, 1, 1))
        return start, end


@dataclass(frozen=True)
class Figure:
    """A unit's raw figure: the value (a rate in percent or an average; None when there is
    nothing to divide), the numerator and denominator behind it, and further counts."""

    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorKind:
    code: str
    label: str | Promise
    definition: str | Promise
    method: str
    compute: Callable[[Context, list[Unit]], dict[int, Figure]]
    # The kind's own target when the indicator names none.
    default_target: Callable[[Mechanism], Decimal | None] = lambda m: Decimal("100")
    # "%" for rates, "" for averages; cards show their counts.
    suffix: str = "%"
    # The list page with the rows behind a unit's figure, when one exists.
    link: Callable[[int, int], str] | None = None


def _rate_figure(part: int, whole: int, **detail: Any) -> Figure:
    return Figure(value=rate(part, whole), numerator=part, denominator=whole, detail=detail)


def _unit_ids(units: Iterable[Unit]) -> list[int]:
    return sorted(u.pk for u in units)


# --- supervised matters ---------------------------------------------------------------------
def _matters(ctx: Context, units: list[Unit]) -> Any:
    return Matter.objects.visible_to(ctx.actor).filter(
        mechanism=ctx.mechanism, year=ctx.year, lead_unit_id__in=_unit_ids(units)
    )


def matters_on_time(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Matters of the year led by the unit that are due — reported or finished, or running
    past their deadline — and of those, the ones reported (or completed) by the deadline."""
    finished = Q(state__in=FINISHED_STATES)
    due = finished | Q(state__in=matter_wf.RUNNING_STATES, deadline__lt=ctx.as_of)
    on_time = finished & (
        Q(reported_at__date__lte=F("deadline"))
        | Q(reported_at__isnull=True, completed_at__date__lte=F("deadline"))
    )
    rows = (
        _matters(ctx, units)
        .order_by()
        .values("lead_unit_id")
        .annotate(due=Count("pk", filter=due), on_time=Count("pk", filter=on_time))
    )
    return {r["lead_unit_id"]: _rate_figure(r["on_time"], r["due"]) for r in rows}


def cards(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Yellow and red cards of the unit's matters of the year (matters.cards)."""
    wanted = set(_unit_ids(units))
    found: dict[int, Figure] = {}
    for row in cards_by_unit(ctx.actor, ctx.mechanism, ctx.year, ctx.as_of):
        if row.unit.pk in wanted:
            found[row.unit.pk] = Figure(
                numerator=None,
                detail={
                    "yellow": row.yellow,
                    "red": row.red,
                    "matters": row.matters,
                    "formal_talk": row.formal_talk,
                },
            )
    return found


def evaluation_average(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """The average evaluation score (timeliness, quality, effect, each 1–5) of the unit's
    rated matters of the year."""
    rows = (
        Evaluation.objects.filter(
            matter__in=_matters(ctx, units).values("pk"), unit_id__in=_unit_ids(units)
        )
        .order_by()
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            points=Sum(F("timeliness") + F("quality") + F("effect")),
        )
    )
    found = {}
    for r in rows:
        average = (Decimal(r["points"]) / (3 * r["n"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
        found[r["unit_id"]] = Figure(value=average, denominator=r["n"], detail={"rated": r["n"]})
    return found


def _ledger_link(unit_id: int, year: int) -> str:
    return f"{reverse('matters:ledger')}?lead_unit={unit_id}&year={year}"


# --- administrative litigation ----------------------------------------------------------------
def appearance_rate(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Heard cases of the year at which the head of the defendant body appeared ÷ heard cases
    (litigation.figures: per case, not per session; the primary defendant counts)."""
    figures = litigation_figures(
        ctx.actor,
        Period.year(ctx.year),
        mechanism=ctx.mechanism,
        jurisdiction=ctx.mechanism.jurisdiction,
    )
    wanted = set(_unit_ids(units))
    return {
        row.unit.pk: _rate_figure(row.appeared, row.heard)
        for row in figures.by_body
        if row.unit is not None and row.unit.pk in wanted and row.heard
    }


def _appearance_target(mechanism: Mechanism) -> Decimal:
    return Decimal(mechanism.config.appearance_target_percent)


def recommendation_reply(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Recommendations delivered to the unit in the year that were due — replied, or past the
    reply deadline — and of those, the ones replied by the deadline (the first reply counts)."""
    start, end = ctx.first_day, ctx.last_day
    due = Q(replied_on__isnull=False) | Q(reply_due__lt=ctx.as_of)
    rows = (
        Recommendation.objects.visible_to(ctx.actor)
        .filter(
            recipient_id__in=_unit_ids(units),
            delivered_on__gte=start,
            delivered_on__lte=end,
        )
        .order_by()
        .values("recipient_id")
        .annotate(
            due=Count("pk", filter=due),
            on_time=Count("pk", filter=Q(replied_on__isnull=False, replied_on__lte=F("reply_due"))),
        )
    )
    return {r["recipient_id"]: _rate_figure(r["on_time"], r["due"]) for r in rows if r["due"]}


# --- enforcement linkage ----------------------------------------------------------------------
def check_feedback(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Hits of the unit's list checks run in the year that have feedback (measure applied, or
    not applicable with a reason) ÷ hits (enforcement.check_actions.feedback_figures)."""
    checks = Check.objects.visible_to(ctx.actor).filter(unit_id__in=_unit_ids(units))
    return {
        f.unit.pk: _rate_figure(f.answered, f.hits, checks=f.checks)
        for f in feedback_figures(checks, (ctx.first_day, ctx.last_day))
        if f.hits
    }


# --- daily liaison ----------------------------------------------------------------------------
def liaison_on_time(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """Liaison letters the unit received in the year with a reply-by date that were due —
    replied, or past the date — and of those, the ones replied by the date."""
    start, end = ctx.bounds()
    due = Q(replied_at__isnull=False) | Q(reply_by__lt=ctx.as_of)
    rows = (
        LiaisonLetter.objects.visible_to(ctx.actor)
        .exclude(state=liaison_wf.DRAFT)
        .filter(
            recipient_unit_id__in=_unit_ids(units),
            sent_at__gte=start,
            sent_at__lt=end,
            reply_by__isnull=False,
        )
        .order_by()
        .values("recipient_unit_id")
        .annotate(
            due=Count("pk", filter=due),
            on_time=Count(
                "pk", filter=Q(replied_at__isnull=False, replied_at__date__lte=F("reply_by"))
            ),
        )
    )
    return {r["recipient_unit_id"]: _rate_figure(r["on_time"], r["due"]) for r in rows if r["due"]}


# --- material collection ----------------------------------------------------------------------
def collections_on_time(ctx: Context, units: list[Unit]) -> dict[int, Figure]:
    """The mechanism's collections of the year (by deadline) naming the unit that were due —
    delivered, or past the deadline — and of those, the ones first delivered by the deadline."""
    collections = (
        Collection.objects.visible_to(ctx.actor)
        .filter(
            mechanism=ctx.mechanism,
            deadline__gte=ctx.first_day,
            deadline__lte=ctx.last_day,
        )
        .exclude(state=reporting_wf.C_DRAFT)
    )
    delivered = Q(submission__first_delivered_at__isnull=False)
    due = delivered | Q(collection__deadline__lt=ctx.as_of)
    rows = (
        CollectionTarget.objects.filter(
            collection__in=collections.values("pk"), unit_id__in=_unit_ids(units)
        )
        .order_by()
        .values("unit_id")
        .annotate(
            due=Count("pk", filter=due),
            on_time=Count(
                "pk",
                filter=delivered
                & Q(submission__first_delivered_at__date__lte=F("collection__deadline")),
            ),
        )
    )
    return {r["unit_id"]: _rate_figure(r["on_time"], r["due"]) for r in rows if r["due"]}


CATALOGUE: dict[str, IndicatorKind] = {
    k.code: k
    for k in (
        IndicatorKind(
            "matters_on_time",
            _("On-time completion of supervised matters"),
            _(
                "Matters of the year led by the unit that are due (reported or finished, or "
                "running past their deadline): share reported or completed by the deadline."
            ),
            RATIO,
            matters_on_time,
            link=_ledger_link,
        ),
        IndicatorKind(
            "cards",
            _("Yellow and red cards"),
            _(
                "Cards of the unit's matters of the year: a red card for a matter that ran "
                "past its deadline, a yellow card for a late progress report. Each card "
                "deducts its points from the weight."
            ),
            CARDS,
            cards,
            default_target=lambda m: None,
            suffix="",
            link=_ledger_link,
        ),
        IndicatorKind(
            "evaluation_average",
            _("Evaluation of completed matters"),
            _(
                "Average rating (timeliness, quality and effect, each 1–5) of the unit's "
                "matters of the year rated by the assigning side; full points at the target."
            ),
            RATIO,
            evaluation_average,
            default_target=lambda m: Decimal("5"),
            suffix="",
            link=_ledger_link,
        ),
        IndicatorKind(
            "appearance_rate",
            _("Heads appearing in court"),
            _(
                "Heard cases of the year at which the head of the defendant body appeared ÷ "
                "heard cases (per case, not per session); full points at the joint meeting's "
                "target."
            ),
            RATIO,
            appearance_rate,
            default_target=_appearance_target,
            link=lambda unit_id, year: f"{reverse('litigation:case_list')}?defendant={unit_id}",
        ),
        IndicatorKind(
            "recommendation_reply",
            _("Recommendations replied on time"),
            _(
                "Recommendations delivered to the unit in the year that are due (replied, or "
                "past the reply deadline): share replied by the deadline."
            ),
            RATIO,
            recommendation_reply,
            link=lambda unit_id, year: (
                f"{reverse('litigation:recommendation_list')}?recipient={unit_id}&year={year}"
            ),
        ),
        IndicatorKind(
            "check_feedback",
            _("Feedback on list-check hits"),
            _(
                "Hits of the unit's list checks of the year with feedback (measure applied, "
                "or not applicable with a reason) ÷ hits."
            ),
            RATIO,
            check_feedback,
            link=lambda unit_id, year: (
                f"{reverse('enforcement:check_figures')}?first={year}-01-01&last={year}-12-31"
            ),
        ),
        IndicatorKind(
            "liaison_on_time",
            _("Liaison letters replied on time"),
            _(
                "Liaison letters received in the year with a reply-by date that are due "
                "(replied, or past the date): share replied by the date."
            ),
            RATIO,
            liaison_on_time,
            link=lambda unit_id, year: reverse("liaison:statistics"),
        ),
        IndicatorKind(
            "collections_on_time",
            _("Material submitted on time"),
            _(
                "The joint meeting's collections of the year naming the unit that are due "
                "(delivered, or past the deadline): share first delivered by the deadline."
            ),
            RATIO,
            collections_on_time,
            link=lambda unit_id, year: reverse("reporting:collection_list"),
        ),
    )
}


def choices() -> list[tuple[str, Any]]:
    return [(k.code, k.label) for k in CATALOGUE.values()]
