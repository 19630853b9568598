"""The annual dual lists (双清单, DOMAIN.md §2): the office's call for proposals, the items
units propose (claimed or objected to by the named lead unit, arbitrated, returned, merged,
accepted), and the versions of the lists settled as a draft and approved by the joint
meeting. Each approved item becomes a matter; the requesting side rates its result."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


def _unit_jurisdictions(scope: Any) -> Any:
    from fuyuan.org.models import Unit

    return Unit.objects.filter(pk__in=sorted(scope.unit_ids)).values("jurisdiction_id")


class ListCallQuerySet(models.QuerySet["ListCall"]):
    def visible_to(self, user: Any) -> ListCallQuerySet:
        """Office staff and leaders see the calls of the jurisdictions they oversee; liaison
        officers and court staff see the calls of their units' jurisdictions."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q("mechanism__jurisdiction_id", "mechanism__jurisdiction__path")
        if scope.unit_ids:
            q |= Q(mechanism__jurisdiction_id__in=_unit_jurisdictions(scope))
        return self.filter(q)


class ListCall(BaseModel):
    """The office's annual call for dual-list proposals (征集): a mechanism, a year and a
    deadline; it moves from open to closed, a settled draft, and the joint meeting's
    approval."""

    workflow = wf.CALL_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="list_calls",
    )
    year = models.PositiveIntegerField(_("year"))
    proposal_deadline = models.DateField(_("deadline for proposals"))
    state = models.CharField(
        _("state"), max_length=12, choices=wf.CALL_WORKFLOW.choices(), default=wf.CALL_OPEN
    )
    note = models.TextField(_("note"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    objects = ListCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("dual-list call")
        verbose_name_plural = _("dual-list calls")
        ordering = ["-year", "mechanism__jurisdiction__path"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "year"], name="duallists_call_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.mechanism.name} · {self.year}"

    @property
    def state_obj(self) -> Any:
        return wf.CALL_WORKFLOW.state(self.state)

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        jurisdiction_id = self.mechanism.jurisdiction_id
        if scope.assigned_to(jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.assigned_to(jurisdiction_id, Role.LEADER):
            found.add(wf.LEADER)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        from django.utils import timezone

        from fuyuan.accounts.models import Role

        relations = self.relations(scope)
        if action == "view":
            return True  # fetched through visible_to(): being here means visible
        if action == "propose":
            if wf.OFFICE in relations:
                return self.state in (wf.CALL_OPEN, wf.CALL_CLOSED)
            return (
                self.state == wf.CALL_OPEN
                and timezone.localdate() <= self.proposal_deadline
                and bool(scope.units.get(Role.LIAISON) or scope.units.get(Role.COURT))
            )
        if action in {"urge", "carry_over", "register_matters"}:
            return wf.OFFICE in relations
        if action == "export":
            return bool(relations) and self.state == wf.CALL_APPROVED
        if action == "see_all":
            return scope.oversees(self.mechanism.jurisdiction.path)
        return False


class ListItemQuerySet(models.QuerySet["ListItem"]):
    def visible_to(self, user: Any) -> ListItemQuerySet:
        """Office staff and leaders see every item of the calls they oversee; a unit sees the
        items it proposed and those naming it as (proposed) lead or co-unit."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q(
            "call__mechanism__jurisdiction_id", "call__mechanism__jurisdiction__path"
        )
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            co = ListItem.co_units.through.objects.filter(
                listitem_id=OuterRef("pk"), unit_id__in=ids
            )
            q |= Q(proposing_unit_id__in=ids) | Q(lead_unit_id__in=ids) | Q(Exists(co))
        return self.filter(q)


class ListItem(BaseModel):
    """A proposed item of a dual list (清单事项): what is asked, a measurable target, the
    proposed lead and co-units, a deadline and a task area. The named lead unit claims or
    objects; the office arbitrates, returns, merges or accepts it; once approved it becomes a
    matter, and the requesting side (the list kind's requester) rates the result."""

    workflow = wf.ITEM_WORKFLOW

    call = models.ForeignKey(
        ListCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="items"
    )
    list_kind = models.ForeignKey(
        "org.ListKind", verbose_name=_("list"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    measurable_target = models.TextField(
        _("measurable target"),
        help_text=_("Quantifiable, executable and assessable (可量化、可执行、可评估)."),
    )
    proposing_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("proposing unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("proposed lead unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("proposed co-units"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    task_area = models.ForeignKey(
        "org.TaskArea",
        verbose_name=_("task area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.ITEM_WORKFLOW.choices(),
        default=wf.SUBMITTED,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    objection_reason = models.TextField(_("objection"), blank=True)
    arbitration_comment = models.TextField(_("arbitration"), blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_items",
    )
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
    )
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dual_list_item",
    )
    # The requesting side's rating of the result. Kept here, not in matters.Evaluation: the
    # matter engine lets only the office rate, while the dual lists are rated by the side that
    # asked (the court rates 法院需政府支持 items).
    rating_timeliness = models.PositiveSmallIntegerField(_("timeliness"), null=True, blank=True)
    rating_quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True)
    rating_effect = models.PositiveSmallIntegerField(_("effect"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    objects = ListItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("dual-list item")
        verbose_name_plural = _("dual-list items")
        ordering = ["call", "list_kind__order", "lead_unit__order_no", "pk"]
        indexes = [models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def state_obj(self) -> Any:
        return wf.ITEM_WORKFLOW.state(self.state)

    @property
    def is_rated(self) -> bool:
        return self.rated_at is not None

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found = self.call.relations(scope)
        if scope.acts_for(self.lead_unit_id, Role.LIAISON, Role.COURT):
            found.add(wf.LEAD_UNIT)
        if scope.acts_for(self.proposing_unit_id, Role.LIAISON, Role.COURT):
            found.add(wf.PROPOSER)
        return found

    def is_requester(self, scope: Any) -> bool:
        """Acts for the proposing unit, on the list kind's requesting side."""
        from fuyuan.accounts.models import Role

        if not scope.acts_for(self.proposing_unit_id, Role.LIAISON, Role.COURT):
            return False
        return side_matches(self.proposing_unit, self.list_kind.requester_side)

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.matters import workflow as matter_wf

        relations = self.relations(scope)
        if action == "view":
            return True  # fetched through visible_to(): being here means visible
        if action == "revise":
            return (
                wf.OFFICE in relations
                and self.state in wf.LIVE_STATES
                and self.call.state != wf.CALL_APPROVED
            )
        if action == "rate":
            return (
                self.is_requester(scope)
                and self.matter is not None
                and self.matter.state in matter_wf.DONE_STATES
                and not self.is_rated
            )
        return False


def unit_side(unit: Any) -> str:
    """The side of the linkage a unit stands on: the courts, or the government."""
    from fuyuan.org.models import ListSide, UnitKind

    return ListSide.COURT if unit.kind == UnitKind.COURT else ListSide.GOVERNMENT


def side_matches(unit: Any, side: str) -> bool:
    from fuyuan.org.models import ListSide

    return side == ListSide.ANY or unit_side(unit) == side


class VersionKind(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ListVersion(BaseModel):
    """A kept version of a call's lists: the draft settled at a coordination meeting or the
    list approved by the joint meeting, as a snapshot of its items (title, lead, co-units,
    deadline, target), so the difference between draft and approved stays visible."""

    call = models.ForeignKey(
        ListCall, verbose_name=_("call"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    kind = models.CharField(_("kind"), max_length=10, choices=VersionKind.choices)
    meeting_ref = models.CharField(_("meeting"), max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField(_("items"), default=list)

    class Meta:
        verbose_name = _("dual-list version")
        verbose_name_plural = _("dual-list versions")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="duallists_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.call} · v{self.number} ({self.get_kind_display()})"
