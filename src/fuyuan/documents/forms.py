"""Forms of the documents app. They only collect input; documents.actions validates and
writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DocumentKind, DocumentNumber, OfficialDocument
from .workflow import DOCUMENT_WORKFLOW


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's errors on the named field when the form has it, else on the form;
    codes are kept so tests assert them."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "display_name", "") or obj.username)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    recipients = forms.CharField(
        label=_("Recipients"), max_length=200, required=False, help_text=_("e.g. 各成员单位：")
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=OfficialDocument._meta.get_field("body").help_text,
    )
    copy_to = forms.CharField(label=_("Copy to"), max_length=300, required=False)
    issue_label = forms.CharField(
        label=_("Issue label (minutes)"), max_length=20, required=False, help_text=_("e.g. 第3期")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Title contains"), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *DOCUMENT_WORKFLOW.choices()], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *DocumentKind.choices], required=False
    )


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    checker = UserChoiceField(label=_("Section chief"), queryset=None, required=False)
    signer = UserChoiceField(label=_("Bureau leader"), queryset=None, required=False)
    number = forms.ModelChoiceField(
        label=_("Document number"), queryset=DocumentNumber.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, staff: Any, numbers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checker"].queryset = staff  # type: ignore[attr-defined]
        self.fields["signer"].queryset = staff  # type: ignore[attr-defined]
        self.fields["number"].queryset = numbers  # type: ignore[attr-defined]


class ReserveForm(forms.Form):
    mechanism: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Joint meeting"), queryset=None
    )
    number = forms.CharField(
        label=_("Document number"), max_length=60, help_text=_("e.g. 驻府院办〔2026〕3号")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, mechanisms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]
        only = list(mechanisms[:2])
        if len(only) == 1:
            self.fields["mechanism"].initial = only[0].pk
