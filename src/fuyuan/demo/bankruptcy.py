"""Demo data of bankruptcy coordination (part of `fuyuan load_demo_enforcement`): a dozen
bankruptcy cases at the intermediate court (豫17) and basic courts, coordination items opened
as matters for the departments that must act, information queries to departments (most
answered, some waiting, one overdue), and the bankruptcy-cost fund of the city (and of 西平县)
with a budget and applications at every step — some approved and paid.

How it is written: every record through `fuyuan.bankruptcy.actions` as a demo account — the
intermediate court (`court`) registers its cases, asks departments and applies to the fund;
the city office (`office`) registers the basic courts' cases it was told of, opens items and
runs the fund; the liaison officers of 市人社局 (`liaison`) and 市住建局 (`liaison2`) answer
queries. Actions date things "today"; the history (queries asked and answered on earlier
working days) is then back-dated in bulk with ONE audit entry (`bankruptcy.demo.load`).

Deterministic: a fixed seed; dates relative to the day it is loaded. Every enterprise,
administrator and text is invented."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from stdnum.cn import uscc

SEED = 20260315
_LETTERS = "ABCDEFGHJKLMNPQRTUWY"  # last character of the organisation part: never 0-9/X
_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"

DEBTORS = (
    "驻马店市恒远纺织有限公司",
    "驻马店天中机械制造有限公司",
    "驻马店市豫南食品有限公司",
    "驻马店市宏达置业有限公司",
    "驻马店华信化工有限公司",
    "驿城区鑫源建材有限公司",
    "西平县嫘祖丝绸有限公司",
    "上蔡县芝麻产业有限公司",
    "平舆县白芝麻食品有限公司",
    "确山县铜山石材有限公司",
    "汝南县天中山酒业有限公司",
    "新蔡县今是农业发展有限公司",
)
ADMINISTRATORS = (
    "河南天中律师事务所",
    "河南驻马店正信会计师事务所有限公司",
    "河南豫南清算事务所有限公司",
    "河南汇元律师事务所",
)
# (court code, stage, no assets)
PLAN = (
    ("豫17", "administration", True),
    ("豫17", "liquidation", True),
    ("豫17", "reorganisation", False),
    ("豫17", "accepted", True),
    ("豫17", "concluded", True),
    ("豫1702", "application", False),
    ("豫1721", "liquidation", True),
    ("豫1722", "administration", False),
    ("豫1723", "settlement", False),
    ("豫1725", "liquidation", True),
    ("豫1727", "accepted", False),
    ("豫1729", "application", False),
)
# Item kind -> words naming the department that usually leads it.
LEADS = {
    "wages": ("人力资源",),
    "asset_disposal": ("自然资源", "住房"),
    "tax": ("税务",),
    "deregistration": ("市场监督",),
    "credit_repair": ("发展和改革", "人民银行"),
    "finance": ("金融", "财政"),
    "social_stability": ("公安", "信访"),
}
ITEM_TEXT = {
    "wages": "协调垫付职工欠薪并做好社保关系转移",
    "asset_disposal": "协调办理厂房土地不动产登记，配合资产处置",
    "tax": "核定破产企业欠缴税款，办理清税手续",
    "deregistration": "破产程序终结后办理企业注销登记",
    "credit_repair": "重整完成后修复企业信用记录",
    "finance": "协调金融债权人参与重整，暂缓抽贷",
    "social_stability": "做好职工及债权人稳定工作，防范群体性事件",
}
QUESTIONS = {
    "real_estate": "查询债务人名下不动产登记及抵押情况",
    "vehicles": "查询债务人名下机动车登记情况",
    "social_insurance": "查询债务人欠缴社会保险费及拖欠工资情况",
    "housing_fund": "查询债务人住房公积金缴存及欠缴情况",
    "business_registration": "调取债务人工商登记档案及股权出质情况",
}


def credit_code(rng: random.Random, division: str) -> str:
    body = "91" + division + "MA" + "".join(rng.choice(_ALNUM) for _ in range(6))
    body += rng.choice(_LETTERS)
    return body + uscc.calc_check_digit(body)


def _user(username: str) -> Any:
    from fuyuan.accounts.models import User

    return User.objects.get(username=username)


def _lead(case: Any, kind: str, rng: random.Random) -> Any:
    from fuyuan.bankruptcy import actions

    choices = list(actions.lead_unit_choices(case))
    own = [u for u in choices if u.jurisdiction_id == case.mechanism.jurisdiction_id]
    for word in LEADS[kind]:
        for unit in own:
            if word in unit.name:
                return unit
    pool = [u for u in own if u.kind == "department"] or own
    return rng.choice(pool)


def load(today: datetime.date) -> dict[str, int]:
    from fuyuan.audit.record import record
    from fuyuan.bankruptcy import actions
    from fuyuan.bankruptcy.models import InformationQuery, QueryState
    from fuyuan.core import calendar
    from fuyuan.org.models import Mechanism, Unit

    rng = random.Random(SEED)
    court_user, office, county = _user("court"), _user("office"), _user("county")
    liaisons = {"hrss": _user("liaison"), "housing": _user("liaison2")}
    courts = {u.court_code: u for u in Unit.objects.current().courts().exclude(court_code="")}

    # --- cases -------------------------------------------------------------------------------
    cases = []
    for n, ((code, stage, no_assets), debtor) in enumerate(zip(PLAN, DEBTORS, strict=True)):
        court = courts[code]
        applied = today - datetime.timedelta(days=rng.randrange(60, 400))
        accepted = None if stage == "application" else applied + datetime.timedelta(days=20)
        concluded = None
        if stage == "concluded" and accepted is not None:
            concluded = min(accepted + datetime.timedelta(days=30), today)
        kind = "破申" if stage == "application" else "破"
        division = "4117" + (code[-2:] if len(code) == 5 else "00")
        cases.append(
            actions.create_case(
                court_user if code == "豫17" else office,
                number=f"（{applied.year}）{code}{kind}{n + 1}号",
                court=court,
                debtor_name=debtor,
                debtor_credit_code=credit_code(rng, division),
                administrator="" if stage == "application" else rng.choice(ADMINISTRATORS),
                administrator_contact=""
                if stage == "application"
                else "0396-2" + str(rng.randrange(10**5, 10**6)),
                applied_on=applied,
                accepted_on=accepted,
                concluded_on=concluded,
                stage=stage,
                no_assets=no_assets,
                employees=rng.randrange(15, 600),
                note="",
            )
        )

    # --- coordination items (matters) --------------------------------------------------------
    items = 0
    for case in cases:
        if case.stage in ("application", "concluded"):
            continue
        for kind in rng.sample(sorted(LEADS), rng.randrange(1, 3)):
            actions.add_item(
                court_user if case.court.court_code == "豫17" else office,
                case,
                kind=kind,
                description=ITEM_TEXT[kind],
                lead_unit=_lead(case, kind, rng),
                deadline=today + datetime.timedelta(days=rng.randrange(20, 90)),
            )
            items += 1

    # --- information queries (the intermediate court's cases) ---------------------------------
    city_units = {
        "hrss": Unit.objects.get(name="驻马店市人力资源和社会保障局"),
        "housing": Unit.objects.get(name="驻马店市住房和城乡建设局"),
    }
    plan = (
        ("housing", "real_estate"),
        ("hrss", "social_insurance"),
        ("housing", "housing_fund"),
        ("hrss", "social_insurance"),
        ("housing", "real_estate"),
    )
    queries: list[InformationQuery] = []
    for case in cases:
        if case.court.court_code != "豫17" or case.stage == "concluded":
            continue
        for dept, kind in rng.sample(plan, 3):
            queries.append(
                actions.ask_query(
                    court_user,
                    case,
                    department=city_units[dept],
                    kind=kind,
                    question=QUESTIONS[kind],
                    for_administrator=rng.random() < 0.5,
                )
            )
    # History: all but the last three were asked on earlier working days and answered after
    # one to five working days; one of the three still waiting is overdue.
    backdated: list[InformationQuery] = []
    for i, query in enumerate(queries):
        if i >= len(queries) - 3:
            if i == len(queries) - 1:
                query.asked_on = calendar.add_working_days(today, -6)
                query.due_on = calendar.add_working_days(query.asked_on, 3)
                backdated.append(query)
            continue
        asked = calendar.add_working_days(today, -rng.randrange(8, 120))
        days = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
        dept = "hrss" if query.department_id == city_units["hrss"].pk else "housing"
        query.asked_on = asked
        query.due_on = calendar.add_working_days(asked, 3)
        query.state = QueryState.ANSWERED
        query.answered_on = calendar.add_working_days(asked, days)
        query.answer_working_days = days
        query.answered_by = liaisons[dept]
        query.result = rng.choice(
            (
                "经查，债务人名下登记不动产两处，均已设定抵押。",
                "经查，债务人欠缴社会保险费约48万元，拖欠工资3个月。",
                "经查，无相关登记信息。",
                "经查，债务人住房公积金自去年起停缴，欠缴约12万元。",
            )
        )
        backdated.append(query)
    InformationQuery.objects.bulk_update(
        backdated,
        [
            "asked_on",
            "due_on",
            "state",
            "answered_on",
            "answer_working_days",
            "answered_by",
            "result",
        ],
    )

    # --- the cost fund -----------------------------------------------------------------------
    city = Mechanism.objects.get(jurisdiction__code="411700")
    fund = actions.set_budget(office, city, today.year, Decimal("500000"), note="年度预算")
    county_mechanism = Mechanism.objects.filter(jurisdiction__code="411721").first()
    funds = 1
    if county_mechanism is not None:
        actions.set_budget(county, county_mechanism, today.year, Decimal("100000"), note="年度预算")
        funds += 1
    eligible = [c for c in cases if c.court.court_code == "豫17" and c.no_assets]
    steps = (
        ("80000", "管理人报酬（第一期）", ("review", "approve", "pay")),
        ("35000", "审计评估费", ("review", "approve", "pay")),
        ("20000", "破产公告及送达费用", ("review", "approve")),
        ("60000", "财产保管及账册保管费用", ("review",)),
        ("15000", "债权人会议场地费用", ()),
        ("120000", "管理人报酬（超出标准）", ("reject",)),
    )
    applications = 0
    for n, (amount, reason, path) in enumerate(steps):
        case = eligible[n % len(eligible)]
        app = actions.apply_fund(court_user, case, amount=Decimal(amount), reason=reason)
        for step in path:
            comment = "超出保障标准，不予支持" if step == "reject" else ""
            app = actions.application_transition(
                office, app, step, comment=comment, payment_reference=f"国库集中支付{n + 1:03d}"
            )
        applications += 1
    fund.refresh_from_db()
    record(
        None,
        "bankruptcy.demo.load",
        object_kind="bankruptcy.demo",
        detail={"backdated_queries": len(backdated), "seed": SEED},
    )
    return {
        "bankruptcy_cases": len(cases),
        "bankruptcy_items": items,
        "bankruptcy_queries": len(queries),
        "bankruptcy_funds": funds,
        "bankruptcy_applications": applications,
    }
