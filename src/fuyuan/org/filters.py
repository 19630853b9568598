"""FilterSets of the org API, mirroring the unit list page's own filters (UnitFilterForm:
name contains, jurisdiction, kind, include former units). The rows always come from
`visible_to(user)` first; a filter only narrows them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Jurisdiction, JurisdictionLevel, Unit, UnitKind


class IntegerFilter(django_filters.NumberFilter):
    """An id: an integer, never a decimal."""

    field_class = forms.IntegerField


class UnitFilterSet(django_filters.FilterSet):
    """As on the unit list: current units only unless `former` is set."""

    q = django_filters.CharFilter(label=_("Name contains"), method="filter_name")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    former = django_filters.BooleanFilter(
        label=_("Include former units"), widget=forms.CheckboxInput, method="filter_noop"
    )

    class Meta:
        model = Unit
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user)

    def filter_name(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))

    def filter_noop(self, queryset: QuerySet[Unit], name: str, value: Any) -> QuerySet[Unit]:
        return queryset  # read by filter_queryset

    def filter_queryset(self, queryset: QuerySet[Unit]) -> QuerySet[Unit]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("former"):
            queryset = queryset.current()  # type: ignore[attr-defined]
        return queryset.order_by("jurisdiction__path", "order_no", "pk")


class JurisdictionFilterSet(django_filters.FilterSet):
    """The jurisdiction tree: by level, or the children of one jurisdiction."""

    level = django_filters.ChoiceFilter(label=_("Level"), choices=JurisdictionLevel.choices)
    parent = IntegerFilter(label=_("Parent"), field_name="parent_id")

    class Meta:
        model = Jurisdiction
        fields: list[str] = []
