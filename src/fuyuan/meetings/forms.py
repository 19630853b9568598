"""Forms of the meetings app. They validate input; the writes are in actions.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Post
from fuyuan.matters.models import Matter
from fuyuan.org.models import Unit

from . import workflow as wf
from .models import AgendaItem, Attendance, MeetingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form field it names, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    chair_post = forms.ModelChoiceField(
        label=_("Chair"), queryset=Post.objects.none(), required=False
    )
    chair_note = forms.CharField(
        label=_("Chair note"),
        max_length=120,
        required=False,
        help_text=_("E.g. who chairs on the convener's behalf."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=DATETIME, input_formats=DATETIME_FORMATS, required=False
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Invited units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A record to put on the agenda of the new meeting (from the agenda picker).
    reference_kind = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    reference_id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    reference_title = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, mechanism: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair_post"].queryset = (  # type: ignore[attr-defined]
            Post.objects.filter(unit__jurisdiction=mechanism.jurisdiction)
            .select_related("unit", "holder")
            .order_by("unit__order_no", "order", "pk")
        )
        self.fields["chair_post"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.unit.name} {p.title}" + (f"（{p.holder.name}）" if p.holder else "")
        )
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


class AgendaForm(forms.Form):
    # The existing item a row edits (its pk): the item is updated in place, so its reference
    # (kind + id, never shown as a field) and the decisions linked to it survive the edit.
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Agenda item"), max_length=200, required=False)
    matter = forms.ModelChoiceField(
        label=_("Matter"), queryset=Matter.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, matters: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if matters is not None:
            self.fields["matter"].queryset = matters  # type: ignore[attr-defined]


AgendaFormSet = forms.formset_factory(AgendaForm, extra=3)


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    comment_deadline = forms.DateField(label=_("Comments due by"), widget=DATE, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SignInForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    attendee_name = forms.CharField(label=_("Name"), max_length=60, required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class MinutesForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_("Headings start with 一、 or （一）; one paragraph per line."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"), queryset=Unit.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    agenda_item = forms.ModelChoiceField(
        label=_("On agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        help_text=_("The decision then shows on the page of the record the item is about."),
    )

    def __init__(
        self, *args: Any, units: Any = None, agenda_items: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
            self.fields["co_units"].queryset = units  # type: ignore[attr-defined]
        if agenda_items is not None:
            self.fields["agenda_item"].queryset = agenda_items  # type: ignore[attr-defined]
        self.fields["agenda_item"].label_from_instance = (  # type: ignore[attr-defined]
            lambda a: f"{a.order}. {a.title}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("text") or "").strip()
        if text or data.get("lead_unit") or data.get("deadline"):
            if not text:
                self.add_error("text", _("Enter the decision."))
            if not data.get("lead_unit"):
                self.add_error("lead_unit", _("Choose the lead unit."))
            deadline = data.get("deadline")
            if not deadline:
                self.add_error("deadline", _("Enter the deadline."))
            elif deadline < timezone.localdate() - datetime.timedelta(days=1):
                self.add_error("deadline", _("The deadline is in the past."))
        return data

    @property
    def row(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not (data.get("text") or "").strip():
            return None
        return {
            "text": data["text"],
            "lead_unit": data["lead_unit"],
            "co_units": list(data.get("co_units") or []),
            "deadline": data["deadline"],
            "agenda_item": data.get("agenda_item"),
        }


DecisionFormSet = forms.formset_factory(DecisionForm, extra=2)


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *MeetingKind.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *wf.MEETING_WORKFLOW.choices()], required=False
    )
