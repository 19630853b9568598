"""REST API of enforcement linkage (docs/api.md): the dishonest-debtor list (purpose-bound
dataset "enforcement.debtors"), list checks and the department's feedback on their hits,
government-debtor and livelihood cases (dataset "enforcement.cases") and point-to-point
inquiries with the department's answer.

Reads come from `visible_to(user)` as on the pages; writes call check_actions and
inquiry_actions, the same audited path the pages use. Identifiers are masked as on the pages:
a debtor's identifier is in clear only when the request's access reveals personal fields (the
court's own client, or a grant with personal fields); a checked party's and an inquiry's
identifier are always masked (the inquiry's clear number is an audited POST, as on the page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.core.api import MaskedField, ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission
from fuyuan.core.identifiers import IdentifierError, parse_party_identifier
from fuyuan.core.models import StaleObjectError
from fuyuan.org.models import Unit

from . import case_actions, check_actions, inquiry_actions, measures
from .api_filters import CheckFilterSet, DebtorFilterSet
from .case_forms import CaseFilterSet
from .inquiry_forms import InquiryFilterSet
from .models import (
    Check,
    CheckHit,
    DebtorRecord,
    EnforcementCase,
    FeedbackAction,
    HitState,
    IdType,
    Inquiry,
    InquiryAttachment,
    InquiryState,
    RemovalReason,
    Scenario,
)

HIT_ID = OpenApiParameter("hit_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The hit.")


# Words that end the name of a body or a company: such a name is not personal information.
ORGANISATION_ENDINGS = (
    "公司",
    "集团",
    "局",
    "厅",
    "委",
    "委员会",
    "政府",
    "办公室",
    "中心",
    "院",
    "所",
    "厂",
    "店",
    "社",
    "行",
    "部",
    "队",
    "站",
    "处",
    "会",
    "校",
    "学",
    "场",
    "馆",
)


def mask_party_name(value: str) -> str:
    """A person's name with all but its first character hidden (张** for 张某某); the name of
    a body or a company (it ends in 公司, 局, 政府 …) is not personal and is kept."""
    text = (value or "").strip()
    if not text or text.endswith(ORGANISATION_ENDINGS):
        return text
    return text[0] + "*" * (len(text) - 1)


class EnforcementViewSet(ScopedReadViewSet):
    permission_classes = [ScopePermission, MembersOnly]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        # A person signed in sees what the pages show; a system client what its access opens.
        context["signed_in_person"] = getattr(self.request, "auth", None) is None
        return context


class PageClearField(MaskedField):
    """A personal value the pages show in clear to whoever sees the row (a creditor's name):
    in clear for a person signed in and for a client whose access reveals personal fields,
    masked for any other system client."""

    def to_representation(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.context.get("signed_in_person"):
            return text
        return super().to_representation(text)


class DebtorIdentifierField(MaskedField):
    """The entry's identifier: decrypted and in clear only when the request's access reveals
    personal fields, else the stored masked form (`id_display`) — the encrypted column is not
    read for it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(check_actions.mask, source="*", **kwargs)

    def to_representation(self, value: Any) -> str:
        entry: DebtorRecord = value
        if self.context.get("reveal_personal"):
            return str(entry.id_number or "")
        return entry.id_display or check_actions.mask(entry.id_number, entry.id_type)


# --- the dishonest-debtor list -----------------------------------------------------------------
class DebtorRecordSerializer(serializers.ModelSerializer[DebtorRecord]):
    identifier = DebtorIdentifierField(
        help_text="Masked (first 6 + last 4) unless your access opens personal fields."
    )
    removal_reason = serializers.ChoiceField(
        choices=RemovalReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = DebtorRecord
        fields = [
            "id",
            "name",
            "party_kind",
            "id_type",
            "identifier",
            "id_masked",
            "sex",
            "age",
            "legal_representative",
            "court",
            "court_name",
            "province",
            "basis_number",
            "basis_issuer",
            "filed_on",
            "case_number",
            "obligation",
            "performance",
            "performed_part",
            "unperformed_part",
            "conduct",
            "published_on",
            "state",
            "hold_reason",
            "removed_on",
            "removal_reason",
            "removal_note",
            "updated_at",
        ]
        read_only_fields = fields


class DebtorRecordViewSet(EnforcementViewSet):
    """Entries of the court's list of dishonest judgment debtors, as the list page shows them
    to members of a mechanism; filters as on the page (`ident`: the exact identifier, found
    through the blind index)."""

    resource = "enforcement.debtors"
    dataset = "enforcement.debtors"
    serializer_class = DebtorRecordSerializer
    filterset_class = DebtorFilterSet

    def visible(self) -> QuerySet[DebtorRecord]:
        return DebtorRecord.objects.visible_to(self.request.user).order_by("-published_on", "-pk")


# --- list checks -------------------------------------------------------------------------------
class CheckMeasureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="What feedback stores as the measure applied.")
    category = serializers.ChoiceField(choices=measures.MeasureCategory.choices)
    category_label = serializers.CharField()
    text = serializers.CharField()
    basis = serializers.ListField(child=serializers.CharField(), help_text="The documents.")


class CheckHitSerializer(serializers.ModelSerializer[CheckHit]):
    party_identifier = serializers.SerializerMethodField(
        help_text="The identifier checked, masked."
    )
    debtor_name = serializers.CharField(source="debtor.name", read_only=True)
    list_identifier = serializers.SerializerMethodField(
        help_text="The list entry's identifier, masked."
    )
    debtor_court_name = serializers.CharField(source="debtor.court_name", read_only=True)
    debtor_case_number = serializers.CharField(source="debtor.case_number", read_only=True)
    debtor_basis_number = serializers.CharField(source="debtor.basis_number", read_only=True)
    debtor_published_on = serializers.DateField(
        source="debtor.published_on", read_only=True, allow_null=True
    )
    needs_confirmation = serializers.SerializerMethodField()
    feedback = serializers.ChoiceField(
        choices=FeedbackAction.choices, allow_blank=True, read_only=True
    )
    counts_as_hit = serializers.BooleanField(read_only=True)
    measure_text = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField(
        help_text="Measures of the check's scenario, with their basis (empty once not the same)."
    )

    class Meta:
        model = CheckHit
        fields = [
            "id",
            "row_number",
            "party_name",
            "party_identifier",
            "debtor",
            "debtor_name",
            "list_identifier",
            "debtor_court_name",
            "debtor_case_number",
            "debtor_basis_number",
            "debtor_published_on",
            "match",
            "state",
            "needs_confirmation",
            "counts_as_hit",
            "feedback",
            "measure",
            "measure_text",
            "feedback_note",
            "fed_back_on",
            "measures",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_party_identifier(self, hit: CheckHit) -> str:
        raw = hit.party_id_number or ""
        try:
            id_type = check_actions.parse_identifier(raw).id_type
        except IdentifierError:
            id_type = ""
        return check_actions.mask(raw, id_type)

    @extend_schema_field(OpenApiTypes.STR)
    def get_list_identifier(self, hit: CheckHit) -> str:
        debtor = hit.debtor
        return debtor.id_display or check_actions.mask(debtor.id_number, debtor.id_type)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_needs_confirmation(self, hit: CheckHit) -> bool:
        return hit.state == HitState.NEEDS_CONFIRMATION

    @extend_schema_field(OpenApiTypes.STR)
    def get_measure_text(self, hit: CheckHit) -> str:
        chosen = measures.measure(hit.measure) if hit.measure else None
        return chosen.text if chosen else hit.measure

    @extend_schema_field(CheckMeasureSerializer(many=True))
    def get_measures(self, hit: CheckHit) -> list[dict[str, Any]]:
        if hit.state == HitState.NOT_SAME:
            return []
        found = measures.measures_for(hit.check_run.scenario)
        return CheckMeasureSerializer(found, many=True).data  # type: ignore[return-value]


class CheckSerializer(serializers.ModelSerializer[Check]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    checked_by_name = serializers.CharField(source="checked_by.display_name", read_only=True)
    party_count = serializers.IntegerField(source="parties", read_only=True)
    hit_count = serializers.IntegerField(source="hits", read_only=True)
    to_confirm_count = serializers.IntegerField(source="to_confirm", read_only=True)
    unanswered_count = serializers.SerializerMethodField(
        help_text="Hits still waiting for the department's feedback."
    )
    hits = CheckHitSerializer(source="matches", many=True, read_only=True)

    class Meta:
        model = Check
        fields = [
            "id",
            "unit",
            "unit_name",
            "checked_by_name",
            "scenario",
            "reference",
            "file_name",
            "created_at",
            "party_count",
            "hit_count",
            "to_confirm_count",
            "unanswered_count",
            "hits",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_unanswered_count(self, check: Check) -> int:
        return sum(
            1 for h in check.matches.all() if h.state in check_actions.HIT_STATES and not h.feedback
        )


class CheckPartyInput(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    id_type = serializers.ChoiceField(
        choices=IdType.choices,
        required=False,
        allow_blank=True,
        help_text="Detected from the number when left out.",
    )
    identifier = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Leave empty to check the name alone (a match then needs confirmation).",
    )


class CheckRunInput(serializers.Serializer[Any]):
    unit = serializers.IntegerField(
        required=False, help_text="The department checking; may be left out if you have one."
    )
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    parties = CheckPartyInput(many=True, allow_empty=False, max_length=check_actions.MAX_BATCH)


class HitFeedbackInput(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=FeedbackAction.choices)
    measure = serializers.CharField(
        required=False, allow_blank=True, help_text="A measure key of the check's scenario."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(
        required=False, help_text="The hit's version as you read it (409 if it changed)."
    )


class HitConfirmInput(serializers.Serializer[Any]):
    same = serializers.BooleanField(help_text="Is the party the listed debtor?")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(required=False)


def _parse_party(raw: str, id_type: str) -> check_actions.ParsedIdentifier:
    """The party's identifier parsed once at the edge, as the document type says when given
    (raises IdentifierError)."""
    if not id_type:
        return check_actions.parse_identifier(raw)
    try:
        parsed = parse_party_identifier(raw, id_type)
    except IdentifierError:
        if "*" in raw:  # a masked number as the public list shows it
            return check_actions.parse_identifier(raw)
        raise
    return check_actions.ParsedIdentifier(str(parsed.value), str(parsed.id_type), parsed.masked)


def parse_parties(items: Sequence[dict[str, Any]]) -> list[tuple[str, str, int, Any]]:
    """(name, identifier, row, parsed) per party, as `run_check` takes a batch; all refusals
    at once as a 400 naming each party (`parties.<n>.identifier`)."""
    rows: list[tuple[str, str, int, Any]] = []
    errors: dict[str, Any] = {}
    for number, item in enumerate(items, start=1):
        name = str(item.get("name") or "").strip()
        raw = str(item.get("identifier") or "").strip()
        try:
            parsed = (
                _parse_party(raw, str(item.get("id_type") or ""))
                if raw
                else check_actions.ParsedIdentifier("", "", False)
            )
        except IdentifierError as exc:
            errors[str(number - 1)] = {
                "identifier": [serializers.ErrorDetail(exc.message, code=exc.code)]
            }
            continue
        rows.append((name, raw, number, parsed))
    if errors:
        raise serializers.ValidationError({"parties": errors})
    return rows


def _hits() -> Prefetch[Any]:
    return Prefetch(
        "matches",
        queryset=CheckHit.objects.select_related("debtor").order_by("row_number", "pk"),
    )


class CheckViewSet(EnforcementViewSet):
    """List checks of the user's department (and, for offices and leaders, of the departments
    they oversee) with their hits; a department runs a check and answers its hits."""

    resource = "enforcement.checks"
    serializer_class = CheckSerializer
    filterset_class = CheckFilterSet

    def visible(self) -> QuerySet[Check]:
        return (
            Check.objects.visible_to(self.request.user)
            .select_related("unit", "checked_by")
            .prefetch_related(_hits())
            .order_by("-created_at", "-pk")
        )

    def _unit(self, unit_id: int | None) -> Unit:
        if unit_id is None:
            units = list(check_actions.check_units(self.request.user)[:2])
            if len(units) == 1:
                return units[0]
            if not units:
                raise PermissionDenied("enforcement.check.run")
            raise serializers.ValidationError(
                {"unit": [serializers.ErrorDetail(_("Choose the department."), code="required")]}
            )
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise serializers.ValidationError(
                {"unit": [serializers.ErrorDetail(_("No such unit."), code="does_not_exist")]}
            )
        return unit

    @extend_schema(
        request=CheckRunInput,
        responses={201: CheckSerializer},
        summary="Check parties against the list",
    )
    def create(self, request: Request) -> Response:
        """Check one party or many (up to 100,000) for a business scenario, exactly as the page
        does (`check_actions.run_check`: set queries, one audit entry)."""
        data = CheckRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = self._unit(values.get("unit"))
        parties = parse_parties(values["parties"])
        check = check_actions.run_check(
            request.user,
            unit=unit,
            scenario=values["scenario"],
            parties=parties,
            reference=values.get("reference") or "",
        )
        fresh = (
            Check.objects.select_related("unit", "checked_by")
            .prefetch_related(_hits())
            .get(pk=check.pk)
        )
        body = CheckSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _hit(self, hit_id: str) -> CheckHit:
        check = self.get_object()  # scoped: 404 when the check is not visible
        hit = (
            CheckHit.objects.filter(check_run=check, pk=hit_id if hit_id.isdigit() else 0)
            .select_related("debtor", "check_run")
            .first()
        )
        if hit is None:
            raise Http404
        return hit

    def _answered(self, hit: CheckHit) -> Response:
        fresh = CheckHit.objects.select_related("debtor", "check_run").get(pk=hit.pk)
        return Response(CheckHitSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=HitFeedbackInput,
        parameters=[HIT_ID],
        responses={200: CheckHitSerializer},
        summary="Record the feedback on a hit",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"hits/(?P<hit_id>[^/.]+)/feedback",
        url_name="hit-feedback",
    )
    def feedback(self, request: Request, pk: str | None = None, hit_id: str = "") -> Response:
        """The department says which measure of the scenario it applied, or why none applies
        (`check_actions.give_feedback`); a later answer replaces the earlier one."""
        hit = self._hit(hit_id)
        data = HitFeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("version") is not None and values["version"] != hit.version:
            raise StaleObjectError(hit)
        check_actions.give_feedback(
            request.user,
            hit,
            action=values["action"],
            measure=values.get("measure") or "",
            note=values.get("note") or "",
        )
        return self._answered(hit)

    @extend_schema(
        request=HitConfirmInput,
        parameters=[HIT_ID],
        responses={200: CheckHitSerializer},
        summary="Confirm or reject a match that needs confirmation",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"hits/(?P<hit_id>[^/.]+)/confirm",
        url_name="hit-confirm",
    )
    def confirm(self, request: Request, pk: str | None = None, hit_id: str = "") -> Response:
        """The department says whether a match needing confirmation is the listed debtor
        (`check_actions.confirm_match`): a confirmed hit then expects feedback."""
        hit = self._hit(hit_id)
        data = HitConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("version") is not None and values["version"] != hit.version:
            raise StaleObjectError(hit)
        check_actions.confirm_match(request.user, hit, values["same"], values.get("note") or "")
        return self._answered(hit)


# --- government-debtor and livelihood cases ----------------------------------------------------
class EnforcementCaseSerializer(serializers.ModelSerializer[EnforcementCase]):
    court_name = serializers.CharField(source="court.name", read_only=True)
    debtor_unit_name = serializers.CharField(
        source="debtor_unit.name", read_only=True, allow_null=True, default=None
    )
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    debtor_name = PageClearField(mask_party_name)
    creditor = PageClearField(mask_party_name)
    outstanding = serializers.SerializerMethodField()
    paid_rate = serializers.SerializerMethodField(help_text="Paid ÷ owed, in percent.")

    class Meta:
        model = EnforcementCase
        fields = [
            "id",
            "number",
            "mechanism",
            "jurisdiction",
            "jurisdiction_name",
            "court",
            "court_name",
            "kind",
            "enterprise_related",
            "debtor_unit",
            "debtor_unit_name",
            "debtor_name",
            "creditor",
            "filed_on",
            "amount_owed",
            "amount_paid",
            "outstanding",
            "paid_rate",
            "state",
            "closed_on",
            "note",
            "matter",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_outstanding(self, case: EnforcementCase) -> str:
        return f"{case.amount_owed - case.amount_paid:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True))
    def get_paid_rate(self, case: EnforcementCase) -> str | None:
        rate = case_actions.percent(case.amount_paid, case.amount_owed)
        return None if rate is None else str(rate)


class EnforcementCaseViewSet(EnforcementViewSet):
    """Cases with a government body as debtor and livelihood cases, as the ledger shows them
    (its filters: `q`, `kind`, `state`, `court`, `debtor_unit`, `jurisdiction`,
    `enterprise`, `government`)."""

    resource = "enforcement.cases"
    dataset = "enforcement.cases"
    serializer_class = EnforcementCaseSerializer
    filterset_class = CaseFilterSet

    def visible(self) -> QuerySet[EnforcementCase]:
        return (
            EnforcementCase.objects.visible_to(self.request.user)
            .select_related("court", "debtor_unit", "jurisdiction")
            .order_by("state", "-filed_on", "-pk")
        )


# --- point-to-point inquiries ------------------------------------------------------------------
class InquiryAttachmentSerializer(serializers.ModelSerializer[InquiryAttachment]):
    class Meta:
        model = InquiryAttachment
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer[Inquiry]):
    court_name = serializers.CharField(source="court.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    party_identifier = serializers.SerializerMethodField(
        help_text="Masked; the asking court and the department asked may POST …/reveal/."
    )
    overdue = serializers.SerializerMethodField()
    attachments = InquiryAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "court",
            "court_name",
            "department",
            "department_name",
            "case_number",
            "kind",
            "party_name",
            "party_id_type",
            "party_identifier",
            "question",
            "asked_on",
            "due_on",
            "overdue",
            "state",
            "answered_on",
            "answer_working_days",
            "result",
            "attachments",
            "last_urged_on",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_party_identifier(self, inquiry: Inquiry) -> str:
        return inquiry_actions.mask(inquiry.party_id_number, inquiry.party_id_type)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, inquiry: Inquiry) -> bool:
        return inquiry.state == InquiryState.SENT and inquiry.due_on < timezone.localdate()


class InquiryAnswerInput(serializers.Serializer[Any]):
    result = serializers.CharField(help_text="What was found (or that nothing was found).")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Register extracts (multipart)."
    )
    version = serializers.IntegerField(
        required=False, help_text="The inquiry's version as you read it (409 if it changed)."
    )


class InquiryViewSet(EnforcementViewSet):
    """Inquiries of a court to a department (点对点查控), as the inquiry list shows them; the
    department asked answers; the identifier in clear is an audited request."""

    resource = "enforcement.cases"
    serializer_class = InquirySerializer
    filterset_class = InquiryFilterSet

    def visible(self) -> QuerySet[Inquiry]:
        return (
            Inquiry.objects.visible_to(self.request.user)
            .select_related("court", "department")
            .prefetch_related(
                Prefetch("attachments", queryset=InquiryAttachment.objects.order_by("pk"))
            )
            .order_by("-asked_on", "-pk")
        )

    @extend_schema(
        request={"application/json": InquiryAnswerInput, "multipart/form-data": InquiryAnswerInput},
        responses={200: InquirySerializer},
        summary="Answer an inquiry (the department asked)",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The department asked answers with the result and files
        (`inquiry_actions.answer_inquiry`); the asking court is told."""
        inquiry = self.get_object()
        if not inquiry_actions.is_department(request.user, inquiry):
            raise PermissionDenied("enforcement.inquiry.answer")
        data = InquiryAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        inquiry_actions.answer_inquiry(
            request.user,
            inquiry,
            result=values["result"],
            files=values.get("files") or [],
            expected_version=values.get("version"),
        )
        fresh = self.visible().get(pk=inquiry.pk)
        return Response(InquirySerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "InquiryIdentifier",
                {"id": serializers.IntegerField(), "party_id_number": serializers.CharField()},
            )
        },
        summary="The party's identifier in clear (audited)",
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """For the asking court and the department asked; each call leaves an audit entry
        (`inquiry_actions.reveal`)."""
        inquiry = self.get_object()
        clear = inquiry_actions.reveal(request.user, inquiry)
        response = Response({"id": inquiry.pk, "party_id_number": clear})
        response["Cache-Control"] = "no-store"
        return response


routes = [
    ("enforcement/debtors", DebtorRecordViewSet, "enforcement-debtor"),
    ("enforcement/checks", CheckViewSet, "enforcement-check"),
    ("enforcement/cases", EnforcementCaseViewSet, "enforcement-case"),
    ("enforcement/inquiries", InquiryViewSet, "enforcement-inquiry"),
]
