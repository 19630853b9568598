"""Toy feeds and a tiny URLconf for the importer's tests (core.importing, core.import_views).

`DayFeed` stores calendar days (core.CalendarDay: date + kind + name) upserting by date;
`CountingFeed` keeps rows in a dict and counts its `store` calls. The tests register fresh
instances per test; the URLconf mounts the view helpers the way an app does, next to the
project's own URLs (base.html links to them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fuyuan.core import import_views, importing
from fuyuan.core.models import CalendarDay
from fuyuan.urls import urlpatterns as project_urlpatterns

KINDS = {"放假": "holiday", "休息": "holiday", "上班": "workday", "调休上班": "workday"}


def _is_office(user: Any) -> bool:
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    return Role.OFFICE in scope_for(user).roles


class DayFeed(importing.Feed):
    name = "test.days"
    label = "Calendar days"
    columns = (
        importing.Column(
            "date", "Date", headers=("日期", "day"), required=True, parse=importing.parse_date
        ),
        importing.Column(
            "kind",
            "Kind",
            headers=("类型", "type"),
            required=True,
            parse=importing.choice({**KINDS, "holiday": "holiday", "workday": "workday"}),
        ),
        importing.Column("name", "Name", headers=("名称", "节日"), max_length=10),
    )

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.fail_on_call: int | None = None
        self.prepared = 0

    def prepare(self, context: importing.Context) -> None:
        self.prepared += 1

    def clean_row(self, row: importing.Row, context: importing.Context) -> None:
        day = row.values["date"]
        if day.year < 2000:
            row.error("test.too_old", "before 2000", column="date")
        elif row.values["kind"] == "workday" and day.weekday() < 5:
            row.warn("test.workday_on_weekday", "a moved working day on a weekday", "date")

    def row_key(self, values: dict[str, Any]) -> str:
        return str(values["date"].isoformat())

    def store(self, rows: list[importing.Row], context: importing.Context) -> importing.StoreResult:
        self.calls.append(len(rows))
        existing = {
            d.date: d for d in CalendarDay.objects.filter(date__in=[r.values["date"] for r in rows])
        }
        now = timezone.now()
        new, changed, unchanged = [], [], 0
        for row in rows:
            values = {"kind": row.values["kind"], "name": row.values["name"] or ""}
            day = existing.get(row.values["date"])
            if day is None:
                new.append(
                    CalendarDay(
                        date=row.values["date"],
                        created_at=now,
                        updated_at=now,
                        source="import",
                        **values,
                    )
                )
            elif (day.kind, day.name) != (values["kind"], values["name"]):
                day.kind, day.name, day.updated_at = values["kind"], values["name"], now
                changed.append(day)
            else:
                unchanged += 1
        CalendarDay.objects.bulk_create(new)
        CalendarDay.objects.bulk_update(changed, ["kind", "name", "updated_at"])
        if self.fail_on_call is not None and len(self.calls) >= self.fail_on_call:
            raise RuntimeError("the store broke")
        return importing.StoreResult(created=len(new), updated=len(changed), unchanged=unchanged)

    def may_import(self, user: Any) -> bool:
        return _is_office(user)


class CountingFeed(importing.Feed):
    name = "test.counting"
    label = "Counted rows"
    columns = (
        importing.Column("key", "Key", headers=("编号",), required=True),
        importing.Column("value", "Value", headers=("数值",), parse=importing.parse_int),
    )

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.rows: dict[str, Any] = {}

    def row_key(self, values: dict[str, Any]) -> str:
        return str(values["key"])

    def store(self, rows: list[importing.Row], context: importing.Context) -> importing.StoreResult:
        self.calls.append(len(rows))
        created = sum(1 for r in rows if r.key not in self.rows)
        for row in rows:
            self.rows[row.key] = row.values["value"]
        return importing.StoreResult(created=created, updated=len(rows) - created)

    def may_import(self, user: Any) -> bool:
        return _is_office(user)


FEEDS = ("test.days", "test.counting")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return import_views.handle_upload(
            request, FEEDS, options={"source": "test"}, preview_url_name="import_test_preview"
        )
    return import_views.render_upload(
        request,
        FEEDS,
        action_url=reverse("import_test_upload"),
        title="Import test data",
        preview_url_name="import_test_preview",
    )


@login_required
def preview(request: HttpRequest, batch: int) -> HttpResponse:
    found = import_views.get_batch(request, batch, FEEDS)
    return import_views.render_preview(
        request,
        found,
        confirm_url=reverse("import_test_confirm", args=[found.pk]),
        back_url=reverse("import_test_upload"),
    )


@login_required
@require_POST
def confirm(request: HttpRequest, batch: int) -> HttpResponse:
    found = import_views.get_batch(request, batch, FEEDS)
    url = reverse("import_test_preview", args=[found.pk])
    return import_views.handle_confirm(request, found, done_url=url)


urlpatterns = [
    path("import-test/", upload, name="import_test_upload"),
    path("import-test/<int:batch>/", preview, name="import_test_preview"),
    path("import-test/<int:batch>/confirm/", confirm, name="import_test_confirm"),
    *project_urlpatterns,
]
