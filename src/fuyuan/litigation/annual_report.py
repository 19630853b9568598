"""The annual administrative-case report (行政案件年度报告) of a mechanism's jurisdiction: who may
write the court's text and read the report, the audited write of that text, and the GB/T 9704
.docx built from the year's records — figures by jurisdiction and by body (tables), charts
(new cases by month; loss and appearance rates by jurisdiction), the court's text on typical
problems and its recommendations, the year's recommendations and the definitions used.

The report covers every case of the mechanism's jurisdiction and those below it: its readers
(office and leaders overseeing the jurisdiction, staff of the mechanism's own court) are
authorised for the whole mechanism. The document's fixed wording is Chinese, as the official
document it is (like the other generated documents); figures' definitions come from
`figures.definitions` so the report and the pages say the same."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot
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
from fuyuan.core.models import StaleObjectError
from fuyuan.org.models import Mechanism, Unit, UnitKind

from . import figures
from .models import AnnualReport, Recommendation

MIN_YEAR = 1990
MAX_TEXT = 20000
NOT_WRITTEN = "（尚未填写）"


# --- who ---------------------------------------------------------------------------------------
def _court_ids(user: Any) -> list[int]:
    return sorted(scope_for(user).units.get(Role.COURT, frozenset()))


def is_mechanism_court_staff(user: Any, mechanism: Mechanism) -> bool:
    """Staff of a court of the mechanism's own jurisdiction (the court that writes the
    report's text: the intermediate court for the city, a basic court for its county)."""
    ids = _court_ids(user)
    return (
        bool(ids)
        and Unit.objects.filter(
            pk__in=ids, kind=UnitKind.COURT, jurisdiction_id=mechanism.jurisdiction_id
        ).exists()
    )


def may_read(user: Any, mechanism: Mechanism) -> bool:
    """Office staff and leaders overseeing the mechanism's jurisdiction, and its court's
    staff."""
    scope = scope_for(user)
    if scope.oversees(mechanism.jurisdiction.path, Role.OFFICE, Role.LEADER):
        return True
    return is_mechanism_court_staff(user, mechanism)


def may_edit(user: Any, mechanism: Mechanism) -> bool:
    """The mechanism's own office and its court's staff write the court's text."""
    if not getattr(user, "is_active", False):
        return False
    scope = scope_for(user)
    if scope.assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        return True
    return is_mechanism_court_staff(user, mechanism)


def report_mechanisms(user: Any) -> QuerySet[Mechanism]:
    """Mechanisms whose report `user` may read, the highest level first."""
    scope = scope_for(user)
    q = Q(pk__in=[])
    for role in (Role.OFFICE, Role.LEADER):
        for path in scope.oversight.get(role, ()):
            q |= Q(jurisdiction__path__startswith=path)
    ids = _court_ids(user)
    if ids:
        q |= Q(
            jurisdiction_id__in=Unit.objects.filter(pk__in=ids, kind=UnitKind.COURT).values(
                "jurisdiction_id"
            )
        )
    return (
        Mechanism.objects.filter(q)
        .select_related("jurisdiction", "office_unit")
        .order_by("jurisdiction__path")
    )


def report_of(mechanism: Mechanism, year: int) -> AnnualReport | None:
    return (
        AnnualReport.objects.filter(mechanism=mechanism, year=year)
        .select_related("court", "updated_by")
        .first()
    )


# --- writing -----------------------------------------------------------------------------------
def _check_year(year: int, today: datetime.date) -> None:
    if not MIN_YEAR <= year <= today.year:
        raise ValidationError(
            {
                "year": [
                    ValidationError(
                        _("Choose a year from %(first)s to %(last)s.")
                        % {"first": MIN_YEAR, "last": today.year},
                        code="litigation.report_year",
                    )
                ]
            }
        )


def save_report_text(
    actor: Any,
    *,
    mechanism: Mechanism,
    year: int,
    problems: str,
    suggestions: str,
    expected_version: int | None = None,
) -> AnnualReport:
    """Write the court's text of the year's report (typical problems, recommendations): the
    mechanism's office or its court's staff. A stale form (another writer saved since it was
    read) raises StaleObjectError. Audited; the court is the writer's court when court staff
    write it."""
    if not may_edit(actor, mechanism):
        raise PermissionDenied("litigation.report")
    _check_year(year, timezone.localdate())
    problems = (problems or "").strip()
    suggestions = (suggestions or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    for name, value in (("problems", problems), ("suggestions", suggestions)):
        if len(value) > MAX_TEXT:
            errors[name] = [
                ValidationError(
                    _("Keep the text under %(n)s characters.") % {"n": MAX_TEXT},
                    code="litigation.report_too_long",
                )
            ]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    court = (
        Unit.objects.filter(
            pk__in=_court_ids(actor), kind=UnitKind.COURT, jurisdiction_id=mechanism.jurisdiction_id
        )
        .order_by("order_no", "pk")
        .first()
    )
    with transaction.atomic():
        report = (
            AnnualReport.objects.select_for_update().filter(mechanism=mechanism, year=year).first()
        )
        if report is None:
            if expected_version not in (None, 0):
                # The form was read when a report existed; it has gone since.
                raise StaleObjectError(AnnualReport(mechanism=mechanism, year=year))
            report = AnnualReport(
                mechanism=mechanism,
                year=year,
                court=court,
                problems=problems,
                suggestions=suggestions,
                updated_by=actor,
            )
            report.save()
            record(actor, "litigation.report.create", report, after=snapshot(report))
            return report
        before = snapshot(report)
        report.problems = problems
        report.suggestions = suggestions
        report.updated_by = actor
        if court is not None:
            report.court = court
        version = expected_version or report.version
        report.save_checked(version, ["problems", "suggestions", "updated_by", "court"])
        record(actor, "litigation.report.update", report, before=before, after=snapshot(report))
        return report


# --- the document ------------------------------------------------------------------------------
NUMERALS = "一二三四五六七八九十"


def _count(value: int) -> str:
    return f"{value}件"


def _change_text(now: int, before: int) -> str:
    delta = figures.change(now, before)
    if delta is None:
        return "上年同期无案件"
    if delta > 0:
        return f"同比上升{delta}%（上年同期{_count(before)}）"
    if delta < 0:
        return f"同比下降{-delta}%（上年同期{_count(before)}）"
    return f"与上年同期持平（{_count(before)}）"


def overview_text(total: figures.FigureRow, target: int) -> str:
    s = figures.shown
    trend = _change_text(total.new_cases, total.new_cases_last_year)
    parts = [
        f"新收一审行政案件{_count(total.new_cases)}，{trend}",
        f"审结一审行政案件{_count(total.concluded)}，其中行政机关败诉{_count(total.losses)}，"
        f"败诉率{s(total.loss_rate)}",
        f"调解、撤诉结案{_count(total.mediated_withdrawn)}，调撤率{s(total.mediated_withdrawn_rate)}",
        f"开庭审理行政案件{_count(total.heard)}，行政机关负责人出庭应诉{_count(total.appeared)}，"
        f"出庭应诉率{s(total.appearance_rate)}（目标{target}%"
        + ("，未达到目标）" if total.below_target else "）"),
        f"其中正职负责人出庭{_count(total.top_appeared)}，正职出庭率{s(total.top_rate)}；"
        f"出庭负责人出声{_count(total.spoke)}，出声率{s(total.spoke_rate)}",
        f"行政争议实质性化解办结{_count(total.disputes_closed)}，成功化解"
        f"{_count(total.disputes_resolved)}，实质化解率{s(total.resolution_rate)}",
    ]
    return "；".join(parts) + "。"


CASE_HEADER = ("新收一审", "上年同期", "同比", "审结", "败诉", "败诉率", "调撤率")
HEARING_HEADER = (
    "开庭案件",
    "出庭案件",
    "出庭率",
    "正职出庭",
    "正职出庭率",
    "出声率",
    "实质化解率",
)


def case_cells(row: figures.FigureRow) -> tuple[str, ...]:
    s = figures.shown
    return (
        str(row.new_cases),
        str(row.new_cases_last_year),
        row.shown["new_cases_change"],
        str(row.concluded),
        str(row.losses),
        s(row.loss_rate),
        s(row.mediated_withdrawn_rate),
    )


def hearing_cells(row: figures.FigureRow) -> tuple[str, ...]:
    s = figures.shown
    appearance = s(row.appearance_rate) + ("▼" if row.below_target else "")
    return (
        str(row.heard),
        str(row.appeared),
        appearance,
        str(row.top_appeared),
        s(row.top_rate),
        s(row.spoke_rate),
        s(row.resolution_rate),
    )


def _tables(first: str, rows: list[figures.FigureRow], total: figures.FigureRow) -> list[Table]:
    every = [*rows, total]
    return [
        Table(
            header=(first, *CASE_HEADER),
            rows=tuple((r.label, *case_cells(r)) for r in every),
            widths=(5, 2, 2, 2, 2, 2, 2, 2),
        ),
        Table(
            header=(first, *HEARING_HEADER),
            rows=tuple((r.label, *hearing_cells(r)) for r in every),
            widths=(5, 2, 2, 2, 2, 2, 2, 2),
        ),
    ]


def _paragraphs(text: str) -> list[Paragraph]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return [Paragraph(line) for line in lines] or [Paragraph(NOT_WRITTEN)]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def charts_for(mechanism: Mechanism, year: int, data: figures.Figures) -> list[tuple[bytes, str]]:
    """The report's charts (PNG, caption): new cases by month against the previous year,
    and loss and appearance rates by jurisdiction against the appearance target."""
    from .models import AdminCase

    cases = AdminCase.objects.filter(jurisdiction__path__startswith=mechanism.jurisdiction.path)
    months = [f"{m}月" for m in range(1, 13)]
    now = figures.monthly_new_cases(cases, year)
    before = figures.monthly_new_cases(cases, year - 1)
    monthly = charts.bar_chart(
        months,
        [charts.Series(f"{year}年", now), charts.Series(f"{year - 1}年", before)],
        y_label="件",
    )
    rows = data.by_jurisdiction or [data.total]
    rates = charts.bar_chart(
        [r.label for r in rows],
        [
            charts.Series("败诉率", [_float(r.loss_rate) for r in rows]),
            charts.Series("出庭应诉率", [_float(r.appearance_rate) for r in rows]),
        ],
        percent=True,
        target=float(data.config.appearance_target_percent),
        target_label=f"出庭应诉率目标{data.config.appearance_target_percent}%",
    )
    return [
        (monthly, f"图1 {year}年各月新收一审行政案件数（与{year - 1}年对比）"),
        (rates, f"图2 {year}年各地区行政机关败诉率和负责人出庭应诉率"),
    ]


def _recommendation_blocks(mechanism: Mechanism, period: figures.Period) -> list[Any]:
    recommendations = Recommendation.objects.filter(
        recipient__jurisdiction__path__startswith=mechanism.jurisdiction.path
    )
    summary = figures.recommendation_summary(recommendations, period)
    s = figures.shown
    blocks: list[Any] = [
        Paragraph(
            f"本年度送达司法建议、检察建议等{summary['delivered']}份，已回复"
            f"{summary['replied']}份，回复率{s(summary['reply_rate'])}；按期回复"
            f"{summary['replied_on_time']}份，按期回复率{s(summary['on_time_rate'])}；"
            f"逾期未回复{summary['overdue']}份。涉及建议事项{summary['items']}项，"
            f"已采纳{summary['items_adopted']}项、部分采纳{summary['items_partly']}项、"
            f"未采纳{summary['items_not_adopted']}项；已整改{summary['items_rectified']}项，"
            f"已销号{summary['items_closed']}项，销号率{s(summary['items_closed_rate'])}。"
        )
    ]
    rows = list(
        recommendations.filter(delivered_on__gte=period.start, delivered_on__lte=period.end)
        .select_related("issuer", "recipient")
        .order_by("delivered_on", "pk")
    )
    if rows:
        blocks.append(
            Table(
                header=("序号", "建议", "发出单位", "收件单位", "送达日期", "状态"),
                rows=tuple(
                    (
                        str(n),
                        r.title,
                        r.issuer.name,
                        r.recipient.name,
                        format_date(r.delivered_on) if r.delivered_on else "",
                        str(r.get_state_display()),
                    )
                    for n, r in enumerate(rows, start=1)
                ),
                widths=(1, 6, 4, 4, 3, 2),
            )
        )
    return blocks


def _issuer(mechanism: Mechanism, report: AnnualReport | None) -> str:
    if report is not None and report.court is not None:
        return report.court.name
    court = (
        Unit.objects.current()
        .filter(kind=UnitKind.COURT, jurisdiction_id=mechanism.jurisdiction_id)
        .order_by("order_no", "pk")
        .first()
    )
    return court.name if court is not None else f"{mechanism.name}办公室"


def report_title(mechanism: Mechanism, year: int) -> str:
    return f"{mechanism.jurisdiction.name}{year}年度行政案件报告"


def build_spec(
    mechanism: Mechanism, year: int, *, today: datetime.date | None = None
) -> DocumentSpec:
    """The report as a GB/T 9704 document description (render it with `render_docx`)."""
    today = today or timezone.localdate()
    period = figures.Period.year(year)
    if year == today.year:
        period = figures.Period(period.start, today)
    data = figures.mechanism_figures(mechanism, period)
    report = report_of(mechanism, year)
    issuer = _issuer(mechanism, report)
    target = data.config.appearance_target_percent
    blocks: list[Any] = [
        Heading("一、总体情况"),
        Paragraph(
            f"{period.start.year}年{period.start.month}月{period.start.day}日至"
            f"{format_date(period.end)}，{mechanism.jurisdiction.name}（含所辖地区）"
            + overview_text(data.total, target)
        ),
        Heading("二、各地区情况"),
        Paragraph(
            "案件按被告行政机关所属地区统计，异地管辖法院审理的案件计入被告所属地区。"
            + (
                f"标“▼”的出庭应诉率低于目标{target}%。"
                if any(r.below_target for r in [data.total, *data.by_jurisdiction, *data.by_body])
                else ""
            )
        ),
        *_tables("地区", data.by_jurisdiction, data.total),
        Heading("三、各单位情况"),
        *_tables("被告单位", data.by_body, data.total),
        Heading("四、图表"),
    ]
    for png, caption in charts_for(mechanism, year, data):
        blocks.append(Image(png, width_cm=15.0, caption=caption))
    blocks += [
        Heading("五、行政审判中发现的典型问题"),
        *_paragraphs(report.problems if report else ""),
        Heading("六、对策建议"),
        *_paragraphs(report.suggestions if report else ""),
        Heading("七、司法建议等办理情况"),
        *_recommendation_blocks(mechanism, period),
        Heading("八、指标口径说明"),
        *[Paragraph(text) for text in data.definitions.values()],
    ]
    return DocumentSpec(
        issuer=issuer,
        title=report_title(mechanism, year),
        blocks=tuple(blocks),
        date=today,
        signature=issuer,
    )


def render_report(mechanism: Mechanism, year: int, *, today: datetime.date | None = None) -> bytes:
    """The report's .docx bytes."""
    return render_docx(build_spec(mechanism, year, today=today))


def filename(mechanism: Mechanism, year: int) -> str:
    return f"{report_title(mechanism, year)}.docx"
