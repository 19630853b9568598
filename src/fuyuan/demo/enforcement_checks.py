"""Demo data of list checks and feedback (联合惩戒 · 触发反馈), on top of the demo debtor list
(`demo.enforcement_debtors`): the demo departments check the parties of their business — 市住建局
(`liaison2`) its construction-qualification applicants and a renovation tender's bidders, 市人社局
(`liaison`) the employers applying for an employment subsidy and a public-institution
recruitment, the city office (`office`) and 西平县's office (`county`) the candidates for
civility honours and a small procurement — through `check_actions.run_check`, as those
accounts. Each batch mixes parties on the list (hits), parties whose entry was removed or is
held (no match), parties known by name only or by a masked number (to confirm) and many
invented parties that are not on the list.

The departments then answer most hits through `give_feedback` and settle most matches to
confirm through `confirm_match`; some hits stay unanswered (the daily job urges them). The
checks are dated over the last weeks: the dates are seed data, moved in bulk with ONE audit
entry (`enforcement.demo.checks`), as the other demos do.

Deterministic: a fixed seed; every date is relative to the day it is loaded. Every invented
party and number is fictitious.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

SEED = 20251207
FEEDBACK_SHARE = 0.8  # hits answered
CONFIRM_SHARE = 0.75  # matches to confirm that the department settles


@dataclass(frozen=True)
class Plan:
    account: str
    unit: str  # unit name, or "" for the office unit of the account's joint meeting
    scenario: str
    reference: str
    file_name: str
    organisations: int  # invented organisations
    persons: int  # invented persons
    hits: int  # parties taken from active entries
    removed: int  # parties of removed / held entries (never a hit)
    names_only: int  # names of active entries without a number
    masked: int  # numbers typed masked
    days_ago: int


PLANS = (
    Plan(
        "liaison2",
        "驻马店市住房和城乡建设局",
        "market_entry",
        "建筑业企业资质审批（第三批）",
        "建筑业企业资质申请名单.xlsx",
        560,
        0,
        14,
        6,
        2,
        0,
        41,
    ),
    Plan(
        "liaison2",
        "驻马店市住房和城乡建设局",
        "tender",
        "中心城区老旧小区改造项目（三标段）施工招标",
        "",
        38,
        0,
        3,
        1,
        0,
        0,
        26,
    ),
    Plan(
        "liaison",
        "驻马店市人力资源和社会保障局",
        "subsidy",
        "一次性吸纳就业补贴申领审核",
        "吸纳就业补贴申领单位.csv",
        900,
        300,
        22,
        8,
        6,
        4,
        33,
    ),
    Plan(
        "liaison",
        "驻马店市人力资源和社会保障局",
        "post",
        "事业单位公开招聘拟聘用人员",
        "拟聘用人员名单.xlsx",
        0,
        280,
        3,
        2,
        3,
        2,
        12,
    ),
    Plan("office", "", "honours", "市级文明单位推荐对象审核", "", 70, 0, 2, 1, 1, 0, 20),
    Plan("county", "", "procurement", "西平县司法局办公设备采购", "", 16, 0, 1, 1, 0, 0, 4),
)

NOT_APPLICABLE_REASONS = (
    "该申请人已主动撤回申请，本次业务未办理",
    "经核实，申请事项不属于限制范围，依规办理",
    "该主体已于审核期间履行完毕，法院已屏蔽失信信息",
)
NOT_SAME_NOTES = (
    "经比对身份证号码，与名单人员不是同一人",
    "统一社会信用代码不同，系同名企业",
    "出生日期不符，非同一人",
)


def _masked(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def load(today: datetime.date) -> dict[str, int]:
    """Run the demo departments' checks, answer most hits, date the checks; returns counts."""
    from django.contrib.auth import get_user_model

    from fuyuan.audit.record import record
    from fuyuan.enforcement import check_actions, measures
    from fuyuan.enforcement.models import (
        Check,
        CheckHit,
        DebtorRecord,
        DebtorState,
        FeedbackAction,
        HitState,
        PartyKind,
    )
    from fuyuan.org.models import Mechanism, Unit

    from .enforcement_debtors import credit_code, resident_id

    rng = random.Random(SEED)
    users = {u.username: u for u in get_user_model()._default_manager.all()}
    entries = list(
        DebtorRecord.objects.filter(id_masked=False)
        .exclude(id_number="")
        .only("name", "id_number", "party_kind", "state")
        .order_by("pk")
    )
    masked_entries = list(
        DebtorRecord.objects.hitting().filter(id_masked=True).only("name").order_by("pk")
    )
    active = {
        kind: [e for e in entries if e.state == DebtorState.ACTIVE and e.party_kind == kind]
        for kind in PartyKind.values
    }
    inactive = [e for e in entries if e.state != DebtorState.ACTIVE]
    serial = 100
    checks: list[tuple[Any, Plan]] = []
    for plan in PLANS:
        user = users[plan.account]
        if plan.unit:
            unit = Unit.objects.current().get(name=plan.unit)
        else:
            [assignment] = user.active_assignments(today)[:1]
            unit = Mechanism.objects.get(jurisdiction=assignment.jurisdiction).office_unit
        parties: list[tuple[str, str]] = []
        for _i in range(plan.organisations):
            serial += 1
            place = rng.choice(("驻马店", "西平县", "上蔡县", "遂平县", "汝南县", "泌阳县"))
            trade = rng.choice(("建筑工程", "劳务", "商贸", "装饰工程", "农业科技", "物流"))
            parties.append(
                (f"{place}{trade}第{serial}号有限公司", credit_code("411700", f"DM{serial:06d}"))
            )
        for _i in range(plan.persons):
            serial += 1
            born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randint(0, 14000))
            name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(("子涵", "思远", "雨桐", "浩然"))
            parties.append((name, resident_id("411721", born, serial % 1000)))
        kind = PartyKind.ORGANISATION if plan.organisations else PartyKind.PERSON
        pool = active[kind] or active[PartyKind.PERSON] or active[PartyKind.ORGANISATION]
        for e in rng.sample(pool, min(plan.hits, len(pool))):
            parties.append((e.name, e.id_number))
        for e in rng.sample(inactive, min(plan.removed, len(inactive))):
            parties.append((e.name, e.id_number))
        for e in rng.sample(masked_entries, min(plan.names_only, len(masked_entries))):
            parties.append((e.name, ""))
        persons = active[PartyKind.PERSON]
        for e in rng.sample(persons, min(plan.masked, len(persons))):
            parties.append((e.name, _masked(e.id_number)))
        rng.shuffle(parties)
        check = check_actions.run_check(
            user,
            unit=unit,
            scenario=plan.scenario,
            parties=[(n, i, row) for row, (n, i) in enumerate(parties, start=2)],
            reference=plan.reference,
            file_name=plan.file_name,
        )
        checks.append((check, plan))
    # Seed dates: each check on its day (one audit entry for the batch).
    moved = []
    for check, plan in checks:
        day = today - datetime.timedelta(days=plan.days_ago)
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        Check.objects.filter(pk=check.pk).update(created_at=at, updated_at=at)
        CheckHit.objects.filter(check_run=check).update(created_at=at, updated_at=at)
        moved.append({"check": check.pk, "on": day.isoformat()})
    record(
        None,
        "enforcement.demo.checks",
        object_kind="enforcement.demo",
        detail={"checks": moved},
    )
    answered = confirmed = 0
    for check, plan in checks:
        user = users[plan.account]
        day = today - datetime.timedelta(days=plan.days_ago)
        keys = [m.key for m in measures.measures_for(plan.scenario)]
        for hit in CheckHit.objects.filter(check_run=check).order_by("pk"):
            if hit.state == HitState.NEEDS_CONFIRMATION and rng.random() < CONFIRM_SHARE:
                same = rng.random() < 0.35
                note = "" if same else rng.choice(NOT_SAME_NOTES)
                hit = check_actions.confirm_match(user, hit, same, note)
                confirmed += 1
            # The newest check is left for the department to answer.
            if hit.counts_as_hit and plan.days_ago > 5 and rng.random() < FEEDBACK_SHARE:
                on = min(today, day + datetime.timedelta(days=rng.randint(1, 6)))
                if rng.random() < 0.85:
                    check_actions.give_feedback(
                        user, hit, action=FeedbackAction.APPLIED, measure=rng.choice(keys), on=on
                    )
                else:
                    check_actions.give_feedback(
                        user,
                        hit,
                        action=FeedbackAction.NOT_APPLICABLE,
                        note=rng.choice(NOT_APPLICABLE_REASONS),
                        on=on,
                    )
                answered += 1
    urged = check_actions.urge_unanswered_hits(today)
    hits = CheckHit.objects.filter(state__in=check_actions.HIT_STATES)
    return {
        "checks": len(checks),
        "check_parties": sum(c.parties for c, _p in checks),
        "check_hits": hits.count(),
        "check_hits_answered": answered,
        "check_hits_unanswered": hits.filter(feedback="").count(),
        "check_matches_confirmed": confirmed,
        "check_matches_to_confirm": CheckHit.objects.filter(
            state=HitState.NEEDS_CONFIRMATION
        ).count(),
        "checks_urged": urged,
    }
