"""Major risks (重大风险化解, notice task area 6; DOMAIN.md §4): risk events — financial risk,
stalled housing projects, others — with their level, lead unit, units involved, coordination
matters and state; and the stalled-housing ledger (问题楼盘) with the real-estate financing
white list (房地产融资协调机制白名单).

Visibility: an event is seen by the offices and leaders overseeing its joint meeting's
jurisdiction, by the lead unit and the units involved (their liaison officers, court staff of
an involved court). A stalled project is seen by the offices and leaders overseeing its
jurisdiction and by the responsible unit's liaison officers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


def _oversight_q(scope: Any, path_field: str) -> Q:
    from fuyuan.accounts.models import Role

    q = Q(pk__in=[])
    for role in (Role.OFFICE, Role.LEADER):
        for p in scope.oversight.get(role, ()):
            q |= Q(**{f"{path_field}__startswith": p})
    return q


class RiskKind(models.TextChoices):
    FINANCIAL = "financial", _("Financial risk")
    STALLED_HOUSING = "stalled_housing", _("Stalled housing project")
    OTHER = "other", _("Other risk")


class RiskLevel(models.TextChoices):
    """重大 / 较大 / 一般, the usual grading of a risk event."""

    MAJOR = "major", _("Major (重大)")
    LARGE = "large", _("Large (较大)")
    GENERAL = "general", _("General (一般)")


class ProjectStatus(models.TextChoices):
    STOPPED = "stopped", _("Stopped")
    RESTARTED = "restarted", _("Restarted")
    DELIVERED = "delivered", _("Delivered")


class StalledProjectQuerySet(models.QuerySet["StalledProject"]):
    def visible_to(self, user: Any) -> StalledProjectQuerySet:
        """Offices and leaders overseeing the project's jurisdiction; the responsible unit."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = _oversight_q(scope, "jurisdiction__path") | scope.unit_q("responsible_unit_id")
        return self.filter(q)


class StalledProject(BaseModel):
    """A stalled housing project (问题楼盘) of a jurisdiction: the developer (name and unified
    social credit code), where it is, how many households bought into it and how many have
    received their homes, its status (stopped, restarted, delivered) with the dates, whether it
    is on the real-estate financing white list, and the unit responsible for 保交楼."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("project"), max_length=200)
    developer = models.CharField(_("developer"), max_length=200)
    developer_credit_code = models.CharField(
        _("developer's credit code"), max_length=18, blank=True, db_index=True
    )
    credit_code_override = models.CharField(
        _("reason for accepting the credit code"), max_length=200, blank=True
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    households_affected = models.PositiveIntegerField(_("households affected"))
    households_delivered = models.PositiveIntegerField(_("households delivered"), default=0)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProjectStatus.choices,
        default=ProjectStatus.STOPPED,
        db_index=True,
    )
    stopped_on = models.DateField(_("stopped on"))
    restarted_on = models.DateField(_("restarted on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    white_list = models.BooleanField(
        _("on the financing white list (房地产融资协调机制白名单)"), default=False
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = StalledProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("stalled housing project")
        verbose_name_plural = _("stalled housing projects")
        ordering = ["jurisdiction__path", "name", "pk"]
        indexes = [models.Index(fields=["jurisdiction", "status"])]

    def __str__(self) -> str:
        return self.name

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        path = self.jurisdiction.path
        if scope.oversees(path, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.oversees(path, Role.LEADER):
            found.add(wf.LEADER)
        if scope.acts_for(self.responsible_unit_id, Role.LIAISON):
            found.add(wf.LEAD_UNIT)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        """edit: the office and the responsible unit keep the ledger row up to date;
        override_credit_code: only the office accepts a code failing its check."""
        if action == "view":
            return True
        rel = self.relations(scope)
        if action == "edit":
            return bool(rel & {wf.OFFICE, wf.LEAD_UNIT})
        if action == "override_credit_code":
            return wf.OFFICE in rel
        return False


class RiskEventQuerySet(models.QuerySet["RiskEvent"]):
    def visible_to(self, user: Any) -> RiskEventQuerySet:
        """Offices and leaders overseeing the joint meeting's jurisdiction; the lead unit and
        the units involved (liaison officers; court staff of an involved court)."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q: Any = _oversight_q(scope, "mechanism__jurisdiction__path")
        unit_ids = sorted(scope.unit_ids)
        if unit_ids:
            q |= Q(lead_unit_id__in=unit_ids)
            q |= Exists(
                RiskEvent.units_involved.through.objects.filter(
                    riskevent_id=OuterRef("pk"), unit_id__in=unit_ids
                )
            )
        return self.filter(q)


class RiskEvent(BaseModel):
    """A major-risk event the joint meeting coordinates: an illegal fund-raising case, a
    lending platform's collapse, a bank's liquidity, a stalled housing project, a mass
    incident … with its level (重大/较大/一般), the lead unit and the units involved, dated
    progress notes, the coordination matters opened for it (one per task, each a supervised
    matter), and its state (reported → being handled → resolved, or closed)."""

    workflow = wf.EVENT_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="risk_events",
    )
    title = models.CharField(_("risk event"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=RiskKind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices, db_index=True)
    description = models.TextField(_("description"))
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    units_involved = models.ManyToManyField(
        "org.Unit", verbose_name=_("units involved"), related_name="+", blank=True
    )
    project = models.ForeignKey(
        StalledProject,
        verbose_name=_("stalled project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    reported_on = models.DateField(_("reported on"), db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=wf.EVENT_WORKFLOW.choices(),
        default=wf.REPORTED,
        db_index=True,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = RiskEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["mechanism", "state"])]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        path = self.mechanism.jurisdiction.path
        if scope.oversees(path, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.oversees(path, Role.LEADER):
            found.add(wf.LEADER)
        if scope.acts_for(self.lead_unit_id, Role.LIAISON):
            found.add(wf.LEAD_UNIT)
        involved = [u.pk for u in self.units_involved.all()]
        if any(scope.acts_for(u, Role.LIAISON) for u in involved):
            found.add(wf.INVOLVED)
        if any(scope.acts_for(u, Role.COURT) for u in involved):
            found.add(wf.COURT)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        """edit / open_matter: the office; add_note: the office, the lead unit, the units
        involved and an involved court, while the event is open."""
        if action == "view":
            return True
        rel = self.relations(scope)
        if action in ("edit", "open_matter"):
            return wf.OFFICE in rel and self.state not in wf.FINAL
        if action == "add_note":
            return self.state not in wf.FINAL and bool(
                rel & {wf.OFFICE, wf.LEAD_UNIT, wf.INVOLVED, wf.COURT}
            )
        return False


class EntryKind(models.TextChoices):
    NOTE = "note", _("Progress note")
    TRANSITION = "transition", _("State change")


class RiskEventEntry(BaseModel):
    """A dated line of an event's history: a progress note by the office or a unit, or a state
    change with its comment."""

    event = models.ForeignKey(
        RiskEvent, verbose_name=_("risk event"), on_delete=models.CASCADE, related_name="entries"
    )
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    transition = models.CharField(_("transition"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("risk event entry")
        verbose_name_plural = _("risk event entries")
        ordering = ["event", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.event} · {self.on}"


class RiskMatter(models.Model):
    """A coordination matter opened for a risk event (source kind "risks.event"): the task
    given to a unit — asset disposal, fund recovery, restarting construction — supervised by
    the matter engine like any other."""

    event = models.ForeignKey(
        RiskEvent, verbose_name=_("risk event"), on_delete=models.CASCADE, related_name="matters"
    )
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("coordination matter"),
        on_delete=models.CASCADE,
        related_name="risk_link",
    )

    class Meta:
        verbose_name = _("coordination matter of a risk event")
        verbose_name_plural = _("coordination matters of risk events")

    def __str__(self) -> str:
        return f"{self.event} · {self.matter_id}"
