"""Views of the ledger (台账), its export, saved filters, and the bulk update by spreadsheet.
Reads go through `visible_to(user)` (queries.py); writes through actions (bulk.py,
ledger_actions.py). Each matter's own page lives in the matter pages module."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fuyuan.accounts.permissions import scope_for

from . import bulk, exports, ledger_actions, queries
from . import workflow as wf
from .filters import LedgerFilterSet
from .forms import BulkConfirmForm, BulkUploadForm, SavedFilterForm
from .models import Colour, SavedFilter

PER_PAGE = 50
SESSION_PREFIX = "matters.bulk."
COLOUR_TONES = {
    Colour.RED: "danger",
    Colour.YELLOW: "warning",
    Colour.BLUE: "info",
    Colour.GREEN: "success",
    Colour.NONE: "secondary",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("matters.ledger")
    return user


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def matter_url(pk: int) -> str:
    try:
        return reverse("matters:matter_detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return f"/matters/m/{pk}/"


def _filterset(request: HttpRequest, user: Any) -> LedgerFilterSet:
    rows = queries.ledger_rows(user, timezone.localdate())
    return LedgerFilterSet(request.GET, rows, request=request)


# --- ledger ---------------------------------------------------------------------------------------
@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = _filterset(request, user)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    start = page.start_index()
    for offset, matter in enumerate(page.object_list):
        matter.row_no = start + offset  # type: ignore[attr-defined]
        matter.url = matter_url(matter.pk)  # type: ignore[attr-defined]
        matter.state_obj = wf.MATTER_WORKFLOW.state(matter.state)  # type: ignore[attr-defined]
        colour = Colour(matter.colour)  # type: ignore[attr-defined]
        matter.colour_label = colour.label  # type: ignore[attr-defined]
        matter.colour_tone = COLOUR_TONES[colour]  # type: ignore[attr-defined]
    query = _query(request)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "query": query,
        "saved_filters": list(SavedFilter.objects.filter(user=user).order_by("name")),
        "save_form": SavedFilterForm(initial={"query": query}),
        "can_bulk": bulk.may_bulk_update(user),
    }
    return render(request, "matters/ledger.html", context)


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = _filterset(request, user)
    today = timezone.localdate()
    content = exports.ledger_workbook(filterset.qs, "工作落实台账")
    return exports.xlsx_response(content, exports.dated_filename("工作落实台账", today))


@login_required
@require_POST
def ledger_filter_save(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = SavedFilterForm(request.POST)
    query = ""
    if form.is_valid():
        query = ledger_actions.clean_query(form.cleaned_data.get("query") or "")
        try:
            ledger_actions.save_filter(user, form.cleaned_data["name"], query)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The filter was saved."))
    else:
        messages.error(request, _("Give the filter a name of at most 60 characters."))
    url = reverse("matters:ledger")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def ledger_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    saved = get_object_or_404(SavedFilter.objects.filter(user=user), pk=pk)
    ledger_actions.delete_filter(user, saved)
    messages.success(request, _("The saved filter was deleted."))
    return redirect("matters:ledger")


# --- bulk update ----------------------------------------------------------------------------------
def _bulk_user(request: HttpRequest) -> Any:
    user: Any = request.user
    if not bulk.may_bulk_update(user):
        raise PermissionDenied("matters.bulk_update")
    return user


@login_required
@require_GET
def bulk_download(request: HttpRequest) -> HttpResponse:
    user = _bulk_user(request)
    today = timezone.localdate()
    content = exports.bulk_workbook(queries.bulk_rows(user), "工作落实台账进展填报")
    return exports.xlsx_response(content, exports.dated_filename("工作落实台账进展填报", today))


@login_required
@require_http_methods(["GET", "POST"])
def bulk_upload(request: HttpRequest) -> HttpResponse:
    """GET: the download link and the upload form. POST: read the file and show the preview;
    the parsed preview waits in the session under a random token until confirmed."""
    user = _bulk_user(request)
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            preview = bulk.parse_upload(user, data)
        except bulk.BulkFileError as exc:
            form.add_error("file", ValidationError(exc.message, code=exc.code))
        else:
            # One pending preview per user session: a new upload replaces the last one.
            for key in [k for k in request.session.keys() if k.startswith(SESSION_PREFIX)]:  # noqa: SIM118
                del request.session[key]
            token = secrets.token_urlsafe(16)
            request.session[SESSION_PREFIX + token] = preview.to_json()
            return render(
                request,
                "matters/bulk_preview.html",
                {
                    "preview": preview,
                    "confirm_form": BulkConfirmForm(initial={"token": token}),
                    "token": token,
                },
            )
    return render(
        request,
        "matters/bulk_upload.html",
        {"form": form, "open_count": queries.bulk_rows(user).count()},
    )


@login_required
@require_POST
def bulk_confirm(request: HttpRequest) -> HttpResponse:
    """Apply a previewed upload. The preview leaves the session as it is applied, so
    confirming the same token again does nothing."""
    user = _bulk_user(request)
    form = BulkConfirmForm(request.POST)
    data = None
    if form.is_valid():
        data = request.session.pop(SESSION_PREFIX + form.cleaned_data["token"], None)
    if data is None:
        messages.warning(
            request, _("This upload was already applied or has expired. Upload the file again.")
        )
        return redirect("matters:bulk_upload")
    preview = bulk.Preview.from_json(data)
    result = bulk.apply_bulk_update(user, preview)
    messages.success(
        request,
        _("%(n)s rows were applied.") % {"n": len(result.applied)},
    )
    for issue in result.stale:
        messages.warning(
            request,
            _("Row %(row)s (%(title)s): %(message)s")
            % {"row": issue.row, "title": issue.title, "message": issue.message},
        )
    return redirect("matters:bulk_upload")


@login_required
@require_GET
def cards(request: HttpRequest) -> HttpResponse:
    """Yellow and red cards per unit for a mechanism and a year, with the formal-talk flag."""
    from fuyuan.org.models import Mechanism

    from .cards import cards_by_unit

    user = _member(request)
    today = timezone.localdate()
    mechanisms = list(
        Mechanism.objects.visible_to(user)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path")
    )
    chosen = request.GET.get("mechanism", "")
    mechanism = next((m for m in mechanisms if str(m.pk) == chosen), None)
    if mechanism is None:
        from fuyuan.org.queries import home_mechanisms

        mechanism = home_mechanisms(user).first() or (mechanisms[0] if mechanisms else None)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    rows = cards_by_unit(user, mechanism, year, today) if mechanism else []
    context = {
        "mechanisms": mechanisms,
        "mechanism": mechanism,
        "year": year,
        "years": list(range(today.year, today.year - 5, -1)),
        "rows": rows,
        "config": mechanism.config if mechanism else None,
        "talks": sum(1 for r in rows if r.formal_talk),
    }
    return render(request, "matters/cards.html", context)
