"""Material collection (材料报送): the office calls for half-year and annual summaries, typical
cases, good practices and information briefs from member units and counties; each target
writes a submission that passes its own approval before the office sees it; the office
accepts or returns it, urges the late and compiles the accepted ones into one document."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


class CollectionKind(models.TextChoices):
    HALF_YEAR_SUMMARY = "half_year_summary", _("Half-year summary")
    ANNUAL_SUMMARY = "annual_summary", _("Annual summary")
    TYPICAL_CASE = "typical_case", _("Typical cases")
    GOOD_PRACTICE = "good_practice", _("Good practices")
    INFORMATION_BRIEF = "information_brief", _("Information brief")
    OTHER = "other", _("Other material")


class CollectionQuerySet(models.QuerySet["Collection"]):
    def visible_to(self, user: Any) -> CollectionQuerySet:
        """Office staff and leaders of the mechanism's jurisdiction (or above) see its
        collections; a target — the unit's liaison or court staff, the county's office or
        leaders — sees a collection once it is open."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q("mechanism__jurisdiction_id", "mechanism__jurisdiction__path")
        target_q = Q(pk__in=[])
        if scope.unit_ids:
            target_q |= Q(targets__unit_id__in=sorted(scope.unit_ids))
        counties = county_ids(scope)
        if counties:
            target_q |= Q(targets__jurisdiction_id__in=sorted(counties))
        q |= Q(pk__in=Collection.objects.filter(target_q).exclude(state=wf.C_DRAFT).values("pk"))
        return self.filter(q)


def county_ids(scope: Any) -> set[int]:
    """Jurisdictions for which the user writes or approves a county's submission."""
    from fuyuan.accounts.models import Role

    return set(scope.assigned_jurisdictions.get(Role.OFFICE, ())) | set(
        scope.assigned_jurisdictions.get(Role.LEADER, ())
    )


class Collection(BaseModel):
    """A call for material (材料征集) issued by a mechanism's office: what to write, a template
    file, a deadline and the units or counties that must submit."""

    workflow = wf.COLLECTION_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="collections",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CollectionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    template = models.FileField(_("template file"), upload_to="reporting/templates/%Y/", blank=True)
    template_name = models.CharField(_("template file name"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.COLLECTION_WORKFLOW.choices(),
        default=wf.C_DRAFT,
        db_index=True,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    compiled_file = models.FileField(
        _("compiled document"), upload_to="reporting/compiled/%Y/", blank=True
    )
    compiled_at = models.DateTimeField(_("compiled at"), null=True, blank=True)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["-deadline", "-pk"]
        indexes = [models.Index(fields=["mechanism", "state", "deadline"])]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            return {wf.OFFICE}
        return set()

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        if action == "view":
            return True  # callers fetch through visible_to(); being here means visible
        if action in {"urge", "review"}:
            return wf.OFFICE in self.relations(scope) and self.state != wf.C_DRAFT
        if action == "download_compiled":
            return bool(self.compiled_file) and scope.oversees(
                self.mechanism.jurisdiction.path, Role.OFFICE, Role.LEADER
            )
        if action == "see_delivered":
            return scope.oversees(self.mechanism.jurisdiction.path, Role.OFFICE, Role.LEADER)
        return False

    @property
    def state_obj(self) -> Any:
        return wf.COLLECTION_WORKFLOW.state(self.state)

    @property
    def accepts_submissions(self) -> bool:
        return self.state == wf.C_OPEN


class CollectionTarget(BaseModel):
    """Who must submit to a collection: a member unit (its liaison officer writes) or a county
    (its office writes, and the county approves before the city sees it)."""

    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)

    class Meta:
        verbose_name = _("collection target")
        verbose_name_plural = _("collection targets")
        ordering = ["collection", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(jurisdiction__isnull=True))
                | (Q(unit__isnull=True) & Q(jurisdiction__isnull=False)),
                name="reporting_target_unit_xor_county",
            ),
            models.UniqueConstraint(
                fields=["collection", "unit"],
                condition=Q(unit__isnull=False),
                name="reporting_target_unit_unique",
            ),
            models.UniqueConstraint(
                fields=["collection", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False),
                name="reporting_target_county_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.unit_id:
            return str(self.unit.name)  # type: ignore[union-attr]
        return str(self.jurisdiction.name)  # type: ignore[union-attr]

    @property
    def is_county(self) -> bool:
        return self.jurisdiction_id is not None

    def official_order(self) -> tuple[int, int, str, int]:
        """Units in their official order (排序号), then counties in jurisdiction order."""
        if self.unit_id:
            return (0, self.unit.order_no, "", self.unit_id)  # type: ignore[union-attr]
        j = self.jurisdiction
        return (1, j.order, j.path, j.pk)  # type: ignore[union-attr]

    def relations(self, scope: Any) -> set[str]:
        """The roles towards this target's (future) submission, before one exists."""
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if self.unit_id is not None and scope.acts_for(self.unit_id, Role.LIAISON, Role.COURT):
            found.add(wf.AUTHOR)
        if self.jurisdiction_id is not None:
            if scope.assigned_to(self.jurisdiction_id, Role.OFFICE):
                found |= {wf.AUTHOR, wf.APPROVER}
            if scope.assigned_to(self.jurisdiction_id, Role.LEADER):
                found.add(wf.APPROVER)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "write":
            return wf.AUTHOR in self.relations(scope) and self.collection.accepts_submissions
        return False


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def visible_to(self, user: Any) -> SubmissionQuerySet:
        """The collection's office and leaders (and those above) see a submission once it has
        been delivered; the target unit's liaison / court staff, its named leader in charge and
        the county's office and leaders see it in every state."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = Q(first_delivered_at__isnull=False) & scope.oversight_q(
            "collection__mechanism__jurisdiction_id",
            "collection__mechanism__jurisdiction__path",
        )
        q |= scope.unit_q("target__unit_id")
        counties = county_ids(scope)
        if counties:
            q |= Q(target__jurisdiction_id__in=sorted(counties))
        if scope.user_id is not None:
            q |= Q(unit_leader_id=scope.user_id)
        return self.filter(q)


class Submission(BaseModel):
    """A target's material for a collection: text and an attachment, written by the unit or
    county, approved inside it where required, delivered to the office, then accepted or
    returned with a comment and delivered again."""

    workflow = wf.SUBMISSION_WORKFLOW

    collection = models.ForeignKey(
        Collection,
        verbose_name=_("collection"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    target = models.OneToOneField(
        CollectionTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="submission",
    )
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to="reporting/submissions/%Y/%m/", blank=True
    )
    attachment_name = models.CharField(_("attachment file name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("attachment content type"), max_length=120, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader in charge who approves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=wf.SUBMISSION_WORKFLOW.choices(),
        default=wf.DRAFT,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted for approval at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The first delivery decides lateness; a returned and redelivered text keeps it.
    first_delivered_at = models.DateTimeField(_("first delivered at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["collection", "pk"]
        indexes = [models.Index(fields=["collection", "state"])]

    def __str__(self) -> str:
        return f"{self.collection} · {self.target}"

    def enabled_steps(self) -> list[str]:
        if self.target.is_county:
            return [wf.INTERNAL_APPROVAL]
        steps = self.collection.mechanism.config.enabled_steps
        return [wf.INTERNAL_APPROVAL] if "leader_check" in steps else []

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found = self.target.relations(scope)
        if scope.user_id is not None and self.unit_leader_id == scope.user_id:
            found.add(wf.APPROVER)
        if scope.assigned_to(self.collection.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # fetched through visible_to()
        if action == "edit":
            return (
                wf.AUTHOR in self.relations(scope)
                and self.state in wf.EDITABLE_STATES
                and self.collection.accepts_submissions
            )
        return False

    @property
    def state_obj(self) -> Any:
        return wf.SUBMISSION_WORKFLOW.state(self.state)

    @property
    def is_late(self) -> bool:
        """Delivered (the first time) after the collection's deadline."""
        if self.first_delivered_at is None:
            return False
        return timezone.localdate(self.first_delivered_at) > self.collection.deadline


class SubmissionEvent(BaseModel):
    """A step in a submission's history (submitted, approved, delivered, returned …), kept
    with its comment so a returned text shows why it came back."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> Any:
        if self.action == "create":
            return _("Written")
        if self.action == "edit":
            return _("Revised")
        from fuyuan.core.workflow import TransitionError

        try:
            return wf.SUBMISSION_WORKFLOW.transition(self.action).label
        except TransitionError:
            return self.action
