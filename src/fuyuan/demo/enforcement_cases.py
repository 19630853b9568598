"""Demo data of government-debtor and livelihood enforcement cases and of point-to-point
inquiries, for `fuyuan load_demo_enforcement`, on top of the org demo (`fuyuan load_demo`).

How it is written (every write through the enforcement actions, audited):
- about forty cases over the last two years: bodies of the city and of the counties as
  debtors (工程款, 征收补偿, 拖欠企业账款 tagged 涉企) and livelihood cases (wages, support,
  medical and injury compensation), each enforced by the court of its place (豫17 for city
  bodies, the county's basic court for county bodies). The intermediate court's staff
  (`court`) register its own cases, the city office (`office`) the basic courts' cases as
  reported to it; each opens its supervised matter. Payments come in instalments; about a
  third of the cases are closed (结案销号), most fully paid, a few with a settlement or a
  termination of the procedure as reason;
- about thirty inquiries from the intermediate court (`court`) to 市自然资源和规划局 (不动产
  登记), 市住房公积金管理中心, 市公安局 (交警支队车管所: vehicles), 市人社局 (社保) and 市市场监管局
  (工商登记), sent through the action; 市人社局's liaison officer (`liaison`) answers its own
  through the action; the answers of departments without a demo account, and the dates of
  every inquiry (asked over the last eight weeks), are seed data written in bulk with ONE
  audit entry (`enforcement.demo.inquiries`). Some stay unanswered past their due date; the
  overdue ones are urged once.

Deterministic: a fixed seed; every date is relative to the day it is loaded. Every person,
company and number is invented; bodies and courts are the org demo's.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fuyuan.core import calendar

SEED = 20260316
DAY = datetime.timedelta(days=1)
CITY_COURT_CODE = "豫17"

COMPANIES = (
    "驻马店市恒达建筑工程有限公司",
    "河南天中路桥建设有限公司",
    "驻马店市宏远市政工程有限公司",
    "河南豫南绿化工程有限公司",
    "驻马店市华信物业服务有限公司",
    "驻马店市永盛商贸有限公司",
    "河南嵖岈山建材有限公司",
    "驻马店市鑫源电力安装有限公司",
    "河南汝河水利工程有限公司",
    "驻马店市安泰保安服务有限公司",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "明", "丽", "伟", "红梅", "国庆", "春生", "玉梅")
PRIVATE_DEBTORS = (
    "驻马店市某服装加工厂",
    "某劳务分包队（负责人）",
    "驻马店某商贸有限公司",
    "某民营医院",
    "某运输车队（车主）",
)
LIVELIHOOD = ("wages", "wages", "support", "medical_injury", "other_livelihood")

# Departments asked, what they are asked about, and what an answer says.
INQUIRY_TARGETS = (
    (
        "驻马店市自然资源和规划局",
        "real_estate",
        ("名下无不动产登记。", "名下登记住宅一套，已办理查封登记。"),
    ),
    (
        "驻马店市住房公积金管理中心",
        "housing_fund",
        ("公积金账户余额2.3万元，已冻结。", "无公积金账户。"),
    ),
    ("驻马店市公安局", "vehicles", ("名下登记小型轿车一辆，已办理查封。", "名下无机动车登记。")),
    (
        "驻马店市人力资源和社会保障局",
        "social_insurance",
        ("在某公司参保，缴费正常。", "无参保记录。"),
    ),
    (
        "驻马店市市场监督管理局",
        "business_registration",
        ("系某公司股东，认缴出资50万元。", "无企业登记信息。"),
    ),
)
DIVISIONS = ("411702", "411721", "411722", "411723", "411724", "411725", "411726", "411727")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _working(day: datetime.date) -> bool:
    try:
        return calendar.is_working_day(day)
    except calendar.CalendarMissing:
        return day.weekday() < 5


def _add_working(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day += DAY
        if _working(day):
            n -= 1
    return day


def _resident_id(rng: random.Random) -> str:
    from fuyuan.core.identifiers import resident_id_check_char

    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 40 * 365))
    body = f"{rng.choice(DIVISIONS)}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + resident_id_check_char(body)


class Loader:
    def __init__(self, today: datetime.date) -> None:
        from fuyuan.accounts.models import User

        self.today = today
        self.rng = random.Random(SEED)
        self.users = {
            u.username: u for u in User.objects.filter(username__in=("office", "court", "liaison"))
        }
        self.counts: dict[str, int] = {}

    # --- cases ----------------------------------------------------------------------------
    def cases(self) -> None:
        from fuyuan.enforcement import case_actions
        from fuyuan.org.models import Unit, UnitKind

        rng = self.rng
        courts = {
            u.court_code: u
            for u in Unit.objects.current()
            .courts()
            .exclude(court_code="")
            .select_related("jurisdiction")
        }
        city_court = courts.get(CITY_COURT_CODE)
        if city_court is None or "office" not in self.users or "court" not in self.users:
            return
        bodies_by_court: dict[str, list[Unit]] = {}
        for code, court in courts.items():
            bodies_by_court[code] = list(
                Unit.objects.current()
                .filter(jurisdiction=court.jurisdiction)
                .exclude(kind__in=(UnitKind.COURT, UnitKind.FINANCIAL_REGULATOR))
                .order_by("order_no", "pk")
            )
        codes = [c for c in sorted(courts) if bodies_by_court.get(c)]
        sequence: dict[tuple[int, str], int] = {}
        registered = closed = payments = 0
        for n in range(42):
            code = CITY_COURT_CODE if n % 3 == 0 else codes[n % len(codes)]
            court = courts[code]
            filed_on = self.today - datetime.timedelta(days=rng.randrange(40, 720))
            key = (filed_on.year, code)
            sequence[key] = sequence.get(key, rng.randrange(50, 300)) + rng.randrange(3, 40)
            livelihood = n % 4 == 3
            if livelihood:
                kind = rng.choice(LIVELIHOOD)
                debtor_unit = None
                debtor_name = rng.choice(PRIVATE_DEBTORS)
                creditor = (
                    f"{_person(rng)}等{rng.randrange(3, 30)}名务工人员"
                    if kind == "wages"
                    else _person(rng)
                )
                owed = Decimal(rng.randrange(8, 300) * 1000)
            else:
                kind = "enterprise_arrears" if n % 2 else "government_debtor"
                debtor_unit = rng.choice(bodies_by_court[code])
                debtor_name = debtor_unit.name
                creditor = rng.choice(COMPANIES) if kind == "enterprise_arrears" else _person(rng)
                owed = Decimal(rng.randrange(20, 2400) * 1000)
            actor = self.users["court" if code == CITY_COURT_CODE else "office"]
            case = case_actions.register_case(
                actor,
                number=f"（{filed_on.year}）{code}执{sequence[key]}号",
                court=court,
                kind=kind,
                debtor_unit=debtor_unit,
                debtor_name=debtor_name,
                creditor=creditor,
                filed_on=filed_on,
                amount_owed=owed,
            )
            registered += 1
            # Instalments: none, some, or all of it.
            share = rng.choice((0, 0, 0.2, 0.35, 0.5, 0.8, 1, 1, 1))
            target = (owed * Decimal(str(share))).quantize(Decimal("1"))
            parts = rng.randint(1, 3)
            day = filed_on
            left = target
            for part in range(parts):
                amount = left if part == parts - 1 else (target / parts).quantize(Decimal("1"))
                if amount <= 0:
                    break
                day = min(self.today, day + datetime.timedelta(days=rng.randrange(15, 90)))
                case_actions.record_payment(
                    actor, case, amount=amount, paid_on=day, note=rng.choice(("", "分期支付"))
                )
                left -= amount
                payments += 1
            case.refresh_from_db()
            if case.amount_paid >= case.amount_owed and rng.random() < 0.8:
                case_actions.close_case(actor, case, day, "")
                closed += 1
            elif case.amount_paid > 0 and rng.random() < 0.2:
                case_actions.close_case(
                    actor,
                    case,
                    day,
                    rng.choice(("执行和解协议已履行完毕", "申请人同意终结本次执行程序")),
                )
                closed += 1
            elif rng.random() < 0.25:
                case_actions.update_case(actor, case, state="plan")
        self.counts.update(
            {"enforcement_cases": registered, "case_payments": payments, "cases_closed": closed}
        )

    # --- inquiries ------------------------------------------------------------------------
    def inquiries(self) -> None:
        from fuyuan.audit.record import record
        from fuyuan.enforcement import inquiry_actions
        from fuyuan.enforcement.models import Inquiry, InquiryState
        from fuyuan.org.models import Unit

        rng = self.rng
        court_user = self.users.get("court")
        court = Unit.objects.current().courts().filter(court_code=CITY_COURT_CODE).first()
        if court_user is None or court is None:
            return
        departments = {
            u.name: u for u in Unit.objects.current().filter(jurisdiction=court.jurisdiction)
        }
        plan: list[tuple[Inquiry, datetime.date, int | None, str]] = []
        answered_live = 0
        for n in range(32):
            name, kind, answers = INQUIRY_TARGETS[n % len(INQUIRY_TARGETS)]
            department = departments.get(name)
            if department is None:
                continue
            asked_on = self.today - datetime.timedelta(days=rng.randrange(0, 56))
            item = inquiry_actions.send_inquiry(
                court_user,
                court=court,
                department=department,
                case_number=f"（{asked_on.year}）{CITY_COURT_CODE}执{rng.randrange(100, 2000)}号",
                kind=kind,
                party_name=_person(rng),
                party_id_type="resident_id",
                party_id_number=_resident_id(rng),
                question=rng.choice(("", "请协助查询被执行人名下财产情况并反馈。")),
                due_on=self.today,
            )
            # Recent ones may still be open; older ones are mostly answered, some late.
            open_left = rng.random() < (0.6 if (self.today - asked_on).days < 5 else 0.12)
            days = None if open_left else rng.choice((0, 1, 1, 2, 2, 3, 3, 4, 6))
            answer = rng.choice(answers)
            liaison = self.users.get("liaison")
            if days is not None and liaison is not None and name.endswith("社会保障局"):
                inquiry_actions.answer_inquiry(liaison, item, result=answer)
                answered_live += 1
            plan.append((item, asked_on, days, answer))
        # The history the actions cannot date: one audit entry for the batch.
        seeded = 0
        for item, asked_on, days, answer in plan:
            values: dict[str, Any] = {
                "asked_on": asked_on,
                "due_on": _add_working(asked_on, inquiry_actions.DEFAULT_WORKING_DAYS),
            }
            if days is not None:
                answered_on = min(self.today, _add_working(asked_on, days))
                values.update(
                    state=InquiryState.ANSWERED,
                    answered_on=answered_on,
                    answer_working_days=days,
                    result=answer,
                )
            Inquiry.objects.filter(pk=item.pk).update(**values)
            seeded += 1
        record(
            None,
            "enforcement.demo.inquiries",
            object_kind="enforcement.demo",
            detail={"inquiries": seeded, "answered_by_liaison": answered_live},
        )
        urged = inquiry_actions.urge_overdue_inquiries(self.today)
        self.counts.update({"inquiries": seeded, "inquiries_urged": urged})


def load(today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo cases and inquiries; returns counts by kind."""
    loader = Loader(today or timezone.localdate())
    loader.cases()
    loader.inquiries()
    return loader.counts
