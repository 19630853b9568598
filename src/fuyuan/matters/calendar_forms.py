"""Forms of the working-day calendar page: one override day, and a year declared known."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import CalendarDayKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalendarDayForm(forms.Form):
    """A public holiday on a weekday, or a weekend day that is worked (调休)."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDayKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=40,
        required=False,
        help_text=_(
            "For example the holiday's name, or the holiday a worked weekend makes up for."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class HowYear:
    PACKAGE = "package"
    MANUAL = "manual"


class CalendarYearForm(forms.Form):
    """Declare a year's arrangement known: load it from the installed package, or mark the
    days entered by hand as complete."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    how = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (HowYear.PACKAGE, _("Load from the installed calendar package")),
            (HowYear.MANUAL, _("The days entered by hand are complete")),
        ],
        initial=HowYear.MANUAL,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("For example the State Council notice the arrangement comes from."),
    )
