"""Views of the meetings app. Reads go through visible_to(user) (not visible → 404); writes
through meetings.actions (visible but not permitted → 403)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.documents import render_docx
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import sources
from fuyuan.matters.models import Matter

from . import actions, ical, queries
from . import workflow as wf
from .documents import minutes_spec
from .forms import (
    AgendaFormSet,
    CommentForm,
    DecisionFormSet,
    MeetingFilterForm,
    MeetingForm,
    MinutesForm,
    SignInForm,
    TransitionForm,
    apply_errors,
)
from .models import AgendaItem, FeedToken, Invitation, Meeting
from .warnings import warnings_for

PER_PAGE = 50


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("meetings")
    return user


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- meetings -----------------------------------------------------------------------------
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = MeetingFilterForm(request.GET or None)
    rows = queries.visible_meetings(user).select_related("minutes")
    if form.is_valid():
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["year"]:
            rows = rows.filter(starts_at__year=form.cleaned_data["year"])
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
    page = Paginator(rows.order_by("-starts_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "query": _query(request),
        "warnings": warnings_for(queries.overseen_mechanisms(user)),
        "office_mechanisms": list(queries.office_mechanisms(user)),
    }
    return render(request, "meetings/meeting_list.html", context)


def _agenda_rows(formset: Any) -> list[dict[str, Any]]:
    """Rows for actions.set_agenda; a row that names an existing item keeps its reference."""
    rows = []
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None) or {}
        if (data.get("title") or "").strip() or data.get("matter"):
            rows.append(
                {
                    "item": data.get("item"),
                    "title": data.get("title") or "",
                    "matter": data.get("matter"),
                    "note": data.get("note") or "",
                }
            )
    return rows


def _show_references(formset: Any, meeting: Meeting | None) -> None:
    """Tell each row of an existing item what record it points to (read-only: a reference
    is set by the agenda picker, not typed)."""
    items = {a.pk: a for a in meeting.agenda.all()} if meeting is not None else {}
    for f in formset.forms:
        try:
            item = items.get(int(f["item"].value() or 0))
        except (TypeError, ValueError):
            item = None
        f.reference_label = ""
        f.reference_url = ""
        if item is not None and item.reference_kind:
            label = sources.label_of(item.reference_kind) or item.reference_kind
            f.reference_label = f"{label} {item.reference_id}"
            f.reference_url = sources.reference_url_of(item.reference_kind, item.reference_id)


def _prefill_reference(request: HttpRequest) -> dict[str, Any]:
    """A new meeting called from the agenda picker starts with the record on its agenda."""
    kind = (request.GET.get("reference_kind") or "").strip()
    ref = (request.GET.get("reference_id") or "").strip()
    if not kind or not ref or sources.get(kind) is None:
        return {}
    return {
        "reference_kind": kind,
        "reference_id": ref[: actions.REFERENCE_ID_LENGTH],
        "reference_title": (request.GET.get("title") or "").strip()[:200],
        "kind": request.GET.get("kind") or "case_analysis",
    }


def _meeting_form(
    request: HttpRequest, user: Any, mechanism: Any, meeting: Meeting | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    units = queries.invitable_units(mechanism)
    matters = Matter.objects.visible_to(user).filter(mechanism=mechanism).order_by("-pk")
    initial: dict[str, Any] = {}
    agenda_initial: list[dict[str, Any]] = []
    if meeting is None:
        initial = _prefill_reference(request)
    else:
        initial = {
            "kind": meeting.kind,
            "title": meeting.title,
            "chair_post": meeting.chair_post_id,
            "chair_note": meeting.chair_note,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "place": meeting.place,
            "units": list(meeting.invitations.values_list("unit_id", flat=True)),
            "version": meeting.version,
        }
        agenda_initial = [
            {"item": a.pk, "title": a.title, "matter": a.matter_id, "note": a.note}
            for a in meeting.agenda.all()
        ]
    form = MeetingForm(data, mechanism=mechanism, units=units, initial=initial)
    agenda = AgendaFormSet(
        data, prefix="agenda", initial=agenda_initial, form_kwargs={"matters": matters}
    )
    _show_references(agenda, meeting)
    if data is not None and form.is_valid() and agenda.is_valid():
        values = {k: form.cleaned_data[k] for k in actions.MEETING_FIELDS}
        try:
            if meeting is None:
                rows = _agenda_rows(agenda)
                for row in rows:
                    row.pop("item", None)  # a new meeting has no items to keep
                kind = form.cleaned_data.get("reference_kind") or ""
                if kind:
                    ref = form.cleaned_data.get("reference_id") or ""
                    title = form.cleaned_data.get("reference_title") or ""
                    rows.insert(
                        0,
                        {
                            "title": title or f"{sources.label_of(kind)} {ref}",
                            "reference_kind": kind,
                            "reference_id": ref,
                        },
                    )
                meeting = actions.schedule_meeting(
                    user,
                    mechanism,
                    agenda=rows,
                    units=form.cleaned_data["units"],
                    **values,
                )
            else:
                actions.update_meeting(user, meeting, values, form.cleaned_data.get("version"))
                actions.set_agenda(user, meeting, _agenda_rows(agenda))
                actions.invite(user, meeting, form.cleaned_data["units"])
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("meetings:meeting_detail", meeting.pk)
    reference = ""
    if meeting is None and form["reference_kind"].value():
        kind = str(form["reference_kind"].value())
        reference = f"{sources.label_of(kind) or kind} {form['reference_id'].value() or ''}"
    context = {
        "form": form,
        "agenda": agenda,
        "mechanism": mechanism,
        "meeting": meeting,
        "reference": reference,
    }
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    offices = queries.office_mechanisms(user)
    if not offices.exists():
        raise PermissionDenied("schedule")
    try:
        mechanism = offices.get(pk=int(request.GET.get("mechanism") or offices.first().pk))  # type: ignore[union-attr]
    except (ValueError, offices.model.DoesNotExist) as exc:
        raise PermissionDenied("schedule") from exc
    return _meeting_form(request, user, mechanism, None)


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=pk)
    if not can(user, "edit", meeting):
        raise PermissionDenied("edit")
    return _meeting_form(request, user, meeting.mechanism, meeting)


def _render_detail(request: HttpRequest, user: Any, meeting: Meeting, **extra: Any) -> HttpResponse:
    scope = scope_for(user)
    relations = relations_to(user, meeting)
    agenda = list(meeting.agenda.select_related("matter"))
    visible_matter_ids = set(
        Matter.objects.visible_to(user)
        .filter(pk__in=[a.matter_id for a in agenda if a.matter_id])
        .values_list("pk", flat=True)
    )
    for item in agenda:
        item.visible_matter = item.matter_id in visible_matter_ids  # type: ignore[attr-defined]
        item.reference_label = sources.label_of(item.reference_kind)  # type: ignore[attr-defined]
        item.reference_url = sources.reference_url_of(  # type: ignore[attr-defined]
            item.reference_kind, item.reference_id
        )
    invitations = list(meeting.invitations.select_related("unit", "person", "signed_in_by"))
    is_office = wf.OFFICE in relations
    for inv in invitations:
        inv.can_sign = meeting.state != wf.CANCELLED and (  # type: ignore[attr-defined]
            is_office or scope.acts_for(inv.unit_id)
        )
    minutes = getattr(meeting, "minutes", None) if hasattr(meeting, "minutes") else None
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda": agenda,
        "invitations": invitations,
        "sign_form": SignInForm(),
        "transitions": wf.MEETING_WORKFLOW.available(meeting.state, relations),
        "transition_form": TransitionForm(initial={"version": meeting.version}),
        "can_edit": can(user, "edit", meeting),
        "can_create_minutes": can(user, "create_minutes", meeting),
        "minutes": minutes,
        "attendance_counts": {
            a: sum(1 for i in invitations if i.attendance == a)
            for a in ("attend", "leave", "observer", "unknown")
        },
    }
    if minutes is not None:
        visible_matters = set(
            Matter.objects.visible_to(user)
            .filter(meeting_decision__minutes=minutes)
            .values_list("pk", flat=True)
        )
        decisions = list(
            minutes.decisions.select_related("lead_unit", "matter", "agenda_item").prefetch_related(
                "co_units"
            )
        )
        for d in decisions:
            d.visible_matter = d.matter_id in visible_matters  # type: ignore[attr-defined]
        context.update(
            {
                "decisions": decisions,
                "comments": list(minutes.comments.select_related("author", "unit")),
                "minutes_transitions": wf.MINUTES_WORKFLOW.available(minutes.state, relations),
                "minutes_form": extra.pop(
                    "minutes_form",
                    TransitionForm(
                        initial={
                            "version": minutes.version,
                            "comment_deadline": timezone.localdate() + datetime.timedelta(days=3),
                        }
                    ),
                ),
                "can_edit_minutes": can(user, "edit", minutes),
                "can_comment": can(user, "comment", minutes),
                "comment_form": extra.pop("comment_form", CommentForm()),
            }
        )
    context.update(extra)
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=pk)
    return _render_detail(request, user, meeting)


@login_required
@require_POST
def meeting_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=pk)
    try:
        step = wf.MEETING_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, meeting):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        actions.meeting_transition(user, meeting, step.name, form.cleaned_data.get("comment") or "")
    except TransitionError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
    return redirect("meetings:meeting_detail", meeting.pk)


# --- putting a record on an agenda --------------------------------------------------------
PICK_PER_PAGE = 30


def _pick_reference(request: HttpRequest) -> tuple[str, str, str]:
    """(kind, ref, suggested title) from the query (GET) or the form (POST); an unknown kind
    or a missing id is a page that does not exist."""
    source = request.POST if request.method == "POST" else request.GET
    kind = (source.get("kind") or "").strip()
    ref = (source.get("ref") or "").strip()
    if sources.get(kind) is None or not ref or len(ref) > actions.REFERENCE_ID_LENGTH:
        raise Http404
    title = (source.get("title") or "").strip()[:200]
    return kind, ref, title


@login_required
def agenda_pick(request: HttpRequest) -> HttpResponse:
    """GET ?kind=<registered kind>&ref=<id>&title=<suggested title>: the meetings not yet held
    whose agenda the user may edit (office of their mechanism), each with a button that puts
    the record on the agenda (POST meeting=<pk> with the same kind, ref and title)."""
    user = _member(request)
    offices = queries.office_mechanisms(user)
    if not offices.exists():
        raise PermissionDenied("agenda_pick")
    kind, ref, title = _pick_reference(request)
    if request.method == "POST":
        try:
            pk = int(request.POST.get("meeting") or "")
        except ValueError as exc:
            raise Http404 from exc
        meeting = get_object_or_404(queries.visible_meetings(user), pk=pk)
        if not can(user, "edit", meeting):
            raise PermissionDenied("edit")
        try:
            actions.add_reference_item(user, meeting, kind=kind, ref=ref, title=title)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Put on the agenda of “%(meeting)s”.") % {"meeting": meeting.title},
            )
            return redirect("meetings:meeting_detail", meeting.pk)
    rows = (
        queries.visible_meetings(user)
        .filter(
            mechanism__in=offices,
            state=wf.SCHEDULED,
        )
        .order_by("starts_at", "pk")
    )
    page = Paginator(rows, PICK_PER_PAGE).get_page(request.GET.get("page"))
    meetings = list(page)
    already = set(
        AgendaItem.objects.filter(
            meeting__in=[m.pk for m in meetings], reference_kind=kind, reference_id=ref
        ).values_list("meeting_id", flat=True)
    )
    for m in meetings:
        m.has_reference = m.pk in already  # type: ignore[attr-defined]
    new_meeting = {"kind": "case_analysis", "reference_kind": kind, "reference_id": ref}
    if title:
        new_meeting["title"] = title
    context = {
        "page": page,
        "meetings": meetings,
        "query": _query(request),
        "kind": kind,
        "ref": ref,
        "title": title,
        "reference_label": f"{sources.label_of(kind)} {ref}",
        "reference_url": sources.reference_url_of(kind, ref),
        "offices": [
            (
                m,
                reverse("meetings:meeting_create")
                + "?"
                + urlencode({**new_meeting, "mechanism": m.pk}),
            )
            for m in offices
        ],
    }
    return render(request, "meetings/agenda_pick.html", context)


@login_required
@require_POST
def invitation_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    visible = Invitation.objects.filter(meeting__in=Meeting.objects.visible_to(user))
    invitation = get_object_or_404(visible.select_related("meeting", "meeting__mechanism"), pk=pk)
    if not can(user, "sign_in", invitation):
        raise PermissionDenied("sign_in")
    form = SignInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the attendance."))
    else:
        actions.sign_in(
            user, invitation, form.cleaned_data["attendance"], form.cleaned_data["attendee_name"]
        )
        messages.success(request, _("The attendance was recorded."))
    return redirect("meetings:meeting_detail", invitation.meeting_id)


# --- minutes ------------------------------------------------------------------------------
@login_required
@require_POST
def minutes_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=pk)
    if not can(user, "create_minutes", meeting):
        raise PermissionDenied("create_minutes")
    minutes = actions.create_minutes(user, meeting)
    return redirect("meetings:minutes_edit", minutes.pk)


@login_required
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    minutes = get_object_or_404(queries.visible_minutes(user), pk=pk)
    if not can(user, "edit", minutes):
        raise PermissionDenied("edit")
    units = queries.invitable_units(minutes.mechanism)
    data = request.POST if request.method == "POST" else None
    form = MinutesForm(
        data, initial={"title": minutes.title, "body": minutes.body, "version": minutes.version}
    )
    decisions = DecisionFormSet(
        data,
        prefix="decisions",
        initial=[
            {
                "text": d.text,
                "lead_unit": d.lead_unit_id,
                "co_units": [u.pk for u in d.co_units.all()],
                "deadline": d.deadline,
                "agenda_item": d.agenda_item_id,
            }
            for d in minutes.decisions.prefetch_related("co_units")
        ],
        form_kwargs={"units": units, "agenda_items": minutes.meeting.agenda.all()},
    )
    if data is not None and form.is_valid() and decisions.is_valid():
        rows = [f.row for f in decisions.forms if f.row is not None]
        try:
            actions.save_minutes(
                user,
                minutes,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                decisions=rows,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("meetings:meeting_detail", minutes.meeting_id)
    context = {"form": form, "decisions": decisions, "minutes": minutes, "meeting": minutes.meeting}
    return render(request, "meetings/minutes_form.html", context)


@login_required
@require_POST
def minutes_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    minutes = get_object_or_404(queries.visible_minutes(user), pk=pk)
    try:
        step = wf.MINUTES_WORKFLOW.transition(transition)
    except TransitionError as exc:
        raise Http404 from exc
    if not can(user, step.name, minutes):
        raise PermissionDenied(step.name)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            actions.minutes_transition(
                user,
                minutes,
                step.name,
                comment_deadline=form.cleaned_data.get("comment_deadline"),
                comment=form.cleaned_data.get("comment") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except TransitionError as exc:
            form.add_error(None, ValidationError(exc.message, code=exc.code))
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("“%(action)s” was recorded.") % {"action": step.label})
            return redirect("meetings:meeting_detail", minutes.meeting_id)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=minutes.meeting_id)
    return _render_detail(request, user, meeting, minutes_form=form)


@login_required
@require_POST
def minutes_comment(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    minutes = get_object_or_404(queries.visible_minutes(user), pk=pk)
    if not can(user, "comment", minutes):
        raise PermissionDenied("comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.comment(user, minutes, form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your comment was recorded."))
            return redirect("meetings:meeting_detail", minutes.meeting_id)
    meeting = get_object_or_404(queries.visible_meetings(user), pk=minutes.meeting_id)
    return _render_detail(request, user, meeting, comment_form=form)


@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    minutes = get_object_or_404(queries.visible_minutes(user), pk=pk)
    if not can(user, "download", minutes):
        raise PermissionDenied("download")
    content = render_docx(minutes_spec(minutes))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = f"minutes-{minutes.year}-{minutes.issue_no or 'draft'}.docx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    decision = get_object_or_404(
        queries.visible_decisions(user).select_related("agenda_item"), pk=pk
    )
    meeting_visible = queries.visible_meetings(user).filter(pk=decision.minutes.meeting_id).exists()
    matter_visible = bool(
        decision.matter_id
        and Matter.objects.visible_to(user).filter(pk=decision.matter_id).exists()
    )
    item = decision.agenda_item
    reference_url = (
        sources.reference_url_of(item.reference_kind, item.reference_id) if item is not None else ""
    )
    context = {
        "decision": decision,
        "reference_url": reference_url,
        "reference_label": sources.label_of(item.reference_kind) if item is not None else "",
        "minutes": decision.minutes,
        "meeting": decision.minutes.meeting,
        "co_units": list(decision.co_units.order_by("order_no")),
        "meeting_visible": meeting_visible,
        "matter_visible": matter_visible,
    }
    return render(request, "meetings/decision_detail.html", context)


# --- calendar feeds -----------------------------------------------------------------------
@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    token = FeedToken.objects.filter(user=user).first()
    links: list[tuple[str, str]] = []
    if token is not None:
        links.append(
            (
                _("My meetings"),
                request.build_absolute_uri(reverse("meetings:feed_user", args=[token.token])),
            )
        )
        for unit in queries.feed_units(user):
            links.append(
                (
                    unit.name,
                    request.build_absolute_uri(
                        reverse("meetings:feed_unit", args=[token.token, unit.pk])
                    ),
                )
            )
    return render(request, "meetings/feed_settings.html", {"token": token, "links": links})


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    actions.rotate_feed_token(user)
    messages.success(request, _("A new feed address was made; the old one no longer works."))
    return redirect("meetings:feed_settings")


def _feed_user(token: str) -> Any:
    feed = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or not scope_for(feed.user).is_member:
        raise Http404
    return feed.user


def _feed_response(meetings: Any, name: str) -> HttpResponse:
    since = timezone.now() - datetime.timedelta(days=366)
    rows = meetings.filter(starts_at__gte=since).order_by("starts_at", "pk")
    response = HttpResponse(
        ical.calendar_text(rows, name), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_user(request: HttpRequest, token: str) -> HttpResponse:
    """The user's meetings as text/calendar; the token in the address is the credential."""
    user = _feed_user(token)
    return _feed_response(Meeting.objects.visible_to(user), _("Meetings"))


def feed_unit(request: HttpRequest, token: str, unit_id: int) -> HttpResponse:
    """Meetings a unit is invited to, for a user who acts for that unit."""
    user = _feed_user(token)
    unit = queries.feed_units(user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    meetings = Meeting.objects.visible_to(user).filter(invitations__unit=unit).distinct()
    return _feed_response(meetings, unit.name)
