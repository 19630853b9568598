"""Imports of the court's exports (法院案件系统导出): the upload page of the two feeds (cases;
hearings with the heads' appearance) with their sample files, the preview of a batch with
every row's problem, and the confirmation — on the shared importer's view helpers
(`fuyuan.core.import_views`). The feeds themselves are in `importers`.

The cases file and the hearings file of the same export may be imported together: from the
cases preview the hearings file is uploaded as its companion (`options["cases_batch"]`), its
rows may name cases of the pending cases file, and confirming the hearings confirms the cases
first. Only batches of these feeds, visible to the user, are shown (404 otherwise); only
users who may import (court and office staff) upload, confirm or download samples (403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.core import import_views, importing
from fuyuan.core.models import ImportBatch, ImportState

from .importers import CASES_FEED, HEARINGS_FEED
from .samples import make_samples

FEEDS = (CASES_FEED, HEARINGS_FEED)
# URL slug of a feed's sample → feed name
SAMPLE_SLUGS = {"cases": CASES_FEED, "hearings": HEARINGS_FEED}
SAMPLE_FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv", "text/csv; charset=gb18030"),
}
SAMPLE_NAMES = {"cases": "法院行政案件导出样例", "hearings": "法院开庭信息导出样例"}


def _may_import(request: HttpRequest, feed_name: str) -> bool:
    return importing.get(feed_name).may_import(request.user)


def _linked_cases(request: HttpRequest, batch: ImportBatch) -> ImportBatch | None:
    """The cases batch a hearings batch was uploaded with, if the user sees it."""
    pk = (batch.options or {}).get("cases_batch") if batch.feed == HEARINGS_FEED else None
    if not pk:
        return None
    return ImportBatch.objects.visible_to(request.user).filter(pk=pk, feed=CASES_FEED).first()


def _linked_hearings(request: HttpRequest, batch: ImportBatch) -> ImportBatch | None:
    """The latest hearings batch uploaded with a cases batch."""
    if batch.feed != CASES_FEED:
        return None
    return (
        ImportBatch.objects.visible_to(request.user)
        .filter(feed=HEARINGS_FEED, options__cases_batch=batch.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


def _samples() -> list[dict[str, Any]]:
    return [
        {
            "label": importing.get(feed).label,
            "links": [
                (fmt.upper(), reverse("litigation:import_sample", args=[slug]) + f"?format={fmt}")
                for fmt in SAMPLE_FORMATS
            ],
        }
        for slug, feed in SAMPLE_SLUGS.items()
    ]


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """GET: the upload page of the court's exports with the sample files. POST: upload a
    file and go to its preview; a hearings file may name the cases batch it comes with."""
    if request.method == "POST":
        options: dict[str, Any] = {}
        linked = request.POST.get("cases_batch", "")
        if request.POST.get("feed") == HEARINGS_FEED and linked.isdigit():
            cases = (
                ImportBatch.objects.visible_to(request.user)
                .filter(pk=int(linked), feed=CASES_FEED, state=ImportState.PREVIEWED)
                .first()
            )
            if cases is not None:
                options["cases_batch"] = cases.pk
        return import_views.handle_upload(
            request, FEEDS, options=options, preview_url_name="litigation:import_preview"
        )
    return import_views.render_upload(
        request,
        FEEDS,
        action_url=reverse("litigation:import"),
        title=_("Import the court's exports"),
        preview_url_name="litigation:import_preview",
        template_name="litigation/import_upload.html",
        extra_context={"samples": _samples()},
    )


@login_required
def import_preview(request: HttpRequest, batch: int) -> HttpResponse:
    """A batch's check: counts, every row's problem, the confirmation; for a cases batch
    the upload of the hearings file of the same export, for a hearings batch its cases."""
    found = import_views.get_batch(request, batch, FEEDS)
    cases = _linked_cases(request, found)
    hearings = _linked_hearings(request, found)
    may_add_hearings = (
        found.feed == CASES_FEED
        and found.state == ImportState.PREVIEWED
        and _may_import(request, HEARINGS_FEED)
    )
    return import_views.render_preview(
        request,
        found,
        confirm_url=reverse("litigation:import_confirm", args=[found.pk]),
        back_url=reverse("litigation:import"),
        template_name="litigation/import_preview.html",
        extra_context={
            "linked_cases": cases,
            "linked_hearings": hearings,
            "cases_pending": cases is not None and cases.can_confirm,
            "may_add_hearings": may_add_hearings,
            "hearings_feed": HEARINGS_FEED,
            "upload_url": reverse("litigation:import"),
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, batch: int) -> HttpResponse:
    """Confirm a batch. A hearings batch uploaded with a cases batch still waiting confirms
    the cases first; confirming a cases batch with a waiting hearings file leads to it."""
    found = import_views.get_batch(request, batch, FEEDS)
    if not _may_import(request, found.feed):
        raise PermissionDenied("import")
    preview_url = reverse("litigation:import_preview", args=[found.pk])
    cases = _linked_cases(request, found)
    if cases is not None and cases.can_confirm:
        try:
            cases = importing.confirm(cases, request.user)
        except importing.ImportFileError as exc:
            messages.error(request, exc.message)
            return redirect(preview_url)
        if cases.state != ImportState.IMPORTED:
            messages.error(
                request,
                _("The cases file failed and nothing was stored: %s") % cases.failure,
            )
            return redirect(preview_url)
        messages.success(
            request,
            _("Cases imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": cases.created_rows,
                "updated": cases.updated_rows,
                "unchanged": cases.unchanged_rows,
            },
        )
    done_url = preview_url
    hearings = _linked_hearings(request, found)
    if hearings is not None and hearings.can_confirm:
        done_url = reverse("litigation:import_preview", args=[hearings.pk])
    return import_views.handle_confirm(request, found, done_url=done_url, back_url=preview_url)


@login_required
def import_sample(request: HttpRequest, feed: str) -> HttpResponse:
    """A sample export of the feed (`?format=xlsx`, the default, or `csv` in GB18030)."""
    feed_name = SAMPLE_SLUGS.get(feed)
    if feed_name is None:
        raise Http404
    if not _may_import(request, feed_name):
        raise PermissionDenied("import")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in SAMPLE_FORMATS:
        raise Http404
    extension, content_type = SAMPLE_FORMATS[fmt]
    response = HttpResponse(make_samples.build(feed, fmt), content_type=content_type)
    disposition = content_disposition_header(True, f"{SAMPLE_NAMES[feed]}.{extension}")
    response.headers["Content-Disposition"] = disposition or "attachment"
    return response
