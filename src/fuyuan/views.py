"""Project-level views: each role's home page and the error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.dashboard import figures
from fuyuan.dashboard.area import area_from, may_view
from fuyuan.org import queries as org_queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = scope_for(user)
    context: dict[str, Any] = {"roles": sorted(scope.roles), "Role": Role}
    context["assignments"] = user.active_assignments()
    if may_view(user):
        area = area_from(user, {}, default_kind="month")
        context["headline"] = [
            figures.on_time_figure(user, area),
            *figures.colour_figures(user, area)[1:],
        ]
    if scope.is_member:
        context["mechanisms"] = org_queries.home_mechanisms(user)
        context["my_units"] = org_queries.units_acted_for(user)
        context["pending_changes"] = org_queries.pending_membership_changes(user)
    return render(request, "home.html", context)


@requires_csrf_token
def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    """Under /api/ an error page is the API's one error shape, not HTML."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = _api_error(request, 403, "api.forbidden", _("You may not do this."))
    return api or render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = _api_error(request, 404, "api.not_found", _("Not found, or not within your remit."))
    return api or render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    api = _api_error(request, 500, "api.server_error", _("Something went wrong on our side."))
    if api is not None:
        return api
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({}, request))
