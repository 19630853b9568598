"""Forms of the assessment. They collect input; the rules live in assessment.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.forms import apply_errors  # noqa: F401  (re-exported for the views)

from . import indicators as catalogue
from .models import Indicator, NoData, Ranking

POINTS = {"step": "0.01"}


class SchemeForm(forms.Form):
    year = forms.IntegerField(label=_("Year assessed"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    total_points = forms.DecimalField(
        label=_("Total points"),
        max_digits=6,
        decimal_places=2,
        initial=100,
        widget=forms.NumberInput(attrs=POINTS),
        help_text=_("The indicators' weights must add up to this."),
    )
    ranking = forms.ChoiceField(label=_("Equal totals"), choices=Ranking.choices)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Indicator"), required=False)
    name = forms.CharField(label=_("Name in the scheme"), max_length=80, required=False)
    weight = forms.DecimalField(
        label=_("Weight (points)"),
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    target = forms.DecimalField(
        label=_("Target value"),
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    deduction_step = forms.DecimalField(
        label=_("Deduct per point below the target"),
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    yellow_points = forms.DecimalField(
        label=_("Per yellow card"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    red_points = forms.DecimalField(
        label=_("Per red card"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    if_no_data = forms.ChoiceField(
        label=_("No records"), choices=NoData.choices, initial=NoData.FULL
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *catalogue.choices()]  # type: ignore[attr-defined]


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2)


def indicator_initial(indicators: list[Indicator]) -> list[dict[str, Any]]:
    return [
        {
            "kind": i.kind,
            "name": i.name,
            "weight": i.weight,
            "target": i.target,
            "deduction_step": i.deduction_step,
            "yellow_points": i.yellow_points,
            "red_points": i.red_points,
            "if_no_data": i.if_no_data,
        }
        for i in indicators
    ]


def default_indicators() -> list[dict[str, Any]]:
    """A new scheme starts from every kind of the catalogue with equal-ish weights the office
    then changes (they add up to 100)."""
    kinds = list(catalogue.CATALOGUE)
    share, rest = divmod(100, len(kinds))
    return [
        {"kind": code, "weight": share + (1 if n < rest else 0), "if_no_data": NoData.FULL}
        for n, code in enumerate(kinds)
    ]


def indicator_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled rows of the formset (a row without an indicator is ignored)."""
    return [
        {
            "kind": f.cleaned_data["kind"],
            "name": f.cleaned_data.get("name") or "",
            "weight": f.cleaned_data.get("weight"),
            "target": f.cleaned_data.get("target"),
            "deduction_step": f.cleaned_data.get("deduction_step"),
            "yellow_points": f.cleaned_data.get("yellow_points"),
            "red_points": f.cleaned_data.get("red_points"),
            "if_no_data": f.cleaned_data.get("if_no_data") or NoData.FULL,
        }
        for f in formset.forms
        if f.cleaned_data.get("kind")
    ]


class AdjustForm(forms.Form):
    delta = forms.DecimalField(
        label=_("Points (+ to add, − to deduct)"),
        max_digits=6,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=POINTS),
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator concerned"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("The result as a whole"),
    )
    # Not required here: the action refuses an adjustment without a reason, with its code.
    reason = forms.CharField(
        label=_("Reason for the adjustment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Required. The reason is kept with the result and shown in the export."),
    )

    def __init__(self, *args: Any, scheme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = scheme.indicators.order_by("order", "pk")  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
