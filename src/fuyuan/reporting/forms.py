"""Forms of material collection. They collect input; the rules live in reporting.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.org.forms import DATE, apply_errors  # noqa: F401  (re-exported for the views)
from fuyuan.org.models import Jurisdiction, Mechanism, Unit

from . import queries
from . import workflow as wf
from .models import CollectionKind, CollectionTarget


class CollectionFilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *CollectionKind.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *wf.COLLECTION_WORKFLOW.choices()],
        required=False,
    )


class CollectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CollectionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    template = forms.FileField(
        label=_("Template file"),
        required=False,
        help_text=_("Word, WPS, PDF or spreadsheet; checked by its content."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units that must submit"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    jurisdictions = forms.ModelMultipleChoiceField(
        label=_("Counties that must submit (after their own approval)"),
        queryset=Jurisdiction.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, mechanism: Mechanism, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "units": list(queries.member_units(mechanism).values_list("pk", flat=True)),
                "jurisdictions": list(
                    queries.child_counties(mechanism).values_list("pk", flat=True)
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = queries.candidate_units(mechanism)  # type: ignore[attr-defined]
        self.fields["jurisdictions"].queryset = queries.child_counties(mechanism)  # type: ignore[attr-defined]

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(
                _("The deadline cannot be before today."), code="collection.deadline_past"
            )
        return deadline


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, OFD, JPEG, PNG or plain text; checked by its content."),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)
    unit_leader = forms.ModelChoiceField(
        label=_("Leader in charge who approves"),
        queryset=Unit.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, target: CollectionTarget, needs_leader: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if needs_leader and target.unit_id:
            self.fields["unit_leader"].queryset = queries.leader_candidates(target)  # type: ignore[attr-defined]
            self.fields["unit_leader"].required = True
        else:
            del self.fields["unit_leader"]


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
