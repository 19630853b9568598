"""The REST API's shared building blocks (ARCHITECTURE.md: DRF + drf-spectacular +
django-filter). Every app's `api.py` builds its viewsets on `ScopedReadViewSet`, so that:

- rows come only from the app's `visible_to(user)` (the viewset's `visible()`), the same
  scoping as the pages; the user is a person signed in (session) or a system client's service
  user (token, `fuyuan.exchange.auth`), whose unit role assignments decide like a person's;
- a system client's token is further limited by its scopes (resource × read/write);
- a purpose-bound dataset (`dataset = "enforcement.debtors"` …) is served to a system client
  only under an approved access grant, personal fields masked unless the grant opens them,
  and every pull is logged for the provider (hooks registered by `fuyuan.exchange`);
- writes call the app's actions (the one audited path) and their refusals become the one
  error shape: `{"code": …, "message": …, "errors": [{"field", "code", "message"}]}` with a
  Chinese message by default.

`core` is layer 1: it knows nothing of `exchange`; exchange registers its hooks in `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import (
    exceptions,
    mixins,
    permissions,
    serializers,
    status,
    viewsets,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .models import StaleObjectError
from .workflow import TransitionError

SAFE_METHODS = permissions.SAFE_METHODS


# --- the error shape ---------------------------------------------------------------------------
class ErrorSerializer(serializers.Serializer[Any]):
    """The one error shape of the API (documented in docs/api.md)."""

    class FieldError(serializers.Serializer[Any]):
        field = serializers.CharField(help_text="The field or column at fault; empty for all.")
        code = serializers.CharField()
        message = serializers.CharField()

    code = serializers.CharField(help_text="A stable code, e.g. api.scope, import.batch_conflict")
    message = serializers.CharField(help_text="What went wrong, in the user's language.")
    errors = FieldError(many=True, required=False)


class ApiError(exceptions.APIException):
    """An error with our own code and message (e.g. 409 import.batch_conflict)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        self.status_code = status_code
        self.code = code
        super().__init__(detail=message, code=code)


def _flatten(detail: Any, field: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += _flatten(value, f"{field}.{name}" if field and name else (name or field))
        return out
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    code = getattr(detail, "code", "") or "invalid"
    return [{"field": field, "code": str(code), "message": str(detail)}]


def _django_validation(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "field": "" if name == "__all__" else name,
                "code": e.code or "invalid",
                "message": " ".join(e.messages),
            }
            for name, errors in exc.error_dict.items()
            for e in errors
        ]
    return [
        {"field": "", "code": e.code or "invalid", "message": " ".join(e.messages)}
        for e in exc.error_list
    ]


def error_body(code: str, message: str, errors: Iterable[dict[str, str]] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    errors = list(errors)
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the one shape."""
    if isinstance(exc, OverflowError):
        # An identifier or number past what the database holds (SQLite refuses to bind it):
        # the request is wrong, not the server.
        return Response(
            error_body("api.invalid", _("A number in the request is too large.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, TransitionError):
        return Response(error_body(exc.code, str(exc.message)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleObjectError):
        return Response(error_body("api.stale", str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = _django_validation(exc)
        code = errors[0]["code"] if len(errors) == 1 else "api.invalid"
        message = errors[0]["message"] if errors else _("The request is not valid.")
        return Response(error_body(code, message, errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.code, str(exc.detail))
        return response
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        response.data = error_body(
            "api.invalid", errors[0]["message"] if errors else str(exc), errors
        )
        return response
    codes = {
        exceptions.NotAuthenticated: ("api.not_authenticated", _("Sign in or send a token.")),
        exceptions.AuthenticationFailed: ("api.bad_token", ""),
        exceptions.PermissionDenied: ("api.forbidden", _("You may not do this.")),
        exceptions.NotFound: ("api.not_found", _("Not found, or not within your remit.")),
        exceptions.MethodNotAllowed: ("api.method", ""),
        exceptions.Throttled: ("api.rate_limited", ""),
        exceptions.UnsupportedMediaType: ("api.media_type", ""),
        exceptions.ParseError: ("api.parse", ""),
        exceptions.NotAcceptable: ("api.not_acceptable", ""),
    }
    code, message = f"api.{getattr(exc, 'default_code', 'error')}", ""
    for cls, (c, m) in codes.items():
        if isinstance(exc, cls):
            code, message = c, m
            break
    detail = getattr(exc, "detail", "")
    given_code = getattr(detail, "code", "")
    if given_code and "." in str(given_code):
        code = str(given_code)  # a raise with our own code, e.g. api.scope
    text = str(detail) if detail else ""
    if isinstance(exc, exceptions.Throttled):
        text = _("Too many requests. Try again in %(seconds)s seconds.") % {
            "seconds": (exc.wait and int(exc.wait + 0.999)) or 1
        }
    response.data = error_body(code, text if (text and not message) or given_code else message)
    return response


@dataclass(frozen=True)
class Access:
    """What the purpose-bound check decided for one request."""

    reveal_personal: bool = False
    grant_id: int | None = None


AccessCheck = Callable[[Request, str], Access]
PullLog = Callable[[Request, str, dict[str, Any], int, Access], None]
_hooks: dict[str, Any] = {}


def register_access(check: AccessCheck, log: PullLog) -> None:
    """Called once by `fuyuan.exchange` in ready(): `check(request, dataset)` returns Access or
    raises PermissionDenied (code api.no_grant); `log(...)` writes the pull to the access log."""
    _hooks["check"] = check
    _hooks["log"] = log


def dataset_access(request: Request, dataset: str) -> Access:
    check = _hooks.get("check")
    if check is None or not dataset:
        return Access()
    result: Access = check(request, dataset)
    return result


def log_pull(
    request: Request, dataset: str, filters: dict[str, Any], rows: int, access: Access
) -> None:
    log = _hooks.get("log")
    if log is not None and dataset:
        log(request, dataset, filters, rows, access)


# --- viewsets --------------------------------------------------------------------------------
class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """List and read, scoped. Subclasses set `resource` (scope name), `visible()` (the app's
    `Model.objects.visible_to(self.request.user)` with the joins the serializer needs), a
    serializer and, where the page has one, the page's FilterSet as `filterset_class`.
    `dataset` makes the viewset purpose-bound (see module docstring)."""

    resource: str = ""
    dataset: str = ""

    def visible(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.visible()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.access = dataset_access(request, self.dataset) if self.dataset else Access()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        access = getattr(self, "access", None)
        context["reveal_personal"] = bool(access and access.reveal_personal)
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if self.dataset:
            data = response.data
            rows = len(data.get("results", [])) if isinstance(data, dict) else len(data)
            log_pull(request, self.dataset, dict(request.query_params.lists()), rows, self.access)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        if self.dataset:
            log_pull(request, self.dataset, {"id": [str(kwargs.get("pk", ""))]}, 1, self.access)
        return response


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):  # type: ignore[type-arg]
    """A personal value (identity number, phone): masked with `mask` unless the request's
    access reveals personal fields. `source` names the attribute holding the clear value."""

    def __init__(self, mask: Callable[[str], str], **kwargs: Any) -> None:
        self.mask = mask
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if not text or self.context.get("reveal_personal"):
            return text
        return self.mask(text)


def action_response(data: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(data, status=code)
