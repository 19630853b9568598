"""Views of the annual administrative-case report (行政案件年度报告): choosing the mechanism and
year, writing the court's text (the mechanism's office or court staff, through
annual_report.save_report_text), and downloading the generated GB/T 9704 .docx (office,
leaders, court staff of the mechanism)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.models import StaleObjectError
from fuyuan.org.models import Mechanism

from . import annual_report as reports
from . import figures as fig
from .report_forms import ReportChoiceForm, ReportTextForm, default_report_year

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _reader(request: HttpRequest) -> Any:
    """Members who read some mechanism's report; others are refused."""
    user: Any = request.user
    if not scope_for(user).is_member or not reports.report_mechanisms(user).exists():
        raise PermissionDenied("litigation.report")
    return user


def _mechanism(user: Any, raw: str | None) -> Mechanism:
    """The mechanism asked for (not one the user reads → 404), else the user's first."""
    mechanisms = reports.report_mechanisms(user)
    if raw:
        if not raw.isdigit():
            raise Http404
        found = mechanisms.filter(pk=int(raw)).first()
        if found is None:
            raise Http404
        return found
    first = mechanisms.first()
    if first is None:  # pragma: no cover - _reader refused already
        raise Http404
    return first


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    mechanisms = reports.report_mechanisms(user)
    source = request.POST if request.method == "POST" else request.GET
    choice = ReportChoiceForm(
        {
            "mechanism": source.get("mechanism") or mechanisms.first().pk,  # type: ignore[union-attr]
            "year": source.get("year") or default_report_year(),
        },
        mechanisms=mechanisms,
    )
    if not choice.is_valid():
        if "mechanism" in choice.errors:
            raise Http404
        return render(
            request,
            "litigation/report.html",
            {"choice": choice, "form": None, "may_edit": False},
        )
    mechanism: Mechanism = choice.cleaned_data["mechanism"]
    year: int = choice.cleaned_data["year"]
    may_edit = reports.may_edit(user, mechanism)
    report = reports.report_of(mechanism, year)
    here = reverse("litigation:report") + "?" + urlencode({"mechanism": mechanism.pk, "year": year})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("litigation.report")
        form = ReportTextForm(request.POST)
        if form.is_valid():
            try:
                reports.save_report_text(
                    user,
                    mechanism=mechanism,
                    year=year,
                    problems=form.cleaned_data["problems"],
                    suggestions=form.cleaned_data["suggestions"],
                    expected_version=form.cleaned_data.get("version"),
                )
            except StaleObjectError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The court's text of the report was saved."))
                return redirect(here)
    else:
        form = ReportTextForm(
            initial={
                "problems": report.problems if report else "",
                "suggestions": report.suggestions if report else "",
                "version": report.version if report else 0,
            }
        )
    period = fig.Period.year(year)
    context = {
        "choice": choice,
        "form": form if may_edit else None,
        "may_edit": may_edit,
        "report": report,
        "mechanism": mechanism,
        "year": year,
        "total": fig.mechanism_figures(mechanism, period).total,
        "download_url": reverse("litigation:report_docx", args=[year])
        + "?"
        + urlencode({"mechanism": mechanism.pk}),
    }
    return render(request, "litigation/report.html", context)


@login_required
@require_GET
def report_docx(request: HttpRequest, year: int) -> HttpResponse:
    user = _reader(request)
    mechanism = _mechanism(user, request.GET.get("mechanism"))
    if not reports.may_read(user, mechanism):
        raise PermissionDenied("litigation.report")
    if not reports.MIN_YEAR <= year <= timezone.localdate().year:
        raise Http404
    content = reports.render_report(mechanism, year)
    name = reports.filename(mechanism, year)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"annual-report-{year}.docx\"; filename*=UTF-8''{quote(name)}"
    )
    return response
