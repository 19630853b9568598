"""The API's policy classes named in settings.REST_FRAMEWORK (pagination, the scope check, the
filter backend). Kept apart from `core.api` because DRF imports them while it builds its own
view classes, before a module that imports those views could finish loading."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, permissions
from rest_framework.request import Request
from rest_framework.response import Response

SAFE_METHODS = permissions.SAFE_METHODS


# --- pagination ------------------------------------------------------------------------------
class Pagination(pagination.PageNumberPagination):
    """Pages as offices know them: the total count, page numbers, at most 500 a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "pages": self.page.paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "page", "pages", "results"],
            "properties": {
                "count": {"type": "integer"},
                "page": {"type": "integer"},
                "pages": {"type": "integer"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


# --- client scopes and purpose-bound datasets ------------------------------------------------
def client_of(request: Request) -> Any:
    """The system client behind a token request, or None for a person's session."""
    token = getattr(request, "auth", None)
    return getattr(token, "client", None)


class ScopePermission(permissions.BasePermission):
    """Signed in, and — for a system client's token — holding the view's scope
    (`<resource>:read` for safe methods, `<resource>:write` otherwise)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated:
            return False
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "allows"):
            return True
        resource = getattr(view, "resource", "")
        write = request.method not in SAFE_METHODS
        if not token.allows(resource, write=write):
            raise exceptions.PermissionDenied(
                _("This token has no “%(scope)s” scope.")
                % {"scope": f"{resource}:{'write' if write else 'read'}"},
                code="api.scope",
            )
        return True


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; the FilterSets are the pages' own (they take `request`)."""


# --- parsing ------------------------------------------------------------------------------------
class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body nested too deeply for the decoder (thousands of "[")
    refused as a parse error (400 api.parse) instead of failing the request."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("The JSON body is nested too deeply."), code="api.parse"
            ) from None
