"""Forms and the ledger's filters for government-debtor and livelihood enforcement cases. They
collect input; the rules live in enforcement.case_actions, whose ValidationError codes the
views put back on the fields."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Jurisdiction, Unit

from .models import EnforcementCase, EnforcementCaseKind, EnforcementCaseState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class CaseForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=60,
        help_text=_("As the court writes it, e.g. （2024）豫1722执1234号."),
    )
    court = UnitChoiceField(label=_("Executing court"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=EnforcementCaseKind.choices)
    enterprise_related = forms.BooleanField(label=_("Enterprise-related (涉企)"), required=False)
    debtor_unit = UnitChoiceField(
        label=_("Debtor body"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Required when a government body is the debtor."),
    )
    debtor_name = forms.CharField(
        label=_("Debtor"),
        max_length=200,
        help_text=_("The judgment debtor as the court names it."),
    )
    creditor = forms.CharField(label=_("Applicant creditor"), max_length=200)
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    amount_owed = forms.DecimalField(label=_("Amount owed (yuan)"), **MONEY)  # type: ignore[arg-type]
    amount_paid = forms.DecimalField(
        label=_("Already paid (yuan)"),
        required=False,
        initial=0,
        **MONEY,  # type: ignore[arg-type]
    )
    deadline = forms.DateField(
        label=_("Deadline of the supervised matter"),
        widget=DATE,
        required=False,
        help_text=_("Six months after filing unless given."),
    )
    note = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, courts: Any, debtors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("court", courts), ("debtor_unit", debtors)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class CaseEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EnforcementCaseKind.choices)
    enterprise_related = forms.BooleanField(label=_("Enterprise-related (涉企)"), required=False)
    debtor_name = forms.CharField(label=_("Debtor"), max_length=200)
    creditor = forms.CharField(label=_("Applicant creditor"), max_length=200)
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    amount_owed = forms.DecimalField(label=_("Amount owed (yuan)"), **MONEY)  # type: ignore[arg-type]
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (EnforcementCaseState.OPEN, EnforcementCaseState.OPEN.label),
            (EnforcementCaseState.PLAN, EnforcementCaseState.PLAN.label),
        ],
    )
    note = forms.CharField(
        label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid (yuan)"), **MONEY)  # type: ignore[arg-type]
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE)
    note = forms.CharField(
        label=_("Why it closes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required unless fully paid: settlement performed, procedure terminated …"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _case_units(cases: QuerySet[EnforcementCase], field: str) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(pk__in=cases.values(field))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


class CaseFilterSet(django_filters.FilterSet):
    """Filters of the case ledger; choice lists hold only what the user's cases contain. The
    rows must come from `EnforcementCase.objects.visible_to(user)`."""

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EnforcementCaseKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=EnforcementCaseState.choices)
    court = django_filters.ModelChoiceFilter(
        label=_("Executing court"), queryset=Unit.objects.none()
    )
    debtor_unit = django_filters.ModelChoiceFilter(
        label=_("Debtor body"), queryset=Unit.objects.none()
    )
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        method="filter_jurisdiction",
    )
    enterprise = django_filters.BooleanFilter(
        label=_("Enterprise-related only"), widget=forms.CheckboxInput, method="filter_enterprise"
    )
    government = django_filters.BooleanFilter(
        label=_("Government body as debtor only"),
        widget=forms.CheckboxInput,
        method="filter_government",
    )

    class Meta:
        model = EnforcementCase
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        visible = EnforcementCase.objects.visible_to(user)
        self.filters["court"].queryset = _case_units(visible, "court_id")
        self.filters["debtor_unit"].queryset = _case_units(visible, "debtor_unit_id")
        self.filters["jurisdiction"].queryset = Jurisdiction.objects.filter(
            pk__in=visible.values("jurisdiction_id")
        ).order_by("path")

    def filter_keyword(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(debtor_name__icontains=value)
            | Q(creditor__icontains=value)
        )

    def filter_jurisdiction(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(jurisdiction__path__startswith=value.path)

    def filter_enterprise(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(enterprise_related=True) if value else queryset

    def filter_government(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        from .models import GOVERNMENT_KINDS

        return queryset.filter(kind__in=GOVERNMENT_KINDS) if value else queryset
