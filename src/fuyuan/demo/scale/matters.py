"""Matters at scale: five years of supervised items up to today in a fixed mix of states and
warning colours (every block of 100 matters holds the same mix), led by units of very
different sizes, with co-units, milestones, progress reports, evaluations, an exact number of
timeline entries consistent with each matter's history, and the search index entry that
matters.actions.reindex would write.

Colours are computed in SQL from `deadline`, `warn_from`, `next_feedback_due` and
`next_milestone_due`; the dates written here make each matter's colour the one its slot
asks for (red overdue, yellow a report missed, blue within the warning days, green)."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import jieba

from fuyuan.core.models import SearchEntry
from fuyuan.core.search import _CJK as CJK
from fuyuan.core.search import _WORD as WORD
from fuyuan.matters import workflow as wf
from fuyuan.matters.deadlines import next_report_due
from fuyuan.matters.models import (
    DeadlineKind,
    Evaluation,
    Feedback,
    FeedbackCadence,
    FeedbackStatus,
    Matter,
    MatterCoUnit,
    Milestone,
    TimelineEntry,
)
from fuyuan.matters.search_index import KIND as SEARCH_KIND
from fuyuan.org.models import UnitKind

from . import texts
from .common import DAY, Ctx, TableWriter, Zipf, at_random, snap_down, snap_up, weighted
from .org import JurisdictionInfo, UnitInfo, World

WARN_DAYS = 5  # MechanismSettings.warn_days_before_deadline (the generated mechanisms' default)
MILESTONE_TITLES = ["制定工作方案", "调查摸底", "集中推进", "整改落实", "总结验收"]

# One block of 100 matters: (state, colour the dates must give), the same mix in every block.
SLOTS: list[tuple[str, str]] = (
    [(wf.CLOSED, "none")] * 58
    + [(wf.COMPLETED, "none")] * 13
    + [(wf.REPORTED, "none")] * 3
    + [(wf.DRAFT, "none")] * 2
    + [(wf.SUSPENDED, "none")] * 1
    + [(wf.SUSPENSION_REQUESTED, "green")] * 1
    + [(wf.IN_PROGRESS, "green")] * 7
    + [(wf.SIGNED, "green")] * 2
    + [(wf.ASSIGNED, "green")] * 1
    + [(wf.IN_PROGRESS, "blue")] * 4
    + [(wf.IN_PROGRESS, "yellow")] * 5
    + [(wf.IN_PROGRESS, "red")] * 3
)
assert len(SLOTS) == 100

MATTER_TYPES = [
    ("dual_list", 22),
    ("key_issue", 8),
    ("meeting_decision", 12),
    ("liaison", 15),
    ("recommendation", 9),
    ("government_debtor", 5),
    ("bankruptcy", 4),
    ("risk", 4),
    ("collection", 8),
    ("campaign", 5),
    ("other", 8),
]
TYPE_AREA = {
    "dual_list": "rule_of_law_government",
    "key_issue": "rule_of_law_government",
    "meeting_decision": "rule_of_law_government",
    "liaison": "enforcement_supervision",
    "recommendation": "enforcement_supervision",
    "government_debtor": "enforcement_linkage",
    "bankruptcy": "bankruptcy",
    "risk": "major_risks",
    "collection": "rule_of_law_government",
    "campaign": "business_environment",
    "other": "business_environment",
}
SOURCE_REFS = {
    "recommendation": "（{year}）豫17司建{n}号",
    "liaison": "府院联络〔{year}〕{n}号",
    "meeting_decision": "联席会议纪要〔{year}〕第{n}期",
}
BEGUN = {
    wf.IN_PROGRESS,
    wf.AWAITING_CHECK,
    wf.REPORTED,
    wf.COMPLETED,
    wf.CLOSED,
    wf.SUSPENSION_REQUESTED,
    wf.SUSPENDED,
}
DONE = {wf.REPORTED, wf.COMPLETED, wf.CLOSED}

Entry = tuple[datetime.datetime, int | None, str, str, str, str, Any]


class MatterGenerator:
    def __init__(self, ctx: Ctx, world: World, n_matters: int, n_timeline: int) -> None:
        self.ctx = ctx
        self.world = world
        self.rng = ctx.sub_rng("matters")
        self.n = n_matters
        self.n_timeline = n_timeline
        self.t = ctx.today
        self.jurisdictions = Zipf(
            world.jurisdictions, weights=[35.0] + [6.5] * (len(world.jurisdictions) - 1)
        )
        self.types = [t for t, _ in MATTER_TYPES]
        self.type_weights = Zipf(self.types, weights=[w for _, w in MATTER_TYPES])
        self.co_choice: dict[int, Zipf] = {}
        self.lead_count: Counter[int] = Counter()
        self.serial: Counter[tuple[str, int]] = Counter()
        self.companies = [ctx.fake.company() for _ in range(max(50, min(2000, n_matters // 20)))]
        self.emitted = 0
        self.token_cache: dict[str, tuple[list[str], list[str]]] = {}
        ids = world.ids
        self.first_id = ids.take(Matter, n_matters)
        c = ctx
        self.matters = TableWriter(
            c,
            Matter,
            [
                "id",
                "mechanism_id",
                "jurisdiction_id",
                "year",
                "title",
                "description",
                "matter_type",
                "source_ref",
                "task_area_id",
                "lead_unit_id",
                "handler_id",
                "supervising_leader_id",
                "is_key_issue",
                "enterprise_related",
                "tags",
                "state",
                "start_date",
                "deadline_kind",
                "deadline_days",
                "deadline",
                "warn_from",
                "sign_deadline",
                "feedback_cadence",
                "feedback_day",
                "next_feedback_due",
                "next_milestone_due",
                "progress",
                "progress_typed",
                "shared_upward",
                "summary",
                "signed_at",
                "reported_at",
                "completed_at",
                "closed_at",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            chunk=5000,
        )
        self.timeline = TableWriter(
            c,
            TimelineEntry,
            ["matter_id", "at", "actor_id", "kind", "from_state", "to_state", "text", "detail"],
            chunk=20000,
        )
        self.co_units = TableWriter(
            c,
            MatterCoUnit,
            [
                "matter_id",
                "unit_id",
                "report",
                "reported_at",
                "reported_by_id",
                "consolidated_at",
                "created_at",
                "updated_at",
            ],
        )
        self.milestones = TableWriter(
            c,
            Milestone,
            ["matter_id", "title", "due_date", "weight", "reached_on", "created_at", "updated_at"],
        )
        self.feedback = TableWriter(
            c,
            Feedback,
            [
                "id",
                "matter_id",
                "unit_id",
                "author_id",
                "text",
                "progress",
                "status",
                "due_date",
                "submitted_at",
                "created_at",
                "updated_at",
            ],
        )
        self.evaluations = TableWriter(
            c,
            Evaluation,
            [
                "matter_id",
                "unit_id",
                "rated_by_id",
                "timeliness",
                "quality",
                "effect",
                "comment",
                "created_at",
                "updated_at",
            ],
        )
        self.search = TableWriter(
            c,
            SearchEntry,
            ["kind", "object_id", "jurisdiction_path", "unit_ids", "tokens"],
            chunk=5000,
        )

    # --- helpers ---------------------------------------------------------------------------
    def r(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)

    def co_units_for(self, j: JurisdictionInfo) -> Zipf:
        if j.id not in self.co_choice:
            assert j.court is not None and j.leads is not None
            # The court co-handles often (府院联动), then the departments by size.
            units = [j.court, *[u for u in j.leads.items if u is not j.court]]
            self.co_choice[j.id] = Zipf(units, s=0.9)
        return self.co_choice[j.id]

    def text(self, n: int) -> tuple[str, list[str]]:
        pieces = self.rng.sample(texts.DESCRIPTION_SENTENCES, n)
        return "，".join(pieces) + "。", pieces

    def tokens(self, pieces: list[str]) -> str:
        """search.tokens of the pieces joined by separators (spaces, "，", "。"), from a cache
        of each piece's jieba words and CJK characters: jieba cuts each run of letters and
        digits on its own, so the words of the whole are the pieces' words in order, then
        every CJK character — the same list search.tokens gives for the joined text."""
        words: list[str] = []
        chars: list[str] = []
        cache = self.token_cache
        for piece in pieces:
            found = cache.get(piece)
            if found is None:
                w = [p for word in jieba.cut_for_search(piece) for p in WORD.findall(word.lower())]
                found = cache[piece] = (w, CJK.findall(piece))
                if len(cache) > 20_000:
                    cache.clear()
            words += found[0]
            chars += found[1]
        return " ".join(words + chars)

    def title(self, kind: str, j: JurisdictionInfo, year: int) -> str:
        rng = self.rng
        topic = rng.choice(texts.TOPICS[kind])
        company = self.companies[rng.randrange(len(self.companies))]
        if kind == "key_issue" and rng.random() < 0.4:
            return f"{topic}（{company}）"
        if kind == "meeting_decision":
            return f"落实联席会议关于{topic}的议定事项"
        if kind == "liaison":
            return f"关于{topic}的联络函"
        if kind == "recommendation":
            return f"落实司法建议：{topic}"
        if kind == "government_debtor":
            return f"{topic}（申请执行人{company}）"
        if kind in ("bankruptcy", "risk"):
            return f"{company}{topic}"
        if kind == "collection":
            return f"报送{year}年度{topic}材料"
        if kind == "campaign":
            return f"{j.name}{year}年{topic}"
        return f"{year}年{topic}" if rng.random() < 0.5 else topic

    # --- dates -----------------------------------------------------------------------------
    def plan_days(self, state: str, colour: str) -> dict[str, datetime.date]:
        t, r, rng = self.t, self.r, self.rng
        d: dict[str, datetime.date] = {}
        if state in (wf.CLOSED, wf.COMPLETED):
            span = r(30, 200)
            start = t - r(span + 20, 5 * 365) * DAY
            deadline = min(snap_up(rng, start + span * DAY), t - 8 * DAY)
            deadline = max(deadline, start + 12 * DAY)
            d["start"], d["deadline"] = start, deadline
        elif state == wf.REPORTED:
            d["deadline"] = snap_up(rng, t + r(5, 90) * DAY)
            d["start"] = t - r(40, 200) * DAY
        elif colour == "red":
            d["deadline"] = min(snap_down(rng, t - r(1, 120) * DAY), t - DAY)
            d["start"] = d["deadline"] - r(30, 180) * DAY
        elif colour == "blue":
            d["deadline"] = t + r(0, WARN_DAYS) * DAY
            d["start"] = min(d["deadline"] - r(40, 150) * DAY, t - 10 * DAY)
        elif colour == "yellow":
            d["deadline"] = max(snap_up(rng, t + r(WARN_DAYS + 10, 150) * DAY), t + 16 * DAY)
            d["start"] = t - r(45, 200) * DAY
        elif state == wf.SUSPENDED:
            d["deadline"] = snap_up(rng, t + r(10, 120) * DAY)
            d["start"] = t - r(60, 220) * DAY
        elif state == wf.DRAFT:
            d["deadline"] = snap_up(rng, t + r(30, 200) * DAY)
            d["start"] = t - r(0, 5) * DAY
        else:  # green
            low = {wf.ASSIGNED: 1, wf.SIGNED: 4, wf.SUSPENSION_REQUESTED: 25}.get(state, 8)
            high = {wf.ASSIGNED: 8, wf.SIGNED: 20}.get(state, 200)
            d["start"] = t - r(low, high) * DAY
            d["deadline"] = max(
                snap_up(rng, t + r(WARN_DAYS + 10, 250) * DAY), t + (WARN_DAYS + 2) * DAY
            )
        if state != wf.DRAFT:
            d["assign"] = d["start"]
        if state not in (wf.DRAFT, wf.ASSIGNED):
            d["sign"] = min(d["assign"] + r(1, 3) * DAY, t - DAY)
        if state in BEGUN:
            d["begin"] = min(d["sign"] + r(0, 2) * DAY, t - DAY)
        if state in (wf.CLOSED, wf.COMPLETED):
            late = rng.random() < 0.12
            report = d["deadline"] + (r(1, 8) if late else -r(0, 20)) * DAY
            d["report"] = min(max(report, d["begin"] + 5 * DAY), t - 4 * DAY)
            d["complete"] = min(d["report"] + r(1, 3) * DAY, t - 2 * DAY)
            if state == wf.CLOSED:
                d["close"] = min(d["complete"] + r(2, 20) * DAY, t - DAY)
        elif state == wf.REPORTED:
            d["report"] = max(t - r(1, 10) * DAY, d["begin"] + DAY)
        elif state == wf.SUSPENDED:
            d["suspend_request"] = max(t - r(20, 60) * DAY, d["begin"] + 5 * DAY)
            d["suspend"] = min(d["suspend_request"] + r(1, 3) * DAY, t - DAY)
        elif state == wf.SUSPENSION_REQUESTED:
            d["suspend_request"] = max(t - r(1, 5) * DAY, d["begin"])
        return d

    def cadence(self, colour: str) -> tuple[str, int | None]:
        if colour == "yellow":
            return FeedbackCadence.MONTHLY, 25
        roll = self.rng.random()
        if roll < 0.5:
            return FeedbackCadence.MONTHLY, 25 if self.rng.random() < 0.75 else 10
        if roll < 0.8:
            return FeedbackCadence.QUARTERLY, None
        if roll < 0.9:
            return FeedbackCadence.MILESTONE, None
        return FeedbackCadence.NONE, None

    def dues(
        self, cadence: str, day: int | None, begin: datetime.date, end: datetime.date, deadline: Any
    ) -> list[datetime.date]:
        if cadence not in (FeedbackCadence.MONTHLY, FeedbackCadence.QUARTERLY):
            return []
        found: list[datetime.date] = []
        due = next_report_due(cadence, begin, day_of_month=day, deadline=deadline)
        while due is not None and due <= end and (not found or due > found[-1]):
            found.append(due)
            if due >= deadline or len(found) > 80:
                break
            due = next_report_due(cadence, due, day_of_month=day, deadline=deadline)
        return found

    # --- one matter --------------------------------------------------------------------------
    def one(self, i: int, state: str, colour: str) -> None:
        rng, r, t = self.rng, self.r, self.t
        mid = self.first_id + i
        j: JurisdictionInfo = self.jurisdictions.pick(rng)
        assert j.leads is not None
        lead: UnitInfo = j.leads.pick(rng)
        self.lead_count[lead.id] += 1
        kind = self.type_weights.pick(rng)
        d = self.plan_days(state, colour)
        start, deadline = d["start"], d["deadline"]
        office, liaison = j.office_user_id, lead.liaison_user_id
        cadence, fb_day = self.cadence(colour)
        begun = "begin" in d
        end = d.get("report") or d.get("suspend_request") or t - DAY
        # Milestones: for matters reported by milestone, and a few others.
        stones: list[tuple[str, datetime.date, int, datetime.date | None]] = []
        if begun and colour != "yellow" and (cadence == FeedbackCadence.MILESTONE or r(1, 10) == 1):
            count = r(3, 4)
            span = max((deadline - d["begin"]).days, count)
            titles = [*MILESTONE_TITLES[: count - 1], "总结验收"]
            for k, title in enumerate(titles):
                due = d["begin"] + (span * (k + 1) // count) * DAY
                reached = None
                if state in DONE or due < t:
                    reached = min(max(due - r(0, 5) * DAY, d["begin"]), end, t - DAY)
                if state == wf.SUSPENDED and due >= d["suspend_request"]:
                    reached = None
                if colour == "red" and k == count - 1:
                    reached = None
                stones.append((title, due, r(1, 3), reached))
        elif cadence == FeedbackCadence.MILESTONE:
            cadence, fb_day = FeedbackCadence.MONTHLY, 25
        pending = [due for _, due, _, on in stones if on is None]
        next_milestone = min(pending) if pending else None
        dues = self.dues(cadence, fb_day, d["begin"], end, deadline) if begun else []
        missed = None
        next_feedback = None
        if colour == "yellow":
            missed = dues.pop() if dues and dues[-1] < t else t - r(1, 10) * DAY
            next_feedback = missed
        elif state in wf.RUNNING_STATES or state == wf.SUSPENDED:
            if cadence == FeedbackCadence.MILESTONE:
                next_feedback = next_milestone
            elif cadence != FeedbackCadence.NONE:
                next_feedback = next_report_due(
                    cadence, max(t - DAY, start), day_of_month=fb_day, deadline=deadline
                )
                if next_feedback is not None and next_feedback < t:
                    next_feedback = None
        elif state == wf.DRAFT:
            next_feedback = next_report_due(cadence, start, day_of_month=fb_day, deadline=deadline)
        # Progress: from milestones, else typed.
        progress_typed: int | None = None
        if stones:
            total = sum(w for _, _, w, _ in stones)
            progress = round(100 * sum(w for _, _, w, on in stones if on) / total)
        elif state in DONE:
            progress = progress_typed = 100
        elif not begun:
            progress = 0
        else:
            span = max((deadline - start).days, 1)
            elapsed = min(max((t - start).days / span, 0.05), 1)
            progress = progress_typed = min(max(int(round(elapsed * 20 - r(0, 4)) * 5), 10), 90)
        if state in (wf.COMPLETED, wf.CLOSED):
            progress = 100

        created = at_random(rng, start - r(0, 2) * DAY, 9, 11)
        stamp = {k: at_random(rng, v) for k, v in d.items() if k not in ("start", "deadline")}
        # Keep the steps in order on the clock too.
        order = ["assign", "sign", "begin", "report", "complete", "close"]
        prev = created
        for name in order:
            if name in stamp:
                stamp[name] = max(stamp[name], prev + datetime.timedelta(hours=1))
                prev = stamp[name]

        # --- timeline: the steps every matter in this state has had ----------------------------
        entries: list[Entry] = [(created, office, "created", "", wf.DRAFT, "", None)]

        def step(name: str, actor: int, a: str, b: str, when: Any, text: str = "") -> None:
            entries.append((when, actor, f"transition:{name}", a, b, text, None))

        if "assign" in stamp:
            step("assign", office, wf.DRAFT, wf.ASSIGNED, stamp["assign"])
        if "sign" in stamp:
            step("sign", liaison, wf.ASSIGNED, wf.SIGNED, stamp["sign"])
        if "begin" in stamp:
            step("start", liaison, wf.SIGNED, wf.IN_PROGRESS, stamp["begin"])
        send_back = "report" in stamp and rng.random() < 0.08
        if send_back:
            first = max(
                stamp["report"] - r(3, 8) * DAY, stamp["begin"] + datetime.timedelta(hours=2)
            )
            step("report", liaison, wf.IN_PROGRESS, wf.REPORTED, first)
            back = first + datetime.timedelta(hours=20)
            step(
                "send_back", office, wf.REPORTED, wf.IN_PROGRESS, back, rng.choice(texts.SEND_BACK)
            )
        if "report" in stamp:
            step("report", liaison, wf.IN_PROGRESS, wf.REPORTED, stamp["report"])
        if "complete" in stamp:
            step("complete", office, wf.REPORTED, wf.COMPLETED, stamp["complete"])
        if "close" in stamp:
            step("close", office, wf.COMPLETED, wf.CLOSED, stamp["close"])
        if "suspend_request" in stamp:
            reason = rng.choice(texts.SUSPENSION_REASONS)
            requested = stamp["suspend_request"]
            step(
                "request_suspension",
                liaison,
                wf.IN_PROGRESS,
                wf.SUSPENSION_REQUESTED,
                requested,
                reason,
            )
            if "suspend" in stamp:
                when = max(stamp["suspend"], requested + datetime.timedelta(hours=2))
                step("approve_suspension", office, wf.SUSPENSION_REQUESTED, wf.SUSPENDED, when)

        # Budget: this matter's share of the exact total, less what earlier matters overran.
        target = (i + 1) * self.n_timeline // self.n
        room = target - self.emitted - len(entries)

        # Optional entries, as far as the budget goes.
        co_n = weighted(rng, [(0, 45), (1, 30), (2, 17), (3, 8)])
        co = self.co_units_for(j).pick_distinct(rng, co_n, exclude=lead) if co_n else []
        co_rows = []
        for unit in co:
            reported_at = reported_by = consolidated = None
            report = ""
            if begun and room > 0 and rng.random() < 0.6:
                day = min(d["begin"] + r(3, 30) * DAY, end)
                reported_at = max(at_random(rng, day), stamp["begin"] + datetime.timedelta(hours=1))
                reported_by = unit.liaison_user_id
                report = rng.choice(texts.CO_UNIT_REPORTS)
                if "report" in stamp:
                    consolidated = max(stamp["report"], reported_at)
                detail = {"unit": unit.name}
                entries.append((reported_at, reported_by, "co_unit_report", "", "", report, detail))
                room -= 1
            co_rows.append((unit.id, report, reported_at, reported_by, consolidated))
        if stones and room > 0:
            detail_stones = [[s, due.isoformat(), w] for s, due, w, _ in stones]
            when = created + datetime.timedelta(minutes=20)
            entries.append((when, office, "milestones", "", "", "", {"milestones": detail_stones}))
            room -= 1
        if colour == "red" and begun and room > 0:
            day = min(max(deadline + r(1, 7) * DAY, t - r(1, 5) * DAY), t - DAY)
            entries.append(
                (at_random(rng, day), office, "urge", "", "", rng.choice(texts.URGE_TEXTS), None)
            )
            room -= 1
        evaluation = None
        if state in (wf.COMPLETED, wf.CLOSED) and room > 0 and rng.random() < 0.6:
            when = stamp["complete"] + r(1, 48) * datetime.timedelta(hours=1)
            if "close" in stamp:
                when = min(when, stamp["close"] - datetime.timedelta(minutes=30))
            scores = [rng.choice((3, 4, 4, 5, 5, 5, 2)) for _ in range(3)]
            comment = rng.choice(texts.EVALUATION_COMMENTS)
            evaluation = (when, scores, comment)
            detail = {"timeliness": scores[0], "quality": scores[1], "effect": scores[2]}
            entries.append((when, office, "evaluated", "", "", comment, detail))
            room -= 1

        # Progress reports fill the rest of the budget (a matter must have begun).
        feedback_rows = []
        if begun and room > 0:
            cap = room if i >= self.n - max(50, self.n // 20) else min(room, 30)
            days = list(dues)
            if len(days) > cap:
                days = sorted(rng.sample(days, cap))
            reports: list[tuple[datetime.date, datetime.date | None]] = [
                (due + (r(1, 6) if rng.random() < 0.15 else -r(0, 3)) * DAY, due) for due in days
            ]
            while len(reports) < cap:
                span = max((end - d["begin"]).days, 1)
                reports.append((d["begin"] + r(0, span) * DAY, None))
            reports.sort(key=lambda x: x[0])
            fb_id = self.world.ids.take(Feedback, len(reports))
            for k, (day, was_due) in enumerate(reports):
                day = min(max(day, d["begin"]), end, t - DAY)
                when = max(at_random(rng, day), stamp["begin"] + datetime.timedelta(minutes=30))
                p = None
                if not stones:
                    p = (
                        progress
                        if k == len(reports) - 1
                        else round(progress * (k + 1) / len(reports) / 5) * 5
                    )
                text = (
                    rng.choice(texts.FEEDBACK_OPENERS)
                    + rng.choice(texts.FEEDBACK_MIDDLES)
                    + rng.choice(texts.FEEDBACK_NEXT)
                )
                late = bool(was_due and day > was_due)
                detail = {"feedback": fb_id + k, "progress": p, "milestone": None, "late": late}
                entries.append((when, liaison, "feedback", "", "", text, detail))
                feedback_rows.append((fb_id + k, text, p, was_due, when))
            room -= len(reports)
        self.emitted += len(entries)

        # --- write ---------------------------------------------------------------------------
        entries.sort(key=lambda e: e[0])
        updated = max(entries[-1][0], created)
        for e in entries:
            self.timeline.add(mid, *e)
        for unit_id, report, reported_at, reported_by, consolidated in co_rows:
            self.co_units.add(
                mid,
                unit_id,
                report,
                reported_at,
                reported_by,
                consolidated,
                created,
                reported_at or created,
            )
        for title, due, weight, reached in stones:
            self.milestones.add(mid, title, due, weight, reached, created, created)
        for fid, text, p, was_due, when in feedback_rows:
            self.feedback.add(
                fid,
                mid,
                lead.id,
                liaison,
                text,
                p,
                FeedbackStatus.SUBMITTED,
                was_due,
                when,
                when,
                when,
            )
        if evaluation is not None:
            when, scores, comment = evaluation
            self.evaluations.add(mid, lead.id, office, *scores, comment, when, when)

        year = start.year
        title = self.title(kind, j, year)
        description, sentences = self.text(r(2, 3))
        tags = rng.sample(texts.TAGS, r(1, 2))
        is_key = kind == "key_issue" or rng.random() < 0.05
        source_ref = ""
        if kind in SOURCE_REFS:
            self.serial[(kind, year)] += 1
            source_ref = SOURCE_REFS[kind].format(year=year, n=self.serial[(kind, year)])
        days_kind = DeadlineKind.CALENDAR_DAYS if kind == "liaison" else DeadlineKind.DATE
        shared = j.is_city or rng.random() < 0.9
        self.matters.add(
            mid,
            j.mechanism_id,
            j.id,
            year,
            title,
            description,
            kind,
            source_ref,
            j.task_area_ids[TYPE_AREA[kind]],
            lead.id,
            liaison if state != wf.DRAFT else None,
            j.leader_person_id if is_key else None,
            is_key,
            rng.random() < 0.22,
            tags,
            state,
            start,
            days_kind,
            (deadline - start).days if days_kind == DeadlineKind.CALENDAR_DAYS else None,
            deadline,
            deadline - WARN_DAYS * DAY,
            d["assign"] + 3 * DAY if "assign" in d else None,
            cadence,
            fb_day if cadence == FeedbackCadence.MONTHLY else None,
            next_feedback,
            next_milestone,
            progress,
            progress_typed,
            shared,
            rng.choice(texts.SUMMARIES) if "report" in stamp else "",
            stamp.get("sign"),
            stamp.get("report"),
            stamp.get("complete"),
            stamp.get("close"),
            office,
            created,
            updated,
        )
        # The search entry: the text matters.search_index.row builds (title, description,
        # lead unit, tags), the units of core.search._units.
        unit_ids = " ".join(str(u) for u in sorted({lead.id, *(u.id for u in co)}))
        tokens = self.tokens([title, *sentences, lead.name, *tags])
        self.search.add(SEARCH_KIND, mid, j.path, f" {unit_ids} ", tokens)

    def run(self) -> None:
        rng = self.rng
        block: list[tuple[str, str]] = []
        for i in range(self.n):
            if not block:
                block = list(SLOTS)
                rng.shuffle(block)
            state, colour = block.pop()
            self.one(i, state, colour)
            if (i + 1) % 20000 == 0:
                self.ctx.say(f"  matters: {i + 1:,}")
        self.matters.close("matters")
        self.timeline.close("timeline_entries")
        self.co_units.close("co_units")
        self.milestones.close("milestones")
        self.feedback.close("feedback")
        self.evaluations.close("evaluations")
        self.search.close("search_entries")
        if self.emitted != self.n_timeline:
            raise RuntimeError(f"timeline entries: wrote {self.emitted}, wanted {self.n_timeline}")

    def busiest_city_department(self) -> UnitInfo:
        city = self.world.city
        departments = [u for u in city.units if u.kind == UnitKind.DEPARTMENT]
        return max(departments, key=lambda u: (self.lead_count[u.id], -u.id))


def generate(ctx: Ctx, world: World, n_matters: int, n_timeline: int) -> MatterGenerator:
    gen = MatterGenerator(ctx, world, n_matters, n_timeline)
    gen.run()
    return gen
