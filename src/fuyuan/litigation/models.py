"""Administrative litigation (行政诉讼) and the court–government business around it: cases and
hearings, heads appearing in court (出庭应诉), judicial and similar recommendations, referrals
for substantive resolution of disputes, and loss-risk warnings (notice 二(一) 1–2, DOMAIN.md §4).

Court records are scoped by their parties (ARCHITECTURE "Decided up front"): a case is visible
to the court hearing it, to the defendant bodies (and their successors), and to the offices
and leaders overseeing the defendants' jurisdictions — even when another county's court hears
the case (相对集中管辖)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel, StoredFile
from fuyuan.org.settings_schema import ADMIN_CASE_OUTCOMES

from . import workflow as wf


class Instance(models.TextChoices):
    """Procedure of a case, told by the type code of its number (行初 → first instance)."""

    FIRST = "first", _("First instance")
    SECOND = "second", _("Second instance")
    RETRIAL_REVIEW = "retrial_review", _("Retrial review")
    RETRIAL = "retrial", _("Retrial")
    NON_LITIGATION = "non_litigation", _("Non-litigation enforcement review")
    OTHER = "other", _("Other")


class CaseStage(models.TextChoices):
    FILED = "filed", _("Filed")
    HEARING = "hearing", _("In trial")
    CONCLUDED = "concluded", _("Concluded")


class RecordSource(models.TextChoices):
    IMPORT = "import", _("Court export")
    MANUAL = "manual", _("Entered by hand")


def _oversight_q(scope: Any, path_field: str) -> Q:
    from fuyuan.accounts.models import Role

    q = Q(pk__in=[])
    for role in (Role.OFFICE, Role.LEADER):
        for p in scope.oversight.get(role, ()):
            q |= Q(**{f"{path_field}__startswith": p})
    return q


class AdminCaseQuerySet(models.QuerySet["AdminCase"]):
    def visible_to(self, user: Any) -> AdminCaseQuerySet:
        """The court hearing the case; the defendant bodies (primary and co-defendants,
        predecessors included); offices and leaders overseeing a defendant's jurisdiction."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
        q = Q(court_id__in=court_ids) if court_ids else Q(pk__in=[])
        unit_ids = sorted(scope.unit_ids)
        if unit_ids:
            q |= Q(defendant_id__in=unit_ids)
            q |= Exists(CoDefendant.objects.filter(case=OuterRef("pk"), unit_id__in=unit_ids))
        q |= _oversight_q(scope, "jurisdiction__path")
        co_paths = _oversight_q(scope, "unit__jurisdiction__path")
        if scope.oversight_paths:
            q |= Exists(CoDefendant.objects.filter(co_paths, case=OuterRef("pk")))
        return self.filter(q)


class AdminCase(BaseModel):
    """An administrative case (行政案件) against one or more government bodies, as the court's
    case system knows it: the number (parsed by `core.case_numbers`), the court, the parties,
    the cause of action (案由), the stage and the outcome. `jurisdiction` is the primary
    defendant's jurisdiction, kept on the row so figures group by it in SQL."""

    personal_fields = ("plaintiffs",)

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="admin_cases",
    )
    number = models.CharField(_("case number"), max_length=60, unique=True)
    year = models.PositiveIntegerField(_("year filed"), db_index=True)
    court = models.ForeignKey(
        "org.Unit", verbose_name=_("court"), on_delete=models.PROTECT, related_name="cases_heard"
    )
    type_code = models.CharField(_("type code"), max_length=6)
    instance = models.CharField(
        _("procedure"), max_length=16, choices=Instance.choices, default=Instance.FIRST
    )
    plaintiffs = models.TextField(_("plaintiffs"), help_text=_("One per line."))
    defendant = models.ForeignKey(
        "org.Unit",
        verbose_name=_("defendant body"),
        on_delete=models.PROTECT,
        related_name="cases_defended",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction of the defendant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cause = models.CharField(_("cause of action"), max_length=120)
    enterprise_related = models.BooleanField(_("enterprise-related (涉企)"), default=False)
    filed_on = models.DateField(_("filed on"), db_index=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=CaseStage.choices, default=CaseStage.FILED
    )
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True, db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=list(ADMIN_CASE_OUTCOMES.items()), blank=True
    )
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=RecordSource.choices, default=RecordSource.MANUAL
    )

    objects = AdminCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative case")
        verbose_name_plural = _("administrative cases")
        ordering = ["-filed_on", "-pk"]
        indexes = [
            models.Index(fields=["defendant", "filed_on"]),
            models.Index(fields=["jurisdiction", "filed_on"]),
            models.Index(fields=["court", "filed_on"]),
            models.Index(fields=["mechanism", "stage"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def heard_elsewhere(self) -> bool:
        """Heard by another county's court (相对集中管辖): neither area contains the other."""
        court_path, own_path = self.court.jurisdiction.path, self.jurisdiction.path
        return not (own_path.startswith(court_path) or court_path.startswith(own_path))

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.court_id, Role.COURT):
            found.add(wf.COURT)
        if scope.acts_for(self.defendant_id, Role.LIAISON) or any(
            scope.acts_for(cd.unit_id, Role.LIAISON) for cd in self.co_defendants.all()
        ):
            found.add(wf.BODY)
        if scope.oversees(self.jurisdiction.path, Role.OFFICE):
            found.add(wf.OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        """edit: the court (and the office, correcting an import) changes the case's data;
        hearing: the court announces or records a hearing."""
        if action == "view":
            return True
        rel = self.relations(scope)
        if action in ("edit", "hearing", "appearance"):
            return bool(rel & {wf.COURT, wf.OFFICE})
        if action == "refer_dispute":
            return bool(rel & {wf.COURT, wf.OFFICE, wf.BODY})
        return False


class CoDefendant(models.Model):
    """A further defendant body of a case (共同被告)."""

    case = models.ForeignKey(
        AdminCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="co_defendants"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("defendant body"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("co-defendant")
        verbose_name_plural = _("co-defendants")
        constraints = [
            models.UniqueConstraint(fields=["case", "unit"], name="litigation_codefendant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.unit}"


class HearingState(models.TextChoices):
    SCHEDULED = "scheduled", _("Announced")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Hearing(BaseModel):
    """A hearing session of a case, announced in advance (开庭预告) and then held. The body's
    head and liaison are reminded before it (mechanism setting `hearing_reminder_days`)."""

    case = models.ForeignKey(
        AdminCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="hearings"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    place = models.CharField(_("courtroom"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=HearingState.choices, default=HearingState.SCHEDULED
    )
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=RecordSource.choices, default=RecordSource.MANUAL
    )

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["case", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "starts_at"], name="litigation_hearing_unique_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.starts_at:%Y-%m-%d %H:%M}"


class HeadRank(models.TextChoices):
    TOP = "top", _("Top official (正职)")
    DEPUTY = "deputy", _("Deputy (副职)")
    NONE = "none", _("Did not appear")


class Appearance(BaseModel):
    """The court's record of whether the defendant body's head appeared at a hearing (出庭应诉),
    at which rank, and whether the head spoke (出庭出声) — or the written reason for absence.
    The body confirms or disputes it; an unanswered record confirms itself after the
    mechanism's number of days (`auto_confirmed`). Figures count per heard case: a case
    counts as appeared when any of its records says so."""

    workflow = wf.APPEARANCE_WORKFLOW

    case = models.ForeignKey(
        AdminCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="appearances"
    )
    hearing = models.OneToOneField(
        Hearing,
        verbose_name=_("hearing"),
        on_delete=models.CASCADE,
        related_name="appearance",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("defendant body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rank = models.CharField(_("who appeared"), max_length=8, choices=HeadRank.choices)
    head_name = models.CharField(_("name of the head"), max_length=60, blank=True)
    head_post = models.CharField(_("post of the head"), max_length=60, blank=True)
    spoke = models.BooleanField(_("the head spoke in court (出庭出声)"), default=False)
    absence_reason = models.TextField(_("reason for absence"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=wf.APPEARANCE_WORKFLOW.choices(),
        default=wf.RECORDED,
        db_index=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_on = models.DateField(_("recorded on"))
    dispute_reason = models.TextField(_("why the body disputes it"), blank=True)
    court_answer = models.TextField(_("the court's answer"), blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)

    class Meta:
        verbose_name = _("head appearance record")
        verbose_name_plural = _("head appearance records")
        ordering = ["case", "hearing__starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_rank_display()}"

    @property
    def appeared(self) -> bool:
        return self.rank in (HeadRank.TOP, HeadRank.DEPUTY)

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.case.court_id, Role.COURT):
            found.add(wf.COURT)
        if scope.acts_for(self.unit_id, Role.LIAISON):
            found.add(wf.BODY)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True
        if action == "edit":  # the court corrects its record while the body has not confirmed
            return self.state in (wf.RECORDED, wf.DISPUTED) and wf.COURT in self.relations(scope)
        return False


class RecommendationKind(models.TextChoices):
    JUDICIAL = "judicial", _("Judicial recommendation (司法建议)")
    PROCURATORIAL = "procuratorial", _("Procuratorial recommendation (检察建议)")
    RECONSIDERATION = "reconsideration", _("Reconsideration opinion (行政复议意见书)")
    REVIEW_REPORT = "review_report", _("Court review report (审查报告)")


class RecommendationScope(models.TextChoices):
    SINGLE_CASE = "single_case", _("Single case (个案)")
    CASE_TYPE = "case_type", _("Type of case (类案)")
    GENERAL = "general", _("General (综合)")


class RecommendationQuerySet(models.QuerySet["Recommendation"]):
    def visible_to(self, user: Any) -> RecommendationQuerySet:
        """The issuing body (drafts included) and the recipient once delivered, through their
        staff and liaison officers; offices and leaders overseeing either side's
        jurisdiction once delivered (the office may also register and see drafts of the
        mechanism it works for)."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        delivered = ~Q(state=wf.DRAFT)
        q = scope.unit_q("issuer_id") | (scope.unit_q("recipient_id") & delivered)
        q |= delivered & (
            _oversight_q(scope, "recipient__jurisdiction__path")
            | _oversight_q(scope, "issuer__jurisdiction__path")
        )
        office = Q(pk__in=[])
        for p in scope.oversight.get(Role.OFFICE, ()):
            office |= Q(mechanism__jurisdiction__path__startswith=p)
        return self.filter(q | office)


class Recommendation(BaseModel):
    """A judicial recommendation (司法建议) — or, in the same flow, a procuratorial
    recommendation, a reconsideration opinion or a court review report — addressed to a unit:
    what the issuer's cases revealed, split into items. Each item becomes a rectification
    matter when delivery is recorded; the recipient replies by the deadline (mechanism setting
    `recommendation_reply_days`) with the adoption of each item; the issuer closes it out."""

    workflow = wf.RECOMMENDATION_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=RecommendationKind.choices, default="judicial"
    )
    scope = models.CharField(
        _("scope"),
        max_length=12,
        choices=RecommendationScope.choices,
        default=RecommendationScope.SINGLE_CASE,
    )
    issuer = models.ForeignKey(
        "org.Unit",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="recommendations_issued",
    )
    recipient = models.ForeignKey(
        "org.Unit",
        verbose_name=_("recipient unit"),
        on_delete=models.PROTECT,
        related_name="recommendations_received",
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    cases = models.ManyToManyField(
        AdminCase, verbose_name=_("related cases"), blank=True, related_name="recommendations"
    )
    case_numbers = models.TextField(
        _("related case numbers"),
        blank=True,
        help_text=_("Numbers of related cases not held here (civil, criminal …), one per line."),
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.RECOMMENDATION_WORKFLOW.choices(),
        default=wf.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True, db_index=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True, db_index=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_comment = models.TextField(_("close-out comment"), blank=True)
    last_urged_on = models.DateField(_("last urged on"), null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-delivered_on", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "state"]),
            models.Index(fields=["issuer", "state"]),
            models.Index(fields=["mechanism", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.issuer_id, Role.COURT, Role.LIAISON):
            found.add(wf.ISSUER)
        if self.state != wf.DRAFT and scope.acts_for(self.recipient_id, Role.LIAISON, Role.COURT):
            found.add(wf.RECIPIENT)
        if scope.oversees(self.mechanism.jurisdiction.path, Role.OFFICE):
            found.add(wf.OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True
        rel = self.relations(scope)
        if action == "edit":
            return self.state == wf.DRAFT and bool(rel & {wf.ISSUER, wf.OFFICE})
        if action == "attach":
            return self.state not in (wf.CLOSED, wf.WITHDRAWN) and bool(
                rel & {wf.ISSUER, wf.OFFICE, wf.RECIPIENT}
            )
        if action == "urge":
            return self.state == wf.DELIVERED and bool(rel & {wf.OFFICE, wf.ISSUER})
        return False


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class RecommendationItem(BaseModel):
    """One item of a recommendation; a rectification matter for the recipient from delivery
    on (source kind "litigation.recommendation_item"), and its adoption as the reply states
    it (adopted, partly, not — the last two with reasons)."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("item"))
    adoption = models.CharField(_("adoption"), max_length=12, choices=Adoption.choices, blank=True)
    adoption_reason = models.TextField(_("reason or measures taken"), blank=True)
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("rectification matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation_item",
    )

    class Meta:
        verbose_name = _("recommendation item")
        verbose_name_plural = _("recommendation items")
        ordering = ["recommendation", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation} · {self.order}"


class RecommendationFileKind(models.TextChoices):
    LETTER = "letter", _("Recommendation letter")
    REPLY = "reply", _("Reply letter")
    OTHER = "other", _("Other")


class RecommendationAttachment(StoredFile):
    """The recommendation letter as issued, the reply letter, or a supporting file."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommendation"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=RecommendationFileKind.choices, default="other"
    )
    file = models.FileField(_("file"), upload_to="litigation/recommendations/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["recommendation", "pk"]


class DisputeQuerySet(models.QuerySet["Dispute"]):
    def visible_to(self, user: Any) -> DisputeQuerySet:
        """The body concerned; the court of the linked case; offices and leaders overseeing
        the body's jurisdiction."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.unit_q("unit_id")
        court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
        if court_ids:
            q |= Q(case__court_id__in=court_ids)
        q |= _oversight_q(scope, "unit__jurisdiction__path")
        return self.filter(q)


class Dispute(BaseModel):
    """An administrative dispute referred for substantive resolution (行政争议实质性化解) —
    before a suit is filed or while a case runs — with the mediator, the coordination steps and
    the outcome: resolved and withdrawn, settled, or failed (the case continues in court)."""

    workflow = wf.DISPUTE_WORKFLOW
    personal_fields = ("applicant",)

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    title = models.CharField(_("dispute"), max_length=200)
    applicant = models.CharField(_("applicant"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("body concerned"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        AdminCase,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disputes",
        help_text=_("Empty when the dispute is referred before a suit is filed."),
    )
    referred_on = models.DateField(_("referred on"), db_index=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediator = models.CharField(_("mediator"), max_length=100, blank=True)
    summary = models.TextField(_("summary of the dispute"))
    state = models.CharField(
        _("state"),
        max_length=14,
        choices=wf.DISPUTE_WORKFLOW.choices(),
        default=wf.REFERRED,
        db_index=True,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute referral")
        verbose_name_plural = _("dispute referrals")
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.unit_id, Role.LIAISON):
            found.add(wf.BODY)
        if scope.oversees(self.unit.jurisdiction.path, Role.OFFICE):
            found.add(wf.COORDINATOR)
        if self.case_id and scope.acts_for(self.case.court_id, Role.COURT):
            found.add(wf.COURT)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True
        if action == "add_step":
            return self.state not in wf.DISPUTE_FINAL and bool(
                self.relations(scope) & {wf.COORDINATOR, wf.BODY, wf.COURT}
            )
        return False


class DisputeStepKind(models.TextChoices):
    TALK = "talk", _("Talk with the parties")
    MEDIATION = "mediation", _("Mediation session")
    MEETING = "meeting", _("Coordination meeting")
    SITE_VISIT = "site_visit", _("Site visit")
    OTHER = "other", _("Other")


class DisputeStep(BaseModel):
    """A dated step in coordinating a dispute."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="steps"
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=DisputeStepKind.choices)
    note = models.TextField(_("what happened"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("coordination step")
        verbose_name_plural = _("coordination steps")
        ordering = ["dispute", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.dispute} · {self.on}"


class RiskLevel(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")


class LossRiskWarning(BaseModel):
    """A body flagged for loss risk in a year (败诉风险预警): its loss rate or its new cases
    passed the mechanism's thresholds. Raising one opens a rectification matter for the body
    (source kind "litigation.loss_risk"); a later run may raise the level, never lower it."""

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="loss_risk_warnings",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    reasons = models.TextField(_("why"))
    loss_rate = models.DecimalField(
        _("loss rate (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    new_cases = models.PositiveIntegerField(_("new cases"), default=0)
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("rectification matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loss_risk_warning",
    )

    class Meta:
        verbose_name = _("loss-risk warning")
        verbose_name_plural = _("loss-risk warnings")
        ordering = ["-year", "level", "unit__order_no"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="litigation_loss_risk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year} · {self.get_level_display()}"


class AnnualReport(BaseModel):
    """The court's text for the annual administrative-case report (行政案件年度报告) of a
    mechanism's jurisdiction: typical problems found in the year's cases and its
    recommendations. The figures, tables and charts are computed when the report is
    generated; only this text is written by hand."""

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="litigation_reports",
    )
    year = models.PositiveIntegerField(_("year"))
    court = models.ForeignKey(
        "org.Unit",
        verbose_name=_("court"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    problems = models.TextField(_("typical problems found"), blank=True)
    suggestions = models.TextField(_("the court's recommendations"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last written by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("annual administrative-case report")
        verbose_name_plural = _("annual administrative-case reports")
        ordering = ["mechanism", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "year"], name="litigation_annual_report_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mechanism} · {self.year}"
