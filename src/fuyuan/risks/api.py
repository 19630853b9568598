"""REST API of major risks (docs/api.md), read-only: risk events with their units, state and
coordination matters (an event's page adds its dated history), and the stalled-housing
ledger. Rows come from `visible_to(user)` as on the pages (risks.queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fuyuan.accounts.api import MembersOnly
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission
from fuyuan.org.models import Unit

from . import queries
from . import workflow as wf
from .models import RiskEvent, RiskEventEntry, RiskMatter, StalledProject


class RisksViewSet(ScopedReadViewSet):
    resource = "risks"
    permission_classes = [ScopePermission, MembersOnly]


class RiskUnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = ["id", "name"]
        read_only_fields = fields


class RiskEventEntrySerializer(serializers.ModelSerializer[RiskEventEntry]):
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = RiskEventEntry
        fields = ["id", "on", "kind", "transition", "text", "author_name"]
        read_only_fields = fields


class RiskEventSerializer(serializers.ModelSerializer[RiskEvent]):
    jurisdiction_name = serializers.CharField(source="mechanism.jurisdiction.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    units_involved = RiskUnitSerializer(many=True, read_only=True)
    state_label = serializers.SerializerMethodField()
    matter_ids = serializers.SerializerMethodField(help_text="Its coordination matters.")

    class Meta:
        model = RiskEvent
        fields = [
            "id",
            "mechanism",
            "jurisdiction_name",
            "title",
            "kind",
            "level",
            "description",
            "lead_unit",
            "lead_unit_name",
            "units_involved",
            "project",
            "reported_on",
            "state",
            "state_label",
            "closed_on",
            "matter_ids",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, event: RiskEvent) -> str:
        return str(wf.EVENT_WORKFLOW.state(event.state).label)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_matter_ids(self, event: RiskEvent) -> list[int]:
        return sorted(link.matter_id for link in event.matters.all())


class RiskEventDetailSerializer(RiskEventSerializer):
    entries = RiskEventEntrySerializer(many=True, read_only=True)

    class Meta(RiskEventSerializer.Meta):
        fields = [*RiskEventSerializer.Meta.fields, "entries"]
        read_only_fields = fields


class RiskEventViewSet(RisksViewSet):
    """Risk events as the event list shows them (its filters: `kind`, `level`, `state`,
    `year`); an event's page adds its history of notes and state changes."""

    serializer_class = RiskEventSerializer
    filterset_class = queries.EventFilterSet

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return RiskEventDetailSerializer if self.action == "retrieve" else RiskEventSerializer

    def visible(self) -> QuerySet[RiskEvent]:
        rows = queries.visible_events(self.request.user).prefetch_related(
            Prefetch("matters", queryset=RiskMatter.objects.order_by("matter_id"))
        )
        if getattr(self, "action", "") == "retrieve":
            rows = rows.prefetch_related(
                Prefetch(
                    "entries",
                    queryset=RiskEventEntry.objects.select_related("author").order_by("on", "pk"),
                )
            )
        return rows.order_by("-reported_on", "-pk")


class StalledProjectSerializer(serializers.ModelSerializer[StalledProject]):
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    delivery_rate = serializers.SerializerMethodField(
        help_text="Households delivered ÷ households affected, in percent."
    )

    class Meta:
        model = StalledProject
        fields = [
            "id",
            "jurisdiction",
            "jurisdiction_name",
            "name",
            "developer",
            "developer_credit_code",
            "location",
            "households_affected",
            "households_delivered",
            "delivery_rate",
            "status",
            "stopped_on",
            "restarted_on",
            "delivered_on",
            "white_list",
            "responsible_unit",
            "responsible_unit_name",
            "note",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True))
    def get_delivery_rate(self, project: StalledProject) -> str | None:
        rate = queries.percent(project.households_delivered, project.households_affected)
        return None if rate is None else str(rate)


class StalledProjectViewSet(RisksViewSet):
    """The stalled-housing ledger (问题楼盘) as its page shows it (filters: `jurisdiction`,
    `status`, `white_list` = yes / no)."""

    serializer_class = StalledProjectSerializer
    filterset_class = queries.ProjectFilterSet

    def visible(self) -> QuerySet[StalledProject]:
        return queries.visible_projects(self.request.user).order_by(
            "jurisdiction__path", "name", "pk"
        )


routes = [
    ("risks/events", RiskEventViewSet, "risks-event"),
    ("risks/projects", StalledProjectViewSet, "risks-project"),
]
