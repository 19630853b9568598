"""What a dashboard page looks at: a jurisdiction (the user's own, or one below it when the
user drills down), optionally one lead unit, and a period. Read from the URL, so a link or a
bookmark keeps the filters, and checked against the user's oversight: a jurisdiction outside
it is a 404, never an empty page that looks like good news."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.litigation.figures import Period
from fuyuan.org.models import Jurisdiction, Mechanism, Unit

PERIOD_KINDS = ("year", "month", "week")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def may_view(user: Any) -> bool:
    """Offices and leaders read the dashboard: those who oversee a jurisdiction."""
    return bool(scope_for(user).oversight_paths)


def home_jurisdiction(user: Any) -> Jurisdiction | None:
    """The highest jurisdiction the user oversees (the city for the city's office, a county
    for a county's), or None."""
    paths = sorted(scope_for(user).oversight_paths, key=lambda p: (len(p), p))
    if not paths:
        return None
    return Jurisdiction.objects.filter(path=paths[0]).first()


@dataclass(frozen=True)
class Area:
    """A jurisdiction (and everything below it), perhaps narrowed to one lead unit, over a
    period; `today` fixes the colours and the "overdue" figures."""

    jurisdiction: Jurisdiction
    mechanism: Mechanism | None
    period: Period
    kind: str  # year | month | week
    today: datetime.date
    unit: Unit | None = None

    @property
    def path(self) -> str:
        return self.jurisdiction.path

    @property
    def year(self) -> int:
        return self.period.end.year

    @property
    def year_to_date(self) -> Period:
        """1 January of the period's year to the period's end (or today, if earlier): the
        span of the headline rates."""
        end = min(self.period.end, max(self.today, self.period.start))
        return Period(datetime.date(self.period.end.year, 1, 1), end)

    @property
    def label(self) -> str:
        if self.kind == "week":
            return _("Week of %(start)s – %(end)s") % {
                "start": self.period.start.strftime("%m-%d"),
                "end": self.period.end.strftime("%m-%d"),
            }
        if self.kind == "month":
            return _("%(year)s-%(month)02d") % {
                "year": self.period.start.year,
                "month": self.period.start.month,
            }
        return _("%(year)s (year)") % {"year": self.period.start.year}

    @property
    def period_value(self) -> str:
        if self.kind == "month":
            return f"{self.period.start.year}-{self.period.start.month:02d}"
        if self.kind == "week":
            return self.period.start.isoformat()
        return str(self.period.start.year)

    def params(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this area, with `changes` applied (None drops one)."""
        values: dict[str, Any] = {
            "j": self.jurisdiction.pk,
            "unit": self.unit.pk if self.unit else None,
            "period": self.kind,
            "on": self.period_value,
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def period_for(kind: str, on: str, today: datetime.date) -> Period:
    """The week (Monday to Sunday), month or year named by `on` ("2026", "2026-11" or a
    date), or the current one when `on` is empty or malformed."""
    if kind == "week":
        try:
            day = datetime.date.fromisoformat(on) if on else today
        except ValueError:
            day = today
        start = day - datetime.timedelta(days=day.weekday())
        return Period(start, start + datetime.timedelta(days=6))
    if kind == "month":
        match = _MONTH.match(on or "")
        year, month = (int(match[1]), int(match[2])) if match else (today.year, today.month)
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            year, month = today.year, today.month
        start = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return Period(start, following - datetime.timedelta(days=1))
    year = int(on) if on.isdigit() and 2000 <= int(on) <= 2100 else today.year
    return Period.year(year)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def area_from(
    user: Any,
    data: QueryDict | dict[str, str],
    *,
    default_kind: str = "year",
    today: datetime.date | None = None,
) -> Area:
    """The area named by the URL. A jurisdiction or unit outside the user's oversight is a
    404; no jurisdiction means the user's own."""
    day = today or timezone.localdate()
    scope = scope_for(user)
    paths = scope.oversight_paths
    if not paths:
        raise Http404
    j_id = _int(data.get("j"))
    if j_id is None:
        jurisdiction = home_jurisdiction(user)
    else:
        jurisdiction = Jurisdiction.objects.filter(pk=j_id).first()
    if jurisdiction is None or not any(jurisdiction.path.startswith(p) for p in paths):
        raise Http404
    unit = None
    unit_id = _int(data.get("unit"))
    if unit_id is not None:
        unit = (
            Unit.objects.filter(pk=unit_id, jurisdiction__path__startswith=jurisdiction.path)
            .select_related("jurisdiction")
            .first()
        )
        if unit is None:
            raise Http404
    kind = data.get("period") or default_kind
    if kind not in PERIOD_KINDS:
        kind = default_kind
    return Area(
        jurisdiction=jurisdiction,
        mechanism=Mechanism.objects.covering(jurisdiction),
        period=period_for(kind, data.get("on") or "", day),
        kind=kind,
        today=day,
        unit=unit,
    )
