"""REST API of the dual lists: the calls per mechanism and year, and the items with their
list kind (requesting and providing side), units, state and matter. Read-only, but for one
write a member unit's system does: proposing an item to an open call, through
`actions.propose` as the propose page does (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission
from fuyuan.org.models import ListKind, TaskArea, Unit

from . import actions
from .filters import CallFilterSet, ItemFilterSet
from .models import ListCall, ListItem


# --- serializers ---------------------------------------------------------------------------
class ListCallSerializer(serializers.ModelSerializer[ListCall]):
    mechanism_name = serializers.CharField(source="mechanism.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ListCall
        fields = [
            "id",
            "mechanism",
            "mechanism_name",
            "year",
            "proposal_deadline",
            "state",
            "state_label",
            "note",
            "approved_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ListItemSerializer(serializers.ModelSerializer[ListItem]):
    mechanism = serializers.IntegerField(source="call.mechanism_id", read_only=True)
    year = serializers.IntegerField(source="call.year", read_only=True)
    list_kind_code = serializers.CharField(source="list_kind.code", read_only=True)
    list_kind_name = serializers.CharField(source="list_kind.name", read_only=True)
    requester_side = serializers.CharField(source="list_kind.requester_side", read_only=True)
    provider_side = serializers.CharField(source="list_kind.provider_side", read_only=True)
    proposing_unit_name = serializers.CharField(source="proposing_unit.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    co_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    task_area_name = serializers.CharField(source="task_area.name", read_only=True, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = ListItem
        fields = [
            "id",
            "call",
            "mechanism",
            "year",
            "list_kind",
            "list_kind_code",
            "list_kind_name",
            "requester_side",
            "provider_side",
            "title",
            "content",
            "measurable_target",
            "proposing_unit",
            "proposing_unit_name",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "deadline",
            "task_area",
            "task_area_name",
            "state",
            "state_label",
            "claimed_at",
            "objection_reason",
            "arbitration_comment",
            "return_comment",
            "merged_into",
            "carried_over_from",
            "matter",
            "rating_timeliness",
            "rating_quality",
            "rating_effect",
            "rated_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ListItemProposeInput(serializers.Serializer[Any]):
    """What the propose page asks for. Which lists, units and task areas fit the call is the
    action's rule (400 with its code), not the serializer's."""

    proposing_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="The unit proposing; may be left out when the user proposes for one unit only.",
    )
    list_kind = serializers.PrimaryKeyRelatedField(queryset=ListKind.objects.all())
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()
    measurable_target = serializers.CharField()
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    co_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False
    )
    deadline = serializers.DateField()
    task_area = serializers.PrimaryKeyRelatedField(
        queryset=TaskArea.objects.all(), required=False, allow_null=True
    )


# --- viewsets ------------------------------------------------------------------------------
class DualListsViewSet(ScopedReadViewSet):
    """Members of a mechanism only, as on the pages (administrators: 403)."""

    resource = "duallists"
    permission_classes = [ScopePermission, MembersOnly]
    members_only_message = gettext_lazy("The dual lists are for members of a joint meeting.")
    lookup_value_regex = "[0-9]+"


@extend_schema(responses={200: ListCallSerializer})
class CallViewSet(DualListsViewSet):
    """The calls for proposals the user sees: those of the jurisdictions the user oversees
    (office, leaders) and of the user's units' jurisdictions."""

    serializer_class = ListCallSerializer
    filterset_class = CallFilterSet

    def visible(self) -> QuerySet[ListCall]:
        return (
            ListCall.objects.visible_to(self.request.user)
            .select_related("mechanism")
            .order_by("-year", "mechanism__jurisdiction__path", "pk")
        )

    @extend_schema(request=ListItemProposeInput, responses={201: ListItemSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None) -> Response:
        """Propose an item to this call: a member unit for itself before the deadline, the
        office for any unit of the jurisdiction (403 otherwise)."""
        call = self.get_object()
        data = ListItemProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("proposing_unit") is None:
            units = list(actions.proposable_units(request.user, call)[:2])
            if len(units) != 1:
                raise serializers.ValidationError(
                    {"proposing_unit": [_("Name the proposing unit.")]}, code="required"
                )
            values["proposing_unit"] = units[0]
        values.setdefault("co_units", [])
        values.setdefault("task_area", None)
        item = actions.propose(request.user, call, **values)
        row = (
            ListItem.objects.select_related(*ITEM_JOINS)
            .prefetch_related("co_units")
            .get(pk=item.pk)
        )
        body = ListItemSerializer(row, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


ITEM_JOINS = ("call", "list_kind", "proposing_unit", "lead_unit", "task_area")


@extend_schema(responses={200: ListItemSerializer})
class ItemViewSet(DualListsViewSet):
    """Items the user sees: every item of the calls the user oversees; a unit sees what it
    proposed and the items naming it as lead or co-unit."""

    serializer_class = ListItemSerializer
    filterset_class = ItemFilterSet

    def visible(self) -> QuerySet[ListItem]:
        return (
            ListItem.objects.visible_to(self.request.user)
            .select_related(*ITEM_JOINS)
            .prefetch_related("co_units")
            .order_by("-call__year", "call_id", "list_kind__order", "lead_unit__order_no", "pk")
        )


routes = [
    ("duallists/calls", CallViewSet, "duallist-call"),
    ("duallists/items", ItemViewSet, "duallist-item"),
]
