"""Forms of the debtor list: the list's filters (kept in the URL), removing an entry and
confirming an entry held at import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DebtorState, PartyKind, RemovalReason


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class DebtorFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    ident = forms.CharField(
        label=_("Identifier (exact)"),
        required=False,
        max_length=40,
        help_text=_("The full number: found without reading the stored numbers."),
    )
    court = forms.CharField(label=_("Executing court"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=_blank(DebtorState.choices))
    party_kind = forms.ChoiceField(
        label=_("Party"), required=False, choices=_blank(PartyKind.choices)
    )
    year = forms.IntegerField(
        label=_("Published in"), required=False, min_value=1990, max_value=2100
    )


class RemovalForm(forms.Form):
    removed_on = forms.DateField(
        label=_("Removed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=_("Reason for removal"), choices=RemovalReason.choices)
    note = forms.CharField(
        label=_("About the removal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"removed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ConfirmHeldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the entry is confirmed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
