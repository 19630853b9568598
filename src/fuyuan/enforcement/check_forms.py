"""Forms of the list-check pages. They collect input; the rules live in
enforcement.check_actions, whose ValidationError codes the views put back on the fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.core.identifiers import IdentifierError
from fuyuan.org.models import Unit

from . import measures
from .check_actions import parse_identifier
from .models import FeedbackAction, HitState, Scenario

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class CheckForm(forms.Form):
    """One party (name + identifier) or a batch file (名称 + 证件号码 columns)."""

    unit = UnitChoiceField(label=_("Department"), queryset=Unit.objects.none())
    scenario = forms.ChoiceField(label=_("Business scenario"), choices=Scenario.choices)
    reference = forms.CharField(
        label=_("Business reference"),
        required=False,
        max_length=120,
        help_text=_("The project, tender or application the check is for."),
    )
    name = forms.CharField(label=_("Name of the party"), required=False, max_length=200)
    identifier = forms.CharField(
        label=_("ID number or credit code"),
        required=False,
        max_length=64,
        help_text=_("Leave empty to check the name alone (any match then needs confirmation)."),
    )
    file = forms.FileField(
        label=_("Or a batch file"),
        required=False,
        help_text=_(
            "CSV (UTF-8 or GB18030) or .xlsx with the columns 名称 (or 姓名) and 证件号码 "
            "(or 统一社会信用代码); up to 100,000 rows."
        ),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean_identifier(self) -> str:
        raw = (self.cleaned_data.get("identifier") or "").strip()
        try:
            parse_identifier(raw)
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = (data.get("name") or "").strip()
        if data.get("file") and (name or data.get("identifier")):
            raise forms.ValidationError(
                _("Check one party or upload a batch, not both."), code="enforcement.one_or_batch"
            )
        if not data.get("file") and not name and "identifier" not in self.errors:
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Give the party's name, or upload a batch file."),
                    code="enforcement.name_required",
                ),
            )
        return data


class FeedbackForm(forms.Form):
    action = forms.ChoiceField(label=_("What you did"), choices=FeedbackAction.choices)
    measure = forms.ChoiceField(label=_("Measure applied"), required=False, choices=())
    note = forms.CharField(
        label=_("Note or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, scenario: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *measures.measure_choices(scenario)]


class ConfirmForm(forms.Form):
    same = forms.TypedChoiceField(
        label=_("Same party?"),
        choices=(("yes", _("Same party")), ("no", _("Not the same party"))),
        coerce=lambda v: v == "yes",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


STATE_FILTERS = (
    ("", _("All matches")),
    ("hits", _("Hits")),
    ("unanswered", _("Hits awaiting feedback")),
    (HitState.NEEDS_CONFIRMATION, _("Needs confirmation")),
    (HitState.NOT_SAME, _("Not the same party")),
)


class MatchFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), required=False, choices=STATE_FILTERS)


class ListFilterForm(forms.Form):
    scenario = forms.ChoiceField(
        label=_("Business scenario"), required=False, choices=[("", "—"), *Scenario.choices]
    )
    unanswered = forms.BooleanField(label=_("With hits awaiting feedback"), required=False)


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("From"), required=False, widget=DATE)
    last = forms.DateField(label=_("To"), required=False, widget=DATE)

    def period(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The chosen period; the current year by default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        first = data.get("first") or datetime.date(today.year, 1, 1)
        last = data.get("last") or today
        if last < first:
            first, last = last, first
        return first, last
