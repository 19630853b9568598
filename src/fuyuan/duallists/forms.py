"""Forms of the dual lists. They only collect input; duallists.actions validates and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.forms import apply_errors  # noqa: F401  (re-exported for the views)
from fuyuan.org.models import ListKind, TaskArea, Unit

from .models import ListCall, ListItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def limit(form: forms.Form, name: str, queryset: Any) -> None:
    """Limit a model choice field to `queryset`."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CallForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    proposal_deadline = forms.DateField(label=_("Deadline for proposals"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ItemForm(VersionedForm):
    proposing_unit = forms.ModelChoiceField(label=_("Proposing unit"), queryset=Unit.objects.none())
    list_kind = forms.ModelChoiceField(label=_("List"), queryset=ListKind.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 4}))
    measurable_target = forms.CharField(
        label=_("Measurable target"),
        help_text=_("Quantifiable, executable and assessable (可量化、可执行、可评估)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_unit = forms.ModelChoiceField(label=_("Proposed lead unit"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Proposed co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    task_area = forms.ModelChoiceField(
        label=_("Task area"), queryset=TaskArea.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, call: ListCall, proposing_units: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        mechanism = call.mechanism
        units = (
            Unit.objects.current()
            .filter(jurisdiction_id=mechanism.jurisdiction_id)
            .order_by("order_no", "pk")
        )
        if proposing_units is None:
            del self.fields["proposing_unit"]
        else:
            limit(self, "proposing_unit", proposing_units)
        limit(self, "list_kind", mechanism.list_kinds.filter(active=True))
        limit(self, "lead_unit", units)
        limit(self, "co_units", units)
        limit(self, "task_area", mechanism.task_areas.filter(active=True))

    @classmethod
    def initial_from(cls, item: ListItem) -> dict[str, Any]:
        return {
            "version": item.version,
            "list_kind": item.list_kind_id,
            "title": item.title,
            "content": item.content,
            "measurable_target": item.measurable_target,
            "lead_unit": item.lead_unit_id,
            "co_units": [u.pk for u in item.co_units.all()],
            "deadline": item.deadline,
            "task_area": item.task_area_id,
        }


class CommentForm(VersionedForm):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ArbitrateForm(CommentForm):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.none(),
        help_text=_("Keep the lead unit, or name another one."),
    )

    def __init__(self, *args: Any, item: ListItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit(
            self,
            "lead_unit",
            Unit.objects.current()
            .filter(jurisdiction_id=item.call.mechanism.jurisdiction_id)
            .order_by("order_no", "pk"),
        )
        self.fields["lead_unit"].initial = item.lead_unit_id


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("Merge this item into it"), queryset=ListItem.objects.none()
    )
    comment = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit(self, "other", candidates)


class MeetingForm(forms.Form):
    meeting_ref = forms.CharField(
        label=_("Meeting"),
        max_length=120,
        help_text=_("The meeting that settled or approved the lists, e.g. its minutes number."),
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DATE, required=False)


class RateForm(forms.Form):
    SCORES = [(i, str(i)) for i in range(5, 0, -1)]
    timeliness = forms.TypedChoiceField(label=_("Timeliness"), choices=SCORES, coerce=int)
    quality = forms.TypedChoiceField(label=_("Quality"), choices=SCORES, coerce=int)
    effect = forms.TypedChoiceField(label=_("Effect"), choices=SCORES, coerce=int)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CarryOverForm(forms.Form):
    to_call = forms.ModelChoiceField(label=_("Into the call"), queryset=ListCall.objects.none())
    deadline = forms.DateField(
        label=_("New deadline"),
        widget=DATE,
        required=False,
        help_text=_("Empty: the end of that year."),
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit(self, "to_call", targets)
