"""The working-day calendar page (office staff only): each year's holidays and 调休 working
days, the years known, and forms to change them. Every change goes through
`calendar_actions`, which recomputes the deadlines it moves; the page says what moved."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay, CalendarDayKind, CalendarYear, StaleObjectError
from fuyuan.org.forms import apply_errors

from . import calendar_actions
from .calendar_forms import CalendarDayForm, CalendarYearForm, HowYear


def _office(request: HttpRequest) -> Any:
    user: Any = request.user
    if not calendar_actions.may_edit_calendar(user):
        raise PermissionDenied("calendar")
    return user


def _year_param(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _calendar_url(year: int) -> str:
    return f"{reverse('matters:calendar')}?year={year}"


def _report(request: HttpRequest, result: calendar_actions.CalendarChange, done: str) -> None:
    """Say what the change did to deadlines: moved, kept (extensions), not computable."""
    moved = len(result.changed)
    messages.success(
        request,
        done
        + " "
        + (
            ngettext(
                "%(n)d deadline was recomputed; its handler and lead unit were notified.",
                "%(n)d deadlines were recomputed; their handlers and lead units were notified.",
                moved,
            )
            % {"n": moved}
            if moved
            else _("No deadline moved.")
        ),
    )
    if result.extended:
        messages.info(
            request,
            ngettext(
                "%(n)d matter with an extension granted kept its extended deadline.",
                "%(n)d matters with an extension granted kept their extended deadlines.",
                len(result.extended),
            )
            % {"n": len(result.extended)},
        )
    for matter, exc in result.missing:
        messages.warning(
            request,
            _("The deadline of “%(title)s” was not recomputed: %(message)s")
            % {"title": matter.title, "message": exc.message},
        )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    _office(request)
    today = timezone.localdate()
    year = _year_param(request, today.year)
    years = list(CalendarYear.objects.order_by("year"))
    known = {y.year for y in years}
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    next_year = today.year + 1
    working_days = None
    if year in known:
        # Counting starts the day after the first date, so only this year's days are read.
        working_days = calendar.working_days_between(
            datetime.date(year - 1, 12, 31), datetime.date(year, 12, 31)
        )
    shown_years = sorted(known | {today.year, next_year, year})
    return render(
        request,
        "matters/calendar.html",
        {
            "year": year,
            "years": years,
            "year_entry": next((y for y in years if y.year == year), None),
            "shown_years": shown_years,
            "days": days,
            "holiday_count": sum(1 for d in days if d.kind == CalendarDayKind.HOLIDAY),
            "workday_count": sum(1 for d in days if d.kind == CalendarDayKind.WORKDAY),
            "working_days": working_days,
            "next_year": next_year,
            "next_year_missing": next_year not in known,
            "package_has_next_year": (
                next_year not in known and calendar.package_year(next_year) is not None
            ),
            "year_form": CalendarYearForm(initial={"year": year if year not in known else None}),
        },
    )


def _day_form(
    request: HttpRequest, user: Any, day: CalendarDay | None, initial: dict[str, Any]
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = CalendarDayForm(data, initial=initial)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            if day is None:
                result = calendar_actions.add_day(
                    user, date=values["date"], kind=values["kind"], name=values["name"]
                )
                done = _("The day was added.")
            else:
                result = calendar_actions.update_day(
                    user,
                    day,
                    date=values["date"],
                    kind=values["kind"],
                    name=values["name"],
                    expected_version=values.get("version"),
                )
                done = _("The day was saved.")
        except StaleObjectError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _report(request, result, done)
            return redirect(_calendar_url(values["date"].year))
    year = day.date.year if day is not None else initial.get("year", timezone.localdate().year)
    return render(
        request, "matters/calendar_day_form.html", {"form": form, "day": day, "year": year}
    )


@login_required
def calendar_day_add(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    year = _year_param(request, timezone.localdate().year)
    initial: dict[str, Any] = {"year": year, "kind": CalendarDayKind.HOLIDAY}
    return _day_form(request, user, None, initial)


@login_required
def calendar_day_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    initial = {"date": day.date, "kind": day.kind, "name": day.name, "version": day.version}
    return _day_form(request, user, day, initial)


@login_required
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    day = get_object_or_404(CalendarDay, pk=pk)
    year = day.date.year
    try:
        version = int(request.POST.get("version", day.version))
    except ValueError:
        version = -1
    try:
        result = calendar_actions.delete_day(user, day, expected_version=version)
    except StaleObjectError as exc:
        messages.error(request, str(exc))
    else:
        _report(request, result, _("The day was removed."))
    return redirect(_calendar_url(year))


@login_required
def calendar_year_add(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    data = request.POST if request.method == "POST" else None
    year = _year_param(request, timezone.localdate().year + 1)
    form = CalendarYearForm(data, initial={"year": year})
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            if values["how"] == HowYear.PACKAGE:
                result = calendar_actions.load_year_from_package(user, year=values["year"])
                done = _("%(year)d was loaded from the calendar package.") % {
                    "year": values["year"]
                }
            else:
                result = calendar_actions.declare_year(
                    user, year=values["year"], note=values["note"]
                )
                done = _("%(year)d is marked complete.") % {"year": values["year"]}
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _report(request, result, done)
            return redirect(_calendar_url(values["year"]))
    entered = CalendarDay.objects.filter(date__year=year).count()
    return render(
        request,
        "matters/calendar_year_form.html",
        {"form": form, "year": year, "entered": entered},
    )
