"""Demo data of the data exchange for `fuyuan load_demo_exchange`, on top of the org demo and the
litigation and enforcement demos: the systems connected to the platform, the access grants of
the court's purpose-bound datasets, the pull log of the last weeks, the court system's pushes
and a file dropped through the gateway.

How it is written (every write through the exchange's own code, audited):
- five system clients, created by the system administrator (`sysadmin`) through
  `client_actions.create_client` (the service user, without a role), confirmed by the
  security administrator (`secadmin`) through `client_actions.confirm_client` (which grants
  the role through `accounts.actions.grant_role`), their first token then issued by the
  system administrator (`client_actions.issue_token`) — the separation of the three
  administrators, as in production: the
  intermediate court's case-management system (pushes imports, reads its own litigation and
  enforcement data), 市人社局's tendering-qualification system, 市财政局's procurement system,
  市市场监管局's credit-publicity system and 市住建局's presale-funds system. The court's system
  rotates its token (the old one lives a week more); 市市场监管局's first token is revoked
  (found in a test configuration) and a new one issued; 市住建局's system is deactivated after
  its grant was revoked;
- eight access grants of the court's datasets, asked and decided through `grant_actions` by
  the people who may: 市人社局's liaison officer (`liaison`) and 市住建局's (`liaison2`) for their
  units, the systems of 市财政局 and 市市场监管局 for theirs (a unit's system may ask, and those
  units have no demo person), the intermediate court's staff (`court`) deciding as provider.
  States: approved without personal fields (市人社局, debtor list, 招投标资格审查, one year),
  approved with personal fields for a narrow purpose (市财政局, expert-pool review, three
  months), awaiting the court (市市场监管局), refused with the reason (市市场监管局, cases),
  withdrawn (市人社局, cases), revoked (市住建局, debtor list, after a bulk download), and the
  bankruptcy cases for 市住建局: last year's grant, ended, and its renewal;
- some eighty pulls over the last five weeks, each checked by `access.check` (the API's
  own check, so a pull happens only under a grant valid at the time) and written by
  `access.log_pull` with the filter and the row count the API's list would give (the rows
  counted through the dataset's own viewset and FilterSet, `packages.dataset_rows`); one
  export package of the bankruptcy cases written for 市住建局 by `packages.write_package`;
- three batches pushed by the court's system through `core.importing.submit` + `process`
  (new cases with one bad row, their hearings with one row for the case that failed, and the
  same cases file sent again under a new batch id: "duplicate file"), and one cases file
  dropped through the gateway and taken in by `exchange.drop.handle` (receipt, done folder).

Dates: the actions stamp "now", and refuse — rightly — a grant whose period is already over.
What happened earlier is therefore done now, in the order it happened, and dated afterwards:
pull times, the grants' request and decision times (and the ended grant's period), the
clients' connection dates and their tokens' last use are moved by queryset updates, recorded
in ONE audit entry (`exchange.demo.dates`), as the other demos do. The audit entries of the
actions keep the time they were written.

Tokens are random (only their SHA-256 is stored) and never printed unless asked
(`--show-tokens`); everything else is deterministic for a given day (a fixed seed, dates
relative to today). Every person, company, number and text is invented.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import json
import math
import random
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuyuan.core import calendar

SEED = 20261127
DAY = datetime.timedelta(days=1)
CITY_CODE = "411700"
XIPING_CODE = "411721"
# Demo accounts of the org demo this loader acts as.
REQUIRED_ACCOUNTS = ("sysadmin", "secadmin", "court", "liaison", "liaison2")
# Units of the org demo it names, by short name (jurisdiction code).
REQUIRED_UNITS = (
    ("市中级人民法院", CITY_CODE),
    ("市人社局", CITY_CODE),
    ("市财政局", CITY_CODE),
    ("市市场监管局", CITY_CODE),
    ("市住建局", CITY_CODE),
    ("市政府", CITY_CODE),
    ("市自然资源规划局", CITY_CODE),
    ("市城管局", CITY_CODE),
    ("西平县政府", XIPING_CODE),
)
# Working days of pulls before today.
WINDOW = 25
API_PATHS = {
    "enforcement.debtors": "/api/v1/enforcement/debtors/",
    "litigation.cases": "/api/v1/litigation/cases/",
    "bankruptcy.cases": "/api/v1/bankruptcy/cases/",
}
API_PAGE_SIZE = 50  # the API's default page


class DemoError(Exception):
    """The demo cannot be built on this database (a prerequisite is missing)."""


# --- the systems --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientPlan:
    key: str
    unit: str  # short name
    name: str
    scopes: dict[str, str]
    rate_per_minute: int
    note: str
    connected_days_ago: int  # calendar days


CLIENTS = (
    ClientPlan(
        "court",
        "市中级人民法院",
        "中院审判管理系统（数据推送）",
        {
            "litigation.cases": "read",
            "litigation.recommendations": "read",
            "enforcement.debtors": "read",
            "enforcement.cases": "read",
            "bankruptcy": "read",
            "imports": "write",
        },
        300,
        "法院专网侧前置机，经网闸推送案件、开庭数据；每日 21:30 导出，22:00 推送",
        150,
    ),
    ClientPlan(
        "hr",
        "市人社局",
        "市人社局招标投标资格审查系统",
        {"enforcement.debtors": "read", "enforcement.checks": "write", "exchange.grants": "read"},
        120,
        "开标前核查投标人失信情况；对接人：信息中心系统运维组",
        52,
    ),
    ClientPlan(
        "finance",
        "市财政局",
        "市财政局政府采购管理系统",
        {"enforcement.debtors": "read", "enforcement.checks": "write", "exchange.grants": "write"},
        120,
        "政府采购评审专家库及供应商资格核验",
        35,
    ),
    ClientPlan(
        "market",
        "市市场监管局",
        "市市场监管局企业信用信息公示系统",
        {"enforcement.debtors": "read", "litigation.cases": "read", "exchange.grants": "write"},
        60,
        "联合惩戒信息归集；授权待法院审批",
        50,
    ),
    ClientPlan(
        "housing",
        "市住建局",
        "市住建局商品房预售资金监管系统",
        {"enforcement.debtors": "read", "bankruptcy": "read", "exchange.grants": "read"},
        60,
        "预售资金拨付前核查开发企业；问题楼盘涉破产企业跟踪",
        400,
    ),
)

# --- invented parties ----------------------------------------------------------------------------
# Bidders of 市人社局's tenders (人力资源服务、职业技能培训、劳务派遣、信息化) — none on the list.
BIDDERS = (
    "驻马店市众诚人力资源服务有限公司",
    "河南天中职业技能培训学校有限公司",
    "驻马店市启航劳务派遣有限公司",
    "驻马店市恒信软件技术有限公司",
    "河南豫南人才服务有限公司",
    "驻马店市锦程职业培训学校",
    "遂平县顺安劳务服务有限公司",
    "驻马店市天润物业管理有限公司",
    "河南博远信息技术有限公司",
    "驻马店市华育教育咨询有限公司",
    "确山县同心劳务派遣有限公司",
    "驻马店市金桥人力资源开发有限公司",
    "汝南县新程职业技能培训学校",
    "驻马店市明德档案服务有限公司",
    "河南中原云数科技有限公司",
    "驻马店市安居保安服务有限公司",
)
# Developers applying for presale funds (市住建局) — none on the list.
DEVELOPERS = (
    "驻马店市天悦房地产开发有限公司",
    "驻马店市御景置地有限公司",
    "驻马店市金域房地产开发有限公司",
    "西平县嘉和置业有限公司",
    "驻马店市锦绣华庭房地产开发有限公司",
    "上蔡县鸿福房地产开发有限公司",
)
RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DIVISIONS = ("411702", "411721", "411722", "411723", "411724", "411725", "411727", "411728")


def resident_id(rng: random.Random) -> str:
    """An invented, well-formed 18-digit resident ID of 驻马店 (GB 11643 check character)."""
    born = datetime.date(1958, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 30))
    body = f"{rng.choice(DIVISIONS)}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    total = sum(int(c) * w for c, w in zip(body, RID_WEIGHTS, strict=True)) % 11
    return body + "10X98765432"[total]


def csv_file(name: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


# --- the loader ----------------------------------------------------------------------------------
class ExchangeDemo:
    """Builds the demo in the order it happened: clients, grants and the pulls under them,
    the court's pushes and drop, the package, today's revocations; then dates it."""

    def __init__(self, today: datetime.date) -> None:
        from fuyuan.accounts.models import User
        from fuyuan.org.models import Unit

        self.today = today
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.rng = random.Random(SEED)
        self.users = {u.username: u for u in User.objects.filter(username__in=REQUIRED_ACCOUNTS)}
        missing = [name for name in REQUIRED_ACCOUNTS if name not in self.users]
        if missing:
            raise DemoError(
                f"Demo accounts missing: {', '.join(missing)}. Run `fuyuan load_demo` first."
            )
        self.units: dict[str, Any] = {}
        for short_name, code in REQUIRED_UNITS:
            unit = (
                Unit.objects.current(today)
                .select_related("jurisdiction")
                .filter(short_name=short_name, jurisdiction__code=code)
                .first()
            )
            if unit is None:
                raise DemoError(
                    f"Unit {short_name} of the org demo missing: run `fuyuan load_demo`."
                )
            self.units[short_name] = unit
        self.clients: dict[str, Any] = {}
        self.first_tokens: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}  # client name → its usable token, in clear
        self.grants: dict[str, Any] = {}
        self.pulls: list[tuple[int, datetime.datetime]] = []
        self.grant_dates: dict[str, dict[str, Any]] = {}
        self.row_counts: dict[tuple[Any, ...], int] = {}
        self.bulk_day = today
        self.bulk_rows = 0
        self.counts: Counter[str] = Counter()

    # --- days and times -----------------------------------------------------------------------
    def is_working(self, day: datetime.date) -> bool:
        try:
            return calendar.is_working_day(day)
        except calendar.CalendarMissing:
            return day.weekday() < 5

    def back(self, n: int) -> datetime.date:
        """The working day n working days before today."""
        day, count = self.today, 0
        while count < n:
            day -= DAY
            if self.is_working(day):
                count += 1
        return day

    def ahead(self, n: int) -> datetime.date:
        day, count = self.today, 0
        while count < n:
            day += DAY
            if self.is_working(day):
                count += 1
        return day

    def working_on_or_before(self, day: datetime.date) -> datetime.date:
        while not self.is_working(day):
            day -= DAY
        return day

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def office_hours(self, day: datetime.date) -> datetime.datetime:
        """A moment of the working day: 8:40–11:50 or 14:40–17:40."""
        if self.rng.random() < 0.55:
            minutes = self.rng.randrange(8 * 60 + 40, 11 * 60 + 50)
        else:
            minutes = self.rng.randrange(14 * 60 + 40, 17 * 60 + 40)
        return self.at(day, minutes // 60, minutes % 60)

    # --- the whole demo -------------------------------------------------------------------------
    def load(self) -> dict[str, int]:
        self.connect_clients()
        self.hr_grants()
        self.finance_grant()
        self.market_grants()
        self.housing_debtors_grant()
        self.housing_bankruptcy_grants()
        self.court_reads()
        self.pushes()
        self.drop()
        self.package()
        self.todays_steps()
        self.date_everything()
        self.count_states()
        return dict(self.counts)

    # --- clients ---------------------------------------------------------------------------------
    def connect_clients(self) -> None:
        from fuyuan.exchange import client_actions

        admin = self.users["sysadmin"]
        security = self.users["secadmin"]
        for plan in CLIENTS:
            client = client_actions.create_client(
                admin,
                name=plan.name,
                unit=self.units[plan.unit],
                scopes=plan.scopes,
                rate_per_minute=plan.rate_per_minute,
                note=plan.note,
            )
            client = client_actions.confirm_client(security, client)
            token, raw = client_actions.issue_token(admin, client)
            self.clients[plan.key] = client
            self.first_tokens[plan.key] = token
            self.tokens[plan.name] = raw
        self.counts["clients"] = len(CLIENTS)

    # --- grants ----------------------------------------------------------------------------------
    def ask(
        self,
        key: str,
        actor: Any,
        unit: str,
        dataset: str,
        purpose: str,
        legal_basis: str,
        valid_from: datetime.date,
        valid_to: datetime.date,
        *,
        personal: bool = False,
        asked: datetime.datetime,
    ) -> Any:
        from fuyuan.exchange import grant_actions

        grant = grant_actions.request_access(
            actor,
            requesting_unit=self.units[unit],
            provider_unit=self.units["市中级人民法院"],
            dataset=dataset,
            purpose=purpose,
            legal_basis=legal_basis,
            valid_from=valid_from,
            valid_to=valid_to,
            personal_requested=personal,
        )
        self.grants[key] = grant
        self.grant_dates[key] = {"created_at": asked, "updated_at": asked}
        return grant

    def approve(
        self, key: str, when: datetime.datetime, note: str, *, personal: bool = False
    ) -> Any:
        from fuyuan.exchange import grant_actions

        grant = grant_actions.approve(
            self.users["court"], self.grants[key], personal_granted=personal, note=note
        )
        self.grant_dates[key].update(decided_at=when, updated_at=when)
        return grant

    def hr_grants(self) -> None:
        from fuyuan.exchange import grant_actions
        from fuyuan.exchange.grant_actions import last_allowed_day

        liaison = self.users["liaison"]
        decided = self.back(45)
        self.ask(
            "hr_debtors",
            liaison,
            "市人社局",
            "enforcement.debtors",
            "人力资源服务、职业技能培训等政府采购和招标投标项目的投标人资格审查：开标前核查投标单位"
            "是否被列入失信被执行人名单，对失信主体依法限制参与投标。仅查询单位名称，不需要个人信息。",
            "《中华人民共和国招标投标法实施条例》；《最高人民法院关于公布失信被执行人名单信息的"
            "若干规定》；《关于对失信被执行人实施联合惩戒的合作备忘录》",
            decided,
            last_allowed_day(decided),
            asked=self.at(self.back(47), 10, 20),
        )
        self.approve(
            "hr_debtors",
            self.at(decided, 15, 40),
            "同意。限于招标投标资格审查，按投标单位逐户查询，不含身份证号码等个人信息；"
            "查询结果不得对外公开或转用。",
        )
        # Tender openings: bidders looked up one by one before the bid opening (9:00–9:40),
        # and on Mondays the week's newly published organisations, as one page of 500.
        hits = self._list_names(("商贸", "建筑工程", "物流"), 3)
        openings = sorted({self.back(n) for n in (24, 21, 18, 15, 12, 9, 6, 3, 1)})
        for i, day in enumerate(openings):
            bidders = self.rng.sample(BIDDERS, self.rng.randint(2, 4))
            if i % 3 == 1 and hits:
                bidders.append(hits[(i // 3) % len(hits)])
            for j, name in enumerate(bidders):
                self.pull(
                    "hr",
                    "enforcement.debtors",
                    {"q": name, "state": "active"},
                    self.at(day, 9, 2 + 9 * j + self.rng.randrange(6)),
                )
        for day in self._mondays():
            since = day - 7 * DAY
            self.pull(
                "hr",
                "enforcement.debtors",
                {
                    "party_kind": "organisation",
                    "state": "active",
                    "published_from": since.isoformat(),
                    "page": "1",
                    "page_size": "500",
                },
                self.at(day, 7, 30 + self.rng.randrange(20)),
                page_size=500,
            )
        # Withdrawn: the bureau asked for the cases where it is the defendant, then learnt that
        # its own cases are on the ledger pages for its people, without a grant.
        asked = self.back(6)
        self.ask(
            "hr_cases",
            liaison,
            "市人社局",
            "litigation.cases",
            "统计分析本局作为被告的工伤认定、社会保险类行政诉讼案件的败诉原因，改进执法。",
            "",
            asked,
            asked + 180 * DAY,
            asked=self.at(asked, 9, 50),
        )
        grant_actions.withdraw(liaison, self.grants["hr_cases"])
        when = self.at(self.back(5), 11, 5)
        self.grant_dates["hr_cases"].update(ended_at=when, updated_at=when)

    def finance_grant(self) -> None:
        """Personal fields for a narrow purpose: the expert pool's review, three months."""
        from fuyuan.enforcement.models import DebtorRecord

        system = self.clients["finance"].service_user
        decided = self.back(20)
        self.ask(
            "finance_debtors",
            system,
            "市财政局",
            "enforcement.debtors",
            "政府采购评审专家库年度复核：核对拟续聘的评审专家本人是否为失信被执行人。专家仅以"
            "身份证号码唯一识别，需比对身份证号码字段；不涉及其他人员。",
            "《政府采购评审专家管理办法》；《关于对失信被执行人实施联合惩戒的合作备忘录》",
            decided,
            decided + 89 * DAY,
            personal=True,
            asked=self.at(self.back(21), 9, 15),
        )
        self.approve(
            "finance_debtors",
            self.at(decided, 16, 30),
            "同意开放身份证号码字段，仅限评审专家库复核逐人核验使用；核验结果不得留存号码明文，"
            "期满即停止。",
            personal=True,
        )
        # The review: experts looked up by their identity number on three days; one of them is
        # on the list, and the system then reads that entry.
        on_list = (
            DebtorRecord.objects.filter(
                state="active", party_kind="person", id_type="resident_id", id_masked=False
            )
            .order_by("pk")
            .first()
        )
        for n, lookups in ((18, 6), (17, 5), (11, 4)):
            day = self.back(n)
            start = self.office_hours(day)
            for i in range(lookups):
                when = start + datetime.timedelta(minutes=2 * i + self.rng.randrange(2))
                self.pull("finance", "enforcement.debtors", {"ident": resident_id(self.rng)}, when)
            if n == 17 and on_list is not None:
                when = start + datetime.timedelta(minutes=2 * lookups + 3)
                self.pull("finance", "enforcement.debtors", {"ident": on_list.id_number}, when)
                self.pull(
                    "finance",
                    "enforcement.debtors",
                    {},
                    when + datetime.timedelta(minutes=1),
                    record_id=on_list.pk,
                )

    def market_grants(self) -> None:
        """市市场监管局's system asks twice: the cases (refused), the debtor list (waiting)."""
        from fuyuan.exchange import grant_actions
        from fuyuan.exchange.grant_actions import last_allowed_day

        system = self.clients["market"].service_user
        asked = self.back(30)
        self.ask(
            "market_cases",
            system,
            "市市场监管局",
            "litigation.cases",
            "建设市场主体信用画像：归集全市行政诉讼案件信息（含自然人当事人姓名），用于企业信用"
            "评价和分级分类监管。",
            "《企业信息公示暂行条例》",
            asked,
            last_allowed_day(asked),
            personal=True,
            asked=self.at(asked, 10, 0),
        )
        grant_actions.refuse(
            self.users["court"],
            self.grants["market_cases"],
            reason="行政诉讼案件信息不属于市场主体信用信息归集目录，且申请包含自然人当事人姓名，"
            "超出必要限度，不予同意。涉企行政案件的统计数据可通过联席会议办公室按季度获取。",
        )
        when = self.at(self.back(27), 17, 10)
        self.grant_dates["market_cases"].update(decided_at=when, updated_at=when)

        next_month = (self.today.replace(day=28) + 4 * DAY).replace(day=1)
        self.ask(
            "market_debtors",
            system,
            "市市场监管局",
            "enforcement.debtors",
            "企业登记注册环节的联合惩戒：核查拟任法定代表人、董事、监事、高级管理人员是否为"
            "失信被执行人，依法限制其担任相关职务；需比对身份证号码。",
            "《企业信息公示暂行条例》；《关于对失信被执行人实施联合惩戒的合作备忘录》",
            next_month,
            last_allowed_day(next_month),
            personal=True,
            asked=self.at(self.back(2), 14, 35),
        )

    def housing_debtors_grant(self) -> None:
        """市住建局's presale-funds system: developers checked one by one for weeks, then the
        whole list downloaded last night — the grant is revoked today (`todays_steps`)."""
        liaison2 = self.users["liaison2"]
        decided = self.back(41)
        self.ask(
            "housing_debtors",
            liaison2,
            "市住建局",
            "enforcement.debtors",
            "商品房预售资金监管：预售资金拨付前核查申请拨付的房地产开发企业是否为失信被执行人。",
            "《城市商品房预售管理办法》；《关于对失信被执行人实施联合惩戒的合作备忘录》",
            decided,
            decided + 180 * DAY,
            asked=self.at(self.back(43), 9, 40),
        )
        self.approve(
            "housing_debtors",
            self.at(decided, 16, 5),
            "同意。按开发企业逐户查询，不得批量下载或留存名单。",
        )
        developers = list(DEVELOPERS) + self._list_names(("置业",), 2)
        days = sorted(self.rng.sample(range(2, WINDOW), len(developers)), reverse=True)
        for name, n in zip(developers, days, strict=True):
            self.pull(
                "housing",
                "enforcement.debtors",
                {"q": name, "state": "active"},
                self.office_hours(self.back(n)),
            )
        # Last night: every page of the list, 500 rows a page, within minutes.
        total = self.count("housing", "enforcement.debtors", {"state": "active"})
        self.bulk_day = self.back(1)
        start = self.at(self.bulk_day, 21, 7)
        for page in range(1, max(1, math.ceil(total / 500)) + 1):
            when = start + datetime.timedelta(seconds=40 * page + self.rng.randrange(20))
            self.bulk_rows += self.pull(
                "housing",
                "enforcement.debtors",
                {"state": "active", "page": str(page), "page_size": "500"},
                when,
                page_size=500,
            )

    def housing_bankruptcy_grants(self) -> None:
        """Last year's grant of the bankruptcy cases (ended twelve days ago) and its renewal."""
        from fuyuan.exchange.grant_actions import last_allowed_day
        from fuyuan.exchange.models import AccessGrant

        liaison2 = self.users["liaison2"]
        purpose = (
            "问题楼盘化解：掌握涉房地产开发企业破产案件的受理、管理人和审理进度，配合做好保交楼和"
            "购房人权益保障工作。"
        )
        basis = "《驻马店市府院联动工作机制》关于破产处置府院协调的约定"
        ended = self.today - 12 * DAY
        first_day = ended - 360 * DAY
        # Asked and approved now with a period that includes today (the action refuses one
        # that is over), used in the last weeks, then moved to its real period below.
        self.ask(
            "housing_bankruptcy_last_year",
            liaison2,
            "市住建局",
            "bankruptcy.cases",
            purpose,
            basis,
            self.today - 360 * DAY,
            self.today,
            asked=self.at(self.working_on_or_before(first_day - 6 * DAY), 10, 30),
        )
        self.approve(
            "housing_bankruptcy_last_year",
            self.at(self.working_on_or_before(first_day - 2 * DAY), 15, 0),
            "同意，仅用于问题楼盘化解工作。",
        )
        before = [d for d in self._days() if d <= ended]
        queries: tuple[dict[str, str], ...] = ({}, {"stage": "accepted"}, {"q": "置业"}, {})
        # (fewer pulls when a long holiday leaves fewer working days)
        days = sorted(self.rng.sample(before, min(len(queries), len(before))))
        for query, day in zip(queries, days, strict=False):
            self.pull("housing", "bankruptcy.cases", query, self.office_hours(day))
        grant = self.grants["housing_bankruptcy_last_year"]
        AccessGrant.objects.filter(pk=grant.pk).update(valid_from=first_day, valid_to=ended)
        self.grant_dates["housing_bankruptcy_last_year"].update(
            valid_from=first_day, valid_to=ended
        )

        renewed = ended + DAY
        self.ask(
            "housing_bankruptcy",
            liaison2,
            "市住建局",
            "bankruptcy.cases",
            purpose + "（续期）",
            basis,
            renewed,
            last_allowed_day(renewed),
            asked=self.at(self.working_on_or_before(ended - 9 * DAY), 9, 20),
        )
        self.approve(
            "housing_bankruptcy",
            self.at(self.working_on_or_before(ended - 3 * DAY), 11, 15),
            "同意续期。",
        )
        after = [d for d in self._days() if d >= renewed]
        queries = ({"q": "置业"}, {"stage": "administration"}, {})
        days = sorted(self.rng.sample(after, min(len(queries), len(after))))
        for query, day in zip(queries, days, strict=False):
            self.pull("housing", "bankruptcy.cases", query, self.office_hours(day))

    def court_reads(self) -> None:
        """The court's own system reads back what it pushed (its own data: in clear)."""
        for i, n in enumerate((23, 20, 16, 13, 10, 8, 5, 2)):
            day = self.back(n)
            when = self.at(day, 22, 10 + self.rng.randrange(15))
            since = (day - 7 * DAY).isoformat()
            if i % 2 == 0:
                self.pull("court", "litigation.cases", {"filed_from": since}, when)
            else:
                self.pull(
                    "court",
                    "enforcement.debtors",
                    {"published_from": since, "page_size": "500"},
                    when,
                    page_size=500,
                )

    # --- pulls -----------------------------------------------------------------------------------
    def _days(self) -> list[datetime.date]:
        """The working days of the pull window, oldest first."""
        return [self.back(n) for n in range(WINDOW, 0, -1)]

    def _mondays(self) -> list[datetime.date]:
        """The first working day of each week of the window (after its first week)."""
        days = self._days()
        return [
            d
            for prev, d in itertools.pairwise(days)
            if d.isocalendar()[:2] != prev.isocalendar()[:2]
        ]

    def _list_names(self, words: tuple[str, ...], n: int) -> list[str]:
        """Names of organisations on the demo list (so that some lookups hit)."""
        from django.db.models import Q

        from fuyuan.enforcement.models import DebtorRecord

        q = Q(pk__in=[])
        for word in words:
            q |= Q(name__contains=word)
        names = (
            DebtorRecord.objects.filter(q, state="active", party_kind="organisation")
            .order_by("pk")
            .values_list("name", flat=True)
        )
        return list(dict.fromkeys(names[: 4 * n]))[:n]

    def count(self, key: str, dataset: str, query: dict[str, str], granted: Any = None) -> int:
        """How many rows the API's list gives the client's service user for this filter: the
        dataset's own viewset, FilterSet and visibility (as an export package counts them)."""
        from fuyuan.exchange import packages

        user = self.clients[key].service_user
        filters = {k: [v] for k, v in query.items() if k not in packages.NOT_FILTERS}
        cache_key = (user.pk, dataset, tuple(sorted(query.items())))
        if cache_key not in self.row_counts:
            rows = packages.dataset_rows(
                user,
                dataset,
                filters,
                reveal_personal=bool(granted and granted.reveal_personal),
                grant_id=granted.grant_id if granted else None,
            )
            self.row_counts[cache_key] = rows.queryset.count()
        return self.row_counts[cache_key]

    def pull(
        self,
        key: str,
        dataset: str,
        query: dict[str, str],
        when: datetime.datetime,
        *,
        page_size: int = API_PAGE_SIZE,
        record_id: int | None = None,
    ) -> int:
        """One API pull by the client `key`: the API's check (raises without a grant valid
        now), then the log entry through the app's log function; dated `when` at the end."""
        from fuyuan.exchange import access
        from fuyuan.exchange.models import AccessLog

        client = self.clients[key]
        path = API_PATHS[dataset] + (f"{record_id}/" if record_id else "")
        # What log_pull reads of a DRF request: the user, the path and the client behind it.
        request = SimpleNamespace(
            user=client.service_user, auth=None, path=path, _exchange_client=client
        )
        granted = access.check(request, dataset)
        if record_id:
            params, rows = {"id": [str(record_id)]}, 1
        else:
            params = {k: [v] for k, v in query.items()}
            offset = (int(query.get("page", "1")) - 1) * page_size
            rows = max(0, min(page_size, self.count(key, dataset, query, granted) - offset))
        access.log_pull(request, dataset, params, rows, granted)
        entry = AccessLog.objects.filter(client=client).order_by("-pk").values_list("pk", flat=True)
        self.pulls.append((entry[0], when))
        return rows

    # --- the court's pushes and the gateway's drop ---------------------------------------------
    def case_numbers(self, code: str, year: int, count: int) -> list[str]:
        """The court's next first-instance numbers of the year (gaps for its other cases),
        never a number of the demo or of the importer's sample files."""
        import re

        from fuyuan.litigation.models import AdminCase
        from fuyuan.litigation.samples.make_samples import CASES

        prefix = f"（{year}）{code}行初"
        pattern = re.compile(re.escape(prefix) + r"(\d+)号")
        taken = {str(row[0]) for row in CASES}
        taken |= set(
            AdminCase.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        )
        seq = max((int(m.group(1)) for n in taken if (m := pattern.fullmatch(n))), default=0)
        numbers = []
        for _ in range(count):
            seq += self.rng.randint(1, 3)
            numbers.append(f"{prefix}{seq}号")
        return numbers

    def plan_cases(self) -> None:
        from fuyuan.org.models import Unit, UnitKind

        courts = {
            u.court_code: u
            for u in Unit.objects.current(self.today).filter(
                kind=UnitKind.COURT, court_code__in=["豫17", "豫1702", "豫1721"]
            )
        }
        if set(courts) != {"豫17", "豫1702", "豫1721"}:
            raise DemoError("Courts of the org demo missing (豫17, 豫1702, 豫1721).")
        u = self.units
        # (court, plaintiffs, defendants, cause, concerns an enterprise, filed n working days ago)
        plans = [
            (
                "豫17",
                "驻马店市汇川置业有限公司",
                [u["市政府"], u["市自然资源规划局"]],
                "行政征收（国有土地上房屋征收决定）",
                "是",
                4,
            ),
            ("豫1702", "郑秀兰", [u["市人社局"]], "工伤认定", "否", 4),
            (
                "豫1702",
                "驻马店市佳禾食品有限公司",
                [u["市市场监管局"]],
                "行政处罚（食品安全）",
                "是",
                3,
            ),
            (
                "豫1702",
                "河南天润物业服务有限公司",
                [u["市住建局"]],
                "行政处罚（物业服务）",
                "是",
                3,
            ),
            ("豫1702", "邵保田、邵保林", [u["市城管局"]], "行政强制（强制拆除违法建筑）", "否", 2),
            ("豫1702", "韩立平", [u["市住建局"]], "政府信息公开", "否", 1),
            ("豫1721", "刘桂芝", [u["西平县政府"]], "行政协议（征收补偿安置协议）", "否", 1),
        ]
        numbers: dict[tuple[str, int], list[str]] = {}
        for code, *_rest, n in plans:
            numbers.setdefault((code, self.back(n).year), [])
        for (code, year), found in numbers.items():
            wanted = sum(1 for p in plans if p[0] == code and self.back(p[5]).year == year)
            found.extend(self.case_numbers(code, year, wanted))
        self.cases = []
        for code, plaintiffs, defendants, cause, enterprise, n in plans:
            filed = self.back(n)
            self.cases.append(
                {
                    "number": numbers[(code, filed.year)].pop(0),
                    "court": courts[code].name,
                    "plaintiffs": plaintiffs,
                    "defendants": "、".join(d.name for d in defendants),
                    "cause": cause,
                    "enterprise": enterprise,
                    "filed": filed.isoformat(),
                }
            )
        # The court system's export carries an impossible filing date on one row.
        self.cases[3]["filed"] = f"{self.back(3).year}-02-30"

    def case_row(self, case: dict[str, str], stage: str = "立案") -> tuple[str, ...]:
        return (
            case["number"],
            case["court"],
            case["plaintiffs"],
            case["defendants"],
            case["cause"],
            case["enterprise"],
            case["filed"],
            stage,
            "",
            "",
            "",
        )

    def push(self, feed: str, name: str, content: bytes, kind: str, batch_id: str) -> Any:
        from fuyuan.core import importing

        user = self.clients["court"].service_user
        batch, _created = importing.submit(
            feed, SimpleUploadedFile(name, content, kind), user, batch_id=batch_id
        )
        batch = importing.process(batch, user)
        if batch.state not in ("imported", "duplicate_file"):
            raise DemoError(f"The demo push {batch_id} did not import: {batch.failure}")
        self.counts["pushed batches"] += 1
        return batch

    def pushes(self) -> None:
        """Last night's export of the court's system, pushed through the API's importer: the
        new cases (one row with a bad date), their hearings (one for the case that failed),
        and the cases file sent again under a new batch id."""
        from fuyuan.litigation.importers import CASES_FEED, HEARINGS_FEED
        from fuyuan.litigation.samples.make_samples import CASE_HEADERS, HEARING_HEADERS

        self.plan_cases()
        stamp = f"{self.back(1):%Y%m%d}"
        cases = csv_file(
            f"案件信息_{stamp}.csv", CASE_HEADERS, [self.case_row(c) for c in self.cases[:6]]
        )
        self.push(CASES_FEED, f"案件信息_{stamp}.csv", cases, "text/csv", f"zyspgl-aj-{stamp}-01")
        rooms = ("第五审判庭", "行政审判庭", "第二审判庭", "行政审判庭", "行政审判庭")
        times = ((12, 9, 30), (9, 14, 30), (15, 9, 0), (15, 10, 30), (18, 15, 0))
        lines = []
        for case, room, (n, hour, minute) in zip(self.cases[:5], rooms, times, strict=True):
            starts = self.at(self.ahead(n), hour, minute)
            values = (
                case["number"],
                f"{starts:%Y-%m-%d %H:%M}",
                room,
                "待开庭",
                "",
                "",
                "",
                "",
                "",
            )
            lines.append(
                json.dumps(dict(zip(HEARING_HEADERS, values, strict=True)), ensure_ascii=False)
            )
        self.push(
            HEARINGS_FEED,
            f"开庭排期_{stamp}.ndjson",
            ("\n".join(lines) + "\n").encode(),
            "application/x-ndjson",
            f"zyspgl-kt-{stamp}-01",
        )
        # The export job restarted and sent the same file again: stored once, nothing twice.
        self.push(CASES_FEED, f"案件信息_{stamp}.csv", cases, "text/csv", f"zyspgl-aj-{stamp}-02")

    def drop(self) -> None:
        """This morning's correction file through the gateway (court private network →
        government extranet): one pushed case now in trial, one new case of 西平县人民法院."""
        from fuyuan.exchange import drop
        from fuyuan.litigation.importers import CASES_FEED
        from fuyuan.litigation.samples.make_samples import CASE_HEADERS

        folder = drop.inbox_root() / CASES_FEED
        folder.mkdir(parents=True, exist_ok=True)
        name = f"案件信息_{self.today:%Y%m%d}_补充.csv"
        rows = [self.case_row(self.cases[1], "审理中"), self.case_row(self.cases[6])]
        content = csv_file(name, CASE_HEADERS, rows)
        (folder / name).write_bytes(content)
        manifest = {
            "feed": CASES_FEED,
            "file": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "client": self.clients["court"].pk,
            "batch_id": f"zyspgl-aj-{self.today:%Y%m%d}-wz01",
        }
        manifest_path = folder / f"{name}{drop.MANIFEST_SUFFIX}"
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        outcome = drop.handle(folder, manifest_path)
        if outcome.state != "done":
            raise DemoError(f"The demo drop was not imported: {outcome.line()}")
        self.counts["dropped files"] += 1

    def package(self) -> None:
        """The bankruptcy cases as a signed export package for 市住建局 (its system is being
        stopped), asked by its liaison officer under the renewed grant."""
        from fuyuan.exchange import packages

        packages.write_package(
            self.users["liaison2"],
            dataset="bankruptcy.cases",
            recipient_unit=self.units["市住建局"],
            filters={},
        )
        self.counts["export packages"] += 1

    # --- today ---------------------------------------------------------------------------------
    def todays_steps(self) -> None:
        """This morning: the court revokes 市住建局's grant after last night's download and the
        administrator stops its system; the court's system switches to a new token (the old one
        lives a week); 市市场监管局's token, found in a test configuration, is revoked."""
        from fuyuan.exchange import client_actions, grant_actions

        admin = self.users["sysadmin"]
        grant_actions.revoke(
            self.users["court"],
            self.grants["housing_debtors"],
            reason=(
                f"经核查，贵局预售资金监管系统于{self.bulk_day:%Y年%m月%d日}21时起连续拉取名单全部"
                f"数据共{self.bulk_rows}条，超出“按开发企业逐户查询”的批准范围，现撤销本授权。"
                "如仍需使用，请说明数据留存与销毁措施后重新申请。"
            ),
        )
        # Changed now: keeps the time of the revocation as its last change.
        self.grant_dates["housing_debtors"].pop("updated_at")
        housing = self.clients["housing"]
        client_actions.update_client(
            admin,
            housing,
            name=housing.name,
            scopes=housing.scopes,
            rate_per_minute=housing.rate_per_minute,
            note="超出授权范围批量拉取失信名单，法院已撤销授权；停用待整改",
        )
        client_actions.set_client_active(admin, housing, False)
        self.tokens.pop(housing.name)

        court = self.clients["court"]
        _token, self.tokens[court.name] = client_actions.rotate_tokens(admin, court, "7d")
        market = self.clients["market"]
        client_actions.revoke_token(admin, self.first_tokens["market"])
        _token, self.tokens[market.name] = client_actions.issue_token(admin, market)

    # --- dates -----------------------------------------------------------------------------------
    def date_everything(self) -> None:
        """Give what happened earlier its time (see the module docstring): one queryset update
        per row, ONE audit entry for all of them."""
        from fuyuan.accounts.models import RoleAssignment
        from fuyuan.audit.record import record
        from fuyuan.exchange.models import AccessGrant, AccessLog, ApiClient, ApiToken

        for pk, when in self.pulls:
            AccessLog.objects.filter(pk=pk).update(at=when)
        for key, fields in self.grant_dates.items():
            AccessGrant.objects.filter(pk=self.grants[key].pk).update(**fields)
        last_pull: dict[int, datetime.datetime] = {}
        for pk, when in self.pulls:
            client_id = AccessLog.objects.filter(pk=pk).values_list("client_id", flat=True)[0]
            last_pull[client_id] = max(when, last_pull.get(client_id, when))
        clients = []
        for plan in CLIENTS:
            client = self.clients[plan.key]
            day = self.working_on_or_before(self.today - plan.connected_days_ago * DAY)
            connected = self.at(day, 10, 0)
            changed_today = plan.key == "housing"
            ApiClient.objects.filter(pk=client.pk).update(
                created_at=connected,
                decided_at=connected,
                **({} if changed_today else {"updated_at": connected}),
            )
            # The court's first token was rotated and 市市场监管局's revoked now: last changed now.
            token = self.first_tokens[plan.key]
            ApiToken.objects.filter(pk=token.pk).update(
                created_at=connected,
                last_used_at=last_pull.get(client.pk),
                **({} if plan.key in ("court", "market") else {"updated_at": connected}),
            )
            RoleAssignment.objects.filter(user=client.service_user).update(valid_from=day)
            clients.append({"client": client.pk, "connected": day.isoformat()})
        record(
            None,
            "exchange.demo.dates",
            object_kind="exchange.demo",
            detail={
                "clients": clients,
                "grants": {
                    str(self.grants[key].pk): sorted(fields)
                    for key, fields in self.grant_dates.items()
                },
                "pulls": len(self.pulls),
            },
        )

    def count_states(self) -> None:
        from fuyuan.exchange.models import AccessGrant, AccessLog, ApiToken

        for grant in AccessGrant.objects.filter(pk__in=[g.pk for g in self.grants.values()]):
            state = grant.state
            if state == "approved" and grant.valid_to < self.today:
                state = "ended"
            self.counts[f"grants {state}"] += 1
        self.counts["pulls logged"] = AccessLog.objects.count()
        self.counts["usable tokens"] = ApiToken.objects.usable().count()
