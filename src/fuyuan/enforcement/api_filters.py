"""FilterSets of the debtor list and of list checks, mirroring the query parameters of their
pages (which filter by hand: `debtor_views._filtered`, `check_views.check_list`), so that the
REST API filters the same way the pages do. Rows must come from `visible_to(user)`."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fuyuan.org.models import Unit

from . import check_actions, debtor_actions
from .models import Check, DebtorRecord, DebtorState, PartyKind, Scenario

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DebtorFilterSet(django_filters.FilterSet):
    """The debtor list's filters (`DebtorFilterForm`): name, exact identifier (found through
    the blind index, never by reading the encrypted column), executing court, state, party,
    year published — and a published date range."""

    q = django_filters.CharFilter(label=_("Name"), method="filter_name", max_length=100)
    ident = django_filters.CharFilter(
        label=_("Identifier (exact)"), method="filter_identifier", max_length=40
    )
    court = django_filters.CharFilter(label=_("Executing court"), method="filter_court")
    state = django_filters.ChoiceFilter(label=_("State"), choices=DebtorState.choices)
    party_kind = django_filters.ChoiceFilter(label=_("Party"), choices=PartyKind.choices)
    year = django_filters.NumberFilter(
        label=_("Published in"),
        field_name="published_on",
        lookup_expr="year",
        min_value=1990,
        max_value=2100,
    )
    published_from = django_filters.DateFilter(
        label=_("Published from"), field_name="published_on", lookup_expr="gte", widget=DATE
    )
    published_to = django_filters.DateFilter(
        label=_("Published until"), field_name="published_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = DebtorRecord
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def filter_identifier(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Exactly this identifier, through the page's own blind-index search."""
        value = (value or "").strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        return queryset & debtor_actions.search_by_identifier(user, value)

    def filter_court(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(court_name__icontains=value) | Q(court__short_name=value))


class CheckFilterSet(django_filters.FilterSet):
    """The check list's filters (`ListFilterForm`): business scenario, with hits awaiting
    feedback; and the department."""

    scenario = django_filters.ChoiceFilter(label=_("Business scenario"), choices=Scenario.choices)
    unanswered = django_filters.BooleanFilter(
        label=_("With hits awaiting feedback"), method="filter_unanswered"
    )
    unit = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Unit.objects.none())

    class Meta:
        model = Check
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        visible = Check.objects.visible_to(getattr(request, "user", None))
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=visible.values("unit_id"))

    def filter_unanswered(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if not value:
            return queryset
        waiting = Check.objects.filter(
            matches__state__in=check_actions.HIT_STATES, matches__feedback=""
        )
        return queryset.filter(pk__in=waiting.values("pk"))
