"""How a raw figure becomes points, and how totals become ranks — pure functions, so the
rules can be read (and tested) on their own.

- A rate or an average (method "ratio") scores its full weight at or above its target.
  Below it, either points in proportion (weight × value ÷ target), or — when the indicator
  sets a deduction step — the weight minus the step for each point short of the target,
  never below zero. A unit without records scores the full weight or nothing, as the
  indicator says.
- Cards (method "cards") deduct their points from the weight (a yellow 1 and a red 2 unless
  the indicator or the mechanism says otherwise), never below zero.
- Scores keep two decimals, rounded half up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .indicators import CARDS, Figure
from .models import NoData, Ranking

CENT = Decimal("0.01")
ZERO = Decimal("0")


def two(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Scored:
    """An indicator's points for one unit, with what they were computed from."""

    score: Decimal
    value: Decimal | None
    target: Decimal | None


def card_points(indicator: Any, mechanism: Any) -> tuple[Decimal, Decimal]:
    config = mechanism.config
    yellow = indicator.yellow_points
    red = indicator.red_points
    return (
        Decimal(config.yellow_card_points) if yellow is None else Decimal(yellow),
        Decimal(config.red_card_points) if red is None else Decimal(red),
    )


def target_of(indicator: Any, mechanism: Any) -> Decimal | None:
    if indicator.target is not None:
        return Decimal(indicator.target)
    kind = indicator.kind_obj
    return kind.default_target(mechanism) if kind is not None else None


def score(indicator: Any, figure: Figure | None, mechanism: Any) -> Scored:
    """The points `indicator` gives for `figure` (None: the unit has no records)."""
    weight = Decimal(indicator.weight)
    kind = indicator.kind_obj
    if kind is not None and kind.method == CARDS:
        yellow_points, red_points = card_points(indicator, mechanism)
        detail = figure.detail if figure is not None else {}
        deducted = two(
            Decimal(detail.get("yellow", 0)) * yellow_points
            + Decimal(detail.get("red", 0)) * red_points
        )
        return Scored(score=max(weight - deducted, ZERO), value=deducted, target=None)
    target = target_of(indicator, mechanism)
    value = figure.value if figure is not None else None
    if value is None:
        points = weight if indicator.if_no_data == NoData.FULL else ZERO
        return Scored(score=two(points), value=None, target=target)
    if not target or value >= target:
        return Scored(score=two(weight), value=value, target=target)
    if indicator.deduction_step is not None:
        short = target - value
        points = max(weight - short * Decimal(indicator.deduction_step), ZERO)
    else:
        points = weight * value / target
    return Scored(score=two(points), value=value, target=target)


@dataclass(frozen=True)
class Place:
    rank: int
    tied: bool


def ranks(totals: Iterable[tuple[Hashable, Decimal]], method: str) -> dict[Hashable, Place]:
    """Rank by total, highest first. Equal totals share a rank and are marked tied; standard
    competition ranking then skips places (1, 2, 2, 4), dense ranking does not (1, 2, 2, 3)."""
    rows = list(totals)
    ordered = sorted({total for _key, total in rows}, reverse=True)
    counts: dict[Decimal, int] = {}
    for _key, total in rows:
        counts[total] = counts.get(total, 0) + 1
    place: dict[Decimal, int] = {}
    above = 0
    for position, total in enumerate(ordered):
        place[total] = position + 1 if method == Ranking.DENSE else above + 1
        above += counts[total]
    return {key: Place(rank=place[total], tied=counts[total] > 1) for key, total in rows}
