"""Enforcement linkage (执行联动, notice 二(一) 5 and 3): the court's shared list of dishonest
judgment debtors (失信被执行人) as the city holds it, the checks departments run against it in
their business (联合惩戒) and what they did with each hit (触发反馈), the ledger of
enforcement cases in which a government body is the debtor or that concern livelihoods
(涉党政机关 / 涉民生执行案件), and point-to-point inquiries (点对点查控) from a court to a
department (DOMAIN.md §4, §5, §6).

Identity numbers are personal information: encrypted at rest (`EncryptedTextField`), found
only through the HMAC-SM3 blind index, shown masked (first 6 + last 4) except to roles that
need them, each clear view audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.fields import BlindIndexField, EncryptedTextField
from fuyuan.core.models import BaseModel, StoredFile


def normalize_identifier(value: str) -> str:
    """The form an identifier is indexed in: no spaces, upper case (X check characters,
    credit codes, passport letters)."""
    return "".join((value or "").split()).upper()


class PartyKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANISATION = "organisation", _("Organisation")


class IdType(models.TextChoices):
    """Identity documents the court's data carries (DOMAIN.md §5)."""

    RESIDENT_ID = "resident_id", _("Resident ID card (18 digits)")
    RESIDENT_ID_15 = "resident_id_15", _("Old resident ID card (15 digits)")
    HK_MACAO_PERMIT = "hk_macao_permit", _("Hong Kong / Macao resident permit")
    TAIWAN_PERMIT = "taiwan_permit", _("Taiwan resident permit")
    PASSPORT = "passport", _("Passport")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    ORGANISATION_CODE = "organisation_code", _("Organisation code")
    OTHER = "other", _("Other")


class DebtorState(models.TextChoices):
    ACTIVE = "active", _("On the list")
    TO_CONFIRM = "to_confirm", _("To confirm (identifier check failed)")
    REMOVED = "removed", _("Removed")


class Performance(models.TextChoices):
    NONE = "none", _("Not performed at all (全部未履行)")
    PARTIAL = "partial", _("Partly performed (部分履行)")


class RemovalReason(models.TextChoices):
    PERFORMED = "performed", _("Obligation performed")
    CORRECTED = "corrected", _("Corrected (listed in error)")
    SETTLED = "settled", _("Settlement agreement performed")
    EXPIRED = "expired", _("Listing period ended")
    OTHER = "other", _("Other")


class DebtorRecordQuerySet(models.QuerySet["DebtorRecord"]):
    def visible_to(self, user: Any) -> DebtorRecordQuerySet:
        """The list is shared with every member of a mechanism (departments check against
        it); administrators and anonymous users see nothing. Identifiers stay masked unless
        the role needs them (`may_see_identifiers`)."""
        from fuyuan.accounts.permissions import scope_for

        return self if scope_for(user).is_member else self.none()

    def hitting(self) -> DebtorRecordQuerySet:
        """Entries that can trigger punishment: on the list, not removed, not held."""
        return self.filter(state=DebtorState.ACTIVE)


class DebtorRecord(BaseModel):
    """One entry of the court's list of dishonest judgment debtors, with every field the court
    publishes (DOMAIN.md §6). The identifier is kept encrypted with its document type; when
    the court's file carries it already masked (as the public list does) `id_masked` is set
    and the entry can only ever be a "needs confirmation" match. Removal (performance,
    correction) is recorded with date and reason and stops the entry from triggering."""

    personal_fields = ("id_number", "id_index", "legal_representative")

    name = models.CharField(_("name"), max_length=200)
    party_kind = models.CharField(_("party"), max_length=12, choices=PartyKind.choices)
    id_type = models.CharField(_("identity document"), max_length=20, choices=IdType.choices)
    id_number = EncryptedTextField(_("identifier"), blank=True)
    id_index = BlindIndexField(
        _("identifier index"),
        source="id_number",
        normalize=normalize_identifier,
        db_index=False,  # indexed in Meta, without PostgreSQL's unused LIKE twin
    )
    id_masked = models.BooleanField(_("identifier published masked"), default=False)
    id_display = models.CharField(
        _("identifier as shown"),
        max_length=40,
        blank=True,
        help_text=_("Masked form (first 6 + last 4) kept for display without decryption."),
    )
    sex = models.CharField(_("sex"), max_length=4, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    legal_representative = models.CharField(
        _("legal representative or person in charge"), max_length=100, blank=True
    )
    court = models.ForeignKey(
        "org.Unit",
        verbose_name=_("executing court"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    court_name = models.CharField(_("executing court (as published)"), max_length=100)
    province = models.CharField(_("province"), max_length=20, blank=True)
    basis_number = models.CharField(_("execution basis document number"), max_length=100)
    basis_issuer = models.CharField(_("body that issued the basis"), max_length=100, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=60)
    obligation = models.TextField(_("obligation fixed by the judgment"), blank=True)
    performance = models.CharField(
        _("performance"), max_length=10, choices=Performance.choices, default=Performance.NONE
    )
    performed_part = models.TextField(_("performed part"), blank=True)
    unperformed_part = models.TextField(_("unperformed part"), blank=True)
    conduct = models.TextField(_("dishonest conduct"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=DebtorState.choices,
        default=DebtorState.ACTIVE,
    )
    hold_reason = models.TextField(_("why the entry is held"), blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(
        _("reason for removal"), max_length=12, choices=RemovalReason.choices, blank=True
    )
    removal_note = models.TextField(_("about the removal"), blank=True)
    # Row key of the court's file: case number + normalised identifier (or name when the
    # identifier is masked), so a re-import updates the same entry.
    row_key = models.CharField(_("row key"), max_length=120)

    objects = DebtorRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("dishonest debtor entry")
        verbose_name_plural = _("dishonest debtor entries")
        ordering = ["-published_on", "-pk"]
        # Plain B-tree indexes in Meta rather than db_index/unique on the fields: on
        # PostgreSQL those add a second, LIKE-pattern index per text column that no query
        # uses, and every imported row paid for five of them (docs/benchmarks.md).
        constraints = [
            models.UniqueConstraint(fields=["row_key"], name="enforcement_debtor_row_key_uniq")
        ]
        indexes = [
            models.Index(fields=["state", "id_index"]),
            models.Index(fields=["id_index"], name="enforcement_debtor_id_index"),
            models.Index(fields=["name"], name="enforcement_debtor_name"),
            models.Index(fields=["case_number"], name="enforcement_debtor_case_no"),
            # Same-name matches of a party with a clear identifier look only at entries
            # published masked or without an identifier: few, found through this index.
            models.Index(
                fields=["name"],
                condition=Q(id_masked=True) | Q(id_index=""),
                name="enforcement_debtor_noid_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.case_number}"


class Scenario(models.TextChoices):
    """Business scenarios in which a department checks a party (DOMAIN.md §6 categories)."""

    PROCUREMENT = "procurement", _("Government procurement")
    TENDER = "tender", _("Public tender and bidding")
    SUBSIDY = "subsidy", _("Subsidy or fiscal support")
    POST = "post", _("Holding a post")
    MARKET_ENTRY = "market_entry", _("Market-entry qualification")
    HONOURS = "honours", _("Honours and credit")
    STATE_ASSET = "state_asset", _("State-asset, land or resource transaction")
    FINANCE = "finance", _("Financing, bonds and guarantees")
    HIGH_CONSUMPTION = "high_consumption", _("High consumption")


class CheckQuerySet(models.QuerySet["Check"]):
    def visible_to(self, user: Any) -> CheckQuerySet:
        """The department that ran the check (its liaison officers), and the offices
        overseeing its jurisdiction (they keep the feedback figures)."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.unit_q("unit_id")
        for p in scope.oversight.get(Role.OFFICE, ()):
            q |= Q(unit__jurisdiction__path__startswith=p)
        for p in scope.oversight.get(Role.LEADER, ()):
            q |= Q(unit__jurisdiction__path__startswith=p)
        return self.filter(q)


class Check(BaseModel):
    """A department's check of one party or a batch of parties against the list for a
    business scenario. The hits and "needs confirmation" matches are kept with the feedback
    the department gives on each (触发反馈)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scenario = models.CharField(_("business scenario"), max_length=20, choices=Scenario.choices)
    reference = models.CharField(
        _("business reference"),
        max_length=120,
        blank=True,
        help_text=_("The project, tender or application the check is for."),
    )
    parties = models.PositiveIntegerField(_("parties checked"), default=0)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    to_confirm = models.PositiveIntegerField(_("needing confirmation"), default=0)
    file_name = models.CharField(_("batch file"), max_length=200, blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("list check")
        verbose_name_plural = _("list checks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_scenario_display()} · {self.created_at:%Y-%m-%d}"


class MatchKind(models.TextChoices):
    IDENTIFIER = "identifier", _("Same identifier")
    MASKED = "masked", _("Masked identifier and same name")
    NAME_ONLY = "name_only", _("Same name only")


class HitState(models.TextChoices):
    HIT = "hit", _("Hit")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Needs confirmation")
    CONFIRMED_HIT = "confirmed_hit", _("Confirmed as the same party")
    NOT_SAME = "not_same", _("Not the same party")


class FeedbackAction(models.TextChoices):
    APPLIED = "applied", _("Measure applied")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class CheckHit(BaseModel):
    """A party of a check that matched an entry: a hit (same identifier, entry active) or a
    match that needs confirmation (masked identifier, or name alone) — never a hit until the
    department confirms it is the same party. The department's feedback says which measure
    it applied or why none applies."""

    personal_fields = ("party_id_number",)

    check_run = models.ForeignKey(
        Check, verbose_name=_("check"), on_delete=models.CASCADE, related_name="matches"
    )
    debtor = models.ForeignKey(
        DebtorRecord, verbose_name=_("list entry"), on_delete=models.PROTECT, related_name="+"
    )
    party_name = models.CharField(_("party name"), max_length=200)
    party_id_number = EncryptedTextField(_("party identifier"), blank=True)
    row_number = models.PositiveIntegerField(_("row in the batch"), null=True, blank=True)
    match = models.CharField(_("match"), max_length=12, choices=MatchKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=HitState.choices, db_index=True)
    feedback = models.CharField(
        _("feedback"), max_length=16, choices=FeedbackAction.choices, blank=True, db_index=True
    )
    measure = models.CharField(_("measure applied"), max_length=200, blank=True)
    feedback_note = models.TextField(_("feedback note or reason"), blank=True)
    fed_back_on = models.DateField(_("feedback given on"), null=True, blank=True)
    fed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback given by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_urged_on = models.DateField(_("last urged on"), null=True, blank=True)

    class Meta:
        verbose_name = _("check match")
        verbose_name_plural = _("check matches")
        ordering = ["check_run", "row_number", "pk"]

    def __str__(self) -> str:
        return f"{self.party_name} · {self.get_state_display()}"

    @property
    def counts_as_hit(self) -> bool:
        return self.state in (HitState.HIT, HitState.CONFIRMED_HIT)


class EnforcementCaseKind(models.TextChoices):
    GOVERNMENT_DEBTOR = "government_debtor", _("Government body as debtor (涉党政机关)")
    ENTERPRISE_ARREARS = "enterprise_arrears", _("Arrears to an enterprise (拖欠企业账款)")
    WAGES = "wages", _("Unpaid wages (追索劳动报酬)")
    SUPPORT = "support", _("Support payments (赡养费、扶养费、抚养费)")
    MEDICAL_INJURY = "medical_injury", _("Medical or injury compensation")
    OTHER_LIVELIHOOD = "other_livelihood", _("Other livelihood case")


GOVERNMENT_KINDS = (EnforcementCaseKind.GOVERNMENT_DEBTOR, EnforcementCaseKind.ENTERPRISE_ARREARS)


class EnforcementCaseState(models.TextChoices):
    OPEN = "open", _("Being enforced")
    PLAN = "plan", _("Payment plan agreed")
    CLOSED = "closed", _("Closed and struck off (结案销号)")


class EnforcementCaseQuerySet(models.QuerySet["EnforcementCase"]):
    def visible_to(self, user: Any) -> EnforcementCaseQuerySet:
        """The executing court, the debtor body (its liaison officers, predecessors included),
        offices and leaders overseeing the debtor body's jurisdiction (or the court's, for a
        livelihood case whose debtor is not a body)."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.unit_q("court_id") | scope.unit_q("debtor_unit_id")
        for role in (Role.OFFICE, Role.LEADER):
            for p in scope.oversight.get(role, ()):
                q |= Q(jurisdiction__path__startswith=p)
        return self.filter(q)


class EnforcementCase(BaseModel):
    """An enforcement case the city drives to zero (结案销号): a government body as the
    judgment debtor, including arrears to enterprises (涉企), or a livelihood case (wages,
    support, medical and injury compensation). A matter supervises each open case;
    执行到位率 = amount paid ÷ amount owed."""

    personal_fields = ("debtor_name", "creditor")

    mechanism = models.ForeignKey(
        "org.Mechanism", verbose_name=_("joint meeting"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("case number"), max_length=60, unique=True)
    court = models.ForeignKey(
        "org.Unit", verbose_name=_("executing court"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EnforcementCaseKind.choices)
    enterprise_related = models.BooleanField(_("enterprise-related (涉企)"), default=False)
    debtor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("debtor body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    debtor_name = models.CharField(_("debtor"), max_length=200)
    creditor = models.CharField(_("applicant creditor"), max_length=200)
    filed_on = models.DateField(_("filed on"))
    amount_owed = models.DecimalField(_("amount owed (yuan)"), max_digits=14, decimal_places=2)
    amount_paid = models.DecimalField(
        _("amount paid (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=EnforcementCaseState.choices,
        default=EnforcementCaseState.OPEN,
        db_index=True,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note = models.TextField(_("progress note"), blank=True)
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("supervised matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enforcement_case",
    )

    objects = EnforcementCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("government-debtor or livelihood case")
        verbose_name_plural = _("government-debtor and livelihood cases")
        ordering = ["state", "-filed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_owed__gte=0),
                name="enforcement_case_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.number


class InquiryKind(models.TextChoices):
    REAL_ESTATE = "real_estate", _("Real estate")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    VEHICLES = "vehicles", _("Motor vehicles")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    BUSINESS_REGISTRATION = "business_registration", _("Business registration")
    TAX = "tax", _("Tax")
    OTHER = "other", _("Other")


class InquiryState(models.TextChoices):
    SENT = "sent", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InquiryQuerySet(models.QuerySet["Inquiry"]):
    def visible_to(self, user: Any) -> InquiryQuerySet:
        """The asking court and the department asked; offices overseeing the department's
        jurisdiction (they keep the turnaround figures)."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.unit_q("court_id") | scope.unit_q("department_id")
        for p in scope.oversight.get(Role.OFFICE, ()):
            q |= Q(department__jurisdiction__path__startswith=p)
        return self.filter(q)


class Inquiry(BaseModel):
    """A point-to-point inquiry (点对点查控) from a court to a department about a party's assets
    or records, where no direct system link exists: the department answers with the result
    and files; turnaround is measured in working days."""

    personal_fields = ("party_id_number", "party_index", "result")

    court = models.ForeignKey(
        "org.Unit", verbose_name=_("asking court"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Unit", verbose_name=_("department asked"), on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_number = models.CharField(_("case number"), max_length=60)
    kind = models.CharField(_("what is asked"), max_length=24, choices=InquiryKind.choices)
    party_name = models.CharField(_("party"), max_length=200)
    party_id_type = models.CharField(_("identity document"), max_length=20, choices=IdType.choices)
    party_id_number = EncryptedTextField(_("identifier"))
    party_index = BlindIndexField(
        _("identifier index"), source="party_id_number", normalize=normalize_identifier
    )
    question = models.TextField(_("question"), blank=True)
    asked_on = models.DateField(_("asked on"), db_index=True)
    due_on = models.DateField(_("answer due"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=InquiryState.choices,
        default=InquiryState.SENT,
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

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("point-to-point inquiry")
        verbose_name_plural = _("point-to-point inquiries")
        ordering = ["-asked_on", "-pk"]
        indexes = [models.Index(fields=["department", "state"])]

    def __str__(self) -> str:
        return f"{self.case_number} · {self.get_kind_display()}"


class InquiryAttachment(StoredFile):
    """A file answering an inquiry (a register extract, a certificate)."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="enforcement/inquiries/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["inquiry", "pk"]
