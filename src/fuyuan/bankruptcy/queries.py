"""Reads of the bankruptcy app, all built on `visible_to(user)`: the case ledger and its
filters, the query list, the funds and their applications, and the figures (cases by stage,
coordination items open and done, query turnaround per department, fund budget, committed,
paid and balance) — computed from the records, never typed."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.matters import workflow as matter_wf
from fuyuan.org.models import Unit

from .models import (
    BankruptcyCase,
    CaseStage,
    CoordinationItem,
    Fund,
    FundApplication,
    InformationQuery,
    ItemKind,
    QueryKind,
    QueryState,
)


def visible_cases(user: Any) -> QuerySet[BankruptcyCase]:
    return BankruptcyCase.objects.visible_to(user).select_related(
        "court", "mechanism__jurisdiction"
    )


def list_rows(user: Any) -> QuerySet[BankruptcyCase]:
    """The ledger's rows with their counts of items and open queries (one query)."""
    return (
        visible_cases(user)
        .annotate(
            item_count=Count("items", distinct=True),
            open_queries=Count("queries", filter=Q(queries__state=QueryState.SENT), distinct=True),
        )
        .order_by("-applied_on", "-pk")
    )


def _units(ids: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=ids).order_by("jurisdiction__path", "order_no", "pk")


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    year = django_filters.NumberFilter(label=_("Year filed"), min_value=1990, max_value=2100)
    court = django_filters.ModelChoiceFilter(label=_("Court"), queryset=Unit.objects.none())
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=CaseStage.choices)
    no_assets = django_filters.BooleanFilter(
        label=_("No assets only"), widget=forms.CheckboxInput, method="filter_no_assets"
    )

    class Meta:
        model = BankruptcyCase
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["court"].queryset = _units(
            BankruptcyCase.objects.visible_to(user).values("court_id")
        )

    def filter_keyword(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(debtor_name__icontains=value)
            | Q(debtor_credit_code__icontains=value)
            | Q(administrator__icontains=value)
        )

    def filter_no_assets(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(no_assets=True) if value else queryset


def visible_queries(user: Any) -> QuerySet[InformationQuery]:
    return InformationQuery.objects.visible_to(user).select_related(
        "case__court", "department", "asked_by"
    )


class QueryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Keyword"), method="filter_keyword")
    department = django_filters.ModelChoiceFilter(
        label=_("Department asked"), queryset=Unit.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=_("What is asked"), choices=QueryKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=QueryState.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), widget=forms.CheckboxInput, method="filter_overdue"
    )

    class Meta:
        model = InformationQuery
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: Any = None, *, request: Any = None) -> None:
        super().__init__(data, queryset, request=request)
        user = getattr(request, "user", None)
        self.filters["department"].queryset = _units(
            InformationQuery.objects.visible_to(user).values("department_id")
        )

    def filter_keyword(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(case__number__icontains=value)
            | Q(case__debtor_name__icontains=value)
            | Q(question__icontains=value)
        )

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if not value:
            return queryset
        return queryset.filter(state=QueryState.SENT, due_on__lt=timezone.localdate())


def visible_items(user: Any) -> QuerySet[CoordinationItem]:
    """Coordination items of the cases the user may see (a case's page lists them all)."""
    return CoordinationItem.objects.filter(
        case__in=BankruptcyCase.objects.visible_to(user).values("pk")
    ).select_related("case", "lead_unit", "matter")


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within the database's integer range."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class ItemFilterSet(django_filters.FilterSet):
    """Filters of coordination items (the REST API's list; the pages show them per case)."""

    case = IdFilter(label=_("Case"), field_name="case_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ItemKind.choices)
    lead_unit = IdFilter(label=_("Lead unit"), field_name="lead_unit_id")

    class Meta:
        model = CoordinationItem
        fields: list[str] = []


def visible_funds(user: Any) -> QuerySet[Fund]:
    return Fund.objects.visible_to(user).select_related("mechanism__jurisdiction")


def applications_of(fund: Fund, user: Any) -> QuerySet[FundApplication]:
    """The fund's applications on cases the user may see (the office sees all its own)."""
    return (
        FundApplication.objects.filter(fund=fund)
        .filter(
            Q(case__in=BankruptcyCase.objects.visible_to(user).values("pk"))
            | Q(fund__in=Fund.objects.visible_to(user).values("pk"))
        )
        .select_related("case__court", "applied_by")
        .order_by("-applied_on", "-pk")
    )


# --- figures ----------------------------------------------------------------------------------
def case_stage_counts(cases: QuerySet[BankruptcyCase]) -> list[dict[str, Any]]:
    counts = dict(cases.order_by().values_list("stage").annotate(n=Count("pk")))
    return [{"stage": s, "label": s.label, "count": counts.get(s.value, 0)} for s in CaseStage]


def item_counts(cases: QuerySet[BankruptcyCase]) -> list[dict[str, Any]]:
    """Per kind: items, open (matter running) and done (matter completed or closed)."""
    rows = (
        CoordinationItem.objects.filter(case__in=cases.values("pk"))
        .order_by()
        .values("kind")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(matter__state__in=matter_wf.DONE_STATES)),
        )
    )
    found = {r["kind"]: r for r in rows}
    result = []
    for kind in ItemKind:
        row = found.get(kind.value, {"total": 0, "done": 0})
        result.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "total": row["total"],
                "done": row["done"],
                "open": row["total"] - row["done"],
            }
        )
    return result


def query_turnaround(
    queries: QuerySet[InformationQuery], today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Per department: queries asked, answered, average turnaround in working days, answered
    within the due date, unanswered and overdue."""
    today = today or timezone.localdate()
    rows = (
        queries.order_by()
        .values("department_id", "department__name")
        .annotate(
            asked=Count("pk", filter=~Q(state=QueryState.WITHDRAWN)),
            answered=Count("pk", filter=Q(state=QueryState.ANSWERED)),
            on_time=Count("pk", filter=Q(state=QueryState.ANSWERED, answered_on__lte=F("due_on"))),
            average=Avg("answer_working_days", filter=Q(state=QueryState.ANSWERED)),
            overdue=Count("pk", filter=Q(state=QueryState.SENT, due_on__lt=today)),
            waiting=Count("pk", filter=Q(state=QueryState.SENT)),
        )
        .order_by("department__jurisdiction__path", "department__order_no", "department_id")
    )
    return [
        {**r, "average": round(float(r["average"]), 1) if r["average"] is not None else None}
        for r in rows
    ]


def fund_rows(funds: QuerySet[Fund]) -> list[dict[str, Any]]:
    """Budget, committed, paid and balance of each fund, with its applications waiting."""
    rows = funds.annotate(
        waiting=Count("applications", filter=Q(applications__state__in=("submitted", "reviewed"))),
        waiting_amount=Sum(
            "applications__amount", filter=Q(applications__state__in=("submitted", "reviewed"))
        ),
    ).order_by("-year", "mechanism__jurisdiction__path")
    return [
        {
            "fund": f,
            "budget": f.budget,
            "committed": f.committed,
            "paid": f.paid,
            "balance": f.balance,
            "waiting": f.waiting,  # type: ignore[attr-defined]
            "waiting_amount": f.waiting_amount or 0,  # type: ignore[attr-defined]
        }
        for f in rows
    ]


def figures(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    cases = BankruptcyCase.objects.visible_to(user)
    return {
        "stages": case_stage_counts(cases),
        "case_total": cases.count(),
        "items": item_counts(cases),
        "turnaround": query_turnaround(InformationQuery.objects.visible_to(user), today),
        "funds": fund_rows(Fund.objects.visible_to(user).select_related("mechanism")),
    }
