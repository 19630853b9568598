"""The REST API's URLs (/api/v1/): each app's `api.py` lists its `routes` as
(prefix, viewset, basename); the schema and its self-hosted docs sit beside them."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.urls import include, path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

# Modules with a `routes` list, in menu order.
API_MODULES = [
    "matters.api",
    "org.api",
    "meetings.api",
    "duallists.api",
    "liaison.api",
    "litigation.api",
    "enforcement.api",
    "bankruptcy.api",
    "risks.api",
    "exchange.api",
    "exchange.push_api",
]

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for name in API_MODULES:
    try:
        module = import_module(f"fuyuan.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"fuyuan.{name}":
            raise
        continue
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the schema describes the system clients' bearer tokens."""

    target_class = "fuyuan.exchange.auth.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "fy_<prefix>_<secret>",
            "description": "A system client's token (docs/api.md, “Authentication”).",
        }
