"""The annual report to the joint meeting (向联席会议的年度工作报告) of a mechanism: a GB/T 9704
.docx built from the year's figures (dashboard.figures) — supervised matters (on-time rate,
colours, jurisdictions, ranking, red and yellow cards, the red list), the dual lists, meetings
and minutes, liaison, material collection, administrative litigation and recommendations,
enforcement linkage, bankruptcy, risks and good practice — with charts (core.charts) and
tables.

Read by the office staff and leaders of the mechanism's own jurisdiction. Like the court's
annual report (litigation/annual_report.py) the document's fixed wording is Chinese, as the
official document it is; every number comes from dashboard.figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core import charts
from fuyuan.core.documents import (
    DocumentSpec,
    Heading,
    Image,
    Paragraph,
    Table,
    format_date,
    render_docx,
)
from fuyuan.litigation.figures import Period
from fuyuan.org.models import Mechanism

from . import figures
from .area import Area

MIN_YEAR = 2000
NUMERALS = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
)
RED_ROWS = 20
CHART_UNITS = 15  # units drawn in the on-time chart; the table has them all

# The figures' names in the report (dashboard.figures keys).
LABELS = {
    "on_time_rate": "按期办结率",
    "running": "在办督办事项（项）",
    "red": "逾期（红色，项）",
    "yellow": "进度滞后（黄色，项）",
    "near": f"{figures.NEAR_DAYS}日内到期（项）",
    "list_items": "双清单事项（项）",
    "list_done": "双清单事项办结率",
    "list_red": "双清单事项逾期（项）",
    "meetings_held": "召开会议（次）",
    "minutes_issued": "印发会议纪要（期）",
    "letters_sent": "发出工作联系函（件）",
    "reply_days": "平均回复用时（工作日）",
    "letters_overdue": "逾期未回复联系函（件）",
    "escalations": "提请办公室协调（件）",
    "collections": "材料征集（次）",
    "collections_on_time": "材料按期报送率",
    "new_cases": "新收一审行政案件（件）",
    "concluded": "审结一审行政案件（件）",
    "loss_rate": "行政机关败诉率",
    "appearance_rate": "行政机关负责人出庭应诉率",
    "recommendations": "送达司法建议等（份）",
    "reply_rate": "司法建议等回复率",
    "reply_overdue": "逾期未回复（份）",
    "checks": "失信被执行人核查（次）",
    "hits": "核查命中（条）",
    "feedback_rate": "命中反馈率",
    "gov_cleared": "涉党政机关执行案件化解率",
    "gov_paid_rate": "涉党政机关执行案件执行到位率",
    "livelihood_cleared": "涉民生执行案件化解率",
    "bankruptcy_open": "在办破产案件（件）",
    "fund_balance": "破产费用保障资金余额（元）",
    "risks_open": "处置中的风险事件（件）",
    "risks_new": "新报告风险事件（件）",
}

DEFINITIONS = (
    "按期办结率：当年办结的督办事项中，在办理期限内报结（未报结的以办结日期为准）的事项所占比例。",
    "红牌：当年督办事项超过办理期限仍未办结，或超过期限报结、办结；黄牌：进度反馈迟报或当前逾期未反馈。",
    "行政机关负责人出庭应诉率、司法建议等回复率：口径与行政案件年度报告相同，按联席会议设置的目标计算。",
    "涉党政机关执行案件化解率：已结案销号的案件占全部涉党政机关执行案件的比例；执行到位率：已执行金额占申请执行金额的比例。",
    "材料按期报送率：期限在当年的材料征集中，在期限内报送的报送对象所占比例。",
)


# --- who ---------------------------------------------------------------------------------------
def report_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """The mechanisms of the jurisdictions the user is office staff or a leader of."""
    scope = scope_for(user)
    ids: set[int] = set()
    for role in (Role.OFFICE, Role.LEADER):
        ids |= scope.assigned_jurisdictions.get(role, frozenset())
    return (
        Mechanism.objects.filter(jurisdiction_id__in=sorted(ids))
        .select_related("jurisdiction", "office_unit")
        .order_by("jurisdiction__path")
    )


def may_read(user: Any, mechanism: Mechanism | None = None) -> bool:
    """Office staff and leaders of the mechanism's own jurisdiction (of any, without one)."""
    found = report_mechanisms(user)
    if mechanism is None:
        return found.exists()
    return found.filter(pk=mechanism.pk).exists()


def years(today: datetime.date) -> list[int]:
    return list(range(today.year, today.year - 10, -1))


# --- the document ------------------------------------------------------------------------------
def report_title(mechanism: Mechanism, year: int) -> str:
    return f"{mechanism.jurisdiction.name}府院联动工作{year}年度报告"


def filename(mechanism: Mechanism, year: int) -> str:
    return f"{report_title(mechanism, year)}.docx"


def _figure_table(found: list[figures.Figure]) -> Table:
    rows = []
    for f in found:
        basis = f"{f.part}/{f.whole}" if f.percent and f.whole else ""
        rows.append((LABELS.get(f.key, str(f.label)), f.text, basis))
    return Table(header=("指标", "数值", "计算"), rows=tuple(rows), widths=(8, 3, 3))


def _short(unit: Any) -> str:
    return str(unit.short_name or unit.name)


class _Numbering:
    def __init__(self) -> None:
        self.headings = 0
        self.charts = 0
        self.tables = 0

    def heading(self, text: str) -> Heading:
        self.headings += 1
        return Heading(f"{NUMERALS[self.headings - 1]}、{text}")

    def chart(self, png: bytes, caption: str) -> Image:
        self.charts += 1
        return Image(png, width_cm=15.0, caption=f"图{self.charts} {caption}")

    def table_title(self, caption: str) -> Paragraph:
        self.tables += 1
        return Paragraph(f"表{self.tables} {caption}")


def _matters_blocks(user: Any, area: Area, n: _Numbering) -> tuple[list[Any], dict[str, Any]]:
    year = area.year
    counts = figures.matter_counts(user, area)
    colours = {f.key: f for f in figures.colour_figures(user, area, counts)}
    on_time = figures.on_time_figure(user, area)
    red, red_total = figures.red_list(user, area, limit=RED_ROWS)
    ranking = figures.unit_ranking(user, area)
    carded = figures.card_list(user, area)
    rows = figures.jurisdiction_rows(user, area)
    trend = figures.monthly_trend(user, area)
    found: list[Any] = [n.heading("督办事项办理情况")]
    finished = (
        f"{year}年办结督办事项{on_time.whole}项，其中按期办结{on_time.part}项，"
        f"按期办结率{on_time.text}"
        if on_time.whole
        else f"{year}年尚无办结的督办事项"
    )
    found.append(
        Paragraph(
            f"{finished}。截至{format_date(area.today)}，在办督办事项{colours['running'].value}项，"
            f"其中逾期（红色）{colours['red'].value}项、进度滞后（黄色）{colours['yellow'].value}项、"
            f"{figures.NEAR_DAYS}日内到期{colours['near'].value}项。"
        )
    )
    if rows:
        found.append(n.table_title("各地区督办事项办理情况"))
        found.append(
            Table(
                header=("地区", "在办", "逾期", "办结", "按期办结", "按期办结率"),
                rows=tuple(
                    (
                        r.jurisdiction.name,
                        str(r.running),
                        str(r.red),
                        str(r.finished),
                        str(r.on_time),
                        r.on_time_text,
                    )
                    for r in rows
                ),
                widths=(5, 2, 2, 2, 2, 3),
            )
        )
    months = [f"{m}月" for m in range(1, 13)]
    found.append(
        n.chart(
            charts.bar_chart(months, [charts.Series("办结事项", trend["finished"])], y_label="项"),
            f"{year}年各月办结督办事项数",
        )
    )
    if ranking:
        ranked = [r for r in ranking if r.finished][:CHART_UNITS]
        if ranked:
            found.append(
                n.chart(
                    charts.bar_chart(
                        [_short(r.unit) for r in ranked],
                        [
                            charts.Series(
                                "按期办结率",
                                [
                                    None if r.on_time_rate is None else float(r.on_time_rate)
                                    for r in ranked
                                ],
                            )
                        ],
                        percent=True,
                    ),
                    f"{year}年各牵头单位按期办结率",
                )
            )
        found.append(n.table_title("各牵头单位按期办结率排名"))
        found.append(
            Table(
                header=("排名", "牵头单位", "事项", "办结", "按期办结", "按期办结率", "红牌"),
                rows=tuple(
                    (
                        str(r.rank) if r.finished else "—",
                        r.unit.name,
                        str(r.matters),
                        str(r.finished),
                        str(r.on_time),
                        r.on_time_text,
                        str(r.red),
                    )
                    for r in ranking
                ),
                widths=(1, 7, 2, 2, 2, 3, 2),
            )
        )
    if carded:
        reds = sum(r.red for r in carded)
        yellows = sum(r.yellow for r in carded)
        talks = [r.unit.name for r in carded if r.formal_talk]
        text = f"全年共亮红牌{reds}张、黄牌{yellows}张，涉及{len(carded)}个单位。"
        if talks:
            text += f"{'、'.join(talks)}红牌达到约谈标准。"
        found.append(Paragraph(text))
        found.append(n.table_title("红黄牌情况"))
        found.append(
            Table(
                header=("单位", "事项", "红牌（张）", "黄牌（张）", "扣分", "约谈"),
                rows=tuple(
                    (
                        r.unit.name,
                        str(r.matters),
                        str(r.red),
                        str(r.yellow),
                        str(r.points),
                        "是" if r.formal_talk else "",
                    )
                    for r in carded
                ),
                widths=(7, 2, 2, 2, 2, 2),
            )
        )
    else:
        found.append(Paragraph("全年没有单位被亮红黄牌。"))
    if red:
        found.append(
            Paragraph(f"截至{format_date(area.today)}，逾期未办结的督办事项{red_total}项。")
        )
        found.append(n.table_title(f"逾期未办结督办事项（{len(red)}/{red_total}项）"))
        found.append(
            Table(
                header=("序号", "督办事项", "牵头单位", "办理期限", "逾期天数"),
                rows=tuple(
                    (
                        str(i),
                        item.matter.title,
                        str(item.matter.lead_unit),
                        format_date(item.matter.deadline),
                        str(item.days_overdue),
                    )
                    for i, item in enumerate(red, start=1)
                ),
                widths=(1, 8, 5, 3, 2),
            )
        )
    return found, {"on_time": on_time, "colours": colours, "trend": trend}


def _section(n: _Numbering, title: str, text: str, found: list[figures.Figure]) -> list[Any]:
    return [n.heading(title), Paragraph(text), _figure_table(found)]


def build_spec(
    user: Any, mechanism: Mechanism, year: int, *, today: datetime.date | None = None
) -> DocumentSpec:
    """The report as a GB/T 9704 document description, from the records `user` sees."""
    today = today or timezone.localdate()
    area = Area(
        jurisdiction=mechanism.jurisdiction,
        mechanism=mechanism,
        period=Period.year(year),
        kind="year",
        today=today,
    )
    span = area.year_to_date
    n = _Numbering()
    values: dict[str, figures.Figure] = {}

    def keep(found: list[figures.Figure]) -> list[figures.Figure]:
        values.update({f.key: f for f in found})
        return found

    lists = keep(figures.dual_list_figures(user, area))
    meetings = keep(figures.meeting_figures(user, area))
    liaison = keep(figures.liaison_figures(user, area))
    collections = keep(figures.collection_figures(user, area))
    litigation = keep(figures.litigation_figures(user, area))
    recommendations = keep(figures.recommendation_figures(user, area))
    checks = keep(figures.check_figures(user, area))
    debtors = keep(figures.government_debtor_figures(user, area))
    bankruptcy = keep(figures.bankruptcy_figures(user, area))
    risks = keep(figures.risk_figures(user, area))
    practices = figures.good_practices(user, area)

    overview_heading = n.heading("总体情况")
    matters_blocks, matter_values = _matters_blocks(user, area, n)
    on_time = matter_values["on_time"]
    colours = matter_values["colours"]
    overview = Paragraph(
        f"{span.start.year}年{span.start.month}月{span.start.day}日至{format_date(span.end)}，"
        f"{mechanism.name}各成员单位围绕联席会议确定的重点任务协同推进各项工作。全年督办事项"
        f"按期办结率{on_time.text}，截至{format_date(today)}在办{colours['running'].value}项、"
        f"逾期{colours['red'].value}项；召开会议{values['meetings_held'].value}次，印发会议纪要"
        f"{values['minutes_issued'].value}期；行政机关负责人出庭应诉率"
        f"{values['appearance_rate'].text}，司法建议等回复率{values['reply_rate'].text}；"
        f"涉党政机关执行案件化解率{values['gov_cleared'].text}。"
    )
    headline = [
        on_time,
        values["appearance_rate"],
        values["reply_rate"],
        values["gov_cleared"],
        colours["running"],
        colours["red"],
    ]
    blocks: list[Any] = [overview_heading, overview, _figure_table(headline), *matters_blocks]
    blocks += _section(
        n,
        "双清单事项落实情况",
        f"{year}年度双清单事项{values['list_items'].value}项，办结率{values['list_done'].text}，"
        f"逾期{values['list_red'].value}项。",
        lists,
    )
    blocks += _section(
        n,
        "会议召开和纪要落实情况",
        f"{year}年召开联席会议及协调会、座谈会、研判会{values['meetings_held'].value}次，"
        f"印发会议纪要{values['minutes_issued'].value}期，会议议定事项纳入督办台账跟踪落实。",
        meetings,
    )
    blocks += _section(
        n,
        "日常工作联系情况",
        f"{year}年成员单位之间发出工作联系函{values['letters_sent'].value}件，平均回复用时"
        f"{values['reply_days'].text}个工作日，逾期未回复{values['letters_overdue'].value}件，"
        f"提请办公室协调{values['escalations'].value}件。",
        liaison,
    )
    blocks += _section(
        n,
        "材料报送情况",
        f"{year}年办公室发起材料征集{values['collections'].value}次，材料按期报送率"
        f"{values['collections_on_time'].text}。",
        collections,
    )
    trend = matter_values["trend"]
    blocks += _section(
        n,
        "行政诉讼和司法建议办理情况",
        f"{year}年新收一审行政案件{values['new_cases'].value}件，审结{values['concluded'].value}件，"
        f"行政机关败诉率{values['loss_rate'].text}，行政机关负责人出庭应诉率"
        f"{values['appearance_rate'].text}。送达司法建议、检察建议等"
        f"{values['recommendations'].value}份，回复率{values['reply_rate'].text}，逾期未回复"
        f"{values['reply_overdue'].value}份。",
        [*litigation, *recommendations],
    )
    blocks.append(
        n.chart(
            charts.bar_chart(
                [f"{m}月" for m in range(1, 13)],
                [charts.Series("新收一审行政案件", trend["cases"])],
                y_label="件",
            ),
            f"{year}年各月新收一审行政案件数",
        )
    )
    blocks += _section(
        n,
        "执行联动情况",
        f"{year}年各单位开展失信被执行人核查{values['checks'].value}次，命中"
        f"{values['hits'].value}条，命中反馈率{values['feedback_rate'].text}；涉党政机关执行案件"
        f"化解率{values['gov_cleared'].text}，执行到位率{values['gov_paid_rate'].text}。",
        [*checks, *debtors],
    )
    blocks += _section(
        n,
        "企业破产处置情况",
        f"在办破产案件{values['bankruptcy_open'].value}件，破产费用保障资金余额"
        f"{values['fund_balance'].text}元。",
        bankruptcy,
    )
    blocks += _section(
        n,
        "重大风险防范化解情况",
        f"{year}年新报告风险事件{values['risks_new'].value}件，处置中"
        f"{values['risks_open'].value}件。",
        risks,
    )
    blocks.append(n.heading("好的做法"))
    if practices:
        blocks += [Paragraph(f"{p.unit}：{p.title}。{p.text}".rstrip()) for p in practices]
    else:
        blocks.append(Paragraph("本年度暂无报送的经验做法。"))
    blocks.append(n.heading("指标口径说明"))
    blocks += [Paragraph(text) for text in DEFINITIONS]
    office = f"{mechanism.name}办公室"
    return DocumentSpec(
        issuer=office,
        title=report_title(mechanism, year),
        blocks=tuple(blocks),
        date=today,
        recipients=f"{mechanism.name}：",
        signature=office,
    )


def render_report(
    user: Any, mechanism: Mechanism, year: int, *, today: datetime.date | None = None
) -> bytes:
    return render_docx(build_spec(user, mechanism, year, today=today))
