"""Views of the ledger (台账), its export, saved filters, and the bulk update by spreadsheet
(the shared importer's upload → preview → confirm, feed "matters.progress" in importers.py).
Reads go through `visible_to(user)` (queries.py); writes through actions (ledger_actions.py,
and the importer's confirmation for the sheet). Each matter's own page lives in the matter
pages module."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fuyuan.accounts.permissions import scope_for
from fuyuan.core import import_views, importing
from fuyuan.core.models import ImportBatch

from . import bulk, exports, importers, ledger_actions, queries
from . import workflow as wf
from .filters import LedgerFilterSet
from .forms import SavedFilterForm
from .models import Colour, Matter, MatterType, SavedFilter

PER_PAGE = 50
# What a ledger row shows: the page loads only these (descriptions and summaries stay behind).
LEDGER_COLUMNS = (
    "title",
    "is_key_issue",
    "enterprise_related",
    "matter_type",
    "deadline",
    "state",
    "progress",
    "lead_unit__name",
    "task_area__name",
    "jurisdiction__name",
)
# (the colour and the latest progress text are annotations of queries.ledger_rows)
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


def ledger_page(rows: QuerySet[Matter], number: Any) -> Page:
    """One page of the ledger in three short queries instead of a wide sort: the count, the
    page's ids in order (a sort of narrow rows, read from the covering index), then those
    fifty rows with their units, task area and latest progress. Past the last page, the
    last page."""
    paginator = Paginator(rows, PER_PAGE)
    try:
        wanted = max(1, int(number))
    except (TypeError, ValueError):
        wanted = 1
    wanted = min(wanted, paginator.num_pages)
    start = (wanted - 1) * PER_PAGE
    ids = list(rows.values_list("pk", flat=True)[start : start + PER_PAGE])
    details = {m.pk: m for m in rows.filter(pk__in=ids).only(*LEDGER_COLUMNS).order_by()}
    return Page([details[pk] for pk in ids if pk in details], wanted, paginator)


def _rows_html(page: Any) -> SafeString:
    """The ledger's table rows, built in Python: fifty rows of eleven cells through the
    template language cost more than everything else on the page (docs/benchmarks.md).
    Every value is escaped by format_html."""
    start = page.start_index()
    types = dict(MatterType.choices)
    key_badge = format_html(' <span class="badge text-bg-dark">{}</span>', _("Key issue"))
    firm_badge = format_html(' <span class="badge text-bg-light border">{}</span>', _("Enterprise"))
    separator = pgettext("list separator", ", ")
    rows = []
    for offset, m in enumerate(page.object_list):
        state = wf.MATTER_WORKFLOW.state(m.state)
        colour = Colour(m.colour)
        progress = m.latest_progress or ""
        if len(progress) > 80:
            progress = progress[:79] + "…"
        rows.append(
            format_html(
                '<tr><td>{}</td><td><a href="{}">{}</a>{}{}</td><td>{}</td><td>{}</td>'
                '<td>{}</td><td>{}</td><td class="text-nowrap">{}</td>'
                '<td><span class="badge text-bg-{}">{}</span></td>'
                '<td><span class="badge text-bg-{}">{}</span></td>'
                '<td class="text-nowrap">{}%</td><td class="small">{}</td></tr>',
                start + offset,
                matter_url(m.pk),
                m.title,
                key_badge if m.is_key_issue else "",
                firm_badge if m.enterprise_related else "",
                m.lead_unit.name,
                separator.join(c.unit.name for c in m.co_unit_list),
                types.get(m.matter_type, m.matter_type),
                m.task_area.name if m.task_area_id else "",
                m.deadline.isoformat() if m.deadline else "",
                state.tone,
                state.label,
                COLOUR_TONES[colour],
                colour.label,
                m.progress,
                progress,
            )
        )
    return mark_safe("\n".join(rows))


def _filterset(request: HttpRequest, user: Any) -> LedgerFilterSet:
    rows = queries.ledger_rows(user, timezone.localdate())
    return LedgerFilterSet(request.GET, rows, request=request)


# --- ledger ---------------------------------------------------------------------------------------
@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = _filterset(request, user)
    page = ledger_page(filterset.qs, request.GET.get("page"))
    query = _query(request)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "rows_html": _rows_html(page),
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


# --- bulk update (the shared importer's feed "matters.progress", importers.py) -------------------
def _bulk_user(request: HttpRequest) -> Any:
    user: Any = request.user
    if not bulk.may_bulk_update(user):
        raise PermissionDenied("matters.bulk_update")
    return user


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    """A progress batch the user uploaded: the rows name the unit's matters and their
    progress, so the batch is not shown to another unit that may import too (404)."""
    found = import_views.get_batch(request, pk, importers.FEED)
    if found.uploaded_by_id != request.user.pk:
        raise Http404
    return found


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
    """GET: the download link and the upload form. POST: check the filled sheet (nothing is
    stored) and go to its preview; a file refused as a whole is shown on the form."""
    user = _bulk_user(request)
    feed = importing.get(importers.FEED)
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["feed"] = feed.name
    form = import_views.ImportUploadForm(data, request.FILES or None, feeds=[feed])
    if request.method == "POST" and form.is_valid():
        try:
            upload = importers.sheet_for_import(form.cleaned_data["file"])
            batch = importing.preview(feed.name, upload, user)
        except importing.ImportFileError as exc:
            form.add_error("file", ValidationError(exc.message, code=exc.code))
        else:
            return redirect("matters:bulk_preview", batch.pk)
    recent = ImportBatch.objects.filter(feed=feed.name, uploaded_by=user).order_by(
        "-created_at", "-pk"
    )[:10]
    context = {
        "form": form,
        "open_count": queries.bulk_rows(user).count(),
        "recent": list(recent),
    }
    return render(request, "matters/bulk_upload.html", context)


@login_required
@require_GET
def bulk_preview(request: HttpRequest, batch: int) -> HttpResponse:
    """The checked sheet: counts, what each good row changes (read again from the stored
    file, as confirming would store it now), and every refused row with its code."""
    user = _bulk_user(request)
    found = _own_batch(request, batch)
    plan = None
    if found.can_confirm:
        try:
            plan = importers.planned_changes(found, user)
        except (importing.ImportFileError, OSError):
            plan = None
    return import_views.render_preview(
        request,
        found,
        confirm_url=reverse("matters:bulk_confirm", args=[found.pk]),
        back_url=reverse("matters:bulk_upload"),
        template_name="matters/bulk_preview.html",
        extra_context={"plan": plan},
    )


@login_required
@require_POST
def bulk_confirm(request: HttpRequest, batch: int) -> HttpResponse:
    """Store the good rows: each row is checked again (a matter changed since the preview is
    left alone and reported); a batch already imported is not imported twice."""
    _bulk_user(request)
    found = _own_batch(request, batch)
    url = reverse("matters:bulk_preview", args=[found.pk])
    return import_views.handle_confirm(request, found, done_url=url)


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
