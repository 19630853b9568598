"""View helpers of the importer (core.importing): the upload page, the preview with every
row's issue, and the confirmation. `core` has no URLs of its own: each app mounts these in
its views, e.g.

    @login_required
    def import_start(request):
        if request.method == "POST":
            return import_views.handle_upload(
                request, FEEDS, options={}, preview_url_name="litigation:import_preview"
            )
        return import_views.render_upload(
            request, FEEDS, action_url=reverse("litigation:import"), title=_("Import")
        )

    @login_required
    def import_preview(request, batch):
        found = import_views.get_batch(request, batch, FEEDS)
        return import_views.render_preview(
            request, found, confirm_url=reverse("litigation:import_confirm", args=[found.pk]),
            back_url=reverse("litigation:import"),
        )

    @login_required
    @require_POST
    def import_confirm(request, batch):
        found = import_views.get_batch(request, batch, FEEDS)
        url = reverse("litigation:import_preview", args=[found.pk])
        return import_views.handle_confirm(request, found, done_url=url)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import importing
from .models import ImportBatch, ImportState, IssueLevel

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PER_PAGE = 50
RECENT = 10
ACCEPT = ".csv,.txt,.gz,.xlsx,.json,.ndjson,.jsonl"


class ImportUploadForm(forms.Form):
    feed = forms.ChoiceField(label=gettext_lazy("Data"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030), gzip-compressed CSV, .xlsx, JSON or NDJSON; at most 50 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, feeds: Sequence[importing.Feed], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["feed"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f.name, f.label) for f in feeds]
        if len(feeds) == 1:
            field.initial = feeds[0].name
            field.widget = forms.HiddenInput()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 50 MB: split it, or compress a CSV with gzip."),
                code="import.too_large",
            )
        return upload


class ImportConfirmForm(forms.Form):
    accept_held = forms.BooleanField(
        label=gettext_lazy("Also import the rows to confirm"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for accepting them"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accept_held") and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                forms.ValidationError(
                    _("Give the reason for accepting the rows to confirm."),
                    code="import.reason_required",
                ),
            )
        return data


def _flash_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _names(feed_names: str | Sequence[str]) -> list[str]:
    return [feed_names] if isinstance(feed_names, str) else list(feed_names)


def allowed_feeds(user: Any, feed_names: str | Sequence[str]) -> list[importing.Feed]:
    """The registered feeds among `feed_names` that `user` may import to."""
    found = []
    for name in _names(feed_names):
        try:
            feed = importing.get(name)
        except KeyError:
            continue
        if feed.may_import(user):
            found.append(feed)
    return found


def get_batch(request: HttpRequest, pk: int, feed_names: str | Sequence[str]) -> ImportBatch:
    """A batch of one of the feeds, visible to the user; 404 otherwise."""
    rows = (
        ImportBatch.objects.visible_to(request.user)
        .filter(feed__in=_names(feed_names))
        .select_related("uploaded_by", "imported_by", "duplicate_of", "duplicate_of__imported_by")
    )
    return get_object_or_404(rows, pk=pk)


def _columns(feed: importing.Feed) -> list[dict[str, Any]]:
    return [
        {
            "label": c.label,
            "headers": [h for h in c.headers if h != str(c.label)],
            "required": c.required,
        }
        for c in feed.columns
    ]


def render_upload(
    request: HttpRequest,
    feed_names: str | Sequence[str],
    *,
    action_url: str,
    title: str | Promise,
    options_form: forms.Form | None = None,
    preview_url_name: str | None = None,
    template_name: str = "core/import_upload.html",
    extra_context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The upload page: a file input (and the feed's choice when there are several), the
    app's options form, the columns each feed reads, and — with `preview_url_name` — the
    user's recent batches."""
    feeds = allowed_feeds(request.user, feed_names)
    if not feeds:
        raise PermissionDenied("import")
    recent: list[tuple[ImportBatch, str]] = []
    if preview_url_name:
        rows = (
            ImportBatch.objects.visible_to(request.user)
            .filter(feed__in=[f.name for f in feeds])
            .select_related("uploaded_by")[:RECENT]
        )
        recent = [(b, reverse(preview_url_name, args=[b.pk])) for b in rows]
    labels = {f.name: f.label for f in feeds}
    context = {
        "title": title,
        "action_url": action_url,
        "form": ImportUploadForm(feeds=feeds),
        "options_form": options_form,
        "feeds": [{"name": f.name, "label": f.label, "columns": _columns(f)} for f in feeds],
        "recent": [(b, url, labels.get(b.feed, b.feed)) for b, url in recent],
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        **(extra_context or {}),
    }
    return render(request, template_name, context)


def handle_upload(
    request: HttpRequest,
    feed_name: str | Sequence[str],
    *,
    options: dict[str, Any] | None,
    preview_url_name: str,
    batch_id: str | None = None,
) -> HttpResponse:
    """Take the upload (POST), preview it, and redirect to the preview page (reversed with
    the batch's id). With several feed names, the form's choice among them is used. A bad
    file is reported as a message on the page the form was posted to."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    feeds = allowed_feeds(request.user, feed_name)
    if not feeds:
        raise PermissionDenied("import")
    form = ImportUploadForm(request.POST, request.FILES, feeds=feeds)
    back = request.get_full_path()
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect(back)
    try:
        batch = importing.preview(
            form.cleaned_data["feed"],
            form.cleaned_data["file"],
            request.user,
            options=options,
            batch_id=batch_id,
        )
    except importing.ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect(reverse(preview_url_name, args=[batch.pk]))


def render_preview(
    request: HttpRequest,
    batch: ImportBatch,
    *,
    confirm_url: str,
    back_url: str,
    template_name: str = "core/import_preview.html",
    extra_context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The batch's counts, its recognised and ignored columns, a paginated table of issues
    (row, column, message, the row's cells) filtered by level in the URL, a note when the
    file was imported before, and the confirm form when the user may confirm."""
    try:
        feed: importing.Feed | None = importing.get(batch.feed)
    except KeyError:
        feed = None
    level = request.GET.get("level", "")
    if level not in IssueLevel.values:
        level = ""
    page = importing.issues_page(batch, request.GET.get("page"), PER_PAGE, level=level)
    # Nothing to store (every row refused): no confirm button, the user fixes the file.
    something = batch.ok_rows or batch.held_rows
    may_confirm = bool(feed and batch.can_confirm and something and feed.may_import(request.user))
    labels = {c.key: c.label for c in feed.columns} if feed else {}
    header_map = batch.header_map or {}
    recognised = [(h, labels.get(k, k)) for h, k in header_map.items() if k]
    ignored = [h for h, k in header_map.items() if not k]
    query = f"level={level}" if level else ""
    levels = [("", _("All"))] + [(value, label) for value, label in IssueLevel.choices]
    context = {
        "batch": batch,
        "feed_label": feed.label if feed else batch.feed,
        "page": page,
        "query": query,
        "level": level,
        "levels": levels,
        "recognised": recognised,
        "ignored": ignored,
        "may_confirm": may_confirm,
        "confirm_form": ImportConfirmForm(),
        "confirm_url": confirm_url,
        "back_url": back_url,
        "states": ImportState,
        **(extra_context or {}),
    }
    return render(request, template_name, context)


def handle_confirm(
    request: HttpRequest,
    batch: ImportBatch,
    *,
    done_url: str,
    back_url: str | None = None,
) -> HttpResponse:
    """Confirm the batch (POST) and redirect to `done_url`; a refusal or a failure is shown
    as a message and redirects to `back_url` (default `done_url`)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = back_url or done_url
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        _flash_errors(request, form)
        return redirect(back)
    try:
        batch = importing.confirm(
            batch,
            request.user,
            accept_held=form.cleaned_data["accept_held"],
            reason=form.cleaned_data["reason"],
        )
    except importing.ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if batch.state == ImportState.FAILED:
        messages.error(request, _("The import failed and nothing was stored: %s") % batch.failure)
        return redirect(back)
    messages.success(
        request,
        _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "created": batch.created_rows,
            "updated": batch.updated_rows,
            "unchanged": batch.unchanged_rows,
        },
    )
    return redirect(done_url)


# --- the pages of an app's feeds, in one declaration ---------------------------------------------
class ImportPages:
    """The upload, preview, confirm and sample pages of one group of feeds, declared once by
    the app (e.g. the court's ledger of bankruptcy cases) and mounted with `urlpatterns`:

        PAGES = ImportPages(namespace="bankruptcy", name="case_import", feeds=(CASES_FEED,),
                            title=…, list_url_name="bankruptcy:case_list",
                            templates="bankruptcy/case_import", samples={…})
        urlpatterns += PAGES.urlpatterns("import/")

    gives `<prefix>` (upload), `<prefix><batch>/` (preview), `<prefix><batch>/confirm/` and
    `<prefix>sample/` (`?format=…`), named `<name>`, `<name>_preview`, `<name>_confirm` and
    `<name>_sample`. `samples` maps a format to (label, extension, content type, builder of
    the file's bytes); `sample_name` is the downloaded file's name without extension."""

    def __init__(
        self,
        *,
        namespace: str,
        name: str,
        feeds: Sequence[str],
        title: str | Promise,
        list_url_name: str,
        templates: str,
        samples: dict[str, tuple[str, str, str, Any]] | None = None,
        sample_name: str = "",
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.feeds = tuple(feeds)
        self.title = title
        self.list_url_name = list_url_name
        self.templates = templates
        self.samples = samples or {}
        self.sample_name = sample_name

    def _url(self, suffix: str = "", *args: Any) -> str:
        return reverse(f"{self.namespace}:{self.name}{suffix}", args=args or None)

    def may_import(self, user: Any) -> bool:
        """Whether the user may import to any of the feeds (the list shows the button)."""
        return bool(allowed_feeds(user, self.feeds))

    def sample_links(self) -> list[dict[str, Any]]:
        if not self.samples:
            return []
        url = self._url("_sample")
        links = [(label, f"{url}?format={fmt}") for fmt, (label, *_rest) in self.samples.items()]
        return [{"label": importing.get(self.feeds[0]).label, "links": links}]

    def upload(self, request: HttpRequest) -> HttpResponse:
        """GET: the upload page with the sample files. POST: upload a file, go to its preview."""
        if request.method == "POST":
            return handle_upload(
                request, self.feeds, options={}, preview_url_name=self._name("_preview")
            )
        return render_upload(
            request,
            self.feeds,
            action_url=self._url(),
            title=self.title,
            preview_url_name=self._name("_preview"),
            template_name=f"{self.templates}_upload.html",
            extra_context={"samples": self.sample_links()},
        )

    def preview(self, request: HttpRequest, batch: int) -> HttpResponse:
        found = get_batch(request, batch, self.feeds)
        return render_preview(
            request,
            found,
            confirm_url=self._url("_confirm", found.pk),
            back_url=self._url(),
            template_name=f"{self.templates}_preview.html",
            extra_context={"list_url": reverse(self.list_url_name)},
        )

    def confirm(self, request: HttpRequest, batch: int) -> HttpResponse:
        found = get_batch(request, batch, self.feeds)
        if not importing.get(found.feed).may_import(request.user):
            raise PermissionDenied("import")
        return handle_confirm(request, found, done_url=self._url("_preview", found.pk))

    def sample(self, request: HttpRequest) -> HttpResponse:
        """A sample file (`?format=…`, the first declared format by default)."""
        if not self.may_import(request.user):
            raise PermissionDenied("import")
        fmt = request.GET.get("format", next(iter(self.samples), ""))
        if fmt not in self.samples:
            raise Http404
        _label, extension, content_type, build = self.samples[fmt]
        response = HttpResponse(build(fmt), content_type=content_type)
        disposition = content_disposition_header(True, f"{self.sample_name}.{extension}")
        response.headers["Content-Disposition"] = disposition or "attachment"
        return response

    def _name(self, suffix: str = "") -> str:
        return f"{self.namespace}:{self.name}{suffix}"

    def urlpatterns(self, prefix: str) -> list[URLPattern]:
        patterns = [
            path(prefix, login_required(self.upload), name=self.name),
            path(
                f"{prefix}<int:batch>/",
                login_required(self.preview),
                name=f"{self.name}_preview",
            ),
            path(
                f"{prefix}<int:batch>/confirm/",
                login_required(require_POST(self.confirm)),
                name=f"{self.name}_confirm",
            ),
        ]
        if self.samples:
            patterns.append(
                path(f"{prefix}sample/", login_required(self.sample), name=f"{self.name}_sample")
            )
        return patterns
