"""REST API of the meetings app: meetings (agenda with its references, invitations with the
attendance, the minutes' issue number and state), the invitations — where an invited unit's
system signs in its attendance through `actions.sign_in`, as the page does — and the
decisions of the minutes with their matter (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission
from fuyuan.matters import sources

from . import actions
from .filters import DecisionFilterSet, InvitationFilterSet, MeetingFilterSet
from .models import AgendaItem, Attendance, Decision, Invitation, Meeting, Minutes


# --- serializers ---------------------------------------------------------------------------
class MeetingAgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    reference_label = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "title",
            "matter",
            "reference_kind",
            "reference_id",
            "reference_label",
            "note",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_reference_label(self, obj: AgendaItem) -> str:
        return sources.label_of(obj.reference_kind) if obj.reference_kind else ""


class MeetingInvitationSerializer(serializers.ModelSerializer[Invitation]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    attendance_label = serializers.CharField(source="get_attendance_display", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "meeting",
            "unit",
            "unit_name",
            "attendance",
            "attendance_label",
            "attendee_name",
            "signed_in_at",
        ]
        read_only_fields = fields


class MeetingMinutesSerializer(serializers.ModelSerializer[Minutes]):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    issue_label = serializers.CharField(read_only=True)

    class Meta:
        model = Minutes
        fields = [
            "id",
            "title",
            "body",
            "year",
            "issue_no",
            "issue_label",
            "state",
            "state_label",
            "comment_deadline",
            "circulated_at",
            "issued_at",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    mechanism_name = serializers.CharField(source="mechanism.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    chair_title = serializers.CharField(source="chair_post.title", read_only=True, allow_null=True)
    chair_name = serializers.SerializerMethodField()
    agenda = MeetingAgendaItemSerializer(many=True, read_only=True)
    invitations = MeetingInvitationSerializer(many=True, read_only=True)
    minutes = MeetingMinutesSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "mechanism",
            "mechanism_name",
            "kind",
            "kind_label",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "chair_post",
            "chair_title",
            "chair_name",
            "chair_note",
            "state",
            "state_label",
            "state_comment",
            "held_at",
            "agenda",
            "invitations",
            "minutes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_chair_name(self, obj: Meeting) -> str:
        post = obj.chair_post
        holder = post.holder if post is not None else None
        return holder.name if holder is not None else ""


class MeetingDecisionSerializer(serializers.ModelSerializer[Decision]):
    meeting = serializers.IntegerField(source="minutes.meeting_id", read_only=True)
    minutes_state = serializers.CharField(source="minutes.state", read_only=True)
    issue_label = serializers.CharField(source="minutes.issue_label", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    co_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    reference_kind = serializers.CharField(
        source="agenda_item.reference_kind", read_only=True, allow_null=True
    )
    reference_id = serializers.CharField(
        source="agenda_item.reference_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "minutes",
            "minutes_state",
            "issue_label",
            "order",
            "text",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "deadline",
            "matter",
            "agenda_item",
            "reference_kind",
            "reference_id",
        ]
        read_only_fields = fields


class InvitationSignInInput(serializers.Serializer[Any]):
    attendance = serializers.ChoiceField(
        choices=Attendance.choices,
        help_text="attend (出席), leave (请假), observer (列席); unknown clears the reply.",
    )
    attendee_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )


# --- viewsets ------------------------------------------------------------------------------
class MeetingsViewSet(ScopedReadViewSet):
    """Members of a mechanism only, as on the pages (administrators: 403)."""

    resource = "meetings"
    permission_classes = [ScopePermission, MembersOnly]
    members_only_message = gettext_lazy("Meetings are for members of a joint meeting.")
    lookup_value_regex = "[0-9]+"


@extend_schema(responses={200: MeetingSerializer})
class MeetingViewSet(MeetingsViewSet):
    """Meetings the user sees, as on the meeting list: those of the mechanisms the user's
    office or leadership oversees, and those the user's unit is invited to."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet

    def visible(self) -> QuerySet[Meeting]:
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("mechanism", "chair_post", "chair_post__holder", "minutes")
            .prefetch_related(
                Prefetch("agenda", queryset=AgendaItem.objects.order_by("order", "pk")),
                Prefetch("invitations", queryset=Invitation.objects.select_related("unit")),
            )
            .order_by("-starts_at", "-pk")
        )


@extend_schema(responses={200: MeetingInvitationSerializer})
class InvitationViewSet(MeetingsViewSet):
    """Invitations of the meetings the user sees; the invited unit replies with `sign_in`."""

    serializer_class = MeetingInvitationSerializer
    filterset_class = InvitationFilterSet

    def visible(self) -> QuerySet[Invitation]:
        meetings = Meeting.objects.visible_to(self.request.user)
        return (
            Invitation.objects.filter(meeting__in=meetings)
            .select_related("unit", "meeting", "meeting__mechanism")
            .order_by("-meeting__starts_at", "meeting_id", "unit__order_no", "pk")
        )

    @extend_schema(request=InvitationSignInInput, responses={200: MeetingInvitationSerializer})
    @action(detail=True, methods=["post"], url_path="sign-in", url_name="sign-in")
    def sign_in(self, request: Request, pk: str | None = None) -> Response:
        """The invited unit's reply (出席 / 请假 / 列席): its liaison officer or court staff, or
        the meeting's office for any unit; not once the meeting is cancelled (403)."""
        invitation = self.get_object()
        data = InvitationSignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.sign_in(
            request.user,
            invitation,
            data.validated_data["attendance"],
            data.validated_data["attendee_name"],
        )
        invitation.refresh_from_db()
        return Response(self.get_serializer(invitation).data)


@extend_schema(responses={200: MeetingDecisionSerializer})
class DecisionViewSet(MeetingsViewSet):
    """Decisions of the minutes: whoever sees the meeting, and the units named on a decision
    once its minutes are issued; `matter` is the supervised matter it became."""

    serializer_class = MeetingDecisionSerializer
    filterset_class = DecisionFilterSet

    def visible(self) -> QuerySet[Decision]:
        return (
            Decision.objects.visible_to(self.request.user)
            .select_related("minutes", "lead_unit", "agenda_item")
            .prefetch_related("co_units")
            .order_by("-minutes__year", "minutes_id", "order", "pk")
        )


routes = [
    ("meetings/invitations", InvitationViewSet, "meeting-invitation"),
    ("meetings/decisions", DecisionViewSet, "meeting-decision"),
    ("meetings", MeetingViewSet, "meeting"),
]
