"""A bulletin's text and tables composed from a period's figures (dashboard.figures), the plain
body kept on its official document, and the GB/T 9704 layout the documents app prints it in
(registered as the document source "dashboard.bulletin").

The generated wording is Chinese, as the official document it is (the convention of
litigation/annual_report.py); the office edits it before sign-off. Every number comes from
dashboard.figures: nothing is counted here."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fuyuan.core.documents import DocumentSpec, Heading, Paragraph, Table, format_date
from fuyuan.litigation.figures import Period
from fuyuan.org.models import Mechanism

from . import figures
from .area import Area
from .models import SECTION_FIELDS, Bulletin, BulletinPeriod

SOURCE_KIND = "dashboard.bulletin"
RECIPIENTS = "联席会议各成员单位："
COPY_TO = "联席会议召集人、常务副召集人、副召集人"
RED_ROWS = 20  # matters printed in the red list; the text gives the total
NAMED_UNITS = 5  # units the text names; the table has them all
QUARTERS = ("一", "二", "三", "四")
NUMERALS = "一二三四五六七八九十"
HEADINGS = {
    "overview": "总体情况",
    "lists": "红黄牌情况",
    "ranking": "各单位办理情况排名",
    "good_practice": "好的做法",
    "requirements": "下步工作要求",
}
# Which generated tables are printed under which section.
SECTION_TABLES = {"lists": ("red", "cards"), "ranking": ("ranking",)}


# --- the period ---------------------------------------------------------------------------------
def period_of(kind: str, year: int, number: int | None) -> Period:
    """The month (number 1–12), quarter (1–4) or year named; ValidationError otherwise."""

    def invalid(message: str) -> ValidationError:
        return ValidationError({"number": [ValidationError(message, code="bulletin.period")]})

    if not 2000 <= year <= 2100:
        raise ValidationError(
            {"year": [ValidationError(_("Enter a year."), code="bulletin.period")]}
        )
    if kind == BulletinPeriod.YEAR:
        return Period.year(year)
    if kind == BulletinPeriod.MONTH:
        if number is None or not 1 <= number <= 12:
            raise invalid(_("Choose a month from 1 to 12."))
        first, months = number, 1
    elif kind == BulletinPeriod.QUARTER:
        if number is None or not 1 <= number <= 4:
            raise invalid(_("Choose a quarter from 1 to 4."))
        first, months = 3 * number - 2, 3
    else:
        raise ValidationError(
            {"kind": [ValidationError(_("Choose month, quarter or year."), code="bulletin.period")]}
        )
    start = datetime.date(year, first, 1)
    after = first + months
    following = datetime.date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
    return Period(start, following - datetime.timedelta(days=1))


def period_label(kind: str, start: datetime.date) -> str:
    """2026年5月, 2026年第二季度, 2026年度."""
    if kind == BulletinPeriod.MONTH:
        return f"{start.year}年{start.month}月"
    if kind == BulletinPeriod.QUARTER:
        return f"{start.year}年第{QUARTERS[(start.month - 1) // 3]}季度"
    return f"{start.year}年度"


def title_for(kind: str, start: datetime.date) -> str:
    return f"关于{period_label(kind, start)}府院联动工作情况的通报"


def area_for(mechanism: Mechanism, kind: str, period: Period, today: datetime.date) -> Area:
    """The mechanism's jurisdiction (and everything below it) over the period."""
    return Area(
        jurisdiction=mechanism.jurisdiction,
        mechanism=mechanism,
        period=period,
        kind=kind,
        today=today,
    )


# --- composing ---------------------------------------------------------------------------------
@dataclass
class Composed:
    """What generation writes on a new bulletin."""

    title: str
    sections: dict[str, str]
    tables: dict[str, dict[str, Any]]
    headline: dict[str, str]


def _count(value: Any) -> str:
    return f"{value}项"


def _overview(
    area: Area, label: str, f: dict[str, figures.Figure], meetings: dict[str, Any]
) -> str:
    period, ytd = f["on_time_period"], f["on_time_rate"]
    if period.whole:
        finished = (
            f"本期办结督办事项{_count(period.whole)}，其中按期办结{_count(period.part)}，"
            f"按期办结率{period.text}"
        )
    else:
        finished = "本期无办结的督办事项"
    cumulative = (
        f"{area.year}年以来累计办结{_count(ytd.whole)}，按期办结率{ytd.text}"
        if ytd.whole
        else f"{area.year}年以来尚无办结的督办事项"
    )
    return (
        f"{label}，{area.jurisdiction.name}府院联动在办督办事项{_count(f['running'].value)}，其中"
        f"逾期（红色）{_count(f['red'].value)}、进度滞后（黄色）{_count(f['yellow'].value)}、"
        f"{figures.NEAR_DAYS}日内到期{_count(f['near'].value)}。{finished}；{cumulative}。\n"
        f"本期召开联席会议及专题会议{meetings['meetings_held'].value}次，印发会议纪要"
        f"{meetings['minutes_issued'].value}期。{area.year}年以来，行政机关负责人出庭应诉率"
        f"{f['appearance_rate'].text}，司法建议回复率{f['reply_rate'].text}，涉党政机关执行案件"
        f"化解率{f['gov_cleared'].text}。"
    )


def _lists(
    area: Area,
    red: list[figures.ListedMatter],
    red_total: int,
    carded: list[Any],
    formal_talk_reds: int,
) -> str:
    lines = []
    if red_total:
        worst = red[0]
        lines.append(
            f"截至{format_date(area.today)}，逾期未办结的督办事项共{_count(red_total)}（见表1），"
            f"逾期时间最长的是{worst.matter.lead_unit}牵头的“{worst.matter.title}”，"
            f"已逾期{worst.days_overdue}天。"
        )
    else:
        lines.append(f"截至{format_date(area.today)}，无逾期未办结的督办事项。")
    if carded:
        reds, yellows = sum(r.red for r in carded), sum(r.yellow for r in carded)
        text = (
            f"{area.year}年以来，共亮红牌{reds}张、黄牌{yellows}张，涉及{len(carded)}个单位"
            "（见表2）。"
        )
        most = [r for r in carded if r.red][:NAMED_UNITS]
        if most:
            text += "红牌较多的单位是：" + "、".join(f"{r.unit.name}（{r.red}张）" for r in most)
            text += "。"
        lines.append(text)
        talks = [r.unit.name for r in carded if r.formal_talk]
        if talks:
            lines.append(
                f"{'、'.join(talks)}红牌累计达到{formal_talk_reds}张，按规定由联席会议办公室"
                "约谈其主要负责同志。"
            )
    else:
        lines.append(f"{area.year}年以来，尚无单位被亮红黄牌。")
    return "\n".join(lines)


def _ranking(area: Area, ranking: list[figures.UnitRank]) -> str:
    finished = [r for r in ranking if r.finished]
    if not finished:
        return f"{area.year}年以来，各牵头单位尚无办结的督办事项，暂不排名。"
    first = "、".join(f"{r.unit.name}（{r.on_time_text}）" for r in finished[:3])
    lines = [f"按{area.year}年以来按期办结率排名（见表3），排名前列的单位是：{first}。"]
    if len(finished) > 3:
        last = finished[-1]
        lines.append(f"排名靠后的单位是：{last.unit.name}（{last.on_time_text}）。")
    waiting = len(ranking) - len(finished)
    if waiting:
        lines.append(f"另有{waiting}个单位尚无办结事项，暂不参与排名。")
    return "\n".join(lines)


def _good_practice(items: list[figures.GoodPractice]) -> str:
    if not items:
        return "本期暂无各单位报送的经验做法。请各成员单位及时总结报送好的做法和典型经验。"
    lines = []
    for item in items:
        text = item.text.replace("\r", "").replace("\n", "")
        if len(text) > 200:
            text = text[:199] + "…"
        lines.append(f"{item.unit}：{item.title}。{text}".rstrip())
    return "\n".join(lines)


REQUIREMENTS = (
    "各成员单位要对照本通报，逐项核查本单位牵头事项的办理情况。被亮红牌的单位要在收到通报后"
    "5个工作日内，向联席会议办公室书面说明逾期原因和整改措施；进度滞后的单位要倒排工期、"
    "加快推进，确保按期办结。\n"
    "联席会议办公室将持续跟踪问效，对整改不力的单位进行专项督促，办理情况纳入法治政府建设考核。"
)


def compose(
    user: Any, mechanism: Mechanism, kind: str, period: Period, today: datetime.date
) -> Composed:
    """The sections, tables and headline figures of a bulletin on `period`, computed from the
    records `user` (the office) sees, as of `today`."""
    area = area_for(mechanism, kind, period, today)
    label = period_label(kind, period.start)
    counts = figures.matter_counts(user, area)
    found = {f.key: f for f in figures.colour_figures(user, area, counts)}
    period_rate = figures.on_time_figure(user, area, span=area.period)
    found["on_time_period"] = dataclasses.replace(period_rate, key="on_time_period")
    found["on_time_rate"] = figures.on_time_figure(user, area)
    found["appearance_rate"] = figures.appearance_figure(user, area)
    found["reply_rate"] = figures.recommendation_figures(user, area)[1]
    found["gov_cleared"] = figures.government_debtor_figures(user, area)[0]
    meetings = {f.key: f for f in figures.meeting_figures(user, area)}
    red, red_total = figures.red_list(user, area, limit=RED_ROWS)
    carded = figures.card_list(user, area)
    ranking = figures.unit_ranking(user, area)
    practices = figures.good_practices(user, area)
    config = mechanism.config

    sections = {
        "opening": (
            "为推动联席会议议定事项和府院联动重点工作落地落实，现将"
            f"{label}{mechanism.jurisdiction.name}府院联动工作情况通报如下："
        ),
        "overview": _overview(area, label, found, meetings),
        "lists": _lists(area, red, red_total, carded, config.reds_for_formal_talk),
        "ranking": _ranking(area, ranking),
        "good_practice": _good_practice(practices),
        "requirements": REQUIREMENTS,
    }
    tables: dict[str, dict[str, Any]] = {}
    if red:
        tables["red"] = {
            "title": f"表1 逾期未办结督办事项（{len(red)}/{red_total}项）",
            "header": ["序号", "督办事项", "牵头单位", "办理期限", "逾期天数"],
            "widths": [1, 8, 5, 3, 2],
            "rows": [
                [
                    str(n),
                    item.matter.title,
                    str(item.matter.lead_unit),
                    format_date(item.matter.deadline),
                    str(item.days_overdue),
                ]
                for n, item in enumerate(red, start=1)
            ],
        }
    if carded:
        tables["cards"] = {
            "title": f"表2 {area.year}年红黄牌情况",
            "header": ["序号", "单位", "红牌（张）", "黄牌（张）", "约谈"],
            "widths": [1, 8, 3, 3, 2],
            "rows": [
                [str(n), r.unit.name, str(r.red), str(r.yellow), "是" if r.formal_talk else ""]
                for n, r in enumerate(carded, start=1)
            ],
        }
    if ranking:
        tables["ranking"] = {
            "title": f"表3 {area.year}年各牵头单位按期办结率排名",
            "header": ["排名", "牵头单位", "事项", "办结", "按期办结", "按期办结率", "红牌"],
            "widths": [1, 7, 2, 2, 2, 3, 2],
            "rows": [
                [
                    str(r.rank) if r.finished else "—",
                    r.unit.name,
                    str(r.matters),
                    str(r.finished),
                    str(r.on_time),
                    r.on_time_text,
                    str(r.red),
                ]
                for r in ranking
            ],
        }
    headline = {key: found[key].text for key in found} | {"red_total": str(red_total)}
    return Composed(
        title=title_for(kind, period.start), sections=sections, tables=tables, headline=headline
    )


# --- printing ----------------------------------------------------------------------------------
def paragraphs_of(text: str) -> list[str]:
    """The non-empty lines of a section: each is printed as a paragraph."""
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def _numbered(bulletin: Bulletin) -> list[tuple[str, str, str]]:
    """(field, heading with its numeral, text) of the sections printed under a heading; a
    section left empty without tables is dropped and the numbering closes up."""
    found = []
    for name in SECTION_FIELDS[1:]:
        text = getattr(bulletin, name)
        tables = [t for t in SECTION_TABLES.get(name, ()) if t in (bulletin.tables or {})]
        if not text.strip() and not tables:
            continue
        found.append((name, text))
    return [
        (name, f"{NUMERALS[i]}、{HEADINGS[name]}", text) for i, (name, text) in enumerate(found)
    ]


def body_text(bulletin: Bulletin) -> str:
    """The bulletin as plain text for its official document (headings 一、 on their own
    lines, paragraphs separated by blank lines): what the documents list and search show."""
    parts = paragraphs_of(bulletin.opening)
    for _name, heading, text in _numbered(bulletin):
        parts.append(heading)
        parts.extend(paragraphs_of(text))
    return "\n\n".join(parts)


def blocks(bulletin: Bulletin) -> tuple[Any, ...]:
    found: list[Any] = [Paragraph(line) for line in paragraphs_of(bulletin.opening)]
    tables = bulletin.tables or {}
    for name, heading, text in _numbered(bulletin):
        found.append(Heading(heading, 1))
        found.extend(Paragraph(line) for line in paragraphs_of(text))
        for key in SECTION_TABLES.get(name, ()):
            table = tables.get(key)
            if not table:
                continue
            found.append(Paragraph(table["title"]))
            found.append(
                Table(
                    header=tuple(table["header"]),
                    rows=tuple(tuple(row) for row in table["rows"]),
                    widths=tuple(table.get("widths") or ()),
                )
            )
    return tuple(found)


def spec_for_document(document: Any, spec: DocumentSpec) -> DocumentSpec:
    """The documents app's builder for a bulletin's official document: the bulletin's sections
    with the tables under them, in place of the body parsed as plain text."""
    bulletin = Bulletin.objects.filter(pk=document.source_id).first()
    if bulletin is None:
        return spec
    return dataclasses.replace(spec, blocks=blocks(bulletin))


def register() -> None:
    from fuyuan.documents import sources

    sources.register(SOURCE_KIND, spec_for_document, on_issue=_on_issue)


def _on_issue(actor: Any, document: Any) -> None:
    """Issued from the bulletin's page or the document's: the member units hear of it."""
    from .bulletin_actions import notify_on_issue

    notify_on_issue(actor, document)
