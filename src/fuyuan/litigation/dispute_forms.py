"""Forms of the dispute referrals (行政争议实质性化解). They collect input; the rules live in
litigation.dispute_actions, whose ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from . import workflow as wf
from .models import DisputeStepKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HAS_CASE_CHOICES = [
    ("", _("All")),
    ("yes", _("During a case")),
    ("no", _("Before filing")),
]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class DisputeFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *wf.DISPUTE_WORKFLOW.choices()],
        required=False,
    )
    unit = UnitChoiceField(label=_("Body concerned"), queryset=Unit.objects.none(), required=False)
    year = forms.IntegerField(
        label=_("Year referred"), required=False, min_value=2000, max_value=2100
    )
    has_case = forms.ChoiceField(label=_("Case"), choices=HAS_CASE_CHOICES, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units if units is not None else Unit.objects.none()


class DisputeForm(forms.Form):
    case = forms.CharField(
        label=_("Case number"),
        max_length=60,
        required=False,
        help_text=_("Leave empty when no suit has been filed yet."),
    )
    unit = UnitChoiceField(label=_("Body concerned"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Dispute"), max_length=200)
    applicant = forms.CharField(label=_("Applicant"), max_length=200)
    summary = forms.CharField(
        label=_("Summary of the dispute"), widget=forms.Textarea(attrs={"rows": 5})
    )
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)
    mediator = forms.CharField(
        label=_("Mediator"),
        max_length=100,
        required=False,
        help_text=_("E.g. the mediation committee or the person coordinating."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class StepForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=DisputeStepKind.choices)
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(
        label=_("Closed on"),
        widget=DATE,
        required=False,
        help_text=_("For an outcome; leave empty for today."),
    )
    comment = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required for an outcome: what was agreed, or why coordination failed."),
    )
