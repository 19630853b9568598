"""The matter engine's records: the matter (事项) itself, its milestones, co-units, feedback,
attachments, extension requests, evaluation and timeline, and the ledger's saved filters.

Colours are never stored: `Matter.objects.with_colour(today)` computes them in SQL from
`deadline`, `warn_from`, `next_feedback_due` and `next_milestone_due`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel, StoredFile
from fuyuan.core.workflow import State, Transition, Workflow

from . import workflow as wf


class MatterType(models.TextChoices):
    DUAL_LIST = "dual_list", _("Dual-list item")
    KEY_ISSUE = "key_issue", _("Key issue")
    MEETING_DECISION = "meeting_decision", _("Meeting decision")
    LIAISON = "liaison", _("Liaison request")
    RECOMMENDATION = "recommendation", _("Recommendation rectification")
    GOVERNMENT_DEBTOR = "government_debtor", _("Government-debtor case")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy coordination")
    RISK = "risk", _("Major-risk handling")
    COLLECTION = "collection", _("Material collection")
    CAMPAIGN = "campaign", _("Special campaign")
    OTHER = "other", _("Other supervised matter")


class Colour(models.TextChoices):
    """Warning colours (三色预警), computed in SQL; "none" for finished or draft matters."""

    RED = "red", _("Red: overdue")
    YELLOW = "yellow", _("Yellow: behind schedule or report late")
    BLUE = "blue", _("Blue: deadline near")
    GREEN = "green", _("Green: on track")
    NONE = "none", _("Not running")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("A fixed date")
    WORKING_DAYS = "working_days", _("Working days from the start")
    CALENDAR_DAYS = "calendar_days", _("Calendar days from the start")


class FeedbackCadence(models.TextChoices):
    NONE = "none", _("No periodic report")
    MONTHLY = "monthly", _("Every month, before a set day")
    QUARTERLY = "quarterly", _("At the end of every quarter")
    MILESTONE = "milestone", _("At each milestone")


class MatterQuerySet(models.QuerySet["Matter"]):
    def visible_to(self, user: Any) -> MatterQuerySet:
        """Office staff and leaders: matters of their own jurisdictions, and those below that
        the lower level has shared upward. Units: matters they lead, co-handle or handle."""
        from fuyuan.accounts.permissions import scope_for
        from fuyuan.org.models import Jurisdiction

        scope = scope_for(user)
        own = {j for ids in scope.assigned_jurisdictions.values() for j in ids}
        q = Q(jurisdiction_id__in=sorted(own)) if own else Q(pk__in=[])
        for path in scope.oversight_paths:
            # A subquery over the small jurisdiction table, not a join: the matters can then
            # be read from the ledger's covering index alone.
            below = Jurisdiction.objects.filter(path__startswith=path).values("pk")
            q |= Q(jurisdiction_id__in=below, shared_upward=True)
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            q |= Q(lead_unit_id__in=ids) | Q(
                Exists(MatterCoUnit.objects.filter(matter=OuterRef("pk"), unit_id__in=ids))
            )
        if scope.user_id is not None:
            q |= Q(handler_id=scope.user_id) | Q(unit_leader_id=scope.user_id)
        return self.filter(q)

    def with_colour(self, today: datetime.date) -> MatterQuerySet:
        """Annotate `colour`: red overdue, yellow report or milestone late, blue from
        `warn_from`, green otherwise; finished, draft and suspended matters have none."""
        return self.annotate(
            colour=Case(
                *(When(q, then=Value(c)) for q, c in colour_rules(today)),
                default=Value(Colour.NONE),
                output_field=models.CharField(),
            )
        )


def colour_rules(today: datetime.date) -> list[tuple[Q, Colour]]:
    """The warning colours' conditions in order (the first that holds wins); `with_colour`
    and the ledger's integer sort key (`queries.colour_rank`) both read them."""
    running = Q(state__in=wf.RUNNING_STATES)
    return [
        (running & Q(deadline__lt=today), Colour.RED),
        (
            running & (Q(next_feedback_due__lt=today) | Q(next_milestone_due__lt=today)),
            Colour.YELLOW,
        ),
        (running & Q(warn_from__lte=today), Colour.BLUE),
        (running, Colour.GREEN),
        (Q(state=wf.REPORTED, deadline__lt=today), Colour.RED),
    ]


class Matter(BaseModel):
    """A supervised item (事项): a dual-list entry, key issue, meeting decision, liaison
    request, rectification, coordination task… Every tracked thing is one of these; business
    records link to it one-to-one and name it by `source_kind`."""

    workflow = wf.MATTER_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="matters",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="matters",
    )
    year = models.PositiveIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    matter_type = models.CharField(
        _("type"), max_length=20, choices=MatterType.choices, default=MatterType.OTHER
    )
    # Registered kind of the business record behind the matter ("" for matters entered here).
    source_kind = models.CharField(_("source kind"), max_length=40, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True)
    task_area = models.ForeignKey(
        "org.TaskArea",
        verbose_name=_("task area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matters",
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_matters",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_matters",
    )
    unit_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unit leader in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checked_matters",
    )
    supervising_leader = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("supervising leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_matters",
    )
    is_key_issue = models.BooleanField(_("key issue"), default=False, db_index=True)
    enterprise_related = models.BooleanField(_("enterprise-related (涉企)"), default=False)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=wf.MATTER_WORKFLOW.choices(),
        default=wf.DRAFT,
        db_index=True,
    )
    start_date = models.DateField(_("start date"))
    deadline_kind = models.CharField(
        _("deadline rule"), max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    deadline_days = models.PositiveIntegerField(_("days allowed"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    warn_from = models.DateField(_("warning from"), null=True, blank=True)
    sign_deadline = models.DateField(_("sign-for deadline"), null=True, blank=True)
    feedback_cadence = models.CharField(
        _("reporting cadence"),
        max_length=12,
        choices=FeedbackCadence.choices,
        default=FeedbackCadence.NONE,
    )
    feedback_day = models.PositiveSmallIntegerField(
        _("report before day of month"), null=True, blank=True
    )
    next_feedback_due = models.DateField(_("next report due"), null=True, blank=True)
    next_milestone_due = models.DateField(_("next milestone due"), null=True, blank=True)
    # Progress derives from milestones (or children); `progress_typed` is the fallback.
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_typed = models.PositiveSmallIntegerField(
        _("progress typed (%)"), null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    weight = models.PositiveSmallIntegerField(_("weight in the parent"), default=1)
    # A matter of a lower level is seen from above once that level shares it (分解细化).
    shared_upward = models.BooleanField(_("shared with the level above"), default=True)
    summary = models.TextField(_("completion report"), blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MatterQuerySet.as_manager()

    personal_fields: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["deadline", "pk"]
        indexes = [
            # Covering on PostgreSQL: the ledger's count and its sort by colour read only this
            # index (docs/benchmarks.md). SQLite ignores INCLUDE.
            models.Index(
                fields=["jurisdiction", "state", "deadline"],
                include=[
                    "id",
                    "shared_upward",
                    "warn_from",
                    "next_feedback_due",
                    "next_milestone_due",
                    "handler",
                    "unit_leader",
                    "lead_unit",
                ],
                name="matters_ledger_cover",
            ),
            models.Index(fields=["lead_unit", "state", "deadline"]),
            models.Index(fields=["mechanism", "year"]),
        ]

    def __str__(self) -> str:
        return self.title

    # --- permission hooks (accounts.permissions.can) -----------------------------------------
    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.assigned_to(self.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.assigned_to(self.jurisdiction_id, Role.LEADER):
            found.add(wf.LEADER)
        if scope.acts_for(self.lead_unit_id, Role.LIAISON, Role.COURT):
            found.add(wf.LEAD_UNIT)
        if scope.user_id is not None and self.handler_id == scope.user_id:
            found.add(wf.HANDLER)
        if scope.user_id is not None and self.unit_leader_id == scope.user_id:
            found.add(wf.UNIT_LEADER)
        if scope.unit_ids and self.co_units.filter(unit_id__in=scope.unit_ids).exists():
            found.add(wf.CO_UNIT)
        return found

    def enabled_steps(self) -> list[str]:
        steps: list[str] = self.mechanism.config.enabled_steps
        return steps

    def permits(self, scope: Any, action: str) -> bool:
        relations = self.relations(scope)
        if action == "view":
            return True  # callers fetch through visible_to(); being here means visible
        if action in {"urge", "edit", "decompose", "decide_extension"}:
            return wf.OFFICE in relations
        if action == "decide_second_extension":
            return wf.LEADER in relations
        if action in {"feedback", "request_extension"}:
            return bool(relations & {wf.LEAD_UNIT, wf.HANDLER}) and self.state in wf.OPEN_STATES
        if action == "co_unit_report":
            return wf.CO_UNIT in relations and self.state in wf.OPEN_STATES
        if action == "evaluate":
            return wf.OFFICE in relations and self.state in wf.DONE_STATES
        if action == "share_upward":
            return wf.OFFICE in relations and not self.shared_upward
        return False

    @property
    def is_running(self) -> bool:
        return self.state in wf.RUNNING_STATES


class Milestone(BaseModel):
    """A checkpoint (节点) of a matter; progress derives from the weights of those reached."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=120)
    due_date = models.DateField(_("due date"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["matter", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class MatterCoUnit(BaseModel):
    """A co-unit (配合单位) of a matter, with its own report to the lead unit."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="co_units"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="co_matters"
    )
    report = models.TextField(_("report to the lead unit"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consolidated_at = models.DateTimeField(_("consolidated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-unit")
        verbose_name_plural = _("co-units")
        ordering = ["matter", "unit__order_no"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "unit"], name="matters_counit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.matter} · {self.unit}"


class FeedbackStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Feedback(BaseModel):
    """A progress report (反馈). Drafts autosave; a submitted report moves the next due date."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="feedback"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("progress"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone reached"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.DRAFT
    )
    due_date = models.DateField(_("was due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["matter", "-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.matter} · {self.submitted_at or _('draft')}"

    @property
    def was_late(self) -> bool:
        return bool(
            self.due_date and self.submitted_at and self.submitted_at.date() > self.due_date
        )


class Attachment(StoredFile):
    """A file attached to a matter or one of its reports; type checked by content."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="attachments"
    )
    feedback = models.ForeignKey(
        Feedback,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="matters/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["matter", "pk"]


class ExtensionRequest(BaseModel):
    """A request to move the deadline (延期申请), filed before it with reason, new date and
    progress; the office decides the first, a leader any later one."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    progress_note = models.TextField(_("progress so far"))
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("new deadline asked for"))
    level = models.PositiveSmallIntegerField(_("extension number"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=wf.EXTENSION_STATES, default=wf.EXT_PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["matter", "-pk"]

    def __str__(self) -> str:
        return f"{self.matter} → {self.new_deadline}"


class Evaluation(BaseModel):
    """The requesting side's rating of a finished matter: timeliness, quality, effect."""

    matter = models.OneToOneField(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="evaluation"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("rated unit"), on_delete=models.PROTECT, related_name="+"
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    timeliness = models.PositiveSmallIntegerField(_("timeliness (1–5)"))
    quality = models.PositiveSmallIntegerField(_("quality (1–5)"))
    effect = models.PositiveSmallIntegerField(_("effect (1–5)"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.matter}: {self.score}"

    @property
    def score(self) -> float:
        return round((self.timeliness + self.quality + self.effect) / 3, 2)


class TimelineEntry(models.Model):
    """Everything that happened to a matter, in order: transitions, reports, urging,
    extensions, deadline changes, evaluations."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=24, blank=True)
    to_state = models.CharField(_("to state"), max_length=24, blank=True)
    text = models.TextField(_("text"), blank=True)
    detail = models.JSONField(_("detail"), null=True, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["matter", "at", "pk"]
        indexes = [models.Index(fields=["matter", "at"])]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.kind} {self.at:%Y-%m-%d}"


class SavedFilter(BaseModel):
    """A ledger filter a user keeps under a name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filter"), max_length=1000)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="matters_savedfilter_unique")
        ]

    def __str__(self) -> str:
        return self.name


# --- special campaigns (专项督促 / 专项整治 / 跟踪问效) ------------------------------------------
class CampaignKind(models.TextChoices):
    SPECIAL_SUPERVISION = "special_supervision", _("Special supervision")
    SPECIAL_RECTIFICATION = "special_rectification", _("Special rectification")
    EFFECT_TRACKING = "effect_tracking", _("Effect tracking")


# Relations a user holds towards a campaign (Campaign.relations).
CAMPAIGN_OFFICE = "office"
CAMPAIGN_PLANNED = "planned"
CAMPAIGN_RUNNING = "running"
CAMPAIGN_CONCLUDED = "concluded"

CAMPAIGN_WORKFLOW = Workflow(
    name="campaign",
    initial=CAMPAIGN_PLANNED,
    states=(
        State(CAMPAIGN_PLANNED, _("Planned"), tone="secondary"),
        State(CAMPAIGN_RUNNING, _("Running"), tone="primary"),
        State(CAMPAIGN_CONCLUDED, _("Concluded"), final=True, tone="success"),
    ),
    transitions=(
        Transition(
            "start",
            _("Start the campaign"),
            (CAMPAIGN_PLANNED,),
            CAMPAIGN_RUNNING,
            frozenset({CAMPAIGN_OFFICE}),
        ),
        Transition(
            "conclude",
            _("Conclude the campaign"),
            (CAMPAIGN_RUNNING,),
            CAMPAIGN_CONCLUDED,
            frozenset({CAMPAIGN_OFFICE}),
            required_fields=("conclusion",),
            tone="success",
        ),
    ),
)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        """Office staff and leaders: campaigns of the jurisdictions they oversee (their own and
        those below). Liaison officers and court staff: campaigns holding a matter their unit
        leads or co-handles."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q("mechanism__jurisdiction_id", "mechanism__jurisdiction__path")
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            entries = CampaignMatter.objects.filter(campaign=OuterRef("pk"))
            q |= Q(Exists(entries.filter(matter__lead_unit_id__in=ids))) | Q(
                Exists(entries.filter(matter__co_units__unit_id__in=ids))
            )
        return self.filter(q)


class Campaign(BaseModel):
    """A special campaign of a joint meeting's office: special supervision (专项督促), special
    rectification (专项整治) or effect tracking (跟踪问效). It groups matters for a period,
    sets their reporting cadence, and ends with a follow-up report and a conclusion."""

    workflow = CAMPAIGN_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CampaignKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    feedback_cadence = models.CharField(
        _("reporting cadence"),
        max_length=12,
        choices=FeedbackCadence.choices,
        default=FeedbackCadence.NONE,
    )
    feedback_day = models.PositiveSmallIntegerField(
        _("report before day of month"), null=True, blank=True
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=CAMPAIGN_WORKFLOW.choices(),
        default=CAMPAIGN_PLANNED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["mechanism", "state"])]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(CAMPAIGN_OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # callers fetch through visible_to(); being here means visible
        if action == "report":
            return bool(scope.oversees(self.mechanism.jurisdiction.path))
        if action == "manage":
            return CAMPAIGN_OFFICE in self.relations(scope) and self.state != CAMPAIGN_CONCLUDED
        return False


class CampaignMatter(BaseModel):
    """A matter taken into a special campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="entries"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        on_delete=models.CASCADE,
        related_name="campaign_entries",
    )
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign matter")
        verbose_name_plural = _("campaign matters")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "matter"], name="matters_campaignmatter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.matter}"
