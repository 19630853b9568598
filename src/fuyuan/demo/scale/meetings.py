"""Meetings at scale: five years of the mechanisms' meetings (a few in the coming weeks), with
agendas, invited units and their attendance, and for about half of the held ones minutes —
issued ones numbered per mechanism and year, with their decisions."""

from __future__ import annotations

import datetime
from collections import Counter

from fuyuan.meetings import workflow as mwf
from fuyuan.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    Minutes,
)

from . import texts
from .common import DAY, TZ, Ctx, TableWriter, Zipf, weighted
from .org import JurisdictionInfo, World


def generate(ctx: Ctx, world: World, n_meetings: int) -> None:
    rng = ctx.sub_rng("meetings")
    t = ctx.today
    now = datetime.datetime(t.year, t.month, t.day, 12, 0, tzinfo=TZ)
    jurisdictions = Zipf(
        world.jurisdictions, weights=[30.0] + [7.0] * (len(world.jurisdictions) - 1)
    )
    kinds = [(k, float(w)) for k, w in texts.MEETING_KINDS]
    names = [ctx.fake.name() for _ in range(300)]
    topics = [topic for group in texts.TOPICS.values() for topic in group]
    # Dates first, so minutes are numbered in the order the meetings were held.
    plan: list[tuple[datetime.date, int, JurisdictionInfo]] = []
    for i in range(n_meetings):
        day = t - rng.randint(-30, 5 * 365) * DAY
        while day.weekday() >= 5:
            day += DAY
        plan.append((day, i, jurisdictions.pick(rng)))
    plan.sort(key=lambda p: (p[0], p[1]))
    first = world.ids.take(Meeting, n_meetings)
    meetings = TableWriter(
        ctx,
        Meeting,
        [
            "id",
            "mechanism_id",
            "kind",
            "title",
            "chair_post_id",
            "starts_at",
            "ends_at",
            "place",
            "state",
            "state_comment",
            "held_at",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
    )
    agenda = TableWriter(
        ctx, AgendaItem, ["meeting_id", "order", "title", "created_at", "updated_at"]
    )
    invitations = TableWriter(
        ctx,
        Invitation,
        [
            "meeting_id",
            "unit_id",
            "attendance",
            "attendee_name",
            "signed_in_at",
            "signed_in_by_id",
            "created_at",
            "updated_at",
        ],
    )
    minutes = TableWriter(
        ctx,
        Minutes,
        [
            "id",
            "meeting_id",
            "mechanism_id",
            "year",
            "issue_no",
            "title",
            "body",
            "state",
            "comment_deadline",
            "circulated_at",
            "issued_at",
            "issued_by_id",
            "created_at",
            "updated_at",
        ],
    )
    decisions = TableWriter(
        ctx,
        Decision,
        ["minutes_id", "order", "text", "lead_unit_id", "deadline", "created_at", "updated_at"],
    )
    numbers: Counter[tuple[int, str, int]] = Counter()
    issues: Counter[tuple[int, int]] = Counter()
    for n, (day, _i, j) in enumerate(plan):
        mid = first + n
        assert j.leads is not None
        kind = weighted(rng, kinds)
        numbers[(j.id, kind, day.year)] += 1
        title = texts.MEETING_TITLES[kind].format(
            year=day.year, n=numbers[(j.id, kind, day.year)], topic=rng.choice(topics)
        )
        hour = 9 if rng.random() < 0.6 else 15
        starts = datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)
        ends = starts + datetime.timedelta(hours=rng.choice((1, 2, 2, 3)))
        created = starts - rng.randint(3, 14) * DAY
        if ends < now:
            state = mwf.CANCELLED if rng.random() < 0.03 else mwf.HELD
        else:
            state = mwf.SCHEDULED
        held = state == mwf.HELD
        meetings.add(
            mid,
            j.mechanism_id,
            kind,
            title[:200],
            j.convener_post_id if kind == "plenary" else None,
            starts,
            ends,
            f"{j.name}{rng.choice(texts.MEETING_PLACES)}",
            state,
            "因工作安排调整，会议取消。" if state == mwf.CANCELLED else "",
            ends if held else None,
            j.office_user_id,
            created,
            ends if held else created,
        )
        for k, item in enumerate(rng.sample(texts.AGENDA_ITEMS, rng.randint(2, 4)), start=1):
            agenda.add(mid, k, item, created, created)
        invited = j.leads.pick_distinct(rng, rng.randint(3, 8))
        for unit in invited:
            attendance, name, signed, by = Attendance.UNKNOWN, "", None, None
            if held:
                attendance = weighted(
                    rng, [(Attendance.ATTEND, 85), (Attendance.LEAVE, 10), (Attendance.OBSERVER, 5)]
                )
                name = names[rng.randrange(len(names))]
                if attendance != Attendance.LEAVE:
                    signed = starts - datetime.timedelta(minutes=rng.randint(5, 30))
                    by = unit.liaison_user_id
            invitations.add(mid, unit.id, attendance, name, signed, by, created, signed or created)
        if not held or rng.random() > 0.5:
            continue
        minutes_id = world.ids.take(Minutes)
        age = (t - day).days
        if age > 10:
            mstate = mwf.ISSUED
        elif age > 4:
            mstate = mwf.CIRCULATED
        else:
            mstate = mwf.DRAFT
        issue_no = None
        issued_at = circulated_at = None
        if mstate == mwf.ISSUED:
            issues[(j.id, day.year)] += 1
            issue_no = issues[(j.id, day.year)]
            issued_at = ends + rng.randint(3, 7) * DAY
        if mstate in (mwf.ISSUED, mwf.CIRCULATED):
            circulated_at = ends + rng.randint(1, 2) * DAY
        written = ends + datetime.timedelta(hours=20)
        minutes.add(
            minutes_id,
            mid,
            j.mechanism_id,
            day.year,
            issue_no,
            f"{title[:180]}纪要",
            "会议听取了有关单位工作汇报，研究了有关事项，议定如下。",
            mstate,
            (circulated_at + 3 * DAY).date() if circulated_at else None,
            circulated_at,
            issued_at,
            j.office_user_id if issued_at else None,
            written,
            issued_at or circulated_at or written,
        )
        for k, unit in enumerate(j.leads.pick_distinct(rng, rng.randint(1, 3)), start=1):
            deadline = day + rng.randint(30, 120) * DAY
            text = rng.choice(texts.DECISIONS).format(
                unit=unit.name, deadline=f"{deadline.month}月{deadline.day}日"
            )
            decisions.add(minutes_id, k, text, unit.id, deadline, written, written)
        if (n + 1) % 5000 == 0:
            ctx.say(f"  meetings: {n + 1:,}")
    meetings.close("meetings")
    agenda.close("agenda_items")
    invitations.close("invitations")
    minutes.close("minutes")
    decisions.close("decisions")
