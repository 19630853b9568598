"""Demo data of major risks (`load(today)`, called by `fuyuan load_demo_enforcement`): a
handful of risk events of 驻马店 and 西平县 — an illegal fund-raising case, a lending
platform's wind-down, a rural bank's liquidity, a stalled housing project, a wage dispute —
with units involved, progress notes, state changes and coordination matters; and a
stalled-housing ledger of 15 projects across the city's district and counties, with
households affected and delivered, statuses and the financing white list.

Every write goes through `fuyuan.risks.actions` as a demo account of the org demo: the city
office (`office`) keeps the ledger and coordinates the city's events, 西平县's office
(`county`) its own, 市住建局's liaison officer (`liaison2`) updates the progress of its
projects. Deterministic (a fixed seed); dates relative to `today`; every company, project and
figure is invented.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from stdnum.cn import uscc

from fuyuan.core.identifiers import organisation_code_check

SEED = 20260310
DAY = datetime.timedelta(days=1)
REQUIRED_ACCOUNTS = ("office", "county", "liaison2")

# (county-level jurisdiction code, project, developer, location)
PROJECTS = [
    ("411702", "天中名苑二期", "驻马店市天中置业有限公司", "驿城区雪松路与练江路交叉口"),
    ("411702", "嵖岈山水城", "驻马店市嵖岈山房地产开发有限公司", "驿城区开源大道南段"),
    ("411702", "汝河左岸", "驻马店市汝宁置业有限公司", "驿城区置地大道东段"),
    ("411721", "西平县锦绣花园三期", "西平县锦绣房地产开发有限公司", "西平县柏城大道"),
    ("411721", "西平县嫘祖印象", "西平县嫘祖置业有限公司", "西平县嫘祖大道北段"),
    ("411722", "上蔡县蔡都新城", "上蔡县蔡都房地产开发有限公司", "上蔡县蔡都大道"),
    ("411723", "平舆县清河湾", "平舆县清河置业有限公司", "平舆县清河大道"),
    ("411724", "正阳县淮河明珠", "正阳县淮润房地产开发有限公司", "正阳县慎阳路"),
    ("411725", "确山县竹沟壹号", "确山县竹沟置业有限公司", "确山县生产街"),
    ("411726", "泌阳县盘古华府", "泌阳县盘古房地产开发有限公司", "泌阳县花园路"),
    ("411727", "汝南县天中山庄", "汝南县天中山房地产开发有限公司", "汝南县梁祝大道"),
    ("411727", "汝南县南海禅城", "汝南县南海置业有限公司", "汝南县宿鸭湖路"),
    ("411728", "遂平县嵖岈雅苑", "遂平县嵖岈置业有限公司", "遂平县车站路"),
    ("411729", "新蔡县今是湖畔", "新蔡县今是房地产开发有限公司", "新蔡县今是大道"),
    ("411729", "新蔡县古吕华庭", "新蔡县古吕置业有限公司", "新蔡县古吕街道"),
]
# Project index whose developer's code fails its check character (an early code, accepted by
# the office with a reason).
EARLY_CODE_PROJECT = 6


def company_code(division: str, rng: random.Random) -> str:
    """A made-up but well-formed code of a company (登记管理部门 9, 企业 1)."""
    body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    first17 = f"91{division}{body}{organisation_code_check(body)}"
    return first17 + uscc.calc_check_digit(first17)


def _unit(name: str, jurisdiction: Any = None) -> Any:
    from fuyuan.org.models import Unit

    units = Unit.objects.current().filter(name=name)
    if jurisdiction is not None:
        units = units.filter(jurisdiction=jurisdiction)
    found = units.first()
    if found is None:
        raise LookupError(f"demo unit missing: {name}")
    return found


def _first_unit(*names: str) -> Any:
    for name in names:
        try:
            return _unit(name)
        except LookupError:
            continue
    raise LookupError(f"demo unit missing: {' / '.join(names)}")


def load(today: datetime.date) -> dict[str, int]:
    from fuyuan.accounts.models import User
    from fuyuan.org.models import Jurisdiction, Mechanism
    from fuyuan.risks import actions

    users = {u.username: u for u in User.objects.filter(username__in=REQUIRED_ACCOUNTS)}
    missing = [name for name in REQUIRED_ACCOUNTS if name not in users]
    if missing:
        raise LookupError(f"Demo accounts missing: {', '.join(missing)}. Run `fuyuan load_demo`.")
    office, county, housing_liaison = users["office"], users["county"], users["liaison2"]
    rng = random.Random(SEED)
    city = Jurisdiction.objects.get(code="411700")
    city_mechanism = Mechanism.objects.get(jurisdiction=city)

    # --- the stalled-housing ledger ---------------------------------------------------------
    projects = []
    for index, (code, name, developer, location) in enumerate(PROJECTS):
        jurisdiction = Jurisdiction.objects.get(code=code)
        responsible = (
            _unit(f"{jurisdiction.name}住房和城乡建设局", jurisdiction)
            if code != ("411702")
            else _unit("驻马店市住房和城乡建设局")
        )
        affected = rng.choice((180, 240, 320, 416, 528, 640, 760, 896, 1120))
        stopped_on = today - DAY * rng.randint(420, 1100)
        status = ("stopped", "restarted", "restarted", "delivered")[index % 4]
        restarted_on = delivered_on = None
        delivered = 0
        if status in ("restarted", "delivered"):
            restarted_on = stopped_on + DAY * rng.randint(90, 300)
        if status == "restarted":
            delivered = rng.choice((0, affected // 4, affected // 2))
        if status == "delivered":
            delivered_on = min(today - DAY * 10, restarted_on + DAY * rng.randint(200, 400))  # type: ignore[operator]
            delivered = affected
        credit = company_code(jurisdiction.code, rng)
        reason = ""
        if index == EARLY_CODE_PROJECT:
            credit = credit[:17] + ("0" if credit[17] != "0" else "1")
            reason = "营业执照原件及登记机关档案核对无误，早期赋码"
        project = actions.create_project(
            office,
            jurisdiction=jurisdiction,
            override_reason=reason,
            name=name,
            developer=developer,
            developer_credit_code=credit,
            location=location,
            households_affected=affected,
            households_delivered=delivered,
            status=status,
            stopped_on=stopped_on,
            restarted_on=restarted_on,
            delivered_on=delivered_on,
            white_list=status != "stopped" and rng.random() < 0.7,
            responsible_unit=responsible,
            note="纳入保交楼专项" if status != "stopped" else "资金缺口待论证",
        )
        projects.append(project)
    # 市住建局 reports progress on one of its restarted projects.
    city_project = next(
        p for p in projects if p.responsible_unit.name == "驻马店市住房和城乡建设局"
    )
    if city_project.status == "stopped":
        actions.update_project(
            housing_liaison,
            city_project,
            expected_version=city_project.version,
            **{f: getattr(city_project, f) for f in actions.PROJECT_FIELDS}
            | {"note": "已完成续建资金测算，拟申请纳入白名单"},
        )

    # --- risk events ------------------------------------------------------------------------
    police = _unit("驻马店市公安局")
    court = _unit("驻马店市中级人民法院")
    regulator = _unit("国家金融监督管理总局驻马店监管分局")
    finance = _first_unit("驻马店市地方金融管理局", "驻马店市金融工作局")
    petitions = _unit("驻马店市信访局")
    housing = _unit("驻马店市住房和城乡建设局")
    hrss = _unit("驻马店市人力资源和社会保障局")
    xiping = Jurisdiction.objects.get(code="411721")
    xiping_mechanism = Mechanism.objects.get(jurisdiction=xiping)
    xiping_gov = _unit("西平县人民政府")

    events = 0
    matters = 0

    fund = actions.report_event(
        office,
        mechanism=city_mechanism,
        title="驻马店某投资咨询有限公司涉嫌非法吸收公众存款案",
        kind="financial",
        level="major",
        description="以高息理财为名向社会公众吸收资金，涉及集资参与人约1800人，未兑付本金约"
        "2.6亿元。公安机关已立案侦查，需协调资产查封、追赃挽损和集资参与人稳控。",
        lead_unit=police,
        units_involved=[court, finance, petitions, regulator],
        reported_on=today - DAY * 75,
    )
    events += 1
    actions.add_note(
        office,
        fund,
        on=today - DAY * 70,
        text="召开专题研判会，明确公安牵头、法院提前介入资产处置。",
    )
    for title, unit, days in (
        ("涉案资产查封与追赃挽损", police, 120),
        ("集资参与人信访稳控", petitions, 60),
    ):
        actions.open_matter(office, fund, title=title, lead_unit=unit, deadline=today + DAY * days)
        matters += 1

    p2p = actions.report_event(
        office,
        mechanism=city_mechanism,
        title="某网络借贷信息中介平台退出清理",
        kind="financial",
        level="large",
        description="平台停止新增业务，存量出借人约600人，待收余额约4300万元，按网贷风险"
        "专项整治要求有序退出。",
        lead_unit=finance,
        units_involved=[police, court],
        reported_on=today - DAY * 200,
    )
    events += 1
    actions.event_transition(office, p2p, "start")
    actions.add_note(office, p2p, on=today - DAY * 150, text="平台完成存量债权登记，制定清退方案。")
    actions.event_transition(
        office,
        p2p,
        "resolve",
        "存量业务清零，平台已注销，出借人本金兑付率62%。",
        on=today - DAY * 30,
    )

    bank = actions.report_event(
        county,
        mechanism=xiping_mechanism,
        title="西平县某农村商业银行流动性风险",
        kind="financial",
        level="major",
        description="受不实传言影响，部分网点出现集中取款，需做好舆情引导和流动性支持。",
        lead_unit=xiping_gov,
        units_involved=[
            regulator,
            _first_unit("中国人民银行驻马店市分行", "中国人民银行驻马店中心支行"),
        ],
        reported_on=today - DAY * 20,
    )
    events += 1
    actions.add_note(
        county, bank, on=today - DAY * 19, text="启动应急预案，网点延时营业，现金调拨到位。"
    )
    actions.open_matter(
        county,
        bank,
        title="网点秩序维护与舆情引导",
        lead_unit=_unit("西平县公安局", xiping),
        deadline=today + DAY * 30,
    )
    matters += 1

    stalled = actions.report_event(
        office,
        mechanism=city_mechanism,
        title=f"{city_project.name}停工引发购房人集体信访",
        kind="stalled_housing",
        level="large",
        description=f"{city_project.developer}资金链断裂，项目停工，涉及购房户"
        f"{city_project.households_affected}户。",
        lead_unit=housing,
        units_involved=[court, petitions, regulator],
        reported_on=today - DAY * 120,
        project=city_project,
    )
    events += 1
    actions.open_matter(
        office,
        stalled,
        title="保交楼续建资金筹措与白名单申报",
        lead_unit=housing,
        deadline=today + DAY * 90,
    )
    matters += 1

    actions.report_event(
        office,
        mechanism=city_mechanism,
        title="某建筑企业拖欠农民工工资群体性讨薪风险",
        kind="other",
        level="general",
        description="涉及农民工约90人，欠薪约260万元，春节前须清偿。",
        lead_unit=hrss,
        units_involved=[petitions],
        reported_on=today - DAY * 5,
    )
    events += 1

    closed = actions.report_event(
        office,
        mechanism=city_mechanism,
        title="某商贸公司预付卡兑付风险",
        kind="financial",
        level="general",
        description="门店关停，预付卡持卡人投诉集中。",
        lead_unit=_first_unit("驻马店市市场监督管理局"),
        units_involved=[petitions],
        reported_on=today - DAY * 60,
    )
    events += 1
    actions.event_transition(
        office,
        closed,
        "close",
        "经核实为经营纠纷，移交市场监管部门按消费投诉处理。",
        on=today - DAY * 50,
    )
    return {
        "risk events": events,
        "risk matters": matters,
        "stalled projects": len(projects),
    }
