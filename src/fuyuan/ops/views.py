"""Health (liveness), readiness, and the task queue page of the system administrator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import actions, health, queue

CHECK_NAMES = ("database", "migrations", "scheduler", "worker")


def _answer(checks: list[health.Check], detailed: bool) -> JsonResponse:
    ok = all(check.ok for check in checks)
    body: dict[str, Any] = {
        "status": "ok" if ok else "fail",
        "checks": {
            check.name: (
                {"status": "ok" if check.ok else "fail", "detail": check.detail}
                if detailed
                else ("ok" if check.ok else "fail")
            )
            for check in checks
        },
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


@never_cache
@require_http_methods(["GET", "HEAD"])
def health_view(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, no session, no user."""
    return _answer([health.Check("process", True)], detailed=False)


def _sees_details(request: HttpRequest) -> bool:
    """Only a signed-in system administrator reads the checks' details; looking the user up
    needs the database, so a failure here means "anonymous"."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    try:
        return actions.may_manage_queue(request.user)
    except Exception:
        return False


@never_cache
@require_http_methods(["GET", "HEAD"])
def ready_view(request: HttpRequest) -> HttpResponse:
    """Readiness: database, migrations, scheduler, worker. `?checks=database,migrations` asks
    for some only (a load balancer in front of web nodes need not depend on the worker)."""
    wanted = [name for name in request.GET.get("checks", "").split(",") if name]
    unknown = [name for name in wanted if name not in CHECK_NAMES]
    if unknown:
        return JsonResponse(
            {"status": "fail", "error": "unknown check", "known": list(CHECK_NAMES)}, status=400
        )
    checks = health.readiness()
    if wanted:
        checks = [check for check in checks if check.name in wanted]
    return _answer(checks, detailed=_sees_details(request))


def _require_admin(request: HttpRequest) -> Any:
    if not actions.may_manage_queue(request.user):
        raise PermissionDenied("ops.queue")
    return request.user


@never_cache
@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    data = queue.overview()
    data["checks"] = health.readiness(data["now"])
    data["heartbeats"] = health.heartbeats()
    return render(request, "ops/queue.html", data)


@login_required
@require_POST
def requeue_view(request: HttpRequest, pk: Any) -> HttpResponse:
    actor = _require_admin(request)
    try:
        row = actions.requeue_failed_task(actor, pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The task %(task)s was queued again.") % {"task": row.task_path}
        )
    return redirect("ops:queue")
