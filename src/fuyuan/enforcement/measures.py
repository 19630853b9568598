"""Joint-punishment measures (联合惩戒措施) per business scenario: what a hit on the list of
dishonest judgment debtors means when a department meets the party in that business, with the
national documents that found each measure (DOMAIN.md §6).

The measure texts and their bases are data, written in the documents' own language (Chinese):
they are quoted to departments and stored as the key of the measure a department reports it
applied (触发反馈). Category labels are user-facing and go through gettext.

Sources (facts only; article numbers are quoted only where stable across revisions):
- 中共中央办公厅、国务院办公厅《关于加快推进失信被执行人信用监督、警示和惩戒机制建设的意见》
  (中办发〔2016〕64号), part 三 "加强联合惩戒", sections (一)–(八);
- 国家发展改革委、最高人民法院等44部门《关于对失信被执行人实施联合惩戒的合作备忘录》
  (发改财金〔2016〕141号);
- 《最高人民法院关于公布失信被执行人名单信息的若干规定》(法释〔2017〕7号), 第八条;
- 《中华人民共和国政府采购法》第二十二条 and 《中华人民共和国政府采购法实施条例》第十九条,
  with 《财政部关于在政府采购活动中查询及使用信用记录有关问题的通知》(财库〔2016〕125号);
- 最高人民法院、国家发展改革委等《关于在招标投标活动中对失信被执行人实施联合惩戒的通知》
  (法〔2016〕285号);
- 《最高人民法院关于限制被执行人高消费及有关消费的若干规定》(法释〔2015〕17号), 第三条.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Scenario


class MeasureCategory(models.TextChoices):
    """The categories of 中办发〔2016〕64号 part 三, plus bidding (法〔2016〕285号)."""

    INDUSTRY = "industry", _("Restrictions on specific industries and projects")
    SUPPORT = "support", _("Restrictions on government subsidies and support")
    POST = "post", _("Restrictions on holding posts")
    MARKET_ENTRY = "market_entry", _("Restrictions on market-entry qualifications")
    HONOURS = "honours", _("Restrictions on honours and credit")
    TRANSACTIONS = "transactions", _("Restrictions on special market transactions")
    CONSUMPTION = "consumption", _("Restrictions on high consumption")
    TENDER = "tender", _("Restrictions in public tenders and bidding")


# Short names of the documents, as departments cite them.
OPINION_64 = (
    "中共中央办公厅、国务院办公厅《关于加快推进失信被执行人信用监督、警示和惩戒机制建设的意见》"
    "（中办发〔2016〕64号）"
)
MEMO_141 = (
    "国家发展改革委、最高人民法院等44部门《关于对失信被执行人实施联合惩戒的合作备忘录》"
    "（发改财金〔2016〕141号）"
)
SPC_LIST_RULES = "《最高人民法院关于公布失信被执行人名单信息的若干规定》（法释〔2017〕7号）第八条"
PROCUREMENT_LAW = "《中华人民共和国政府采购法》第二十二条"
PROCUREMENT_REGULATION = "《中华人民共和国政府采购法实施条例》第十九条"
CREDIT_RECORDS_125 = (
    "《财政部关于在政府采购活动中查询及使用信用记录有关问题的通知》（财库〔2016〕125号）"
)
TENDER_285 = (
    "最高人民法院、国家发展改革委等《关于在招标投标活动中对失信被执行人实施联合惩戒的通知》"
    "（法〔2016〕285号）"
)
CONSUMPTION_RULES = (
    "《最高人民法院关于限制被执行人高消费及有关消费的若干规定》（法释〔2015〕17号）第三条"
)


@dataclass(frozen=True)
class Measure:
    """One measure a department can apply: `key` is what feedback stores."""

    key: str
    category: str
    text: str
    basis: tuple[str, ...]

    @property
    def category_label(self) -> str:
        return str(MeasureCategory(self.category).label)

    @property
    def basis_text(self) -> str:
        return "；".join(self.basis)


def _m(key: str, category: str, text: str, *basis: str) -> Measure:
    return Measure(key=key, category=category, text=text, basis=basis)


_I, _S, _P = MeasureCategory.INDUSTRY, MeasureCategory.SUPPORT, MeasureCategory.POST
_E, _H = MeasureCategory.MARKET_ENTRY, MeasureCategory.HONOURS
_T, _C, _B = MeasureCategory.TRANSACTIONS, MeasureCategory.CONSUMPTION, MeasureCategory.TENDER

MEASURES: dict[str, tuple[Measure, ...]] = {
    Scenario.PROCUREMENT: (
        _m(
            "procurement.supplier",
            _I,
            "依法限制失信被执行人作为供应商参加政府采购活动，拒绝其参与本次采购",
            CREDIT_RECORDS_125,
            PROCUREMENT_LAW,
            PROCUREMENT_REGULATION,
            MEMO_141,
        ),
        _m(
            "procurement.award",
            _I,
            "已列入失信被执行人名单的供应商不得确定为中标、成交供应商",
            CREDIT_RECORDS_125,
            SPC_LIST_RULES,
        ),
        _m(
            "procurement.state_funded",
            _I,
            "限制失信被执行人参与政府投资项目或主要使用财政性资金项目",
            OPINION_64 + "三（一）",
            MEMO_141,
        ),
    ),
    Scenario.TENDER: (
        _m(
            "tender.bidding",
            _B,
            "限制失信被执行人的投标活动，依法必须进行招标的项目不得确定其为中标人",
            TENDER_285,
            SPC_LIST_RULES,
        ),
        _m(
            "tender.agency",
            _B,
            "限制失信被执行人的招标代理活动",
            TENDER_285,
        ),
        _m(
            "tender.evaluation",
            _B,
            "限制失信被执行人担任评标委员会成员（评标专家）",
            TENDER_285,
        ),
        _m(
            "tender.practice",
            _B,
            "限制失信被执行人从事招标从业活动",
            TENDER_285,
        ),
    ),
    Scenario.SUBSIDY: (
        _m(
            "subsidy.grant",
            _S,
            "限制向失信被执行人发放政府补贴资金，暂停审批其补贴申请",
            OPINION_64 + "三（二）",
            MEMO_141,
            SPC_LIST_RULES,
        ),
        _m(
            "subsidy.policy",
            _S,
            "在申请政府扶持政策时，将失信情况作为审核依据，限制其获得政策支持",
            OPINION_64 + "三（二）",
            SPC_LIST_RULES,
        ),
    ),
    Scenario.POST: (
        _m(
            "post.state_firm",
            _P,
            "失信被执行人为个人的，限制其担任国有独资公司、国有资本控股公司董事、监事、高级管理人员",
            OPINION_64 + "三（三）",
            MEMO_141,
        ),
        _m(
            "post.public_institution",
            _P,
            "失信被执行人为个人的，限制其登记或备案为事业单位法定代表人",
            OPINION_64 + "三（三）",
            MEMO_141,
        ),
        _m(
            "post.civil_servant",
            _P,
            "将失信被执行人信息作为招录（聘）为公务员或事业单位工作人员的重要参考，限制招录（聘）",
            OPINION_64 + "三（三）",
        ),
        _m(
            "post.social_organisation",
            _P,
            "限制失信被执行人担任社会组织负责人",
            OPINION_64 + "三（三）",
        ),
        _m(
            "post.deputy",
            _P,
            "失信被执行人不作为各级党代会代表、人大代表、政协委员候选人",
            OPINION_64 + "三（三）",
        ),
    ),
    Scenario.MARKET_ENTRY: (
        _m(
            "entry.drugs_food",
            _E,
            "限制失信被执行人从事药品、食品等行业（对其申请相关许可从严审核）",
            OPINION_64 + "三（四）",
            MEMO_141,
        ),
        _m(
            "entry.construction_realty",
            _E,
            "将失信情况作为房地产、建筑企业资质审批、升级、晋级的审核参考，依法限制",
            OPINION_64 + "三（四）",
            MEMO_141,
        ),
        _m(
            "entry.customs",
            _E,
            "限制失信被执行人获得海关认证企业资格（高级认证企业）",
            OPINION_64 + "三（四）",
        ),
        _m(
            "entry.qualification",
            _E,
            "在行政审批、市场准入、资质认定中对失信被执行人予以信用惩戒",
            SPC_LIST_RULES,
        ),
    ),
    Scenario.HONOURS: (
        _m(
            "honours.civility",
            _H,
            "不授予失信被执行人文明城市、文明村镇、文明单位、文明家庭、道德模范、慈善类奖项，已授予的撤销",
            OPINION_64 + "三（五）",
            MEMO_141,
        ),
        _m(
            "honours.awards",
            _H,
            "取消失信被执行人参加评先、评优资格",
            OPINION_64 + "三（五）",
            MEMO_141,
        ),
        _m(
            "honours.lawyers",
            _H,
            "失信被执行人为律师、律师事务所的，在一定期限内限制其参与评先、评优",
            OPINION_64 + "三（五）",
        ),
    ),
    Scenario.STATE_ASSET: (
        _m(
            "transactions.property_state_assets",
            _T,
            "限制失信被执行人从事不动产交易、国有资产交易",
            OPINION_64 + "三（六）",
            MEMO_141,
        ),
        _m(
            "transactions.forest_land",
            _T,
            "限制失信被执行人使用国有林地",
            OPINION_64 + "三（六）",
        ),
        _m(
            "transactions.grassland",
            _T,
            "限制失信被执行人申报草原征占用项目（使用草原）",
            OPINION_64 + "三（六）",
        ),
        _m(
            "transactions.natural_resources",
            _T,
            "限制失信被执行人取得国有土地使用权及其他国有自然资源开发利用权",
            OPINION_64 + "三（六）",
            MEMO_141,
        ),
    ),
    Scenario.FINANCE: (
        _m(
            "finance.financial_firm",
            _I,
            "限制失信被执行人设立小额贷款公司、融资担保公司等金融类公司",
            OPINION_64 + "三（一）",
            MEMO_141,
        ),
        _m(
            "finance.bonds",
            _I,
            "限制失信被执行人发行企业债券、公司债券",
            OPINION_64 + "三（一）",
            MEMO_141,
        ),
        _m(
            "finance.credit",
            _H,
            "对失信被执行人的融资授信从严审核（授信限制）",
            OPINION_64 + "三（五）",
            SPC_LIST_RULES,
        ),
        _m(
            "finance.listing",
            _I,
            "将失信情况作为股票发行审核及在全国中小企业股份转让系统挂牌公开转让审核的参考",
            OPINION_64 + "三（一）",
            MEMO_141,
        ),
    ),
    Scenario.HIGH_CONSUMPTION: (
        _m(
            "consumption.travel",
            _C,
            "限制乘坐飞机、列车软卧、轮船二等以上舱位，G字头动车组列车全部座位、其他动车组列车一等以上座位",
            CONSUMPTION_RULES,
            OPINION_64 + "三（七）",
        ),
        _m(
            "consumption.hotels",
            _C,
            "限制在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费",
            CONSUMPTION_RULES,
        ),
        _m(
            "consumption.property",
            _C,
            "限制购买不动产或者新建、扩建、高档装修房屋",
            CONSUMPTION_RULES,
        ),
        _m(
            "consumption.school",
            _C,
            "限制子女就读高收费私立学校",
            CONSUMPTION_RULES,
        ),
        _m(
            "consumption.insurance",
            _C,
            "限制支付高额保费购买保险理财产品",
            CONSUMPTION_RULES,
        ),
        _m(
            "consumption.travel_holiday",
            _C,
            "限制旅游、度假",
            CONSUMPTION_RULES,
        ),
    ),
}

BY_KEY: dict[str, Measure] = {m.key: m for ms in MEASURES.values() for m in ms}


def measures_for(scenario: str) -> tuple[Measure, ...]:
    """The measures that apply when a party of `scenario` is on the list (empty if unknown)."""
    return MEASURES.get(scenario, ())


def measure_keys(scenario: str) -> frozenset[str]:
    return frozenset(m.key for m in measures_for(scenario))


def measure(key: str) -> Measure | None:
    return BY_KEY.get(key)


def measure_choices(scenario: str) -> list[tuple[str, str]]:
    return [(m.key, m.text) for m in measures_for(scenario)]


__all__ = [
    "BY_KEY",
    "MEASURES",
    "Measure",
    "MeasureCategory",
    "measure",
    "measure_choices",
    "measure_keys",
    "measures_for",
]
