"""Bankruptcy coordination (府院破产统一协调, notice 二(一) 5, DOMAIN.md §4): the court's
bankruptcy cases, the coordination items that need government action (each a supervised
matter of the unit that must act), information queries from the court or the administrator
to departments, and the bankruptcy-cost fund (破产费用保障资金) that pays the costs of cases
with no assets.

Visibility of a case: the court hearing it (its staff), the office and leaders of the joint
meeting of the court's jurisdiction and above, and the units that lead a coordination item
or were asked a query on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf

MONEY = {"max_digits": 14, "decimal_places": 2}


def _oversight_q(scope: Any, path_field: str) -> Q:
    from fuyuan.accounts.models import Role

    q = Q(pk__in=[])
    for role in (Role.OFFICE, Role.LEADER):
        for p in scope.oversight.get(role, ()):
            q |= Q(**{f"{path_field}__startswith": p})
    return q


class CaseStage(models.TextChoices):
    APPLICATION = "application", _("Application under review (破申)")
    ACCEPTED = "accepted", _("Accepted")
    ADMINISTRATION = "administration", _("Under administration")
    REORGANISATION = "reorganisation", _("Reorganisation")
    SETTLEMENT = "settlement", _("Settlement")
    LIQUIDATION = "liquidation", _("Liquidation")
    CONCLUDED = "concluded", _("Concluded")


class BankruptcyCaseQuerySet(models.QuerySet["BankruptcyCase"]):
    def visible_to(self, user: Any) -> BankruptcyCaseQuerySet:
        """The court (its staff); offices and leaders overseeing the joint meeting's
        jurisdiction; units leading a coordination item or asked a query on the case, and the
        offices overseeing those units."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q: Any = scope.unit_q("court_id")
        q |= _oversight_q(scope, "mechanism__jurisdiction__path")
        unit_ids = sorted(scope.unit_ids)
        if unit_ids:
            q |= Exists(
                CoordinationItem.objects.filter(case=OuterRef("pk"), lead_unit_id__in=unit_ids)
            )
            q |= Exists(
                InformationQuery.objects.filter(case=OuterRef("pk"), department_id__in=unit_ids)
            )
        if scope.oversight_paths:
            q |= Exists(
                CoordinationItem.objects.filter(
                    _oversight_q(scope, "lead_unit__jurisdiction__path"), case=OuterRef("pk")
                )
            )
        return self.filter(q)


class BankruptcyCase(BaseModel):
    """A bankruptcy case (破产案件) as the court registers it: the number (破申 for the
    application review, 破 once accepted, 破终 on appeal …, parsed by `core.case_numbers`),
    the debtor enterprise and its credit code, the administrator (管理人), the dates and the
    stage. `no_assets` marks a case without assets to pay its costs (无产可破), which may apply
    to the cost fund. `mechanism` is the joint meeting of the court's jurisdiction."""

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="bankruptcy_cases",
    )
    number = models.CharField(_("case number"), max_length=60, unique=True)
    year = models.PositiveIntegerField(_("year filed"), db_index=True)
    type_code = models.CharField(_("type code"), max_length=6)
    court = models.ForeignKey(
        "org.Unit", verbose_name=_("court"), on_delete=models.PROTECT, related_name="+"
    )
    debtor_name = models.CharField(_("debtor enterprise"), max_length=200)
    debtor_credit_code = models.CharField(_("debtor's credit code"), max_length=18, blank=True)
    credit_code_override = models.CharField(
        _("why the credit code is kept despite its check"), max_length=200, blank=True
    )
    administrator = models.CharField(_("administrator (管理人)"), max_length=200, blank=True)
    administrator_contact = models.CharField(
        _("administrator's contact"), max_length=100, blank=True
    )
    applied_on = models.DateField(_("application received on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=16, choices=CaseStage.choices, default=CaseStage.APPLICATION
    )
    no_assets = models.BooleanField(_("no assets to pay the costs (无产可破)"), default=False)
    employees = models.PositiveIntegerField(_("employees affected"), default=0)
    note = models.TextField(_("note"), blank=True)

    objects = BankruptcyCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("bankruptcy case")
        verbose_name_plural = _("bankruptcy cases")
        ordering = ["-applied_on", "-pk"]
        indexes = [
            models.Index(fields=["court", "applied_on"]),
            models.Index(fields=["mechanism", "stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.debtor_name}"

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.court_id, Role.COURT):
            found.add(wf.COURT)
        if scope.oversees(self.mechanism.jurisdiction.path, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.oversees(self.mechanism.jurisdiction.path):
            found.add(wf.OVERSIGHT)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        """edit / coordinate: the court and the office; query and apply to the fund: the
        court (for itself and the administrator)."""
        if action == "view":
            return True
        rel = self.relations(scope)
        if action in ("edit", "coordinate"):
            return bool(rel & {wf.COURT, wf.OFFICE})
        if action == "query":
            return wf.COURT in rel
        if action == "apply_fund":
            return wf.COURT in rel and self.no_assets and self.stage != CaseStage.APPLICATION
        return False


class ItemKind(models.TextChoices):
    ASSET_DISPOSAL = "asset_disposal", _("Asset disposal")
    FINANCE = "finance", _("Financing and financial creditors")
    CREDIT_REPAIR = "credit_repair", _("Credit repair")
    DEREGISTRATION = "deregistration", _("Deregistration")
    TAX = "tax", _("Tax")
    SOCIAL_STABILITY = "social_stability", _("Social stability")
    WAGES = "wages", _("Employees' wages")


class CoordinationItem(BaseModel):
    """Something a bankruptcy needs from government (协调事项): land and buildings to dispose
    of, a bank to bring to the table, the debtor's credit record to repair, its registration
    to cancel, tax to settle, a protest to calm, wages to advance. Each is a matter led by the
    unit that must act (source kind "bankruptcy.item"), supervised by the office of that
    unit's joint meeting; the item's state is its matter's."""

    case = models.ForeignKey(
        BankruptcyCase,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    description = models.TextField(_("what is needed"))
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_on = models.DateField(_("requested on"))
    deadline = models.DateField(_("deadline"))
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bankruptcy_item",
    )

    class Meta:
        verbose_name = _("coordination item")
        verbose_name_plural = _("coordination items")
        ordering = ["case", "requested_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_kind_display()}"


class QueryKind(models.TextChoices):
    REAL_ESTATE = "real_estate", _("Real estate")
    VEHICLES = "vehicles", _("Motor vehicles")
    BUSINESS_REGISTRATION = "business_registration", _("Business registration")
    TAX = "tax", _("Tax")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance and wages owed")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    LAND = "land", _("Land use rights")
    OTHER = "other", _("Other")


class QueryState(models.TextChoices):
    SENT = "sent", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InformationQueryQuerySet(models.QuerySet["InformationQuery"]):
    def visible_to(self, user: Any) -> InformationQueryQuerySet:
        """The asking court and the department asked; offices and leaders overseeing the
        case's joint meeting or the department's jurisdiction."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.unit_q("case__court_id") | scope.unit_q("department_id")
        q |= _oversight_q(scope, "case__mechanism__jurisdiction__path")
        q |= _oversight_q(scope, "department__jurisdiction__path")
        return self.filter(q)


class InformationQuery(BaseModel):
    """A query from the court (for itself or the administrator) to a department about the
    debtor (查询: its real estate, vehicles, registration, tax, social insurance …): the
    department answers with the result by the due date (3 working days, as Beijing does);
    turnaround is measured in working days and overdue queries are urged daily."""

    case = models.ForeignKey(
        BankruptcyCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="queries"
    )
    department = models.ForeignKey(
        "org.Unit", verbose_name=_("department asked"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("what is asked"), max_length=24, choices=QueryKind.choices)
    question = models.TextField(_("question"))
    for_administrator = models.BooleanField(_("asked for the administrator"), default=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    asked_on = models.DateField(_("asked on"), db_index=True)
    due_on = models.DateField(_("answer due"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=QueryState.choices,
        default=QueryState.SENT,
        db_index=True,
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_working_days = models.PositiveIntegerField(
        _("turnaround (working days)"), null=True, blank=True
    )
    result = models.TextField(_("result"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_urged_on = models.DateField(_("last urged on"), null=True, blank=True)

    objects = InformationQueryQuerySet.as_manager()

    class Meta:
        verbose_name = _("information query")
        verbose_name_plural = _("information queries")
        ordering = ["-asked_on", "-pk"]
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_kind_display()}"

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        if action == "view":
            return True
        if action == "answer":
            return self.state == QueryState.SENT and scope.acts_for(
                self.department_id, Role.LIAISON
            )
        return False


class FundQuerySet(models.QuerySet["Fund"]):
    def visible_to(self, user: Any) -> FundQuerySet:
        """Offices and leaders overseeing the joint meeting; court staff of a court in its
        jurisdiction (they apply to it)."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q: Any = _oversight_q(scope, "mechanism__jurisdiction__path")
        court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
        if court_ids:
            q |= Exists(
                BankruptcyCase.objects.filter(
                    mechanism_id=OuterRef("mechanism_id"), court_id__in=court_ids
                )
            )
            from fuyuan.org.models import Unit

            paths = Unit.objects.filter(pk__in=court_ids).values_list(
                "jurisdiction__path", flat=True
            )
            for p in paths:
                q |= Q(mechanism__jurisdiction__path=p)
        return self.filter(q)


class Fund(BaseModel):
    """The bankruptcy-cost fund (破产费用保障资金) of a joint meeting for a year: its budget and,
    kept on the row so that a check constraint guards them, the amount committed by
    approvals (approved and paid applications) and the amount paid. Available balance =
    budget − committed; it can never be negative (CHECK committed <= budget; approvals lock
    the row). Every change is also a `FundMovement`."""

    mechanism = models.ForeignKey(
        "org.Mechanism", verbose_name=_("joint meeting"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    budget = models.DecimalField(_("budget (yuan)"), default=Decimal("0"), **MONEY)  # type: ignore[arg-type]
    committed = models.DecimalField(
        _("committed by approvals (yuan)"),
        default=Decimal("0"),
        **MONEY,  # type: ignore[arg-type]
    )
    paid = models.DecimalField(_("paid (yuan)"), default=Decimal("0"), **MONEY)  # type: ignore[arg-type]

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("bankruptcy-cost fund")
        verbose_name_plural = _("bankruptcy-cost funds")
        ordering = ["mechanism", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "year"], name="bankruptcy_fund_unique"),
            models.CheckConstraint(
                condition=Q(committed__lte=F("budget")), name="bankruptcy_fund_not_overdrawn"
            ),
            models.CheckConstraint(
                condition=Q(paid__lte=F("committed")), name="bankruptcy_fund_paid_le_committed"
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(committed__gte=0) & Q(budget__gte=0),
                name="bankruptcy_fund_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism} · {self.year}"

    @property
    def balance(self) -> Decimal:
        """Available: the budget not yet committed by an approval."""
        return self.budget - self.committed

    @property
    def cash(self) -> Decimal:
        """Not yet paid out (committed but unpaid money included)."""
        return self.budget - self.paid

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True
        if action == "budget":
            return wf.OFFICE in self.relations(scope)
        return False


class FundApplication(BaseModel):
    """An application to the fund for a case with no assets (破产费用保障资金申请): the court,
    for the administrator, asks an amount for a reason (administrator's fee, announcement,
    audit, custody of books …); the office of the fund's joint meeting reviews, approves
    (committing the amount: refused if the balance would go negative) and pays."""

    workflow = wf.APPLICATION_WORKFLOW

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="applications"
    )
    case = models.ForeignKey(
        BankruptcyCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="fund_applications",
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)  # type: ignore[arg-type]
    reason = models.TextField(_("what the money is for"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=wf.APPLICATION_WORKFLOW.choices(),
        default=wf.SUBMITTED,
        db_index=True,
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_on = models.DateField(_("applied on"))
    review_note = models.TextField(_("review"), blank=True)
    decided_on = models.DateField(_("approved or rejected on"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("fund application")
        verbose_name_plural = _("fund applications")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="bankruptcy_application_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.amount}"

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.case.court_id, Role.COURT):
            found.add(wf.COURT)
        if scope.assigned_to(self.fund.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        return found


class MovementKind(models.TextChoices):
    BUDGET = "budget", _("Budget set or changed")
    COMMIT = "commit", _("Committed by an approval")
    PAYMENT = "payment", _("Paid out")


class FundMovement(models.Model):
    """One line of the fund's ledger, never changed: a budget credit (or its correction), a
    commitment by an approval, a payment. Figures are sums of these; the Fund row carries
    the same sums so the database can refuse an overdraft."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="movements"
    )
    application = models.ForeignKey(
        FundApplication,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)  # type: ignore[arg-type]
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        ordering = ["fund", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.fund} · {self.get_kind_display()} {self.amount}"
