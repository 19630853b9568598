"""Forms of the recommendation pages. They collect input; the rules live in
litigation.recommendation_actions, whose ValidationError codes the views put back on the
fields (the reply form's per-item fields are named like the action's error keys)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from . import workflow as wf
from .models import (
    Adoption,
    RecommendationFileKind,
    RecommendationItem,
    RecommendationKind,
    RecommendationScope,
)
from .recommendation_actions import split_items

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class RecommendationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=RecommendationKind.choices)
    scope = forms.ChoiceField(label=_("Scope"), choices=RecommendationScope.choices)
    issuer = UnitChoiceField(label=_("Issuing body"), queryset=Unit.objects.none())
    recipient = UnitChoiceField(label=_("Recipient unit"), queryset=Unit.objects.none())
    document_number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=60,
        help_text=_("As on the letter, e.g. 驻中法建〔2026〕3号."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the cases revealed: the facts and the problems found."),
    )
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One item per line; each becomes a rectification matter of the recipient when the "
            "delivery is recorded."
        ),
    )
    case_numbers = forms.CharField(
        label=_("Related case numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. （2026）豫17行初12号; cases held here are linked."),
    )

    def __init__(self, *args: Any, issuers: Any, recipients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "issuer", issuers)
        _set_queryset(self, "recipient", recipients)

    def clean_items(self) -> list[str]:
        items = split_items(self.cleaned_data.get("items") or "")
        if not items:
            raise forms.ValidationError(
                _("Write at least one item."), code="litigation.items_required"
            )
        return items


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *RecommendationKind.choices]
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        required=False,
        choices=[("", _("All scopes")), *RecommendationScope.choices],
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *wf.RECOMMENDATION_WORKFLOW.choices()],
    )
    issuer = UnitChoiceField(
        label=_("Issuing body"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All issuing bodies"),
    )
    recipient = UnitChoiceField(
        label=_("Recipient unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All recipients"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    overdue = forms.BooleanField(label=_("Reply overdue only"), required=False)

    def __init__(self, *args: Any, issuers: Any, recipients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "issuer", issuers)
        _set_queryset(self, "recipient", recipients)


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return a reply or to close out."),
    )


class DeliverForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE)


class UrgeForm(forms.Form):
    note = forms.CharField(
        label=_("Message to the recipient"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReplyForm(forms.Form):
    """The reply letter and, per item, `adoption_<id>` and `reason_<id>`."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    replied_on = forms.DateField(
        label=_("Replied on"),
        widget=DATE,
        help_text=_("A later reply keeps the date of the first one for the on-time figure."),
    )
    reply_text = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The substance of the reply letter: what was done about the recommendation."),
    )
    file = forms.FileField(
        label=_("Reply letter"),
        required=False,
        help_text=_("PDF, Word, OFD or images; at most 20 MB."),
    )

    def __init__(self, *args: Any, items: list[RecommendationItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"adoption_{item.pk}"] = forms.ChoiceField(
                label=_("Adoption of item %(n)d") % {"n": item.order},
                choices=Adoption.choices,
                widget=forms.RadioSelect,
                initial=item.adoption or None,
            )
            self.fields[f"reason_{item.pk}"] = forms.CharField(
                label=_("Reason or measures taken"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=item.adoption_reason,
                help_text=_("Required when the item is partly adopted or not adopted."),
            )

    def item_rows(self) -> list[tuple[RecommendationItem, Any, Any]]:
        return [(i, self[f"adoption_{i.pk}"], self[f"reason_{i.pk}"]) for i in self.items]

    def adoptions(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            i.pk: (data.get(f"adoption_{i.pk}") or "", data.get(f"reason_{i.pk}") or "")
            for i in self.items
        }


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=RecommendationFileKind.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, RecommendationFileKind(k).label) for k in kinds]
