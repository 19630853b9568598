"""Forms and the list's filters for point-to-point inquiries (点对点查控). They collect input;
the rules live in enforcement.inquiry_actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from .models import IdType, Inquiry, InquiryKind, InquiryState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.jurisdiction.name} · {obj.name}"


class InquiryForm(forms.Form):
    court = UnitChoiceField(label=_("Asking court"), queryset=Unit.objects.none())
    department = UnitChoiceField(label=_("Department asked"), queryset=Unit.objects.none())
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=60,
        help_text=_("The enforcement case the inquiry is for, e.g. （2025）豫17执88号."),
    )
    kind = forms.ChoiceField(label=_("What is asked"), choices=InquiryKind.choices)
    party_name = forms.CharField(label=_("Party"), max_length=200)
    party_id_type = forms.ChoiceField(label=_("Identity document"), choices=IdType.choices)
    party_id_number = forms.CharField(label=_("Identifier"), max_length=40)
    confirm_identifier = forms.BooleanField(
        label=_("The number is correct as written (its check character fails)"), required=False
    )
    question = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    due_on = forms.DateField(
        label=_("Answer due"),
        widget=DATE,
        required=False,
        help_text=_("Three working days unless given."),
    )

    def __init__(self, *args: Any, courts: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("court", courts), ("department", departments)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the answer's register extracts and certificates)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class AnswerForm(forms.Form):
    result = forms.CharField(
        label=_("Result"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was found (or that nothing was found)."),
    )
    answer_files = MultipleFileField(label=_("Files"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class InquiryFilterSet(django_filters.FilterSet):
    """Filters of the inquiry list; rows must come from `Inquiry.objects.visible_to(user)`."""

    q = django_filters.CharFilter(label=_("Case number or party"), method="filter_keyword")
    department = django_filters.ModelChoiceFilter(
        label=_("Department asked"), queryset=Unit.objects.none()
    )
    court = django_filters.ModelChoiceFilter(label=_("Asking court"), queryset=Unit.objects.none())
    kind = django_filters.ChoiceFilter(label=_("What is asked"), choices=InquiryKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=InquiryState.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), widget=forms.CheckboxInput, method="filter_overdue"
    )

    class Meta:
        model = Inquiry
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        visible = Inquiry.objects.visible_to(getattr(request, "user", None))
        for name, field in (("department", "department_id"), ("court", "court_id")):
            self.filters[name].queryset = (
                Unit.objects.filter(pk__in=visible.values(field))
                .select_related("jurisdiction")
                .order_by("jurisdiction__path", "order_no", "pk")
            )

    def filter_keyword(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(case_number__icontains=value) | Q(party_name__icontains=value))

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(state=InquiryState.SENT, due_on__lt=timezone.localdate())
