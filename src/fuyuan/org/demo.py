"""The demo data set: 驻马店 as the founding notice (驻政〔2022〕59号) sets it up, plus the ten
county-level mechanisms, a few reorganisations and one login per role.

Everything here is data; `fuyuan load_demo` (org.management.commands.load_demo) writes it.
Units and posts are real bodies and real titles; every PERSON is invented: names are drawn
from the lists below with a fixed seed, never the officials named in the notice. Phone
numbers are random and fictitious: never connect a demo database to a real SMS gateway.
Credit codes are generated (valid check characters), not the bodies' real codes.
"""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass

from stdnum.cn import uscc

from fuyuan.core.identifiers import organisation_code_check

D = datetime.date

# One password for every demo account (≥ 10 characters, 4 character classes).
PASSWORD = "Fuyuan@2026"
# Date of the notice's signature (the mechanism's founding) and of its publication (from
# which the demo accounts hold their roles).
FOUNDED_ON = D(2022, 9, 29)
ISSUED_ON = D(2022, 10, 12)
NAME_SEED = 2022

# --- jurisdictions ---------------------------------------------------------------------------
PROVINCE = ("河南省", "河南", "410000")
CITY = ("驻马店市", "驻马店", "411700")

# (name, short name, GB/T 2260 code, level, member seats of its joint meeting, established on)
# The counties' founding dates are illustrative (the notice asks each county to follow suit).
COUNTY_LEVEL = [
    ("驿城区", "驿城", "411702", "district", 22, D(2022, 11, 18)),
    ("西平县", "西平", "411721", "county", 18, D(2022, 11, 25)),
    ("上蔡县", "上蔡", "411722", "county", 20, D(2022, 12, 2)),
    ("平舆县", "平舆", "411723", "county", 16, D(2022, 12, 9)),
    ("正阳县", "正阳", "411724", "county", 17, D(2022, 12, 16)),
    ("确山县", "确山", "411725", "county", 15, D(2023, 1, 6)),
    ("泌阳县", "泌阳", "411726", "county", 19, D(2023, 1, 13)),
    ("汝南县", "汝南", "411727", "county", 18, D(2023, 2, 10)),
    ("遂平县", "遂平", "411728", "county", 16, D(2023, 2, 17)),
    ("新蔡县", "新蔡", "411729", "county", 21, D(2023, 3, 3)),
]

# Functional zones: no division code, no mechanism of their own (the city's covers them).
# (name, short name, statistical code, management committee)
ZONES = [
    ("驻马店市城乡一体化示范区", "示范区", "", "驻马店市城乡一体化示范区管理委员会"),
    ("驻马店经济开发区", "经开区", "411771", "驻马店经济开发区管理委员会"),
    ("驻马店高新技术产业开发区", "高新区", "", "驻马店高新技术产业开发区管理委员会"),
]

# --- the city's joint meeting (驻政〔2022〕59号, 一(二)) -----------------------------------------
CITY_MECHANISM_NAME = "驻马店市常态化府院联动工作联席会议"
CITY_FOUNDING_DOCUMENT_NO = "驻政〔2022〕59号"
CITY_FOUNDING_DOCUMENT_TITLE = (
    "驻马店市人民政府 驻马店市中级人民法院关于建立驻马店市常态化府院联动工作机制的通知"
)
CITY_GOVERNMENT = ("驻马店市人民政府", "市政府")
CITY_OFFICE_UNIT = "驻马店市司法局"  # 联席会议办公室设在市司法局

# The member units exactly as the notice lists them (成员: …主要负责同志), in its order.
NOTICE_MEMBER_UNITS = [
    "市政府办公室",
    "市发展和改革委员会",
    "市工业和信息化局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住建局",
    "市城管局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电和旅游局",
    "市卫生健康体育委员会",
    "市应急管理局",
    "市审计局",
    "市市场监管局",
    "市医疗保障局",
    "市林业局",
    "市金融工作局",
    "市政务服务和大数据管理局",
    "市信访局",
    "市住房公积金中心",
    "市不动产登记中心",
    "驻马店海关",
    "市税务局",
    "中国人民银行驻马店中心支行",
    "驻马店银保监分局",
]

# (order_no, name in the notice, official name, short name, kind, title of the head's post)
# The head (主要负责同志) holds the seat; order_no is the notice's order.
CITY_MEMBER_UNITS = [
    (1, "市政府办公室", "驻马店市人民政府办公室", "市政府办公室", "department", "主任"),
    (2, "市发展和改革委员会", "驻马店市发展和改革委员会", "市发展改革委", "department", "主任"),
    (3, "市工业和信息化局", "驻马店市工业和信息化局", "市工信局", "department", "局长"),
    (4, "市司法局", "驻马店市司法局", "市司法局", "department", "局长"),
    (5, "市财政局", "驻马店市财政局", "市财政局", "department", "局长"),
    (6, "市人力资源和社会保障局", "驻马店市人力资源和社会保障局", "市人社局", "department", "局长"),
    (7, "市自然资源和规划局", "驻马店市自然资源和规划局", "市自然资源规划局", "department", "局长"),
    (8, "市生态环境局", "驻马店市生态环境局", "市生态环境局", "department", "局长"),
    (9, "市住建局", "驻马店市住房和城乡建设局", "市住建局", "department", "局长"),
    (10, "市城管局", "驻马店市城市管理局", "市城管局", "department", "局长"),
    (11, "市交通运输局", "驻马店市交通运输局", "市交通运输局", "department", "局长"),
    (12, "市水利局", "驻马店市水利局", "市水利局", "department", "局长"),
    (13, "市农业农村局", "驻马店市农业农村局", "市农业农村局", "department", "局长"),
    (14, "市商务局", "驻马店市商务局", "市商务局", "department", "局长"),
    (15, "市文化广电和旅游局", "驻马店市文化广电和旅游局", "市文广旅局", "department", "局长"),
    (16, "市卫生健康体育委员会", "驻马店市卫生健康体育委员会", "市卫健体委", "department", "主任"),
    (17, "市应急管理局", "驻马店市应急管理局", "市应急局", "department", "局长"),
    (18, "市审计局", "驻马店市审计局", "市审计局", "department", "局长"),
    (19, "市市场监管局", "驻马店市市场监督管理局", "市市场监管局", "department", "局长"),
    (20, "市医疗保障局", "驻马店市医疗保障局", "市医保局", "department", "局长"),
    (21, "市林业局", "驻马店市林业局", "市林业局", "department", "局长"),
    (22, "市金融工作局", "驻马店市金融工作局", "市金融工作局", "department", "局长"),
    (
        23,
        "市政务服务和大数据管理局",
        "驻马店市政务服务和大数据管理局",
        "市政务服务大数据局",
        "department",
        "局长",
    ),
    (24, "市信访局", "驻马店市信访局", "市信访局", "department", "局长"),
    (
        25,
        "市住房公积金中心",
        "驻马店市住房公积金管理中心",
        "市住房公积金中心",
        "department",
        "主任",
    ),
    (26, "市不动产登记中心", "驻马店市不动产登记中心", "市不动产登记中心", "department", "主任"),
    (27, "驻马店海关", "驻马店海关", "驻马店海关", "vertical", "关长"),
    (28, "市税务局", "国家税务总局驻马店市税务局", "市税务局", "vertical", "局长"),
    (
        29,
        "中国人民银行驻马店中心支行",
        "中国人民银行驻马店中心支行",
        "人民银行驻马店中心支行",
        "financial_regulator",
        "行长",
    ),
    (
        30,
        "驻马店银保监分局",
        "中国银行保险监督管理委员会驻马店监管分局",
        "驻马店银保监分局",
        "financial_regulator",
        "分局局长",
    ),
]

# The two members from the court and public security: (order_no, official name, short name,
# kind, head's title, title of the post holding the seat). The court's president is also a
# deputy convener, so the court holds two seats through two posts.
CITY_COURT = (31, "驻马店市中级人民法院", "市中级人民法院", "court", "院长", "常务副院长")
CITY_COURT_CODE = "豫17"
CITY_PUBLIC_SECURITY = (32, "驻马店市公安局", "市公安局", "public_security", "局长", "常务副局长")

# Conveners, by post: (seat role, unit, title, post kind).
CITY_CONVENERS = [
    ("convener", "驻马店市人民政府", "市长", "head"),
    ("executive_deputy_convener", "驻马店市人民政府", "常务副市长", "executive_deputy"),
    ("deputy_convener", "驻马店市人民政府", "副市长", "deputy"),
    ("deputy_convener", "驻马店市中级人民法院", "院长", "head"),
]

# Reorganised bodies (DOMAIN.md §1): the predecessor stays as a historical row up to its last
# day; the successor takes its order number and its seat.
# (predecessor, last day, successor, successor short name, first day, head's title)
# Dates of the last two are illustrative.
REORGANISATIONS = [
    (
        "中国银行保险监督管理委员会驻马店监管分局",
        D(2023, 11, 9),
        "国家金融监督管理总局驻马店监管分局",
        "驻马店金融监管分局",
        D(2023, 11, 10),
        "分局局长",
    ),
    (
        "中国人民银行驻马店中心支行",
        D(2024, 6, 30),
        "中国人民银行驻马店市分行",
        "人民银行驻马店市分行",
        D(2024, 7, 1),
        "行长",
    ),
    (
        "驻马店市金融工作局",
        D(2024, 12, 31),
        "驻马店市地方金融管理局",
        "市地方金融管理局",
        D(2025, 1, 1),
        "局长",
    ),
]


@dataclass(frozen=True)
class JoinProposal:
    name: str
    short_name: str
    order_no: int
    head_title: str
    reason: str
    proposed_at: datetime.datetime | None  # None: a few days before loading
    decided_at: datetime.datetime | None = None
    decision_comment: str = ""


def _at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    """A time in Beijing."""
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime(year, month, day, hour, minute, tzinfo=beijing)


# A unit that joined after the notice (approved by the convener's side) and one proposal
# still awaiting the convener.
APPROVED_JOIN = JoinProposal(
    name="驻马店市人民政府国有资产监督管理委员会",
    short_name="市国资委",
    order_no=33,
    head_title="主任",
    reason=(
        "市国资委履行国有企业出资人职责，国有企业改制重组、破产重整及涉国有企业执行案件"
        "需与法院常态化会商，申请加入联席会议成员单位，由主任作为成员。"
    ),
    proposed_at=_at(2023, 3, 6, 9, 40),
    decided_at=_at(2023, 3, 20, 16, 30),
    decision_comment="同意。请市国资委明确一名联络员，报联席会议办公室备案。",
)
PENDING_JOIN = JoinProposal(
    name="驻马店市退役军人事务局",
    short_name="市退役军人局",
    order_no=34,
    head_title="局长",
    reason=(
        "涉退役军人安置、优抚和权益保障的行政案件及劳动争议逐年增多，需与法院建立"
        "常态化会商渠道，申请加入联席会议成员单位。"
    ),
    proposed_at=None,
)


def city_member_names() -> list[str]:
    """The current units holding member seats of the city's joint meeting, in order."""
    successor = {old: new for old, _, new, *_ in REORGANISATIONS}
    names = [successor.get(name, name) for _, _, name, *_ in CITY_MEMBER_UNITS]
    return [*names, CITY_COURT[1], CITY_PUBLIC_SECURITY[1], APPROVED_JOIN.name]


# --- the county-level joint meetings ---------------------------------------------------------
# Unit templates: {j} = the county's name (西平县), {s} = its short name (西平).
# (order_no, name, short name, kind, head's title, always a member)
COUNTY_UNITS = [
    (1, "{j}人民政府办公室", "{j}政府办", "department", "主任", True),
    (2, "{j}发展和改革委员会", "{j}发改委", "department", "主任", True),
    (3, "{j}工业和信息化局", "{j}工信局", "department", "局长", False),
    (4, "{j}司法局", "{j}司法局", "department", "局长", True),
    (5, "{j}财政局", "{j}财政局", "department", "局长", True),
    (6, "{j}人力资源和社会保障局", "{j}人社局", "department", "局长", True),
    (7, "{j}自然资源局", "{j}自然资源局", "department", "局长", True),
    (8, "驻马店市生态环境局{s}分局", "{s}生态环境分局", "department", "局长", False),
    (9, "{j}住房和城乡建设局", "{j}住建局", "department", "局长", True),
    (10, "{j}城市管理局", "{j}城管局", "department", "局长", False),
    (11, "{j}交通运输局", "{j}交通运输局", "department", "局长", False),
    (12, "{j}水利局", "{j}水利局", "department", "局长", False),
    (13, "{j}农业农村局", "{j}农业农村局", "department", "局长", False),
    (14, "{j}商务局", "{j}商务局", "department", "局长", False),
    (15, "{j}卫生健康委员会", "{j}卫健委", "department", "主任", False),
    (16, "{j}应急管理局", "{j}应急局", "department", "局长", False),
    (17, "{j}审计局", "{j}审计局", "department", "局长", False),
    (18, "{j}市场监督管理局", "{j}市场监管局", "department", "局长", True),
    (19, "{j}医疗保障局", "{j}医保局", "department", "局长", False),
    (20, "{j}信访局", "{j}信访局", "department", "局长", False),
    (21, "{j}政务服务和大数据管理局", "{j}政务服务大数据局", "department", "局长", False),
    (22, "{j}不动产登记中心", "{j}不动产登记中心", "department", "主任", False),
    (23, "国家税务总局{j}税务局", "{j}税务局", "vertical", "局长", True),
]
# The court and public security sit last, through their executive deputies.
# (order_no, name, short name, kind, head's title, title of the post holding the seat)
COUNTY_COURT = (24, "{j}人民法院", "{j}法院", "court", "院长", "常务副院长")
COUNTY_PUBLIC_SECURITY = (25, "{j}公安局", "{j}公安局", "public_security", "局长", "常务副局长")
# District courts carry the city's name.
COURT_NAMES = {"驿城区": "驻马店市驿城区人民法院"}
COUNTY_OFFICE_TEMPLATE = "{j}司法局"


def county_court_code(division_code: str) -> str:
    """豫 + the last four digits of the county's division code (DOMAIN.md §5)."""
    return f"豫{division_code[2:]}"


def county_titles(level: str) -> tuple[str, str, str]:
    """Titles of the county government's head, executive deputy and deputy."""
    prefix = "区" if level == "district" else "县"
    return f"{prefix}长", f"常务副{prefix}长", f"副{prefix}长"


def county_member_templates(code: str, seats: int) -> list[tuple]:
    """The department templates of a county's members: the core ones plus a seeded choice of
    the others, so the counties differ a little (court and public security come on top)."""
    core = [t for t in COUNTY_UNITS if t[5]]
    others = [t for t in COUNTY_UNITS if not t[5]]
    extra = seats - len(core) - 2
    chosen = random.Random(f"members-{code}").sample(others, max(0, min(extra, len(others))))
    return sorted(core + chosen, key=lambda t: t[0])


def fill(template: str, name: str, short: str) -> str:
    return template.format(j=name, s=short)


# --- posts, task areas, settings -------------------------------------------------------------
LIAISON_TITLE = "联络员"
OFFICE_STAFF_TITLE = "联席会议办公室工作人员"

# --- demo accounts ---------------------------------------------------------------------------
# (username, role, jurisdiction code for jurisdiction roles, unit for unit roles,
#  (unit, post title) whose holder the account belongs to, display name if no person)
DEMO_ACCOUNTS = [
    ("office", "office", "411700", None, ("驻马店市司法局", OFFICE_STAFF_TITLE), ""),
    ("leader", "leader", "411700", None, ("驻马店市人民政府", "副市长"), ""),
    (
        "liaison",
        "liaison",
        None,
        "驻马店市人力资源和社会保障局",
        ("驻马店市人力资源和社会保障局", LIAISON_TITLE),
        "",
    ),
    (
        "liaison2",
        "liaison",
        None,
        "驻马店市住房和城乡建设局",
        ("驻马店市住房和城乡建设局", LIAISON_TITLE),
        "",
    ),
    (
        "court",
        "court",
        None,
        "驻马店市中级人民法院",
        ("驻马店市中级人民法院", LIAISON_TITLE),
        "",
    ),
    ("county", "office", "411721", None, ("西平县司法局", OFFICE_STAFF_TITLE), ""),
    ("county_leader", "leader", "411721", None, ("西平县人民政府", "副县长"), ""),
    ("sysadmin", "system_admin", None, None, None, "系统管理员"),
    ("secadmin", "security_admin", None, None, None, "安全管理员"),
    ("auditadmin", "audit_admin", None, None, None, "审计管理员"),
]

# --- invented persons ------------------------------------------------------------------------
# The officials the notice names: never used for a demo person.
REAL_OFFICIALS_IN_NOTICE = ("李跃勇", "金冬江", "王钦胜", "张社军")


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊陆郝孔白崔康毛邱秦江史顾侯邵孟龙万"
    "段雷钱汤尹易常武乔贺赖龚文"
)
MALE_GIVEN = _words(
    "建国 志强 海涛 晓东 振华 立新 宏伟 俊杰 明辉 文博 永刚 卫东 向阳 新民 鹏飞 浩然 子健 "
    "世杰 德明 光辉 长青 庆丰 保国 家豪 一鸣 宇航 思远 天佑 嘉诚 博文 泽宇 晨阳 景山 书林 "
    "继红 国强 云龙 学文 少华 永新 伟 磊 鹏 涛 斌 超 杰 强 刚 峰 亮 辉 毅 浩 宁 凯 健 "
    "军 勇 波 林 明 华"
)
FEMALE_GIVEN = _words(
    "秀英 桂兰 玉梅 丽娟 红梅 海燕 静怡 雅琴 晓燕 春华 慧敏 丽华 淑珍 晓红 艳芳 婷婷 雪梅 "
    "文静 佳慧 梦瑶 欣怡 思雨 雨桐 若曦 亚楠 素云 凤霞 晓静 玉洁 丹 静 敏 燕 芳 娜 丽 琳 颖 "
    "倩 霞 婷 洁 蕾 萍 莉"
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 166 176 177 180 "
    "181 182 183 185 186 187 188 189 191 199"
)


class NameMaker:
    """Invented Chinese names, phones and office phones from a fixed seed; no name twice."""

    def __init__(self, seed: int = NAME_SEED) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set(REAL_OFFICIALS_IN_NOTICE)

    def name(self, female_share: float = 0.4) -> tuple[str, str]:
        """(name, gender M/F)."""
        while True:
            female = self.rng.random() < female_share
            given = self.rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name, "F" if female else "M"

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def office_phone(self) -> str:
        return f"0396-{self.rng.choice('2356'):s}{self.rng.randrange(10**6):06d}"


def credit_code(division_code: str, key: str) -> str:
    """A made-up but well-formed code of a government body (登记管理部门 1, 机关 1): the
    division, an organisation code with its GB 11714 check, and the GB 32100 check."""
    rng = random.Random(zlib.crc32(key.encode()))
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = f"11{division_code}{body}{organisation_code_check(body)}"
    return first17 + uscc.calc_check_digit(first17)
