"""Forms of the bankruptcy app. They collect input; the rules live in bankruptcy.actions, whose
ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Mechanism, Unit

from .models import CaseStage, ItemKind, QueryKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class CaseForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=60,
        help_text=_("As the court writes it, e.g. （2024）豫1722破申3号 or （2024）豫17破5号."),
    )
    court = UnitChoiceField(label=_("Court"), queryset=Unit.objects.none())
    debtor_name = forms.CharField(label=_("Debtor enterprise"), max_length=200)
    debtor_credit_code = forms.CharField(
        label=_("Debtor's unified social credit code"), max_length=30, required=False
    )
    override_reason = forms.CharField(
        label=_("Reason to keep a code that fails its check"),
        max_length=200,
        required=False,
        help_text=_("Office staff only: some early codes are real although their check fails."),
    )
    administrator = forms.CharField(
        label=_("Administrator (管理人)"), max_length=200, required=False
    )
    administrator_contact = forms.CharField(
        label=_("Administrator's contact"), max_length=100, required=False
    )
    applied_on = forms.DateField(label=_("Application received on"), widget=DATE)
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DATE, required=False)
    concluded_on = forms.DateField(label=_("Concluded on"), widget=DATE, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=CaseStage.choices)
    no_assets = forms.BooleanField(label=_("No assets to pay the costs (无产可破)"), required=False)
    employees = forms.IntegerField(label=_("Employees affected"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, courts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = courts  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    description = forms.CharField(
        label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class QueryForm(forms.Form):
    department = UnitChoiceField(label=_("Department asked"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("What is asked"), choices=QueryKind.choices)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}))
    for_administrator = forms.BooleanField(label=_("Asked for the administrator"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = units  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 5}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BudgetForm(forms.Form):
    mechanism = forms.ModelChoiceField(label=_("Joint meeting"), queryset=Mechanism.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, mechanisms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]


class ApplicationForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    reason = forms.CharField(
        label=_("What the money is for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. administrator's fee, announcements, audit, custody of the books."),
    )


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=100, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
