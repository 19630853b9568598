"""Pages of the risks app: the risk events (list with filters and figures, report, edit, an
event's page with its notes, state changes and coordination matters) and the stalled-housing
ledger (list with figures, add, a project's page, edit). Reads go through `visible_to(user)`
(not visible → 404); writes through risks.actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import workflow as matter_wf
from fuyuan.matters.models import Colour, Matter
from fuyuan.org.models import Jurisdiction, Unit

from . import actions, queries
from . import workflow as wf
from .forms import (
    EventFilterForm,
    EventForm,
    MatterForm,
    NoteForm,
    ProjectFilterForm,
    ProjectForm,
    TransitionForm,
)
from .models import RiskEvent, StalledProject

PER_PAGE = 30
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
        raise PermissionDenied("risks")
    return user


def _label_states(rows: Any) -> None:
    for event in rows:
        state = wf.EVENT_WORKFLOW.state(event.state)
        event.state_label = state.label
        event.state_tone = state.tone


# --- events -----------------------------------------------------------------------------------
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    rows = queries.visible_events(user)
    form = EventFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        for name in ("kind", "level", "state"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        if data["year"]:
            rows = rows.filter(reported_on__year=data["year"])
    page = Paginator(rows.order_by("-reported_on", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    _label_states(page)
    context = {
        "page": page,
        "form": form,
        "query": query_without_page(request),
        "figures": queries.event_figures(rows),
        "can_report": actions.may_report(user),
    }
    return render(request, "risks/event_list.html", context)


def _event_form_querysets(user: Any, jurisdiction: Jurisdiction | None) -> dict[str, Any]:
    units: Any
    if jurisdiction is None:
        jurisdictions = list(actions.office_jurisdictions(user))
        q = Q(pk__in=[])
        for j in jurisdictions:
            q |= Q(jurisdiction__path__startswith=j.path)
            q |= Q(jurisdiction__path__in=j.ancestor_paths())
        units = (
            Unit.objects.current()
            .filter(q)
            .select_related("jurisdiction")
            .order_by("jurisdiction__path", "order_no", "pk")
        )
        projects = queries.visible_projects(user)
    else:
        units = actions.units_near(jurisdiction)
        projects = queries.visible_projects(user).filter(
            jurisdiction__path__startswith=jurisdiction.path
        )
    return {"units": units, "projects": projects}


def _event_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "kind": data["kind"],
        "level": data["level"],
        "description": data["description"],
        "lead_unit": data["lead_unit"],
        "units_involved": list(data["units_involved"]),
        "project": data["project"],
        "reported_on": data["reported_on"],
    }


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_report(user):
        raise PermissionDenied("risks.event.report")
    mechanisms = actions.office_mechanisms(user)
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"reported_on": timezone.localdate()}
    if mechanisms.count() == 1:
        initial["mechanism"] = mechanisms.first()
    form = EventForm(
        data, mechanisms=mechanisms, initial=initial, **_event_form_querysets(user, None)
    )
    if data is not None and form.is_valid():
        try:
            event = actions.report_event(
                user, mechanism=form.cleaned_data["mechanism"], **_event_values(form.cleaned_data)
            )
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The risk event was reported."))
            return redirect("risks:event_detail", event.pk)
    return render(request, "risks/event_form.html", {"form": form, "event": None})


def _event(request: HttpRequest, pk: int) -> RiskEvent:
    return get_object_or_404(
        RiskEvent.objects.visible_to(request.user).select_related(
            "mechanism__jurisdiction", "lead_unit", "project", "reported_by"
        ),
        pk=pk,
    )


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    event = _event(request, pk)
    if not can(user, "edit", event):
        raise PermissionDenied("edit")
    data = request.POST if request.method == "POST" else None
    initial = {
        "version": event.version,
        "title": event.title,
        "kind": event.kind,
        "level": event.level,
        "description": event.description,
        "lead_unit": event.lead_unit_id,
        "units_involved": [u.pk for u in event.units_involved.all()],
        "project": event.project_id,
        "reported_on": event.reported_on,
    }
    form = EventForm(
        data,
        mechanisms=None,
        initial=initial,
        editing=True,
        **_event_form_querysets(user, event.mechanism.jurisdiction),
    )
    if data is not None and form.is_valid():
        try:
            actions.update_event(
                user,
                event,
                expected_version=form.cleaned_data["version"] or event.version,
                **_event_values(form.cleaned_data),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The risk event was saved."))
            return redirect("risks:event_detail", event.pk)
    return render(request, "risks/event_form.html", {"form": form, "event": event})


def _render_event(
    request: HttpRequest, event: RiskEvent, status: int = 200, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    transitions = wf.EVENT_WORKFLOW.available(event.state, relations_to(user, event))
    matter_ids = list(event.matters.values_list("matter_id", flat=True))
    matters = (
        Matter.objects.visible_to(user)
        .filter(pk__in=matter_ids)
        .with_colour(timezone.localdate())
        .select_related("lead_unit")
        .order_by("deadline", "pk")
    )
    entries = list(event.entries.select_related("author").order_by("on", "pk"))
    for entry in entries:
        entry.transition_label = (  # type: ignore[attr-defined]
            wf.EVENT_WORKFLOW.transition(entry.transition).label if entry.transition else ""
        )
    matter_rows = list(matters)
    for matter in matter_rows:
        colour = Colour(matter.colour)  # type: ignore[attr-defined]
        matter.colour_label = colour.label  # type: ignore[attr-defined]
        matter.colour_tone = COLOUR_TONES[colour]  # type: ignore[attr-defined]
        matter.state_label = matter_wf.MATTER_WORKFLOW.state(matter.state).label  # type: ignore[attr-defined]
    context = {
        "event": event,
        "state": wf.EVENT_WORKFLOW.state(event.state),
        "units_involved": list(event.units_involved.select_related("jurisdiction")),
        "entries": entries,
        "transitions": transitions,
        "needs_comment": any(t.comment_required for t in transitions),
        "matters": matter_rows,
        "hidden_matters": len(matter_ids) - len(matter_rows),
        "can_edit": can(user, "edit", event),
        "can_note": can(user, "add_note", event),
        "can_open_matter": can(user, "open_matter", event),
        "project_visible": event.project_id is not None
        and StalledProject.objects.visible_to(user).filter(pk=event.project_id).exists(),
        "note_form": bound.get("note_form") or NoteForm(initial={"on": timezone.localdate()}),
        "transition_form": bound.get("transition_form")
        or TransitionForm(initial={"version": event.version}),
    }
    return render(request, "risks/event_detail.html", context, status=status)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_event(request, _event(request, pk))


@login_required
@require_POST
def event_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    event = _event(request, pk)
    if not can(user, "add_note", event):
        raise PermissionDenied("add_note")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_note(
                user, event, on=form.cleaned_data["on"], text=form.cleaned_data["text"]
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The note was recorded."))
            return redirect("risks:event_detail", event.pk)
    return _render_event(request, _event(request, pk), note_form=form)


@login_required
@require_POST
def event_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    event = _event(request, pk)
    try:
        step = wf.EVENT_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, event):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            actions.event_transition(
                user,
                event,
                step.name,
                form.cleaned_data["comment"] or "",
                on=form.cleaned_data.get("on"),
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
            return redirect("risks:event_detail", event.pk)
    return _render_event(request, _event(request, pk), transition_form=form)


@login_required
def event_matter_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    event = _event(request, pk)
    if not can(user, "open_matter", event):
        raise PermissionDenied("open_matter")
    data = request.POST if request.method == "POST" else None
    form = MatterForm(
        data,
        units=actions.matter_units(event),
        initial={"title": event.title[:200], "lead_unit": event.lead_unit_id},
    )
    if data is not None and form.is_valid():
        try:
            actions.open_matter(user, event, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The coordination matter was opened."))
            return redirect("risks:event_detail", event.pk)
    return render(request, "risks/matter_form.html", {"form": form, "event": event})


# --- stalled-housing ledger -------------------------------------------------------------------
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    visible = queries.visible_projects(user)
    jurisdictions = Jurisdiction.objects.filter(pk__in=visible.values("jurisdiction_id")).order_by(
        "path"
    )
    form = ProjectFilterForm(request.GET or None, jurisdictions=jurisdictions)
    rows = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["jurisdiction"]:
            rows = rows.filter(jurisdiction__path__startswith=data["jurisdiction"].path)
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["white_list"] == "yes":
            rows = rows.filter(white_list=True)
        elif data["white_list"] == "no":
            rows = rows.filter(white_list=False)
    page = Paginator(rows.order_by("jurisdiction__path", "name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "form": form,
        "query": query_without_page(request),
        "figures": queries.project_figures(rows),
        "can_add": actions.may_report(user),
    }
    return render(request, "risks/project_list.html", context)


def _project_values(data: dict[str, Any]) -> dict[str, Any]:
    names = actions.PROJECT_FIELDS
    return {name: data.get(name) for name in names} | {
        "override_reason": data.get("override_reason") or ""
    }


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_report(user):
        raise PermissionDenied("risks.project.create")
    jurisdictions = actions.office_jurisdictions(user)
    q = Q(pk__in=[])
    for j in jurisdictions:
        q |= Q(jurisdiction__path__startswith=j.path)
    units = (
        Unit.objects.current()
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(
        data, jurisdictions=jurisdictions, units=units, initial={"status": "stopped"}
    )
    if data is not None and form.is_valid():
        try:
            project = actions.create_project(
                user,
                jurisdiction=form.cleaned_data["jurisdiction"],
                **_project_values(form.cleaned_data),
            )
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The project was added to the ledger."))
            return redirect("risks:project_detail", project.pk)
    return render(request, "risks/project_form.html", {"form": form, "project": None})


def _project(request: HttpRequest, pk: int) -> StalledProject:
    return get_object_or_404(queries.visible_projects(request.user), pk=pk)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    project = _project(request, pk)
    events = list(
        queries.visible_events(user).filter(project=project).order_by("-reported_on", "-pk")
    )
    _label_states(events)
    context = {
        "project": project,
        "events": events,
        "can_edit": can(user, "edit", project),
    }
    return render(request, "risks/project_detail.html", context)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    project = _project(request, pk)
    if not can(user, "edit", project):
        raise PermissionDenied("edit")
    units = (
        Unit.objects.current()
        .filter(jurisdiction__path__in=project.jurisdiction.ancestor_paths())
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    initial = {name: getattr(project, name) for name in actions.PROJECT_FIELDS}
    initial["responsible_unit"] = project.responsible_unit_id
    initial["version"] = project.version
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, jurisdictions=None, units=units, initial=initial, editing=True)
    if data is not None and form.is_valid():
        try:
            actions.update_project(
                user,
                project,
                expected_version=form.cleaned_data["version"] or project.version,
                **_project_values(form.cleaned_data),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("risks:project_detail", project.pk)
    return render(request, "risks/project_form.html", {"form": form, "project": project})
