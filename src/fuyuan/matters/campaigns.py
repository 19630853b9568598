"""Special campaigns (专项督促 / 专项整治 / 跟踪问效): the office's writes (create, add and
remove matters, start, conclude — each checked, atomic and audited) and the reads built on
`visible_to(user)`, including the follow-up report and its spreadsheet and document."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.workflow import TransitionError

from . import deadlines, exports
from . import workflow as wf
from .models import (
    CAMPAIGN_WORKFLOW,
    Campaign,
    CampaignMatter,
    Colour,
    Feedback,
    FeedbackCadence,
    FeedbackStatus,
    Matter,
    MatterQuerySet,
)
from .queries import latest_feedback_text

# A campaign sets a calendar cadence; "at each milestone" depends on each matter's own plan.
CAMPAIGN_CADENCES = (FeedbackCadence.NONE, FeedbackCadence.MONTHLY, FeedbackCadence.QUARTERLY)


def _error(field_name: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field_name: [error]}) if field_name else error


# --- reads ------------------------------------------------------------------------------------
def office_mechanisms(user: Any) -> Any:
    """The joint meetings whose office the user works in (those it may run campaigns for)."""
    from fuyuan.org.models import Mechanism

    ids = sorted(scope_for(user).assigned_jurisdictions.get(Role.OFFICE, frozenset()))
    return Mechanism.objects.filter(jurisdiction_id__in=ids).select_related("jurisdiction")


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("mechanism", "mechanism__jurisdiction")


def campaign_list_rows(user: Any) -> QuerySet[Campaign]:
    """Visible campaigns with the number of their matters the user may see."""
    visible = Matter.objects.visible_to(user).filter(pk=OuterRef("matter_id"))
    count = (
        CampaignMatter.objects.filter(campaign=OuterRef("pk"))
        .filter(Exists(visible))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return visible_campaigns(user).annotate(
        matter_count=Coalesce(Subquery(count, output_field=IntegerField()), 0)
    )


def _late_reports() -> Subquery:
    """Submitted reports that came in after the day they were due (one subquery per row set)."""
    rows = (
        Feedback.objects.filter(
            matter=OuterRef("pk"),
            status=FeedbackStatus.SUBMITTED,
            due_date__isnull=False,
            submitted_at__date__gt=F("due_date"),
        )
        .order_by()
        .values("matter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


def campaign_matters(user: Any, campaign: Campaign, today: datetime.date) -> MatterQuerySet:
    """The campaign's matters the user may see (a liaison officer: only its unit's), in the
    official order of their lead units, with colour, latest progress text and late reports."""
    entries = CampaignMatter.objects.filter(campaign=campaign, matter=OuterRef("pk"))
    return (
        Matter.objects.visible_to(user)
        .filter(Exists(entries))
        .with_colour(today)
        .annotate(
            latest_progress=latest_feedback_text(),
            late_reports=Coalesce(_late_reports(), 0),
        )
        .select_related("lead_unit", "jurisdiction")
        .order_by("lead_unit__order_no", "lead_unit_id", "deadline", "pk")
    )


def candidate_matters(actor: Any, campaign: Campaign) -> MatterQuerySet:
    """Matters the office may take into the campaign: visible to it, of the mechanism's
    jurisdiction or shared upward from below it, and not in the campaign yet."""
    jurisdiction = campaign.mechanism.jurisdiction
    taken = CampaignMatter.objects.filter(campaign=campaign, matter=OuterRef("pk"))
    return (
        Matter.objects.visible_to(actor)
        .filter(
            Q(jurisdiction_id=jurisdiction.pk)
            | Q(jurisdiction__path__startswith=jurisdiction.path, shared_upward=True)
        )
        .exclude(Exists(taken))
        .select_related("lead_unit", "jurisdiction")
    )


# --- writes -----------------------------------------------------------------------------------
def _check_dates(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise _error("end_date", _("The end date is before the start date."), "campaign.end_before")


def _check_cadence(cadence: str, day: int | None) -> None:
    if cadence not in CAMPAIGN_CADENCES:
        raise _error(
            "feedback_cadence",
            _("A campaign reports monthly, quarterly or not at all."),
            "campaign.cadence",
        )
    if day is not None and not 1 <= day <= 28:
        raise _error("feedback_day", _("Choose a day between 1 and 28."), "campaign.day")


@transaction.atomic
def create_campaign(
    actor: Any,
    *,
    mechanism: Any,
    kind: str,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date,
    description: str = "",
    feedback_cadence: str = FeedbackCadence.NONE,
    feedback_day: int | None = None,
) -> Campaign:
    """The office of a joint meeting plans a campaign (state "planned")."""
    if not scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE):
        raise PermissionDenied(_("Only the office of this joint meeting runs its campaigns."))
    _check_dates(start_date, end_date)
    _check_cadence(feedback_cadence, feedback_day)
    campaign = Campaign(
        mechanism=mechanism,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        start_date=start_date,
        end_date=end_date,
        feedback_cadence=feedback_cadence,
        feedback_day=feedback_day if feedback_cadence == FeedbackCadence.MONTHLY else None,
        created_by=actor,
    )
    campaign.full_clean(exclude=["created_at", "updated_at"])
    campaign.save()
    record(actor, "matters.campaign.create", campaign, after=snapshot(campaign))
    return campaign


@transaction.atomic
def add_matters(actor: Any, campaign: Campaign, matters: list[Matter]) -> list[CampaignMatter]:
    """Take matters into the campaign. Each must be a candidate (see `candidate_matters`);
    one already in it is skipped. One audit entry for the batch."""
    require(actor, "manage", campaign)
    wanted = {m.pk for m in matters}
    allowed = set(
        candidate_matters(actor, campaign)
        .filter(pk__in=sorted(wanted))
        .values_list("pk", flat=True)
    )
    already = set(
        CampaignMatter.objects.filter(campaign=campaign, matter_id__in=sorted(wanted)).values_list(
            "matter_id", flat=True
        )
    )
    refused = wanted - allowed - already
    if refused:
        raise _error(
            "matters",
            _("These matters cannot be taken into this campaign: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in sorted(refused))},
            "campaign.matter_not_allowed",
        )
    now = timezone.now()
    rows = [
        CampaignMatter(
            campaign=campaign,
            matter_id=pk,
            added_at=now,
            added_by=actor,
            created_at=now,
            updated_at=now,
        )
        for pk in sorted(allowed)
    ]
    CampaignMatter.objects.bulk_create(rows)
    record(
        actor,
        "matters.campaign.add_matters",
        campaign,
        detail={"matters": sorted(allowed), "skipped": sorted(already)},
    )
    return rows


@transaction.atomic
def remove_matter(actor: Any, campaign: Campaign, matter_id: int) -> None:
    """Take a matter out of the campaign (the matter itself is untouched)."""
    require(actor, "manage", campaign)
    entry = CampaignMatter.objects.filter(campaign=campaign, matter_id=matter_id).first()
    if entry is None:
        raise _error(None, _("This matter is not in the campaign."), "campaign.matter_absent")
    before = snapshot(entry)
    entry.delete()
    record(
        actor,
        "matters.campaign.remove_matter",
        campaign,
        before=before,
        detail={"matter": matter_id},
    )


@dataclass
class StartResult:
    campaign: Campaign
    cadence_set: list[int] = field(default_factory=list)  # matters given the campaign's cadence
    cadence_skipped: list[int] = field(default_factory=list)  # not the office's to edit


def _apply_cadence(actor: Any, campaign: Campaign, result: StartResult) -> None:
    """Give the campaign's cadence to its matters that have none, through update_matter (so
    each edit is checked, versioned, on the matter's timeline and audited). A matter of a
    lower level is not this office's to edit: it is left alone and listed."""
    from .actions import update_matter

    today = timezone.localdate()
    rows = Matter.objects.filter(
        campaign_entries__campaign=campaign,
        feedback_cadence=FeedbackCadence.NONE,
        state__in=(wf.DRAFT, *wf.OPEN_STATES),
    ).select_related("mechanism", "jurisdiction", "lead_unit")
    for matter in rows.order_by("pk"):
        if not can(actor, "edit", matter):
            result.cadence_skipped.append(matter.pk)
            continue
        update_matter(
            actor,
            matter,
            {"feedback_cadence": campaign.feedback_cadence, "feedback_day": campaign.feedback_day},
            None,
        )
        # update_matter does not derive the next report date from a new cadence; it is a
        # figure computed from the cadence (like progress), so it is written here by UPDATE.
        if matter.next_feedback_due is None:
            due = deadlines.next_report_due(
                campaign.feedback_cadence,
                max(today, matter.start_date),
                day_of_month=campaign.feedback_day,
                deadline=matter.deadline,
            )
            if due is not None:
                Matter.objects.filter(pk=matter.pk).update(next_feedback_due=due)
        result.cadence_set.append(matter.pk)


def _take(actor: Any, campaign: Campaign, name: str, values: dict[str, Any]) -> dict[str, Any]:
    CAMPAIGN_WORKFLOW.check(name, campaign.state, relations_to(actor, campaign), values=values)
    before = snapshot(campaign)
    step = CAMPAIGN_WORKFLOW.transition(name)
    campaign.state = step.target
    return before or {}


@transaction.atomic
def start_campaign(actor: Any, campaign: Campaign, *, apply_cadence: bool = False) -> StartResult:
    """planned → running; with `apply_cadence`, matters with no reporting cadence get the
    campaign's (see `_apply_cadence`)."""
    version = campaign.version
    before = _take(actor, campaign, "start", {})
    campaign.started_at = timezone.now()
    campaign.save_checked(version)
    result = StartResult(campaign)
    if apply_cadence and campaign.feedback_cadence != FeedbackCadence.NONE:
        _apply_cadence(actor, campaign, result)
    record(
        actor,
        "matters.campaign.start",
        campaign,
        before=before,
        after=snapshot(campaign),
        detail={"cadence_set": result.cadence_set, "cadence_skipped": result.cadence_skipped},
    )
    return result


@transaction.atomic
def conclude_campaign(actor: Any, campaign: Campaign, conclusion: str) -> Campaign:
    """running → concluded, with the office's conclusion (the follow-up's finding)."""
    version = campaign.version
    text = (conclusion or "").strip()
    before = _take(actor, campaign, "conclude", {"conclusion": text})
    campaign.conclusion = text
    campaign.concluded_at = timezone.now()
    campaign.save_checked(version)
    record(actor, "matters.campaign.conclude", campaign, before=before, after=snapshot(campaign))
    return campaign


def transition(actor: Any, campaign: Campaign, name: str, **values: Any) -> Any:
    if name == "start":
        return start_campaign(actor, campaign, apply_cadence=bool(values.get("apply_cadence")))
    if name == "conclude":
        return conclude_campaign(actor, campaign, str(values.get("conclusion") or ""))
    raise TransitionError("workflow.unknown_transition", f"unknown transition {name}")


# --- the follow-up report (跟踪问效) -------------------------------------------------------------
@dataclass
class Totals:
    matters: int = 0
    completed_on_time: int = 0
    completed_late: int = 0
    overdue: int = 0
    red: int = 0
    yellow: int = 0
    late_reports: int = 0


def _completed_on_time(matter: Matter) -> bool | None:
    """True/False for a finished matter (completed by its deadline or not); None otherwise."""
    if matter.state not in wf.DONE_STATES:
        return None
    done = matter.completed_at or matter.closed_at
    if done is None:
        return True
    return bool(timezone.localtime(done).date() <= matter.deadline)


def report_totals(rows: list[Matter], today: datetime.date) -> Totals:
    totals = Totals(matters=len(rows))
    for m in rows:
        on_time = _completed_on_time(m)
        if on_time is True:
            totals.completed_on_time += 1
        elif on_time is False:
            totals.completed_late += 1
        elif m.state != wf.DRAFT and m.state != wf.SUSPENDED and m.deadline < today:
            totals.overdue += 1
        colour = getattr(m, "colour", Colour.NONE)
        totals.red += colour == Colour.RED
        totals.yellow += colour == Colour.YELLOW
        totals.late_reports += getattr(m, "late_reports", 0) or 0
    return totals


REPORT_HEADERS = (
    "序号",
    "牵头单位",
    "事项",
    "完成时限",
    "状态",
    "预警",
    "进度",
    "最新进展",
    "逾期反馈次数",
)
REPORT_WIDTHS = (6, 24, 36, 12, 12, 10, 8, 50, 10)


def report_cells(no: int, m: Matter) -> tuple[Any, ...]:
    colour = Colour(getattr(m, "colour", Colour.NONE))
    return (
        no,
        m.lead_unit.name,
        m.title,
        m.deadline.isoformat(),
        str(wf.MATTER_WORKFLOW.state(m.state).label),
        "" if colour == Colour.NONE else str(colour.label),
        f"{m.progress}%",
        (getattr(m, "latest_progress", None) or "").strip(),
        getattr(m, "late_reports", 0) or 0,
    )


def report_title(campaign: Campaign) -> str:
    return f"{campaign.title}跟踪问效情况"


def totals_text(totals: Totals) -> str:
    # Official report wording (a fixed term of the generated document, not an interface text).
    return (
        f"纳入本次专项工作的事项共{totals.matters}项，其中按期办结{totals.completed_on_time}项，"
        f"逾期办结{totals.completed_late}项，逾期未办结{totals.overdue}项；"
        f"红色预警{totals.red}项，黄色预警{totals.yellow}项；逾期反馈{totals.late_reports}次。"
    )


def report_workbook(campaign: Campaign, rows: list[Matter], totals: Totals) -> bytes:
    """The follow-up report as a sheet in the office's printed layout, totals underneath."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "跟踪问效"
    exports._sheet_setup(ws, report_title(campaign), REPORT_HEADERS, REPORT_WIDTHS)
    row = 2
    for no, matter in enumerate(rows, start=1):
        row += 1
        for col, value in enumerate(report_cells(no, matter), start=1):
            exports._body_cell(ws, row, col, value, centre=col in (1, 4, 5, 6, 7, 9))
    row += 2
    labels = (
        ("事项总数", totals.matters),
        ("按期办结", totals.completed_on_time),
        ("逾期办结", totals.completed_late),
        ("逾期未办结", totals.overdue),
        ("红色预警", totals.red),
        ("黄色预警", totals.yellow),
        ("逾期反馈次数", totals.late_reports),
    )
    for label, value in labels:
        exports._body_cell(ws, row, 2, label)
        exports._body_cell(ws, row, 3, value)
        row += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def report_document(
    campaign: Campaign, rows: list[Matter], totals: Totals, today: datetime.date
) -> bytes:
    """The follow-up report as an official .docx (GB/T 9704 layout by core.documents)."""
    from fuyuan.core.documents import DocumentSpec, Heading, Paragraph, Table, render_docx

    office = campaign.mechanism.office_unit.name
    issuer = f"{campaign.mechanism.name}办公室"
    blocks: list[Any] = [
        Heading("一、总体情况", 1),
        Paragraph(totals_text(totals)),
    ]
    if campaign.description:
        blocks.append(Paragraph(campaign.description))
    blocks.append(Heading("二、事项办理情况", 1))
    blocks.append(
        Table(
            header=REPORT_HEADERS,
            rows=tuple(tuple(str(c) for c in report_cells(n, m)) for n, m in enumerate(rows, 1)),
            widths=(4, 10, 16, 8, 7, 6, 5, 20, 6),
        )
    )
    if campaign.conclusion:
        blocks.append(Heading("三、结论", 1))
        blocks.append(Paragraph(campaign.conclusion))
    spec = DocumentSpec(
        issuer=issuer,
        title=report_title(campaign),
        blocks=tuple(blocks),
        date=today,
        signature=office,
    )
    return render_docx(spec)
