"""Reads of cases and hearings, all built on `AdminCase.objects.visible_to(user)`: the case
ledger with its filters (one FilterSet, reusable by an API), the hearing notices (开庭预告),
and the pieces of a case's page."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from fuyuan.org.models import Jurisdiction, Unit
from fuyuan.org.settings_schema import ADMIN_CASE_OUTCOMES

from . import workflow as wf
from .models import (
    AdminCase,
    Appearance,
    CaseStage,
    CoDefendant,
    Dispute,
    Hearing,
    HearingState,
    Instance,
    Recommendation,
    RecommendationKind,
    RecommendationScope,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HEARING_DAYS = 30


def visible_cases(user: Any) -> QuerySet[AdminCase]:
    """Cases the user may see, with what a list row shows."""
    return AdminCase.objects.visible_to(user).select_related(
        "court", "defendant", "jurisdiction", "mechanism"
    )


def list_rows(user: Any) -> QuerySet[AdminCase]:
    """The ledger's rows: visible cases with their co-defendants in one more query."""
    return visible_cases(user).prefetch_related(
        Prefetch(
            "co_defendants",
            queryset=CoDefendant.objects.select_related("unit").order_by("unit__order_no", "pk"),
        )
    )


def heard_elsewhere_q() -> Q:
    """Heard by another county's court (相对集中管辖): neither the court's area contains the
    defendant's jurisdiction nor the other way round. A county body's case at the city's
    intermediate court, or a city body's case at the basic court of the city's own district,
    is not "elsewhere" (same rule as `AdminCase.heard_elsewhere`)."""
    return ~Q(jurisdiction__path__startswith=F("court__jurisdiction__path")) & ~Q(
        court__jurisdiction__path__startswith=F("jurisdiction__path")
    )


def _cases_units(user: Any, field: str) -> QuerySet[Unit]:
    ids = AdminCase.objects.visible_to(user).values(field)
    return Unit.objects.filter(pk__in=ids).order_by("jurisdiction__path", "order_no", "pk")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterSet(django_filters.FilterSet):
    """Filters of the case ledger. Choice lists hold only what the user's cases contain; the
    rows must come from `visible_cases(user)`."""

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    year = django_filters.NumberFilter(label=_("Year filed"), min_value=1990, max_value=2100)
    court = django_filters.ModelChoiceFilter(label=_("Court"), queryset=Unit.objects.none())
    defendant = django_filters.ModelChoiceFilter(
        label=_("Defendant body"), queryset=Unit.objects.none(), method="filter_defendant"
    )
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        method="filter_jurisdiction",
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=CaseStage.choices)
    outcome = django_filters.MultipleChoiceFilter(
        label=_("Outcome"), choices=list(ADMIN_CASE_OUTCOMES.items())
    )
    # Periods, so every count of the figures page links to exactly the cases behind it.
    filed_from = django_filters.DateFilter(
        label=_("Filed from"), field_name="filed_on", lookup_expr="gte", widget=DATE
    )
    filed_to = django_filters.DateFilter(
        label=_("Filed until"), field_name="filed_on", lookup_expr="lte", widget=DATE
    )
    concluded_from = django_filters.DateFilter(
        label=_("Concluded from"), field_name="concluded_on", lookup_expr="gte", widget=DATE
    )
    concluded_to = django_filters.DateFilter(
        label=_("Concluded until"), field_name="concluded_on", lookup_expr="lte", widget=DATE
    )
    instance = django_filters.ChoiceFilter(label=_("Procedure"), choices=Instance.choices)
    enterprise = django_filters.BooleanFilter(
        label=_("Enterprise-related only"), widget=forms.CheckboxInput, method="filter_enterprise"
    )
    elsewhere = django_filters.BooleanFilter(
        label=_("Heard in another county's court"),
        widget=forms.CheckboxInput,
        method="filter_elsewhere",
    )

    class Meta:
        model = AdminCase
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["court"].queryset = _cases_units(user, "court_id")
        self.filters["defendant"].queryset = _cases_units(user, "defendant_id")
        seen = AdminCase.objects.visible_to(user).values("jurisdiction_id")
        self.filters["jurisdiction"].queryset = Jurisdiction.objects.filter(
            Q(pk__in=seen) | Q(pk__in=Jurisdiction.objects.visible_to(user).values("pk"))
        ).order_by("path")

    def filter_keyword(
        self, queryset: QuerySet[AdminCase], name: str, value: str
    ) -> QuerySet[AdminCase]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(cause__icontains=value) | Q(plaintiffs__icontains=value)
        )

    def filter_defendant(
        self, queryset: QuerySet[AdminCase], name: str, value: Unit | None
    ) -> QuerySet[AdminCase]:
        if value is None:
            return queryset
        co = CoDefendant.objects.filter(unit=value).values("case_id")
        return queryset.filter(Q(defendant=value) | Q(pk__in=co))

    def filter_jurisdiction(
        self, queryset: QuerySet[AdminCase], name: str, value: Jurisdiction | None
    ) -> QuerySet[AdminCase]:
        if value is None:
            return queryset
        return queryset.filter(jurisdiction__path__startswith=value.path)

    def filter_enterprise(
        self, queryset: QuerySet[AdminCase], name: str, value: Any
    ) -> QuerySet[AdminCase]:
        return queryset.filter(enterprise_related=True) if value else queryset

    def filter_elsewhere(
        self, queryset: QuerySet[AdminCase], name: str, value: Any
    ) -> QuerySet[AdminCase]:
        return queryset.filter(heard_elsewhere_q()) if value else queryset


# --- hearings ---------------------------------------------------------------------------------
def visible_hearings(user: Any) -> QuerySet[Hearing]:
    """Hearings of the cases the user may see, earliest first, with their case's court and
    defendant and the appearance record."""
    return (
        Hearing.objects.filter(case__in=AdminCase.objects.visible_to(user).values("pk"))
        .select_related("case__court", "case__defendant", "appearance")
        .order_by("starts_at", "pk")
    )


def upcoming_hearings(user: Any, today: datetime.date | None = None) -> QuerySet[Hearing]:
    """Announced hearings from today on (the notices page's default is the next 30 days)."""
    today = today or timezone.localdate()
    return visible_hearings(user).filter(
        state=HearingState.SCHEDULED, starts_at__gte=start_of(today)
    )


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class HearingFilterSet(django_filters.FilterSet):
    """Filters of the hearing notices. Without dates the page shows today and the next 30
    days."""

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    date_from = django_filters.DateFilter(label=_("From"), widget=DATE, method="filter_noop")
    date_to = django_filters.DateFilter(label=_("To"), widget=DATE, method="filter_noop")
    court = django_filters.ModelChoiceFilter(
        label=_("Court"), queryset=Unit.objects.none(), field_name="case__court"
    )
    defendant = django_filters.ModelChoiceFilter(
        label=_("Defendant body"), queryset=Unit.objects.none(), field_name="case__defendant"
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=HearingState.choices)

    class Meta:
        model = Hearing
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["court"].queryset = _cases_units(user, "court_id")
        self.filters["defendant"].queryset = _cases_units(user, "defendant_id")

    def filter_noop(self, queryset: QuerySet[Hearing], name: str, value: Any) -> QuerySet[Hearing]:
        return queryset

    def filter_keyword(
        self, queryset: QuerySet[Hearing], name: str, value: str
    ) -> QuerySet[Hearing]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(case__number__icontains=value)
            | Q(case__cause__icontains=value)
            | Q(place__icontains=value)
        )

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The dates shown: as filtered, else today and the next 30 days."""
        today = timezone.localdate()
        data = getattr(self.form, "cleaned_data", {}) or {}
        start = data.get("date_from") or today
        end = data.get("date_to") or start + datetime.timedelta(days=HEARING_DAYS)
        return start, end

    def filter_queryset(self, queryset: QuerySet[Hearing]) -> QuerySet[Hearing]:
        queryset = super().filter_queryset(queryset)
        start, end = self.period()
        return queryset.filter(
            starts_at__gte=start_of(start),
            starts_at__lt=start_of(end + datetime.timedelta(days=1)),
        ).order_by("starts_at", "pk")


# --- filters the REST API shares with the pages (litigation.api) ------------------------------
def _rec_units(user: Any, field: str) -> QuerySet[Unit]:
    ids = Recommendation.objects.visible_to(user).values(field)
    return Unit.objects.filter(pk__in=ids).order_by("jurisdiction__path", "order_no", "pk")


class RecommendationFilterSet(django_filters.FilterSet):
    """The recommendation list's filters (`recommendation_forms.FilterForm`, same parameter
    names): kind, scope, state, issuer, recipient, year (delivered in it, or registered in it
    while undelivered), overdue replies. The rows must come from `visible_to(user)`."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RecommendationKind.choices)
    scope = django_filters.ChoiceFilter(label=_("Scope"), choices=RecommendationScope.choices)
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=wf.RECOMMENDATION_WORKFLOW.choices()
    )
    issuer = django_filters.ModelChoiceFilter(label=_("Issuing body"), queryset=Unit.objects.none())
    recipient = django_filters.ModelChoiceFilter(
        label=_("Recipient unit"), queryset=Unit.objects.none()
    )
    year = django_filters.NumberFilter(
        label=_("Year"), min_value=2000, max_value=2100, method="filter_year"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Reply overdue only"), widget=forms.CheckboxInput, method="filter_overdue"
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["issuer"].queryset = _rec_units(user, "issuer_id")
        self.filters["recipient"].queryset = _rec_units(user, "recipient_id")

    @extend_schema_field(OpenApiTypes.INT)
    def filter_year(
        self, queryset: QuerySet[Recommendation], name: str, value: Any
    ) -> QuerySet[Recommendation]:
        if value in (None, ""):
            return queryset
        year = int(value)
        return queryset.filter(
            Q(delivered_on__year=year) | Q(delivered_on__isnull=True, created_at__year=year)
        )

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(
        self, queryset: QuerySet[Recommendation], name: str, value: Any
    ) -> QuerySet[Recommendation]:
        if not value:
            return queryset
        return queryset.filter(state=wf.DELIVERED, reply_due__lt=timezone.localdate())


HAS_CASE_CHOICES = [("yes", _("During a case")), ("no", _("Before filing"))]


class DisputeFilterSet(django_filters.FilterSet):
    """The dispute list's filters (`dispute_forms.DisputeFilterForm`, same parameter names):
    state, body concerned, year referred, during a case or before filing. The rows must come
    from `Dispute.objects.visible_to(user)`."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=wf.DISPUTE_WORKFLOW.choices())
    unit = django_filters.ModelChoiceFilter(label=_("Body concerned"), queryset=Unit.objects.none())
    year = django_filters.NumberFilter(
        label=_("Year referred"),
        field_name="referred_on",
        lookup_expr="year",
        min_value=2000,
        max_value=2100,
    )
    has_case = django_filters.ChoiceFilter(
        label=_("Case"), choices=HAS_CASE_CHOICES, method="filter_has_case"
    )

    class Meta:
        model = Dispute
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        ids = Dispute.objects.visible_to(user).values("unit_id")
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=ids).order_by(
            "jurisdiction__path", "order_no", "pk"
        )

    def filter_has_case(
        self, queryset: QuerySet[Dispute], name: str, value: str
    ) -> QuerySet[Dispute]:
        if value == "yes":
            return queryset.filter(case__isnull=False)
        if value == "no":
            return queryset.filter(case__isnull=True)
        return queryset


class AppearanceFilterSet(django_filters.FilterSet):
    """Head appearance records (出庭应诉记录) for a system: by state (e.g. `recorded`: awaiting
    the body), defendant body, case and the day recorded. The rows must come from the
    records of `AdminCase.objects.visible_to(user)`."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=wf.APPEARANCE_WORKFLOW.choices())
    unit = django_filters.ModelChoiceFilter(label=_("Defendant body"), queryset=Unit.objects.none())
    case = django_filters.NumberFilter(label=_("Case"), field_name="case_id")
    recorded_from = django_filters.DateFilter(
        label=_("Recorded from"), field_name="recorded_on", lookup_expr="gte", widget=DATE
    )
    recorded_to = django_filters.DateFilter(
        label=_("Recorded until"), field_name="recorded_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = Appearance
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        seen = AdminCase.objects.visible_to(user).values("pk")
        ids = Appearance.objects.filter(case__in=seen).values("unit_id")
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=ids).order_by(
            "jurisdiction__path", "order_no", "pk"
        )
