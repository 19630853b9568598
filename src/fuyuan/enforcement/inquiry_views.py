"""Pages of point-to-point inquiries (点对点查控): the list, a court's new inquiry, an
inquiry's page (answer, withdraw, the identifier shown in clear on request — audited), the
answer's files, and the turnaround figures per department. Reads go through
`visible_to(user)` (not visible → 404); writes through enforcement.inquiry_actions (not
permitted → 403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page

from . import inquiry_actions as actions
from .inquiry_forms import AnswerForm, InquiryFilterSet, InquiryForm, WithdrawForm
from .models import Inquiry, InquiryAttachment, InquiryState

PER_PAGE = 30
STATE_TONES: dict[str, str] = {
    InquiryState.SENT: "primary",
    InquiryState.ANSWERED: "success",
    InquiryState.WITHDRAWN: "secondary",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("enforcement")
    return user


def _rows(user: Any) -> QuerySet[Inquiry]:
    return Inquiry.objects.visible_to(user).select_related("court", "department")


def _decorate(inquiry: Inquiry, today: Any) -> None:
    inquiry.state_tone = STATE_TONES.get(inquiry.state, "secondary")  # type: ignore[attr-defined]
    inquiry.overdue = inquiry.state == InquiryState.SENT and inquiry.due_on < today  # type: ignore[attr-defined]
    inquiry.masked_id = actions.mask(inquiry.party_id_number, inquiry.party_id_type)  # type: ignore[attr-defined]


@login_required
def inquiry_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = InquiryFilterSet(request.GET, _rows(user), request=request)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    start = page.start_index()
    for offset, inquiry in enumerate(page.object_list):
        inquiry.row_no = start + offset  # type: ignore[attr-defined]
        _decorate(inquiry, today)
    return render(
        request,
        "enforcement/inquiry_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query_without_page(request),
            "can_send": actions.may_send(user),
        },
    )


@login_required
def inquiry_new(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_send(user):
        raise PermissionDenied("enforcement.inquiry.send")
    courts = actions.acting_courts(user)
    initial: dict[str, Any] = {}
    own = list(courts.values_list("pk", flat=True)[:2])
    if len(own) == 1:
        initial["court"] = own[0]
    data = request.POST if request.method == "POST" else None
    form = InquiryForm(
        data, courts=courts, departments=actions.department_choices(user), initial=initial
    )
    if data is not None and form.is_valid():
        try:
            inquiry = actions.send_inquiry(user, **form.cleaned_data)
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The inquiry was sent."))
            return redirect("enforcement:inquiry_detail", inquiry.pk)
    return render(request, "enforcement/inquiry_form.html", {"form": form})


def _visible(request: HttpRequest, pk: int) -> Inquiry:
    return get_object_or_404(_rows(request.user).select_related("asked_by", "answered_by"), pk=pk)


def _render_detail(
    request: HttpRequest,
    inquiry: Inquiry,
    *,
    answer_form: AnswerForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    clear_id: str = "",
) -> HttpResponse:
    user: Any = request.user
    _decorate(inquiry, timezone.localdate())
    return render(
        request,
        "enforcement/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "attachments": list(inquiry.attachments.order_by("pk")),
            "clear_id": clear_id,
            "can_reveal": actions.may_reveal(user, inquiry),
            "can_answer": actions.may_answer(user, inquiry),
            "can_withdraw": actions.may_withdraw(user, inquiry),
            "answer_form": answer_form or AnswerForm(initial={"version": inquiry.version}),
            "withdraw_form": withdraw_form or WithdrawForm(initial={"version": inquiry.version}),
        },
    )


@login_required
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _visible(request, pk))


@login_required
@require_POST
def inquiry_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The page again with the identifier in clear, for the asking court or the department
    asked; the read is audited."""
    user = _member(request)
    inquiry = _visible(request, pk)
    if not actions.may_reveal(user, inquiry):
        raise PermissionDenied("enforcement.inquiry.reveal")
    return _render_detail(request, inquiry, clear_id=actions.reveal(user, inquiry))


@login_required
@require_POST
def inquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    inquiry = _visible(request, pk)
    if not actions.is_department(user, inquiry):
        raise PermissionDenied("enforcement.inquiry.answer")
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.answer_inquiry(
                user,
                inquiry,
                result=form.cleaned_data["result"],
                files=form.cleaned_data.get("answer_files") or [],
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The answer was sent to the court."))
            return redirect("enforcement:inquiry_detail", inquiry.pk)
    return _render_detail(request, _visible(request, pk), answer_form=form)


@login_required
@require_POST
def inquiry_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    inquiry = _visible(request, pk)
    if not actions.is_asking_court(user, inquiry):
        raise PermissionDenied("enforcement.inquiry.withdraw")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw(
                user,
                inquiry,
                form.cleaned_data.get("note") or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The inquiry was withdrawn."))
            return redirect("enforcement:inquiry_detail", inquiry.pk)
    return _render_detail(request, _visible(request, pk), withdraw_form=form)


@login_required
def inquiry_file(request: HttpRequest, pk: int, att: int) -> FileResponse:
    _member(request)
    inquiry = _visible(request, pk)
    attachment = get_object_or_404(InquiryAttachment, pk=att, inquiry=inquiry)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def inquiry_figures(request: HttpRequest) -> HttpResponse:
    """Turnaround per department over the inquiries the user may see."""
    user = _member(request)
    figures = actions.inquiry_figures(Inquiry.objects.visible_to(user))
    return render(request, "enforcement/inquiry_figures.html", {"figures": figures})
