"""REST API of the matter engine (docs/api.md): the ledger — with the ledger's own filters
(`filters.LedgerFilterSet`) and its warning colour — each matter with its timeline and latest
progress report, and the writes a unit's or an office's system makes, through the same
actions and workflow checks as the matter's page:

- `POST matters/{id}/feedback/`: the lead unit's progress report (`actions.save_feedback_draft`
  then `actions.submit_feedback`, as the page's "submit" button);
- `POST matters/{id}/transition/`: a step of the matter's workflow (`actions.transition`): the
  lead unit signs for it, starts it and reports it done; the office accepts it as completed
  or sends it back. A user holding no role that may take the step gets 403; one who may, but
  not in the matter's state or without the comment or fields it needs, gets 409 with the
  workflow's code; a stale `version` gets 409 `api.stale`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.accounts.permissions import relations_to
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission

from . import actions, queries
from . import workflow as wf
from .filters import LedgerFilterSet
from .models import Colour, Feedback, FeedbackStatus, Matter, Milestone, TimelineEntry

# Steps of the workflow offered through the API: the lead unit's path to "reported done" and
# the office's decision on the report.
API_TRANSITIONS = ("sign", "start", "report", "complete", "send_back")

# A page number past the end is 404, as DRF's pagination answers it.


def _state_label(code: str) -> str:
    return str(wf.MATTER_WORKFLOW.state(code).label)


# --- serializers ---------------------------------------------------------------------------
class CoUnitSerializer(serializers.Serializer[Any]):
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    reported_at = serializers.DateTimeField(allow_null=True)


class MatterSerializer(serializers.ModelSerializer[Matter]):
    """A row of the ledger."""

    matter_type_label = serializers.CharField(source="get_matter_type_display", read_only=True)
    state_label = serializers.SerializerMethodField()
    colour = serializers.ChoiceField(
        choices=Colour.choices, read_only=True, help_text="Warning colour, computed for today."
    )
    colour_label = serializers.SerializerMethodField()
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    co_units = serializers.SerializerMethodField()
    task_area_name = serializers.CharField(
        source="task_area.name", read_only=True, allow_null=True, default=None
    )
    latest_progress = serializers.CharField(
        read_only=True, allow_null=True, help_text="Text of the latest submitted report."
    )

    class Meta:
        model = Matter
        fields = [
            "id",
            "title",
            "year",
            "matter_type",
            "matter_type_label",
            "state",
            "state_label",
            "colour",
            "colour_label",
            "start_date",
            "deadline",
            "warn_from",
            "next_feedback_due",
            "progress",
            "is_key_issue",
            "enterprise_related",
            "mechanism",
            "jurisdiction",
            "jurisdiction_name",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "task_area",
            "task_area_name",
            "latest_progress",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, obj: Matter) -> str:
        return _state_label(obj.state)

    @extend_schema_field(OpenApiTypes.STR)
    def get_colour_label(self, obj: Matter) -> str:
        return str(Colour(obj.colour).label)  # type: ignore[attr-defined]

    @extend_schema_field(CoUnitSerializer(many=True))
    def get_co_units(self, obj: Matter) -> list[dict[str, Any]]:
        rows = getattr(obj, "co_unit_list", None)
        if rows is None:  # pragma: no cover - every queryset here prefetches them
            rows = list(obj.co_units.select_related("unit"))
        return list(CoUnitSerializer(rows, many=True).data)


class MilestoneSerializer(serializers.ModelSerializer[Milestone]):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "weight", "reached_on"]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.ModelSerializer[TimelineEntry]):
    actor_name = serializers.CharField(
        source="actor.display_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "kind", "actor_name", "from_state", "to_state", "text"]
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    was_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "unit",
            "unit_name",
            "author_name",
            "text",
            "progress",
            "milestone",
            "due_date",
            "submitted_at",
            "was_late",
        ]
        read_only_fields = fields


class TransitionOfferSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()
    comment_required = serializers.BooleanField()
    required_fields = serializers.ListField(child=serializers.CharField())


class MatterDetailSerializer(MatterSerializer):
    """A matter with its milestones, timeline (oldest first), latest submitted progress
    report and the workflow steps the user may take now."""

    milestones = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    latest_feedback = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()

    class Meta(MatterSerializer.Meta):
        fields = [
            *MatterSerializer.Meta.fields,
            "description",
            "source_kind",
            "source_ref",
            "parent",
            "sign_deadline",
            "feedback_cadence",
            "feedback_day",
            "summary",
            "signed_at",
            "reported_at",
            "completed_at",
            "closed_at",
            "milestones",
            "timeline",
            "latest_feedback",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, obj: Matter) -> list[dict[str, Any]]:
        return list(MilestoneSerializer(obj.milestone_list, many=True).data)  # type: ignore[attr-defined]

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj: Matter) -> list[dict[str, Any]]:
        return list(TimelineEntrySerializer(obj.timeline_list, many=True).data)  # type: ignore[attr-defined]

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_latest_feedback(self, obj: Matter) -> dict[str, Any] | None:
        reports = obj.submitted_feedback  # type: ignore[attr-defined]
        return dict(FeedbackSerializer(reports[0]).data) if reports else None

    @extend_schema_field(TransitionOfferSerializer(many=True))
    def get_transitions(self, obj: Matter) -> list[dict[str, Any]]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        offered = wf.MATTER_WORKFLOW.available(
            obj.state, relations_to(user, obj), obj.enabled_steps()
        )
        return [
            {
                "name": t.name,
                "label": str(t.label),
                "comment_required": t.comment_required,
                "required_fields": list(t.required_fields),
            }
            for t in offered
            if t.name in API_TRANSITIONS
        ]


class FeedbackInput(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=20000, help_text="The progress made.")
    progress = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, default=None
    )
    milestone = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="An unreached milestone of this matter, reached with this report.",
    )


class TransitionInput(serializers.Serializer[Any]):
    name = serializers.ChoiceField(
        choices=[(t, t) for t in API_TRANSITIONS],
        help_text="sign, start, report (the lead unit); complete, send_back (the office).",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    summary = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20000,
        help_text="The completion report: needed to report the matter done.",
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The matter's version as read: a matter changed since gives 409 api.stale.",
    )


# --- the viewset ---------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(responses={200: MatterSerializer(many=True)}),
    retrieve=extend_schema(responses={200: MatterDetailSerializer}),
)
class MatterViewSet(ScopedReadViewSet):
    """Matters the user may see, as in the ledger: office staff and leaders those of their
    jurisdictions (and those shared from below), units those they lead, co-handle or handle.
    Only members of a joint meeting use the ledger (administrators: 403)."""

    resource = "matters"
    permission_classes = [ScopePermission, MembersOnly]
    members_only_message = gettext_lazy("The ledger is for members of a joint meeting.")
    serializer_class = MatterSerializer
    filterset_class = LedgerFilterSet
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self) -> Any:
        return MatterSerializer if self.action == "list" else MatterDetailSerializer

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # The ledger's filters narrow the list; a matter the user sees is never hidden from
        # its own URL by a stray query parameter.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def visible(self) -> QuerySet[Matter]:
        rows = queries.ledger_rows(self.request.user, timezone.localdate())
        if self.action == "list":
            return rows
        return rows.select_related("mechanism").prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.order_by("due_date", "pk"),
                to_attr="milestone_list",
            ),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related("actor").order_by("at", "pk"),
                to_attr="timeline_list",
            ),
            Prefetch(
                "feedback",
                queryset=Feedback.objects.filter(status=FeedbackStatus.SUBMITTED)
                .select_related("unit", "author")
                .order_by("-submitted_at", "-pk"),
                to_attr="submitted_feedback",
            ),
        )

    def _detail(self) -> Response:
        matter = self.get_object()  # read again: the write changed it
        return Response(self.get_serializer(matter).data)

    @extend_schema(request=FeedbackInput, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        """Submit a progress report as the lead unit (its liaison officer, court staff or the
        matter's handler) while the matter is open: it records the date it was due, marks
        the milestone reached, sets the typed percentage and moves the next report date. The
        answer is the matter as it now stands (`latest_feedback` is this report)."""
        matter = self.get_object()
        data = FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        milestone = None
        if values["milestone"] is not None:
            milestone = matter.milestones.filter(
                pk=values["milestone"], reached_on__isnull=True
            ).first()
            if milestone is None:
                error = ValidationError(
                    _("That is not an unreached milestone of this matter."),
                    code="feedback.milestone",
                )
                raise ValidationError({"milestone": [error]})
        with transaction.atomic():
            draft = actions.save_feedback_draft(
                request.user, matter, values["text"], values["progress"], milestone
            )
            actions.submit_feedback(request.user, draft)
        return self._detail()

    @extend_schema(request=TransitionInput, responses={200: MatterDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Take a step of the matter's workflow, as the page's buttons do (see the module
        docstring for the steps offered and the answers to a refusal)."""
        matter = self.get_object()
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        step = wf.MATTER_WORKFLOW.transition(values["name"])
        if not relations_to(request.user, matter) & step.roles:
            raise PermissionDenied(step.name)
        actions.transition(
            request.user,
            matter,
            step.name,
            comment=values["comment"],
            values={"summary": values["summary"]} if values["summary"] else {},
            expected_version=values["version"],
        )
        return self._detail()


routes = [("matters", MatterViewSet, "matter")]
