"""The annual report to the joint meeting: a page to pick the joint meeting and the year, and
the .docx built from that year's figures. Office staff and leaders of the mechanism's own
jurisdiction only (others 403; a joint meeting not theirs 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import annual_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportForm(forms.Form):
    mechanism: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Joint meeting"), queryset=None
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())

    def __init__(self, *args: Any, mechanisms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["mechanism"].queryset = mechanisms  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, str(y)) for y in annual_report.years(today)]  # type: ignore[attr-defined]
        first = mechanisms.first()
        self.fields["mechanism"].initial = first.pk if first else None
        self.fields["year"].initial = today.year - 1 if today.month < 7 else today.year


def _reader(request: HttpRequest) -> Any:
    user: Any = request.user
    if not annual_report.may_read(user):
        raise PermissionDenied("dashboard.annual_report")
    return user


@login_required
def annual_report_page(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    mechanisms = annual_report.report_mechanisms(user)
    form = ReportForm(request.GET or None, mechanisms=mechanisms)
    download = ""
    if form.is_bound and form.is_valid():
        download = (
            reverse("dashboard:annual_report_docx")
            + "?"
            + urlencode(
                {"mechanism": form.cleaned_data["mechanism"].pk, "year": form.cleaned_data["year"]}
            )
        )
    return render(request, "dashboard/annual_report.html", {"form": form, "download": download})


@login_required
def annual_report_docx(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = ReportForm(request.GET, mechanisms=annual_report.report_mechanisms(user))
    if not form.is_valid():
        # A joint meeting the reader is not office or leader of, or a malformed request.
        raise Http404
    mechanism, year = form.cleaned_data["mechanism"], form.cleaned_data["year"]
    content = annual_report.render_report(user, mechanism, year)
    response = HttpResponse(content, content_type=DOCX)
    name = quote(annual_report.filename(mechanism, year))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
