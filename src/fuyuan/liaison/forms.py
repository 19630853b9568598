"""Forms of the liaison app. They collect input; the rules live in liaison.actions, whose
ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class LetterForm(forms.Form):
    sender_unit = UnitChoiceField(label=_("Sending unit"), queryset=Unit.objects.none())
    recipient_unit = UnitChoiceField(
        label=_("Receiving unit"),
        queryset=Unit.objects.none(),
        help_text=_("Usually the court of the same level or above, or the department concerned."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    reply_by = forms.DateField(
        label=_("Reply by"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for the joint meeting's usual number of working days."),
    )
    file = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, OFD or images; at most 20 MB."),
    )

    def __init__(self, *args: Any, senders: Any, recipients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sender_field = self.fields["sender_unit"]
        recipient_field = self.fields["recipient_unit"]
        assert isinstance(sender_field, forms.ModelChoiceField)
        assert isinstance(recipient_field, forms.ModelChoiceField)
        sender_field.queryset = senders
        recipient_field.queryset = recipients


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("Attachment"), required=False)


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when there is no consensus: say what is still disputed."),
    )


class CoordinateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    outcome = forms.CharField(
        label=_("Outcome of the coordination"), widget=forms.Textarea(attrs={"rows": 5})
    )
    agenda_note = forms.CharField(
        label=_("Put on a coordination meeting's agenda"),
        required=False,
        max_length=200,
        help_text=_("Optional: which meeting and when, if the question goes to a meeting."),
    )
    open_matter = forms.BooleanField(
        label=_("Open a supervised matter for the follow-up"), required=False
    )
    lead_unit = UnitChoiceField(
        label=_("Lead unit of the matter"), queryset=Unit.objects.none(), required=False
    )
    matter_title = forms.CharField(
        label=_("Title of the matter"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the letter's subject."),
    )
    deadline = forms.DateField(label=_("Deadline of the matter"), required=False, widget=DATE)

    def __init__(self, *args: Any, lead_units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = lead_units if lead_units is not None else Unit.objects.none()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class TabForm(forms.Form):
    q = forms.CharField(label=_("Subject or unit contains"), required=False)
