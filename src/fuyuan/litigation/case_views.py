"""Pages of administrative cases, hearing notices (开庭预告) and heads appearing in court
(出庭应诉): the case ledger, entering and correcting a case, a case's page with its hearings,
appearance records and the steps each side may take, the hearing notices, hearing and record
forms. Reads go through `visible_to(user)` (not visible → 404); writes through
litigation.actions (not permitted → 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, scope_for
from fuyuan.core.view_helpers import REFUSALS, apply_refusal, query_without_page
from fuyuan.matters import sources
from fuyuan.org.models import Unit

from . import actions, queries
from . import workflow as wf
from .forms import (
    AppearanceForm,
    CaseForm,
    CorrectionForm,
    HearingEditForm,
    HearingForm,
    TransitionForm,
)
from .models import (
    AdminCase,
    Appearance,
    CaseStage,
    CoDefendant,
    Dispute,
    Hearing,
    HearingState,
    Recommendation,
)

PER_PAGE = 30
STAGE_TONES: dict[str, str] = {
    CaseStage.FILED: "secondary",
    CaseStage.HEARING: "primary",
    CaseStage.CONCLUDED: "success",
}
HEARING_TONES: dict[str, str] = {
    HearingState.SCHEDULED: "primary",
    HearingState.HELD: "success",
    HearingState.CANCELLED: "secondary",
}


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("litigation")
    return user


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _decorate_case(case: AdminCase) -> None:
    case.stage_tone = STAGE_TONES.get(case.stage, "secondary")  # type: ignore[attr-defined]
    case.elsewhere = case.heard_elsewhere  # type: ignore[attr-defined]


def _case_rows(user: Any) -> QuerySet[AdminCase]:
    return queries.list_rows(user).select_related("court__jurisdiction")


# --- the case ledger --------------------------------------------------------------------------
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    filterset = queries.CaseFilterSet(request.GET, _case_rows(user), request=request)
    page = _page(request, filterset.qs)
    start = page.start_index()
    for offset, case in enumerate(page.object_list):
        case.row_no = start + offset  # type: ignore[attr-defined]
        _decorate_case(case)
    return render(
        request,
        "litigation/case_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query_without_page(request),
            "can_create": actions.may_enter_cases(user),
        },
    )


# --- entering and correcting a case -----------------------------------------------------------
def _case_values(form: CaseForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "number": data["number"],
        "court": data["court"],
        "defendant": data["defendant"],
        "co_defendants": list(data.get("co_defendants") or []),
        "plaintiffs": data["plaintiffs"],
        "cause": data["cause"],
        "enterprise_related": data["enterprise_related"],
        "filed_on": data["filed_on"],
        "stage": data["stage"],
        "concluded_on": data.get("concluded_on"),
        "outcome": data.get("outcome") or "",
        "outcome_note": data.get("outcome_note") or "",
    }


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if not actions.may_enter_cases(user):
        raise PermissionDenied("litigation.case.create")
    courts = actions.court_choices(user)
    acting = list(actions.acting_courts(user).values_list("pk", flat=True)[:2])
    initial: dict[str, Any] = {"stage": CaseStage.FILED}
    if len(acting) == 1:
        initial["court"] = acting[0]
    data = request.POST if request.method == "POST" else None
    form = CaseForm(
        data, courts=courts, defendants=actions.defendant_choices(user), initial=initial
    )
    if data is not None and form.is_valid():
        try:
            case = actions.create_case(user, **_case_values(form))
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case %(number)s was registered.") % {"number": case})
            return redirect("litigation:case_detail", case.pk)
    return render(request, "litigation/case_form.html", {"form": form, "case": None})


def _visible_case(request: HttpRequest, pk: int) -> AdminCase:
    return get_object_or_404(
        queries.visible_cases(request.user)
        .select_related("court__jurisdiction", "defendant__jurisdiction")
        .prefetch_related(
            Prefetch(
                "co_defendants",
                queryset=CoDefendant.objects.select_related("unit__jurisdiction").order_by(
                    "unit__order_no", "pk"
                ),
            )
        ),
        pk=pk,
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "edit", case):
        raise PermissionDenied("edit")
    co_ids = [cd.unit_id for cd in case.co_defendants.all()]
    courts = Unit.objects.filter(
        Q(pk__in=actions.court_choices(user).values("pk")) | Q(pk=case.court_id)
    ).select_related("jurisdiction")
    defendants = Unit.objects.filter(
        Q(pk__in=actions.defendant_choices(user).values("pk"))
        | Q(pk=case.defendant_id)
        | Q(pk__in=co_ids)
    ).select_related("jurisdiction")
    data = request.POST if request.method == "POST" else None
    form = CaseForm(
        data,
        courts=courts.order_by("jurisdiction__path", "order_no", "pk"),
        defendants=defendants.order_by("jurisdiction__path", "order_no", "pk"),
        initial={
            "number": case.number,
            "court": case.court_id,
            "defendant": case.defendant_id,
            "co_defendants": co_ids,
            "plaintiffs": case.plaintiffs,
            "cause": case.cause,
            "enterprise_related": case.enterprise_related,
            "filed_on": case.filed_on,
            "stage": case.stage,
            "concluded_on": case.concluded_on,
            "outcome": case.outcome,
            "outcome_note": case.outcome_note,
            "version": case.version,
        },
    )
    if data is not None and form.is_valid():
        try:
            actions.update_case(
                user, case, expected_version=form.cleaned_data.get("version"), **_case_values(form)
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The case was saved."))
            return redirect("litigation:case_detail", case.pk)
    return render(request, "litigation/case_form.html", {"form": form, "case": case})


# --- a case's page ----------------------------------------------------------------------------
def _prefix(appearance_pk: int) -> str:
    """Each record's step form has its own field names (several records on one page)."""
    return f"appearance-{appearance_pk}"


def _hearings_of(case: AdminCase, user: Any, bound: dict[str, Any]) -> list[Hearing]:
    scope = scope_for(user)
    now = timezone.now()
    is_court = wf.COURT in case.relations(scope)
    rows = list(
        Hearing.objects.filter(case=case)
        .select_related("appearance__recorded_by", "appearance__unit")
        .order_by("starts_at", "pk")
    )
    for hearing in rows:
        hearing.case = case
        hearing.state_tone = HEARING_TONES.get(hearing.state, "secondary")  # type: ignore[attr-defined]
        item: Appearance | None = getattr(hearing, "appearance", None)
        hearing.record = item  # type: ignore[attr-defined]
        hearing.can_record = (  # type: ignore[attr-defined]
            is_court
            and item is None
            and hearing.state != HearingState.CANCELLED
            and (hearing.state == HearingState.HELD or hearing.starts_at <= now)
        )
        if item is None:
            continue
        item.case = case
        item.state_obj = wf.APPEARANCE_WORKFLOW.state(item.state)  # type: ignore[attr-defined]
        relations = item.relations(scope)
        # "correct" changes the record's content: it has its own form (appearance_record).
        item.buttons = [  # type: ignore[attr-defined]
            t
            for t in wf.APPEARANCE_WORKFLOW.available(item.state, relations)
            if t.name != "correct"
        ]
        item.can_correct = item.permits(scope, "edit")  # type: ignore[attr-defined]
        item.confirm_by = actions.confirm_by(item)  # type: ignore[attr-defined]
        if bound.get("appearance") == item.pk:
            item.form = bound["form"]  # type: ignore[attr-defined]
        else:
            item.form = TransitionForm(  # type: ignore[attr-defined]
                initial={"version": item.version}, prefix=_prefix(item.pk)
            )
    return rows


def _with_state(rows: Any, workflow: Any) -> list[Any]:
    found = list(rows)
    for row in found:
        row.state_obj = workflow.state(row.state)
    return found


def _render_detail(
    request: HttpRequest, case: AdminCase, status: int = 200, **bound: Any
) -> HttpResponse:
    user: Any = request.user
    scope = scope_for(user)
    _decorate_case(case)
    is_office = scope.oversees(case.jurisdiction.path, Role.OFFICE)
    agenda_url = ""
    if is_office:
        agenda_url = (
            reverse("meetings:agenda_pick")
            + "?"
            + urlencode(
                {"kind": actions.CASE_KIND, "ref": case.pk, "title": f"{case.number} {case.cause}"}
            )
        )
    context = {
        "case": case,
        "co_defendants": list(case.co_defendants.all()),
        "plaintiffs": [p for p in case.plaintiffs.splitlines() if p.strip()],
        "hearings": _hearings_of(case, user, bound),
        "can_edit": can(user, "edit", case),
        "can_hearing": can(user, "hearing", case),
        "can_refer": can(user, "refer_dispute", case),
        "recommendations": _with_state(
            Recommendation.objects.visible_to(user)
            .filter(cases=case)
            .select_related("issuer", "recipient")
            .order_by("-delivered_on", "-pk"),
            wf.RECOMMENDATION_WORKFLOW,
        ),
        "disputes": _with_state(
            Dispute.objects.visible_to(user)
            .filter(case=case)
            .select_related("unit")
            .order_by("-referred_on", "-pk"),
            wf.DISPUTE_WORKFLOW,
        ),
        "backlinks": sources.backlinks(actions.CASE_KIND, case.pk, user),
        "agenda_url": agenda_url,
        "dispute_url": reverse("litigation:dispute_create") + f"?case={case.pk}",
    }
    return render(request, "litigation/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _member(request)
    return _render_detail(request, _visible_case(request, pk))


# --- hearings ---------------------------------------------------------------------------------
@login_required
def hearing_list(request: HttpRequest) -> HttpResponse:
    """开庭预告: hearings of the user's cases, today and the next 30 days unless filtered."""
    user = _member(request)
    filterset = queries.HearingFilterSet(
        request.GET, queries.visible_hearings(user), request=request
    )
    page = _page(request, filterset.qs)
    for hearing in page.object_list:
        hearing.state_tone = HEARING_TONES.get(hearing.state, "secondary")  # type: ignore[attr-defined]
        hearing.record = getattr(hearing, "appearance", None)  # type: ignore[attr-defined]
    start, end = filterset.period()
    return render(
        request,
        "litigation/hearing_list.html",
        {
            "form": filterset.form,
            "page": page,
            "query": query_without_page(request),
            "period_start": start,
            "period_end": end,
        },
    )


@login_required
def hearing_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = _visible_case(request, pk)
    if not can(user, "hearing", case):
        raise PermissionDenied("hearing")
    data = request.POST if request.method == "POST" else None
    form = HearingForm(data)
    if data is not None and form.is_valid():
        try:
            actions.add_hearing(
                user, case, form.cleaned_data["starts_at"], form.cleaned_data["place"]
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The hearing was announced."))
            return redirect("litigation:case_detail", case.pk)
    return render(
        request, "litigation/hearing_form.html", {"form": form, "case": case, "hearing": None}
    )


def _visible_hearing(request: HttpRequest, pk: int) -> Hearing:
    return get_object_or_404(
        Hearing.objects.filter(
            case__in=AdminCase.objects.visible_to(request.user).values("pk")
        ).select_related("case__court", "case__defendant", "case__jurisdiction"),
        pk=pk,
    )


@login_required
def hearing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    hearing = _visible_hearing(request, pk)
    case = hearing.case
    if not can(user, "hearing", case):
        raise PermissionDenied("hearing")
    data = request.POST if request.method == "POST" else None
    form = HearingEditForm(
        data,
        initial={
            "starts_at": timezone.localtime(hearing.starts_at),
            "place": hearing.place,
            "state": hearing.state,
            "version": hearing.version,
        },
    )
    if data is not None and form.is_valid():
        try:
            actions.update_hearing(
                user,
                hearing,
                state=form.cleaned_data["state"],
                starts_at=form.cleaned_data["starts_at"],
                place=form.cleaned_data["place"],
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The hearing was saved."))
            return redirect("litigation:case_detail", case.pk)
    return render(
        request, "litigation/hearing_form.html", {"form": form, "case": case, "hearing": hearing}
    )


# --- head appearance records ------------------------------------------------------------------
def _record_values(form: AppearanceForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "rank": data["rank"],
        "head_name": data.get("head_name") or "",
        "head_post": data.get("head_post") or "",
        "spoke": bool(data.get("spoke")),
        "absence_reason": data.get("absence_reason") or "",
    }


@login_required
def appearance_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The court records the head's appearance at a hearing, or corrects its record while the
    body has not confirmed it."""
    user = _member(request)
    hearing = _visible_hearing(request, pk)
    case = hearing.case
    existing: Appearance | None = Appearance.objects.filter(hearing=hearing).first()
    data = request.POST if request.method == "POST" else None
    form: AppearanceForm
    if existing is None:
        if wf.COURT not in case.relations(scope_for(user)):
            raise PermissionDenied("litigation.appearance.record")
        form = AppearanceForm(data)
    else:
        existing.case = case
        if not can(user, "edit", existing):
            raise PermissionDenied("edit")
        form = CorrectionForm(
            data,
            initial={
                "rank": existing.rank,
                "head_name": existing.head_name,
                "head_post": existing.head_post,
                "spoke": existing.spoke,
                "absence_reason": existing.absence_reason,
                "version": existing.version,
            },
        )
    if data is not None and form.is_valid():
        try:
            if existing is None:
                actions.record_appearance(user, hearing, **_record_values(form))
            else:
                actions.correct_appearance(
                    user,
                    existing,
                    comment=form.cleaned_data.get("comment") or "",
                    expected_version=form.cleaned_data.get("version"),
                    **_record_values(form),
                )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            messages.success(request, _("The head appearance record was saved."))
            return redirect("litigation:case_detail", case.pk)
    return render(
        request,
        "litigation/appearance_form.html",
        {
            "form": form,
            "case": case,
            "hearing": hearing,
            "existing": existing,
            "existing_state": wf.APPEARANCE_WORKFLOW.state(existing.state) if existing else None,
        },
    )


@login_required
@require_POST
def appearance_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    user = _member(request)
    appearance = get_object_or_404(
        Appearance.objects.filter(
            case__in=AdminCase.objects.visible_to(user).values("pk")
        ).select_related("case"),
        pk=pk,
    )
    if transition not in {t.name for t in wf.APPEARANCE_WORKFLOW.transitions}:
        raise Http404
    if not can(user, transition, appearance):
        raise PermissionDenied(transition)
    form = TransitionForm(request.POST, prefix=_prefix(appearance.pk))
    if form.is_valid():
        try:
            actions.appearance_transition(
                user,
                appearance,
                transition,
                form.cleaned_data["comment"] or "",
                expected_version=form.cleaned_data.get("version"),
            )
        except REFUSALS as exc:
            apply_refusal(form, exc)
        else:
            label = wf.APPEARANCE_WORKFLOW.transition(transition).label
            messages.success(request, _("“%(action)s” was recorded.") % {"action": label})
            return redirect("litigation:case_detail", appearance.case_id)
    case = _visible_case(request, appearance.case_id)
    return _render_detail(request, case, appearance=appearance.pk, form=form)
