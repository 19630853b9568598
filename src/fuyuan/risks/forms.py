"""Forms of the risks app. They collect input; the rules live in risks.actions, whose
ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Jurisdiction, Mechanism, Unit

from . import workflow as wf
from .models import ProjectStatus, RiskKind, RiskLevel, StalledProject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *RiskKind.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All")), *RiskLevel.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *wf.EVENT_WORKFLOW.choices()],
        required=False,
    )
    year = forms.IntegerField(
        label=_("Year reported"), required=False, min_value=2000, max_value=2100
    )


class EventForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    mechanism = forms.ModelChoiceField(label=_("Joint meeting"), queryset=Mechanism.objects.none())
    title = forms.CharField(label=_("Risk event"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskKind.choices)
    level = forms.ChoiceField(label=_("Level"), choices=RiskLevel.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    units_involved = UnitMultipleChoiceField(
        label=_("Units involved"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    project = forms.ModelChoiceField(
        label=_("Stalled project"),
        queryset=StalledProject.objects.none(),
        required=False,
        help_text=_("For a stalled-housing event: the project in the ledger."),
    )
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        mechanisms: Any,
        units: Any,
        projects: Any,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "mechanism", mechanisms)
        _set_queryset(self, "lead_unit", units)
        _set_queryset(self, "units_involved", units)
        _set_queryset(self, "project", projects)
        if editing:
            del self.fields["mechanism"]


class NoteForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(
        label=_("Date"),
        widget=DATE,
        required=False,
        help_text=_("For a resolution or closure; leave empty for today."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to resolve, close or reopen: say how, or why."),
    )


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    description = forms.CharField(
        label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "lead_unit", units)


class ProjectFilterForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ProjectStatus.choices], required=False
    )
    white_list = forms.ChoiceField(
        label=_("White list"),
        choices=[("", _("All")), ("yes", _("On the white list")), ("no", _("Not on it"))],
        required=False,
    )

    def __init__(self, *args: Any, jurisdictions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "jurisdiction", jurisdictions)


class ProjectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    name = forms.CharField(label=_("Project"), max_length=200)
    developer = forms.CharField(label=_("Developer"), max_length=200)
    developer_credit_code = forms.CharField(
        label=_("Developer's credit code"), max_length=30, required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for accepting a code that fails its check"),
        max_length=200,
        required=False,
        help_text=_("Office only, when the code is right although its check fails."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    # At most what the column holds (PositiveIntegerField): a larger figure is refused here.
    households_affected = forms.IntegerField(
        label=_("Households affected"), min_value=0, max_value=2_147_483_647
    )
    households_delivered = forms.IntegerField(
        label=_("Households delivered"), min_value=0, max_value=2_147_483_647, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    stopped_on = forms.DateField(label=_("Stopped on"), widget=DATE)
    restarted_on = forms.DateField(label=_("Restarted on"), widget=DATE, required=False)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, required=False)
    white_list = forms.BooleanField(
        label=_("On the financing white list (房地产融资协调机制白名单)"), required=False
    )
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args: Any, jurisdictions: Any, units: Any, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "jurisdiction", jurisdictions)
        _set_queryset(self, "responsible_unit", units)
        if editing:
            del self.fields["jurisdiction"]
