"""Pages of the files that cross the gateway: export packages (asked for by a unit holding a
grant, or by the provider; written by the worker) and, for the system administrator, the
file drops found in the inbox and the pushed or dropped import batches that are queued or
failed. Reads through `visible_to(user)` (not visible → 404); package requests through
`packages.request_package` (refused → the form says why)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.core import importing
from fuyuan.core.models import ImportBatch, ImportChannel, ImportState
from fuyuan.core.view_helpers import query_without_page
from fuyuan.org.models import Unit

from . import access, drop, packages
from .transfer_models import DroppedFile, DropState, ExportPackage, PackageState

PER_PAGE = 30
ISSUES_PER_PAGE = 50


def _page(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _is_system_admin(user: Any) -> bool:
    return bool(user.has_role(Role.SYSTEM_ADMIN))


def _require_system_admin(request: HttpRequest) -> Any:
    if not _is_system_admin(request.user):
        raise PermissionDenied(Role.SYSTEM_ADMIN)
    return request.user


# --- export packages ------------------------------------------------------------------------------
def package_datasets() -> list[tuple[str, Any]]:
    """The purpose-bound datasets an API viewset serves (a package is the API's rows)."""
    found = []
    for key, label in access.dataset_choices():
        try:
            packages.dataset_viewset(key)
        except packages.PackageError:
            continue
        found.append((key, label))
    return found


def package_recipients(user: Any) -> QuerySet[Unit]:
    ids: set[int] = set()
    for key, _label in package_datasets():
        ids.update(packages.recipients_for(user, key).values_list("pk", flat=True))
    return Unit.objects.filter(pk__in=sorted(ids)).order_by("order_no", "pk")


class PackageRequestForm(forms.Form):
    dataset = forms.ChoiceField(label=gettext_lazy("Dataset"))
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("For the unit"), queryset=Unit.objects.none(), empty_label=None
    )
    filters = forms.CharField(
        label=gettext_lazy("Filter"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy(
            "The API list's query parameters, e.g. q=张&state=active (empty: every row you may "
            "see). See docs/api.md for each dataset's filters."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dataset = self.fields["dataset"]
        assert isinstance(dataset, forms.ChoiceField)
        dataset.choices = package_datasets()
        recipient = self.fields["recipient"]
        assert isinstance(recipient, forms.ModelChoiceField)
        recipient.queryset = package_recipients(user)


def _packages(user: Any) -> QuerySet[ExportPackage]:
    return ExportPackage.objects.visible_to(user).select_related(
        "recipient_unit", "grant", "created_by"
    )


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    """Past packages the user may see, and the form to ask for a new one."""
    user: Any = request.user
    if not access.acting_unit_ids(user) and not _is_system_admin(user):
        raise PermissionDenied("exchange.packages")
    recipients = package_recipients(user)
    form = None
    if recipients.exists():
        initial = {k: request.GET[k] for k in ("dataset", "filters") if request.GET.get(k)}
        form = PackageRequestForm(request.POST or None, user=user, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied("exchange.packages")
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            package = packages.request_package(
                user,
                dataset=data["dataset"],
                recipient_unit=data["recipient"],
                filters=data["filters"],
            )
        except PermissionDenied as exc:
            code = str(exc) or "package.forbidden"
            form.add_error(
                None, forms.ValidationError(packages.refusal_message(code, data["dataset"]), code)
            )
        except packages.PackageError as exc:
            form.add_error("filters", forms.ValidationError(exc.message, code=exc.code))
        else:
            messages.success(
                request, _("The package is being written to the outbox; this page shows when.")
            )
            return redirect("exchange:package_detail", pk=package.pk)
    rows = _packages(user)
    state = request.GET.get("state", "")
    if state in PackageState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    return render(
        request,
        "exchange/package_list.html",
        {
            "page": _page(request, rows.order_by("-created_at", "-pk")),
            "query": query_without_page(request),
            "form": form,
            "state": state,
            "states": PackageState.choices,
        },
    )


@login_required
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = get_object_or_404(_packages(request.user), pk=pk)
    verification = None
    path = packages.package_path(package)
    if request.GET.get("verify") and package.state == PackageState.WRITTEN and path:
        verification = packages.verify_package(path)
    return render(
        request,
        "exchange/package_detail.html",
        {
            "package": package,
            "dataset_label": access.dataset_label(package.dataset),
            "path": path,
            "verification": verification,
        },
    )


# --- file drops and batches (system administrator) --------------------------------------------
@login_required
def drop_list(request: HttpRequest) -> HttpResponse:
    """What the scans found in the inbox: state, feed, the batch it became, why."""
    user = _require_system_admin(request)
    rows = DroppedFile.objects.visible_to(user).select_related("client", "batch")
    state = request.GET.get("state", "")
    if state in DropState.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    feed = request.GET.get("feed", "")
    feed_names = sorted(f.name for f in importing.feeds())
    if feed in feed_names:
        rows = rows.filter(feed=feed)
    else:
        feed = ""
    counts = dict(
        DroppedFile.objects.visible_to(user)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return render(
        request,
        "exchange/drop_list.html",
        {
            "page": _page(request, rows.order_by("-created_at", "-pk")),
            "query": query_without_page(request),
            "state": state,
            "states": DropState.choices,
            "feed": feed,
            "feeds": feed_names,
            "counts": [(value, label, counts.get(value, 0)) for value, label in DropState.choices],
            "pending": sum(1 for _ in drop.pending_manifests()),
            "inbox": drop.inbox_root(),
        },
    )


@login_required
@require_POST
def drop_scan(request: HttpRequest) -> HttpResponse:
    """Ask the worker for a scan now (the periodic job scans anyway)."""
    _require_system_admin(request)

    def enqueue() -> None:
        from .tasks import scan_inbox

        scan_inbox.enqueue()

    transaction.on_commit(enqueue, robust=True)
    messages.success(request, _("The worker will scan the inbox in a moment."))
    return redirect("exchange:drop_list")


BATCH_STATES = (ImportState.QUEUED, ImportState.FAILED)


def _admin_batches() -> QuerySet[ImportBatch]:
    # The system administrator keeps the exchange running: every pushed or dropped batch's
    # state and counts (never the rows' cells) — a role check, not a business scope.
    return ImportBatch.objects.filter(
        channel__in=[ImportChannel.PUSH, ImportChannel.DROP]
    ).select_related("uploaded_by")


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    """Pushed and dropped batches, queued or failed by default."""
    _require_system_admin(request)
    rows = _admin_batches()
    state = request.GET.get("state", "")
    if state in ImportState.values:
        rows = rows.filter(state=state)
    elif state != "all":
        state = ""
        rows = rows.filter(state__in=BATCH_STATES)
    return render(
        request,
        "exchange/transfer_batch_list.html",
        {
            "page": _page(request, rows.order_by("-created_at", "-pk")),
            "query": query_without_page(request),
            "state": state,
            "states": ImportState.choices,
        },
    )


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_system_admin(request)
    batch = get_object_or_404(_admin_batches(), pk=pk)
    issues = batch.issues.order_by("row_number", "pk").only(
        "row_number", "column", "level", "code", "message"
    )
    return render(
        request,
        "exchange/transfer_batch_detail.html",
        {
            "batch": batch,
            "counts": drop.batch_counts(batch),
            "issues": _page(request, issues, ISSUES_PER_PAGE),
            "drops": DroppedFile.objects.filter(batch=batch).order_by("created_at", "pk"),
            "status_url": drop.status_path(batch),
        },
    )
