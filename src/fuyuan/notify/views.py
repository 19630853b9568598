"""The in-app inbox: list, open (marks read and follows the link), mark read, and the header's
polled unread count (which must not extend the session: it carries X-Fuyuan-Poll)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import actions
from .queries import inbox_of, unread_count


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    messages = inbox_of(user).order_by("-created_at", "-pk")
    show = request.GET.get("show", "")
    if show == "unread":
        messages = messages.filter(read_at__isnull=True)
    page = Paginator(messages, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "show": show,
            "query": "show=unread" if show == "unread" else "",
            "unread": unread_count(user),
        },
    )


@login_required
@require_GET
def unread(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/_unread.html", {"unread": unread_count(request.user)})


@login_required
@require_GET
def open_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    actions.mark_read(request.user, message)
    target = message.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(inbox_of(request.user), pk=pk)
    actions.mark_read(request.user, message)
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(request.user)
    return redirect("notify:inbox")
