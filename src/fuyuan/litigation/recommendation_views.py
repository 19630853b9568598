"""Pages of recommendations (司法建议, 检察建议, 行政复议意见书, 审查报告): the list with its
filters, registering and editing a draft, a recommendation's page (letter, items with their
adoption and matters, reply, files, the actions the graph allows, urging), the reply form, and
files. Reads go through `visible_to(user)` (not visible → 404); writes through
recommendation_actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import can, relations_to, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.matters.models import Matter
from fuyuan.matters.workflow import MATTER_WORKFLOW
from fuyuan.org.models import Unit

from . import recommendation_actions as actions
from . import workflow as wf
from .models import AdminCase, Recommendation, RecommendationAttachment, RecommendationFileKind
from .recommendation_forms import (
    AttachmentForm,
    DeliverForm,
    FilterForm,
    RecommendationForm,
    ReplyForm,
    TransitionForm,
    UrgeForm,
)

PER_PAGE = 30
# Transitions taken through the generic transition view (reply has its own form).
SIMPLE_TRANSITIONS = ("deliver", "return", "close", "withdraw")


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("litigation")
    return user


def _visible(request: HttpRequest, pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.visible_to(request.user).select_related(
            "mechanism__jurisdiction", "issuer", "recipient", "created_by"
        ),
        pk=pk,
    )


def _mark(rec: Recommendation, today: Any) -> Recommendation:
    state = wf.RECOMMENDATION_WORKFLOW.state(rec.state)
    rec.state_label = state.label  # type: ignore[attr-defined]
    rec.state_tone = state.tone  # type: ignore[attr-defined]
    rec.is_overdue = bool(  # type: ignore[attr-defined]
        rec.state == wf.DELIVERED and rec.reply_due and rec.reply_due < today
    )
    return rec


# --- the list ---------------------------------------------------------------------------------
@login_required
def recommendation_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    today = timezone.localdate()
    visible = Recommendation.objects.visible_to(user)
    units = Unit.objects.select_related("jurisdiction").order_by("jurisdiction__path", "order_no")
    form = FilterForm(
        request.GET or None,
        issuers=units.filter(pk__in=visible.values("issuer_id")),
        recipients=units.filter(pk__in=visible.values("recipient_id")),
    )
    rows = visible
    if form.is_valid():
        data = form.cleaned_data
        for name in ("kind", "scope", "state"):
            if data.get(name):
                rows = rows.filter(**{name: data[name]})
        if data.get("issuer"):
            rows = rows.filter(issuer=data["issuer"])
        if data.get("recipient"):
            rows = rows.filter(recipient=data["recipient"])
        if data.get("year"):
            year = data["year"]
            rows = rows.filter(
                Q(delivered_on__year=year) | Q(delivered_on__isnull=True, created_at__year=year)
            )
        if data.get("overdue"):
            rows = rows.filter(state=wf.DELIVERED, reply_due__lt=today)
    rows = (
        rows.select_related("issuer", "recipient")
        .annotate(item_count=Count("items"))
        .order_by(F("delivered_on").desc(nulls_first=True), "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for rec in page:
        _mark(rec, today)
    return render(
        request,
        "litigation/recommendation_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "form": form,
            "can_register": actions.may_register(user),
            "today": today,
        },
    )


# --- registering and editing ------------------------------------------------------------------
def _save(
    request: HttpRequest, form: RecommendationForm, rec: Recommendation | None
) -> Recommendation | None:
    user: Any = request.user
    data = form.cleaned_data
    fields = {
        "kind": data["kind"],
        "scope": data["scope"],
        "issuer": data["issuer"],
        "recipient": data["recipient"],
        "title": data["title"],
        "content": data["content"],
        "items": data["items"],
        "document_number": data.get("document_number") or "",
        "case_numbers": data.get("case_numbers") or "",
    }
    try:
        if rec is None:
            return actions.create_recommendation(user, **fields)
        return actions.update_recommendation(
            user, rec, **fields, expected_version=data.get("version") or rec.version
        )
    except REFUSALS as exc:
        apply_refusal(form, exc)
    return None


@login_required
def recommendation_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    issuers = actions.issuer_units(user)
    if not issuers.exists():
        raise PermissionDenied("litigation.recommendation.create")
    only = list(issuers.filter(pk__in=sorted(actions.own_issuer_ids(user)))[:2])
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        issuers=issuers,
        recipients=actions.recipient_units(user),
        initial={"issuer": only[0].pk} if len(only) == 1 else {},
    )
    if request.method == "POST" and form.is_valid():
        rec = _save(request, form, None)
        if rec is not None:
            messages.success(request, _("The recommendation was registered as a draft."))
            return redirect("litigation:recommendation_detail", rec.pk)
    return render(request, "litigation/recommendation_form.html", {"form": form, "rec": None})


@login_required
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    rec = _visible(request, pk)
    if not can(user, "edit", rec):
        raise PermissionDenied("edit")
    items = [i.text for i in rec.items.order_by("order", "pk")]
    numbers = [c.number for c in rec.cases.order_by("number")]
    if rec.case_numbers:
        numbers.extend(rec.case_numbers.splitlines())
    form = RecommendationForm(
        request.POST if request.method == "POST" else None,
        issuers=actions.issuer_units(user),
        recipients=actions.recipient_units(user),
        initial={
            "kind": rec.kind,
            "scope": rec.scope,
            "issuer": rec.issuer_id,
            "recipient": rec.recipient_id,
            "document_number": rec.document_number,
            "title": rec.title,
            "content": rec.content,
            "items": "\n".join(items),
            "case_numbers": "\n".join(numbers),
            "version": rec.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, rec)
        if saved is not None:
            messages.success(request, _("The draft was saved."))
            return redirect("litigation:recommendation_detail", rec.pk)
    return render(request, "litigation/recommendation_form.html", {"form": form, "rec": rec})


# --- a recommendation's page ------------------------------------------------------------------
def _items(user: Any, rec: Recommendation) -> list[Any]:
    items = list(rec.items.select_related("matter").order_by("order", "pk"))
    matter_ids = [i.matter_id for i in items if i.matter_id]
    visible = set(
        Matter.objects.visible_to(user).filter(pk__in=matter_ids).values_list("pk", flat=True)
    )
    for item in items:
        matter = item.matter
        item.matter_url = (  # type: ignore[attr-defined]
            reverse("matters:matter_detail", args=[matter.pk])
            if matter is not None and matter.pk in visible
            else ""
        )
        if matter is not None:
            state = MATTER_WORKFLOW.state(matter.state)
            item.matter_state = state.label  # type: ignore[attr-defined]
            item.matter_tone = state.tone  # type: ignore[attr-defined]
    return items


def _cases(user: Any, rec: Recommendation) -> list[Any]:
    cases = list(rec.cases.order_by("number"))
    visible = set(
        AdminCase.objects.visible_to(user)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    for case in cases:
        case.url = (  # type: ignore[attr-defined]
            reverse("litigation:case_detail", args=[case.pk]) if case.pk in visible else ""
        )
    return cases


def _render_detail(
    request: HttpRequest, rec: Recommendation, status: int = 200, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    _mark(rec, today)
    relations = relations_to(user, rec)
    available = {t.name: t for t in wf.RECOMMENDATION_WORKFLOW.available(rec.state, relations)}
    attachments = list(
        RecommendationAttachment.objects.filter(recommendation=rec)
        .select_related("uploaded_by")
        .order_by("pk")
    )
    scope = scope_for(user)
    can_attach = rec.permits(scope, "attach")
    transitions = [available[n] for n in SIMPLE_TRANSITIONS if n in available and n != "deliver"]
    context = {
        "rec": rec,
        "items": _items(user, rec),
        "cases": _cases(user, rec),
        "case_numbers": [n for n in rec.case_numbers.splitlines() if n.strip()],
        "letters": [a for a in attachments if a.kind == RecommendationFileKind.LETTER],
        "replies": [a for a in attachments if a.kind == RecommendationFileKind.REPLY],
        "others": [a for a in attachments if a.kind == RecommendationFileKind.OTHER],
        "transitions": transitions,
        "can_deliver": "deliver" in available,
        "can_reply": "reply" in available,
        "can_edit": rec.permits(scope, "edit"),
        "can_urge": rec.permits(scope, "urge"),
        "can_attach": can_attach,
        "reply_days": actions.reply_days(rec.mechanism),
        "transition_form": bound.get("transition_form")
        or TransitionForm(initial={"version": rec.version}),
        "deliver_form": bound.get("deliver_form")
        or DeliverForm(initial={"version": rec.version, "delivered_on": today}),
        "urge_form": bound.get("urge_form") or UrgeForm(),
        "attachment_form": bound.get("attachment_form")
        or (AttachmentForm(kinds=actions.attachment_kinds(user, rec)) if can_attach else None),
    }
    return render(request, "litigation/recommendation_detail.html", context, status=status)


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _visible(request, pk))


def _done(request: HttpRequest, rec: Recommendation, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("litigation:recommendation_detail", rec.pk)


@login_required
@require_POST
def recommendation_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    rec = _visible(request, pk)
    if transition not in SIMPLE_TRANSITIONS:
        raise Http404
    if not can(user, transition, rec):
        raise PermissionDenied(transition)
    if transition == "deliver":
        deliver_form = DeliverForm(request.POST)
        if deliver_form.is_valid():
            try:
                actions.deliver(
                    user,
                    rec,
                    deliver_form.cleaned_data["delivered_on"],
                    expected_version=deliver_form.cleaned_data.get("version"),
                )
            except REFUSALS as exc:
                apply_refusal(deliver_form, exc)
            else:
                return _done(request, rec, _("The delivery was recorded."))
        return _render_detail(request, _visible(request, pk), deliver_form=deliver_form)
    form = TransitionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"] or ""
        version = form.cleaned_data.get("version")
        try:
            if transition == "return":
                actions.return_reply(user, rec, comment, expected_version=version)
            elif transition == "close":
                actions.close(user, rec, comment, expected_version=version)
                pending = getattr(rec, "matters_for_office", [])
                if pending:
                    messages.info(
                        request,
                        _(
                            "The office of the joint meeting was told to accept and close "
                            "the %(n)d item matters."
                        )
                        % {"n": len(pending)},
                    )
            else:
                actions.withdraw(user, rec, comment, expected_version=version)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            label = wf.RECOMMENDATION_WORKFLOW.transition(transition).label
            return _done(request, rec, _("“%(action)s” was recorded.") % {"action": label})
    return _render_detail(request, _visible(request, pk), transition_form=form)


# --- the reply --------------------------------------------------------------------------------
@login_required
def recommendation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    rec = _visible(request, pk)
    if not can(user, "reply", rec):
        raise PermissionDenied("reply")
    items = list(rec.items.order_by("order", "pk"))
    today = timezone.localdate()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                actions.reply(
                    user,
                    rec,
                    reply_text=form.cleaned_data["reply_text"],
                    replied_on=form.cleaned_data["replied_on"],
                    adoptions=form.adoptions(),
                    files=[upload] if upload else [],
                    expected_version=form.cleaned_data.get("version"),
                )
            except REFUSALS as exc:
                apply_refusal(form, exc)
            else:
                if getattr(rec, "matters_left_alone", []):
                    messages.warning(
                        request,
                        _(
                            "Some rectification matters were not updated (not open for your "
                            "report, or you have an unsent draft report there): report on "
                            "them from the matter's page."
                        ),
                    )
                return _done(request, rec, _("The reply was sent."))
    else:
        form = ReplyForm(
            items=items,
            initial={
                "version": rec.version,
                "replied_on": rec.replied_on or today,
                "reply_text": rec.reply,
            },
        )
    return render(
        request,
        "litigation/recommendation_reply.html",
        {"rec": _mark(rec, today), "form": form},
    )


# --- urging -----------------------------------------------------------------------------------
@login_required
@require_POST
def recommendation_urge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    rec = _visible(request, pk)
    if not can(user, "urge", rec):
        raise PermissionDenied("urge")
    form = UrgeForm(request.POST)
    if form.is_valid():
        try:
            actions.urge(user, rec, form.cleaned_data.get("note") or "")
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, rec, _("The recipient was urged to reply."))
    return _render_detail(request, _visible(request, pk), urge_form=form)


# --- files ------------------------------------------------------------------------------------
@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    rec = _visible(request, pk)
    if not can(user, "attach", rec):
        raise PermissionDenied("attach")
    form = AttachmentForm(request.POST, request.FILES, kinds=actions.attachment_kinds(user, rec))
    if form.is_valid():
        try:
            actions.add_attachment(user, rec, form.cleaned_data["file"], form.cleaned_data["kind"])
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            return _done(request, rec, _("The file was attached."))
    return _render_detail(request, _visible(request, pk), attachment_form=form)


@login_required
def attachment_download(request: HttpRequest, pk: int, att: int) -> FileResponse:
    _member(request)
    rec = _visible(request, pk)
    attachment = get_object_or_404(RecommendationAttachment, pk=att, recommendation=rec)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
