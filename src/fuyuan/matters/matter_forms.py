"""Forms of a matter's own page: registering and editing, transitions, urging, feedback,
co-unit reports, extensions, decomposition, evaluation. They collect input; the rules live in
matters.actions, whose ValidationError codes the views put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.models import Person, Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.org.models import Mechanism, TaskArea, Unit

from .models import DeadlineKind, FeedbackCadence, Matter, MatterType, Milestone

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def office_mechanisms(user: Any) -> Any:
    """The joint meetings whose office the user works in."""
    ids = sorted(scope_for(user).assigned_jurisdictions.get(Role.OFFICE, frozenset()))
    return Mechanism.objects.filter(jurisdiction_id__in=ids).select_related("jurisdiction")


def _units_of(jurisdiction_ids: list[int]) -> Any:
    return (
        Unit.objects.current()
        .filter(jurisdiction_id__in=jurisdiction_ids)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


class MatterFieldsForm(forms.Form):
    """The fields the office types when registering or editing a matter."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    matter_type = forms.ChoiceField(label=_("Type"), choices=MatterType.choices)
    task_area = forms.ModelChoiceField(
        label=_("Task area"), queryset=TaskArea.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    is_key_issue = forms.BooleanField(label=_("Key issue"), required=False)
    enterprise_related = forms.BooleanField(label=_("Enterprise-related"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=200,
        help_text=_("Separate tags with commas."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    deadline_kind = forms.ChoiceField(label=_("Deadline rule"), choices=DeadlineKind.choices)
    deadline_days = forms.IntegerField(
        label=_("Days allowed"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("For a rule counted in days."),
    )
    deadline = forms.DateField(
        label=_("Deadline date"),
        required=False,
        widget=DATE,
        help_text=_("For a fixed-date rule."),
    )
    feedback_cadence = forms.ChoiceField(
        label=_("Reporting cadence"), choices=FeedbackCadence.choices
    )
    feedback_day = forms.IntegerField(
        label=_("Report before day of month"),
        min_value=1,
        max_value=28,
        required=False,
        help_text=_("For a monthly cadence, e.g. 25."),
    )
    supervising_leader = forms.ModelChoiceField(
        label=_("Supervising leader"), queryset=Person.objects.none(), required=False
    )

    def _scope_choices(self, jurisdiction_ids: list[int], mechanisms: Any) -> None:
        units = _units_of(jurisdiction_ids)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]
        self.fields["task_area"].queryset = TaskArea.objects.filter(  # type: ignore[attr-defined]
            mechanism__in=mechanisms, active=True
        ).order_by("mechanism", "order", "pk")
        self.fields["supervising_leader"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(posts__unit__jurisdiction_id__in=jurisdiction_ids)
            .distinct()
            .order_by("name", "pk")
        )

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        parts = [p.strip() for p in raw.replace("，", ",").split(",")]
        return [p for p in dict.fromkeys(parts) if p]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead_unit")
        area = data.get("task_area")
        mechanism = data.get("mechanism") or getattr(self, "mechanism", None)
        if mechanism is not None:
            if lead is not None and lead.jurisdiction_id != mechanism.jurisdiction_id:
                self.add_error(
                    "lead_unit", _("The lead unit must belong to the joint meeting's jurisdiction.")
                )
            if area is not None and area.mechanism_id != mechanism.pk:
                self.add_error("task_area", _("This task area belongs to another joint meeting."))
            for unit in data.get("co_units") or []:
                if unit.jurisdiction_id != mechanism.jurisdiction_id:
                    self.add_error(
                        "co_units",
                        _("Co-units must belong to the joint meeting's jurisdiction."),
                    )
                    break
        return data

    def matter_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "title",
                "description",
                "matter_type",
                "task_area",
                "lead_unit",
                "supervising_leader",
                "is_key_issue",
                "enterprise_related",
                "tags",
                "start_date",
                "deadline_kind",
                "deadline_days",
                "deadline",
                "feedback_cadence",
                "feedback_day",
            )
        }


class MatterCreateForm(MatterFieldsForm):
    mechanism = forms.ModelChoiceField(label=_("Joint meeting"), queryset=Mechanism.objects.none())

    field_order = ["mechanism"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mechanisms = office_mechanisms(actor)
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]
        if len(mechanisms) == 1:
            self.fields["mechanism"].initial = mechanisms[0].pk
        self._scope_choices([m.jurisdiction_id for m in mechanisms], mechanisms)


class MatterEditForm(MatterFieldsForm):
    # The version the editor read: required, so an edit can never silently overwrite another
    # person's (the save is refused when the matter changed since).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form was opened without the record's version: reload the page."),
            "invalid": _("The form was opened without the record's version: reload the page."),
        },
    )
    progress_typed = forms.IntegerField(
        label=_("Progress typed (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Used only when the matter has no milestones and no sub-matters."),
    )

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mechanism = matter.mechanism
        self._scope_choices([matter.jurisdiction_id], [matter.mechanism])

    def matter_values(self) -> dict[str, Any]:
        values = super().matter_values()
        values["progress_typed"] = self.cleaned_data.get("progress_typed")
        values["co_units"] = list(self.cleaned_data.get("co_units") or [])
        return values


class MilestoneForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Milestone"), max_length=120, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    weight = forms.IntegerField(
        label=_("Weight"), min_value=1, max_value=100, required=False, initial=1
    )
    delete = forms.BooleanField(label=_("Remove"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("due_date") and not data.get("delete"):
            self.add_error("due_date", _("Give the milestone's due date."))
        return data


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3)


def milestone_rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data.get("title") or f.cleaned_data.get("id")
    ]


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("Completion report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to report the matter done."),
    )
    handler = forms.ModelChoiceField(
        label=_("Section handler"), queryset=Person.objects.none(), required=False
    )
    unit_leader = forms.ModelChoiceField(
        label=_("Leader in charge who checks"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fuyuan.accounts.models import User

        queryset = candidates if candidates is not None else User.objects.none()
        self.fields["handler"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["unit_leader"].queryset = queryset  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("summary", "handler", "unit_leader") if data.get(k)}


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Progress made"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, required=False
    )
    milestone = forms.ModelChoiceField(
        label=_("Milestone reached"), queryset=Milestone.objects.none(), required=False
    )
    file = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, matter: Matter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = Milestone.objects.filter(  # type: ignore[attr-defined]
            matter=matter, reached_on__isnull=True
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("New deadline asked for"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    progress_note = forms.CharField(
        label=_("Progress so far"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvaluationForm(forms.Form):
    SCORES = [(i, str(i)) for i in range(5, 0, -1)]
    timeliness = forms.TypedChoiceField(label=_("Timeliness"), choices=SCORES, coerce=int)
    quality = forms.TypedChoiceField(label=_("Quality"), choices=SCORES, coerce=int)
    effect = forms.TypedChoiceField(label=_("Effect"), choices=SCORES, coerce=int)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecomposePartForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("Owner (lead unit)"), queryset=Unit.objects.none(), required=False
    )
    title = forms.CharField(label=_("Sub-matter title"), max_length=200, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    weight = forms.IntegerField(
        label=_("Weight"), min_value=1, max_value=100, required=False, initial=1
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lead_unit") and not data.get("deadline"):
            self.add_error("deadline", _("Give the sub-matter's deadline."))
        return data


DecomposeFormSet = forms.formset_factory(DecomposePartForm, extra=4)


def decomposition_units(matter: Matter) -> Any:
    """Owners a sub-matter may have: units of the matter's own jurisdiction and of the
    jurisdictions just below that run a joint meeting (county offices and their units)."""
    below = Mechanism.objects.filter(
        Q(jurisdiction_id=matter.jurisdiction_id)
        | Q(jurisdiction__parent_id=matter.jurisdiction_id)
    ).values_list("jurisdiction_id", flat=True)
    return _units_of(list(below))
