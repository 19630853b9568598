"""Views of the documents app: the list of official documents, drafting, a document's page
with the steps its sign-off chain allows, the .docx download, and the number register.
Reads go through `visible_to(user)` (not visible → 404); writes through documents.actions
(not permitted → 403)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.documents import PdfConversionError, docx_to_pdf, render_docx
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError

from . import actions
from . import workflow as wf
from .forms import DocumentForm, FilterForm, ReserveForm, TransitionForm, apply_errors
from .models import DocumentNumber, OfficialDocument

PER_PAGE = 50
logger = logging.getLogger(__name__)


def may_read(user: Any) -> bool:
    """Office staff and leaders of a jurisdiction read its documents; nobody else has the
    pages (liaison officers, court staff and the administrators get 403)."""
    scope = scope_for(user)
    return bool(
        scope.assigned_jurisdictions.get(Role.OFFICE)
        or scope.assigned_jurisdictions.get(Role.LEADER)
    )


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not may_read(user):
        raise PermissionDenied("documents")
    return user


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _visible(request: HttpRequest, pk: int) -> OfficialDocument:
    user: Any = request.user
    return get_object_or_404(
        OfficialDocument.objects.visible_to(user).select_related(
            "mechanism", "mechanism__jurisdiction", "number", "handler", "checker", "signer"
        ),
        pk=pk,
    )


# --- documents ---------------------------------------------------------------------------------
@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = FilterForm(request.GET or None)
    rows = OfficialDocument.objects.visible_to(user).select_related("mechanism", "number")
    if form.is_valid():
        if form.cleaned_data["q"].strip():
            rows = rows.filter(title__icontains=form.cleaned_data["q"].strip())
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    return render(
        request,
        "documents/document_list.html",
        {
            "page": _page(request, rows),
            "form": form,
            "query": _query(request),
            "can_create": actions.office_mechanisms(user).exists(),
        },
    )


def _office_mechanism(request: HttpRequest, user: Any) -> Any:
    mechanisms = actions.office_mechanisms(user)
    wanted = request.GET.get("mechanism")
    if wanted:
        try:
            return get_object_or_404(mechanisms, pk=int(wanted))
        except ValueError as exc:
            raise Http404 from exc
    mechanism = mechanisms.first()
    if mechanism is None:
        raise PermissionDenied("create_document")
    return mechanism


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mechanism = _office_mechanism(request, user)
    data = request.POST if request.method == "POST" else None
    form = DocumentForm(data)
    if data is not None and form.is_valid():
        try:
            document = actions.create_document(user, mechanism, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("documents:document_detail", document.pk)
    return render(request, "documents/document_form.html", {"form": form, "mechanism": mechanism})


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    document = _visible(request, pk)
    if not can(user, "edit", document):
        raise PermissionDenied("edit")
    data = request.POST if request.method == "POST" else None
    initial = {f: getattr(document, f) for f in actions.DOCUMENT_FIELDS}
    form = DocumentForm(data, initial={**initial, "version": document.version})
    if data is not None and form.is_valid():
        try:
            actions.update_document(
                user, document, form.cleaned_data, form.cleaned_data.get("version")
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("documents:document_detail", document.pk)
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "mechanism": document.mechanism, "document": document},
    )


def _transition_form(document: OfficialDocument, data: Any = None) -> TransitionForm:
    numbers = DocumentNumber.objects.filter(mechanism=document.mechanism).free()
    return TransitionForm(
        data,
        staff=actions.office_staff(document.mechanism).exclude(pk=document.handler_id),
        numbers=numbers,
        initial={"version": document.version},
    )


def _render_detail(
    request: HttpRequest, document: OfficialDocument, form: TransitionForm | None = None
) -> HttpResponse:
    user: Any = request.user
    transitions = wf.DOCUMENT_WORKFLOW.available(
        document.state, relations_to(user, document), document.enabled_steps()
    )
    names = {t.name for t in transitions}
    context = {
        "document": document,
        "transitions": transitions,
        "needs_people": "submit" in names,
        "needs_number": bool(names & wf.ISSUE_TRANSITIONS) and not document.is_minutes,
        "form": form or _transition_form(document),
        "steps": list(document.steps.select_related("actor")),
        "can_edit": can(user, "edit", document),
        "sign_off": actions.sign_off_enabled(document.mechanism),
    }
    return render(request, "documents/document_detail.html", context)


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


def take_step(user: Any, document: OfficialDocument, name: str, form: Any) -> bool:
    """Take a sign-off step with the transition form's values (also used by pages of
    documents another app generates, e.g. bulletins). A refusal goes onto the form, on the
    field it concerns; True when the step was recorded."""
    try:
        actions.transition(
            user,
            document,
            name,
            comment=form.cleaned_data["comment"] or "",
            checker=form.cleaned_data["checker"],
            signer=form.cleaned_data["signer"],
            number=form.cleaned_data["number"],
            expected_version=form.cleaned_data.get("version"),
        )
    except TransitionError as exc:
        field = "comment" if exc.code == "workflow.comment_required" else None
        if exc.code.startswith("document.checker"):
            field = "checker"
        elif exc.code.startswith("document.signer"):
            field = "signer"
        elif exc.code.startswith("docno.") or exc.code == "document.number_required":
            field = "number"
        form.add_error(field, ValidationError(exc.message, code=exc.code))
        return False
    except StaleObjectError as exc:
        form.add_error(None, ValidationError(str(exc), code="stale"))
        return False
    return True


@login_required
@require_POST
def document_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user: Any = request.user
    document = _visible(request, pk)
    try:
        step = wf.DOCUMENT_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, document):
        raise PermissionDenied(step.name)
    form = _transition_form(document, request.POST)
    if form.is_valid() and take_step(user, document, step.name, form):
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
        return redirect("documents:document_detail", document.pk)
    # The failed attempt may have touched the object in memory: show it as stored.
    return _render_detail(request, _visible(request, pk), form)


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The issued file; before issue, a preview rendered from the current draft."""
    user: Any = request.user
    document = _visible(request, pk)
    if not can(user, "download", document):
        raise PermissionDenied("download")
    if document.state == wf.ISSUED and document.file:
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=f"{document.title}.docx",
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    content = render_docx(actions.build_spec(document))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = _("draft")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{_quote(f'{document.title}（{name}）.docx')}"
    )
    return response


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same file as the download, converted to PDF by LibreOffice headless and shown
    inline; 503 when LibreOffice is not installed on the server (`make deps-pdf`)."""
    user: Any = request.user
    document = _visible(request, pk)
    if not can(user, "download", document):
        raise PermissionDenied("download")
    if document.state == wf.ISSUED and document.file:
        with document.file.open("rb") as handle:
            data = handle.read()
    else:
        data = render_docx(actions.build_spec(document))
    try:
        pdf = docx_to_pdf(data)
    except PdfConversionError:
        logger.exception("PDF preview of document %s failed", document.pk)
        return HttpResponse(
            _("The PDF preview could not be produced; download the .docx instead."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    if pdf is None:
        return HttpResponse(
            _(
                "PDF preview needs LibreOffice on the server (make deps-pdf); "
                "download the .docx instead."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(f'{document.title}.pdf')}"
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value)


# --- numbers -----------------------------------------------------------------------------------
def _office(request: HttpRequest) -> Any:
    user: Any = request.user
    if not actions.office_mechanisms(user).exists():
        raise PermissionDenied("document numbers")
    return user


@login_required
def number_list(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    rows = DocumentNumber.objects.visible_to(user).select_related("mechanism", "reserved_by")
    page = _page(request, rows)
    documents = {
        d.number_id: d
        for d in OfficialDocument.objects.visible_to(user).filter(
            number_id__in=[n.pk for n in page]
        )
    }
    for number in page:
        number.document_row = documents.get(number.pk)  # type: ignore[attr-defined]
        number.can_release = can(user, "release", number) and number.pk not in documents  # type: ignore[attr-defined]
    return render(request, "documents/number_list.html", {"page": page, "query": _query(request)})


@login_required
def number_reserve(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    data = request.POST if request.method == "POST" else None
    form = ReserveForm(data, mechanisms=actions.office_mechanisms(user))
    if data is not None and form.is_valid():
        try:
            number = actions.reserve_number(
                user,
                form.cleaned_data["mechanism"],
                form.cleaned_data["number"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The number %(number)s was reserved.") % {"number": number.number}
            )
            return redirect("documents:number_list")
    return render(request, "documents/number_form.html", {"form": form})


@login_required
@require_POST
def number_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    number = get_object_or_404(DocumentNumber.objects.visible_to(user), pk=pk)
    if not can(user, "release", number):
        raise PermissionDenied("release")
    try:
        actions.release_number(user, number)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The number was released."))
    return redirect("documents:number_list")
