"""The audit administrator's view of the trail: list and filter, read only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fuyuan.accounts.models import Role

from .forms import AuditFilterForm
from .models import AuditArchive, AuditEntry


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_role(Role.AUDIT_ADMIN):
        raise PermissionDenied("audit")
    form = AuditFilterForm(request.GET or None)
    rows: QuerySet[AuditEntry] = AuditEntry.objects.visible_to(user)
    if form.is_valid():
        rows = form.apply(rows)
    page = Paginator(rows.order_by("-seq"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    live = AuditEntry.objects.visible_to(user)
    return render(
        request,
        "audit/entry_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            # The online range (oldest and newest live entry) and the archives before it.
            "oldest": live.order_by("seq").only("seq", "at").first(),
            "newest": live.order_by("-seq").only("seq", "at").first(),
            "archives": AuditArchive.objects.order_by("-last_seq"),
            "retention_days": settings.FUYUAN_AUDIT_RETENTION_DAYS,
        },
    )
