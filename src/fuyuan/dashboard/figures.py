"""Every figure of the brief, the cockpit, bulletins and the annual report, computed from the
records the reader may see (ARCHITECTURE rule 7: never typed, never cached stale), each with
the link to the rows behind it.

Each section is a handful of aggregate queries whatever the size of the data; rates are
percentages with one decimal (None when there is nothing to divide by, shown "—").
Definitions:
- on-time completion rate (按期办结率): matters finished (completed) in the span whose report
  — or, never reported, whose completion — came by the deadline, over all finished in it
  (matters.cards.finished_on_time_q; the late ones are exactly the red cards of finished
  matters);
- appearance rate, recommendation reply rate: the litigation module's definitions, with the
  mechanism's settings;
- government-debtor cases cleared: closed and struck off (结案销号) over all of them;
  执行到位率: the money paid over the money owed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.bankruptcy.models import BankruptcyCase, CaseStage, Fund
from fuyuan.enforcement.models import (
    Check,
    CheckHit,
    EnforcementCase,
    EnforcementCaseKind,
    EnforcementCaseState,
    HitState,
)
from fuyuan.liaison import workflow as liaison_wf
from fuyuan.liaison.models import LiaisonLetter
from fuyuan.litigation import figures as lit
from fuyuan.matters import cards
from fuyuan.matters import workflow as wf
from fuyuan.matters.models import Colour, Matter, MatterQuerySet, MatterType
from fuyuan.meetings import workflow as meetings_wf
from fuyuan.meetings.models import Meeting, Minutes
from fuyuan.org.models import Jurisdiction, Unit
from fuyuan.reporting.models import Collection, Submission
from fuyuan.risks import workflow as risks_wf
from fuyuan.risks.models import RiskEvent

from .area import Area

NO_VALUE = "—"
NEAR_DAYS = 7  # "near the deadline" on the brief: due within a week
RED_LIST_LENGTH = 10


def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shown(value: Decimal | int | None, percent: bool = False) -> str:
    if value is None:
        return NO_VALUE
    return f"{value}%" if percent else str(value)


@dataclass
class Figure:
    """One number on a page, with what it counts and where its rows are."""

    key: str
    label: str
    value: Decimal | int | None
    percent: bool = False
    url: str = ""
    part: int | None = None  # a rate's numerator and denominator, for the tooltip
    whole: int | None = None
    tone: str = ""  # danger | warning | info | success: how the page colours it

    @property
    def text(self) -> str:
        return shown(self.value, self.percent)

    @property
    def detail(self) -> str:
        if self.part is None or self.whole is None:
            return ""
        return f"{self.part}/{self.whole}"


# --- links --------------------------------------------------------------------------------
def _url(name: str, **params: Any) -> str:
    query: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "":
            continue
        values = value if isinstance(value, list | tuple) else [value]
        query.extend((key, str(v)) for v in values)
    base = reverse(name)
    return f"{base}?{urlencode(query)}" if query else base


def ledger_url(area: Area, **filters: Any) -> str:
    """The matter ledger showing the rows of a matter figure of the area."""
    return _url(
        "matters:ledger",
        jurisdiction=area.jurisdiction.pk,
        subtree="on",
        lead_unit=area.unit.pk if area.unit else None,
        **filters,
    )


# --- matters --------------------------------------------------------------------------------
def matters(user: Any, area: Area) -> MatterQuerySet:
    """Registered matters of the area the user may see (drafts are the office's own)."""
    rows = (
        Matter.objects.visible_to(user)
        .filter(jurisdiction__path__startswith=area.path)
        .exclude(state=wf.DRAFT)
    )
    if area.unit is not None:
        rows = rows.filter(lead_unit=area.unit)
    return rows


def _finished_in(span: lit.Period) -> Q:
    return Q(
        state__in=wf.DONE_STATES,
        completed_at__date__gte=span.start,
        completed_at__date__lte=span.end,
    )


def on_time_figure(user: Any, area: Area, span: lit.Period | None = None) -> Figure:
    span = span or area.year_to_date
    counts = matters(user, area).aggregate(
        finished=Count("pk", filter=_finished_in(span)),
        on_time=Count("pk", filter=_finished_in(span) & cards.finished_on_time_q()),
    )
    return Figure(
        "on_time_rate",
        _("On-time completion rate"),
        rate(counts["on_time"], counts["finished"]),
        percent=True,
        part=counts["on_time"],
        whole=counts["finished"],
        url=ledger_url(
            area,
            state=list(wf.DONE_STATES),
            completed_from=span.start.isoformat(),
            completed_to=span.end.isoformat(),
        ),
    )


def matter_counts(user: Any, area: Area) -> dict[str, Any]:
    """Running matters by colour, by state, and the ones due within a week: one query each."""
    today = area.today
    rows = matters(user, area)
    by_colour = {
        row["colour"]: row["n"]
        for row in rows.with_colour(today).values("colour").annotate(n=Count("pk")).order_by()
    }
    by_state = {row["state"]: row["n"] for row in rows.values("state").annotate(n=Count("pk"))}
    near = rows.filter(
        state__in=wf.RUNNING_STATES,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=NEAR_DAYS),
    ).count()
    running = sum(by_state.get(s, 0) for s in wf.RUNNING_STATES)
    return {"by_colour": by_colour, "by_state": by_state, "near": near, "running": running}


def colour_figures(user: Any, area: Area, counts: dict[str, Any] | None = None) -> list[Figure]:
    counts = counts or matter_counts(user, area)
    colours = counts["by_colour"]
    today = area.today
    running = list(wf.RUNNING_STATES)
    return [
        Figure(
            "running",
            _("Matters running"),
            counts["running"],
            url=ledger_url(area, state=running),
        ),
        Figure(
            "red",
            _("Red: overdue"),
            colours.get(Colour.RED, 0),
            url=ledger_url(area, colour=Colour.RED),
            tone="danger",
        ),
        Figure(
            "yellow",
            _("Yellow: behind schedule"),
            colours.get(Colour.YELLOW, 0),
            url=ledger_url(area, colour=Colour.YELLOW),
            tone="warning",
        ),
        Figure(
            "near",
            _("Due within %(days)s days") % {"days": NEAR_DAYS},
            counts["near"],
            url=ledger_url(
                area,
                state=running,
                deadline_from=today.isoformat(),
                deadline_to=(today + datetime.timedelta(days=NEAR_DAYS)).isoformat(),
            ),
            tone="info",
        ),
    ]


@dataclass
class ListedMatter:
    matter: Matter
    days_overdue: int
    colour: str

    @property
    def url(self) -> str:
        return reverse("matters:matter_detail", args=[self.matter.pk])


def red_list(user: Any, area: Area, limit: int = RED_LIST_LENGTH) -> tuple[list[ListedMatter], int]:
    """Running matters past their deadline, the longest overdue first (and how many in all)."""
    rows = matters(user, area).filter(state__in=wf.RUNNING_STATES, deadline__lt=area.today)
    total = rows.count()
    picked = rows.select_related("lead_unit").order_by("deadline", "pk")[:limit]
    return [ListedMatter(m, (area.today - m.deadline).days, Colour.RED) for m in picked], total


def key_issues(user: Any, area: Area, limit: int = RED_LIST_LENGTH) -> list[ListedMatter]:
    """Key issues overdue or within the warning window (blue), overdue first."""
    rows = (
        matters(user, area)
        .with_colour(area.today)
        .filter(is_key_issue=True, colour__in=[Colour.RED, Colour.YELLOW, Colour.BLUE])
        .select_related("lead_unit")
        .order_by("deadline", "pk")[:limit]
    )
    return [ListedMatter(m, max((area.today - m.deadline).days, 0), m.colour) for m in rows]  # type: ignore[attr-defined]


@dataclass
class UnitRank:
    unit: Unit
    matters: int
    finished: int
    on_time: int
    red: int
    rank: int = 0
    url: str = ""

    @property
    def on_time_rate(self) -> Decimal | None:
        return rate(self.on_time, self.finished)

    @property
    def on_time_text(self) -> str:
        return shown(self.on_time_rate, percent=True)


# A page shows the head and the tail of the ranking: a city has some 1,500 units, and a table
# of all of them is neither read nor fast (the annual report keeps the whole ranking).
RANKING_HEAD = 15
RANKING_TAIL = 10


def ranking_ends(ranking: list[UnitRank]) -> list[UnitRank | None]:
    """The first RANKING_HEAD and last RANKING_TAIL rows, None standing for the rows left
    out between them."""
    if len(ranking) <= RANKING_HEAD + RANKING_TAIL:
        return list(ranking)
    return [*ranking[:RANKING_HEAD], None, *ranking[-RANKING_TAIL:]]


def unit_ranking(user: Any, area: Area) -> list[UnitRank]:
    """Lead units of the area's matters of the year, ranked by on-time completion rate
    (units with nothing finished last), then fewest red cards, then official order; equal
    rate and reds share a rank. One aggregate query and one for the units."""
    span = area.year_to_date
    rows = (
        matters(user, area)
        .filter(year=area.year)
        .values("lead_unit")
        .annotate(
            total=Count("pk"),
            finished=Count("pk", filter=_finished_in(span)),
            on_time=Count("pk", filter=_finished_in(span) & cards.finished_on_time_q()),
            red=Count("pk", filter=cards.red_card_q(area.today)),
        )
        .order_by()
    )
    counts = {row["lead_unit"]: row for row in rows}
    units = Unit.objects.filter(pk__in=list(counts)).select_related("jurisdiction")
    ranked = [
        UnitRank(
            unit=u,
            matters=counts[u.pk]["total"],
            finished=counts[u.pk]["finished"],
            on_time=counts[u.pk]["on_time"],
            red=counts[u.pk]["red"],
        )
        for u in units
    ]

    def key(r: UnitRank) -> tuple[Any, ...]:
        value = r.on_time_rate
        return (value is None, -(value or 0), r.red)

    ranked.sort(key=lambda r: (*key(r), r.unit.order_no, r.unit.pk))
    previous: tuple[Any, ...] | None = None
    for position, row in enumerate(ranked, start=1):
        row.rank = ranked[position - 2].rank if key(row) == previous else position
        previous = key(row)
        row.url = "?" + area.query(j=row.unit.jurisdiction_id, unit=row.unit.pk)
    return ranked


@dataclass
class JurisdictionRow:
    jurisdiction: Jurisdiction
    running: int
    red: int
    finished: int
    on_time: int
    url: str = ""

    @property
    def on_time_text(self) -> str:
        return shown(rate(self.on_time, self.finished), percent=True)


def jurisdiction_rows(user: Any, area: Area) -> list[JurisdictionRow]:
    """The area's own jurisdiction and each one directly below it (a county and all below
    it), for the drill-down: running, red, finished and on time this year."""
    if area.unit is not None:
        return []
    span = area.year_to_date
    own = area.jurisdiction
    children = list(Jurisdiction.objects.filter(parent=own).order_by("path"))
    parts = [(own, Q(jurisdiction=own))] + [
        (c, Q(jurisdiction__path__startswith=c.path)) for c in children
    ]
    measures = {
        "running": Q(state__in=wf.RUNNING_STATES),
        "red": Q(state__in=wf.RUNNING_STATES, deadline__lt=area.today),
        "finished": _finished_in(span),
        "on_time": _finished_in(span) & cards.finished_on_time_q(),
    }
    # One query: a conditional count per jurisdiction and measure.
    counts = matters(user, area).aggregate(
        **{
            f"{name}_{index}": Count("pk", filter=where & measure)
            for index, (_j, where) in enumerate(parts)
            for name, measure in measures.items()
        }
    )
    rows: list[JurisdictionRow] = []
    for index, (j, _where) in enumerate(parts):
        values = [counts[f"{name}_{index}"] for name in measures]
        if j != own and not any(values):
            continue
        rows.append(JurisdictionRow(j, *values, url="?" + area.query(j=j.pk, unit=None)))
    return rows


def dual_list_figures(user: Any, area: Area) -> list[Figure]:
    """Progress of the year's dual-list items: matters of the dual-list type (approved list
    items become such matters; cities that keep their lists only in the ledger type them so)."""
    rows = matters(user, area).filter(matter_type=MatterType.DUAL_LIST, year=area.year)
    counts = rows.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state__in=wf.DONE_STATES)),
        red=Count("pk", filter=Q(state__in=wf.RUNNING_STATES, deadline__lt=area.today)),
    )
    url = ledger_url(area, matter_type=MatterType.DUAL_LIST, year=area.year)
    return [
        Figure("list_items", _("Dual-list items"), counts["total"], url=url),
        Figure(
            "list_done",
            _("Dual-list items done"),
            rate(counts["done"], counts["total"]),
            percent=True,
            part=counts["done"],
            whole=counts["total"],
            url=ledger_url(
                area, matter_type=MatterType.DUAL_LIST, year=area.year, state=list(wf.DONE_STATES)
            ),
        ),
        Figure(
            "list_red",
            _("Dual-list items overdue"),
            counts["red"],
            tone="danger",
            url=ledger_url(area, matter_type=MatterType.DUAL_LIST, year=area.year, colour="red"),
        ),
    ]


# --- the working methods ----------------------------------------------------------------------
def _in_period(field_name: str, span: lit.Period) -> Q:
    start, end = span.bounds()
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def meeting_figures(user: Any, area: Area) -> list[Figure]:
    span = area.period
    meetings = Meeting.objects.visible_to(user).filter(
        mechanism__jurisdiction__path__startswith=area.path
    )
    held = meetings.filter(_in_period("starts_at", span), state=meetings_wf.HELD).count()
    minutes = (
        Minutes.objects.visible_to(user)
        .filter(mechanism__jurisdiction__path__startswith=area.path, state=meetings_wf.ISSUED)
        .filter(_in_period("issued_at", span))
        .count()
    )
    url = reverse("meetings:meeting_list")
    return [
        Figure("meetings_held", _("Meetings held"), held, url=url),
        Figure("minutes_issued", _("Minutes issued"), minutes, url=url),
    ]


def liaison_figures(user: Any, area: Area) -> list[Figure]:
    span = area.period
    letters = (
        LiaisonLetter.objects.visible_to(user)
        .exclude(state=liaison_wf.DRAFT)
        .filter(mechanism__jurisdiction__path__startswith=area.path)
    )
    if area.unit is not None:
        letters = letters.filter(recipient_unit=area.unit)
    sent = letters.filter(_in_period("sent_at", span))
    counts = sent.aggregate(
        sent=Count("pk"),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        days=Sum("reply_working_days", filter=Q(replied_at__isnull=False)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
    )
    overdue = letters.filter(state=liaison_wf.SENT, reply_by__lt=area.today).count()
    average = (
        (Decimal(counts["days"]) / counts["replied"]).quantize(Decimal("0.1"))
        if counts["replied"] and counts["days"] is not None
        else None
    )
    url = reverse("liaison:statistics")
    return [
        Figure("letters_sent", _("Liaison letters sent"), counts["sent"], url=url),
        Figure("reply_days", _("Average reply time (working days)"), average, url=url),
        Figure("letters_overdue", _("Letters unanswered past the date"), overdue, url=url),
        Figure("escalations", _("Escalations to the office"), counts["escalated"], url=url),
    ]


def collection_figures(user: Any, area: Area) -> list[Figure]:
    """Collections due in the period: how many targets delivered by the deadline."""
    span = area.period
    collections = (
        Collection.objects.visible_to(user)
        .filter(mechanism__jurisdiction__path__startswith=area.path)
        .filter(deadline__gte=span.start, deadline__lte=span.end)
    )
    delivered = Submission.objects.filter(
        collection__in=collections.values("pk"), first_delivered_at__isnull=False
    )
    if area.unit is not None:
        delivered = delivered.filter(target__unit=area.unit)
    counts = delivered.aggregate(
        delivered=Count("pk"),
        on_time=Count(
            "pk",
            filter=Q(first_delivered_at__date__lte=F("collection__deadline")),
        ),
    )
    targets = (
        collections.aggregate(n=Count("targets"))["n"]
        if area.unit is None
        else collections.filter(targets__unit=area.unit).count()
    )
    url = reverse("reporting:collection_list")
    return [
        Figure("collections", _("Collections due"), collections.count(), url=url),
        Figure(
            "collections_on_time",
            _("Material delivered on time"),
            rate(counts["on_time"], targets),
            percent=True,
            part=counts["on_time"],
            whole=targets,
            url=url,
        ),
    ]


# --- court business --------------------------------------------------------------------------
def litigation_row(user: Any, area: Area, span: lit.Period | None = None) -> lit.FigureRow:
    figures = lit.litigation_figures(
        user, span or area.year_to_date, mechanism=area.mechanism, jurisdiction=area.jurisdiction
    )
    if area.unit is None:
        return figures.total
    found = next(
        (r for r in figures.by_body if r.unit is not None and r.unit.pk == area.unit.pk), None
    )
    return found or lit.FigureRow(label=str(area.unit))


def _lit_url(name: str, span: lit.Period, **params: Any) -> str:
    return _url(
        f"litigation:{name}", start=span.start.isoformat(), end=span.end.isoformat(), **params
    )


def appearance_figure(user: Any, area: Area, row: lit.FigureRow | None = None) -> Figure:
    span = area.year_to_date
    row = row or litigation_row(user, area, span)
    return Figure(
        "appearance_rate",
        _("Appearance rate"),
        row.appearance_rate,
        percent=True,
        part=row.appeared,
        whole=row.heard,
        url=_lit_url("figures", span),
        tone="warning" if row.below_target else "",
    )


def litigation_figures(user: Any, area: Area) -> list[Figure]:
    span = area.year_to_date
    row = litigation_row(user, area, span)
    url = _lit_url("figures", span)
    return [
        Figure("new_cases", _("New administrative cases"), row.new_cases, url=url),
        Figure("concluded", _("Cases concluded"), row.concluded, url=url),
        Figure(
            "loss_rate",
            _("Loss rate"),
            row.loss_rate,
            percent=True,
            part=row.losses,
            whole=row.loss_denominator,
            url=url,
        ),
        appearance_figure(user, area, row),
    ]


def recommendations(user: Any, area: Area) -> QuerySet[Any]:
    rows = lit.scoped_recommendations(user, area.jurisdiction)
    if area.unit is not None:
        rows = rows.filter(recipient=area.unit)
    return rows


def recommendation_figures(user: Any, area: Area) -> list[Figure]:
    span = area.year_to_date
    summary = lit.recommendation_summary(recommendations(user, area), span)
    url = _url("litigation:recommendation_list", year=span.end.year)
    return [
        Figure("recommendations", _("Recommendations delivered"), summary["delivered"], url=url),
        Figure(
            "reply_rate",
            _("Recommendation reply rate"),
            summary["reply_rate"],
            percent=True,
            part=summary["replied"],
            whole=summary["delivered"],
            url=url,
        ),
        Figure(
            "reply_overdue",
            _("Replies overdue"),
            summary["overdue"],
            tone="danger" if summary["overdue"] else "",
            url=_url("litigation:recommendation_list", year=span.end.year, overdue="true"),
        ),
    ]


def check_figures(user: Any, area: Area) -> list[Figure]:
    """Checks run against the dishonest-debtor list in the period: hits and feedback."""
    checks = Check.objects.visible_to(user).filter(unit__jurisdiction__path__startswith=area.path)
    if area.unit is not None:
        checks = checks.filter(unit=area.unit)
    checks = checks.filter(_in_period("created_at", area.year_to_date))
    hits = CheckHit.objects.filter(
        check_run__in=checks.values("pk"), state__in=[HitState.HIT, HitState.CONFIRMED_HIT]
    ).aggregate(hits=Count("pk"), answered=Count("pk", filter=~Q(feedback="")))
    url = reverse("enforcement:check_list")
    return [
        Figure("checks", _("Checks run"), checks.count(), url=url),
        Figure("hits", _("Hits"), hits["hits"], url=url),
        Figure(
            "feedback_rate",
            _("Hit feedback rate"),
            rate(hits["answered"], hits["hits"]),
            percent=True,
            part=hits["answered"],
            whole=hits["hits"],
            url=_url("enforcement:check_list", unanswered="true"),
        ),
    ]


def enforcement_cases(user: Any, area: Area) -> QuerySet[EnforcementCase]:
    rows = EnforcementCase.objects.visible_to(user).filter(jurisdiction__path__startswith=area.path)
    if area.unit is not None:
        rows = rows.filter(debtor_unit=area.unit)
    return rows


def government_debtor_figures(user: Any, area: Area) -> list[Figure]:
    rows = enforcement_cases(user, area)
    gov = EnforcementCaseKind.GOVERNMENT_DEBTOR
    counts = rows.filter(kind=gov).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(state=EnforcementCaseState.CLOSED)),
        owed=Sum("amount_owed"),
        paid=Sum("amount_paid"),
    )
    livelihood = rows.exclude(kind=gov).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(state=EnforcementCaseState.CLOSED))
    )
    owed, paid = counts["owed"] or Decimal(0), counts["paid"] or Decimal(0)
    paid_rate = (
        (Decimal(100) * paid / owed).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if owed
        else None
    )
    url = _url("enforcement:case_list", kind=gov)
    return [
        Figure(
            "gov_cleared",
            _("Government-debtor cases cleared"),
            rate(counts["closed"], counts["total"]),
            percent=True,
            part=counts["closed"],
            whole=counts["total"],
            url=url,
        ),
        Figure(
            "gov_paid_rate", _("Money recovered (执行到位率)"), paid_rate, percent=True, url=url
        ),
        Figure(
            "livelihood_cleared",
            _("Livelihood cases cleared"),
            rate(livelihood["closed"], livelihood["total"]),
            percent=True,
            part=livelihood["closed"],
            whole=livelihood["total"],
            url=reverse("enforcement:case_list"),
        ),
    ]


def bankruptcy_figures(user: Any, area: Area) -> list[Figure]:
    cases = BankruptcyCase.objects.visible_to(user).filter(
        mechanism__jurisdiction__path__startswith=area.path
    )
    counts = cases.aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(stage=CaseStage.CONCLUDED))
    )
    funds = Fund.objects.visible_to(user).filter(
        mechanism__jurisdiction__path__startswith=area.path, year=area.year
    )
    money = funds.aggregate(budget=Sum("budget"), committed=Sum("committed"))
    balance = (money["budget"] or Decimal(0)) - (money["committed"] or Decimal(0))
    return [
        Figure(
            "bankruptcy_open",
            _("Bankruptcy cases open"),
            counts["open"],
            url=reverse("bankruptcy:case_list"),
        ),
        Figure(
            "fund_balance",
            _("Bankruptcy fund balance (yuan)"),
            balance.quantize(Decimal("1")) if funds.exists() else None,
            url=reverse("bankruptcy:fund_list"),
        ),
    ]


def risk_figures(user: Any, area: Area) -> list[Figure]:
    events = RiskEvent.objects.visible_to(user).filter(
        mechanism__jurisdiction__path__startswith=area.path
    )
    open_q = ~Q(state__in=[risks_wf.RESOLVED, risks_wf.CLOSED])
    counts = events.aggregate(
        open=Count("pk", filter=open_q),
        new=Count(
            "pk", filter=Q(reported_on__gte=area.period.start, reported_on__lte=area.period.end)
        ),
    )
    url = reverse("risks:event_list")
    return [
        Figure("risks_open", _("Risk events being handled"), counts["open"], url=url),
        Figure("risks_new", _("Risk events reported"), counts["new"], url=url),
    ]


def monthly_trend(user: Any, area: Area) -> dict[str, list[int]]:
    """New administrative cases and matters finished, month by month of the year."""
    cases = lit.scoped_cases(user, area.jurisdiction)
    finished = [0] * 12
    rows = (
        matters(user, area)
        .filter(state__in=wf.DONE_STATES, completed_at__year=area.year)
        .values_list("completed_at", flat=True)
    )
    for at in rows:
        finished[timezone.localtime(at).month - 1] += 1
    return {"cases": lit.monthly_new_cases(cases, area.year), "finished": finished}


# --- pages -----------------------------------------------------------------------------------
@dataclass
class Brief:
    """The leaders' brief (督办专报): one page."""

    area: Area
    headline: list[Figure]
    colours: list[Figure]
    red: list[ListedMatter]
    red_total: int
    key_issues: list[ListedMatter]
    ranking: list[UnitRank | None]  # head and tail (ranking_ends)
    finished_in_period: int
    new_red_in_period: int
    ranking_total: int = 0


def brief(user: Any, area: Area) -> Brief:
    counts = matter_counts(user, area)
    red, red_total = red_list(user, area)
    in_period = matters(user, area).aggregate(
        finished=Count("pk", filter=_finished_in(area.period)),
        new_red=Count(
            "pk",
            filter=Q(state__in=wf.RUNNING_STATES)
            & Q(deadline__gte=area.period.start, deadline__lte=min(area.period.end, area.today)),
        ),
    )
    gov = government_debtor_figures(user, area)
    ranking = unit_ranking(user, area)
    return Brief(
        area=area,
        headline=[
            on_time_figure(user, area),
            appearance_figure(user, area),
            recommendation_figures(user, area)[1],
            gov[0],
        ],
        colours=colour_figures(user, area, counts),
        red=red,
        red_total=red_total,
        key_issues=key_issues(user, area),
        ranking=ranking_ends(ranking),
        finished_in_period=in_period["finished"],
        new_red_in_period=in_period["new_red"],
        ranking_total=len(ranking),
    )


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)


def cockpit(user: Any, area: Area) -> dict[str, Any]:
    counts = matter_counts(user, area)
    red, red_total = red_list(user, area)
    ranking = unit_ranking(user, area)
    sections = [
        Section(
            "matters",
            _("Supervised matters"),
            [on_time_figure(user, area), *colour_figures(user, area, counts)],
        ),
        Section("lists", _("Dual lists"), dual_list_figures(user, area)),
        Section(
            "methods",
            _("Meetings, liaison and collections"),
            [
                *meeting_figures(user, area),
                *liaison_figures(user, area),
                *collection_figures(user, area),
            ],
        ),
        Section(
            "litigation",
            _("Administrative litigation"),
            [*litigation_figures(user, area), *recommendation_figures(user, area)],
        ),
        Section(
            "enforcement",
            _("Enforcement linkage"),
            [*check_figures(user, area), *government_debtor_figures(user, area)],
        ),
        Section(
            "bankruptcy",
            _("Bankruptcy and risks"),
            [*bankruptcy_figures(user, area), *risk_figures(user, area)],
        ),
    ]
    return {
        "sections": sections,
        "by_state": counts["by_state"],
        "by_colour": counts["by_colour"],
        "red": red,
        "red_total": red_total,
        "key_issues": key_issues(user, area),
        "ranking": ranking_ends(ranking),
        "ranking_total": len(ranking),
        "jurisdictions": jurisdiction_rows(user, area),
        "trend": monthly_trend(user, area),
    }


# --- bulletins and the annual report ----------------------------------------------------------
def card_list(user: Any, area: Area) -> list[cards.UnitCards]:
    """Units with a red or yellow card (红黄牌) on the area's mechanism's matters of the year,
    the most red cards first, then the most yellow, then official order (matters.cards)."""
    if area.mechanism is None:
        return []
    rows = cards.cards_by_unit(user, area.mechanism, area.year, area.today)
    if area.unit is not None:
        rows = [r for r in rows if r.unit.pk == area.unit.pk]
    carded = [r for r in rows if r.red or r.yellow]
    carded.sort(key=lambda r: (-r.red, -r.yellow, r.unit.order_no, r.unit.pk))
    return carded


# A finished matter whose evaluation averages at least 4.5 of 5 (timeliness + quality + effect
# of at least 14) counts as good practice.
GOOD_EVALUATION_TOTAL = 14


@dataclass
class GoodPractice:
    """An item of good practice (好的做法) of the period: a good-practice submission the office
    accepted, or a matter finished on time and rated at least 4.5 of 5."""

    unit: str
    title: str
    text: str
    url: str = ""


def good_practices(user: Any, area: Area, limit: int = 10) -> list[GoodPractice]:
    """Good practice of the area's period, accepted submissions first (two queries)."""
    from fuyuan.reporting import workflow as reporting_wf
    from fuyuan.reporting.models import CollectionKind

    span = area.period
    submissions = (
        Submission.objects.visible_to(user)
        .filter(
            collection__mechanism__jurisdiction__path__startswith=area.path,
            collection__kind=CollectionKind.GOOD_PRACTICE,
            state=reporting_wf.ACCEPTED,
        )
        .filter(_in_period("accepted_at", span))
        .select_related("collection", "target__unit", "target__jurisdiction")
        .order_by("accepted_at", "pk")
    )
    if area.unit is not None:
        submissions = submissions.filter(target__unit=area.unit)
    found = [
        GoodPractice(
            unit=s.target.name,
            title=s.collection.title,
            text=s.text.strip(),
            url=reverse("reporting:collection_detail", args=[s.collection_id]),
        )
        for s in submissions[:limit]
    ]
    rated = (
        matters(user, area)
        .filter(_finished_in(span) & cards.finished_on_time_q())
        .annotate(
            rating=F("evaluation__timeliness") + F("evaluation__quality") + F("evaluation__effect")
        )
        .filter(rating__gte=GOOD_EVALUATION_TOTAL)
        .select_related("lead_unit", "evaluation")
        .order_by("-rating", "completed_at", "pk")
    )
    for m in rated[: max(limit - len(found), 0)]:
        found.append(
            GoodPractice(
                unit=str(m.lead_unit),
                title=m.title,
                text=m.evaluation.comment.strip(),  # type: ignore[attr-defined]
                url=reverse("matters:matter_detail", args=[m.pk]),
            )
        )
    return found
