"""Filters of the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Outcome


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    object_kind = forms.CharField(label=_("Object kind"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def apply(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        data = self.cleaned_data
        if data.get("actor"):
            rows = rows.filter(actor_name__icontains=data["actor"])
        if data.get("action"):
            rows = rows.filter(action__icontains=data["action"])
        if data.get("object_kind"):
            rows = rows.filter(object_kind=data["object_kind"])
        if data.get("outcome"):
            rows = rows.filter(outcome=data["outcome"])
        if data.get("date_from"):
            rows = rows.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            rows = rows.filter(at__date__lt=data["date_to"] + datetime.timedelta(days=1))
        return rows
