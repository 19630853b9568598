"""The mechanism's organisation: jurisdictions (a tree), units (with history), the joint
meeting of each jurisdiction with its office, seats held by posts, task areas, list kinds and
the proposals by which units join or leave."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from .workflow import MEMBERSHIP_CHANGE


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    COUNTY = "county", _("County")
    ZONE = "zone", _("Functional zone")


class JurisdictionQuerySet(models.QuerySet["Jurisdiction"]):
    def visible_to(self, user: Any) -> JurisdictionQuerySet:
        from fuyuan.accounts.permissions import scope_for

        return self.filter(scope_for(user).jurisdiction_q("pk", "path"))

    def subtree(self, root: Jurisdiction) -> JurisdictionQuerySet:
        return self.filter(path__startswith=root.path)


class Jurisdiction(BaseModel):
    """An administrative area running (or able to run) the linkage mechanism: the city, its
    district and counties, and the functional zones. A tree kept as a materialised path so
    "this city and all below" is one indexed prefix filter."""

    name = models.CharField(_("name"), max_length=50)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    # GB/T 2260 division code; zones have none (only statistical codes, kept in stat_code).
    code = models.CharField(_("division code"), max_length=6, blank=True)
    stat_code = models.CharField(_("statistical code"), max_length=12, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    runs_own_mechanism = models.BooleanField(_("runs its own mechanism"), default=True)

    objects = JurisdictionQuerySet.as_manager()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="org_jurisdiction_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def build_path(parent: Jurisdiction | None, pk: int) -> str:
        """Materialised path: zero-padded ids, so the text order is the tree order."""
        return f"{parent.path if parent else '/'}{pk:06d}/"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_paths(self) -> list[str]:
        parts = [p for p in self.path.split("/") if p]
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]

    def is_within(self, other: Jurisdiction) -> bool:
        return self.path.startswith(other.path)


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("People's government")
    DEPARTMENT = "department", _("Government department")
    COURT = "court", _("Court")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    PUBLIC_SECURITY = "public_security", _("Public security")
    FINANCIAL_REGULATOR = "financial_regulator", _("Financial regulator")
    VERTICAL = "vertical", _("Vertical agency")
    ZONE_COMMITTEE = "zone_committee", _("Zone management committee")
    OTHER = "other", _("Other")


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Any) -> UnitQuerySet:
        from fuyuan.accounts.permissions import scope_for

        return self.filter(scope_for(user).jurisdiction_q("jurisdiction_id", "jurisdiction__path"))

    def current(self, on: Any = None) -> UnitQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def courts(self) -> UnitQuerySet:
        return self.filter(kind=UnitKind.COURT)


class Unit(BaseModel):
    """A body: government department, court, regulator, vertical agency. Bodies are
    reorganised: a unit has validity dates and a successor that takes over its open work."""

    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="units"
    )
    # Official order (排序号): every list of units follows it, never pinyin.
    order_no = models.PositiveIntegerField(_("official order number"), default=999)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    credit_code_override = models.CharField(
        _("reason for accepting a failed check character"), max_length=200, blank=True
    )
    court_code = models.CharField(_("court code"), max_length=10, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to (last day)"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    address = models.CharField(_("address"), max_length=120, blank=True)
    phone = models.CharField(_("switchboard phone"), max_length=30, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["jurisdiction__path", "order_no", "pk"]
        indexes = [models.Index(fields=["jurisdiction", "order_no"])]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="org_unit_name_unique_in_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        day = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        if action == "view":
            return bool(scope.sees_reference(self.jurisdiction))
        if action == "change":
            return Role.SYSTEM_ADMIN in scope.roles or scope.oversees(
                self.jurisdiction.path, Role.OFFICE
            )
        if action == "change_contacts":
            return scope.oversees(self.jurisdiction.path, Role.OFFICE) or (
                self.is_current and scope.acts_for(self.pk, Role.LIAISON, Role.COURT)
            )
        return False

    def predecessor_chain(self) -> list[Unit]:
        """Every unit this one took over from, nearest first (one query per generation)."""
        found: list[Unit] = []
        frontier = [self.pk]
        while frontier:
            batch = list(Unit.objects.filter(successor_id__in=frontier).order_by("order_no"))
            found.extend(batch)
            frontier = [u.pk for u in batch]
        return found

    def current_successor(self) -> Unit:
        unit = self
        seen = {unit.pk}
        while unit.successor_id and unit.successor_id not in seen:
            unit = unit.successor  # type: ignore[assignment]
            seen.add(unit.pk)
        return unit


def default_mechanism_settings() -> dict[str, Any]:
    from .settings_schema import MechanismSettings

    return MechanismSettings().to_json()


class MechanismQuerySet(models.QuerySet["Mechanism"]):
    def visible_to(self, user: Any) -> MechanismQuerySet:
        from fuyuan.accounts.permissions import scope_for

        return self.filter(scope_for(user).jurisdiction_q("jurisdiction_id", "jurisdiction__path"))

    def covering(self, jurisdiction: Jurisdiction) -> Mechanism | None:
        """The joint meeting of the jurisdiction, else the nearest one above it (a zone
        without its own mechanism works with its city's). One query."""
        paths = jurisdiction.ancestor_paths()
        found = {
            m.jurisdiction.path: m
            for m in self.filter(jurisdiction__path__in=paths).select_related(
                "jurisdiction", "office_unit"
            )
        }
        for path in reversed(paths):
            if path in found:
                return found[path]
        return None


class Mechanism(BaseModel):
    """The joint meeting (联席会议) of a jurisdiction, with its office and its settings."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="mechanism",
    )
    name = models.CharField(_("name"), max_length=80)
    office_unit = models.ForeignKey(
        Unit, verbose_name=_("office unit"), on_delete=models.PROTECT, related_name="+"
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    founding_document_no = models.CharField(
        _("founding document number"), max_length=40, blank=True
    )
    founding_document_title = models.CharField(
        _("founding document title"), max_length=120, blank=True
    )
    settings = models.JSONField(_("settings"), default=default_mechanism_settings)

    objects = MechanismQuerySet.as_manager()

    class Meta:
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return self.name

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        if action == "view":
            return bool(scope.sees_reference(self.jurisdiction))
        if action == "change_settings":
            return scope.assigned_to(self.jurisdiction_id, Role.OFFICE)
        if action == "propose_membership_change":
            return scope.assigned_to(self.jurisdiction_id, Role.OFFICE) or (
                Role.LIAISON in scope.units and scope.sees_reference(self.jurisdiction)
            )
        return False

    @property
    def config(self) -> Any:
        from .settings_schema import MechanismSettings

        return MechanismSettings.from_json(self.settings)


class MechanismItem(BaseModel):
    """A configurable entry of a mechanism's settings: a code the software knows, the name the
    city uses, its place in lists, and whether it is in use."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["mechanism", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class TaskArea(MechanismItem):
    """One of the mechanism's main task areas (the notice names six)."""

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.CASCADE, related_name="task_areas"
    )

    class Meta(MechanismItem.Meta):
        verbose_name = _("task area")
        verbose_name_plural = _("task areas")
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="org_taskarea_code_unique")
        ]


class ListSide(models.TextChoices):
    COURT = "court", _("Court")
    GOVERNMENT = "government", _("Government")
    ANY = "any", _("Any")


class ListKind(MechanismItem):
    """A kind of the annual dual lists; data, because cities use different pairs."""

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.CASCADE, related_name="list_kinds"
    )
    requester_side = models.CharField(
        _("requesting side"), max_length=12, choices=ListSide.choices, default=ListSide.ANY
    )
    provider_side = models.CharField(
        _("providing side"), max_length=12, choices=ListSide.choices, default=ListSide.ANY
    )

    class Meta(MechanismItem.Meta):
        verbose_name = _("list kind")
        verbose_name_plural = _("list kinds")
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="org_listkind_code_unique")
        ]


class SeatRole(models.TextChoices):
    CONVENER = "convener", _("Convener")
    EXECUTIVE_DEPUTY_CONVENER = "executive_deputy_convener", _("Executive deputy convener")
    DEPUTY_CONVENER = "deputy_convener", _("Deputy convener")
    MEMBER = "member", _("Member")


SEAT_ROLE_ORDER = {
    SeatRole.CONVENER: 0,
    SeatRole.EXECUTIVE_DEPUTY_CONVENER: 1,
    SeatRole.DEPUTY_CONVENER: 2,
    SeatRole.MEMBER: 3,
}


class SeatQuerySet(models.QuerySet["Seat"]):
    def current(self, on: Any = None) -> SeatQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def visible_to(self, user: Any) -> SeatQuerySet:
        from fuyuan.accounts.permissions import scope_for

        return self.filter(
            scope_for(user).jurisdiction_q(
                "mechanism__jurisdiction_id", "mechanism__jurisdiction__path"
            )
        )


class Seat(BaseModel):
    """A seat of the joint meeting, held by a post of a unit. Members are posts, not people:
    the holder of the post changes without approval; a unit joining or leaving needs the
    convener (MembershipChange)."""

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.CASCADE, related_name="seats"
    )
    role = models.CharField(_("seat"), max_length=30, choices=SeatRole.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="seats"
    )
    post = models.ForeignKey(
        "accounts.Post", verbose_name=_("post"), on_delete=models.PROTECT, related_name="seats"
    )
    liaison_post = models.ForeignKey(
        "accounts.Post",
        verbose_name=_("liaison officer post"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_seats",
    )
    order = models.PositiveIntegerField(_("order among seats of the same kind"), default=0)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["mechanism", "order", "unit__order_no", "pk"]
        indexes = [models.Index(fields=["mechanism", "role"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.post}"


class MembershipChangeKind(models.TextChoices):
    JOIN = "join", _("Join")
    LEAVE = "leave", _("Leave")
    # The office provisions a liaison officer's account for a member unit; the security
    # administrator confirms the role (三权分立), which switches the account on.
    LIAISON = "liaison", _("Liaison officer's account")


class MembershipChangeQuerySet(models.QuerySet["MembershipChange"]):
    def visible_to(self, user: Any) -> MembershipChangeQuerySet:
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q(
            "mechanism__jurisdiction_id", "mechanism__jurisdiction__path"
        ) | scope.unit_q("unit_id")
        if Role.SECURITY_ADMIN in scope.roles:
            # The security administrator confirms liaison accounts, and sees nothing else.
            q |= models.Q(kind=MembershipChangeKind.LIAISON)
        return self.filter(q)


class MembershipChange(BaseModel):
    """A proposal that a unit join or leave the joint meeting: proposed by the unit or the
    office with a reason, approved or rejected by the convener's side with a comment."""

    workflow = MEMBERSHIP_CHANGE

    mechanism = models.ForeignKey(
        Mechanism,
        verbose_name=_("mechanism"),
        on_delete=models.CASCADE,
        related_name="membership_changes",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="membership_changes"
    )
    kind = models.CharField(_("change"), max_length=10, choices=MembershipChangeKind.choices)
    reason = models.TextField(_("reason"))
    representative_title = models.CharField(
        _("representative post"), max_length=60, blank=True, help_text=_("For a unit joining.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MEMBERSHIP_CHANGE.choices(), default="proposed"
    )
    proposed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    account = models.ForeignKey(
        "accounts.User",
        verbose_name=_("liaison officer's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a liaison officer's account: switched on when the role is confirmed."),
    )

    objects = MembershipChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit}"

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        from .workflow import CONVENER_SIDE, OFFICE, PROPOSING_UNIT, SECURITY_SIDE

        found: set[str] = set()
        jurisdiction = self.mechanism.jurisdiction
        if self.kind == MembershipChangeKind.LIAISON:
            # Provisioned by the office, confirmed by a security administrator other than
            # the account itself; the convener has no part in it.
            if scope.assigned_to(jurisdiction.pk, Role.OFFICE):
                found.add(OFFICE)
            if Role.SECURITY_ADMIN in scope.roles and self.account_id != scope.user_id:
                found.add(SECURITY_SIDE)
            return found
        if scope.assigned_to(jurisdiction.pk, Role.LEADER):
            found.add(CONVENER_SIDE)
        if scope.assigned_to(jurisdiction.pk, Role.OFFICE):
            found.add(OFFICE)
        if scope.acts_for(self.unit_id, Role.LIAISON) and self.proposed_by_id == scope.user_id:
            found.add(PROPOSING_UNIT)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            from fuyuan.accounts.models import Role

            if self.kind == MembershipChangeKind.LIAISON and Role.SECURITY_ADMIN in scope.roles:
                return True
            return scope.oversees(self.mechanism.jurisdiction.path) or scope.acts_for(self.unit_id)
        return False

    @property
    def state_obj(self) -> Any:
        state = MEMBERSHIP_CHANGE.state(self.state)
        if self.kind == MembershipChangeKind.LIAISON and self.state == MEMBERSHIP_CHANGE.initial:
            # The security administrator decides, not the convener.
            from fuyuan.core.workflow import State

            return State(state.code, _("Awaiting the security administrator"), tone=state.tone)
        return state
