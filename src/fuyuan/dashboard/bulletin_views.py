"""Pages of bulletins (通报): the list, generating one for a period, a bulletin's page with the
steps its sign-off chain allows, editing the wording, the .docx, and sending an issued bulletin
to the member units. Reads go through `Bulletin.objects.visible_to(user)` (not visible → 404);
writes through dashboard.bulletin_actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.documents import render_docx
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.documents import actions as doc_actions
from fuyuan.documents import workflow as doc_wf
from fuyuan.documents.forms import TransitionForm, apply_errors
from fuyuan.documents.models import DocumentNumber
from fuyuan.documents.views import take_step

from . import bulletin_actions, bulletin_docs
from .bulletin_forms import BulletinForm, FilterForm, GenerateForm
from .models import SECTION_FIELDS, Bulletin, section_label

PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def may_read(user: Any) -> bool:
    """Members of a mechanism (offices, leaders, liaison officers, court staff) have the pages;
    what each sees is scoped by `visible_to`. The administrators have none."""
    return scope_for(user).is_member


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not may_read(user):
        raise PermissionDenied("dashboard.bulletins")
    return user


def _visible(request: HttpRequest, pk: int) -> Bulletin:
    user = _reader(request)
    return get_object_or_404(
        Bulletin.objects.visible_to(user).select_related(
            "mechanism",
            "mechanism__jurisdiction",
            "document",
            "document__number",
            "document__handler",
            "document__checker",
            "document__signer",
        ),
        pk=pk,
    )


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = FilterForm(request.GET or None)
    rows = Bulletin.objects.visible_to(user).select_related(
        "mechanism", "document", "document__number"
    )
    if form.is_valid():
        if form.cleaned_data["year"]:
            rows = rows.filter(period_start__year=form.cleaned_data["year"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(period_kind=form.cleaned_data["kind"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/bulletin_list.html",
        {
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "form": form,
            "query": query.urlencode(),
            "can_generate": bulletin_actions.office_mechanisms(user).exists(),
        },
    )


@login_required
def bulletin_generate(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mechanisms = bulletin_actions.office_mechanisms(user)
    if not mechanisms.exists():
        raise PermissionDenied("dashboard.bulletin.generate")
    data = request.POST if request.method == "POST" else None
    form = GenerateForm(data, mechanisms=mechanisms)
    if data is not None and form.is_valid():
        try:
            bulletin = bulletin_actions.generate(
                user,
                form.cleaned_data["mechanism"],
                kind=form.cleaned_data["kind"],
                year=form.cleaned_data["year"],
                number=form.cleaned_data["number"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The bulletin was generated from the records; check its wording.")
            )
            return redirect("dashboard:bulletin_detail", bulletin.pk)
    return render(request, "dashboard/bulletin_generate.html", {"form": form})


def _transition_form(bulletin: Bulletin, data: Any = None) -> TransitionForm:
    document = bulletin.document
    assert document is not None
    return TransitionForm(
        data,
        staff=doc_actions.office_staff(bulletin.mechanism).exclude(pk=document.handler_id),
        numbers=DocumentNumber.objects.filter(mechanism=bulletin.mechanism).free(),
        initial={"version": document.version},
    )


def _tables(bulletin: Bulletin) -> dict[str, list[dict[str, Any]]]:
    """The generated tables by the section they are printed under."""
    tables = bulletin.tables or {}
    return {
        name: [tables[key] for key in keys if key in tables]
        for name, keys in bulletin_docs.SECTION_TABLES.items()
    }


def _render_detail(
    request: HttpRequest, bulletin: Bulletin, form: TransitionForm | None = None
) -> HttpResponse:
    user: Any = request.user
    document = bulletin.document
    assert document is not None
    is_office = doc_actions.is_office_of(user, bulletin.mechanism)
    transitions = (
        doc_wf.DOCUMENT_WORKFLOW.available(
            document.state, relations_to(user, document), document.enabled_steps()
        )
        if is_office
        else []
    )
    names = {t.name for t in transitions}
    tables = _tables(bulletin)
    sections = [
        {
            "name": name,
            "label": section_label(name),
            "lines": bulletin_docs.paragraphs_of(text),
            "tables": tables.get(name, []),
        }
        for name, text in bulletin.sections()
    ]
    context = {
        "bulletin": bulletin,
        "document": document,
        "sections": sections,
        "transitions": transitions,
        "needs_people": "submit" in names,
        "needs_number": bool(names & doc_wf.ISSUE_TRANSITIONS),
        "form": form or (_transition_form(bulletin) if transitions else None),
        "steps": list(document.steps.select_related("actor")) if is_office else [],
        "can_edit": can(user, "edit", bulletin),
        "can_notify": bulletin.is_issued and is_office,
        "sign_off": doc_actions.sign_off_enabled(bulletin.mechanism),
        "is_office": is_office,
        "period_label": bulletin_docs.period_label(bulletin.period_kind, bulletin.period_start),
    }
    return render(request, "dashboard/bulletin_detail.html", context)


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


@login_required
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    bulletin = _visible(request, pk)
    if not can(user, "edit", bulletin):
        raise PermissionDenied("edit")
    document = bulletin.document
    assert document is not None
    data = request.POST if request.method == "POST" else None
    initial = {name: getattr(bulletin, name) for name in SECTION_FIELDS}
    initial |= {
        "title": document.title,
        "recipients": document.recipients,
        "version": bulletin.version,
    }
    form = BulletinForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            bulletin_actions.update(
                user, bulletin, form.cleaned_data, form.cleaned_data.get("version")
            )
        except StaleObjectError as exc:
            form.add_error(None, ValidationError(str(exc), code="stale"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The wording was saved."))
            return redirect("dashboard:bulletin_detail", bulletin.pk)
    return render(
        request,
        "dashboard/bulletin_edit.html",
        {"form": form, "bulletin": bulletin, "document": document, "tables": _tables(bulletin)},
    )


@login_required
@require_POST
def bulletin_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user: Any = request.user
    bulletin = _visible(request, pk)
    document = bulletin.document
    assert document is not None
    try:
        step = doc_wf.DOCUMENT_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, document):
        raise PermissionDenied(step.name)
    form = _transition_form(bulletin, request.POST)
    if form.is_valid() and take_step(user, document, step.name, form):
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
        return redirect("dashboard:bulletin_detail", bulletin.pk)
    # The failed attempt may have touched the objects in memory: show them as stored.
    return _render_detail(request, _visible(request, pk), form)


@login_required
def bulletin_docx(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The issued file; before issue, a preview rendered from the current wording."""
    bulletin = _visible(request, pk)
    document = bulletin.document
    assert document is not None
    if document.state == doc_wf.ISSUED and document.file:
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=f"{document.title}.docx",
            content_type=DOCX,
        )
    content = render_docx(doc_actions.build_spec(document))
    response = HttpResponse(content, content_type=DOCX)
    name = quote(f"{document.title}（{_('draft')}）.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def bulletin_notify(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    bulletin = _visible(request, pk)
    if not (bulletin.is_issued and doc_actions.is_office_of(user, bulletin.mechanism)):
        raise PermissionDenied("dashboard.bulletin.notify")
    queued = bulletin_actions.notify_members(user, bulletin)
    if queued:
        messages.success(request, _("%(n)s message(s) were queued.") % {"n": queued})
    else:
        messages.info(request, _("Every member unit has had this bulletin; nothing new was sent."))
    return redirect("dashboard:bulletin_detail", bulletin.pk)
