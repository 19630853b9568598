"""Forms of the figures page (its filters, kept in the URL) and of the annual report (choosing
the mechanism and year; the court's text). They collect input; the rules live in
litigation.figures and litigation.annual_report."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Jurisdiction, Mechanism

from .models import AdminCase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MIN_YEAR = 1990
MAX_DAYS = 366 * 5


class MechanismChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class JurisdictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return "　" * max(depth - 1, 0) + str(obj.name)


def figure_jurisdictions(user: Any) -> QuerySet[Jurisdiction]:
    """Jurisdictions the figures may be narrowed to: those of the user's cases and those whose
    reference data the user sees."""
    seen = AdminCase.objects.visible_to(user).order_by().values("jurisdiction_id")
    return Jurisdiction.objects.filter(
        Q(pk__in=seen) | Q(pk__in=Jurisdiction.objects.visible_to(user).values("pk"))
    ).order_by("path")


class FigureFilterForm(forms.Form):
    """The figures page's filters: the mechanism whose definitions apply, a jurisdiction (and
    those below it), and a year or a date range (a range wins)."""

    mechanism = MechanismChoiceField(
        label=_("Definitions of"),
        queryset=Mechanism.objects.none(),
        required=False,
        empty_label=None,
    )
    jurisdiction = JurisdictionChoiceField(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        required=False,
        empty_label=_("All I may see"),
    )
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=2100, required=False)
    date_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("To"), widget=DATE, required=False)

    def __init__(self, *args: Any, user: Any, default_mechanism: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        mechanisms = (
            Mechanism.objects.visible_to(user)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path")
        )
        mechanism_field = cast(forms.ModelChoiceField, self.fields["mechanism"])
        mechanism_field.queryset = mechanisms
        mechanism_field.initial = default_mechanism.pk if default_mechanism else None
        cast(forms.ModelChoiceField, self.fields["jurisdiction"]).queryset = figure_jurisdictions(
            user
        )
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if bool(start) != bool(end):
            raise forms.ValidationError(
                _("Give both dates of the period, or neither."), code="litigation.period_dates"
            )
        if start and end:
            if start > end:
                self.add_error(
                    "date_to",
                    forms.ValidationError(
                        _("The end of the period is before its start."),
                        code="litigation.period_order",
                    ),
                )
            elif (end - start).days > MAX_DAYS:
                self.add_error(
                    "date_to",
                    forms.ValidationError(
                        _("Choose a period of at most five years."),
                        code="litigation.period_length",
                    ),
                )
        return data


class ReportChoiceForm(forms.Form):
    """Which report: the mechanism and the year (GET, kept in the URL)."""

    mechanism = MechanismChoiceField(
        label=_("Joint meeting"), queryset=Mechanism.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR)

    def __init__(self, *args: Any, mechanisms: QuerySet[Mechanism], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["mechanism"]).queryset = mechanisms
        # The upper bound moves with today's date.
        self.fields["year"] = forms.IntegerField(
            label=_("Year"), min_value=MIN_YEAR, max_value=timezone.localdate().year
        )


def default_report_year(today: datetime.date | None = None) -> int:
    """Reports are written early in the following year: before July, last year's."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month < 7 else today.year


class ReportTextForm(forms.Form):
    """The court's text of the annual report."""

    problems = forms.CharField(
        label=_("Typical problems found in the year's cases"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("One paragraph per line."),
    )
    suggestions = forms.CharField(
        label=_("The court's recommendations"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One paragraph per line."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
