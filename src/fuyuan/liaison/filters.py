"""The letter list's filters as a FilterSet (used by the API): the page's tab (received,
sent, escalated, all) and keyword, plus state, units, joint meeting, sending dates and the
overdue flag. The rows always come from `visible_to(user)` first; a filter only narrows
them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import queries
from . import workflow as wf
from .models import LiaisonLetter

TAB_CHOICES = (
    (queries.TAB_RECEIVED, _("Received")),
    (queries.TAB_SENT, _("Sent")),
    (queries.TAB_ESCALATED, _("Escalated")),
    (queries.TAB_ALL, _("All letters")),
)


class IntegerFilter(django_filters.NumberFilter):
    """An id: an integer, never a decimal."""

    field_class = forms.IntegerField


class LetterFilterSet(django_filters.FilterSet):
    tab = django_filters.ChoiceFilter(label=_("Tab"), choices=TAB_CHOICES, method="filter_tab")
    q = django_filters.CharFilter(label=_("Subject or unit contains"), method="filter_keyword")
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=wf.LETTER_WORKFLOW.choices()
    )
    mechanism = IntegerFilter(label=_("Joint meeting"), field_name="mechanism_id")
    sender_unit = IntegerFilter(label=_("Sending unit"), field_name="sender_unit_id")
    recipient_unit = IntegerFilter(label=_("Receiving unit"), field_name="recipient_unit_id")
    sent_from = django_filters.DateFilter(
        label=_("Sent on or after"), field_name="sent_at__date", lookup_expr="gte"
    )
    sent_to = django_filters.DateFilter(
        label=_("Sent on or before"), field_name="sent_at__date", lookup_expr="lte"
    )
    overdue = django_filters.BooleanFilter(
        label=_("Unanswered past the reply-by date"), method="filter_overdue"
    )

    class Meta:
        model = LiaisonLetter
        fields: list[str] = []

    def filter_tab(
        self, queryset: QuerySet[LiaisonLetter], name: str, value: Any
    ) -> QuerySet[LiaisonLetter]:
        """The page's tab, from its own query (queries.letters_in_tab)."""
        if not value or self.request is None:
            return queryset
        return queryset & queries.letters_in_tab(self.request.user, value)

    def filter_keyword(
        self, queryset: QuerySet[LiaisonLetter], name: str, value: Any
    ) -> QuerySet[LiaisonLetter]:
        text = (value or "").strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(subject__icontains=text)
            | Q(sender_unit__name__icontains=text)
            | Q(recipient_unit__name__icontains=text)
        )

    def filter_overdue(
        self, queryset: QuerySet[LiaisonLetter], name: str, value: Any
    ) -> QuerySet[LiaisonLetter]:
        if value is None:
            return queryset
        late = Q(state=wf.SENT, reply_by__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
