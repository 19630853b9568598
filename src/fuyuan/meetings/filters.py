"""FilterSets of the meetings API: the meeting list's own filters (kind, year, state — as on
the page, MeetingFilterForm) plus the mechanism, an invited unit and a date range; the
invitations and the decisions by meeting, unit and state. The rows always come from
`visible_to(user)` first; a filter only narrows them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import workflow as wf
from .models import Attendance, Decision, Invitation, Meeting, MeetingKind


class IntegerFilter(django_filters.NumberFilter):
    """An id or a year: an integer, never a decimal."""

    field_class = forms.IntegerField


def _year(queryset: QuerySet[Any], field: str, value: Any) -> QuerySet[Any]:
    return queryset.filter(**{f"{field}__year": int(value)}) if value else queryset


class MeetingFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MeetingKind.choices)
    year = IntegerFilter(label=_("Year"), method="filter_year", min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(label=_("State"), choices=wf.MEETING_WORKFLOW.choices())
    mechanism = IntegerFilter(label=_("Mechanism"), field_name="mechanism_id")
    unit = IntegerFilter(label=_("Invited unit"), method="filter_unit")
    starts_from = django_filters.DateFilter(
        label=_("Starts on or after"), field_name="starts_at__date", lookup_expr="gte"
    )
    starts_to = django_filters.DateFilter(
        label=_("Starts on or before"), field_name="starts_at__date", lookup_expr="lte"
    )

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet[Meeting], name: str, value: Any) -> QuerySet[Meeting]:
        return _year(queryset, "starts_at", value)

    def filter_unit(self, queryset: QuerySet[Meeting], name: str, value: Any) -> QuerySet[Meeting]:
        if value is None:
            return queryset
        return queryset.filter(pk__in=Invitation.objects.filter(unit_id=value).values("meeting_id"))


class InvitationFilterSet(django_filters.FilterSet):
    meeting = IntegerFilter(label=_("Meeting"), field_name="meeting_id")
    unit = IntegerFilter(label=_("Unit"), field_name="unit_id")
    attendance = django_filters.ChoiceFilter(label=_("Attendance"), choices=Attendance.choices)
    meeting_state = django_filters.ChoiceFilter(
        label=_("State of the meeting"),
        field_name="meeting__state",
        choices=wf.MEETING_WORKFLOW.choices(),
    )

    class Meta:
        model = Invitation
        fields: list[str] = []


class DecisionFilterSet(django_filters.FilterSet):
    meeting = IntegerFilter(label=_("Meeting"), field_name="minutes__meeting_id")
    minutes = IntegerFilter(label=_("Minutes"), field_name="minutes_id")
    lead_unit = IntegerFilter(label=_("Lead unit"), field_name="lead_unit_id")
    year = IntegerFilter(label=_("Year"), field_name="minutes__year")
    minutes_state = django_filters.ChoiceFilter(
        label=_("State of the minutes"),
        field_name="minutes__state",
        choices=wf.MINUTES_WORKFLOW.choices(),
    )

    class Meta:
        model = Decision
        fields: list[str] = []
