"""Forms of cases, hearings and head-appearance records. They collect input; the rules live
in litigation.actions, whose ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit
from fuyuan.org.settings_schema import ADMIN_CASE_OUTCOMES

from .models import CaseStage, HeadRank, HearingState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class CaseForm(forms.Form):
    number = forms.CharField(
        label=_("Case number"),
        max_length=60,
        help_text=_("As the court writes it, e.g. （2024）豫1722行初35号."),
    )
    court = UnitChoiceField(label=_("Court"), queryset=Unit.objects.none())
    defendant = UnitChoiceField(label=_("Defendant body"), queryset=Unit.objects.none())
    co_defendants = UnitMultipleChoiceField(
        label=_("Co-defendants"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Further defendant bodies, if any."),
    )
    plaintiffs = forms.CharField(
        label=_("Plaintiffs"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    cause = forms.CharField(
        label=_("Cause of action"),
        max_length=120,
        help_text=_("E.g. 工伤认定, 行政处罚, 政府信息公开."),
    )
    enterprise_related = forms.BooleanField(label=_("Enterprise-related (涉企)"), required=False)
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE)
    stage = forms.ChoiceField(label=_("Stage"), choices=CaseStage.choices)
    concluded_on = forms.DateField(label=_("Concluded on"), widget=DATE, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", "---------"), *ADMIN_CASE_OUTCOMES.items()],
        required=False,
    )
    outcome_note = forms.CharField(
        label=_("About the outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, courts: Any, defendants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("court", courts),
            ("defendant", defendants),
            ("co_defendants", defendants),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class HearingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label=_("Courtroom"), max_length=100, required=False)


class HearingEditForm(HearingForm):
    state = forms.ChoiceField(label=_("State"), choices=HearingState.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AppearanceForm(forms.Form):
    rank = forms.ChoiceField(
        label=_("Who appeared for the defendant body"),
        choices=HeadRank.choices,
        widget=forms.RadioSelect,
    )
    head_name = forms.CharField(label=_("Name of the head"), max_length=60, required=False)
    head_post = forms.CharField(
        label=_("Post of the head"),
        max_length=60,
        required=False,
        help_text=_("E.g. 局长, 副局长."),
    )
    spoke = forms.BooleanField(label=_("The head spoke in court (出庭出声)"), required=False)
    absence_reason = forms.CharField(
        label=_("Reason for absence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when no head appeared: the body's written explanation."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CorrectionForm(AppearanceForm):
    comment = forms.CharField(
        label=_("Answer to the body"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the body disputed the record: say what was corrected."),
    )


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to dispute a record, or to answer a dispute."),
    )
