"""`fuyuan load_demo_matters [--if-empty]`: a realistic year of matters (fuyuan.matters.demo)
on top of the org demo (`fuyuan load_demo`): the city's joint meeting and two counties, in
every state and warning colour, with milestones, progress reports, co-units, extensions,
evaluations, a timeline per matter and city matters decomposed to the counties.

Dates are relative to today (timezone.localdate()), so the data looks like a live office's
whatever day it is loaded. Written in one transaction with bulk_create and one audit entry for
the batch (the architecture allows this for seed data); the search index is written for every
matter, with the same text matters.actions.reindex builds.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from fuyuan.accounts.models import User
from fuyuan.audit.record import record
from fuyuan.core import calendar, search
from fuyuan.matters import demo
from fuyuan.matters import workflow as wf
from fuyuan.matters.deadlines import next_report_due
from fuyuan.matters.models import (
    Colour,
    DeadlineKind,
    Evaluation,
    ExtensionRequest,
    Feedback,
    FeedbackCadence,
    FeedbackStatus,
    Matter,
    MatterCoUnit,
    Milestone,
    TimelineEntry,
)
from fuyuan.org.models import Mechanism, TaskArea, Unit

SEARCH_KIND = "matters.matter"
CITY_CODE = "411700"
COUNTIES = (("西平县", "411721"), ("上蔡县", "411722"))
# Demo accounts acting for a unit: (jurisdiction code, unit short name) → username.
UNIT_ACCOUNTS = {
    (CITY_CODE, "市人社局"): "liaison",
    (CITY_CODE, "市住建局"): "liaison2",
    (CITY_CODE, "市中级人民法院"): "court",
}
# The office account of each mechanism (上蔡县 has none: the city office's account stands in).
OFFICE_ACCOUNTS = {CITY_CODE: "office", "411721": "county", "411722": "office"}
LEADER_ACCOUNTS = {CITY_CODE: "leader", "411721": "county_leader", "411722": "leader"}
REQUIRED_ACCOUNTS = ("office", "leader", "liaison", "liaison2", "court", "county", "county_leader")
DAY = datetime.timedelta(days=1)


class Command(BaseCommand):
    help = "Load a year of demo matters (needs the org demo of `fuyuan load_demo`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any matter exists already."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Matter.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Matters exist already; demo matters not loaded.")
                return
            raise CommandError(
                "The database holds matters already: the demo matters load only into a database "
                "without matters (use --if-empty to skip quietly)."
            )
        if not Mechanism.objects.filter(jurisdiction__code=CITY_CODE).exists():
            raise CommandError(
                "The city's joint meeting of the org demo is missing: run `fuyuan load_demo` first."
            )
        found = set(
            User.objects.filter(username__in=REQUIRED_ACCOUNTS, is_active=True).values_list(
                "username", flat=True
            )
        )
        missing = [name for name in REQUIRED_ACCOUNTS if name not in found]
        if missing:
            raise CommandError(
                f"Demo accounts missing: {', '.join(missing)}. Run `fuyuan load_demo` first."
            )
        today = timezone.localdate()
        calendar.seed_from_package(
            sorted({2025, 2026, today.year, today.year + 1}), provisional=True
        )
        with transaction.atomic():
            loader = DemoMatterLoader(today)
            counts = loader.load()
            record(None, "matters.demo.load", object_kind="matters.demo", detail=counts)
            loader.index()
        self.stdout.write(
            "Demo matters loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )


# --- dates --------------------------------------------------------------------------------------
def month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - DAY


def quarter_end(day: datetime.date) -> datetime.date:
    return month_end(datetime.date(day.year, ((day.month - 1) // 3 + 1) * 3, 1))


def month_end_before(day: datetime.date) -> datetime.date:
    """The last month end on or before `day`."""
    return day if day == month_end(day) else day.replace(day=1) - DAY


@dataclass
class Slot:
    state: str
    colour: str = Colour.NONE  # the colour aimed at (running matters only)


@dataclass
class Plan:
    """One matter to build: what it is (from demo.py) and the state it ends up in."""

    mechanism: Mechanism
    spec: demo.DemoMatter
    title: str
    description: str
    lead: Unit
    co_units: list[Unit]
    slot: Slot
    parent: Plan | None = None
    weight: int = 1
    shared_upward: bool = True
    shared_later: bool = False  # a same-level sub-matter the county office shared upward
    children: list[Plan] = field(default_factory=list)
    matter: Matter | None = None
    # Filled while building: event days and the milestone rows (due, weight, reached_on).
    days: dict[str, datetime.date] = field(default_factory=dict)
    milestones: list[tuple[str, datetime.date, int, datetime.date | None]] = field(
        default_factory=list
    )
    missed_due: datetime.date | None = None
    report_dues: list[datetime.date] = field(default_factory=list)
    send_back: bool = False


class DemoMatterLoader:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.rng = random.Random(demo.SEED)
        self.users = {u.username: u for u in User.objects.filter(username__in=REQUIRED_ACCOUNTS)}
        self.plans: list[Plan] = []
        self.serial: dict[str, int] = {}
        self.timeline: list[TimelineEntry] = []
        self.counts: dict[str, int] = {}

    # --- helpers ------------------------------------------------------------------------------
    def r(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def at(self, day: datetime.date, hour_from: int = 9, hour_to: int = 17) -> datetime.datetime:
        """A plausible working-hours time on `day`, never after now."""
        moment = datetime.datetime.combine(
            day,
            datetime.time(self.r(hour_from, hour_to - 1), self.r(0, 59), self.r(0, 59)),
            tzinfo=self.tz,
        )
        return min(moment, self.now - datetime.timedelta(minutes=self.r(5, 50)))

    def snap_up(self, day: datetime.date) -> datetime.date:
        """Deadlines bunch at month ends and quarter ends."""
        q = quarter_end(day)
        if (q - day).days <= 60 and self.rng.random() < 0.4:
            return q
        return month_end(day)

    def office_user(self, mechanism: Mechanism) -> User:
        return self.users[OFFICE_ACCOUNTS[mechanism.jurisdiction.code]]

    def unit_user(self, unit: Unit) -> User | None:
        name = UNIT_ACCOUNTS.get((unit.jurisdiction.code, unit.short_name))
        return self.users[name] if name else None

    def pick(self, items: list[str], **values: Any) -> str:
        return self.rng.choice(items).format(**values)

    # --- planning -----------------------------------------------------------------------------
    def load(self) -> dict[str, int]:
        mechanisms = {
            m.jurisdiction.code: m
            for m in Mechanism.objects.select_related("jurisdiction").filter(
                jurisdiction__code__in=[CITY_CODE, *(code for _, code in COUNTIES)]
            )
        }
        missing = [
            code for code in [CITY_CODE, *(c for _, c in COUNTIES)] if code not in mechanisms
        ]
        if missing:
            raise CommandError(f"Mechanisms of the org demo missing: {', '.join(missing)}.")
        self.mechanisms = mechanisms
        self.units = {
            code: {
                u.short_name: u
                for u in Unit.objects.current(self.today)
                .select_related("jurisdiction")
                .filter(jurisdiction=m.jurisdiction)
            }
            for code, m in mechanisms.items()
        }
        self.task_areas = {
            (ta.mechanism_id, ta.code): ta for ta in TaskArea.objects.filter(active=True)
        }
        city = mechanisms[CITY_CODE]
        city_plans = self.expand(city, demo.CITY_MATTERS, "")
        by_title = {p.title: p for p in city_plans}
        parents = [by_title[title] for title in demo.DECOMPOSED]
        for plan in parents:
            plan.slot = Slot(wf.IN_PROGRESS, Colour.GREEN)
        self.assign_slots([p for p in city_plans if p not in parents], county=False)
        self.plans.extend(city_plans)

        child_slots = {
            ("西平县", 0): Slot(wf.IN_PROGRESS, Colour.GREEN),
            ("上蔡县", 0): Slot(wf.REPORTED),
            ("西平县", 1): Slot(wf.IN_PROGRESS, Colour.YELLOW),
            ("上蔡县", 1): Slot(wf.IN_PROGRESS, Colour.RED),
            ("西平县", 2): Slot(wf.IN_PROGRESS, Colour.BLUE),
            ("上蔡县", 2): Slot(wf.SIGNED, Colour.GREEN),
        }
        for county, code in COUNTIES:
            mechanism = mechanisms[code]
            plans = self.expand(mechanism, demo.COUNTY_MATTERS, county)
            self.assign_slots(plans, county=True)
            for i, parent in enumerate(parents):
                for template, lead, weight in demo.DECOMPOSED[parent.title]:
                    child = self.child(
                        parent, mechanism, template.format(j=county), lead.format(j=county)
                    )
                    child.slot = child_slots[(county, i)]
                    child.weight = weight
                    plans.append(child)
            if county == "西平县":
                title, parts = demo.SUB_DECOMPOSED
                sub_parent = next(p for p in plans if p.title == title.format(j=county))
                sub_slots = [
                    Slot(wf.IN_PROGRESS, Colour.GREEN),
                    Slot(wf.COMPLETED),
                    Slot(wf.DRAFT),
                ]
                for (template, lead, weight), slot in zip(parts, sub_slots, strict=True):
                    child = self.child(
                        sub_parent, mechanism, template.format(j=county), lead.format(j=county)
                    )
                    child.slot, child.weight = slot, weight
                    child.shared_upward = slot.state != wf.DRAFT
                    child.shared_later = child.shared_upward
                    plans.append(child)
            self.plans.extend(plans)

        for plan in self.ordered():
            self.build(plan)
        self.roll_up()
        self.save()
        return self.counts

    def expand(self, mechanism: Mechanism, specs: list[demo.DemoMatter], county: str) -> list[Plan]:
        units = self.units[mechanism.jurisdiction.code]
        office = mechanism.office_unit
        plans = []
        for spec in specs:
            leads = [u.format(j=county) for u in spec.per_unit] or [spec.lead.format(j=county)]
            for lead_name in leads:
                lead = units.get(lead_name) or office
                fill = {"j": county, "unit": lead.short_name}
                co = [units.get(n.format(j=county)) for n in spec.co_units]
                co_units = [u for u in dict.fromkeys(co) if u is not None and u != lead]
                plans.append(
                    Plan(
                        mechanism=mechanism,
                        spec=spec,
                        title=spec.title.format(**fill),
                        description=spec.description.format(**fill),
                        lead=lead,
                        co_units=co_units,
                        slot=Slot(wf.DRAFT),
                    )
                )
        return plans

    def child(self, parent: Plan, mechanism: Mechanism, title: str, lead_name: str) -> Plan:
        units = self.units[mechanism.jurisdiction.code]
        plan = Plan(
            mechanism=mechanism,
            spec=parent.spec,
            title=title,
            description=parent.description,
            lead=units.get(lead_name) or mechanism.office_unit,
            co_units=[],
            slot=Slot(wf.DRAFT),
            parent=parent,
        )
        parent.children.append(plan)
        return plan

    def assign_slots(self, plans: list[Plan], *, county: bool) -> None:
        """Spread states and colours: every state and, among running matters, every colour."""
        n = len(plans)
        shares = {
            wf.DRAFT: 0.06,
            wf.ASSIGNED: 0.06,
            wf.SIGNED: 0.05,
            wf.SUSPENSION_REQUESTED: 0.02,
            wf.SUSPENDED: 0.02,
            wf.REPORTED: 0.08,
            wf.COMPLETED: 0.12,
            wf.CLOSED: 0.20,
        }
        counts = {state: max(1, round(n * share)) for state, share in shares.items()}
        running = n - sum(counts.values())
        slots: list[Slot] = []
        colours = {Colour.RED: 0.14, Colour.YELLOW: 0.2, Colour.BLUE: 0.1}
        colour_counts = {c: max(1, round(running * s)) for c, s in colours.items()}
        for colour, count in colour_counts.items():
            slots += [Slot(wf.IN_PROGRESS, colour)] * count
        slots += [Slot(wf.IN_PROGRESS, Colour.GREEN)] * (running - sum(colour_counts.values()))
        for state, count in counts.items():
            if state == wf.ASSIGNED:
                slots += [Slot(state, Colour.RED)] + [Slot(state, Colour.GREEN)] * (count - 1)
            elif state == wf.SIGNED:
                slots += [Slot(state, Colour.YELLOW)] + [Slot(state, Colour.GREEN)] * (count - 1)
            elif state == wf.SUSPENSION_REQUESTED:
                slots += [Slot(state, Colour.GREEN)] * count
            else:
                slots += [Slot(state)] * count
        self.rng.shuffle(slots)
        for plan, slot in zip(plans, slots, strict=True):
            plan.slot = Slot(slot.state, slot.colour)

    def ordered(self) -> list[Plan]:
        """Parents before children (a child's dates depend on its parent's)."""
        return sorted(self.plans, key=lambda p: self.level(p))

    @staticmethod
    def level(plan: Plan) -> int:
        depth, current = 0, plan.parent
        while current is not None:
            depth, current = depth + 1, current.parent
        return depth

    # --- building one matter ------------------------------------------------------------------
    def plan_days(self, plan: Plan) -> None:
        """Start, deadline and the days of every step, so the state and colour come out as
        planned relative to today."""
        t, r = self.today, self.r
        warn = plan.mechanism.config.warn_days_before_deadline
        state, colour = plan.slot.state, plan.slot.colour
        d: dict[str, datetime.date] = {}
        if plan.children:  # decomposed: a long matter, running
            d["start"] = t - r(200, 240) * DAY
            d["deadline"] = self.snap_up(t + r(60, 120) * DAY)
        elif state == wf.DRAFT:
            d["start"] = t - r(1, 10) * DAY
            d["deadline"] = self.snap_up(t + r(30, 150) * DAY)
        elif state in (wf.REPORTED, wf.COMPLETED, wf.CLOSED):
            if state == wf.REPORTED:
                d["report"] = t - r(1, 12) * DAY
                if self.rng.random() < 0.7:
                    d["deadline"] = self.snap_up(t + r(5, 60) * DAY)
                else:
                    d["deadline"] = month_end_before(d["report"] - DAY)
            else:
                back = r(10, 150) if state == wf.COMPLETED else r(40, 320)
                d["deadline"] = month_end_before(t - back * DAY)
                late = self.rng.random() < 0.12
                d["report"] = d["deadline"] + (r(1, 8) if late else -r(0, 20)) * DAY
                d["report"] = min(d["report"], t - 4 * DAY)
                d["complete"] = d["report"] + r(1, 3) * DAY
                if state == wf.CLOSED:
                    d["close"] = min(d["complete"] + r(2, 20) * DAY, t - DAY)
            d["start"] = min(d["deadline"], d["report"]) - r(30, 150) * DAY
            plan.send_back = self.rng.random() < 0.12
        else:  # running, or suspended
            if colour == Colour.RED:
                d["deadline"] = month_end_before(t - r(1, 100) * DAY)
                d["start"] = min(d["deadline"] - r(30, 150) * DAY, t - 30 * DAY)
            elif colour == Colour.BLUE:
                end = month_end(t)
                d["deadline"] = end if (end - t).days <= warn else t + r(0, warn) * DAY
                d["start"] = min(d["deadline"] - r(40, 150) * DAY, t - 30 * DAY)
            elif colour == Colour.YELLOW:
                d["deadline"] = self.snap_up(t + r(warn + 10, 150) * DAY)
                d["start"] = t - r(45, 200) * DAY
            elif state == wf.SUSPENDED:
                d["deadline"] = self.snap_up(t + r(10, 120) * DAY)
                d["start"] = t - r(60, 220) * DAY
            elif state == wf.ASSIGNED:
                d["deadline"] = self.snap_up(t + r(warn + 20, 150) * DAY)
                d["start"] = t - r(1, 8) * DAY
            else:
                d["deadline"] = self.snap_up(t + r(warn + 10, 200) * DAY)
                low = 25 if state == wf.SUSPENSION_REQUESTED else 6
                d["start"] = t - r(low, 200) * DAY
        if plan.parent is not None:  # decomposed after the parent was assigned
            parent = plan.parent.days
            d["start"] = max(d["start"], parent["start"] + r(4, 12) * DAY)
            d["deadline"] = min(d["deadline"], parent["deadline"])
            if state in (wf.COMPLETED, wf.CLOSED) and d["deadline"] < d["start"] + 20 * DAY:
                d["deadline"] = d["start"] + r(20, 40) * DAY
                d["report"] = d["deadline"] - r(0, 5) * DAY
                d["complete"] = d["report"] + DAY
            if state == wf.REPORTED:
                d["report"] = max(d["report"], d["start"] + 20 * DAY)
        d["deadline"] = max(d["deadline"], d["start"])
        if state != wf.DRAFT:
            d["assign"] = d["start"]
        if state not in (wf.DRAFT, wf.ASSIGNED):
            d["sign"] = min(d["assign"] + r(1, 3) * DAY, t - DAY)
        if state not in (wf.DRAFT, wf.ASSIGNED, wf.SIGNED):
            d["begin"] = min(d["sign"] + r(0, 2) * DAY, t - DAY)
        if state == wf.SUSPENSION_REQUESTED:
            d["suspend_request"] = max(t - r(1, 5) * DAY, d["begin"])
        if state == wf.SUSPENDED:
            d["suspend_request"] = max(t - r(20, 60) * DAY, d["begin"] + 10 * DAY)
            d["suspend"] = min(d["suspend_request"] + r(1, 3) * DAY, t - DAY)
        plan.days = d

    def cadence(self, plan: Plan) -> tuple[str, int | None]:
        if plan.slot.colour == Colour.YELLOW and self.rng.random() < 0.7:
            return FeedbackCadence.MONTHLY, 25
        if plan.slot.colour == Colour.YELLOW or (
            plan.slot.state in (wf.IN_PROGRESS, wf.REPORTED, wf.COMPLETED, wf.CLOSED)
            and not plan.children
            and self.rng.random() < 0.15
        ):
            return FeedbackCadence.MILESTONE, None
        roll = self.rng.random()
        if roll < 0.55:
            return FeedbackCadence.MONTHLY, 25 if self.rng.random() < 0.75 else 10
        if roll < 0.85:
            return FeedbackCadence.QUARTERLY, None
        return FeedbackCadence.NONE, None

    def plan_milestones(self, plan: Plan, cadence: str) -> None:
        state, colour = plan.slot.state, plan.slot.colour
        d = plan.days
        if plan.children or state in (wf.DRAFT, wf.ASSIGNED, wf.SIGNED):
            return
        if cadence != FeedbackCadence.MILESTONE and self.rng.random() > 0.2:
            return
        count = self.r(3, 4)
        start, deadline = d["begin"], d["deadline"]
        if colour == Colour.YELLOW:  # one milestone missed a few days ago
            first = self.today - self.r(3, 20) * DAY
            first = max(first, start + DAY)
            span = (deadline - first).days
            dues = [first + datetime.timedelta(days=span * i // (count - 1)) for i in range(count)]
        else:
            span = max((deadline - start).days, count)
            dues = [start + datetime.timedelta(days=span * (i + 1) // count) for i in range(count)]
        titles = [*self.rng.sample(demo.MILESTONE_TITLES[:-1], count - 1), "总结验收"]
        titles = [*sorted(titles[:-1], key=demo.MILESTONE_TITLES.index), titles[-1]]
        end = d.get("report") or d.get("suspend_request") or self.today
        rows = []
        missed = colour == Colour.YELLOW
        for i, (title, due) in enumerate(zip(titles, dues, strict=True)):
            reached = None
            done = state in (wf.REPORTED, wf.COMPLETED, wf.CLOSED)
            if done or (due < self.today and not (missed and i == 0)):
                reached = min(max(due - self.r(0, 5) * DAY, start), end, self.today - DAY)
            if state == wf.SUSPENDED and due >= d["suspend_request"]:
                reached = None
            if colour == Colour.RED and i == count - 1:  # overdue: the last one still open
                reached = None
            rows.append((title, due, self.r(1, 3), reached))
        plan.milestones = rows

    def report_dues(self, plan: Plan, cadence: str, day: int | None) -> list[datetime.date]:
        """The periodic report dates from the start of handling to the end of it."""
        d = plan.days
        if "begin" not in d or cadence in (FeedbackCadence.NONE, FeedbackCadence.MILESTONE):
            return []
        end = d.get("report") or d.get("suspend_request") or self.today - DAY
        dues: list[datetime.date] = []
        due = next_report_due(cadence, d["begin"], day_of_month=day, deadline=d["deadline"])
        while due is not None and due <= end and (not dues or due > dues[-1]):
            dues.append(due)
            if due >= d["deadline"]:
                break
            due = next_report_due(cadence, due, day_of_month=day, deadline=d["deadline"])
        return dues

    def build(self, plan: Plan) -> None:
        self.plan_days(plan)
        d, state, colour = plan.days, plan.slot.state, plan.slot.colour
        spec, mechanism = plan.spec, plan.mechanism
        cadence, feedback_day = self.cadence(plan)
        self.plan_milestones(plan, cadence)
        if cadence == FeedbackCadence.MILESTONE and not plan.milestones:
            cadence, feedback_day = FeedbackCadence.MONTHLY, 25
        dues = self.report_dues(plan, cadence, feedback_day)
        if colour == Colour.YELLOW and not plan.milestones:
            if dues:
                plan.missed_due = dues[-1]
            else:  # not started yet: the first report is already late
                plan.missed_due = self.today - self.r(1, 10) * DAY
        plan.report_dues = dues
        start, deadline = d["start"], d["deadline"]
        code = mechanism.jurisdiction.code
        is_key = spec.key or self.rng.random() < 0.05
        kind = DeadlineKind.CALENDAR_DAYS if spec.matter_type == "liaison" else DeadlineKind.DATE
        source_ref = ""
        if spec.matter_type in demo.SOURCE_REFS:
            self.serial[spec.matter_type] = self.serial.get(spec.matter_type, 0) + 1
            source_ref = demo.SOURCE_REFS[spec.matter_type].format(
                year=start.year, n=self.serial[spec.matter_type]
            )
        created = self.at(start - (0 if plan.parent else self.r(0, 2)) * DAY, 9, 11)
        unit_user = self.unit_user(plan.lead)
        leader = self.users[LEADER_ACCOUNTS[code]]
        matter = Matter(
            mechanism=mechanism,
            jurisdiction=mechanism.jurisdiction,
            year=start.year,
            title=plan.title,
            description=plan.description,
            matter_type=spec.matter_type,
            source_ref=source_ref,
            task_area=self.task_areas.get((mechanism.pk, spec.area)),
            lead_unit=plan.lead,
            handler=unit_user if state != wf.DRAFT else None,
            supervising_leader=leader.person if is_key and code != "411722" else None,
            is_key_issue=is_key,
            enterprise_related=spec.enterprise,
            tags=list(spec.tags),
            state=state,
            start_date=start,
            deadline_kind=kind,
            deadline_days=(deadline - start).days if kind == DeadlineKind.CALENDAR_DAYS else None,
            deadline=deadline,
            warn_from=deadline - mechanism.config.warn_days_before_deadline * DAY,
            sign_deadline=d["assign"] + 3 * DAY if "assign" in d else None,
            feedback_cadence=cadence,
            feedback_day=feedback_day if cadence == FeedbackCadence.MONTHLY else None,
            parent=plan.parent.matter if plan.parent else None,
            weight=plan.weight,
            shared_upward=plan.shared_upward,
            created_by=self.users["office"]
            if plan.parent is not None and plan.parent.mechanism != mechanism
            else self.office_user(mechanism),
            created_at=created,
            updated_at=created,
            version=1,
        )
        # Progress: milestones, else the typed fallback (children roll up later).
        if plan.milestones:
            total = sum(w for _, _, w, _ in plan.milestones)
            reached = sum(w for _, _, w, on in plan.milestones if on is not None)
            matter.progress = round(100 * reached / total)
            pending = [due for _, due, _, on in plan.milestones if on is None]
            matter.next_milestone_due = min(pending) if pending else None
        elif state in (wf.DRAFT, wf.ASSIGNED, wf.SIGNED):
            matter.progress = 0
        elif state in (wf.REPORTED, wf.COMPLETED, wf.CLOSED):
            matter.progress_typed = matter.progress = 100
        else:
            span = max((deadline - start).days, 1)
            elapsed = min(max((self.today - start).days / span, 0.05), 1)
            typed = int(round((elapsed * 100 + self.r(-20, 5)) / 5) * 5)
            matter.progress_typed = matter.progress = min(max(typed, 10), 90)
        if state in (wf.COMPLETED, wf.CLOSED):
            matter.progress = 100
        # Next report due: a running matter's next date; a late one for yellow.
        if state in wf.RUNNING_STATES or state == wf.SUSPENDED:
            if cadence == FeedbackCadence.MILESTONE:
                matter.next_feedback_due = matter.next_milestone_due
            elif plan.missed_due is not None:
                matter.next_feedback_due = plan.missed_due
            elif cadence != FeedbackCadence.NONE:
                anchor = max(self.today - DAY, start)
                matter.next_feedback_due = next_report_due(
                    cadence, anchor, day_of_month=feedback_day, deadline=deadline
                )
        elif state == wf.DRAFT:
            matter.next_feedback_due = next_report_due(
                cadence, start, day_of_month=feedback_day, deadline=deadline
            )
        if "sign" in d:
            matter.signed_at = self.at(d["sign"], 9, 12)
        if "report" in d:
            matter.reported_at = self.at(d["report"], 14, 17)
            matter.summary = self.pick(demo.SUMMARIES)
        if "complete" in d:
            matter.completed_at = self.at(d["complete"], 9, 12)
        if "close" in d:
            matter.closed_at = self.at(d["close"], 14, 17)
        plan.matter = matter

    def roll_up(self) -> None:
        """A decomposed matter's progress is its children's, weighted (deepest first)."""
        for plan in sorted(self.plans, key=self.level, reverse=True):
            if plan.children and plan.matter is not None:
                children = [c.matter for c in plan.children if c.matter is not None]
                total = sum(c.weight for c in children)
                plan.matter.progress = round(sum(c.progress * c.weight for c in children) / total)
                plan.matter.progress_typed = None

    # --- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        for depth in range(max(self.level(p) for p in self.plans) + 1):
            batch = [p for p in self.plans if self.level(p) == depth]
            for plan in batch:
                assert plan.matter is not None
                if plan.parent is not None:
                    plan.matter.parent = plan.parent.matter
            Matter.objects.bulk_create([p.matter for p in batch if p.matter is not None])
        milestones: list[Milestone] = []
        co_units: list[MatterCoUnit] = []
        for plan in self.plans:
            m = plan.matter
            assert m is not None
            for title, due, weight, reached in plan.milestones:
                milestones.append(
                    self.stamp(
                        Milestone(
                            matter=m, title=title, due_date=due, weight=weight, reached_on=reached
                        ),
                        m.created_at,
                    )
                )
            co_units += self.build_co_units(plan)
        Milestone.objects.bulk_create(milestones)
        MatterCoUnit.objects.bulk_create(co_units)
        stones: dict[int, list[Milestone]] = {}
        for stone in milestones:
            stones.setdefault(stone.matter_id, []).append(stone)
        feedback = [f for plan in self.plans for f in self.build_feedback(plan, stones)]
        Feedback.objects.bulk_create(feedback)
        extensions = self.build_extensions()
        ExtensionRequest.objects.bulk_create(extensions)
        evaluations = self.build_evaluations()
        Evaluation.objects.bulk_create(evaluations)
        self.co_unit_rows = co_units
        for plan in self.plans:
            self.build_timeline(plan, stones.get(plan.matter.pk, []))  # type: ignore[union-attr]
        for f in feedback:
            if f.status == FeedbackStatus.SUBMITTED:
                assert f.submitted_at is not None
                self.timeline.append(
                    TimelineEntry(
                        matter=f.matter,
                        at=f.submitted_at,
                        actor=f.author,
                        kind="feedback",
                        text=f.text,
                        detail={
                            "feedback": f.pk,
                            "progress": f.progress,
                            "milestone": f.milestone.title if f.milestone else None,
                            "late": f.was_late,
                        },
                    )
                )
        # Each matter was last touched at its latest timeline entry.
        latest: dict[int, datetime.datetime] = {}
        for entry in self.timeline:
            key = entry.matter.pk
            latest[key] = max(latest.get(key, entry.at), entry.at)
        TimelineEntry.objects.bulk_create(sorted(self.timeline, key=lambda e: e.at))
        matters = [p.matter for p in self.plans if p.matter is not None]
        for m in matters:
            m.updated_at = max(latest.get(m.pk, m.created_at), m.created_at)
        Matter.objects.bulk_update(matters, ["updated_at"])
        by_state: dict[str, int] = {}
        for m in matters:
            by_state[m.state] = by_state.get(m.state, 0) + 1
        self.counts = {
            "matters": len(matters),
            "city": sum(1 for m in matters if m.jurisdiction.code == CITY_CODE),
            **{
                county: sum(1 for m in matters if m.jurisdiction.code == code)
                for county, code in COUNTIES
            },
            "sub_matters": sum(1 for m in matters if m.parent_id),
            "milestones": len(milestones),
            "co_units": len(co_units),
            "feedback": len(feedback),
            "extensions": len(extensions),
            "evaluations": len(evaluations),
            "timeline": len(self.timeline),
            **{f"state_{k}": v for k, v in sorted(by_state.items())},
        }

    @staticmethod
    def stamp(obj: Any, when: datetime.datetime) -> Any:
        obj.created_at = obj.updated_at = when
        return obj

    def end_of_work(self, plan: Plan) -> datetime.date:
        d = plan.days
        return d.get("report") or d.get("suspend_request") or self.today - DAY

    def build_co_units(self, plan: Plan) -> list[MatterCoUnit]:
        m, d = plan.matter, plan.days
        assert m is not None
        rows = []
        for unit in plan.co_units:
            row = self.stamp(MatterCoUnit(matter=m, unit=unit), m.created_at)
            if "begin" in d and self.rng.random() < 0.6:
                end = self.end_of_work(plan)
                day = min(d["begin"] + self.r(3, 30) * DAY, end)
                row.reported_at = self.at(max(day, d["begin"]), 9, 12)
                row.report = self.pick(demo.CO_UNIT_REPORTS, n=self.r(2, 15))
                row.reported_by = self.unit_user(unit)
                row.updated_at = row.reported_at
                if "report" in d:
                    row.consolidated_at = max(self.at(d["report"], 9, 12), row.reported_at)
            rows.append(row)
        return rows

    def feedback_text(self) -> str:
        n, m = self.r(3, 40), self.r(1, 12)
        return "".join(
            self.pick(part, n=n, m=m)
            for part in (demo.FEEDBACK_OPENERS, demo.FEEDBACK_MIDDLES, demo.FEEDBACK_NEXT)
        )

    def build_feedback(self, plan: Plan, stones: dict[int, list[Milestone]]) -> list[Feedback]:
        m, d = plan.matter, plan.days
        assert m is not None
        if "begin" not in d:
            return []
        author = self.unit_user(plan.lead) or self.office_user(plan.mechanism)
        end = self.end_of_work(plan)
        rows: list[tuple[datetime.date, datetime.date | None, Milestone | None]] = []
        if m.feedback_cadence == FeedbackCadence.MILESTONE:
            for stone in stones.get(m.pk, []):
                if stone.reached_on is not None:
                    rows.append((stone.reached_on, stone.due_date, stone))
        else:
            for due in plan.report_dues:
                if due == plan.missed_due:
                    continue
                late = self.rng.random() < 0.15
                day = due + (self.r(1, 6) if late else -self.r(0, 3)) * DAY
                day = min(max(day, d["begin"]), end, self.today - DAY)
                rows.append((day, due, None))
            if m.feedback_cadence == FeedbackCadence.NONE and m.state == wf.IN_PROGRESS:
                rows.append((min(d["begin"] + self.r(10, 40) * DAY, end), None, None))
        result = []
        final = m.progress
        for i, (day, due_on, reached) in enumerate(sorted(rows, key=lambda row: row[0])):
            submitted = self.at(day, 9, 17)
            progress = None
            if not plan.milestones:
                progress = round(final * (i + 1) / len(rows) / 5) * 5 if final else 0
                if i == len(rows) - 1:
                    progress = final
            result.append(
                self.stamp(
                    Feedback(
                        matter=m,
                        unit=plan.lead,
                        author=author,
                        text=self.feedback_text(),
                        progress=progress,
                        milestone=reached,
                        status=FeedbackStatus.SUBMITTED,
                        due_date=due_on,
                        submitted_at=submitted,
                    ),
                    submitted,
                )
            )
        if plan.missed_due is not None and self.rng.random() < 0.5:
            drafted = self.at(self.today - DAY, 9, 17)
            result.append(
                self.stamp(
                    Feedback(
                        matter=m,
                        unit=plan.lead,
                        author=author,
                        text=self.pick(demo.FEEDBACK_OPENERS, n=self.r(3, 20)),
                        status=FeedbackStatus.DRAFT,
                    ),
                    drafted,
                )
            )
        return result

    def build_extensions(self) -> list[ExtensionRequest]:
        """Approved, refused, a second one decided by the leader, and one pending."""
        t = self.today
        with_user = [p for p in self.plans if self.unit_user(p.lead) and not p.children]
        candidates = [p for p in with_user if "begin" in p.days]
        self.rng.shuffle(candidates)
        result: list[ExtensionRequest] = []
        used: set[int] = set()

        def request(
            plan: Plan,
            old: datetime.date,
            new: datetime.date,
            level: int,
            state: str,
            requested: datetime.date,
        ) -> ExtensionRequest:
            m = plan.matter
            assert m is not None
            asked = self.at(requested, 9, 12)
            ext = ExtensionRequest(
                matter=m,
                requested_by=self.unit_user(plan.lead),
                reason=self.pick(demo.EXTENSION_REASONS),
                progress_note=f"目前已完成约{max(m.progress - 10, 10)}%，"
                + self.pick(demo.FEEDBACK_MIDDLES, n=self.r(3, 20), m=self.r(1, 9)),
                old_deadline=old,
                new_deadline=new,
                level=level,
                state=state,
                created_at=asked,
                updated_at=asked,
            )
            self.timeline.append(
                TimelineEntry(
                    matter=m,
                    at=asked,
                    actor=ext.requested_by,
                    kind="extension_requested",
                    text=ext.reason,
                    detail={"new_deadline": new.isoformat(), "level": level},
                )
            )
            if state != wf.EXT_PENDING:
                code = plan.mechanism.jurisdiction.code
                decider = self.users[LEADER_ACCOUNTS[code] if level > 1 else OFFICE_ACCOUNTS[code]]
                ext.decided_by = decider
                ext.decided_at = self.at(min(requested + self.r(1, 3) * DAY, t - DAY), 14, 17)
                ext.decided_at = max(ext.decided_at, asked + datetime.timedelta(hours=1))
                ext.updated_at = ext.decided_at
                if state == wf.EXT_APPROVED:
                    ext.decision_comment = "同意延期，请按新的时限完成。"
                else:
                    ext.decision_comment = self.pick(demo.EXTENSION_REFUSALS)
                self.timeline.append(
                    TimelineEntry(
                        matter=m,
                        at=ext.decided_at,
                        actor=decider,
                        kind="extension_approved"
                        if state == wf.EXT_APPROVED
                        else "extension_refused",
                        text=ext.decision_comment,
                        detail={"new_deadline": new.isoformat(), "level": level},
                    )
                )
            result.append(ext)
            used.add(id(plan))
            return ext

        def earlier_deadline(plan: Plan) -> datetime.date | None:
            old = month_end_before(plan.days["deadline"] - self.r(20, 60) * DAY)
            if old - plan.days["begin"] < 12 * DAY or old >= t:
                return None
            return old

        approved = 0
        twice = False
        for plan in candidates:
            if approved >= 6:
                break
            if plan.slot.state in (wf.SUSPENDED, wf.SUSPENSION_REQUESTED):
                continue
            old = earlier_deadline(plan)
            if old is None:
                continue
            assert plan.matter is not None
            first = old - self.r(25, 40) * DAY
            if not twice and first - plan.days["begin"] >= 8 * DAY:
                twice = True
                # Extended twice: the second one granted by the leader.
                request(plan, first, old, 1, wf.EXT_APPROVED, first - self.r(2, 5) * DAY)
                request(plan, old, plan.days["deadline"], 2, wf.EXT_APPROVED, old - 3 * DAY)
                plan.matter.extension_count = 2
            else:
                asked = old - self.r(2, 8) * DAY
                request(plan, old, plan.days["deadline"], 1, wf.EXT_APPROVED, asked)
                plan.matter.extension_count = 1
            approved += 1
        refused = 0
        for plan in sorted(candidates, key=lambda p: p.slot.colour != Colour.RED):
            if refused >= 3 or id(plan) in used or plan.slot.state == wf.SUSPENDED:
                continue
            deadline = plan.days["deadline"]
            asked = deadline - self.r(2, 8) * DAY
            if asked <= plan.days["begin"] or asked >= t - DAY:
                continue
            request(plan, deadline, self.snap_up(deadline + 30 * DAY), 1, wf.EXT_REJECTED, asked)
            refused += 1
        for plan in candidates:
            if id(plan) in used or plan.slot.state != wf.IN_PROGRESS:
                continue
            if plan.slot.colour in (Colour.GREEN, Colour.BLUE):
                deadline = plan.days["deadline"]
                request(
                    plan, deadline, self.snap_up(deadline + 30 * DAY), 1, wf.EXT_PENDING, t - DAY
                )
                break
        return result

    def build_evaluations(self) -> list[Evaluation]:
        result = []
        for plan in self.plans:
            m = plan.matter
            assert m is not None
            if m.state not in wf.DONE_STATES or self.rng.random() > 0.6:
                continue
            assert m.completed_at is not None
            when = min(m.completed_at + self.r(1, 48) * datetime.timedelta(hours=1), self.now)
            if m.closed_at is not None:
                when = min(when, m.closed_at - datetime.timedelta(minutes=30))
            scores = [self.rng.choice([3, 4, 4, 5, 5, 5, 2]) for _ in range(3)]
            evaluation = Evaluation(
                matter=m,
                unit=m.lead_unit,
                rated_by=self.office_user(plan.mechanism),
                timeliness=scores[0],
                quality=scores[1],
                effect=scores[2],
                comment=self.pick(demo.EVALUATION_COMMENTS),
                created_at=when,
                updated_at=when,
            )
            result.append(evaluation)
            self.timeline.append(
                TimelineEntry(
                    matter=m,
                    at=when,
                    actor=evaluation.rated_by,
                    kind="evaluated",
                    text=evaluation.comment,
                    detail={"timeliness": scores[0], "quality": scores[1], "effect": scores[2]},
                )
            )
        return result

    def build_timeline(self, plan: Plan, stones: list[Milestone]) -> None:
        m, d = plan.matter, plan.days
        assert m is not None
        office = self.office_user(plan.mechanism)
        unit = self.unit_user(plan.lead)
        unit_detail = None if unit else {"unit": plan.lead.name}
        entries = self.timeline

        def add(at: datetime.datetime, actor: Any, kind: str, **extra: Any) -> None:
            entries.append(TimelineEntry(matter=m, at=at, actor=actor, kind=kind, **extra))

        def step(
            at: datetime.datetime, actor: Any, name: str, a: str, b: str, **extra: Any
        ) -> None:
            if actor is None and "detail" not in extra:
                extra["detail"] = unit_detail
            add(at, actor, f"transition:{name}", from_state=a, to_state=b, **extra)

        from_above = plan.parent is not None and plan.parent.mechanism != plan.mechanism
        creator = m.created_by
        add(
            m.created_at,
            creator,
            "created",
            to_state=wf.DRAFT,
            detail={"parent": plan.parent.matter.pk}
            if plan.parent and plan.parent.matter
            else None,
        )
        if plan.children:
            children = [c.matter for c in plan.children if c.matter is not None]
            when = min(c.created_at for c in children) - datetime.timedelta(minutes=10)
            add(
                when,
                office,
                "decomposed",
                detail={
                    "children": [[c.pk, c.jurisdiction.name, c.lead_unit.name] for c in children]
                },
            )
        if plan.shared_later:
            add(m.created_at + datetime.timedelta(hours=2), office, "shared_upward")
        if stones:
            add(
                m.created_at + datetime.timedelta(minutes=20),
                creator,
                "milestones",
                detail={
                    "milestones": [[s.title, s.due_date.isoformat(), s.weight] for s in stones]
                },
            )
        if "assign" in d:
            actor = creator if from_above else office
            parent = plan.parent.matter if plan.parent else None
            detail = {"parent": parent.pk} if from_above and parent else None
            at = max(self.at(d["assign"], 14, 17), m.created_at + datetime.timedelta(hours=1))
            step(at, actor, "assign", wf.DRAFT, wf.ASSIGNED, detail=detail)
        if m.signed_at:
            step(m.signed_at, unit, "sign", wf.ASSIGNED, wf.SIGNED)
        if "begin" in d:
            at = max(
                self.at(d["begin"], 14, 17),
                (m.signed_at or m.created_at) + datetime.timedelta(hours=1),
            )
            step(at, unit, "start", wf.SIGNED, wf.IN_PROGRESS)
        for row in self.co_unit_rows_for(m):
            if row.reported_at:
                add(
                    row.reported_at,
                    row.reported_by,
                    "co_unit_report",
                    text=row.report,
                    detail={"unit": row.unit.name},
                )
        if plan.slot.colour == Colour.RED and "begin" in d:
            day = max(d["deadline"] + self.r(1, 7) * DAY, self.today - self.r(1, 5) * DAY)
            add(
                self.at(min(day, self.today - DAY), 9, 17),
                office,
                "urge",
                text=self.pick(demo.URGE_TEXTS),
            )
        if m.reported_at:
            if plan.send_back:
                first = m.reported_at - self.r(4, 8) * DAY
                step(first, unit, "report", wf.IN_PROGRESS, wf.REPORTED, text="")
                step(
                    first + datetime.timedelta(days=1),
                    office,
                    "send_back",
                    wf.REPORTED,
                    wf.IN_PROGRESS,
                    text=self.pick(demo.SEND_BACK_COMMENTS),
                )
            step(m.reported_at, unit, "report", wf.IN_PROGRESS, wf.REPORTED)
        if m.completed_at:
            step(m.completed_at, office, "complete", wf.REPORTED, wf.COMPLETED)
        if m.closed_at:
            step(m.closed_at, office, "close", wf.COMPLETED, wf.CLOSED)
        if "suspend_request" in d:
            at = self.at(d["suspend_request"], 9, 12)
            step(
                at,
                unit,
                "request_suspension",
                wf.IN_PROGRESS,
                wf.SUSPENSION_REQUESTED,
                text=self.pick(demo.SUSPENSION_REASONS),
            )
            if "suspend" in d:
                step(
                    max(self.at(d["suspend"], 14, 17), at + datetime.timedelta(hours=2)),
                    office,
                    "approve_suspension",
                    wf.SUSPENSION_REQUESTED,
                    wf.SUSPENDED,
                )

    def co_unit_rows_for(self, matter: Matter) -> list[MatterCoUnit]:
        if not hasattr(self, "_co_by_matter"):
            self._co_by_matter: dict[int, list[MatterCoUnit]] = {}
            for row in self.co_unit_rows:
                self._co_by_matter.setdefault(row.matter_id, []).append(row)
        return self._co_by_matter.get(matter.pk, [])

    # --- search index -------------------------------------------------------------------------
    def index(self) -> None:
        """The search entry of every matter: the text matters.actions.reindex writes."""
        co: dict[int, list[int]] = {}
        for row in MatterCoUnit.objects.values_list("matter_id", "unit_id"):
            co.setdefault(row[0], []).append(row[1])
        for plan in self.plans:
            m = plan.matter
            assert m is not None
            text = " ".join(
                [m.title, m.description, m.lead_unit.name, " ".join(str(t) for t in m.tags)]
            )
            search.index(
                SEARCH_KIND, m.pk, m.jurisdiction.path, [m.lead_unit_id, *co.get(m.pk, [])], text
            )
