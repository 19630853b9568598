"""Forms of the ledger and bulk update (the ledger's filters are `filters.LedgerFilterSet`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .bulk import MAX_BYTES


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=60)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled spreadsheet (.xlsx)"),
        help_text=_("The file downloaded from this page, with progress filled in."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        return upload


class BulkConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
