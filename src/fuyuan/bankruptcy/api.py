"""REST API of bankruptcy coordination (docs/api.md): the court's bankruptcy cases
(purpose-bound dataset "bankruptcy.cases"), coordination items with their matters,
information queries with the department's answer, and the cost fund's balance and ledger.

Reads come from `visible_to(user)` as on the pages (bankruptcy.queries); the one write, a
department answering a query, calls `actions.answer_query`, the page's audited path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.accounts.permissions import can
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission

from . import actions, queries
from . import workflow as wf
from .models import (
    BankruptcyCase,
    CoordinationItem,
    Fund,
    FundMovement,
    InformationQuery,
    QueryState,
)


class BankruptcyViewSet(ScopedReadViewSet):
    resource = "bankruptcy"
    permission_classes = [ScopePermission, MembersOnly]


# --- cases -------------------------------------------------------------------------------------
class BankruptcyCaseSerializer(serializers.ModelSerializer[BankruptcyCase]):
    court_name = serializers.CharField(source="court.name", read_only=True)
    jurisdiction_name = serializers.CharField(source="mechanism.jurisdiction.name", read_only=True)
    item_count = serializers.IntegerField(read_only=True, help_text="Coordination items.")
    open_queries = serializers.IntegerField(read_only=True, help_text="Queries unanswered.")

    class Meta:
        model = BankruptcyCase
        fields = [
            "id",
            "number",
            "year",
            "type_code",
            "court",
            "court_name",
            "mechanism",
            "jurisdiction_name",
            "debtor_name",
            "debtor_credit_code",
            "administrator",
            "administrator_contact",
            "applied_on",
            "accepted_on",
            "concluded_on",
            "stage",
            "no_assets",
            "employees",
            "note",
            "item_count",
            "open_queries",
            "version",
        ]
        read_only_fields = fields


class BankruptcyCaseViewSet(BankruptcyViewSet):
    """Bankruptcy cases as the ledger shows them (its filters: `q`, `year`, `court`, `stage`,
    `no_assets`), with counts of items and open queries."""

    dataset = "bankruptcy.cases"
    serializer_class = BankruptcyCaseSerializer
    filterset_class = queries.CaseFilterSet

    def visible(self) -> QuerySet[BankruptcyCase]:
        return queries.list_rows(self.request.user)


# --- coordination items ------------------------------------------------------------------------
class CoordinationItemSerializer(serializers.ModelSerializer[CoordinationItem]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    matter_state = serializers.CharField(
        source="matter.state", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = CoordinationItem
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "description",
            "lead_unit",
            "lead_unit_name",
            "requested_on",
            "deadline",
            "matter",
            "matter_state",
        ]
        read_only_fields = fields


class CoordinationItemViewSet(BankruptcyViewSet):
    """Coordination items (协调事项) of the cases the user may see, each with its supervised
    matter; filter by `case`, `kind`, `lead_unit`."""

    serializer_class = CoordinationItemSerializer
    filterset_class = queries.ItemFilterSet

    def visible(self) -> QuerySet[CoordinationItem]:
        return queries.visible_items(self.request.user).order_by("-requested_on", "-pk")


# --- information queries -----------------------------------------------------------------------
class InformationQuerySerializer(serializers.ModelSerializer[InformationQuery]):
    case_number = serializers.CharField(source="case.number", read_only=True)
    debtor_name = serializers.CharField(source="case.debtor_name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = InformationQuery
        fields = [
            "id",
            "case",
            "case_number",
            "debtor_name",
            "department",
            "department_name",
            "kind",
            "question",
            "for_administrator",
            "asked_on",
            "due_on",
            "overdue",
            "state",
            "answered_on",
            "answer_working_days",
            "result",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, item: InformationQuery) -> bool:
        return item.state == QueryState.SENT and item.due_on < timezone.localdate()


class QueryAnswerInput(serializers.Serializer[Any]):
    result = serializers.CharField(help_text="The answer about the debtor.")
    version = serializers.IntegerField(
        required=False, help_text="The query's version as you read it (409 if it changed)."
    )


class InformationQueryViewSet(BankruptcyViewSet):
    """Queries of the court (or the administrator) to departments, as the query list shows
    them (its filters: `q`, `department`, `kind`, `state`, `overdue`); the department asked
    answers."""

    serializer_class = InformationQuerySerializer
    filterset_class = queries.QueryFilterSet

    def visible(self) -> QuerySet[InformationQuery]:
        return queries.visible_queries(self.request.user).order_by("-asked_on", "-pk")

    @extend_schema(
        request=QueryAnswerInput,
        responses={200: InformationQuerySerializer},
        summary="Answer a query (the department asked)",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The department's answer (`actions.answer_query`); the turnaround is counted in
        working days and the court is told."""
        item = self.get_object()
        if not can(request.user, "answer", item):
            raise PermissionDenied("answer")
        data = QueryAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.answer_query(
            request.user,
            item,
            result=data.validated_data["result"],
            expected_version=data.validated_data.get("version"),
        )
        fresh = self.visible().get(pk=item.pk)
        return Response(
            InformationQuerySerializer(fresh, context=self.get_serializer_context()).data
        )


# --- the cost fund -----------------------------------------------------------------------------
class FundMovementSerializer(serializers.ModelSerializer[FundMovement]):
    case_number = serializers.CharField(
        source="application.case.number", read_only=True, allow_null=True, default=None
    )
    by_name = serializers.CharField(
        source="by.display_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FundMovement
        fields = ["id", "kind", "amount", "on", "note", "application", "case_number", "by_name"]
        read_only_fields = fields


class FundSerializer(serializers.ModelSerializer[Fund]):
    jurisdiction_name = serializers.CharField(source="mechanism.jurisdiction.name", read_only=True)
    balance = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Available: the budget not yet committed by an approval.",
    )
    cash = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Budget not yet paid out."
    )
    waiting = serializers.IntegerField(read_only=True, help_text="Applications awaiting.")
    waiting_amount = serializers.SerializerMethodField(help_text="Their amounts together.")

    class Meta:
        model = Fund
        fields = [
            "id",
            "mechanism",
            "jurisdiction_name",
            "year",
            "budget",
            "committed",
            "paid",
            "balance",
            "cash",
            "waiting",
            "waiting_amount",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_waiting_amount(self, fund: Fund) -> str:
        return f"{getattr(fund, 'waiting_amount', None) or 0:.2f}"


class FundDetailSerializer(FundSerializer):
    movements = FundMovementSerializer(many=True, read_only=True)

    class Meta(FundSerializer.Meta):
        fields = [*FundSerializer.Meta.fields, "movements"]
        read_only_fields = fields


class FundViewSet(BankruptcyViewSet):
    """The bankruptcy-cost funds the user may see (the offices and leaders of the joint
    meeting, the courts of its area): budget, committed, paid, balance; a fund's page adds
    its ledger of movements."""

    serializer_class = FundSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return FundDetailSerializer if self.action == "retrieve" else FundSerializer

    def visible(self) -> QuerySet[Fund]:
        rows = queries.visible_funds(self.request.user).annotate(
            waiting=Count("applications", filter=Q(applications__state__in=wf.OPEN_STATES)),
            waiting_amount=Sum(
                "applications__amount", filter=Q(applications__state__in=wf.OPEN_STATES)
            ),
        )
        if getattr(self, "action", "") == "retrieve":
            rows = rows.prefetch_related(
                Prefetch(
                    "movements",
                    queryset=FundMovement.objects.select_related("application__case", "by"),
                )
            )
        return rows.order_by("-year", "mechanism__jurisdiction__path", "pk")


routes = [
    ("bankruptcy/cases", BankruptcyCaseViewSet, "bankruptcy-case"),
    ("bankruptcy/items", CoordinationItemViewSet, "bankruptcy-item"),
    ("bankruptcy/queries", InformationQueryViewSet, "bankruptcy-query"),
    ("bankruptcy/funds", FundViewSet, "bankruptcy-fund"),
]
