"""REST API of the organisation (docs/api.md), read only and scoped as the org pages: the
jurisdiction tree, the units with their history (valid from/to, predecessors and successor,
official order number, credit code) and the joint meetings with their rules — the settings a
city chooses, without the security ones (allowed second factors) — and task areas. Members of
a joint meeting and the system and security administrators read them (others: 403)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.api import ScopedReadViewSet

from .filters import JurisdictionFilterSet, UnitFilterSet
from .models import Jurisdiction, Mechanism, TaskArea, Unit

# A page number past the end is 404, as DRF's pagination answers it.


# --- serializers ---------------------------------------------------------------------------
class JurisdictionSerializer(serializers.ModelSerializer[Jurisdiction]):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Jurisdiction
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "stat_code",
            "level",
            "level_label",
            "parent",
            "path",
            "depth",
            "order",
            "runs_own_mechanism",
        ]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer[Unit]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)
    successor_name = serializers.CharField(
        source="successor.name", read_only=True, allow_null=True, default=None
    )
    predecessors = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "jurisdiction",
            "jurisdiction_name",
            "order_no",
            "credit_code",
            "court_code",
            "valid_from",
            "valid_to",
            "is_current",
            "successor",
            "successor_name",
            "predecessors",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_predecessors(self, obj: Unit) -> list[int]:
        """The units this one directly took over from."""
        return [u.pk for u in obj.predecessors.all()]


class MechanismRulesSerializer(serializers.Serializer[Any]):
    """The mechanism's rules as the city set them (MechanismSettings, less the security
    settings)."""

    warn_days_before_deadline = serializers.IntegerField()
    yellow_card_points = serializers.IntegerField()
    red_card_points = serializers.IntegerField()
    reds_for_formal_talk = serializers.IntegerField()
    minutes_due_working_days = serializers.IntegerField()
    recommendation_reply_days = serializers.IntegerField()
    appearance_target_percent = serializers.IntegerField()
    hearing_record_auto_confirm_days = serializers.IntegerField()
    liaison_reply_days = serializers.IntegerField()
    hearing_reminder_days = serializers.IntegerField()
    loss_outcomes = serializers.ListField(child=serializers.CharField())
    loss_denominator = serializers.CharField()
    loss_risk_min_cases = serializers.IntegerField()
    loss_risk_red_percent = serializers.IntegerField()
    loss_risk_orange_percent = serializers.IntegerField()
    loss_risk_yellow_percent = serializers.IntegerField()
    new_cases_red = serializers.IntegerField()
    new_cases_orange = serializers.IntegerField()
    new_cases_yellow = serializers.IntegerField()
    enabled_steps = serializers.ListField(child=serializers.CharField())


class TaskAreaSerializer(serializers.ModelSerializer[TaskArea]):
    class Meta:
        model = TaskArea
        fields = ["id", "code", "name", "order", "active"]
        read_only_fields = fields


class MechanismSerializer(serializers.ModelSerializer[Mechanism]):
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    office_unit_name = serializers.CharField(source="office_unit.name", read_only=True)
    rules = serializers.SerializerMethodField()
    task_areas = TaskAreaSerializer(many=True, read_only=True, source="task_area_list")

    class Meta:
        model = Mechanism
        fields = [
            "id",
            "name",
            "jurisdiction",
            "jurisdiction_name",
            "office_unit",
            "office_unit_name",
            "established_on",
            "founding_document_no",
            "founding_document_title",
            "rules",
            "task_areas",
        ]
        read_only_fields = fields

    @extend_schema_field(MechanismRulesSerializer)
    def get_rules(self, obj: Mechanism) -> dict[str, Any]:
        return dict(MechanismRulesSerializer(obj.config).data)


# --- viewsets ------------------------------------------------------------------------------
class OrgViewSet(ScopedReadViewSet):
    """Reference data: members of a joint meeting and the system and security administrators
    read it, as on the org pages; the audit administrator does not (403)."""

    resource = "org"
    lookup_value_regex = "[0-9]+"

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        scope = scope_for(request.user)
        if not (scope.is_member or scope.all_reference):
            raise exceptions.PermissionDenied(_("Reference data is for members of a mechanism."))

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Filters narrow the list; a detail URL is never hidden by a list's default (former
        # units are left out of the list unless asked for).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class JurisdictionViewSet(OrgViewSet):
    """Jurisdictions whose reference data the user sees: those overseen (with everything
    below) and the user's own and higher levels, in tree order."""

    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilterSet

    def visible(self) -> QuerySet[Jurisdiction]:
        return Jurisdiction.objects.visible_to(self.request.user).order_by("path")


class UnitViewSet(OrgViewSet):
    """Units of the visible jurisdictions in official order (排序号), current ones unless
    `former=true`; `successor` and `predecessors` follow reorganisations."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet

    def visible(self) -> QuerySet[Unit]:
        return (
            Unit.objects.visible_to(self.request.user)
            .select_related("jurisdiction", "successor")
            .prefetch_related(
                Prefetch("predecessors", queryset=Unit.objects.order_by("order_no", "pk"))
            )
            .order_by("jurisdiction__path", "order_no", "pk")
        )


class MechanismViewSet(OrgViewSet):
    """Joint meetings of the visible jurisdictions with their rules and task areas."""

    serializer_class = MechanismSerializer

    def visible(self) -> QuerySet[Mechanism]:
        return (
            Mechanism.objects.visible_to(self.request.user)
            .select_related("jurisdiction", "office_unit")
            .prefetch_related(
                Prefetch(
                    "task_areas",
                    queryset=TaskArea.objects.order_by("order", "pk"),
                    to_attr="task_area_list",
                )
            )
            .order_by("jurisdiction__path")
        )


routes = [
    ("org/jurisdictions", JurisdictionViewSet, "org-jurisdiction"),
    ("org/units", UnitViewSet, "org-unit"),
    ("org/mechanisms", MechanismViewSet, "org-mechanism"),
]
