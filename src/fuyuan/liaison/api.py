"""REST API of daily liaison: the letters the user sees (sending and receiving unit, subject,
state, dates, replies, reply time in working days) with the letter list's filters, and the
two writes a unit's system does — write and send a letter, reply to a received one —
through liaison.actions as the pages do. Attachments stay on the pages (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.accounts.api import MembersOnly
from fuyuan.accounts.permissions import relations_to
from fuyuan.core.api import ScopedReadViewSet
from fuyuan.core.api_policy import ScopePermission
from fuyuan.org.models import Unit

from . import actions
from . import workflow as wf
from .filters import LetterFilterSet
from .models import LetterReply, LiaisonLetter


# --- serializers ---------------------------------------------------------------------------
class LetterReplySerializer(serializers.ModelSerializer[LetterReply]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = LetterReply
        fields = ["id", "unit", "unit_name", "body", "created_at"]
        read_only_fields = fields


class LiaisonLetterSerializer(serializers.ModelSerializer[LiaisonLetter]):
    mechanism_name = serializers.CharField(source="mechanism.name", read_only=True)
    sender_unit_name = serializers.CharField(source="sender_unit.name", read_only=True)
    recipient_unit_name = serializers.CharField(source="recipient_unit.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    replies = LetterReplySerializer(many=True, read_only=True)

    class Meta:
        model = LiaisonLetter
        fields = [
            "id",
            "mechanism",
            "mechanism_name",
            "sender_unit",
            "sender_unit_name",
            "recipient_unit",
            "recipient_unit_name",
            "subject",
            "body",
            "state",
            "state_label",
            "reply_by",
            "sent_at",
            "replied_at",
            "reply_working_days",
            "is_overdue",
            "no_consensus_reason",
            "escalated_at",
            "outcome",
            "agenda_note",
            "closing_comment",
            "closed_at",
            "matter",
            "replies",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LetterWriteInput(serializers.Serializer[Any]):
    """A new letter, as the page's form takes it (without the attachment). Who may write for
    which unit, and to whom, is the action's rule (403 / 400 with its code)."""

    sender_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text="The sending unit; may be left out when the user writes for one unit only.",
    )
    recipient_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    reply_by = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Empty: the joint meeting's usual number of working days from sending.",
    )
    send = serializers.BooleanField(
        required=False, default=True, help_text="false keeps the letter as a draft."
    )


class LetterReplyInput(serializers.Serializer[Any]):
    body = serializers.CharField()


class LetterSendInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, allow_null=True, help_text="The version read; a stale one gives 409."
    )


# --- viewsets ------------------------------------------------------------------------------
@extend_schema(responses={200: LiaisonLetterSerializer})
class LetterViewSet(ScopedReadViewSet):
    """Letters the user sees, as on the letter list: its units' letters (drafts only to the
    sender), every sent letter of the jurisdictions the office oversees, escalated ones to
    leaders. Members of a mechanism only (administrators: 403)."""

    resource = "liaison"
    permission_classes = [ScopePermission, MembersOnly]
    members_only_message = gettext_lazy("Liaison letters are for members of a joint meeting.")
    lookup_value_regex = "[0-9]+"
    serializer_class = LiaisonLetterSerializer
    filterset_class = LetterFilterSet

    def visible(self) -> QuerySet[LiaisonLetter]:
        return (
            LiaisonLetter.objects.visible_to(self.request.user)
            .select_related("mechanism", "sender_unit", "recipient_unit")
            .prefetch_related(
                Prefetch(
                    "replies",
                    queryset=LetterReply.objects.select_related("unit").order_by(
                        "created_at", "pk"
                    ),
                )
            )
            .order_by("-sent_at", "-pk")
        )

    def _letter(self, pk: int) -> LiaisonLetter:
        return self.visible().get(pk=pk)

    def _answer(self, letter: LiaisonLetter, code: int = status.HTTP_200_OK) -> Response:
        body = self.get_serializer(self._letter(letter.pk)).data
        return Response(body, status=code)

    @extend_schema(request=LetterWriteInput, responses={201: LiaisonLetterSerializer})
    def create(self, request: Request) -> Response:
        """Write a letter for the user's unit and send it (or keep it as a draft with
        `send: false`); only liaison officers and court staff write letters (403)."""
        if not actions.may_write(request.user):
            raise exceptions.PermissionDenied(_("Only a unit's liaison officer writes letters."))
        data = LetterWriteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("sender_unit") is None:
            units = list(actions.sender_units(request.user)[:2])
            if len(units) != 1:
                raise serializers.ValidationError(
                    {"sender_unit": [_("Name the sending unit.")]}, code="required"
                )
            values["sender_unit"] = units[0]
        letter = actions.create_letter(
            request.user,
            sender_unit=values["sender_unit"],
            recipient_unit=values["recipient_unit"],
            subject=values["subject"],
            body=values["body"],
            reply_by=values.get("reply_by"),
            send=values["send"],
        )
        return self._answer(letter, status.HTTP_201_CREATED)

    @extend_schema(request=LetterSendInput, responses={200: LiaisonLetterSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft (the sending unit only: 403; a letter already sent: 409)."""
        letter = self.get_object()
        if wf.SENDER not in relations_to(request.user, letter):
            raise exceptions.PermissionDenied(_("Only the sending unit sends its letter."))
        data = LetterSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.send_letter(
            request.user, letter, expected_version=data.validated_data.get("version")
        )
        return self._answer(letter)

    @extend_schema(request=LetterReplyInput, responses={201: LiaisonLetterSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """The receiving unit replies (again, to add something); the first reply fixes the
        reply time in working days. Others, or a closed letter: 403."""
        letter = self.get_object()
        data = LetterReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        actions.reply(request.user, letter, data.validated_data["body"])
        return self._answer(letter, status.HTTP_201_CREATED)


routes = [("liaison/letters", LetterViewSet, "liaison-letter")]
