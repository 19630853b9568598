"""FilterSets of the dual-lists API: calls by mechanism, year and state; items by call,
mechanism, year, list kind (code or id), state, task area and unit (proposing, lead or
co-unit). The rows always come from `visible_to(user)` first; a filter only narrows them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from . import workflow as wf
from .models import ListCall, ListItem


class IntegerFilter(django_filters.NumberFilter):
    """An id or a year: an integer, never a decimal."""

    field_class = forms.IntegerField


class CallFilterSet(django_filters.FilterSet):
    mechanism = IntegerFilter(label=_("Mechanism"), field_name="mechanism_id")
    year = IntegerFilter(label=_("Year"), field_name="year")
    state = django_filters.ChoiceFilter(label=_("State"), choices=wf.CALL_WORKFLOW.choices())

    class Meta:
        model = ListCall
        fields: list[str] = []


class ItemFilterSet(django_filters.FilterSet):
    call = IntegerFilter(label=_("Call"), field_name="call_id")
    mechanism = IntegerFilter(label=_("Mechanism"), field_name="call__mechanism_id")
    year = IntegerFilter(label=_("Year"), field_name="call__year")
    kind = django_filters.CharFilter(label=_("List (code)"), field_name="list_kind__code")
    list_kind = IntegerFilter(label=_("List"), field_name="list_kind_id")
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=wf.ITEM_WORKFLOW.choices()
    )
    task_area = IntegerFilter(label=_("Task area"), field_name="task_area_id")
    lead_unit = IntegerFilter(label=_("Lead unit"), field_name="lead_unit_id")
    proposing_unit = IntegerFilter(label=_("Proposing unit"), field_name="proposing_unit_id")
    unit = IntegerFilter(label=_("Unit (proposing, lead or co-unit)"), method="filter_unit")

    class Meta:
        model = ListItem
        fields: list[str] = []

    def filter_unit(
        self, queryset: QuerySet[ListItem], name: str, value: Any
    ) -> QuerySet[ListItem]:
        if value is None:
            return queryset
        co = ListItem.co_units.through.objects.filter(unit_id=value).values("listitem_id")
        return queryset.filter(Q(proposing_unit_id=value) | Q(lead_unit_id=value) | Q(pk__in=co))
