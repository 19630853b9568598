"""Forms of the bulletin pages. They only collect input; dashboard.bulletin_actions validates
and writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BulletinPeriod, section_label


class GenerateForm(forms.Form):
    mechanism: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Joint meeting"), queryset=None
    )
    kind = forms.ChoiceField(label=_("Period"), choices=BulletinPeriod.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Month or quarter"),
        min_value=1,
        max_value=12,
        required=False,
        help_text=_("1–12 for a month, 1–4 for a quarter; leave empty for a year."),
    )

    def __init__(self, *args: Any, mechanisms: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        previous = today.replace(day=1) - datetime.timedelta(days=1)
        kwargs.setdefault(
            "initial",
            {"kind": BulletinPeriod.MONTH, "year": previous.year, "number": previous.month},
        )
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]
        only = list(mechanisms[:2])
        if len(only) == 1:
            self.fields["mechanism"].initial = only[0].pk


def _section(name: str, rows: int) -> forms.CharField:
    return forms.CharField(
        label=section_label(name),
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=_("Each line is printed as a paragraph."),
    )


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    recipients = forms.CharField(label=_("Recipients"), max_length=200, required=False)
    opening = _section("opening", 3)
    overview = _section("overview", 6)
    lists = _section("lists", 6)
    ranking = _section("ranking", 5)
    good_practice = _section("good_practice", 6)
    requirements = _section("requirements", 5)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(
        label=_("Period"), choices=[("", _("All")), *BulletinPeriod.choices], required=False
    )
