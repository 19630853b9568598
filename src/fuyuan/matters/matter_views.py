"""A matter's own page and its actions: register, edit, transitions, urging, feedback (with
draft autosave), co-unit reports, extensions, decomposition, sharing upward, evaluation and
attachments. Reads go through `Matter.objects.visible_to(user)` (not visible → 404); writes
through matters.actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal
from fuyuan.core.workflow import TransitionError

from . import actions
from . import workflow as wf
from .matter_forms import (
    AttachmentForm,
    DecomposeFormSet,
    EvaluationForm,
    ExtensionDecisionForm,
    ExtensionForm,
    FeedbackForm,
    MatterCreateForm,
    MatterEditForm,
    MilestoneFormSet,
    TextForm,
    TransitionForm,
    decomposition_units,
    milestone_rows,
    office_mechanisms,
)
from .models import (
    Attachment,
    Colour,
    ExtensionRequest,
    Feedback,
    FeedbackStatus,
    Matter,
    TimelineEntry,
)

COLOUR_TONES = {
    Colour.RED: "danger",
    Colour.YELLOW: "warning",
    Colour.BLUE: "info",
    Colour.GREEN: "success",
    Colour.NONE: "secondary",
}


# --- helpers ----------------------------------------------------------------------------------
def _visible(request: HttpRequest, pk: int) -> Matter:
    rows = Matter.objects.visible_to(request.user).select_related("mechanism", "jurisdiction")
    return get_object_or_404(rows.select_related("lead_unit"), pk=pk)


def _allowed(user: Any, matter: Matter, action: str) -> None:
    """Visible but not permitted → 403 (checked before the input is looked at)."""
    if not matter.permits(scope_for(user), action):
        raise PermissionDenied(action)


def _done(request: HttpRequest, matter: Matter, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("matters:matter_detail", matter.pk)


# --- the page ---------------------------------------------------------------------------------
def _detail_context(request: HttpRequest, pk: int, **bound: Any) -> dict[str, Any]:
    user: Any = request.user
    today = timezone.localdate()
    matter = get_object_or_404(
        Matter.objects.visible_to(user)
        .with_colour(today)
        .select_related(
            "mechanism",
            "jurisdiction",
            "task_area",
            "lead_unit",
            "handler",
            "unit_leader",
            "supervising_leader",
            "created_by",
            "parent",
            "evaluation",
        ),
        pk=pk,
    )
    scope = scope_for(user)
    relations = relations_to(user, matter)
    steps = matter.enabled_steps()
    transitions = wf.MATTER_WORKFLOW.available(matter.state, relations, steps)
    permitted = {
        action: matter.permits(scope, action)
        for action in (
            "urge",
            "edit",
            "decompose",
            "decide_extension",
            "decide_second_extension",
            "feedback",
            "request_extension",
            "co_unit_report",
            "evaluate",
            "share_upward",
        )
    }
    co_units = list(matter.co_units.select_related("unit", "reported_by"))
    milestones = list(matter.milestones.all())
    children = list(
        Matter.objects.visible_to(user)
        .with_colour(today)
        .filter(parent=matter)
        .select_related("jurisdiction", "lead_unit")
        .order_by("jurisdiction__path", "pk")
    )
    for child in children:
        child.tone = COLOUR_TONES[Colour(child.colour)]  # type: ignore[attr-defined]
    parent_visible = (
        matter.parent_id is not None
        and Matter.objects.visible_to(user).filter(pk=matter.parent_id).exists()
    )
    extensions = list(matter.extensions.select_related("requested_by", "decided_by"))
    for ext in extensions:
        ext.can_decide = (  # type: ignore[attr-defined]
            ext.state == wf.EXT_PENDING and permitted[actions.extension_action(ext)]
        )
    # Every file of the matter in one query: the reports' files go with their reports.
    files = list(Attachment.objects.filter(matter=matter).select_related("uploaded_by"))
    feedback = list(
        matter.feedback.filter(status=FeedbackStatus.SUBMITTED)
        .select_related("author", "unit", "milestone")
        .order_by("submitted_at", "pk")
    )
    by_report: dict[int, list[Attachment]] = {}
    for f in files:
        if f.feedback_id is not None:
            by_report.setdefault(f.feedback_id, []).append(f)
    for report in feedback:
        report.files = by_report.get(report.pk, [])  # type: ignore[attr-defined]
    draft = actions.own_draft(user, matter) if permitted["feedback"] else None
    timeline = list(
        TimelineEntry.objects.filter(matter=matter).select_related("actor").order_by("at", "pk")
    )
    state_labels = dict(wf.MATTER_WORKFLOW.choices())
    for entry in timeline:
        entry.from_label = state_labels.get(entry.from_state, "")  # type: ignore[attr-defined]
        entry.to_label = state_labels.get(entry.to_state, "")  # type: ignore[attr-defined]
        entry.step_label = _step_label(entry.kind)  # type: ignore[attr-defined]
    needs_fields = {f for t in transitions for f in t.required_fields}
    needs_leader = any(t.name == "submit_for_check" for t in transitions)
    candidates = (
        actions.handler_candidates(matter) if "handler" in needs_fields or needs_leader else None
    )
    evaluation = getattr(matter, "evaluation", None) if matter.state in wf.DONE_STATES else None
    context = {
        "matter": matter,
        "state": wf.MATTER_WORKFLOW.state(matter.state),
        "colour_tone": COLOUR_TONES[Colour(matter.colour)],  # type: ignore[attr-defined]
        "colour_label": Colour(matter.colour).label,  # type: ignore[attr-defined]
        "relations": relations,
        "transitions": transitions,
        "needs_summary": "summary" in needs_fields,
        "needs_handler": "handler" in needs_fields,
        "needs_leader": needs_leader,
        "can": permitted,
        "co_units": co_units,
        "milestones": milestones,
        "children": children,
        "parent_visible": parent_visible,
        "extensions": extensions,
        "pending_extension": any(e.state == wf.EXT_PENDING for e in extensions),
        "feedback": feedback,
        "draft": draft,
        "timeline": timeline,
        "evaluation": evaluation,
        "attachments": [f for f in files if f.feedback_id is None],
        "may_attach": permitted["feedback"] or permitted["edit"] or permitted["co_unit_report"],
        "transition_form": bound.get("transition_form")
        or TransitionForm(initial={"version": matter.version}, candidates=candidates),
        "urge_form": bound.get("urge_form") or TextForm(),
        "feedback_form": bound.get("feedback_form")
        or FeedbackForm(
            matter=matter,
            initial={
                "text": draft.text if draft else "",
                "progress": draft.progress if draft else None,
                "milestone": draft.milestone_id if draft else None,
            },
        ),
        "co_report_form": bound.get("co_report_form") or TextForm(),
        "extension_form": bound.get("extension_form") or ExtensionForm(),
        "decision_form": bound.get("decision_form") or ExtensionDecisionForm(),
        "evaluation_form": bound.get("evaluation_form") or EvaluationForm(),
        "attachment_form": bound.get("attachment_form") or AttachmentForm(),
        "error_form": bound.get("error_form"),
    }
    return context


def _step_label(kind: str) -> str:
    if kind.startswith("transition:"):
        try:
            return str(wf.MATTER_WORKFLOW.transition(kind.split(":", 1)[1]).label)
        except TransitionError:
            return kind
    labels = {
        "created": _("Registered"),
        "urge": _("Urged"),
        "feedback": _("Progress report"),
        "co_unit_report": _("Co-unit report"),
        "extension_requested": _("Extension requested"),
        "extension_approved": _("Extension approved"),
        "extension_refused": _("Extension refused"),
        "decomposed": _("Split into sub-matters"),
        "shared_upward": _("Shared with the level above"),
        "evaluated": _("Rated"),
        "attachment": _("File attached"),
        "edited": _("Edited"),
        "milestones": _("Milestones changed"),
    }
    return str(labels.get(kind, kind))


def _render_detail(request: HttpRequest, pk: int, status: int = 200, **bound: Any) -> HttpResponse:
    context = _detail_context(request, pk, **bound)
    return render(request, "matters/matter_detail.html", context, status=status)


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


# --- register and edit ------------------------------------------------------------------------
@login_required
def matter_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not office_mechanisms(user).exists():
        raise PermissionDenied("create_matter")
    data = request.POST if request.method == "POST" else None
    form = MatterCreateForm(
        data,
        actor=user,
        initial={"start_date": timezone.localdate(), "deadline_kind": "date"},
    )
    stones = MilestoneFormSet(data, prefix="milestones")
    if data is not None and form.is_valid() and stones.is_valid():
        values = form.matter_values()
        try:
            matter = actions.create_matter(
                user,
                mechanism=form.cleaned_data["mechanism"],
                co_units=list(form.cleaned_data.get("co_units") or []),
                milestones=milestone_rows(stones),
                **values,
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The matter was registered."))
    return render(
        request, "matters/matter_form.html", {"form": form, "milestones": stones, "matter": None}
    )


@login_required
def matter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "edit")
    data = request.POST if request.method == "POST" else None
    initial = {name: getattr(matter, name) for name in actions.EDITABLE_FIELDS}
    initial["tags"] = ", ".join(str(t) for t in matter.tags or [])
    initial["co_units"] = list(matter.co_units.values_list("unit_id", flat=True))
    initial["version"] = matter.version
    form = MatterEditForm(data, matter=matter, initial=initial)
    stones = MilestoneFormSet(
        data,
        prefix="milestones",
        initial=[
            {"id": m.pk, "title": m.title, "due_date": m.due_date, "weight": m.weight}
            for m in matter.milestones.all()
        ],
    )
    if data is not None and form.is_valid() and stones.is_valid():
        try:
            with transaction.atomic():
                actions.update_matter(
                    user, matter, form.matter_values(), form.cleaned_data.get("version")
                )
                if stones.has_changed():
                    actions.set_milestones(user, matter, milestone_rows(stones))
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The matter was saved."))
    return render(
        request,
        "matters/matter_form.html",
        {"form": form, "milestones": stones, "matter": matter},
    )


# --- workflow ---------------------------------------------------------------------------------
@login_required
@require_POST
def matter_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    try:
        step = wf.MATTER_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    steps = matter.enabled_steps()
    if step not in wf.MATTER_WORKFLOW.available(matter.state, relations_to(user, matter), steps):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST, candidates=actions.handler_candidates(matter))
    if form.is_valid():
        try:
            actions.transition(
                user,
                matter,
                step.name,
                comment=form.cleaned_data["comment"],
                values=form.values(),
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("“%(action)s” was recorded.") % {"action": step.label})
    return _render_detail(request, pk, transition_form=form, error_form=form)


@login_required
@require_POST
def matter_urge(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "urge")
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            actions.urge(user, matter, form.cleaned_data["text"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The lead unit was urged."))
    return _render_detail(request, pk, urge_form=form, error_form=form)


# --- feedback ---------------------------------------------------------------------------------
def _save_draft(request: HttpRequest, matter: Matter, form: FeedbackForm) -> Feedback:
    return actions.save_feedback_draft(
        request.user,
        matter,
        form.cleaned_data.get("text") or "",
        form.cleaned_data.get("progress"),
        form.cleaned_data.get("milestone"),
    )


@login_required
@require_POST
def matter_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the user's draft report; htmx autosave gets a small "saved at" fragment."""
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "feedback")
    form = FeedbackForm(request.POST, matter=matter)
    is_htmx = bool(request.headers.get("HX-Request"))
    if form.is_valid():
        try:
            draft = _save_draft(request, matter, form)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            if is_htmx:
                return render(request, "matters/matter_draft_saved.html", {"draft": draft})
            return _done(request, matter, _("The draft was saved."))
    if is_htmx:
        return render(
            request, "matters/matter_draft_saved.html", {"draft": None, "form": form}, status=200
        )
    return _render_detail(request, pk, feedback_form=form, error_form=form)


@login_required
@require_POST
def matter_feedback_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "feedback")
    form = FeedbackForm(request.POST, request.FILES, matter=matter)
    if form.is_valid():
        try:
            with transaction.atomic():
                draft = _save_draft(request, matter, form)
                if form.cleaned_data.get("file"):
                    actions.add_attachment(user, matter, form.cleaned_data["file"], feedback=draft)
                actions.submit_feedback(user, draft)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The progress report was submitted."))
    return _render_detail(request, pk, feedback_form=form, error_form=form)


# --- co-units, extensions ---------------------------------------------------------------------
@login_required
@require_POST
def matter_co_report(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "co_unit_report")
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            actions.co_unit_report(user, matter, form.cleaned_data["text"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The report was sent to the lead unit."))
    return _render_detail(request, pk, co_report_form=form, error_form=form)


@login_required
@require_POST
def matter_extension(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "request_extension")
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            actions.request_extension(
                user,
                matter,
                form.cleaned_data["reason"],
                form.cleaned_data["new_deadline"],
                form.cleaned_data["progress_note"],
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The extension was requested."))
    return _render_detail(request, pk, extension_form=form, error_form=form)


@login_required
@require_POST
def matter_extension_decide(request: HttpRequest, pk: int, ext: int, decision: str) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    extension = get_object_or_404(ExtensionRequest, pk=ext, matter=matter)
    if decision not in {"approve", "refuse"}:
        raise Http404
    _allowed(user, matter, actions.extension_action(extension))
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_extension(
                user, extension, decision == "approve", form.cleaned_data["comment"]
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The extension request was decided."))
    return _render_detail(request, pk, decision_form=form, error_form=form)


# --- decomposition, sharing, evaluation -------------------------------------------------------
@login_required
def matter_decompose(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "decompose")
    units = decomposition_units(matter)
    data = request.POST if request.method == "POST" else None
    formset = DecomposeFormSet(data, prefix="parts", form_kwargs={"units": units})
    if data is not None and formset.is_valid():
        parts = [
            {
                "mechanism": f.cleaned_data["lead_unit"].jurisdiction.mechanism,
                "lead_unit": f.cleaned_data["lead_unit"],
                "title": f.cleaned_data.get("title") or matter.title,
                "deadline": f.cleaned_data["deadline"],
                "weight": f.cleaned_data.get("weight") or 1,
            }
            for f in formset.forms
            if f.cleaned_data.get("lead_unit")
        ]
        try:
            actions.decompose(user, matter, parts)
        except REFUSALS as exc:
            message = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            formset._non_form_errors = formset.error_class(message)  # type: ignore[attr-defined]
        else:
            return _done(request, matter, _("The sub-matters were created."))
    return render(request, "matters/matter_decompose.html", {"matter": matter, "formset": formset})


@login_required
@require_POST
def matter_share(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "share_upward")
    form = forms.Form(request.POST)
    try:
        actions.share_upward(user, matter)
    except REFUSALS as exc:
        apply_refusal(form, exc)
        return _render_detail(request, pk, error_form=form)
    return _done(request, matter, _("The matter is now visible to the level above."))


@login_required
@require_POST
def matter_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    _allowed(user, matter, "evaluate")
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            actions.evaluate(
                user,
                matter,
                form.cleaned_data["timeliness"],
                form.cleaned_data["quality"],
                form.cleaned_data["effect"],
                form.cleaned_data["comment"],
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The rating was recorded."))
    return _render_detail(request, pk, evaluation_form=form, error_form=form)


# --- attachments ------------------------------------------------------------------------------
@login_required
@require_POST
def matter_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    matter = _visible(request, pk)
    if not actions.may_attach(user, matter):
        raise PermissionDenied("attach")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(user, matter, form.cleaned_data["file"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, matter, _("The file was attached."))
    return _render_detail(request, pk, attachment_form=form, error_form=form)


@login_required
def matter_attachment(request: HttpRequest, pk: int, att: int) -> FileResponse:
    """Download a file of a visible matter; a draft report's files only by their author."""
    user: Any = request.user
    matter = _visible(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("feedback"), pk=att, matter=matter
    )
    feedback = attachment.feedback
    draft = feedback is not None and feedback.status == FeedbackStatus.DRAFT
    if draft and feedback.author_id != user.pk:  # type: ignore[union-attr]
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
