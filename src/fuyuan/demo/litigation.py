"""Demo data of administrative litigation for `fuyuan load_demo_litigation`: two full years and
the current year of administrative cases against the bodies of 驻马店 and its counties, heard
by the intermediate court (豫17) and the basic courts (豫1702, 豫1721 … 豫1729), with hearings,
heads appearing in court, outcomes, judicial recommendations and review reports with their
replies, disputes referred for substantive resolution, and the court's text of last year's
annual report.

How it is written (ARCHITECTURE: every write through the owning app's code, audited):
- cases and hearings come through the court-export importer (`litigation.cases`,
  `litigation.hearings`), as the intermediate court's staff (`court`) uploading two CSV files:
  preview, then confirm — one audit entry per batch, as in production. The hearings file
  carries the heads' appearance only for hearings of the last days (records the bodies still
  have to confirm);
- the history the importer cannot date — appearance records of older hearings (recorded a few
  days after the hearing, then confirmed by the body or automatically), the reminders the
  daily job sent before past hearings, replies on paper of bodies without an account here, and
  the dates of close-outs — is seed data written in bulk with ONE audit entry
  (`litigation.demo.load`), as `load_demo_matters` does;
- everything a demo account can do is done through the actions as that account: the liaison
  officers of 市人社局 (`liaison`) and 市住建局 (`liaison2`) confirm and dispute records, sign for,
  handle and reply to recommendations; the court (`court`) answers a dispute, registers,
  delivers and closes out its recommendations and writes the annual report's text; the offices
  (`office`, `county`) register basic courts' letters received on paper and coordinate
  disputes;
- finally the daily job runs once (hearing reminders, automatic confirmation, urging overdue
  replies, loss-risk warnings).

Deterministic: a fixed seed; every date is relative to the day it is loaded. Every person,
company, number and text is invented; the bodies and courts are the org demo's.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fuyuan.core import calendar
from fuyuan.org import demo as org_demo

SEED = 20250917
DAY = datetime.timedelta(days=1)
CITY_CODE = "411700"
XIPING_CODE = "411721"
# Demo accounts of the org demo this loader acts as.
REQUIRED_ACCOUNTS = ("office", "county", "court", "liaison", "liaison2")
# Hearings of the last RECENT_DAYS days come with their appearance records in the court's
# latest export (recorded today, awaiting the body); older ones have their history.
RECENT_DAYS = 12
UPCOMING_DAYS = 21

# --- courts ------------------------------------------------------------------------------------
INTERMEDIATE = "豫17"
# 相对集中管辖: the basic court hearing the cases of each county-level jurisdiction's bodies
# (the city's departments are heard by the 驿城区 court).
HEARING_COURT = {
    CITY_CODE: "豫1702",
    "411702": "豫1702",
    "411721": "豫1728",  # 西平县 → 遂平县人民法院
    "411728": "豫1721",  # 遂平县 → 西平县人民法院
    "411722": "豫1727",  # 上蔡县 → 汝南县人民法院
    "411727": "豫1722",  # 汝南县 → 上蔡县人民法院
    "411723": "豫1729",  # 平舆县 → 新蔡县人民法院
    "411729": "豫1723",  # 新蔡县 → 平舆县人民法院
    "411724": "豫1725",  # 正阳县 → 确山县人民法院
    "411725": "豫1724",  # 确山县 → 正阳县人民法院
    "411726": "豫1726",  # 泌阳县 hears its own
}
COURTROOMS = {
    INTERMEDIATE: ("第三审判庭", "第五审判庭", "第七审判庭", "大审判庭"),
    "default": ("第一审判庭", "第二审判庭", "行政审判庭", "第四审判庭"),
}
HEARING_TIMES = ((9, 0), (9, 30), (10, 0), (14, 30), (15, 0), (15, 30))

# --- causes of action (案由) -----------------------------------------------------------------
# (cause, weight, share of enterprise plaintiffs, several plaintiffs likely)
Cause = tuple[str, int, float, bool]
CAUSES: dict[str, list[Cause]] = {
    "land": [
        ("行政处罚（土地违法）", 3, 0.25, False),
        ("行政许可（建设工程规划许可）", 2, 0.45, False),
        ("行政登记（土地登记）", 1, 0.1, False),
        ("政府信息公开", 2, 0.0, False),
        ("不履行法定职责（查处违法占地）", 2, 0.05, True),
        ("行政征收（集体土地征收补偿安置）", 2, 0.05, True),
        ("行政强制（责令交还土地）", 1, 0.2, False),
    ],
    "housing": [
        ("行政许可（商品房预售许可）", 1, 0.3, True),
        ("不履行法定职责（物业专项维修资金）", 2, 0.0, True),
        ("行政处罚（建筑市场）", 2, 0.85, False),
        ("政府信息公开", 2, 0.0, False),
        ("行政协议（国有土地上房屋征收补偿协议）", 2, 0.05, False),
        ("行政登记（商品房网签备案）", 1, 0.1, False),
    ],
    "labour": [
        ("工伤认定", 6, 0.2, False),
        ("不履行法定职责（劳动保障监察）", 3, 0.0, True),
        ("政府信息公开", 1, 0.0, False),
        ("行政确认（社会保险待遇）", 2, 0.0, False),
        ("行政处理（拖欠农民工工资）", 1, 0.6, False),
    ],
    "market": [
        ("行政处罚（食品安全）", 3, 0.55, False),
        ("行政处罚（价格违法）", 1, 0.7, False),
        ("行政登记（公司变更登记）", 2, 0.5, False),
        ("不履行法定职责（投诉举报处理）", 3, 0.0, False),
        ("政府信息公开", 1, 0.0, False),
        ("行政处罚（虚假广告）", 1, 0.8, False),
    ],
    "police": [
        ("行政处罚（治安管理）", 6, 0.0, False),
        ("行政强制（强制隔离戒毒）", 1, 0.0, False),
        ("行政处罚（道路交通管理）", 2, 0.05, False),
        ("行政登记（户口登记）", 1, 0.0, False),
        ("不履行法定职责（治安案件受理）", 2, 0.0, False),
        ("政府信息公开", 1, 0.0, False),
    ],
    "environment": [
        ("行政处罚（环境污染）", 4, 0.7, False),
        ("行政许可（环境影响评价审批）", 1, 0.5, True),
        ("行政强制（查封扣押生产设备）", 1, 0.8, False),
        ("不履行法定职责（环境违法举报）", 1, 0.0, True),
    ],
    "urban": [
        ("行政强制（强制拆除违法建筑）", 3, 0.1, False),
        ("行政处罚（市容环境卫生）", 1, 0.2, False),
        ("行政赔偿（强制拆除）", 1, 0.1, False),
    ],
    "transport": [
        ("行政处罚（道路运输）", 3, 0.45, False),
        ("行政强制（扣押车辆）", 1, 0.2, False),
    ],
    "registry": [
        ("行政登记（不动产登记）", 4, 0.15, False),
        ("行政登记（撤销不动产登记）", 2, 0.1, True),
    ],
    "medical": [
        ("行政处罚（医疗保障基金）", 2, 0.8, False),
        ("行政确认（医疗保险待遇）", 1, 0.0, False),
    ],
    "tax": [("行政处罚（税务）", 2, 0.8, False), ("行政征收（税款征收）", 1, 0.6, False)],
    "health": [
        ("行政处罚（医疗机构执业）", 1, 0.6, False),
        ("行政许可（医疗机构执业许可）", 1, 0.5, False),
    ],
    "agriculture": [
        ("行政处罚（农药经营）", 1, 0.6, False),
        ("行政确认（土地承包经营权）", 1, 0.0, True),
    ],
    "safety": [("行政处罚（安全生产）", 1, 0.85, False)],
    "justice": [("行政复议", 1, 0.0, False), ("不履行法定职责（法律援助）", 1, 0.0, False)],
    "city_government": [
        ("行政复议", 3, 0.1, False),
        ("政府信息公开", 2, 0.0, False),
        ("行政征收（国有土地上房屋征收决定）", 1, 0.1, True),
    ],
    "county_government": [
        ("行政征收（集体土地征收）", 4, 0.05, True),
        ("行政强制（强制拆除）", 2, 0.1, True),
        ("行政协议（征收补偿安置协议）", 2, 0.1, False),
        ("行政赔偿（违法强拆）", 2, 0.05, True),
        ("政府信息公开", 1, 0.0, False),
        ("不履行法定职责（补偿安置）", 1, 0.0, True),
        ("行政复议", 1, 0.1, False),
    ],
}


@dataclass(frozen=True)
class Body:
    """A defendant of the demo: its short name (a template for counties: {j} the county's
    name, {s} its short name), how many cases a year it draws (relative weight), its causes,
    how often its head appears and at which rank, and how often it loses (factor)."""

    short_name: str
    weight: float
    causes: str
    appear: float = 0.82
    top: float = 0.35
    loss: float = 1.0


CITY_BODIES = (
    Body("市自然资源规划局", 14, "land", 0.88, 0.3),
    Body("市人社局", 10, "labour", 0.95, 0.45, 0.6),
    Body("市住建局", 9, "housing", 0.85, 0.35),
    Body("市公安局", 9, "police", 0.75, 0.25, 0.8),
    Body("市市场监管局", 8, "market", 0.86, 0.35),
    Body("市生态环境局", 4, "environment", 0.8, 0.4),
    Body("市城管局", 4, "urban", 0.78, 0.3, 2.2),
    Body("市不动产登记中心", 4, "registry", 0.85, 0.4),
    Body("市交通运输局", 3, "transport", 0.8, 0.3),
    Body("市政府", 3, "city_government", 0.7, 0.15),
    Body("市医保局", 2, "medical", 0.9, 0.5),
    Body("市税务局", 2, "tax", 0.5, 0.2, 0.7),
    Body("市农业农村局", 1, "agriculture"),
    Body("市卫健体委", 1, "health"),
    Body("市应急局", 1, "safety"),
    Body("市司法局", 1, "justice", 0.9, 0.5),
)
COUNTY_BODIES = (
    Body("{j}政府", 2.5, "county_government", 0.72, 0.2, 1.5),
    Body("{j}自然资源局", 2, "land", 0.8, 0.3, 1.2),
    Body("{j}公安局", 1.5, "police", 0.72, 0.25),
    Body("{j}人社局", 1.2, "labour", 0.85, 0.35),
    Body("{j}住建局", 1, "housing"),
    Body("{j}市场监管局", 0.8, "market"),
    Body("{j}城管局", 0.7, "urban", 0.75, 0.3, 1.8),
    Body("{s}生态环境分局", 0.6, "environment"),
    Body("{j}不动产登记中心", 0.5, "registry"),
    Body("{j}税务局", 0.3, "tax", 0.55, 0.2),
    Body("{j}农业农村局", 0.3, "agriculture"),
    Body("{j}交通运输局", 0.3, "transport"),
)
# County-level jurisdictions: (name, short name, division code, share of cases, how readily
# the heads appear (factor), how often the bodies lose (factor)).
COUNTIES = (
    ("驿城区", "驿城", "411702", 1.3, 1.0, 1.0),
    ("西平县", "西平", "411721", 1.1, 0.95, 1.5),
    ("上蔡县", "上蔡", "411722", 1.2, 0.9, 1.3),
    ("平舆县", "平舆", "411723", 0.8, 1.05, 0.9),
    ("正阳县", "正阳", "411724", 0.8, 1.0, 1.0),
    ("确山县", "确山", "411725", 0.7, 1.1, 0.8),
    ("泌阳县", "泌阳", "411726", 0.9, 1.0, 1.0),
    ("汝南县", "汝南", "411727", 0.9, 1.0, 1.0),
    ("遂平县", "遂平", "411728", 0.8, 1.1, 0.8),
    ("新蔡县", "新蔡", "411729", 1.1, 0.75, 1.2),
)
# First-instance cases filed in each of the three years (the current one pro rata).
CASES_PER_YEAR = (98, 114, 124)

# --- outcomes ----------------------------------------------------------------------------------
FIRST_OUTCOMES = {
    "dismissed": 46.0,
    "withdrawn": 23.0,
    "mediated": 5.0,
    "revoked": 8.0,
    "confirmed_unlawful": 6.0,
    "ordered_to_perform": 3.5,
    "compensation": 2.0,
    "confirmed_invalid": 1.0,
    "modified": 1.0,
    "transferred": 2.0,
    "other": 3.0,
}
LOSSES = {
    "revoked",
    "confirmed_unlawful",
    "ordered_to_perform",
    "compensation",
    "confirmed_invalid",
    "modified",
}
SECOND_OUTCOMES = {"upheld": 80.0, "withdrawn": 9.0, "revoked": 8.0, "other": 3.0}
# The court system's words (litigation.importers.OUTCOME_WORDS) for each outcome.
OUTCOME_WORDS = {
    "dismissed": "驳回诉讼请求",
    "upheld": "驳回上诉，维持原判",
    "revoked": "撤销",
    "confirmed_unlawful": "确认违法",
    "confirmed_invalid": "确认无效",
    "ordered_to_perform": "责令履行",
    "modified": "变更",
    "compensation": "行政赔偿",
    "mediated": "调解",
    "withdrawn": "准予撤诉",
    "transferred": "终结诉讼",
    "other": "其他",
}
OUTCOME_NOTES = {
    "withdrawn": (
        "经行政争议协调化解，原告撤回起诉。",
        "被告自行纠正原行政行为，原告申请撤诉。",
        "",
        "",
    ),
    "mediated": ("经调解，双方就补偿数额达成一致。", "经调解，被告重新核定补偿款并当庭支付。"),
    "confirmed_unlawful": (
        "行政行为程序违法，但撤销会给社会公共利益造成重大损害，判决确认违法。",
        "强制拆除前未依法催告、未作出书面强制执行决定，判决确认违法。",
        "",
    ),
    "revoked": ("主要证据不足，判决撤销并责令重新作出。", "适用法律错误，判决撤销。", ""),
    "ordered_to_perform": ("判决被告在法定期限内履行法定职责。", ""),
    "dismissed": (
        "",
        "",
        "",
        "起诉超过法定期限，裁定驳回起诉。",
        "原告不具备诉讼主体资格，裁定驳回起诉。",
    ),
    "other": ("原告经传票传唤无正当理由拒不到庭，按撤诉处理。", ""),
    "transferred": (
        "原告死亡，无近亲属承继诉讼，终结诉讼。",
        "本案不属于行政诉讼受案范围，移送处理。",
    ),
}

ABSENCE_REASONS = (
    "主要负责人参加市委全会，分管负责人参加省厅专项督导，已书面说明并委托法制科负责人出庭。",
    "负责人在外参加党校集中学习，已提前向法院书面报告，委托工作人员和律师出庭。",
    "同一时段负责处置突发事件，无法出庭，已向法院提交书面说明。",
    "负责人因病住院治疗，已提交书面说明及诊断证明，委托法制机构负责人出庭。",
    "负责人参加全省视频调度会议，已书面报告法院，委托律师出庭应诉。",
    "机构改革期间负责人调整，暂由工作人员出庭，已书面说明。",
    "负责人赴外地招商引资，已书面说明，委托分管科室负责人出庭。",
)

# --- names -------------------------------------------------------------------------------------
COMPANY_PLACES = (
    "驻马店市",
    "驻马店",
    "河南",
    "河南省",
    "西平县",
    "上蔡县",
    "遂平县",
    "汝南县",
    "新蔡县",
    "泌阳县",
    "确山县",
    "正阳县",
    "平舆县",
)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMPANY_WORDS = words(
    "天中 恒通 鑫源 宏达 众诚 瑞丰 华康 金盾 豫顺 嘉和 润泽 永盛 汇丰 广源 昌隆 博远 "
    "中原 盛世 康达 顺发 信诚 新星 万家 益农 绿源 丰泽 德信 腾飞 佳禾 丰源"
)
COMPANY_TRADES = words(
    "商贸有限公司 置业有限公司 建筑工程有限公司 食品有限公司 物流有限公司 农业科技有限公司 "
    "机械制造有限公司 新能源科技有限公司 环保科技有限公司 医药连锁有限公司 运输有限公司 "
    "房地产开发有限公司 农业专业合作社 餐饮管理有限公司 建材有限公司 化工有限公司"
)
MEDIATION_CENTRES = {
    CITY_CODE: "市行政争议协调化解中心",
    "default": "{j}行政争议协调化解中心",
}


# --- recommendations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RecSpec:
    """A recommendation of the demo. `when`: (year offset 0–2 from two years ago, fraction of
    that year) for delivery; `fate`: closed (replied and closed out by the issuer), replied,
    overdue (no reply, past the deadline) or waiting (delivered, not yet due). `cause`: a word
    of the causes of the cases it arose from (linked where the registering account sees
    them)."""

    key: str
    issuer: str  # court code
    recipient: str  # short name ({j} templates with `county`)
    kind: str
    scope: str
    title: str
    content: str
    items: tuple[str, ...]
    when: tuple[int, float]
    fate: str
    cause: str = ""
    county: str = ""
    adoptions: tuple[str, ...] = ()  # per item: adopted / partly / not_adopted
    reply: str = ""
    reasons: tuple[str, ...] = ()  # per item, for partly / not adopted (or the measures)
    late: bool = False  # replied after the deadline


RECOMMENDATIONS: tuple[RecSpec, ...] = (
    RecSpec(
        "labour_injury",
        INTERMEDIATE,
        "市人社局",
        "judicial",
        "case_type",
        "关于规范工伤认定调查核实和送达程序的司法建议",
        "本院在审理工伤认定类行政案件中发现，部分工伤认定决定存在调查核实不充分、"
        "对用人单位异议未予回应、文书送达不规范等问题，致使相关决定在诉讼中被撤销，"
        "既增加了职工维权成本，也影响了行政机关的公信力。为进一步规范工伤认定工作，"
        "依照《中华人民共和国行政诉讼法》第九十六条之规定，提出如下建议：",
        (
            "严格落实工伤认定调查核实程序，对用人单位提出异议的事实，应当调取考勤、"
            "工资发放等证据并制作调查笔录。",
            "规范法律文书送达，工伤认定决定书应当依法送达用人单位和职工并保存送达回证。",
            "定期梳理工伤认定败诉案件，组织业务培训，统一认定尺度。",
        ),
        (0, 0.42),
        "closed",
        cause="工伤认定",
        adoptions=("adopted", "adopted", "adopted"),
        reply="我局高度重视贵院司法建议，局党组专题研究后制定了《工伤认定调查核实工作规程》，"
        "对调查取证、异议处理和文书送达作出明确规定，并组织全市工伤认定人员集中培训。",
    ),
    RecSpec(
        "housing_fund",
        INTERMEDIATE,
        "市住建局",
        "judicial",
        "single_case",
        "关于加强物业专项维修资金使用监管的司法建议",
        "本院在审理一起不履行法定职责上诉案件中发现，部分小区专项维修资金申请使用"
        "审核周期长、答复不及时，业主多次申请未获处理，引发行政诉讼。为此建议：",
        (
            "公开专项维修资金申请使用的条件、材料和办理时限，实行一次性告知。",
            "对业主的申请依法在规定期限内作出处理并书面答复。",
            "建立应急维修资金快速使用通道，及时消除电梯、消防等安全隐患。",
        ),
        (1, 0.18),
        "closed",
        cause="物业专项维修资金",
        adoptions=("adopted", "adopted", "partly"),
        reply="我局已在政务服务网公开专项维修资金使用办事指南，办理时限压缩至10个工作日；"
        "应急维修通道已在中心城区试行。",
        reasons=("", "", "应急使用通道需会同财政部门修订管理办法，目前已在中心城区先行试点。"),
    ),
    RecSpec(
        "labour_inspection",
        INTERMEDIATE,
        "市人社局",
        "judicial",
        "single_case",
        "关于依法及时履行劳动保障监察职责的司法建议",
        "本院在审理一起劳动保障监察不履行法定职责上诉案件中发现，对劳动者投诉拖欠工资的"
        "事项，存在受理后长期未作出处理决定的情况。为此建议：",
        (
            "对劳动者的投诉举报依法及时立案，在法定期限内调查处理并书面告知结果。",
            "建立投诉举报办理台账，对超期未办结事项实行督办。",
        ),
        (1, 0.55),
        "closed",
        cause="劳动保障监察",
        adoptions=("adopted", "adopted"),
        reply="我局已对全市劳动保障监察投诉案件逐件清理，建立办理台账和超期预警，"
        "对涉事案件已重新作出处理决定。",
    ),
    RecSpec(
        "expropriation_city",
        INTERMEDIATE,
        "市住建局",
        "judicial",
        "case_type",
        "关于规范国有土地上房屋征收补偿工作的司法建议",
        "本院在审理房屋征收补偿类行政案件中发现，部分征收项目存在评估报告送达不及时、"
        "补偿协议约定不明、补偿款支付迟延等问题，引发多起行政协议纠纷。为此建议：",
        (
            "依法及时向被征收人送达评估报告，保障其申请复核评估的权利。",
            "规范补偿协议文本，明确补偿方式、金额、支付期限和违约责任。",
            "严格按照约定支付补偿款，对确有困难的项目提前做好资金统筹。",
        ),
        (1, 0.74),
        "closed",
        cause="征收补偿协议",
        adoptions=("adopted", "adopted", "adopted"),
        reply="我局已会同各征收实施单位修订房屋征收补偿协议示范文本，并对在建征收项目"
        "评估报告送达情况开展专项检查。",
    ),
    RecSpec(
        "construction_penalty",
        INTERMEDIATE,
        "市住建局",
        "judicial",
        "single_case",
        "关于规范建筑市场行政处罚裁量权行使的司法建议",
        "本院在审理一起建筑市场行政处罚上诉案件中发现，行政处罚决定未说明裁量理由，"
        "同类违法行为处罚幅度差异较大。为此建议：",
        (
            "细化建筑市场行政处罚裁量基准，并向社会公开。",
            "在行政处罚决定书中充分说明裁量的事实和理由。",
            "加强法制审核，对重大处罚决定严格落实集体讨论制度。",
        ),
        (2, 0.08),
        "closed",
        cause="建筑市场",
        adoptions=("adopted", "partly", "adopted"),
        reply="我局已启动裁量基准修订工作，处罚决定书中增加裁量说明部分。",
        reasons=("", "裁量基准修订稿已征求意见，将于报市司法局合法性审核后公布施行。", ""),
    ),
    RecSpec(
        "social_insurance",
        "豫1702",
        "市人社局",
        "judicial",
        "single_case",
        "关于做好社会保险待遇核定工作的司法建议",
        "本院在审理一起社会保险待遇行政确认案件中发现，待遇核定告知书未载明计算依据和"
        "救济途径，参保人难以理解核定结果。为此建议：",
        (
            "在待遇核定文书中列明缴费年限、计发基数等计算依据。",
            "依法告知申请复议和提起诉讼的途径和期限。",
        ),
        (1, 0.35),
        "replied",
        cause="社会保险",
        adoptions=("adopted", "adopted"),
        reply="我局已修改社会保险待遇核定告知书格式，增加计算明细和救济途径告知。",
    ),
    RecSpec(
        "injury_relation",
        "豫1702",
        "市人社局",
        "judicial",
        "case_type",
        "关于工伤认定中劳动关系审查问题的司法建议",
        "本院在审理工伤认定案件中发现，对劳务派遣、违法转包等情形下劳动关系的审查标准"
        "不统一。为此建议：",
        (
            "对劳动关系存在争议的，依法中止工伤认定程序，告知当事人通过仲裁或诉讼确认。",
            "对违法转包、分包情形下承担工伤保险责任的单位依法认定，统一审查标准。",
        ),
        (2, 0.30),
        "replied",
        cause="工伤认定",
        adoptions=("adopted", "partly"),
        reply="我局已组织专题研讨，对劳动关系存疑案件的处理程序作出统一规定。",
        reasons=("", "违法转包情形的责任认定需待省厅统一口径，已向省厅专题请示。"),
    ),
    RecSpec(
        "expropriation_info",
        "豫1702",
        "市住建局",
        "judicial",
        "single_case",
        "关于依法公开房屋征收信息的司法建议",
        "本院在审理一起政府信息公开案件中发现，对被征收人申请公开的征收补偿方案、"
        "补偿费用拨付等信息，答复内容不完整。为此建议：",
        (
            "依法主动公开房屋征收决定、补偿方案和补偿结果。",
            "规范依申请公开答复，逐项说明公开、不予公开的理由和依据。",
        ),
        (2, 0.45),
        "replied",
        cause="信息公开",
        adoptions=("adopted", "adopted"),
        reply="我局已在门户网站开设房屋征收信息公开专栏，依申请公开答复实行法制审核。",
    ),
    RecSpec(
        "review_report_1",
        INTERMEDIATE,
        "市政府",
        "review_report",
        "general",
        "{year}年度全市行政案件司法审查报告",
        "本报告对{year}年度全市法院审理的行政案件进行了统计分析，总结了行政机关依法行政"
        "取得的进步，梳理了行政执法中存在的突出问题，并提出如下建议：",
        (
            "进一步落实行政机关负责人出庭应诉制度，推动出庭出声出效果。",
            "加强集体土地征收和强制拆除工作的合法性审查，严格依法定程序实施。",
            "规范政府信息公开答复工作，提高答复质量。",
            "健全行政争议实质性化解机制，推动行政争议诉源治理。",
        ),
        (1, 0.16),
        "replied",
        adoptions=("adopted", "adopted", "adopted", "partly"),
        reply="市政府高度重视，已将审查报告印发各县区政府和市直各部门学习，"
        "并将负责人出庭应诉情况纳入法治政府建设考核。",
        reasons=("", "", "", "行政争议协调化解中心已在市级设立，县区中心正在分批建设。"),
    ),
    RecSpec(
        "review_report_2",
        INTERMEDIATE,
        "市政府",
        "review_report",
        "general",
        "{year}年度全市行政案件司法审查报告",
        "本报告对{year}年度全市法院审理的行政案件进行了统计分析，通报了行政机关败诉和"
        "负责人出庭应诉情况，并就规范行政执法提出如下建议：",
        (
            "对败诉率较高的单位开展专项督导，逐案分析败诉原因。",
            "将出庭应诉、司法建议回复和败诉情况纳入年度法治政府建设考核。",
            "推动行政复议与行政诉讼衔接，发挥行政复议化解行政争议主渠道作用。",
        ),
        (2, 0.20),
        "replied",
        adoptions=("adopted", "adopted", "adopted"),
        reply="市政府已召开常务会议专题研究，部署开展行政败诉案件专项督导。",
    ),
    RecSpec(
        "planning_permit",
        "豫1702",
        "市自然资源规划局",
        "judicial",
        "case_type",
        "关于规范建设工程规划许可审查的司法建议",
        "本院在审理建设工程规划许可类案件中发现，规划许可审查中对利害关系人的陈述申辩"
        "权利保障不足，批前公示流于形式。为此建议：",
        (
            "严格落实批前公示制度，公示期间充分听取利害关系人意见。",
            "对涉及相邻权的规划许可，依法告知利害关系人听证权利。",
            "加强规划许可档案管理，完整保存审查材料。",
        ),
        (0, 0.63),
        "replied",
        cause="规划许可",
        adoptions=("adopted", "adopted", "adopted"),
        reply="我局已修订建设工程规划许可批前公示办法，并对近三年许可档案开展清查。",
    ),
    RecSpec(
        "complaints",
        "豫1702",
        "市市场监管局",
        "judicial",
        "single_case",
        "关于依法处理投诉举报的司法建议",
        "本院在审理一起不履行投诉举报处理职责案件中发现，对消费者投诉未在法定期限内"
        "作出是否立案的决定并告知举报人。为此建议：",
        (
            "严格执行投诉举报处理时限规定，及时告知处理结果。",
            "对职业索赔、职业举报行为依法甄别，分类处理。",
        ),
        (1, 0.47),
        "replied",
        cause="投诉举报",
        adoptions=("adopted", "partly"),
        reply="我局已完善投诉举报处理信息系统的时限预警功能。",
        reasons=("", "职业索赔甄别标准需与上级部门口径一致，已报请省局指导。"),
    ),
    RecSpec(
        "public_order",
        "豫1702",
        "市公安局",
        "judicial",
        "case_type",
        "关于规范治安管理处罚程序的司法建议",
        "本院在审理治安管理处罚案件中发现，部分案件存在询问笔录不规范、未依法告知"
        "陈述申辩权利、证据收集不及时等问题。为此建议：",
        (
            "严格执行处罚前告知程序，充分听取当事人陈述申辩。",
            "规范现场执法记录仪的使用和视听资料的保存。",
            "加强执法办案中心建设，提高案件审核质量。",
        ),
        (1, 0.66),
        "replied",
        cause="治安管理",
        adoptions=("adopted", "adopted", "adopted"),
        reply="市公安局已在全市开展执法规范化专项整治，执法记录仪全程记录率显著提升。",
    ),
    RecSpec(
        "xiping_land",
        "豫1728",
        "{j}政府",
        "judicial",
        "case_type",
        "关于规范集体土地征收与强制拆除行为的司法建议",
        "本院在集中管辖审理西平县集体土地征收类行政案件中发现，部分征收项目存在未依法"
        "作出补偿安置决定即实施强制拆除、强制拆除程序不规范等问题，多起案件被确认违法。"
        "为此建议：",
        (
            "严格依照法定程序实施集体土地征收，先补偿后搬迁。",
            "对被征收人拒不搬迁的，依法申请人民法院强制执行，不得自行强制拆除。",
            "对已确认违法的强拆行为，依法及时予以行政赔偿。",
            "建立征收项目合法性审查和风险评估机制。",
        ),
        (1, 0.60),
        "replied",
        cause="征收",
        county="西平县",
        adoptions=("adopted", "adopted", "partly", "adopted"),
        reply="县政府已召开专题会议，责成县自然资源局、各乡镇全面排查在建征收项目，"
        "并建立征收项目合法性审查前置制度。",
        reasons=("", "", "赔偿事项已与大部分当事人协商一致，其余正在评估。", ""),
    ),
    RecSpec(
        "shangcai_agreement",
        INTERMEDIATE,
        "{j}政府",
        "judicial",
        "single_case",
        "关于依法履行征收补偿安置协议的司法建议",
        "本院在审理一起行政协议案件中发现，被告签订征收补偿安置协议后，未按约定期限"
        "交付安置房屋，引发诉讼。为此建议：",
        (
            "全面清理已签订的征收补偿安置协议履行情况，按约定履行义务。",
            "对确实不能按期交付安置房的，依法支付临时安置费并告知被征收人。",
        ),
        (0, 0.78),
        "replied",
        cause="协议",
        county="上蔡县",
        adoptions=("adopted", "adopted"),
        reply="县政府已对全县安置项目逐一清理，逾期安置项目已足额发放临时安置费。",
    ),
    RecSpec(
        "shangcai_land",
        "豫1727",
        "{j}自然资源局",
        "judicial",
        "case_type",
        "关于加强违法占地查处工作的司法建议",
        "本院在集中管辖审理上蔡县土地行政案件中发现，对群众举报的违法占地行为查处不及时，"
        "多起不履行法定职责案件被判决责令履行。为此建议：",
        (
            "建立违法占地举报受理和查处台账，依法及时立案查处。",
            "对查处结果及时书面告知举报人。",
            "加强与乡镇政府、综合执法部门的协作，形成查处合力。",
        ),
        (2, -95),
        "overdue",
        cause="违法占地",
        county="上蔡县",
    ),
    RecSpec(
        "demolition",
        INTERMEDIATE,
        "市城管局",
        "judicial",
        "case_type",
        "关于规范强制拆除违法建筑程序的司法建议",
        "本院在审理强制拆除违法建筑类案件中发现，部分强制拆除行为未依法履行催告、"
        "公告和作出书面决定等程序，被确认违法并引发行政赔偿。为此建议：",
        (
            "严格执行行政强制法规定的催告、决定、公告程序。",
            "强制拆除前依法对物品进行清点登记并妥善保管。",
            "建立强制拆除案件法制审核制度。",
        ),
        (2, -78),
        "overdue",
        cause="强制拆除",
    ),
    RecSpec(
        "penalty_environment",
        "豫1702",
        "市生态环境局",
        "judicial",
        "single_case",
        "关于规范环境行政处罚裁量权行使的司法建议",
        "本院在审理一起环境行政处罚案件中发现，处罚决定对从轻情节未作审查说明，"
        "罚款数额明显不当。为此建议：",
        (
            "严格执行生态环境行政处罚裁量基准，说明裁量理由。",
            "对首次轻微违法且及时改正的，依法适用不予处罚或从轻处罚。",
        ),
        (2, 0.12),
        "replied",
        cause="环境污染",
        adoptions=("adopted", "adopted"),
        reply="我局已在全系统推行“首违不罚”清单，处罚决定书增加裁量说理部分。",
    ),
    RecSpec(
        "zhengyang_police",
        "豫1725",
        "{j}公安局",
        "judicial",
        "single_case",
        "关于规范行政案件受案审查的司法建议",
        "本院在集中管辖审理正阳县治安行政案件中发现，对当事人报案未依法出具受案回执，"
        "亦未在法定期限内作出处理。为此建议：",
        (
            "依法受理治安案件报案并出具受案回执。",
            "对不予立案的，依法书面告知报案人并说明理由。",
        ),
        (2, -26),
        "waiting",
        cause="治安",
        county="正阳县",
    ),
    RecSpec(
        "registry",
        INTERMEDIATE,
        "市不动产登记中心",
        "judicial",
        "case_type",
        "关于加强不动产登记审查的司法建议",
        "本院在审理不动产登记类上诉案件中发现，部分登记存在对申请材料真实性审查不严、"
        "冒名登记等问题。为此建议：",
        (
            "严格核验申请人身份，推行人脸识别等核验手段。",
            "对共有财产处分登记，核实全体共有人意思表示。",
            "建立登记错误更正和赔偿的快速处理机制。",
        ),
        (0, 0.35),
        "replied",
        cause="不动产登记",
        adoptions=("adopted", "adopted", "not_adopted"),
        reply="我中心已在各登记窗口全面启用人脸识别核验系统。",
        reasons=("", "", "登记错误赔偿由法院判决或当事人协商确定，不宜由登记机构另设机制。"),
        late=True,
    ),
)

# --- disputes ----------------------------------------------------------------------------------
# Disputes referred before a suit is filed: (county name or "" for the city, body short name,
# title, summary, applicant kind person/company, (year offset, fraction), outcome).
PRE_FILING = (
    (
        "",
        "市人社局",
        "工伤待遇核定争议",
        "申请人因工受伤后对一次性伤残补助金核定数额有异议，拟提起行政诉讼。",
        "person",
        (0, 0.50),
        "resolve",
    ),
    (
        "",
        "市自然资源规划局",
        "建设项目规划许可相邻权争议",
        "相邻住户认为新建项目规划许可影响采光通风，拟起诉要求撤销规划许可。",
        "person",
        (0, 0.82),
        "settle",
    ),
    (
        "西平县",
        "{j}政府",
        "集体土地征收青苗补偿争议",
        "村民对征收范围内青苗及地上附着物补偿标准有异议，多次信访并拟集体起诉。",
        "person",
        (1, 0.22),
        "resolve",
    ),
    (
        "",
        "市市场监管局",
        "食品经营许可注销争议",
        "经营者认为注销食品经营许可未听取陈述申辩，拟申请行政复议并起诉。",
        "company",
        (1, 0.40),
        "resolve",
    ),
    (
        "上蔡县",
        "{j}住建局",
        "农民工工资保证金返还争议",
        "建筑企业认为工程已竣工验收，保证金应予返还，住建部门以存在欠薪投诉为由暂缓返还。",
        "company",
        (1, 0.71),
        "settle",
    ),
    (
        "",
        "市城管局",
        "违法建筑认定及拆除补偿争议",
        "当事人认为其搭建的彩钢棚系经社区同意，不属于违法建筑，要求给予补偿。",
        "person",
        (1, 0.86),
        "fail",
    ),
    (
        "",
        "市不动产登记中心",
        "不动产登记错误更正争议",
        "申请人发现房屋登记面积与实测面积不符，要求更正登记，双方就责任承担存在分歧。",
        "person",
        (2, 0.15),
        "resolve",
    ),
    (
        "汝南县",
        "{j}人社局",
        "社会保险缴费年限认定争议",
        "申请人对原国有企业工作年限能否视同缴费年限有异议，拟提起行政诉讼。",
        "person",
        (2, 0.38),
        "resolve",
    ),
    (
        "",
        "市生态环境局",
        "环境行政处罚罚款数额争议",
        "企业对超标排放罚款数额有异议，认为已及时整改，应当从轻处罚。",
        "company",
        (2, 0.52),
        "settle",
    ),
    (
        "西平县",
        "{j}自然资源局",
        "宅基地使用权确权争议",
        "两户村民对宅基地界址存在争议，对确权登记结果不服，拟提起行政诉讼。",
        "person",
        (2, -12),
        "open",
    ),
)

STEP_NOTES = {
    "talk": (
        "约谈申请人，听取诉求，释明相关法律规定和政策依据。",
        "与行政机关承办人员座谈，核实争议事实和相关证据材料。",
        "分别与双方当事人谈话，梳理争议焦点。",
    ),
    "site_visit": (
        "会同行政机关工作人员现场查看，核实地上附着物及房屋现状。",
        "赴现场实地勘察，调取相关测绘资料。",
    ),
    "mediation": (
        "组织双方进行调解，行政机关提出重新核定方案，申请人表示考虑。",
        "主持调解，双方就补偿数额和支付期限初步达成一致意见。",
        "组织诉中调解，法官释法明理，双方各自作出让步。",
    ),
    "meeting": (
        "召开协调会，邀请法院、司法局和相关部门共同研究化解方案。",
        "召开府院联动协调会，明确由行政机关牵头落实化解措施。",
    ),
}
OUTCOME_TEXT = {
    "resolve": (
        "行政机关自行纠正，申请人撤回起诉（或不再起诉），争议实质性化解。",
        "经协调，行政机关重新作出处理决定，申请人表示满意并撤诉。",
    ),
    "settle": (
        "双方达成和解协议，行政机关按协议履行，争议化解。",
        "经调解达成一致，当事人签署调解协议并已履行完毕。",
    ),
    "fail": (
        "经多次协调，双方分歧较大未能达成一致，转入诉讼程序依法审理。",
        "申请人坚持原诉求，协调未果，依法裁判。",
    ),
}

# --- the annual report -------------------------------------------------------------------------
REPORT_PROBLEMS = """\
一、行政程序违法问题仍较突出。从败诉案件看，因违反法定程序被撤销或确认违法的案件占比最高，主要表现为处罚前未依法告知陈述申辩权利、文书送达不规范、强制拆除前未履行催告和公告程序等。部分行政机关“重实体、轻程序”的观念尚未根本转变。

二、集体土地征收和强制拆除领域争议集中。涉征收拆迁案件在县区政府作为被告的案件中占比较大，个别地方存在未依法作出补偿安置决定即实施拆除、以“拆违”名义代替征收等问题，被确认违法后又引发行政赔偿诉讼。

三、不履行法定职责案件有所增加。对群众投诉举报、信息公开申请和查处请求，部分机关存在答复不及时、处理不到位的情况，“慢作为”“不作为”引发的诉讼仍时有发生。

四、负责人出庭应诉质量有待提升。全市行政机关负责人出庭应诉率总体较高，但正职负责人出庭比例偏低，个别单位存在“出庭不出声”、委托出庭理由不充分等现象，出庭效果有待增强。

五、司法建议回复和整改有待加强。个别单位对司法建议未在规定期限内回复，部分回复内容较为原则，整改措施不够具体，跟踪落实不到位。
"""

REPORT_SUGGESTIONS = """\
一、强化程序意识，提升依法行政水平。建议各级行政机关严格落实行政执法公示、执法全过程记录和重大执法决定法制审核制度，加强对一线执法人员的法律培训，推动行政执法由“结果正确”向“程序正当、结果正确”转变。

二、规范征收拆迁行为，从源头预防争议。建议各县区政府严格依照法定权限和程序实施集体土地征收，坚持先补偿后搬迁，对拒不搬迁的依法申请人民法院强制执行；对已确认违法的强拆行为及时依法赔偿，减少衍生诉讼。

三、推动负责人出庭出声出效果。建议将正职负责人出庭、出庭发言和庭后整改情况纳入法治政府建设考核，对出庭率未达到目标的单位进行通报约谈。

四、健全行政争议实质性化解机制。建议充分发挥行政争议协调化解中心作用，推动诉前分流、诉中调解和判后答疑有机衔接，提升行政争议实质性化解率。

五、抓好司法建议的落实。建议各单位建立司法建议办理台账，按期书面回复，逐项落实整改，并将整改情况报送联席会议办公室。
"""


# --- plans -------------------------------------------------------------------------------------
@dataclass
class HearingPlan:
    starts_at: datetime.datetime
    place: str
    state: str  # held / scheduled / cancelled
    appearance: dict[str, Any] | None = None
    pk: int | None = None

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()


@dataclass
class CasePlan:
    court: Any
    type_code: str  # 行初 / 行终
    defendant: Any
    body: Body
    county: tuple | None
    plaintiffs: list[str]
    cause: str
    enterprise: bool
    filed_on: datetime.date
    concluded_on: datetime.date | None = None
    outcome: str = ""
    note: str = ""
    co_defendants: list[Any] = field(default_factory=list)
    hearings: list[HearingPlan] = field(default_factory=list)
    number: str = ""
    pk: int | None = None
    parent: CasePlan | None = None
    script: str = ""

    @property
    def first_instance(self) -> bool:
        return self.type_code == "行初"


class DemoError(Exception):
    """The demo could not be loaded (shown by the command)."""


def working_day(day: datetime.date) -> bool:
    try:
        return calendar.is_working_day(day)
    except calendar.CalendarMissing:
        return day.weekday() < 5


def next_working(day: datetime.date, step: int = 1) -> datetime.date:
    while not working_day(day):
        day += step * DAY
    return day


def add_working(day: datetime.date, n: int) -> datetime.date:
    step = 1 if n >= 0 else -1
    count = 0
    while count < abs(n):
        day += step * DAY
        if working_day(day):
            count += 1
    return day


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def masked(names: list[str]) -> str:
    """How a title names the parties: a company by its name, a person by the surname only
    (张某), "等" when there are several."""
    first = names[0]
    shown = first if first.endswith(("公司", "合作社")) else f"{first[0]}某"
    return shown + ("等" if len(names) > 1 else "")


def csv_file(name: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Any:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), "text/csv")


# --- the loader --------------------------------------------------------------------------------
class LitigationDemo:
    """Builds the demo in order: plan the cases and hearings, import them as the court's
    export, write the history, let the demo accounts act, then the recommendations, disputes,
    the annual report's text and the daily job."""

    def __init__(self, today: datetime.date) -> None:
        from fuyuan.accounts.models import User
        from fuyuan.org.models import Mechanism

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
        self.city = (
            Mechanism.objects.select_related("jurisdiction")
            .filter(jurisdiction__code=CITY_CODE)
            .first()
        )
        if self.city is None:
            raise DemoError("The city's joint meeting is missing: run `fuyuan load_demo` first.")
        self.years = (today.year - 2, today.year - 1, today.year)
        self.counts: Counter[str] = Counter()
        self.seeded: Counter[str] = Counter()
        self.cases: list[CasePlan] = []
        self.used_names: set[str] = set(org_demo.REAL_OFFICIALS_IN_NOTICE)
        self.deputies: dict[int, list[tuple[str, str]]] = {}

    # --- helpers --------------------------------------------------------------------------------
    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def person(self) -> str:
        rng = self.rng
        while True:
            female = rng.random() < 0.4
            given = rng.choice(org_demo.FEMALE_GIVEN if female else org_demo.MALE_GIVEN)
            name = rng.choice(org_demo.SURNAMES) + given
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def family(self, n: int) -> list[str]:
        """n villagers, most of one family (same surname)."""
        surname = self.rng.choice(org_demo.SURNAMES)
        names: list[str] = []
        while len(names) < n:
            if self.rng.random() < 0.7:
                given = self.rng.choice(org_demo.MALE_GIVEN + org_demo.FEMALE_GIVEN)
                name = surname + given
                if name in self.used_names or name in names:
                    continue
                self.used_names.add(name)
            else:
                name = self.person()
            names.append(name)
        return names

    def company(self) -> str:
        rng = self.rng
        while True:
            name = (
                rng.choice(COMPANY_PLACES) + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_TRADES)
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def day_in(self, year: int, fraction: float) -> datetime.date:
        """A working day at `fraction` of `year` (a negative fraction: that many days before
        today), never after today."""
        if fraction < 0:
            day = self.today + int(fraction) * DAY
        else:
            start = datetime.date(year, 1, 1)
            day = start + int(fraction * 364) * DAY
        day = min(day, self.today - DAY)
        return next_working(day, -1)

    # --- units ----------------------------------------------------------------------------------
    def collect_units(self) -> None:
        from fuyuan.accounts.models import Person, Post, PostKind
        from fuyuan.org.models import Unit

        units = list(Unit.objects.current(self.today).select_related("jurisdiction").order_by("pk"))
        self.by_short = {(u.jurisdiction.code, u.short_name): u for u in units}
        self.courts = {u.court_code: u for u in units if u.kind == "court" and u.court_code}
        needed = {INTERMEDIATE, *HEARING_COURT.values()}
        if not needed <= set(self.courts):
            raise DemoError("The courts of the org demo are missing: run `fuyuan load_demo`.")
        self.used_names |= set(Person.objects.values_list("name", flat=True))
        self.heads: dict[int, tuple[str, str]] = {}
        posts = Post.objects.filter(holder__isnull=False).select_related("holder")
        deputies: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for post in posts.order_by("unit_id", "order", "pk"):
            if post.kind == PostKind.HEAD and post.unit_id not in self.heads:
                self.heads[post.unit_id] = (post.holder.name, post.title)
            elif post.kind in (PostKind.EXECUTIVE_DEPUTY, PostKind.DEPUTY):
                deputies[post.unit_id].append((post.holder.name, post.title))
        self.deputies = dict(deputies)
        # The bodies that draw cases: (unit, body spec, county row or None, weight).
        self.pool: list[tuple[Any, Body, tuple | None, float]] = []
        for body in CITY_BODIES:
            unit = self.by_short.get((CITY_CODE, body.short_name))
            if unit is not None:
                self.pool.append((unit, body, None, body.weight))
        for county in COUNTIES:
            name, short, code, share, _appear, _loss = county
            for body in COUNTY_BODIES:
                unit = self.by_short.get((code, body.short_name.format(j=name, s=short)))
                if unit is not None:
                    self.pool.append((unit, body, county, body.weight * share))
        if not self.pool:
            raise DemoError("No bodies of the org demo found: run `fuyuan load_demo`.")

    def unit(self, short_name: str, county: str = "") -> Any:
        if county:
            row = next(c for c in COUNTIES if c[0] == county)
            key = (row[2], short_name.format(j=row[0], s=row[1]))
        else:
            key = (CITY_CODE, short_name)
        found = self.by_short.get(key)
        if found is None:
            raise DemoError(f"Unit of the org demo missing: {key[1]}.")
        return found

    def deputy_of(self, unit: Any) -> tuple[str, str]:
        if unit.pk not in self.deputies:
            _name, title = self.heads.get(unit.pk, ("", "局长"))
            self.deputies[unit.pk] = [(self.person(), f"副{title}")]
        return self.rng.choice(self.deputies[unit.pk])

    def head_of(self, unit: Any) -> tuple[str, str]:
        if unit.pk not in self.heads:
            self.heads[unit.pk] = (self.person(), "局长")
        return self.heads[unit.pk]

    # --- planning cases -------------------------------------------------------------------------
    def court_for(self, unit: Any, body: Body, cause: str) -> tuple[Any, list[Any]]:
        """The court of first instance and the co-defendants: a government as defendant goes
        to the intermediate court; otherwise the basic court of 相对集中管辖."""
        code = unit.jurisdiction.code
        co: list[Any] = []
        if body.causes in ("city_government", "county_government"):
            return self.courts[INTERMEDIATE], co
        if cause == "行政复议" or (cause.startswith("行政征收") and self.rng.random() < 0.3):
            government = self.by_short.get(
                (code, "市政府" if code == CITY_CODE else f"{unit.jurisdiction.name}政府")
            )
            if government is not None and government.pk != unit.pk:
                co.append(government)
                return self.courts[INTERMEDIATE], co
        return self.courts[HEARING_COURT.get(code, "豫1702")], co

    def pick_outcome(self, body: Body, county: tuple | None, cause: str) -> str:
        weights = dict(FIRST_OUTCOMES)
        loss = body.loss * (county[5] if county else 1.0)
        if "强制" in cause or "赔偿" in cause:
            weights["confirmed_unlawful"] *= 2.2
            weights["compensation"] *= 2.5
        if "信息公开" in cause:
            weights["ordered_to_perform"] *= 1.8
        if "不履行法定职责" in cause:
            weights["ordered_to_perform"] *= 2.5
        if "协议" in cause:
            weights["mediated"] *= 2.5
        if "征收" in cause:
            weights["confirmed_unlawful"] *= 1.4
        for key in LOSSES:
            weights[key] *= loss
        return weighted(self.rng, weights)

    def duration(self, outcome: str) -> int:
        r = self.rng.randint
        if outcome == "withdrawn":
            return r(18, 110)
        if outcome in ("mediated", "transferred", "other"):
            return r(30, 120)
        if outcome == "dismissed" and self.rng.random() < 0.2:
            return r(15, 60)  # 裁定驳回起诉
        return r(55, 185)

    def plaintiffs(self, cause: Cause) -> tuple[list[str], bool]:
        _name, _weight, enterprise_share, several = cause
        if self.rng.random() < enterprise_share:
            return [self.company()], True
        if several and self.rng.random() < 0.6:
            return self.family(self.rng.randint(2, 6)), False
        return [self.person()], False

    def plan_cases(self) -> None:
        rng = self.rng
        weights = [w for *_rest, w in self.pool]
        for index, year in enumerate(self.years):
            start = datetime.date(year, 1, 1)
            end = min(datetime.date(year, 12, 31), self.today - DAY)
            if end < start:
                continue
            span = (end - start).days
            total = CASES_PER_YEAR[index]
            if year == self.today.year:
                total = max(1, round(total * (span + 1) / 365))
            for _ in range(total):
                unit, body, county, _w = rng.choices(self.pool, weights=weights)[0]
                causes = CAUSES[body.causes]
                cause = rng.choices(causes, weights=[c[1] for c in causes])[0]
                filed = next_working(start + rng.randint(0, span) * DAY, -1)
                if filed < start:
                    filed = next_working(start)
                self.cases.append(self.first_instance(unit, body, county, cause, filed))
        self.plan_scripted()
        for case in list(self.cases):
            if case.first_instance:
                self.plan_hearings(case)
        for case in [c for c in self.cases if c.first_instance and not c.script]:
            self.maybe_appeal(case)

    def first_instance(
        self, unit: Any, body: Body, county: tuple | None, cause: Cause, filed: datetime.date
    ) -> CasePlan:
        court, co = self.court_for(unit, body, cause[0])
        names, enterprise = self.plaintiffs(cause)
        case = CasePlan(
            court=court,
            type_code="行初",
            defendant=unit,
            body=body,
            county=county,
            plaintiffs=names,
            cause=cause[0],
            enterprise=enterprise,
            filed_on=filed,
            co_defendants=co,
        )
        outcome = self.pick_outcome(body, county, cause[0])
        concluded = next_working(filed + self.duration(outcome) * DAY)
        # A few older cases run long (中止审理, 鉴定, 延长审限).
        if concluded < self.today and self.rng.random() < 0.03:
            concluded = self.today + 30 * DAY
        if concluded < self.today:
            case.concluded_on = concluded
            case.outcome = outcome
            notes = OUTCOME_NOTES.get(outcome, ("",))
            case.note = self.rng.choice(notes)
        return case

    def plan_scripted(self) -> None:
        """Cases the demo accounts act on: records of the last days to confirm or dispute,
        and hearings in the coming days that remind 市人社局, 市住建局 and 西平县."""
        labour = self.unit("市人社局")
        housing = self.unit("市住建局")
        body_of = {b.short_name: b for b in CITY_BODIES}
        cause_labour = ("工伤认定", 1, 0.0, False)
        # 市人社局: a hearing three working days ago, the deputy recorded as silent (disputed).
        disputed = self.first_instance(
            labour, body_of["市人社局"], None, cause_labour, add_working(self.today, -40)
        )
        disputed.concluded_on, disputed.outcome, disputed.note = None, "", ""
        disputed.script = "labour_disputed"
        day = add_working(self.today, -3)
        deputy = self.deputy_of(labour)
        disputed.hearings.append(
            HearingPlan(
                self.at(day, 9, 30),
                "第二审判庭",
                "held",
                {"rank": "deputy", "name": deputy[0], "post": deputy[1], "spoke": False},
            )
        )
        # 市人社局: a hearing on the next working day (within the reminder days).
        soon = self.first_instance(
            labour, body_of["市人社局"], None, cause_labour, add_working(self.today, -25)
        )
        soon.concluded_on, soon.outcome, soon.note = None, "", ""
        soon.script = "labour_soon"
        soon.hearings.append(
            HearingPlan(self.at(add_working(self.today, 1), 9, 0), "行政审判庭", "scheduled")
        )
        # 市住建局: a hearing in seven working days.
        cause_housing = ("不履行法定职责（物业专项维修资金）", 1, 0.0, True)
        later = self.first_instance(
            housing, body_of["市住建局"], None, cause_housing, add_working(self.today, -30)
        )
        later.concluded_on, later.outcome, later.note = None, "", ""
        later.script = "housing_later"
        later.hearings.append(
            HearingPlan(self.at(add_working(self.today, 7), 14, 30), "第一审判庭", "scheduled")
        )
        # 市住建局: an appeal at the intermediate court heard six working days ago, the head
        # recorded as absent although the deputy appeared (disputed, corrected, confirmed).
        first = self.first_instance(
            housing,
            body_of["市住建局"],
            None,
            ("行政协议（国有土地上房屋征收补偿协议）", 1, 0.0, False),
            add_working(self.today, -190),
        )
        first.concluded_on = add_working(self.today, -75)
        first.outcome, first.note = "dismissed", ""
        first.script = "housing_first"
        held = add_working(first.filed_on, 45)
        first.hearings.append(
            HearingPlan(
                self.at(held, 9, 0),
                "第一审判庭",
                "held",
                {"rank": "top", **self._head(housing), "spoke": True},
            )
        )
        appeal = CasePlan(
            court=self.courts[INTERMEDIATE],
            type_code="行终",
            defendant=housing,
            body=body_of["市住建局"],
            county=None,
            plaintiffs=list(first.plaintiffs),
            cause=first.cause,
            enterprise=False,
            filed_on=add_working(self.today, -45),
            parent=first,
            script="housing_appeal",
        )
        appeal.hearings.append(
            HearingPlan(
                self.at(add_working(self.today, -6), 15, 0),
                "第三审判庭",
                "held",
                {"rank": "none", "reason": ABSENCE_REASONS[4]},
            )
        )
        # 西平县人民政府: a land case at the intermediate court, heard on the next working day.
        xiping = self.unit("{j}政府", "西平县")
        county = next(c for c in COUNTIES if c[0] == "西平县")
        land = self.first_instance(
            xiping,
            COUNTY_BODIES[0],
            county,
            CAUSES["county_government"][0],
            add_working(self.today, -50),
        )
        land.concluded_on, land.outcome, land.note = None, "", ""
        land.script = "xiping_soon"
        land.hearings.append(
            HearingPlan(self.at(add_working(self.today, 1), 15, 0), "第五审判庭", "scheduled")
        )
        self.cases += [disputed, soon, later, first, appeal, land]

    def _head(self, unit: Any) -> dict[str, Any]:
        name, title = self.head_of(unit)
        return {"name": name, "post": title}

    def appearance(self, case: CasePlan) -> dict[str, Any]:
        """Whether the head appeared at a hearing, as the body's record says."""
        rng = self.rng
        body, county = case.body, case.county
        appear = min(0.98, body.appear * (county[4] if county else 1.0))
        if rng.random() >= appear:
            return {"rank": "none", "reason": rng.choice(ABSENCE_REASONS)}
        if rng.random() < body.top:
            name, post = self.head_of(case.defendant)
            rank = "top"
        else:
            name, post = self.deputy_of(case.defendant)
            rank = "deputy"
        return {"rank": rank, "name": name, "post": post, "spoke": rng.random() < 0.86}

    def hearing_at(self, court: Any, day: datetime.date) -> tuple[datetime.datetime, str]:
        hour, minute = self.rng.choice(HEARING_TIMES)
        rooms = COURTROOMS.get(court.court_code, COURTROOMS["default"])
        return self.at(day, hour, minute), self.rng.choice(rooms)

    def add_hearing(self, case: CasePlan, day: datetime.date) -> None:
        """A session on `day`: held when past, announced when in the coming weeks, else not
        yet scheduled."""
        day = next_working(day)
        if day >= self.today and (day - self.today).days > UPCOMING_DAYS:
            return
        if any(h.day == day for h in case.hearings):
            return
        starts_at, place = self.hearing_at(case.court, day)
        if day < self.today:
            case.hearings.append(HearingPlan(starts_at, place, "held", self.appearance(case)))
        elif day > self.today:
            case.hearings.append(HearingPlan(starts_at, place, "scheduled"))

    def plan_hearings(self, case: CasePlan) -> None:
        if case.script:
            return
        rng = self.rng
        outcome = case.outcome
        if outcome in ("withdrawn", "transferred", "other") and rng.random() < 0.65:
            return  # withdrawn or ended before any hearing
        if outcome == "dismissed" and case.note.endswith("裁定驳回起诉。"):
            return
        first = case.filed_on + rng.randint(25, 70) * DAY
        if case.concluded_on is not None:
            latest = case.concluded_on - 4 * DAY
            if first > latest:
                first = case.filed_on + max(1, (case.concluded_on - case.filed_on).days // 2) * DAY
        elif first <= self.today and (self.today - case.filed_on).days > 120:
            first = case.filed_on + rng.randint(30, 60) * DAY
        elif first <= self.today < first + 10 * DAY and rng.random() < 0.5:
            # Not heard yet: announced for the coming weeks.
            first = self.today + rng.randint(2, 18) * DAY
        if rng.random() < 0.03 and first - 14 * DAY > case.filed_on:
            cancelled = next_working(first - rng.randint(7, 14) * DAY)
            if cancelled < self.today:
                starts_at, place = self.hearing_at(case.court, cancelled)
                case.hearings.append(HearingPlan(starts_at, place, "cancelled"))
        self.add_hearing(case, first)
        if rng.random() < 0.12 or (case.concluded_on is None and case.hearings):
            second = first + rng.randint(14, 40) * DAY
            if case.concluded_on is None:
                if rng.random() < 0.5:
                    self.add_hearing(case, second)
            elif second < case.concluded_on - 2 * DAY:
                self.add_hearing(case, second)

    def maybe_appeal(self, case: CasePlan) -> None:
        """An appeal to the intermediate court against a basic court's judgment."""
        rng = self.rng
        if case.concluded_on is None or case.court.court_code == INTERMEDIATE:
            return
        chance = 0.3 if case.outcome == "dismissed" else 0.3 if case.outcome in LOSSES else 0
        if rng.random() >= chance:
            return
        filed = next_working(case.concluded_on + rng.randint(20, 45) * DAY)
        if filed >= self.today:
            return
        appeal = CasePlan(
            court=self.courts[INTERMEDIATE],
            type_code="行终",
            defendant=case.defendant,
            body=case.body,
            county=case.county,
            plaintiffs=list(case.plaintiffs),
            cause=case.cause,
            enterprise=case.enterprise,
            filed_on=filed,
            co_defendants=list(case.co_defendants),
            parent=case,
        )
        concluded = next_working(filed + rng.randint(30, 100) * DAY)
        if concluded < self.today:
            appeal.concluded_on = concluded
            appeal.outcome = weighted(rng, SECOND_OUTCOMES)
            if appeal.outcome == "revoked":
                appeal.note = "撤销一审判决，改判支持上诉人的诉讼请求。"
        if rng.random() < 0.5:
            day = filed + rng.randint(20, 45) * DAY
            if appeal.concluded_on is None or day < appeal.concluded_on - 3 * DAY:
                self.add_hearing(appeal, day)
        self.cases.append(appeal)

    # --- numbers --------------------------------------------------------------------------------
    def number_cases(self) -> None:
        """Numbers increasing with the filing date per court, year and type; gaps for the
        court's other cases; never a number of the importer's sample files."""
        from fuyuan.litigation.samples import make_samples

        taken = {str(row[0]) for row in make_samples.CASES}
        groups: dict[tuple[str, int, str], list[CasePlan]] = defaultdict(list)
        for case in self.cases:
            groups[(case.court.court_code, case.filed_on.year, case.type_code)].append(case)
        for (code, year, type_code), cases in sorted(groups.items()):
            big = code == INTERMEDIATE and type_code == "行终"
            seq = self.rng.randint(3, 12) if big else self.rng.randint(1, 5)
            for case in sorted(cases, key=lambda c: (c.filed_on, c.defendant.pk)):
                number = f"（{year}）{code}{type_code}{seq}号"
                while number in taken:
                    seq += 1
                    number = f"（{year}）{code}{type_code}{seq}号"
                case.number = number
                taken.add(number)
                seq += self.rng.randint(2, 7) if big else self.rng.randint(1, 4)

    # --- importing ------------------------------------------------------------------------------
    def import_file(self, feed: str, upload: Any, options: dict[str, Any] | None = None) -> Any:
        from fuyuan.core import importing

        court = self.users["court"]
        batch = importing.preview(feed, upload, court, options=options)
        if batch.error_rows or batch.held_rows or batch.duplicate_rows:
            problems = "; ".join(
                f"row {i.row_number} {i.column}: {i.message}" for i in batch.issues.all()[:5]
            )
            raise DemoError(f"The demo's {feed} file does not import cleanly: {problems}")
        batch = importing.confirm(batch, court)
        if batch.state != "imported":
            raise DemoError(f"The demo's {feed} file failed to import: {batch}")
        return batch

    def import_cases(self) -> None:
        from fuyuan.litigation.importers import CASES_FEED
        from fuyuan.litigation.models import AdminCase
        from fuyuan.litigation.samples.make_samples import CASE_HEADERS

        rows = []
        for case in sorted(self.cases, key=lambda c: (c.filed_on, c.number)):
            if case.concluded_on is not None:
                stage = "已结案"
            elif case.hearings and any(h.state == "held" for h in case.hearings):
                stage = "审理中"
            else:
                stage = "审理中" if (self.today - case.filed_on).days > 20 else "立案"
            rows.append(
                (
                    case.number,
                    case.court.name,
                    "、".join(case.plaintiffs),
                    "、".join(u.name for u in [case.defendant, *case.co_defendants]),
                    case.cause,
                    "是" if case.enterprise else "否",
                    case.filed_on.isoformat(),
                    stage,
                    case.concluded_on.isoformat() if case.concluded_on else "",
                    OUTCOME_WORDS[case.outcome] if case.outcome else "",
                    case.note,
                )
            )
        name = f"法院行政案件导出_{self.today:%Y%m%d}.csv"
        self.cases_batch = self.import_file(CASES_FEED, csv_file(name, CASE_HEADERS, rows))
        ids = dict(AdminCase.objects.values_list("number", "pk"))
        for case in self.cases:
            case.pk = ids[case.number]
        self.counts["cases"] = len(self.cases)

    def import_hearings(self) -> None:
        from fuyuan.litigation.importers import HEARINGS_FEED
        from fuyuan.litigation.models import Hearing
        from fuyuan.litigation.samples.make_samples import HEARING_HEADERS

        recent = self.recent_from()
        words = {"held": "已开庭", "scheduled": "待开庭", "cancelled": "取消"}
        ranks = {"top": "正职", "deputy": "副职", "none": "未出庭"}
        rows = []
        for case in self.cases:
            for h in case.hearings:
                a = h.appearance if h.state == "held" and h.day >= recent else None
                rows.append(
                    (
                        case.number,
                        timezone.localtime(h.starts_at).strftime("%Y-%m-%d %H:%M"),
                        h.place,
                        words[h.state],
                        a.get("name", "") if a else "",
                        a.get("post", "") if a else "",
                        ranks[a["rank"]] if a else "",
                        ("是" if a.get("spoke") else "否") if a else "",
                        a.get("reason", "") if a else "",
                    )
                )
        rows.sort(key=lambda r: (r[1], r[0]))
        name = f"法院开庭排期及出庭情况导出_{self.today:%Y%m%d}.csv"
        self.hearings_batch = self.import_file(HEARINGS_FEED, csv_file(name, HEARING_HEADERS, rows))
        found = {
            (case_id, starts_at): pk
            for pk, case_id, starts_at in Hearing.objects.values_list("pk", "case_id", "starts_at")
        }
        for case in self.cases:
            for h in case.hearings:
                h.pk = found[(case.pk, h.starts_at)]
        self.counts["hearings"] = sum(len(c.hearings) for c in self.cases)

    def recent_from(self) -> datetime.date:
        """The first day whose hearings are "recent": RECENT_DAYS calendar days back, or
        further after a long holiday, so the scripted hearings (3 and 6 working days back)
        always come with records to confirm or dispute."""
        return min(self.today - RECENT_DAYS * DAY, add_working(self.today, -8))

    # --- history --------------------------------------------------------------------------------
    def write_history(self) -> None:
        """Appearance records of hearings before the latest export (recorded a few days after
        the hearing; confirmed by the body or automatically), and the reminders the daily job
        sent before past hearings."""
        from fuyuan.litigation import workflow as wf
        from fuyuan.litigation.models import Appearance, Hearing

        court = self.users["court"]
        recent = self.recent_from()
        records: list[Appearance] = []
        reminded: list[Hearing] = []
        for case in self.cases:
            for h in case.hearings:
                if h.state != "cancelled" and h.day < self.today:
                    reminded.append(Hearing(pk=h.pk, reminded_on=h.day - 3 * DAY))
                if h.state != "held" or h.day >= recent or h.appearance is None:
                    continue
                a = h.appearance
                recorded_on = min(h.day + self.rng.randint(1, 4) * DAY, self.today)
                auto = self.rng.random() < 0.25
                confirmed_on = recorded_on + (5 if auto else self.rng.randint(0, 4)) * DAY
                records.append(
                    Appearance(
                        case_id=case.pk,
                        hearing_id=h.pk,
                        unit=case.defendant,
                        rank=a["rank"],
                        head_name=a.get("name", ""),
                        head_post=a.get("post", ""),
                        spoke=bool(a.get("spoke")),
                        absence_reason=a.get("reason", ""),
                        state=wf.CONFIRMED,
                        recorded_by=court,
                        recorded_on=recorded_on,
                        confirmed_on=min(confirmed_on, self.today),
                        auto_confirmed=auto,
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
        Appearance.objects.bulk_create(records, batch_size=500)
        Hearing.objects.bulk_update(reminded, ["reminded_on"], batch_size=500)
        self.seeded["appearance records (history)"] = len(records)
        self.seeded["hearings reminded (history)"] = len(reminded)

    # --- the accounts act on the records --------------------------------------------------------
    def appearance_steps(self) -> None:
        from fuyuan.litigation import actions
        from fuyuan.litigation import workflow as wf
        from fuyuan.litigation.models import Appearance

        liaison, liaison2, court = (self.users[n] for n in ("liaison", "liaison2", "court"))
        scripted = {c.script: c for c in self.cases if c.script}
        pending = Appearance.objects.filter(state=wf.RECORDED).select_related(
            "case__mechanism", "case__jurisdiction", "unit"
        )
        by_hearing = {a.hearing_id: a for a in pending}
        # 市人社局 disputes that its deputy was silent (the 驿城区 court has yet to answer).
        record = by_hearing[scripted["labour_disputed"].hearings[0].pk]
        actions.appearance_transition(
            liaison,
            record,
            "dispute",
            "副局长在法庭辩论阶段就工伤认定程序发表了答辩意见，庭审笔录第6页有记载，"
            "应记录为出庭出声，请核实更正。",
        )
        # 市住建局 disputes the absence; the intermediate court corrects; the body confirms.
        record = by_hearing[scripted["housing_appeal"].hearings[0].pk]
        housing = scripted["housing_appeal"].defendant
        deputy_name, deputy_post = self.deputy_of(housing)
        actions.appearance_transition(
            liaison2,
            record,
            "dispute",
            f"我局{deputy_post}{deputy_name}当日出庭应诉并发表意见，法院记录为未出庭有误，"
            "附出庭签到表，请予更正。",
        )
        record.refresh_from_db()
        actions.correct_appearance(
            court,
            record,
            comment="经核对庭审笔录和签到表，记录有误，已更正为副职负责人出庭并出声。",
            rank="deputy",
            head_name=deputy_name,
            head_post=deputy_post,
            spoke=True,
            absence_reason="",
        )
        record.refresh_from_db()
        actions.appearance_transition(liaison2, record, "confirm")
        # The two liaison officers confirm their other recent records.
        done = {record.pk, by_hearing[scripted["labour_disputed"].hearings[0].pk].pk}
        own = {self.unit("市人社局").pk: liaison, housing.pk: liaison2}
        for a in by_hearing.values():
            if a.pk not in done and a.unit_id in own:
                actions.appearance_transition(own[a.unit_id], a, "confirm")
                self.counts["records confirmed by the bodies"] += 1
        self.counts["records disputed"] = 2

    # --- recommendations ------------------------------------------------------------------------
    def related_cases(
        self, spec: RecSpec, issuer: Any, recipient: Any, before: datetime.date
    ) -> list[Any]:
        found = [
            c
            for c in self.cases
            if c.defendant.pk == recipient.pk
            and c.court.pk == issuer.pk
            and c.filed_on < before
            and (not spec.cause or spec.cause in c.cause)
        ]
        found.sort(key=lambda c: c.filed_on, reverse=True)
        return found[: 1 if spec.scope == "single_case" else 3]

    def recommendations(self) -> None:
        from fuyuan.litigation import recommendation_actions as ra
        from fuyuan.litigation.models import AdminCase

        office, court = self.users["office"], self.users["court"]
        account = {
            self.unit("市人社局").pk: self.users["liaison"],
            self.unit("市住建局").pk: self.users["liaison2"],
        }
        serial: Counter[tuple[int, int]] = Counter()
        for spec in RECOMMENDATIONS:
            issuer = self.courts[spec.issuer]
            recipient = self.unit(spec.recipient, spec.county)
            year = self.years[spec.when[0]]
            delivered = self.day_in(year, spec.when[1])
            registrar = court if spec.issuer == INTERMEDIATE else office
            linked = self.related_cases(spec, issuer, recipient, delivered)
            cases = list(AdminCase.objects.filter(pk__in=[c.pk for c in linked]))
            serial[(issuer.pk, delivered.year)] += 1
            code = "驻中法司建" if spec.issuer == INTERMEDIATE else f"{issuer.short_name[:2]}法司建"
            if spec.kind == "review_report":
                code = "驻中法行审"
            number = f"{code}〔{delivered.year}〕{serial[(issuer.pk, delivered.year)]}号"
            title = spec.title.format(year=delivered.year - 1)
            rec = ra.create_recommendation(
                registrar,
                kind=spec.kind,
                scope=spec.scope,
                issuer=issuer,
                recipient=recipient,
                title=title,
                content=spec.content.format(year=delivered.year - 1),
                items=list(spec.items),
                document_number=number,
                cases=cases,
            )
            ra.deliver(registrar, rec, delivered)
            rec.refresh_from_db()
            self.counts["recommendations"] += 1
            self.counts["recommendation items"] += len(spec.items)
            if spec.fate in ("overdue", "waiting"):
                continue
            days = ra.reply_days(rec.mechanism)
            if spec.late:
                after = self.rng.randint(days + 5, days + 25)
            else:
                after = self.rng.randint(18, days - 8)
            replied = delivered + after * DAY
            replied = max(next_working(min(replied, self.today - DAY), -1), delivered)
            actor = account.get(recipient.pk)
            if actor is not None:
                self.reply_as(actor, rec, spec, replied)
            else:
                self.seed_reply(rec, spec, replied)
            if spec.fate == "closed":
                self.close_out(rec, spec, replied)

    def adoptions(self, rec: Any, spec: RecSpec) -> dict[int, tuple[str, str]]:
        items = list(rec.items.order_by("order", "pk"))
        chosen: dict[int, tuple[str, str]] = {}
        for n, item in enumerate(items):
            adoption = spec.adoptions[n] if n < len(spec.adoptions) else "adopted"
            reason = spec.reasons[n] if n < len(spec.reasons) else ""
            chosen[item.pk] = (adoption, reason)
        return chosen

    def reply_as(self, actor: Any, rec: Any, spec: RecSpec, replied: datetime.date) -> None:
        """The recipient's liaison officer signs for the item matters, starts them and replies
        (the reply reports progress on each adopted item's matter)."""
        from fuyuan.litigation import recommendation_actions as ra
        from fuyuan.matters import actions as matter_actions

        for item in rec.items.select_related("matter"):
            matter = item.matter
            matter_actions.transition(actor, matter, "sign")
            matter_actions.transition(actor, matter, "start")
        ra.reply(
            actor,
            rec,
            reply_text=spec.reply,
            replied_on=replied,
            adoptions=self.adoptions(rec, spec),
        )
        self.counts["replies (by the bodies' accounts)"] += 1

    def seed_reply(self, rec: Any, spec: RecSpec, replied: datetime.date) -> None:
        """A reply on paper from a body without an account here, as the office files it."""
        from fuyuan.litigation import workflow as wf
        from fuyuan.litigation.models import Recommendation, RecommendationItem

        for pk, (adoption, reason) in self.adoptions(rec, spec).items():
            RecommendationItem.objects.filter(pk=pk).update(
                adoption=adoption, adoption_reason=reason
            )
        Recommendation.objects.filter(pk=rec.pk).update(
            state=wf.REPLIED, reply=spec.reply, replied_on=replied
        )
        self.seeded["replies on paper"] += 1

    def close_out(self, rec: Any, spec: RecSpec, replied: datetime.date) -> None:
        """The recipient reports each item done, the office accepts and strikes the matters
        off, and the issuing court closes the recommendation out."""
        from fuyuan.litigation import recommendation_actions as ra
        from fuyuan.litigation.models import Recommendation
        from fuyuan.matters import actions as matter_actions

        office, court = self.users["office"], self.users["court"]
        labour = rec.recipient.short_name == "市人社局"
        actor = self.users["liaison" if labour else "liaison2"]
        for item in rec.items.select_related("matter"):
            matter = item.matter
            matter.refresh_from_db()
            matter_actions.transition(
                actor,
                matter,
                "report",
                values={"summary": f"已按司法建议第{item.order}项完成整改：{spec.reply}"},
            )
            matter_actions.transition(office, matter, "complete")
            matter_actions.transition(office, matter, "close")
        rec.refresh_from_db()
        ra.close(court, rec, "整改措施具体，已落实到位，同意销号。")
        closed_on = next_working(min(replied + self.rng.randint(15, 40) * DAY, self.today), -1)
        closed_on = max(closed_on, replied)
        Recommendation.objects.filter(pk=rec.pk).update(closed_on=closed_on)
        self.counts["recommendations closed out"] += 1
        self.seeded["close-out dates"] += 1

    # --- disputes -------------------------------------------------------------------------------
    def coordinator(self, unit: Any) -> Any:
        return self.users["county" if unit.jurisdiction.code == XIPING_CODE else "office"]

    def mediator(self, unit: Any) -> str:
        code = unit.jurisdiction.code
        if code == CITY_CODE:
            centre = MEDIATION_CENTRES[CITY_CODE]
        else:
            centre = MEDIATION_CENTRES["default"].format(j=unit.jurisdiction.name)
        return f"{centre} {self.person()}"

    def steps(self, dispute: Any, unit: Any, case: CasePlan | None, end: datetime.date) -> None:
        from fuyuan.litigation import dispute_actions as da

        rng = self.rng
        start = dispute.referred_on
        span = max(0, (end - start).days)
        kinds = ["talk", rng.choice(["site_visit", "talk"]), "mediation"]
        if rng.random() < 0.4:
            kinds.insert(2, "meeting")
        kinds = kinds[: 2 + rng.randint(0, 2)]
        days = sorted(start + rng.randint(0, span) * DAY for _ in kinds)
        liaison = {
            self.unit("市人社局").pk: self.users["liaison"],
            self.unit("市住建局").pk: self.users["liaison2"],
        }
        for day, kind in zip(days, kinds, strict=True):
            actor = self.coordinator(unit)
            if kind == "talk" and unit.pk in liaison and rng.random() < 0.5:
                actor = liaison[unit.pk]
            if kind == "mediation" and case is not None and case.court.court_code == INTERMEDIATE:
                actor = self.users["court"]
            da.add_step(actor, dispute, on=day, kind=kind, note=rng.choice(STEP_NOTES[kind]))
            self.counts["dispute steps"] += 1

    def disputes(self) -> None:
        from fuyuan.litigation import dispute_actions as da
        from fuyuan.litigation.models import AdminCase

        rng = self.rng
        # During a case: resolved (the case withdrawn), settled (mediated), failed (judged),
        # and a few still being coordinated; spread over the years.
        quotas = (
            ("withdrawn", "resolve", (2, 3, 2)),
            ("mediated", "settle", (0, 1, 1)),
            ("dismissed", "fail", (0, 2, 1)),
        )
        chosen: list[tuple[CasePlan, str]] = []
        for outcome, step, per_year in quotas:
            for index, n in enumerate(per_year):
                pool = [
                    c
                    for c in self.cases
                    if c.first_instance
                    and c.outcome == outcome
                    and c.concluded_on is not None
                    and c.concluded_on.year == self.years[index]
                    and (c.concluded_on - c.filed_on).days >= 20
                ]
                rng.shuffle(pool)
                chosen += [(c, step) for c in pool[:n]]
        running = [
            c
            for c in self.cases
            if c.first_instance
            and c.concluded_on is None
            and not c.script
            and (self.today - c.filed_on).days >= 15
        ]
        rng.shuffle(running)
        chosen += [(c, "open") for c in running[:3]]
        for plan, step in chosen:
            case = AdminCase.objects.get(pk=plan.pk)
            unit = plan.defendant
            if step == "open":
                since = (self.today - plan.filed_on).days
                referred = next_working(plan.filed_on + rng.randint(3, max(4, since - 5)) * DAY, -1)
                end = self.today - DAY
            else:
                assert plan.concluded_on is not None
                end = plan.concluded_on - rng.randint(0, 4) * DAY
                half = max(3, (end - plan.filed_on).days // 2)
                referred = plan.filed_on + rng.randint(2, half) * DAY
            referred = min(max(referred, plan.filed_on), self.today - DAY)
            end = max(end, referred)
            at_court = plan.court.court_code == INTERMEDIATE
            referrer = self.users["court"] if at_court else self.coordinator(unit)
            applicant = "、".join(plan.plaintiffs)
            who = masked(plan.plaintiffs)
            dispute = da.refer_dispute(
                referrer,
                unit=unit,
                title=f"{who}与{unit.short_name}{plan.cause}争议",
                applicant=applicant[:200],
                summary=f"{who}不服{unit.name}作出的行政行为（{plan.cause}），"
                f"已向{plan.court.name}提起行政诉讼（{plan.number}），"
                "经法院征得当事人同意，委托进行诉中协调化解。",
                referred_on=referred,
                mediator=self.mediator(unit),
                case=case,
            )
            self.finish(dispute, unit, plan, step, end)
        for county, short_name, title, summary, kind, when, step in PRE_FILING:
            unit = self.unit(short_name, county)
            referred = self.day_in(self.years[when[0]], when[1])
            applicant = self.company() if kind == "company" else self.person()
            dispute = da.refer_dispute(
                self.coordinator(unit),
                unit=unit,
                title=title,
                applicant=applicant,
                summary=summary,
                referred_on=referred,
                mediator=self.mediator(unit),
            )
            end = next_working(min(referred + rng.randint(20, 75) * DAY, self.today - DAY), -1)
            self.finish(dispute, unit, None, step, max(end, referred))
        self.counts["disputes"] = len(chosen) + len(PRE_FILING)

    def finish(
        self, dispute: Any, unit: Any, case: CasePlan | None, step: str, end: datetime.date
    ) -> None:
        from fuyuan.litigation import dispute_actions as da

        if step == "open" and self.rng.random() < 0.3:
            return  # referred, coordination not started
        self.steps(dispute, unit, case, end)
        if step == "open":
            return
        dispute.refresh_from_db()
        da.dispute_transition(
            self.coordinator(unit),
            dispute,
            step,
            self.rng.choice(OUTCOME_TEXT[step]),
            on=end,
        )

    # --- the annual report, the daily job -------------------------------------------------------
    def annual_report(self) -> None:
        from fuyuan.litigation import annual_report

        annual_report.save_report_text(
            self.users["court"],
            mechanism=self.city,
            year=self.today.year - 1,
            problems=REPORT_PROBLEMS,
            suggestions=REPORT_SUGGESTIONS,
        )
        self.counts["annual report texts"] = 1

    def daily_job(self) -> None:
        from fuyuan.litigation import jobs

        for key, value in jobs.run_daily(self.today).items():
            self.counts[f"daily job: {key.replace('_', ' ')}"] = value

    # --- the whole demo -------------------------------------------------------------------------
    def load(self) -> dict[str, int]:
        from fuyuan.audit.record import record

        self.collect_units()
        self.plan_cases()
        self.number_cases()
        self.import_cases()
        self.import_hearings()
        self.write_history()
        self.appearance_steps()
        self.recommendations()
        self.disputes()
        self.annual_report()
        record(
            None,
            "litigation.demo.load",
            object_kind="litigation.demo",
            detail={
                "seeded": dict(self.seeded),
                "batches": [self.cases_batch.pk, self.hearings_batch.pk],
            },
        )
        self.daily_job()
        return {**self.counts, **self.seeded}
