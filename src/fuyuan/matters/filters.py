"""The ledger's filters (one FilterSet, reused by the API): jurisdiction (with its subtree),
units, type, task area, state, colour, year, deadline range, key issues, 涉企, keyword through
the search index, and a whitelisted sort order."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core import search
from fuyuan.core.widgets import QuickSelect, QuickSelectMultiple
from fuyuan.org.models import Jurisdiction, TaskArea, Unit

from . import cards
from . import workflow as wf
from .models import Colour, Matter, MatterCoUnit, MatterType

SEARCH_KIND = "matters.matter"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# `o` values and the ORDER BY each stands for; anything else falls back to the default.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "pk"),
    "-deadline": ("-deadline", "-pk"),
    "colour": ("colour_rank", "deadline", "pk"),
    "unit": ("lead_unit__order_no", "lead_unit_id", "deadline", "pk"),
    "-updated": ("-updated_at", "-pk"),
}
ORDERING_CHOICES = (
    ("colour", _("Warning colour, worst first")),
    ("deadline", _("Deadline, earliest first")),
    ("-deadline", _("Deadline, latest first")),
    ("unit", _("Lead unit, official order")),
    ("-updated", _("Recently updated")),
)
TIMELINESS_CHOICES = (
    ("on_time", _("Finished on time")),
    ("late", _("Finished late")),
    ("overdue", _("Running past the deadline")),
)
# Offices open the ledger to see what is burning: red first, then by deadline.
DEFAULT_ORDERING = "colour"


class LedgerFilterSet(django_filters.FilterSet):
    """Filters of the ledger. Choice lists are limited to what the user may see; the rows
    themselves must already come from `Matter.objects.visible_to(user).with_colour(today)`
    (the colour filter and sort use that annotation)."""

    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    jurisdiction = django_filters.ModelChoiceFilter(
        label=_("Jurisdiction"),
        queryset=Jurisdiction.objects.none(),
        method="filter_jurisdiction",
        widget=QuickSelect,
    )
    subtree = django_filters.BooleanFilter(
        label=_("Include lower levels"), widget=forms.CheckboxInput, method="filter_noop"
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=_("Lead unit"), queryset=Unit.objects.none(), widget=QuickSelect
    )
    co_unit = django_filters.ModelChoiceFilter(
        label=_("Co-unit"),
        queryset=Unit.objects.none(),
        method="filter_co_unit",
        widget=QuickSelect,
    )
    matter_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=MatterType.choices, widget=QuickSelect
    )
    task_area = django_filters.ModelChoiceFilter(
        label=_("Task area"), queryset=TaskArea.objects.none(), widget=QuickSelect
    )
    state = django_filters.MultipleChoiceFilter(
        label=_("State"),
        choices=wf.MATTER_WORKFLOW.choices(),
        widget=QuickSelectMultiple,
        distinct=False,  # a column of the row itself: no duplicates to remove
    )
    colour = django_filters.MultipleChoiceFilter(
        label=_("Colour"), choices=Colour.choices, widget=QuickSelectMultiple, distinct=False
    )
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    deadline_from = django_filters.DateFilter(
        label=_("Deadline from"), field_name="deadline", lookup_expr="gte", widget=DATE
    )
    deadline_to = django_filters.DateFilter(
        label=_("Deadline to"), field_name="deadline", lookup_expr="lte", widget=DATE
    )
    completed_from = django_filters.DateFilter(
        label=_("Completed from"), field_name="completed_at", lookup_expr="date__gte", widget=DATE
    )
    completed_to = django_filters.DateFilter(
        label=_("Completed to"), field_name="completed_at", lookup_expr="date__lte", widget=DATE
    )
    timeliness = django_filters.ChoiceFilter(
        label=_("Timeliness"), choices=TIMELINESS_CHOICES, method="filter_timeliness"
    )
    source_kind = django_filters.CharFilter(label=_("Source"), widget=forms.HiddenInput)
    key_issue = django_filters.BooleanFilter(
        label=_("Key issues only"), widget=forms.CheckboxInput, method="filter_key_issue"
    )
    enterprise = django_filters.BooleanFilter(
        label=_("Enterprise-related only"), widget=forms.CheckboxInput, method="filter_enterprise"
    )
    o = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=ORDERING_CHOICES,
        method="filter_noop",
        empty_label=None,
        widget=QuickSelect,
    )

    class Meta:
        model = Matter
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        units = Unit.objects.visible_to(user)
        self.filters["jurisdiction"].queryset = Jurisdiction.objects.visible_to(user)
        self.filters["lead_unit"].queryset = units
        self.filters["co_unit"].queryset = units
        self.filters["task_area"].queryset = TaskArea.objects.filter(
            mechanism__in=_visible_mechanism_ids(user)
        ).order_by("mechanism__jurisdiction__path", "order", "pk")

    @property
    def form(self) -> Any:
        """The form, its two unit lists filled from one light query (id and name) instead of
        two lists of full unit records: a city has some 1,500 units."""
        form = super().form
        if not getattr(self, "_units_listed", False):
            self._units_listed = True
            pairs = list(self.filters["lead_unit"].queryset.values_list("pk", "name"))
            for name in ("lead_unit", "co_unit"):
                field = form.fields[name]
                field.widget.choices = [("", field.empty_label), *pairs]
        return form

    # --- methods ---------------------------------------------------------------------------
    def filter_noop(self, queryset: QuerySet[Matter], name: str, value: Any) -> QuerySet[Matter]:
        return queryset  # read by filter_jurisdiction / filter_queryset

    def filter_keyword(self, queryset: QuerySet[Matter], name: str, value: str) -> QuerySet[Matter]:
        ids = search.matching_ids(SEARCH_KIND, value or "")
        if ids is None:
            return queryset
        return queryset.filter(pk__in=ids)

    def filter_jurisdiction(
        self, queryset: QuerySet[Matter], name: str, value: Jurisdiction | None
    ) -> QuerySet[Matter]:
        if value is None:
            return queryset
        if self.form.cleaned_data.get("subtree"):
            return queryset.filter(jurisdiction__path__startswith=value.path)
        return queryset.filter(jurisdiction=value)

    def filter_co_unit(
        self, queryset: QuerySet[Matter], name: str, value: Unit | None
    ) -> QuerySet[Matter]:
        if value is None:
            return queryset
        # A subquery, not a join: no duplicate rows and no DISTINCT over the annotations.
        return queryset.filter(pk__in=MatterCoUnit.objects.filter(unit=value).values("matter_id"))

    def filter_timeliness(
        self, queryset: QuerySet[Matter], name: str, value: str
    ) -> QuerySet[Matter]:
        """The rows behind the dashboard's on-time completion rate and red list."""
        if value == "on_time":
            return queryset.filter(cards.finished_on_time_q())
        if value == "late":
            return queryset.filter(Q(state__in=wf.DONE_STATES) & cards.finished_late_q())
        if value == "overdue":
            today = timezone.localdate()
            return queryset.filter(state__in=wf.RUNNING_STATES, deadline__lt=today)
        return queryset

    def filter_key_issue(
        self, queryset: QuerySet[Matter], name: str, value: Any
    ) -> QuerySet[Matter]:
        return queryset.filter(is_key_issue=True) if value else queryset

    def filter_enterprise(
        self, queryset: QuerySet[Matter], name: str, value: Any
    ) -> QuerySet[Matter]:
        return queryset.filter(enterprise_related=True) if value else queryset

    def filter_queryset(self, queryset: QuerySet[Matter]) -> QuerySet[Matter]:
        queryset = super().filter_queryset(queryset)
        return queryset.order_by(*ORDERINGS[self.ordering])

    @property
    def ordering(self) -> str:
        form = self.form
        value = form.cleaned_data.get("o") if hasattr(form, "cleaned_data") else None
        return value if value in ORDERINGS else DEFAULT_ORDERING


def _visible_mechanism_ids(user: Any) -> Any:
    from fuyuan.org.models import Mechanism

    return Mechanism.objects.visible_to(user).values("pk")
