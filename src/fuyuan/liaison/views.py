"""Views of the liaison app: the letter lists, writing a letter, a letter's page with its
replies and the actions the graph allows, the reply-time figures, and the key-issue list.
Reads go through `visible_to(user)` (not visible → 404); writes through liaison.actions (not
permitted → 403)."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.matters.models import Colour
from fuyuan.matters.workflow import MATTER_WORKFLOW
from fuyuan.org.models import Unit

from . import actions, queries
from . import workflow as wf
from .forms import AttachmentForm, CoordinateForm, LetterForm, ReplyForm, TabForm, TransitionForm
from .models import LetterAttachment, LiaisonLetter

PER_PAGE = 30

COLOUR_TONES = {
    Colour.RED: "danger",
    Colour.YELLOW: "warning",
    Colour.BLUE: "info",
    Colour.GREEN: "success",
    Colour.NONE: "secondary",
}

TAB_LABELS = {
    queries.TAB_RECEIVED: gettext_lazy("Received"),
    queries.TAB_SENT: gettext_lazy("Sent"),
    queries.TAB_ESCALATED: gettext_lazy("Escalated"),
    queries.TAB_ALL: gettext_lazy("All letters"),
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("liaison")
    return user


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# --- lists ------------------------------------------------------------------------------------
@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    tabs = queries.tabs_for(user)
    if not tabs:
        raise PermissionDenied("liaison")
    tab = request.GET.get("tab") or tabs[0]
    if tab not in tabs:
        tab = tabs[0]
    form = TabForm(request.GET or None)
    rows = queries.letters_in_tab(user, tab)
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        rows = rows.filter(
            Q(subject__icontains=q)
            | Q(sender_unit__name__icontains=q)
            | Q(recipient_unit__name__icontains=q)
        )
    today = timezone.localdate()
    context: dict[str, Any] = {
        "page": _page(request, rows),
        "query": query_without_page(request),
        "form": form,
        "tab": tab,
        "tabs": [(t, TAB_LABELS[t]) for t in tabs],
        "can_write": actions.may_write(user),
        "today": today,
    }
    if queries.may_see_statistics(user):
        context["totals"] = queries.totals(user, today)
    return render(request, "liaison/letter_list.html", context)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not queries.may_see_statistics(user):
        raise PermissionDenied("liaison.statistics")
    today = timezone.localdate()
    return render(
        request,
        "liaison/statistics.html",
        {
            "rows": queries.unit_statistics(user, today),
            "totals": queries.totals(user, today),
            "today": today,
        },
    )


# --- writing ----------------------------------------------------------------------------------
@login_required
def letter_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    senders = actions.sender_units(user).order_by("order_no", "pk")
    if not senders.exists():
        raise PermissionDenied("liaison.write")
    recipients = actions.recipient_units(user)
    data = request.POST if request.method == "POST" else None
    only = list(senders[:2])
    form = LetterForm(
        data,
        request.FILES if data is not None else None,
        senders=senders,
        recipients=recipients,
        initial={"sender_unit": only[0].pk} if len(only) == 1 else {},
    )
    if data is not None and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            letter = actions.create_letter(
                user,
                sender_unit=form.cleaned_data["sender_unit"],
                recipient_unit=form.cleaned_data["recipient_unit"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                reply_by=form.cleaned_data.get("reply_by"),
                files=[upload] if upload else [],
                send="send" in request.POST,
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(
                request,
                _("The letter was sent.")
                if letter.state == wf.SENT
                else _("The letter was saved as a draft."),
            )
            return redirect("liaison:letter_detail", letter.pk)
    return render(request, "liaison/letter_form.html", {"form": form})


# --- a letter's page --------------------------------------------------------------------------
def _visible(request: HttpRequest, pk: int) -> LiaisonLetter:
    return get_object_or_404(
        queries.letters(request.user).select_related(
            "mechanism__jurisdiction", "coordinated_by", "matter"
        ),
        pk=pk,
    )


def _lead_units(letter: LiaisonLetter) -> Any:
    return (
        Unit.objects.current()
        .filter(jurisdiction_id=letter.mechanism.jurisdiction_id)
        .select_related("jurisdiction")
        .order_by("order_no", "pk")
    )


def _render_detail(
    request: HttpRequest, letter: LiaisonLetter, status: int = 200, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    relations = relations_to(user, letter)
    available = {t.name: t for t in wf.LETTER_WORKFLOW.available(letter.state, relations)}
    attachments = list(
        LetterAttachment.objects.filter(letter=letter).select_related("uploaded_by").order_by("pk")
    )
    replies = list(letter.replies.select_related("author", "unit").order_by("created_at", "pk"))
    by_reply: dict[int | None, list[LetterAttachment]] = {}
    for att in attachments:
        by_reply.setdefault(att.reply_id, []).append(att)
    for answer in replies:
        answer.files = by_reply.get(answer.pk, [])  # type: ignore[attr-defined]
    lead_default = letter.recipient_unit_id
    context = {
        "letter": letter,
        "replies": replies,
        "letter_files": by_reply.get(None, []),
        "transitions": [available[n] for n in wf.SIMPLE_TRANSITIONS if n in available],
        "can_reply": "reply" in available,
        "can_coordinate": "coordinate" in available,
        "can_attach": letter.permits(scope_for(user), "attach"),
        "transition_form": bound.get("transition_form")
        or TransitionForm(initial={"version": letter.version}),
        "reply_form": bound.get("reply_form") or ReplyForm(),
        "coordinate_form": bound.get("coordinate_form")
        or CoordinateForm(
            lead_units=_lead_units(letter),
            initial={"version": letter.version, "lead_unit": lead_default},
        ),
        "attachment_form": bound.get("attachment_form") or AttachmentForm(),
        "matter_url": reverse("matters:matter_detail", args=[letter.matter_id])
        if letter.matter_id
        else "",
    }
    return render(request, "liaison/letter_detail.html", context, status=status)


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _visible(request, pk))


def _done(request: HttpRequest, letter: LiaisonLetter, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("liaison:letter_detail", letter.pk)


@login_required
@require_POST
def letter_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    letter = _visible(request, pk)
    if transition not in wf.SIMPLE_TRANSITIONS:
        raise Http404
    if not can(user, transition, letter):
        raise PermissionDenied(transition)
    form = TransitionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"] or ""
        version = form.cleaned_data.get("version")
        try:
            if transition == "send":
                actions.send_letter(user, letter, expected_version=version)
            elif transition == "agree":
                actions.agree(user, letter, comment, expected_version=version)
            elif transition == "no_consensus":
                actions.no_consensus(user, letter, comment, expected_version=version)
            else:
                actions.withdraw(user, letter, comment, expected_version=version)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            label = wf.LETTER_WORKFLOW.transition(transition).label
            return _done(request, letter, _("“%(action)s” was recorded.") % {"action": label})
    return _render_detail(request, _visible(request, pk), transition_form=form)


@login_required
@require_POST
def letter_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    letter = _visible(request, pk)
    if not can(user, "reply", letter):
        raise PermissionDenied("reply")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            actions.reply(user, letter, form.cleaned_data["body"], files=[upload] if upload else [])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, letter, _("The reply was sent."))
    return _render_detail(request, _visible(request, pk), reply_form=form)


@login_required
@require_POST
def letter_coordinate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    letter = _visible(request, pk)
    if not can(user, "coordinate", letter):
        raise PermissionDenied("coordinate")
    form = CoordinateForm(request.POST, lead_units=_lead_units(letter))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.coordinate(
                user,
                letter,
                data["outcome"],
                open_matter=data["open_matter"],
                lead_unit=data.get("lead_unit"),
                deadline=data.get("deadline"),
                matter_title=data.get("matter_title") or "",
                agenda_note=data.get("agenda_note") or "",
                expected_version=data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, letter, _("The coordination outcome was recorded."))
    return _render_detail(request, _visible(request, pk), coordinate_form=form)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    letter = _visible(request, pk)
    if not can(user, "attach", letter):
        raise PermissionDenied("attach")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(user, letter, form.cleaned_data["file"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, letter, _("The file was attached."))
    return _render_detail(request, _visible(request, pk), attachment_form=form)


@login_required
def attachment_download(request: HttpRequest, pk: int, att: int) -> FileResponse:
    _member(request)
    letter = _visible(request, pk)
    attachment = get_object_or_404(LetterAttachment, pk=att, letter=letter)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the key-issue list -----------------------------------------------------------------------
@login_required
def key_issues(request: HttpRequest) -> HttpResponse:
    """重点问题事项清单: key-issue matters the user may see, grouped by task area (read-only;
    each links to the matter's page)."""
    user = _member(request)
    today = timezone.localdate()
    page = Paginator(queries.key_issues(user, today), 100).get_page(request.GET.get("page"))
    rows = list(page)
    for m in rows:
        colour = Colour(m.colour)  # type: ignore[attr-defined]
        m.colour_label = colour.label  # type: ignore[attr-defined]
        m.colour_tone = COLOUR_TONES[colour]  # type: ignore[attr-defined]
        state = MATTER_WORKFLOW.state(m.state)
        m.state_label = state.label  # type: ignore[attr-defined]
        m.state_tone = state.tone  # type: ignore[attr-defined]
        m.url = reverse("matters:matter_detail", args=[m.pk])  # type: ignore[attr-defined]
    groups = [
        {"area": area, "matters": list(items)}
        for area, items in groupby(rows, key=lambda m: m.task_area)
    ]
    return render(
        request,
        "liaison/key_issues.html",
        {"page": page, "groups": groups, "query": query_without_page(request), "today": today},
    )
