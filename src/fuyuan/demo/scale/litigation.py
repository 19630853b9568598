"""Administrative cases at scale: five years of cases against the bodies of the city and its
counties, first instance at the basic court that hears that county's bodies (相对集中管辖),
appeals at the intermediate court; one to three hearings each, and for every held hearing
the court's record of the head's appearance (出庭应诉), confirmed by the body or still
awaiting it."""

from __future__ import annotations

import datetime
from collections import Counter

from fuyuan.demo.litigation import HEARING_COURT, HEARING_TIMES
from fuyuan.litigation import workflow as lwf
from fuyuan.litigation.models import (
    AdminCase,
    Appearance,
    CaseStage,
    CoDefendant,
    HeadRank,
    Hearing,
    HearingState,
    Instance,
    RecordSource,
)
from fuyuan.org.models import UnitKind

from . import texts
from .common import DAY, TZ, Ctx, TableWriter, Zipf, weighted
from .org import JurisdictionInfo, UnitInfo, World

INTERMEDIATE = "豫17"


def generate(ctx: Ctx, world: World, n_cases: int) -> None:
    rng = ctx.sub_rng("litigation")
    fake = ctx.fake
    t = ctx.today
    now = datetime.datetime(t.year, t.month, t.day, 12, 0, tzinfo=TZ)
    courts: dict[str, UnitInfo] = {}
    for area in world.jurisdictions:
        assert area.court is not None
        courts[INTERMEDIATE if area.is_city else "豫17" + area.code[-2:]] = area.court
    jurisdictions = Zipf(
        world.jurisdictions, weights=[30.0] + [7.0] * (len(world.jurisdictions) - 1)
    )
    defendants: dict[int, Zipf] = {}
    for area in world.jurisdictions:
        assert area.leads is not None
        bodies = [u for u in area.leads.items if u.kind != UnitKind.COURT]
        defendants[area.id] = Zipf(bodies, s=1.0)
    names = [fake.name() for _ in range(min(5000, max(200, n_cases // 4)))]
    companies = [fake.company() for _ in range(min(2000, max(100, n_cases // 10)))]
    causes = Zipf([c for c, _ in texts.CAUSES], weights=[w for _, w in texts.CAUSES])
    outcomes = [(o, float(w)) for o, w in texts.OUTCOMES]
    serial: Counter[tuple[str, int, str]] = Counter()
    first_case = world.ids.take(AdminCase, n_cases)

    cases = TableWriter(
        ctx,
        AdminCase,
        [
            "id",
            "mechanism_id",
            "number",
            "year",
            "court_id",
            "type_code",
            "instance",
            "plaintiffs",
            "defendant_id",
            "jurisdiction_id",
            "cause",
            "enterprise_related",
            "filed_on",
            "stage",
            "concluded_on",
            "outcome",
            "source",
            "created_at",
            "updated_at",
        ],
        chunk=10000,
    )
    hearings = TableWriter(
        ctx,
        Hearing,
        [
            "id",
            "case_id",
            "starts_at",
            "place",
            "state",
            "reminded_on",
            "source",
            "created_at",
            "updated_at",
        ],
        chunk=10000,
    )
    appearances = TableWriter(
        ctx,
        Appearance,
        [
            "case_id",
            "hearing_id",
            "unit_id",
            "rank",
            "head_name",
            "head_post",
            "spoke",
            "absence_reason",
            "state",
            "recorded_by_id",
            "recorded_on",
            "confirmed_on",
            "auto_confirmed",
            "created_at",
            "updated_at",
        ],
        chunk=10000,
    )
    co_defendants = TableWriter(ctx, CoDefendant, ["case_id", "unit_id"])

    for i in range(n_cases):
        case_id = first_case + i
        j: JurisdictionInfo = jurisdictions.pick(rng)
        defendant: UnitInfo = defendants[j.id].pick(rng)
        filed = t - rng.randint(0, 5 * 365) * DAY
        year = filed.year
        appeal = rng.random() < 0.15
        if appeal:
            court, type_code, instance = courts[INTERMEDIATE], "行终", Instance.SECOND
        else:
            court = courts[HEARING_COURT.get(j.code, "豫1702")]
            type_code, instance = "行初", Instance.FIRST
        code = (
            INTERMEDIATE if court is courts[INTERMEDIATE] else "豫17" + court.jurisdiction.code[-2:]
        )
        serial[(code, year, type_code)] += 1
        number = f"（{year}）{code}{type_code}{serial[(code, year, type_code)]}号"
        enterprise = rng.random() < 0.25
        if enterprise:
            plaintiffs = companies[rng.randrange(len(companies))]
        else:
            plaintiffs = "\n".join(rng.sample(names, weighted(rng, [(1, 80), (2, 14), (3, 6)])))
        # Hearings: the first a few weeks after filing, the next ones weeks apart.
        day = filed + rng.randint(25, 70) * DAY
        starts: list[datetime.datetime] = []
        for _ in range(weighted(rng, [(1, 60), (2, 30), (3, 10)])):
            h, m = HEARING_TIMES[rng.randrange(len(HEARING_TIMES))]
            while day.weekday() >= 5:
                day += DAY
            starts.append(datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=TZ))
            day += rng.randint(14, 60) * DAY
        last = starts[-1].date()
        concluded_on = None
        outcome = ""
        if last + 10 * DAY < t and rng.random() < 0.93:
            concluded_on = min(last + rng.randint(5, 45) * DAY, t - DAY)
            outcome = weighted(rng, outcomes)
            stage = CaseStage.CONCLUDED
        elif starts[0] < now:
            stage = CaseStage.HEARING
        else:
            stage = CaseStage.FILED
        created = datetime.datetime(filed.year, filed.month, filed.day, 16, 0, tzinfo=TZ)
        updated = max(created, *[s for s in starts if s < now], created)
        cases.add(
            case_id,
            j.mechanism_id,
            number,
            year,
            court.id,
            type_code,
            instance,
            plaintiffs,
            defendant.id,
            j.id,
            causes.pick(rng),
            enterprise,
            filed,
            stage,
            concluded_on,
            outcome,
            RecordSource.IMPORT,
            created,
            updated,
        )
        if rng.random() < 0.08 and j.gov is not None and j.gov is not defendant:
            co_defendants.add(case_id, j.gov.id)
        place = texts.COURTROOMS[rng.randrange(len(texts.COURTROOMS))]
        hid = world.ids.take(Hearing, len(starts))
        for k, start in enumerate(starts):
            held = start < now
            state = HearingState.HELD if held else HearingState.SCHEDULED
            if held and outcome == "withdrawn" and k == len(starts) - 1 and rng.random() < 0.3:
                state = HearingState.CANCELLED
            reminded = (start.date() - 3 * DAY) if start.date() - 3 * DAY <= t else None
            hearings.add(
                hid + k,
                case_id,
                start,
                place,
                state,
                reminded,
                RecordSource.IMPORT,
                created,
                created,
            )
            if state != HearingState.HELD:
                continue
            roll = rng.random()
            rank = HeadRank.TOP if roll < 0.3 else HeadRank.DEPUTY if roll < 0.82 else HeadRank.NONE
            appeared = rank != HeadRank.NONE
            day_of = start.date()
            recorded = min(day_of + rng.randint(0, 2) * DAY, t)
            recent = (t - day_of).days <= 5
            confirmed = None if recent else min(recorded + rng.randint(0, 5) * DAY, t)
            auto = confirmed is not None and rng.random() < 0.3
            when = datetime.datetime(recorded.year, recorded.month, recorded.day, 17, 0, tzinfo=TZ)
            appearances.add(
                case_id,
                hid + k,
                defendant.id,
                rank,
                names[rng.randrange(len(names))] if appeared else "",
                (defendant.head_title if rank == HeadRank.TOP else "副" + defendant.head_title)
                if appeared
                else "",
                appeared and rng.random() < 0.7,
                "" if appeared else texts.ABSENCE_REASONS[rng.randrange(3)],
                lwf.RECORDED if recent else lwf.CONFIRMED,
                court.court_user_id or None,
                recorded,
                confirmed,
                auto,
                when,
                when,
            )
        if (i + 1) % 20000 == 0:
            ctx.say(f"  cases: {i + 1:,}")
    cases.close("admin_cases")
    hearings.close("hearings")
    appearances.close("appearances")
    co_defendants.close("co_defendants")
