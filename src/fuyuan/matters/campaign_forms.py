"""Forms of the special campaigns: planning one, picking matters, starting and concluding. They
collect input; the rules live in matters.campaigns, whose error codes the views put back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from .campaigns import CAMPAIGN_CADENCES
from .models import CampaignKind, FeedbackCadence

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    mechanism: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Joint meeting"), queryset=None, empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    feedback_cadence = forms.ChoiceField(
        label=_("Reporting cadence"),
        choices=[(c.value, c.label) for c in FeedbackCadence if c in CAMPAIGN_CADENCES],
        initial=FeedbackCadence.MONTHLY,
    )
    feedback_day = forms.IntegerField(
        label=_("Report before day of month"),
        min_value=1,
        max_value=28,
        required=False,
        help_text=_("For a monthly cadence, e.g. 25."),
    )

    def __init__(self, *args: Any, mechanisms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class MatterPickFilterForm(forms.Form):
    """Search the matters that may be taken into the campaign: by title and by lead unit."""

    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class MatterPickForm(forms.Form):
    """The ticked matters; the choices are the campaign's candidates (checked in one query)."""

    matters: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Matters"), queryset=None
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matters"].queryset = candidates  # type: ignore[attr-defined]


class StartForm(forms.Form):
    apply_cadence = forms.BooleanField(
        label=_("Give the campaign's reporting cadence to its matters that have none"),
        required=False,
        initial=True,
    )


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
