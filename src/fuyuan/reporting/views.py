"""Pages of material collection: the list, issuing a collection, its targets with the late
list, a target's submission with only the steps the user may take, and the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.workflow import TransitionError

from . import actions, queries
from . import workflow as wf
from .forms import (
    CollectionFilterForm,
    CollectionForm,
    SubmissionForm,
    TransitionForm,
    apply_errors,
)
from .models import Collection, CollectionTarget, Submission

PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _member(request: HttpRequest) -> Any:
    """Material collection is work of the mechanism's members; administrators hold none."""
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("reporting")
    return user


def _pk(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404 from exc


def _download(field: Any, name: str, content_type: str = "") -> FileResponse:
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- collections ------------------------------------------------------------------------------
@login_required
def collection_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = CollectionFilterForm(request.GET or None)
    rows = queries.visible_collections(user)
    if form.is_valid():
        if form.cleaned_data["q"].strip():
            rows = rows.filter(title__icontains=form.cleaned_data["q"].strip())
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/collection_list.html",
        {
            "page": Paginator(rows.order_by("-deadline", "-pk"), PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "form": form,
            "query": query.urlencode(),
            "creatable": queries.creatable_mechanisms(user),
        },
    )


@login_required
def collection_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    mechanisms = queries.creatable_mechanisms(user)
    if not mechanisms:
        raise PermissionDenied("create_collection")
    mechanism = mechanisms[0]
    if request.GET.get("mechanism"):
        wanted = _pk(request.GET.get("mechanism"))
        found = [m for m in mechanisms if m.pk == wanted]
        if not found:
            raise PermissionDenied("create_collection")
        mechanism = found[0]
    data = request.POST if request.method == "POST" else None
    form = CollectionForm(data, request.FILES or None, mechanism=mechanism)
    if data is not None and form.is_valid():
        try:
            collection = actions.create_collection(
                user,
                mechanism,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                instructions=form.cleaned_data["instructions"],
                deadline=form.cleaned_data["deadline"],
                template=form.cleaned_data["template"],
                units=list(form.cleaned_data["units"]),
                jurisdictions=list(form.cleaned_data["jurisdictions"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The collection was drafted. Open it to notify the targets.")
            )
            return redirect("reporting:collection_detail", collection.pk)
    return render(
        request,
        "reporting/collection_form.html",
        {"form": form, "mechanism": mechanism, "mechanisms": mechanisms},
    )


def _visible_collection(request: HttpRequest, pk: int) -> tuple[Any, Collection]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_collections(user), pk=pk)


@login_required
def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, collection = _visible_collection(request, pk)
    rows = queries.target_rows(user, collection)
    is_office = wf.OFFICE in relations_to(user, collection)
    sees_delivered = can(user, "see_delivered", collection)
    context = {
        "collection": collection,
        "rows": rows if sees_delivered else [r for r in rows if r.submission or r.may_write],
        "sees_all": sees_delivered,
        "late": [r for r in rows if r.overdue] if sees_delivered else [],
        "accepted": sum(1 for r in rows if r.submission and r.submission.state == wf.ACCEPTED),
        "delivered": sum(1 for r in rows if r.delivered),
        "is_office": is_office,
        "may_urge": can(user, "urge", collection),
        "transitions": [
            t
            for t in wf.COLLECTION_WORKFLOW.available(
                collection.state, relations_to(user, collection)
            )
        ],
        "may_download": can(user, "download_compiled", collection),
    }
    return render(request, "reporting/collection_detail.html", context)


@login_required
@require_POST
def collection_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, collection = _visible_collection(request, pk)
    try:
        step = wf.COLLECTION_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, collection):
        raise PermissionDenied(step.name)
    try:
        if step.name == "compile":
            actions.compile_collection(user, collection)
        else:
            actions.transition_collection(user, collection, step.name)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
    return redirect("reporting:collection_detail", collection.pk)


@login_required
@require_POST
def collection_urge(request: HttpRequest, pk: int) -> HttpResponse:
    user, collection = _visible_collection(request, pk)
    if not can(user, "urge", collection):
        raise PermissionDenied("urge")
    targets = None
    if request.POST.get("target"):
        targets = [get_object_or_404(collection.targets, pk=_pk(request.POST.get("target")))]
    try:
        urged = actions.urge(user, collection, targets)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Urged: %(names)s.") % {"names": "、".join(t.name for t in urged)},
        )
    return redirect("reporting:collection_detail", collection.pk)


@login_required
def collection_template(request: HttpRequest, pk: int) -> FileResponse:
    _user, collection = _visible_collection(request, pk)
    return _download(collection.template, collection.template_name or "template")


@login_required
def collection_compiled(request: HttpRequest, pk: int) -> FileResponse:
    user, collection = _visible_collection(request, pk)
    if not collection.compiled_file:
        raise Http404
    if not can(user, "download_compiled", collection):
        raise PermissionDenied("download_compiled")
    return _download(collection.compiled_file, f"{collection.title}汇编.docx", DOCX)


# --- submissions ------------------------------------------------------------------------------
@login_required
def target_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write or revise a target's submission (its writers only)."""
    user = _member(request)
    collections = queries.visible_collections(user)
    target = get_object_or_404(
        CollectionTarget.objects.filter(collection__in=collections.values("pk")).select_related(
            "collection", "collection__mechanism", "unit", "jurisdiction"
        ),
        pk=pk,
    )
    submission = Submission.objects.filter(target=target).first()
    if submission is not None:
        submission.target = target
        submission.collection = target.collection
        if not can(user, "edit", submission):
            if Submission.objects.visible_to(user).filter(pk=submission.pk).exists():
                raise PermissionDenied("edit")
            raise Http404
    elif not can(user, "write", target):
        if wf.AUTHOR in relations_to(user, target) or can(user, "see_delivered", target.collection):
            raise PermissionDenied("write")
        raise Http404
    needs_leader = bool(target.unit_id) and "leader_check" in (
        target.collection.mechanism.config.enabled_steps
    )
    initial = {}
    if submission is not None:
        initial = {"text": submission.text, "unit_leader": submission.unit_leader_id}
    data = request.POST if request.method == "POST" else None
    form = SubmissionForm(
        data, request.FILES or None, target=target, needs_leader=needs_leader, initial=initial
    )
    if data is not None and form.is_valid():
        try:
            submission = actions.save_submission(
                user,
                target,
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
                remove_attachment=form.cleaned_data["remove_attachment"],
                unit_leader=form.cleaned_data.get("unit_leader"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The text was saved."))
            return redirect("reporting:submission_detail", submission.pk)
    return render(
        request,
        "reporting/submission_form.html",
        {"form": form, "target": target, "collection": target.collection, "submission": submission},
    )


def _visible_submission(request: HttpRequest, pk: int) -> tuple[Any, Submission]:
    user = _member(request)
    return user, get_object_or_404(queries.visible_submissions(user), pk=pk)


def _render_submission(
    request: HttpRequest, user: Any, submission: Submission, form: TransitionForm | None = None
) -> HttpResponse:
    transitions = wf.SUBMISSION_WORKFLOW.available(
        submission.state, relations_to(user, submission), submission.enabled_steps()
    )
    writer_steps = {"submit", "approve", "deliver", "deliver_direct"}
    if not submission.collection.accepts_submissions:
        transitions = [t for t in transitions if t.name not in writer_steps]
    context = {
        "submission": submission,
        "collection": submission.collection,
        "transitions": transitions,
        "comment_needed": [t for t in transitions if t.comment_required],
        "form": form or TransitionForm(),
        "may_edit": can(user, "edit", submission),
        "events": submission.events.select_related("actor"),
    }
    return render(request, "reporting/submission_detail.html", context)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, submission = _visible_submission(request, pk)
    return _render_submission(request, user, submission)


@login_required
@require_POST
def submission_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user, submission = _visible_submission(request, pk)
    try:
        step = wf.SUBMISSION_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, submission):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            actions.transition_submission(user, submission, step.name, form.cleaned_data["comment"])
        except TransitionError as exc:
            field = "comment" if exc.code == "workflow.comment_required" else None
            form.add_error(field, ValidationError(exc.message, code=exc.code))
        else:
            messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
            if Submission.objects.visible_to(user).filter(pk=submission.pk).exists():
                return redirect("reporting:submission_detail", submission.pk)
            return redirect("reporting:collection_detail", submission.collection_id)
    user, submission = _visible_submission(request, pk)
    return _render_submission(request, user, submission, form)


@login_required
def submission_attachment(request: HttpRequest, pk: int) -> FileResponse:
    _user, submission = _visible_submission(request, pk)
    return _download(
        submission.attachment,
        submission.attachment_name or "attachment",
        submission.attachment_type,
    )
