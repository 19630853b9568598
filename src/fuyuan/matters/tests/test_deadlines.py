"""Deadlines under frozen time: working days across holidays and 调休 weekends, a year
without calendar data refused, report dates on the calendar cadence, and a calendar edit
recomputing, auditing and notifying the deadlines it moves."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fuyuan.audit.models import AuditEntry
from fuyuan.core import calendar
from fuyuan.core.models import CalendarDay, CalendarYear
from fuyuan.matters import calendar_actions, deadlines
from fuyuan.matters.models import Matter, TimelineEntry
from fuyuan.notify.models import InboxMessage, OutboxMessage
from fuyuan.testing import build_world, make_matter

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FROZEN = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
D = datetime.date
SEPT_1 = datetime.date(2026, 9, 1)


@pytest.fixture
def w(db):
    """The test world built on 2026-09-01 with the 2026 calendar loaded from the package."""
    with time_machine.travel(FROZEN, tick=False):
        calendar.seed_year(2026)
        yield build_world()


def _code(exc: ValidationError) -> str:
    return next(e.code for errors in exc.error_dict.values() for e in errors)


def _working_matter(w, *, state="assigned", start=SEPT_1, days=10, **fields):
    return make_matter(
        w,
        state=state,
        start=start,
        deadline_kind="working_days",
        deadline_days=days,
        **fields,
    )


# --- compute_deadline --------------------------------------------------------------------------
def test_working_day_deadline_crosses_national_day_and_counts_the_worked_saturday(w):
    # 09-29, 09-30, (10-01..10-07 off), 10-08, 10-09, 10-10 (Saturday, 调休 worked).
    assert deadlines.compute_deadline("working_days", D(2026, 9, 28), 5, None) == D(2026, 10, 10)
    # Calendar days ignore holidays.
    assert deadlines.compute_deadline("calendar_days", D(2026, 9, 28), 5, None) == D(2026, 10, 3)
    matter = _working_matter(w, start=D(2026, 9, 28), days=5)
    assert matter.deadline == D(2026, 10, 10)
    assert matter.warn_from == D(2026, 10, 5)  # default: 5 calendar days before


def test_a_working_day_deadline_in_a_year_without_data_is_refused_with_its_code(w):
    with pytest.raises(calendar.CalendarMissing) as exc:
        deadlines.compute_deadline("working_days", D(2026, 12, 20), 15, None)
    assert exc.value.code == "calendar.year_missing"
    error = deadlines.as_validation_error(exc.value)
    assert error.error_dict["deadline"][0].code == "calendar.year_missing"
    assert "2027" in error.error_dict["deadline"][0].message
    # Registering such a matter is refused with the same code: nothing is written.
    with pytest.raises((ValidationError, calendar.CalendarMissing)) as refused:
        _working_matter(w, state=None, start=D(2026, 12, 20), days=15)
    if isinstance(refused.value, ValidationError):
        assert _code(refused.value) == "calendar.year_missing"
    else:
        assert refused.value.code == "calendar.year_missing"
    assert not Matter.objects.exists()


# --- next report due on the calendar cadence ----------------------------------------------------
@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (D(2026, 1, 10), D(2026, 1, 25)),
        (D(2026, 1, 25), D(2026, 2, 25)),  # strictly after: the 25th itself moves on
        (D(2026, 1, 31), D(2026, 2, 25)),  # across a month end
        (D(2026, 12, 26), D(2027, 1, 25)),  # across a year end
    ],
)
def test_monthly_report_is_due_before_the_25th_of_the_next_month_end(after, expected):
    assert deadlines.next_report_due("monthly", after, day_of_month=25) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (D(2026, 2, 10), D(2026, 3, 31)),
        (D(2026, 3, 31), D(2026, 6, 30)),  # strictly after the quarter end
        (D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 11, 15), D(2026, 12, 31)),
        (D(2026, 12, 31), D(2027, 3, 31)),  # across a year end
    ],
)
def test_quarterly_report_is_due_at_the_end_of_the_quarter(after, expected):
    assert deadlines.next_report_due("quarterly", after) == expected


def test_report_due_never_falls_after_the_deadline():
    assert deadlines.next_report_due("quarterly", D(2026, 4, 2), deadline=D(2026, 5, 20)) == D(
        2026, 5, 20
    )
    assert deadlines.next_report_due(
        "monthly", D(2026, 4, 26), day_of_month=25, deadline=D(2026, 5, 10)
    ) == D(2026, 5, 10)


# --- a calendar edit recomputes deadlines -------------------------------------------------------
def test_a_holiday_added_inside_a_span_moves_the_deadline_by_one_working_day(w):
    office, liaison = w.users["city_office"], w.users["hrss_liaison"]
    matter = _working_matter(w)
    # 10 working days from Tuesday 09-01: 09-15.
    assert matter.deadline == D(2026, 9, 15)
    version = Matter.objects.get(pk=matter.pk).version

    result = calendar_actions.add_day(office, date=D(2026, 9, 10), kind="holiday", name="台风停工")

    matter.refresh_from_db()
    assert matter.deadline == D(2026, 9, 16)
    assert matter.warn_from == D(2026, 9, 11)
    assert matter.version == version + 1
    assert [c.matter.pk for c in result.changed] == [matter.pk]
    entry = TimelineEntry.objects.get(matter=matter, kind="deadline_recomputed")
    assert entry.detail["old"] == "2026-09-15" and entry.detail["new"] == "2026-09-16"
    assert entry.actor == office
    audit = AuditEntry.objects.get(
        action="matters.matter.deadline_recomputed", object_id=str(matter.pk)
    )
    assert audit.before["deadline"] == "2026-09-15" and audit.after["deadline"] == "2026-09-16"
    day_audit = AuditEntry.objects.get(action="calendar.day.create")
    assert day_audit.detail["recomputed"] == [matter.pk]
    # The lead unit's liaison is told, in the inbox and by e-mail.
    assert InboxMessage.objects.filter(
        user=liaison, ref_kind="matters.matter", ref_id=matter.pk
    ).exists()
    queued = OutboxMessage.objects.get(kind="deadline_changed", recipient=liaison, channel="inbox")
    assert queued.due_date == D(2026, 9, 16)
    assert queued.url == f"/matters/m/{matter.pk}/"
    assert not OutboxMessage.objects.filter(recipient=w.users["housing_liaison"]).exists()

    # Removing the holiday moves it back.
    day = CalendarDay.objects.get(date=D(2026, 9, 10))
    calendar_actions.delete_day(office, day, expected_version=day.version)
    matter.refresh_from_db()
    assert matter.deadline == D(2026, 9, 15)
    assert TimelineEntry.objects.filter(matter=matter, kind="deadline_recomputed").count() == 2
    assert AuditEntry.objects.filter(action="calendar.day.delete").count() == 1


def test_a_worked_weekend_entered_inside_a_span_brings_the_deadline_forward(w):
    matter = _working_matter(w)
    calendar_actions.add_day(
        w.users["city_office"], date=D(2026, 9, 5), kind="workday", name="调休上班"
    )
    matter.refresh_from_db()
    assert matter.deadline == D(2026, 9, 14)


def test_a_change_outside_the_span_or_of_other_rules_moves_nothing(w):
    office = w.users["city_office"]
    in_span = _working_matter(w)
    fixed = make_matter(w, state="assigned", start=D(2026, 9, 1), deadline=D(2026, 9, 15))
    extended = _working_matter(w, title="已延期事项")
    Matter.objects.filter(pk=extended.pk).update(extension_count=1, deadline=D(2026, 9, 30))
    result = calendar_actions.add_day(office, date=D(2026, 9, 22), kind="holiday")
    assert result.changed == []
    assert [m.pk for m in result.extended] == [extended.pk]
    for matter, expected in ((in_span, D(2026, 9, 15)), (fixed, D(2026, 9, 15))):
        matter.refresh_from_db()
        assert matter.deadline == expected
    result = calendar_actions.add_day(office, date=D(2026, 9, 3), kind="holiday")
    fixed.refresh_from_db()
    extended.refresh_from_db()
    assert fixed.deadline == D(2026, 9, 15)
    assert extended.deadline == D(2026, 9, 30)  # the extension decision's date is kept
    assert [c.matter.pk for c in result.changed] == [in_span.pk]


def test_a_draft_is_recomputed_but_nobody_is_notified(w):
    draft = _working_matter(w, state=None)
    calendar_actions.add_day(w.users["city_office"], date=D(2026, 9, 10), kind="holiday")
    draft.refresh_from_db()
    assert draft.deadline == D(2026, 9, 16)
    assert not OutboxMessage.objects.exists()


def test_a_deadline_that_would_move_into_a_year_without_data_is_kept_and_reported(w):
    office = w.users["city_office"]
    # Thursday 12-17 + 10 working days = 12-31; a holiday on 12-30 pushes it into 2027.
    matter = _working_matter(w, start=D(2026, 12, 17), days=10)
    assert matter.deadline == D(2026, 12, 31)
    result = calendar_actions.add_day(office, date=D(2026, 12, 30), kind="holiday")
    matter.refresh_from_db()
    assert matter.deadline == D(2026, 12, 31)
    assert [(m.pk, exc.code) for m, exc in result.missing] == [(matter.pk, "calendar.year_missing")]
    assert AuditEntry.objects.get(action="calendar.day.create").detail["calendar_missing"] == [
        matter.pk
    ]


def test_only_office_staff_change_the_calendar_and_nonsense_days_are_refused(w):
    with pytest.raises(PermissionDenied):
        calendar_actions.add_day(w.users["hrss_liaison"], date=D(2026, 9, 10), kind="holiday")
    with pytest.raises(PermissionDenied):
        calendar_actions.declare_year(w.users["system_admin"], year=2027)
    office = w.users["city_office"]
    with pytest.raises(ValidationError) as exc:
        calendar_actions.add_day(office, date=D(2026, 9, 5), kind="holiday")  # a Saturday
    assert _code(exc.value) == "calendar.holiday_on_weekend"
    with pytest.raises(ValidationError) as exc:
        calendar_actions.add_day(office, date=D(2026, 9, 7), kind="workday")  # a Monday
    assert _code(exc.value) == "calendar.workday_on_weekday"
    with pytest.raises(ValidationError) as exc:
        calendar_actions.add_day(office, date=D(2026, 10, 1), kind="holiday")
    assert _code(exc.value) == "calendar.day_exists"
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_a_year_entered_by_hand_counts_once_it_is_marked_complete(w):
    office = w.users["city_office"]
    with pytest.raises(ValidationError) as exc:
        calendar_actions.load_year_from_package(office, year=2027)
    assert _code(exc.value) == "calendar.package_lacks_year"
    calendar_actions.add_day(office, date=D(2027, 1, 1), kind="holiday", name="元旦")
    with pytest.raises(calendar.CalendarMissing):
        calendar.is_working_day(D(2027, 1, 4))
    calendar_actions.declare_year(office, year=2027, note="国办发明电〔2026〕X号")
    assert CalendarYear.objects.get(year=2027).source == "office"
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    with pytest.raises(ValidationError) as exc:
        calendar_actions.declare_year(office, year=2027)
    assert _code(exc.value) == "calendar.year_exists"
    assert AuditEntry.objects.filter(action="calendar.year.declare").count() == 1


def test_a_stale_edit_of_a_day_is_refused(w):
    office = w.users["city_office"]
    day = calendar_actions.add_day(office, date=D(2026, 9, 10), kind="holiday").obj
    calendar_actions.update_day(office, day, date=D(2026, 9, 11), kind="holiday", name="x")
    from fuyuan.core.models import StaleObjectError

    stale = CalendarDay.objects.get(pk=day.pk)
    with pytest.raises(StaleObjectError):
        calendar_actions.update_day(
            office, stale, date=D(2026, 9, 9), kind="holiday", expected_version=1
        )
    with pytest.raises(StaleObjectError):
        calendar_actions.delete_day(office, stale, expected_version=1)


def test_recomputation_reads_the_same_number_of_rows_for_2_and_6_matters(w):
    """Reads (the matters, the calendar year, the lead units' liaisons) do not grow with the
    number of matters moved; only each matter's own writes do."""
    office = w.users["city_office"]
    office.has_role("office")  # role cache warmed, as in a request

    def selects(day: datetime.date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = calendar_actions.add_day(office, date=day, kind="holiday")
        reads = [q for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        return len(reads), len(result.changed)

    for i in range(2):
        _working_matter(w, title=f"事项{i}")
    small = selects(D(2026, 9, 10))
    for i in range(4):
        _working_matter(w, title=f"更多事项{i}", lead="housing" if i % 2 else "hrss")
    large = selects(D(2026, 9, 11))
    assert small[1] == 2 and large[1] == 6
    assert large[0] == small[0]


# --- the calendar page ---------------------------------------------------------------------------
def _client(w, name):
    client = Client()
    client.force_login(w.users[name])
    return client


def test_calendar_page_is_for_office_staff_only(w):
    url = reverse("matters:calendar")
    assert Client().get(url).status_code == 302
    for name in ("hrss_liaison", "court_staff", "city_leader", "system_admin", "audit_admin"):
        assert _client(w, name).get(url).status_code == 403, name
    response = _client(w, "city_office").get(url + "?year=2026")
    assert response.status_code == 200
    assert response.context["next_year_missing"] is True  # 2027 is not in the table
    assert "2026-10-10" in response.content.decode()
    # One table for the deployment: a county office reads deadlines, it does not move them.
    assert _client(w, "a_office").get(url).status_code == 403


def test_calendar_day_form_adds_a_holiday_and_shows_refusals_with_their_code(w):
    client = _client(w, "city_office")
    matter = _working_matter(w)
    url = reverse("matters:calendar_day_add")
    assert client.get(url + "?year=2026").status_code == 200
    response = client.post(url, {"date": "2026-09-05", "kind": "holiday", "name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["date"][0].code == (
        "calendar.holiday_on_weekend"
    )
    response = client.post(url, {"date": "2026-09-10", "kind": "holiday", "name": "停工"})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.deadline == D(2026, 9, 16)
    day = CalendarDay.objects.get(date=D(2026, 9, 10))
    edit = reverse("matters:calendar_day_edit", args=[day.pk])
    assert client.get(edit).status_code == 200
    assert (
        client.post(
            edit, {"date": "2026-09-10", "kind": "holiday", "name": "停工", "version": 99}
        ).status_code
        == 200
    )  # stale
    delete = reverse("matters:calendar_day_delete", args=[day.pk])
    assert client.get(delete).status_code == 405
    assert _client(w, "hrss_liaison").post(delete, {"version": day.version}).status_code == 403
    assert client.post(delete, {"version": day.version}).status_code == 302
    matter.refresh_from_db()
    assert matter.deadline == D(2026, 9, 15)


def test_calendar_year_form_marks_a_year_complete_or_explains_the_package_lacks_it(w):
    client = _client(w, "city_office")
    url = reverse("matters:calendar_year_add")
    assert client.get(url + "?year=2027").status_code == 200
    response = client.post(url, {"year": 2027, "how": "package"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["year"][0].code == (
        "calendar.package_lacks_year"
    )
    assert client.post(url, {"year": 2027, "how": "manual", "note": ""}).status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert _client(w, "hrss_liaison").post(url, {"year": 2028, "how": "manual"}).status_code == 403
