"""Pages of the dishonest-debtor list as the city holds it: the list with its filters, an
entry's page, the audited clear view of an identifier, removal and confirmation of a held
entry, the spreadsheet export, and the imports of the court's files (list and removals) on
the shared importer's view helpers.

Identifiers are always shown masked (first 6 + last 4), to every role. Court and office staff
(`debtor_actions.may_see_identifiers`) have a "show" button per entry: a POST that shows the
clear number once, on a page not cached, and leaves an audit entry. The export is masked
too; they may ask for the clear numbers (`?clear=1`), one audit entry per export. The list is
for members of a mechanism (administrators: 403); writes go through debtor_actions."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record
from fuyuan.core import import_views, importing
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page

from . import debtor_actions
from .debtor_forms import ConfirmHeldForm, DebtorFilterForm, RemovalForm
from .importers import DEBTORS_FEED, REMOVALS_FEED
from .models import DebtorRecord, DebtorState
from .samples import make_samples

PER_PAGE = 30
EXPORT_LIMIT = 100_000
FEEDS = (DEBTORS_FEED, REMOVALS_FEED)
STATE_TONES = {
    DebtorState.ACTIVE: "danger",
    DebtorState.TO_CONFIRM: "warning",
    DebtorState.REMOVED: "secondary",
}
SAMPLE_KINDS = {"debtors": DEBTORS_FEED, "removals": REMOVALS_FEED}
SAMPLE_NAMES = {"debtors": "失信被执行人名单样例", "removals": "失信被执行人屏蔽撤销样例"}
SAMPLE_FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv", "text/csv; charset=gb18030"),
    "csv-utf8": ("csv", "text/csv; charset=utf-8"),
    "json": ("json", "application/json"),
}
# The export's columns: the court's own headers (a data layout, not interface text).
EXPORT_HEADERS = (
    "序号",
    "被执行人姓名/名称",
    "证件类型",
    "身份证号码/组织机构代码",
    "性别",
    "年龄",
    "法定代表人或者负责人姓名",
    "执行法院",
    "省份",
    "执行依据文号",
    "做出执行依据单位",
    "立案时间",
    "案号",
    "生效法律文书确定的义务",
    "被执行人的履行情况",
    "失信被执行人行为具体情形",
    "发布时间",
    "状态",
    "屏蔽日期",
    "屏蔽原因",
)
LIST_FIELDS = (
    "pk",
    "name",
    "party_kind",
    "id_type",
    "id_display",
    "id_masked",
    "court_name",
    "case_number",
    "published_on",
    "state",
    "removed_on",
)


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("enforcement.debtors")
    return user


def _entry(request: HttpRequest, pk: int) -> DebtorRecord:
    user = _member(request)
    return get_object_or_404(DebtorRecord.objects.visible_to(user), pk=pk)


def _filtered(user: Any, form: DebtorFilterForm) -> QuerySet[DebtorRecord]:
    rows = DebtorRecord.objects.visible_to(user)
    if not form.is_valid():
        return rows
    data = form.cleaned_data
    if data["ident"]:
        rows = debtor_actions.search_by_identifier(user, data["ident"])
    if data["q"]:
        rows = rows.filter(name__icontains=data["q"].strip())
    if data["court"]:
        court = data["court"].strip()
        rows = rows.filter(Q(court_name__icontains=court) | Q(court__short_name=court))
    if data["state"]:
        rows = rows.filter(state=data["state"])
    if data["party_kind"]:
        rows = rows.filter(party_kind=data["party_kind"])
    if data["year"]:
        rows = rows.filter(published_on__year=data["year"])
    return rows


def _decorate(entry: Any) -> None:
    entry.state_tone = STATE_TONES.get(entry.state, "secondary")


@login_required
def debtor_list(request: HttpRequest) -> HttpResponse:
    """The list with its filters (name, exact identifier through the blind index, court,
    state, party, year published), "共 N 条" and pages; identifiers masked."""
    user = _member(request)
    form = DebtorFilterForm(request.GET or None)
    rows = _filtered(user, form).only(*LIST_FIELDS)
    page: Page[DebtorRecord] = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    start = page.start_index()
    for offset, entry in enumerate(page.object_list):
        entry.row_no = start + offset  # type: ignore[attr-defined]
        _decorate(entry)
    may_see = debtor_actions.may_see_identifiers(user)
    query = query_without_page(request)
    return render(
        request,
        "enforcement/debtor_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "may_see": may_see,
            "may_import": bool(import_views.allowed_feeds(user, FEEDS)),
            "export_url": reverse("enforcement:debtor_export") + (f"?{query}" if query else ""),
        },
    )


def _detail(
    request: HttpRequest,
    entry: DebtorRecord,
    *,
    removal_form: RemovalForm | None = None,
    confirm_form: ConfirmHeldForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    _decorate(entry)
    may_manage = debtor_actions.may_manage(user)
    return render(
        request,
        "enforcement/debtor_detail.html",
        {
            "entry": entry,
            "may_see": debtor_actions.may_see_identifiers(user),
            "may_remove": may_manage and entry.state != DebtorState.REMOVED,
            "may_confirm": may_manage and entry.state == DebtorState.TO_CONFIRM,
            "removal_form": removal_form or RemovalForm(),
            "confirm_form": confirm_form or ConfirmHeldForm(),
        },
        status=status,
    )


@login_required
def debtor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _entry(request, pk))


@login_required
@require_POST
def debtor_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear identifier, shown once on a page that is not cached; audited."""
    entry = _entry(request, pk)
    clear = debtor_actions.reveal_identifier(request.user, entry)
    response = render(request, "enforcement/debtor_reveal.html", {"entry": entry, "clear": clear})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def debtor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if not debtor_actions.may_manage(request.user):
        raise PermissionDenied("enforcement.debtor.remove")
    form = RemovalForm(request.POST)
    if form.is_valid():
        try:
            debtor_actions.remove_entry(
                request.user,
                entry,
                removed_on=form.cleaned_data["removed_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The entry was removed from the list."))
            return redirect("enforcement:debtor_detail", entry.pk)
    return _detail(request, entry, removal_form=form, status=400)


@login_required
@require_POST
def debtor_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    if not debtor_actions.may_manage(request.user):
        raise PermissionDenied("enforcement.debtor.confirm")
    form = ConfirmHeldForm(request.POST)
    if form.is_valid():
        try:
            debtor_actions.confirm_held(request.user, entry, form.cleaned_data["reason"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The entry is confirmed and on the list."))
            return redirect("enforcement:debtor_detail", entry.pk)
    return _detail(request, entry, confirm_form=form, status=400)


# --- export ---------------------------------------------------------------------------------------
def _export_rows(entries: QuerySet[DebtorRecord], clear: bool) -> bytes:
    from openpyxl import Workbook

    from fuyuan.core.spreadsheets import safe_row

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Dishonest debtors")[:31])
    sheet.append(list(EXPORT_HEADERS))
    for n, e in enumerate(entries.iterator(chunk_size=2000), start=1):
        sheet.append(
            safe_row(
                sheet,
                [
                    n,
                    e.name,
                    e.get_id_type_display(),
                    e.id_number if clear else e.id_display,
                    e.sex,
                    e.age,
                    e.legal_representative,
                    e.court_name,
                    e.province,
                    e.basis_number,
                    e.basis_issuer,
                    e.filed_on,
                    e.case_number,
                    e.obligation,
                    e.get_performance_display(),
                    e.conduct,
                    e.published_on,
                    e.get_state_display(),
                    e.removed_on,
                    e.get_removal_reason_display() if e.removal_reason else "",
                ],
            )
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@login_required
def debtor_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as .xlsx. Identifiers masked; with `clear=1` court and office staff
    get them in clear (one audit entry for the export: filters and row count)."""
    from fuyuan.matters.exports import xlsx_response

    user = _member(request)
    clear = request.GET.get("clear") == "1"
    if clear and not debtor_actions.may_see_identifiers(user):
        raise PermissionDenied("enforcement.debtor.reveal")
    form = DebtorFilterForm(request.GET or None)
    entries = _filtered(user, form).order_by("-published_on", "-pk")[:EXPORT_LIMIT]
    with transaction.atomic():
        content = _export_rows(entries, clear)  # type: ignore[arg-type]
        filters = {k: v for k, v in request.GET.items() if k not in ("page", "csrfmiddlewaretoken")}
        record(
            user,
            "enforcement.debtor.export_clear" if clear else "enforcement.debtor.export",
            None,
            object_kind="enforcement.debtorrecord",
            detail={"filters": filters, "clear": clear},
        )
    day = timezone.localdate().isoformat()
    return xlsx_response(content, f"失信被执行人名单-{day}.xlsx")


# --- imports of the court's files -----------------------------------------------------------------
def _samples() -> list[dict[str, Any]]:
    result = []
    for kind, feed in SAMPLE_KINDS.items():
        formats = ["xlsx", "csv", "csv-utf8"] + (["json"] if kind == "debtors" else [])
        labels = {"xlsx": "XLSX", "csv": "CSV (GB18030)", "csv-utf8": "CSV (UTF-8)", "json": "JSON"}
        result.append(
            {
                "label": importing.get(feed).label,
                "links": [
                    (labels[f], reverse("enforcement:debtor_sample", args=[kind]) + f"?format={f}")
                    for f in formats
                ],
            }
        )
    return result


@login_required
def debtor_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload page of the court's list and removal files, with sample files. POST:
    upload a file and go to its preview."""
    if request.method == "POST":
        return import_views.handle_upload(
            request, FEEDS, options={}, preview_url_name="enforcement:debtor_import_preview"
        )
    return import_views.render_upload(
        request,
        FEEDS,
        action_url=reverse("enforcement:debtor_import"),
        title=_("Import the court's dishonest-debtor files"),
        preview_url_name="enforcement:debtor_import_preview",
        template_name="enforcement/import_upload.html",
        extra_context={"samples": _samples()},
    )


@login_required
def debtor_import_preview(request: HttpRequest, batch: int) -> HttpResponse:
    found = import_views.get_batch(request, batch, FEEDS)
    return import_views.render_preview(
        request,
        found,
        confirm_url=reverse("enforcement:debtor_import_confirm", args=[found.pk]),
        back_url=reverse("enforcement:debtor_import"),
        template_name="enforcement/import_preview.html",
        extra_context={"list_url": reverse("enforcement:debtor_list")},
    )


@login_required
@require_POST
def debtor_import_confirm(request: HttpRequest, batch: int) -> HttpResponse:
    found = import_views.get_batch(request, batch, FEEDS)
    if not importing.get(found.feed).may_import(request.user):
        raise PermissionDenied("import")
    url = reverse("enforcement:debtor_import_preview", args=[found.pk])
    return import_views.handle_confirm(request, found, done_url=url)


@login_required
def debtor_sample(request: HttpRequest, kind: str) -> HttpResponse:
    """A sample court file (`?format=xlsx` (default), `csv` (GB18030), `csv-utf8`, `json`)."""
    feed = SAMPLE_KINDS.get(kind)
    if feed is None:
        raise Http404
    if not importing.get(feed).may_import(request.user):
        raise PermissionDenied("import")
    fmt = request.GET.get("format", "xlsx")
    if fmt not in SAMPLE_FORMATS or (fmt == "json" and kind != "debtors"):
        raise Http404
    extension, content_type = SAMPLE_FORMATS[fmt]
    response = HttpResponse(make_samples.build(kind, fmt), content_type=content_type)
    disposition = content_disposition_header(True, f"{SAMPLE_NAMES[kind]}.{extension}")
    response.headers["Content-Disposition"] = disposition or "attachment"
    return response
