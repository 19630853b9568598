"""REST API of purpose-bound access (docs/api.md): the access grants a unit asked for or
received, asking for one and the provider's decisions (the same grant_actions the pages use),
and the provider's pull log. Scope "exchange.grants" (read to list, write to ask or decide).

Rows come from `visible_to(user)` as on the pages: a department's system sees its own unit's
grants, never another unit's pull log (an empty list; a detail answers 404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.core.api import ScopedReadViewSet
from fuyuan.org.models import Unit

from . import access, grant_actions
from .forms import AccessLogFilterSet
from .models import AccessGrant, AccessLog

# A filter value that is not valid answers 400; a row outside the remit 404.
RESOURCE = "exchange.grants"


class GrantSerializer(serializers.ModelSerializer[AccessGrant]):
    dataset_label = serializers.CharField(read_only=True)
    requesting_unit_name = serializers.CharField(source="requesting_unit.name", read_only=True)
    provider_unit_name = serializers.CharField(source="provider_unit.name", read_only=True)
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "dataset",
            "dataset_label",
            "requesting_unit",
            "requesting_unit_name",
            "provider_unit",
            "provider_unit_name",
            "purpose",
            "legal_basis",
            "valid_from",
            "valid_to",
            "personal_requested",
            "personal_granted",
            "state",
            "requested_at",
            "decided_at",
            "decision_note",
            "ended_at",
            "end_reason",
            "in_force",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_in_force(self, obj: AccessGrant) -> bool:
        return obj.is_valid_on(timezone.localdate())


class GrantRequestInput(serializers.Serializer[Any]):
    requesting_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="The unit asking; by default the client's (or your only) unit.",
    )
    dataset = serializers.ChoiceField(choices=[key for key in access.DATASETS])
    provider_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    purpose = serializers.CharField(max_length=4000)
    legal_basis = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    personal_requested = serializers.BooleanField(required=False, default=False)


class ApproveInput(serializers.Serializer[Any]):
    personal_granted = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class VersionInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


@extend_schema_view(
    list=extend_schema(responses={200: GrantSerializer(many=True)}),
    retrieve=extend_schema(responses={200: GrantSerializer}),
)
class GrantViewSet(ScopedReadViewSet):
    """Access grants the user's unit asked for or provides (office staff: all of their
    jurisdiction's units)."""

    resource = RESOURCE
    serializer_class = GrantSerializer

    def visible(self) -> Any:
        return (
            AccessGrant.objects.visible_to(self.request.user)
            .select_related("requesting_unit", "provider_unit")
            .order_by("-created_at", "-pk")
        )

    def _answer(self, grant: AccessGrant, code: int = status.HTTP_200_OK) -> Response:
        grant.refresh_from_db()
        return Response(GrantSerializer(grant, context=self.get_serializer_context()).data, code)

    @extend_schema(request=GrantRequestInput, responses={201: GrantSerializer})
    def create(self, request: Request) -> Response:
        """Ask a provider for access to a dataset (scope exchange.grants:write)."""
        data = GrantRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("requesting_unit") is None:
            client = access.client_for(request)
            units = list(access.requesting_units(request.user, values["dataset"])[:2])
            if client is not None:
                values["requesting_unit"] = client.unit
            elif not units:
                raise DjangoPermissionDenied("exchange.grant.request")
            elif len(units) == 1:
                values["requesting_unit"] = units[0]
            else:
                raise serializers.ValidationError(
                    {
                        "requesting_unit": [
                            ErrorDetail(_("Name the requesting unit."), code="required")
                        ]
                    }
                )
        grant = grant_actions.request_access(request.user, **values)
        return self._answer(grant, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveInput, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The provider approves (personal fields only if they were asked for)."""
        grant = self.get_object()
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant_actions.approve(
            request.user,
            grant,
            personal_granted=data.validated_data["personal_granted"],
            note=data.validated_data.get("note", ""),
            expected_version=data.validated_data.get("version"),
        )
        return self._answer(grant)

    @extend_schema(request=ReasonInput, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """The provider refuses; the reason is required (400 grant.reason_required)."""
        grant = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant_actions.refuse(
            request.user,
            grant,
            reason=data.validated_data.get("reason", ""),
            expected_version=data.validated_data.get("version"),
        )
        return self._answer(grant)

    @extend_schema(request=VersionInput, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The requesting unit withdraws a request still awaiting the provider."""
        grant = self.get_object()
        data = VersionInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant_actions.withdraw(
            request.user, grant, expected_version=data.validated_data.get("version")
        )
        return self._answer(grant)

    @extend_schema(request=ReasonInput, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """The provider revokes an approved grant; the reason is required."""
        grant = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant_actions.revoke(
            request.user,
            grant,
            reason=data.validated_data.get("reason", ""),
            expected_version=data.validated_data.get("version"),
        )
        return self._answer(grant)


class AccessLogSerializer(serializers.ModelSerializer[AccessLog]):
    dataset_label = serializers.CharField(read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True, allow_null=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    provider_unit_name = serializers.CharField(
        source="provider_unit.name", read_only=True, allow_null=True
    )
    filters = serializers.DictField(read_only=True)

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "dataset",
            "dataset_label",
            "channel",
            "client",
            "client_name",
            "user_name",
            "unit",
            "unit_name",
            "provider_unit",
            "provider_unit_name",
            "grant",
            "filters",
            "row_count",
            "personal_revealed",
            "path",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: AccessLogSerializer(many=True)}),
    retrieve=extend_schema(responses={200: AccessLogSerializer}),
)
class AccessLogViewSet(ScopedReadViewSet):
    """The provider's pull log: every pull of a dataset the user's unit provides (office
    staff: every pull in their jurisdiction); filter by dataset, client, channel and dates."""

    resource = RESOURCE
    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet

    def visible(self) -> Any:
        return (
            AccessLog.objects.visible_to(self.request.user)
            .select_related("client", "user", "unit", "provider_unit")
            .order_by("-at", "-pk")
        )


routes = [
    ("exchange/grants", GrantViewSet, "exchange-grant"),
    ("exchange/access-log", AccessLogViewSet, "exchange-access-log"),
]
