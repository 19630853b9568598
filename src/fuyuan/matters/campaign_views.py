"""Pages of the special campaigns: the list, planning one, its page (matters with colours and
progress; adding matters from a filtered list; start and conclude), and the follow-up report
with its spreadsheet and document. Reads go through `visible_to(user)` (not visible → 404);
writes through matters.campaigns (visible but not permitted → 403)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fuyuan.accounts.permissions import can, scope_for
from fuyuan.core.models import StaleObjectError
from fuyuan.core.workflow import TransitionError
from fuyuan.org.models import Unit

from . import campaigns, exports
from . import workflow as wf
from .campaign_forms import (
    CampaignForm,
    ConcludeForm,
    MatterPickFilterForm,
    MatterPickForm,
    StartForm,
)
from .models import CAMPAIGN_WORKFLOW, Campaign, CampaignKind, Colour

PER_PAGE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COLOUR_TONES = {
    Colour.RED: "danger",
    Colour.YELLOW: "warning",
    Colour.BLUE: "info",
    Colour.GREEN: "success",
    Colour.NONE: "secondary",
}
REFUSALS = (TransitionError, StaleObjectError, ValidationError)


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if not scope_for(user).is_member:
        raise PermissionDenied("matters.campaigns")
    return user


def _campaign(request: HttpRequest, pk: int) -> tuple[Any, Campaign]:
    user = _member(request)
    campaign = get_object_or_404(
        campaigns.visible_campaigns(user).select_related("created_by", "mechanism__office_unit"),
        pk=pk,
    )
    return user, campaign


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _refusal_text(exc: Exception) -> str:
    if isinstance(exc, TransitionError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


def _decorate(rows: list[Any]) -> None:
    for m in rows:
        colour = Colour(m.colour)
        m.colour_label = colour.label
        m.colour_tone = COLOUR_TONES[colour]
        m.state_obj = wf.MATTER_WORKFLOW.state(m.state)


# --- list and planning ------------------------------------------------------------------------
@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    rows = campaigns.campaign_list_rows(user)
    state = request.GET.get("state", "")
    if state in dict(CAMPAIGN_WORKFLOW.choices()):
        rows = rows.filter(state=state)
    kind = request.GET.get("kind", "")
    if kind in CampaignKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for c in page.object_list:
        c.state_obj = CAMPAIGN_WORKFLOW.state(c.state)
    return render(
        request,
        "matters/campaign_list.html",
        {
            "page": page,
            "query": _query(request),
            "can_create": campaigns.office_mechanisms(user).exists(),
            "states": CAMPAIGN_WORKFLOW.choices(),
            "kinds": CampaignKind.choices,
            "state": state,
            "kind": kind,
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    mechanisms = campaigns.office_mechanisms(user)
    if not mechanisms.exists():
        raise PermissionDenied("create_campaign")
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    form = CampaignForm(data, mechanisms=mechanisms, initial={"start_date": today})
    if data is not None and form.is_valid():
        try:
            campaign = campaigns.create_campaign(user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The campaign was planned. Now add its matters."))
            return redirect("matters:campaign_detail", campaign.pk)
    return render(request, "matters/campaign_form.html", {"form": form})


# --- a campaign's page ------------------------------------------------------------------------
@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, campaign = _campaign(request, pk)
    today = timezone.localdate()
    rows = list(campaigns.campaign_matters(user, campaign, today))
    _decorate(rows)
    scope = scope_for(user)
    transitions = [
        t.name for t in CAMPAIGN_WORKFLOW.available(campaign.state, campaign.relations(scope))
    ]
    return render(
        request,
        "matters/campaign_detail.html",
        {
            "campaign": campaign,
            "state": CAMPAIGN_WORKFLOW.state(campaign.state),
            "rows": rows,
            "can_manage": campaign.permits(scope, "manage"),
            "can_report": campaign.permits(scope, "report"),
            "can_start": "start" in transitions,
            "can_conclude": "conclude" in transitions,
            "start_form": StartForm(),
            "conclude_form": ConcludeForm(),
        },
    )


@login_required
def campaign_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick matters from the campaign's candidates, searched by title and lead unit."""
    user, campaign = _campaign(request, pk)
    if not can(user, "manage", campaign):
        raise PermissionDenied("manage")
    candidates = campaigns.candidate_matters(user, campaign)
    if request.method == "POST":
        pick = MatterPickForm(request.POST, candidates=candidates)
        if pick.is_valid():
            try:
                added = campaigns.add_matters(user, campaign, list(pick.cleaned_data["matters"]))
            except REFUSALS as exc:
                messages.error(request, _refusal_text(exc))
            else:
                messages.success(
                    request,
                    _("%(n)s matters were added to the campaign.") % {"n": len(added)},
                )
                return redirect("matters:campaign_detail", campaign.pk)
        else:
            messages.error(request, _("Tick the matters to add."))
    jurisdiction = campaign.mechanism.jurisdiction
    units = (
        Unit.objects.filter(jurisdiction__path__startswith=jurisdiction.path)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )
    search = MatterPickFilterForm(request.GET or None, units=units)
    rows = candidates
    if search.is_valid():
        if search.cleaned_data.get("q"):
            rows = rows.filter(title__icontains=search.cleaned_data["q"])
        if search.cleaned_data.get("lead_unit"):
            rows = rows.filter(lead_unit=search.cleaned_data["lead_unit"])
    rows = rows.with_colour(timezone.localdate()).order_by(
        "jurisdiction__path", "lead_unit__order_no", "deadline", "pk"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    _decorate(list(page.object_list))
    return render(
        request,
        "matters/campaign_add.html",
        {"campaign": campaign, "search": search, "page": page, "query": _query(request)},
    )


@login_required
@require_POST
def campaign_remove(request: HttpRequest, pk: int, matter_pk: int) -> HttpResponse:
    user, campaign = _campaign(request, pk)
    if not can(user, "manage", campaign):
        raise PermissionDenied("manage")
    try:
        campaigns.remove_matter(user, campaign, matter_pk)
    except REFUSALS as exc:
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(request, _("The matter was taken out of the campaign."))
    return redirect("matters:campaign_detail", campaign.pk)


@login_required
@require_POST
def campaign_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user, campaign = _campaign(request, pk)
    if name not in {t.name for t in CAMPAIGN_WORKFLOW.transitions} or not can(user, name, campaign):
        raise PermissionDenied(name)
    try:
        if name == "start":
            start = StartForm(request.POST)
            start.is_valid()
            result = campaigns.start_campaign(
                user, campaign, apply_cadence=bool(start.cleaned_data.get("apply_cadence"))
            )
            messages.success(request, _("The campaign has started."))
            if result.cadence_set:
                messages.info(
                    request,
                    _("%(n)s matters now report on the campaign's cadence.")
                    % {"n": len(result.cadence_set)},
                )
            if result.cadence_skipped:
                messages.warning(
                    request,
                    _(
                        "%(n)s matters of a lower level kept their cadence: only their own "
                        "office may change it."
                    )
                    % {"n": len(result.cadence_skipped)},
                )
        else:
            conclude = ConcludeForm(request.POST)
            if not conclude.is_valid():
                messages.error(request, _("Write the conclusion of the campaign."))
                return redirect("matters:campaign_detail", campaign.pk)
            campaigns.conclude_campaign(user, campaign, conclude.cleaned_data["conclusion"])
            messages.success(request, _("The campaign was concluded."))
    except REFUSALS as exc:
        messages.error(request, _refusal_text(exc))
    return redirect("matters:campaign_detail", campaign.pk)


# --- the follow-up report ---------------------------------------------------------------------
def _report(request: HttpRequest, pk: int) -> tuple[Any, Campaign, list[Any], Any]:
    user, campaign = _campaign(request, pk)
    if not can(user, "report", campaign):
        raise PermissionDenied("report")
    today = timezone.localdate()
    rows = list(campaigns.campaign_matters(user, campaign, today))
    return user, campaign, rows, campaigns.report_totals(rows, today)


@login_required
@require_GET
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    _user, campaign, rows, totals = _report(request, pk)
    _decorate(rows)
    return render(
        request,
        "matters/campaign_report.html",
        {
            "campaign": campaign,
            "state": CAMPAIGN_WORKFLOW.state(campaign.state),
            "rows": rows,
            "totals": totals,
            "today": timezone.localdate(),
        },
    )


def _filename(campaign: Campaign, suffix: str) -> str:
    return f"{campaigns.report_title(campaign)}-{timezone.localdate().isoformat()}.{suffix}"


@login_required
@require_GET
def campaign_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _user, campaign, rows, totals = _report(request, pk)
    content = campaigns.report_workbook(campaign, rows, totals)
    return exports.xlsx_response(content, _filename(campaign, "xlsx"))


@login_required
@require_GET
def campaign_report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    _user, campaign, rows, totals = _report(request, pk)
    content = campaigns.report_document(campaign, rows, totals, timezone.localdate())
    response = HttpResponse(content, content_type=DOCX)
    name = _filename(campaign, "docx")
    ascii_name = exports.ascii_filename(name, "report.docx")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
