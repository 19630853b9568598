"""Forms of the ledger (its filters are `filters.LedgerFilterSet`; the bulk update uses the
shared importer's forms, `core.import_views`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of this filter"), max_length=60)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)
