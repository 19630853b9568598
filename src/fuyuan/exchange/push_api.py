"""Bulk pushes through the REST API (issue [api] 3; docs/api.md, "Pushing a file"): a system
client posts a file of rows to a feed of the one importer, gets 202 with a status URL, and the
worker imports it (`exchange.tasks.process_import`). The same batch id again answers the first
batch's status; two pushes with one batch id at the same moment: one wins, the other gets 409
`import.batch_conflict`.

    POST /api/v1/imports/<feed>/              multipart `file` (+ `batch_id`), or a raw body
                                              (NDJSON, CSV, gzip, JSON, .xlsx) + X-Batch-Id
    GET  /api/v1/imports/feeds/               the feeds the user may push, with their columns
    GET  /api/v1/imports/batches/             batches the user may see
    GET  /api/v1/imports/batches/<id>/        a batch's state, counts and first 100 issues
    GET  /api/v1/imports/batches/<id>/issues/ every issue, paginated
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fuyuan.core import importing
from fuyuan.core.api import ApiError, ErrorSerializer, ScopedReadViewSet
from fuyuan.core.models import (
    ImportBatch,
    ImportChannel,
    ImportIssue,
    ImportState,
    IssueLevel,
)

from .drop import batch_counts, batch_issues

RESOURCE = "imports"
STATUS_ISSUES = 100
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Feed names are "<app>.<feed>": the dot keeps them apart from "batches" and "feeds".
FEED_REGEX = r"[a-z][a-z0-9_]*\.[a-z0-9_.]+"
FORMATS = ["csv", "csv.gz", "xlsx", "json", "ndjson"]


def max_bytes() -> int:
    return int(getattr(settings, "FUYUAN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _too_large() -> ApiError:
    return ApiError(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "import.too_large",
        _("The file is larger than %(mb)s MB: split it into several batches.")
        % {"mb": max_bytes() // (1024 * 1024)},
    )


# --- raw bodies ----------------------------------------------------------------------------------
class RawFileParser(parsers.BaseParser):
    """A request body that is the file itself (curl --data-binary @rows.ndjson), copied to a
    temporary file in chunks — never held in memory whole — and offered as `file`."""

    media_type = "application/octet-stream"
    default_name = "push"
    chunk = 1024 * 1024

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> parsers.DataAndFiles:  # type: ignore[type-arg]
        request = (parser_context or {}).get("request")
        name = _disposition_name(request) or self.default_name
        upload = TemporaryUploadedFile(name, media_type or self.media_type, 0, None)
        size = 0
        limit = max_bytes()
        if stream is not None:
            while True:
                data = stream.read(self.chunk)
                if not data:
                    break
                size += len(data)
                if size > limit:
                    upload.close()
                    raise _too_large()
                upload.write(data)
        upload.size = size
        upload.seek(0)
        files = MultiValueDict({"file": [upload]} if size else {})
        return parsers.DataAndFiles(QueryDict(mutable=True), files)


def _raw_parser(media: str, name: str) -> type[RawFileParser]:
    return type(
        f"RawFileParser_{re.sub(r'[^A-Za-z0-9]', '_', media)}",
        (RawFileParser,),
        {"media_type": media, "default_name": name},
    )


RAW_TYPES = {
    "application/x-ndjson": "push.ndjson",
    "application/ndjson": "push.ndjson",
    "application/jsonl": "push.ndjson",
    "text/csv": "push.csv",
    "application/gzip": "push.gz",
    "application/x-gzip": "push.gz",
    "application/json": "push.json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "push.xlsx",
    "application/octet-stream": "push",
}
RAW_PARSERS = [_raw_parser(media, name) for media, name in RAW_TYPES.items()]
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _disposition_name(request: Any) -> str:
    header = getattr(request, "META", {}).get("HTTP_CONTENT_DISPOSITION", "") if request else ""
    match = _FILENAME.search(header or "")
    if not match:
        return ""
    from urllib.parse import unquote

    return unquote(match.group(1)).replace("\\", "/").rsplit("/", 1)[-1][:200]


# --- serializers ---------------------------------------------------------------------------------
class PushInput(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The rows: CSV (UTF-8/GB18030), .csv.gz, .xlsx, JSON.")
    batch_id = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Your id of this batch: the same id again returns the first batch's status.",
    )


class PushAcceptedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    feed = serializers.CharField()
    batch_id = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=ImportState.choices)
    status_url = serializers.CharField()


class CountsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    ok = serializers.IntegerField()
    error = serializers.IntegerField()
    held = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class FailureSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class IssueSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="The row as the file's reader sees it.")
    column = serializers.CharField(allow_blank=True, help_text="The column key; empty: the row")
    level = serializers.ChoiceField(choices=IssueLevel.choices)
    code = serializers.CharField()
    message = serializers.CharField()
    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="[header, text] pairs as read; personal cells masked.",
    )


class IssueRowSerializer(serializers.ModelSerializer[ImportIssue]):
    row = serializers.IntegerField(source="row_number")
    cells = serializers.SerializerMethodField()

    class Meta:
        model = ImportIssue
        fields = ["row", "column", "level", "code", "message", "cells"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    )
    def get_cells(self, obj: ImportIssue) -> list[list[str]]:
        return [[str(h), str(t)] for h, t in (obj.raw or [])]


class BatchSerializer(serializers.ModelSerializer[ImportBatch]):
    status_url = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    failure = serializers.SerializerMethodField()
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", allow_null=True)
    imported_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "feed",
            "batch_id",
            "channel",
            "state",
            "name",
            "size",
            "sha256",
            "created_at",
            "imported_at",
            "duplicate_of",
            "counts",
            "failure",
            "status_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_url(self, obj: ImportBatch) -> str:
        return reverse("api:import-batch-detail", kwargs={"pk": obj.pk})

    @extend_schema_field(CountsSerializer)
    def get_counts(self, obj: ImportBatch) -> dict[str, int]:
        return batch_counts(obj)

    @extend_schema_field(FailureSerializer(allow_null=True))
    def get_failure(self, obj: ImportBatch) -> dict[str, str] | None:
        if obj.state != ImportState.FAILED:
            return None
        return {"code": obj.failure_code or "import.failed", "message": obj.failure}


class BatchStatusSerializer(BatchSerializer):
    issues = serializers.SerializerMethodField()
    issues_total = serializers.SerializerMethodField()
    issues_url = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "issues_total", "issues", "issues_url"]
        read_only_fields = fields

    @extend_schema_field(IssueSerializer(many=True))
    def get_issues(self, obj: ImportBatch) -> list[dict[str, Any]]:
        return batch_issues(obj, STATUS_ISSUES, cells=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_issues_total(self, obj: ImportBatch) -> int:
        return obj.issues.count()

    @extend_schema_field(OpenApiTypes.STR)
    def get_issues_url(self, obj: ImportBatch) -> str:
        return reverse("api:import-batch-issues", kwargs={"pk": obj.pk})


class ColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField(help_text="The Chinese header.")
    label_en = serializers.CharField(help_text="The English header.")
    headers = serializers.ListField(child=serializers.CharField(), help_text="Also accepted.")
    required = serializers.BooleanField()
    personal = serializers.BooleanField()


class FeedSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()
    label_en = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())
    push_url = serializers.CharField()
    columns = ColumnSerializer(many=True)


def describe_feed(feed: importing.Feed) -> dict[str, Any]:
    """A feed as clients need it: its columns with the Chinese and English headers."""
    with translation.override("zh-hans"):
        label = str(feed.label)
        columns = [
            {
                "key": c.key,
                "label": str(c.label),
                "headers": list(c.headers),
                "required": c.required,
                "personal": c.personal,
            }
            for c in feed.columns
        ]
    with translation.override("en"):
        label_en = str(feed.label)
        for column, declared in zip(columns, feed.columns, strict=True):
            column["label_en"] = str(declared.label)
    return {
        "name": feed.name,
        "label": label,
        "label_en": label_en,
        "formats": FORMATS,
        "push_url": reverse("api:import-push-list", kwargs={"feed": feed.name}),
        "columns": columns,
    }


# --- the viewsets --------------------------------------------------------------------------------
def _feed(name: str) -> importing.Feed:
    try:
        return importing.get(name)
    except KeyError:
        raise ApiError(
            status.HTTP_404_NOT_FOUND,
            "import.feed",
            _("There is no import called “%(feed)s”.") % {"feed": name},
        ) from None


FEED_PATH = OpenApiParameter(
    "feed",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The feed, e.g. litigation.cases (GET /api/v1/imports/feeds/ lists them).",
    pattern=f"^{FEED_REGEX}$",
)
BATCH_HEADER = OpenApiParameter(
    "X-Batch-Id",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Your id of this batch (instead of the form field batch_id).",
)


class PushViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Push a file of rows to a feed; answered 202 with the batch's status URL."""

    resource = RESOURCE
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, *RAW_PARSERS]
    serializer_class = PushAcceptedSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return ImportBatch.objects.none()

    @extend_schema(
        operation_id="imports_push",
        summary="Push a file of rows to a feed",
        parameters=[FEED_PATH, BATCH_HEADER],
        request={
            "multipart/form-data": PushInput,
            "application/x-ndjson": OpenApiTypes.BINARY,
            "text/csv": OpenApiTypes.BINARY,
            "application/gzip": OpenApiTypes.BINARY,
        },
        responses={
            202: OpenApiResponse(PushAcceptedSerializer, description="Queued for the worker."),
            200: OpenApiResponse(
                BatchStatusSerializer, description="This batch id was used before: its status."
            ),
            413: ErrorSerializer,  # larger than FUYUAN_IMPORT_MAX_BYTES
            415: ErrorSerializer,  # neither NDJSON, CSV nor gzip
        },
    )
    def create(self, request: Request, feed: str = "") -> Response:
        found = _feed(feed)
        if not found.may_import(request.user):
            raise ApiError(
                status.HTTP_403_FORBIDDEN,
                "import.forbidden",
                _("You may not import “%(feed)s”.") % {"feed": found.label},
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Multipart adds its boundaries and the batch id: a little slack before refusing.
        if length > max_bytes() + 64 * 1024:
            raise _too_large()
        upload = request.FILES.get("file")
        if not isinstance(upload, UploadedFile) or not upload.size:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "import.no_file",
                _("Send the file as the form field “file”, or as the request body."),
            )
        if upload.size > max_bytes():
            raise _too_large()
        batch_id = request.data.get("batch_id") or request.headers.get("X-Batch-Id") or ""
        if not isinstance(batch_id, str):
            batch_id = ""
        try:
            batch, created = importing.submit(
                found.name, upload, request.user, batch_id=batch_id, channel=ImportChannel.PUSH
            )
        except importing.ImportFileError as exc:
            code = (
                status.HTTP_409_CONFLICT
                if exc.code == "import.batch_conflict"
                else status.HTTP_400_BAD_REQUEST
            )
            raise ApiError(code, exc.code, exc.message) from None
        except PermissionDenied:
            raise ApiError(
                status.HTTP_403_FORBIDDEN,
                "import.forbidden",
                _("You may not import “%(feed)s”.") % {"feed": found.label},
            ) from None
        finally:
            upload.close()
        context = self.get_serializer_context()
        location = reverse("api:import-batch-detail", kwargs={"pk": batch.pk})
        if not created:
            data = BatchStatusSerializer(batch, context=context).data
            return Response(data, status=status.HTTP_200_OK, headers={"Location": location})
        data = {
            "id": batch.pk,
            "feed": batch.feed,
            "batch_id": batch.batch_id,
            "state": batch.state,
            "status_url": location,
        }
        pk = batch.pk
        transaction.on_commit(lambda: _enqueue(pk), robust=True)
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def _enqueue(batch_pk: int) -> None:
    from .tasks import process_import

    process_import.enqueue(batch_pk)


class BatchFilter(django_filters.FilterSet):
    feed = django_filters.CharFilter()
    state = django_filters.ChoiceFilter(choices=ImportState.choices)
    channel = django_filters.ChoiceFilter(choices=ImportChannel.choices)
    batch_id = django_filters.CharFilter()

    class Meta:
        model = ImportBatch
        fields = ["feed", "state", "channel", "batch_id"]


class IssueFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=IssueLevel.choices)

    class Meta:
        model = ImportIssue
        fields = ["level"]


@extend_schema_view(
    list=extend_schema(
        summary="Import batches you may see",
        responses={
            200: BatchSerializer(many=True),
        },
    ),
    retrieve=extend_schema(
        summary="A batch's status: state, counts and its first 100 issues",
        responses={
            200: BatchStatusSerializer,
        },
    ),
)
class BatchViewSet(ScopedReadViewSet):
    """Import batches: the uploader's own, and every batch of a feed the user may import."""

    resource = RESOURCE
    serializer_class = BatchSerializer
    filterset_class = BatchFilter

    def visible(self) -> QuerySet[ImportBatch]:
        return ImportBatch.objects.visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return BatchStatusSerializer
        if self.action == "issues":
            return IssueRowSerializer
        return BatchSerializer

    @extend_schema(
        summary="Every issue of a batch, in row order",
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=list(IssueLevel.values)),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        filters=False,
        responses={
            200: IssueRowSerializer(many=True),
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def issues(self, request: Request, pk: str | None = None) -> Response:
        batch = self.get_object()
        rows = IssueFilter(
            request.query_params, queryset=batch.issues.order_by("row_number", "pk")
        ).qs
        page = self.paginate_queryset(rows)
        serializer = IssueRowSerializer(page, many=True)
        return self.get_paginated_response(serializer.data)


class FeedViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The feeds the user may push to, with their columns."""

    resource = RESOURCE
    serializer_class = FeedSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return ImportBatch.objects.none()

    @extend_schema(
        summary="Feeds you may push, with their columns",
        responses={200: FeedSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        found = [describe_feed(f) for f in importing.feeds() if f.may_import(request.user)]
        return Response(FeedSerializer(found, many=True).data)


routes = [
    ("imports/feeds", FeedViewSet, "import-feed"),
    ("imports/batches", BatchViewSet, "import-batch"),
    (f"imports/(?P<feed>{FEED_REGEX})", PushViewSet, "import-push"),
]
