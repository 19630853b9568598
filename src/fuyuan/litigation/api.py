"""REST API of litigation (docs/api.md): administrative cases (purpose-bound dataset
"litigation.cases") with their co-defendants, hearings, head appearance records and outcome;
hearing notices (开庭预告); head appearance records, which the court records or corrects and
the defendant body confirms or disputes; recommendations (司法建议 and the like) with the
recipient's reply; dispute referrals (read only).

Rows come from the same `visible_to(user)` as the pages — so a case heard by another
county's court (相对集中管辖) is served to the defendant body and the offices above it — and
lists take the pages' own FilterSets (`litigation.queries`). Writes call the same actions as
the pages (`litigation.actions`, `litigation.recommendation_actions`), which check, audit and
notify; a refusal answers in the one error shape.

Personal data: cases store the plaintiffs' names only (no identity numbers), disputes the
applicant's name; they are served as the pages show them, except that an identity or mobile
number written into such a line is masked (`core.masking`) unless the request's access
grant opens personal fields."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.permissions import relations_to
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.masking import mask_id_number, mask_phone

from . import actions, recommendation_actions
from . import workflow as wf
from .models import (
    AdminCase,
    Adoption,
    Appearance,
    CoDefendant,
    Dispute,
    DisputeStep,
    HeadRank,
    Hearing,
    Recommendation,
    RecommendationItem,
)
from .queries import (
    AppearanceFilterSet,
    CaseFilterSet,
    DisputeFilterSet,
    HearingFilterSet,
    RecommendationFilterSet,
    list_rows,
    visible_hearings,
)

CASES = "litigation.cases"
RECOMMENDATIONS = "litigation.recommendations"
# The state choices, named for settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (several
# models of the project have a "state" field with different choices).
APPEARANCE_STATES = wf.APPEARANCE_WORKFLOW.choices()
RECOMMENDATION_STATES = wf.RECOMMENDATION_WORKFLOW.choices()
DISPUTE_STATES = wf.DISPUTE_WORKFLOW.choices()

# Identity numbers (18 or 15 digits) and mainland mobile numbers inside a free-text name line.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_embedded(text: str) -> str:
    """Mask identity and mobile numbers written into a line of names (a court export may
    add them after a plaintiff's name); the names stay as the pages show them."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class PersonalLinesField(serializers.ListField):
    """A one-per-line text of names (plaintiffs), as a list; numbers in it masked unless the
    request's access reveals personal fields."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(child=serializers.CharField(), **kwargs)

    def to_representation(self, data: Any) -> list[str]:
        lines = _lines(str(data or ""))
        if self.context.get("reveal_personal"):
            return lines
        return [mask_embedded(line) for line in lines]


@extend_schema_field(OpenApiTypes.STR)
class PersonalTextField(serializers.Field):  # type: ignore[type-arg]
    """A name (the applicant of a dispute): numbers in it masked unless revealed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = str(value or "")
        return text if self.context.get("reveal_personal") else mask_embedded(text)


# --- shared pieces ------------------------------------------------------------------------------
class LitigationUnitRefSerializer(serializers.Serializer[Any]):
    """A unit named in a record (court, defendant body, issuer, recipient)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class LitigationJurisdictionRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AdminCaseRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


class AdminCaseCoDefendantSerializer(serializers.ModelSerializer[CoDefendant]):
    id = serializers.IntegerField(source="unit_id", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = CoDefendant
        fields = ["id", "name"]
        read_only_fields = fields


def _refuse_unless(user: Any, obj: Any, roles: frozenset[str], code: str) -> None:
    """403 when the user holds none of `roles` towards `obj` (the page's button would not be
    shown); a role that may act but not in this state gets the action's 409."""
    if not (relations_to(user, obj) & roles):
        raise PermissionDenied(code)


class FiltersOnListOnly:
    """The FilterSet narrows lists only: a detail or an action on a row the user may see is
    never hidden by a list's default (the hearing notices' 30-day window) nor refused for a
    stray query parameter."""

    action: str | None

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc,no-any-return]


# --- head appearance records -----------------------------------------------------------------
class HeadAppearanceSerializer(serializers.ModelSerializer[Appearance]):
    """The court's record of the head's appearance at a hearing and the body's answer."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    hearing = serializers.IntegerField(source="hearing_id", read_only=True)
    unit = LitigationUnitRefSerializer(read_only=True)
    confirm_by = serializers.SerializerMethodField(
        help_text="The day an unanswered record confirms itself (while awaiting the body)."
    )

    class Meta:
        model = Appearance
        fields = [
            "id",
            "case",
            "hearing",
            "unit",
            "rank",
            "head_name",
            "head_post",
            "spoke",
            "absence_reason",
            "state",
            "recorded_on",
            "dispute_reason",
            "court_answer",
            "confirmed_on",
            "auto_confirmed",
            "confirm_by",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_confirm_by(self, obj: Appearance) -> Any:
        if obj.state != wf.RECORDED:
            return None
        return actions.confirm_by(obj).isoformat()


# --- hearings ---------------------------------------------------------------------------------
class CaseHearingSerializer(serializers.ModelSerializer[Hearing]):
    """A hearing of a case (开庭预告 once announced) and the head appearance record, if any."""

    case = AdminCaseRefSerializer(read_only=True)
    court = LitigationUnitRefSerializer(source="case.court", read_only=True)
    defendant = LitigationUnitRefSerializer(source="case.defendant", read_only=True)
    appearance = serializers.SerializerMethodField()

    class Meta:
        model = Hearing
        fields = [
            "id",
            "case",
            "court",
            "defendant",
            "starts_at",
            "place",
            "state",
            "source",
            "appearance",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(HeadAppearanceSerializer(allow_null=True))
    def get_appearance(self, obj: Hearing) -> dict[str, Any] | None:
        item = getattr(obj, "appearance", None)
        if item is None:
            return None
        return HeadAppearanceSerializer(item, context=self.context).data  # type: ignore[return-value]


class AdminCaseHearingSerializer(CaseHearingSerializer):
    """A hearing as part of its case's record (the case is the enclosing object)."""

    class Meta(CaseHearingSerializer.Meta):
        fields = ["id", "starts_at", "place", "state", "source", "appearance", "version"]
        read_only_fields = fields


# --- cases --------------------------------------------------------------------------------------
class AdminCaseSerializer(serializers.ModelSerializer[AdminCase]):
    """An administrative case as the ledger shows it."""

    court = LitigationUnitRefSerializer(read_only=True)
    defendant = LitigationUnitRefSerializer(read_only=True)
    co_defendants = AdminCaseCoDefendantSerializer(many=True, read_only=True)
    jurisdiction = LitigationJurisdictionRefSerializer(
        read_only=True, help_text="The primary defendant's jurisdiction."
    )
    plaintiffs = PersonalLinesField(
        help_text="Names, one an item; numbers in them masked unless the grant opens them."
    )
    heard_elsewhere = serializers.BooleanField(
        read_only=True, help_text="Heard by another county's court (相对集中管辖)."
    )
    mechanism = serializers.IntegerField(source="mechanism_id", read_only=True)

    class Meta:
        model = AdminCase
        fields = [
            "id",
            "number",
            "year",
            "type_code",
            "instance",
            "court",
            "plaintiffs",
            "defendant",
            "co_defendants",
            "jurisdiction",
            "mechanism",
            "cause",
            "enterprise_related",
            "filed_on",
            "stage",
            "concluded_on",
            "outcome",
            "outcome_note",
            "heard_elsewhere",
            "source",
            "version",
        ]
        read_only_fields = fields


class AdminCaseDetailSerializer(AdminCaseSerializer):
    """A case with its hearings and the head appearance record of each."""

    hearings = AdminCaseHearingSerializer(many=True, read_only=True)

    class Meta(AdminCaseSerializer.Meta):
        fields = [*AdminCaseSerializer.Meta.fields, "hearings"]
        read_only_fields = fields


class CaseViewSet(FiltersOnListOnly, ScopedReadViewSet):
    """Administrative cases the user may see (the case ledger's rows and filters). A system
    client of another unit needs an approved access grant for the dataset."""

    resource = CASES
    dataset = CASES
    serializer_class = AdminCaseSerializer
    filterset_class = CaseFilterSet

    def get_serializer_class(self) -> Any:
        return AdminCaseDetailSerializer if self.action == "retrieve" else AdminCaseSerializer

    def visible(self) -> QuerySet[AdminCase]:
        rows = list_rows(self.request.user).select_related("court__jurisdiction")
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                Prefetch(
                    "hearings",
                    queryset=Hearing.objects.select_related(
                        "appearance__unit", "appearance__case__mechanism"
                    ).order_by("starts_at", "pk"),
                )
            )
        return rows.order_by("-filed_on", "-pk")


class HeadAppearanceRecordInput(serializers.Serializer[Any]):
    """What the court records: who appeared (top / deputy / none), the head's name and post
    and whether the head spoke — or, for none, the written reason."""

    rank = serializers.ChoiceField(choices=HeadRank.choices)
    head_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    head_post = serializers.CharField(max_length=60, required=False, allow_blank=True)
    spoke = serializers.BooleanField(required=False, default=False)
    absence_reason = serializers.CharField(required=False, allow_blank=True)


class HearingViewSet(FiltersOnListOnly, ScopedReadViewSet):
    """Hearings of the user's cases (开庭预告): without dates the list holds today and the next
    30 days, as on the page. The court records the head's appearance at a held hearing."""

    resource = CASES
    serializer_class = CaseHearingSerializer
    filterset_class = HearingFilterSet

    def visible(self) -> QuerySet[Hearing]:
        return visible_hearings(self.request.user).select_related(
            "case__jurisdiction", "appearance__unit", "appearance__case__mechanism"
        )

    @extend_schema(
        request=HeadAppearanceRecordInput,
        responses={201: HeadAppearanceSerializer},
        summary="The court records the head's appearance (出庭应诉) at a held hearing.",
    )
    @action(detail=True, methods=["post"], url_path="record-appearance")
    def record_appearance(self, request: Request, pk: str | None = None) -> Response:
        hearing = self.get_object()
        data = HeadAppearanceRecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = actions.record_appearance(request.user, hearing, **data.validated_data)
        item = Appearance.objects.select_related("unit", "case__mechanism").get(pk=item.pk)
        return Response(
            HeadAppearanceSerializer(item, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class HeadAppearanceAnswerInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The record's version you saw (409 if stale)."
    )


class HeadAppearanceReasonInput(HeadAppearanceAnswerInput):
    comment = serializers.CharField(help_text="The reason (required).")


class HeadAppearanceCorrectInput(HeadAppearanceAnswerInput):
    """The court's correction: the fields to change; a disputed record needs the comment
    answering the dispute."""

    rank = serializers.ChoiceField(choices=HeadRank.choices, required=False)
    head_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    head_post = serializers.CharField(max_length=60, required=False, allow_blank=True)
    spoke = serializers.BooleanField(required=False)
    absence_reason = serializers.CharField(required=False, allow_blank=True)
    comment = serializers.CharField(required=False, allow_blank=True)


class AppearanceViewSet(FiltersOnListOnly, ScopedReadViewSet):
    """Head appearance records of the user's cases. The defendant body confirms or disputes
    a record; the court corrects it or keeps it after a dispute."""

    resource = CASES
    serializer_class = HeadAppearanceSerializer
    filterset_class = AppearanceFilterSet

    def visible(self) -> QuerySet[Appearance]:
        seen = AdminCase.objects.visible_to(self.request.user).values("pk")
        return (
            Appearance.objects.filter(case__in=seen)
            .select_related("unit", "case__mechanism", "case__jurisdiction", "case__court")
            .order_by("-recorded_on", "-pk")
        )

    def _answer(self, request: Request, name: str, input_class: Any) -> Response:
        item = self.get_object()
        _refuse_unless(
            request.user,
            item,
            wf.APPEARANCE_WORKFLOW.transition(name).roles,
            f"litigation.appearance.{name}",
        )
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        actions.appearance_transition(
            request.user,
            item,
            name,
            data.validated_data.get("comment", ""),
            expected_version=data.validated_data.get("version"),
        )
        item = self.visible().get(pk=item.pk)
        return Response(self.get_serializer(item).data)

    @extend_schema(
        request=HeadAppearanceAnswerInput,
        responses={200: HeadAppearanceSerializer},
        summary="The defendant body confirms the court's record.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(request, "confirm", HeadAppearanceAnswerInput)

    @extend_schema(
        request=HeadAppearanceReasonInput,
        responses={200: HeadAppearanceSerializer},
        summary="The defendant body disputes the court's record, giving its reason.",
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(request, "dispute", HeadAppearanceReasonInput)

    @extend_schema(
        request=HeadAppearanceReasonInput,
        responses={200: HeadAppearanceSerializer},
        summary="The court keeps a disputed record as it is, answering the dispute.",
    )
    @action(detail=True, methods=["post"])
    def uphold(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(request, "uphold", HeadAppearanceReasonInput)

    @extend_schema(
        request=HeadAppearanceCorrectInput,
        responses={200: HeadAppearanceSerializer},
        summary="The court corrects its record while the body has not confirmed it.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        _refuse_unless(request.user, item, frozenset({wf.COURT}), "litigation.appearance.edit")
        data = HeadAppearanceCorrectInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        comment = values.pop("comment", "")
        version = values.pop("version", None)
        actions.correct_appearance(
            request.user, item, comment=comment, expected_version=version, **values
        )
        item = self.visible().get(pk=item.pk)
        return Response(self.get_serializer(item).data)


# --- recommendations ----------------------------------------------------------------------------
class LitigationRecommendationItemSerializer(serializers.ModelSerializer[RecommendationItem]):
    matter = serializers.IntegerField(
        source="matter_id",
        read_only=True,
        allow_null=True,
        help_text="The rectification matter opened for the recipient at delivery.",
    )
    adoption = serializers.ChoiceField(
        choices=Adoption.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the reply says whether the item was adopted.",
    )

    class Meta:
        model = RecommendationItem
        fields = ["id", "order", "text", "adoption", "adoption_reason", "matter"]
        read_only_fields = fields


class LitigationRecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    """A recommendation (司法建议, 检察建议, 行政复议意见书, 审查报告), its items and reply."""

    number = serializers.CharField(source="document_number", read_only=True)
    issuer = LitigationUnitRefSerializer(read_only=True)
    recipient = LitigationUnitRefSerializer(read_only=True)
    mechanism = serializers.IntegerField(source="mechanism_id", read_only=True)
    items = LitigationRecommendationItemSerializer(many=True, read_only=True)
    cases = AdminCaseRefSerializer(many=True, read_only=True)
    case_numbers = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "kind",
            "scope",
            "number",
            "title",
            "content",
            "issuer",
            "recipient",
            "mechanism",
            "state",
            "delivered_on",
            "reply_due",
            "overdue",
            "replied_on",
            "reply",
            "closed_on",
            "close_comment",
            "items",
            "cases",
            "case_numbers",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_case_numbers(self, obj: Recommendation) -> list[str]:
        return _lines(obj.case_numbers)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, obj: Recommendation) -> bool:
        """Delivered, unanswered and past its reply date."""
        return bool(
            obj.state == wf.DELIVERED and obj.reply_due and obj.reply_due < timezone.localdate()
        )


class RecommendationAdoptionInput(serializers.Serializer[Any]):
    item = serializers.IntegerField(help_text="The item's id.")
    adoption = serializers.ChoiceField(choices=Adoption.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the item is partly adopted or not adopted.",
    )


class RecommendationReplyInput(serializers.Serializer[Any]):
    """The reply as the page takes it: the date, the substance of the letter and the adoption
    of every item."""

    replied_on = serializers.DateField()
    reply_text = serializers.CharField()
    adoptions = RecommendationAdoptionInput(many=True)
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The version you saw (409 if stale)."
    )


class RecommendationViewSet(FiltersOnListOnly, ScopedReadViewSet):
    """Recommendations the user may see (the list's filters); the recipient replies."""

    resource = RECOMMENDATIONS
    serializer_class = LitigationRecommendationSerializer
    filterset_class = RecommendationFilterSet

    def visible(self) -> QuerySet[Recommendation]:
        return (
            Recommendation.objects.visible_to(self.request.user)
            .select_related("issuer", "recipient", "mechanism__jurisdiction")
            .prefetch_related(
                Prefetch("items", queryset=RecommendationItem.objects.order_by("order", "pk")),
                Prefetch("cases", queryset=AdminCase.objects.only("id", "number").order_by("pk")),
            )
            .order_by("-delivered_on", "-pk")
        )

    @extend_schema(
        request=RecommendationReplyInput,
        responses={200: LitigationRecommendationSerializer},
        summary="The recipient replies, with the adoption of every item.",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        rec = self.get_object()
        _refuse_unless(
            request.user,
            rec,
            wf.RECOMMENDATION_WORKFLOW.transition("reply").roles,
            "litigation.recommendation.reply",
        )
        data = RecommendationReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        adoptions = {a["item"]: (a["adoption"], a.get("reason", "")) for a in values["adoptions"]}
        recommendation_actions.reply(
            request.user,
            rec,
            reply_text=values["reply_text"],
            replied_on=values["replied_on"],
            adoptions=adoptions,
            expected_version=values.get("version"),
        )
        rec = self.visible().get(pk=rec.pk)
        return Response(self.get_serializer(rec).data)


# --- dispute referrals --------------------------------------------------------------------------
class DisputeReferralStepSerializer(serializers.ModelSerializer[DisputeStep]):
    class Meta:
        model = DisputeStep
        fields = ["id", "on", "kind", "note"]
        read_only_fields = fields


class DisputeReferralSerializer(serializers.ModelSerializer[Dispute]):
    """A dispute referred for substantive resolution (行政争议实质性化解)."""

    applicant = PersonalTextField()
    unit = LitigationUnitRefSerializer(read_only=True)
    case = serializers.SerializerMethodField()
    mechanism = serializers.IntegerField(source="mechanism_id", read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "title",
            "applicant",
            "unit",
            "case",
            "mechanism",
            "referred_on",
            "mediator",
            "summary",
            "state",
            "closed_on",
            "outcome_note",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AdminCaseRefSerializer(allow_null=True))
    def get_case(self, obj: Dispute) -> dict[str, Any] | None:
        if obj.case is None:
            return None
        return {"id": obj.case.pk, "number": obj.case.number}


class DisputeReferralDetailSerializer(DisputeReferralSerializer):
    steps = DisputeReferralStepSerializer(many=True, read_only=True)

    class Meta(DisputeReferralSerializer.Meta):
        fields = [*DisputeReferralSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class DisputeViewSet(FiltersOnListOnly, ScopedReadViewSet):
    """Dispute referrals the user may see (the list's filters), with their coordination
    steps on read. Read only: referrals and outcomes are recorded on the pages."""

    resource = CASES
    serializer_class = DisputeReferralSerializer
    filterset_class = DisputeFilterSet

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return DisputeReferralDetailSerializer
        return DisputeReferralSerializer

    def visible(self) -> QuerySet[Dispute]:
        rows = (
            Dispute.objects.visible_to(self.request.user)
            .select_related("unit", "case")
            .order_by("-referred_on", "-pk")
        )
        if self.action == "retrieve":
            rows = rows.prefetch_related(
                Prefetch("steps", queryset=DisputeStep.objects.order_by("on", "pk"))
            )
        return rows


routes = [
    ("litigation/cases", CaseViewSet, "litigation-case"),
    ("litigation/hearings", HearingViewSet, "litigation-hearing"),
    ("litigation/appearances", AppearanceViewSet, "litigation-appearance"),
    ("litigation/recommendations", RecommendationViewSet, "litigation-recommendation"),
    ("litigation/disputes", DisputeViewSet, "litigation-dispute"),
]
