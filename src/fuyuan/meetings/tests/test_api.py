"""The meetings API: meetings, invitations and decisions scoped as on the pages, the page's
filters, an invited unit's attendance signed in through the action (audited), refusals in
the one error shape, the token's scope, and list query counts that do not grow."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.meetings import actions
from fuyuan.meetings.models import Attendance
from fuyuan.testing import make_user

from .helpers import THURSDAY, at, schedule, seed

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/meetings/"
INVITATIONS = "/api/v1/meetings/invitations/"
DECISIONS = "/api/v1/meetings/decisions/"


def api(world: Any, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[role])
    return client


def token_client(world: Any, unit: str, scopes: dict[str, str]) -> APIClient:
    """A system client of `unit` (its service user acts as the unit's liaison) with a token."""
    from fuyuan.exchange.models import ApiClient, ApiToken

    user = make_user(f"svc_{unit}", Role.LIAISON, unit=world.units[unit])
    system = ApiClient.objects.create(
        state="confirmed",
        name=f"{unit} system",
        unit=world.units[unit],
        service_user=user,
        scopes=scopes,
        created_by=world.users["system_admin"],
    )
    raw = f"fy_{unit}x_secret{unit}"
    ApiToken.objects.create(
        client=system,
        prefix=f"{unit}x",
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        issued_by=world.users["system_admin"],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def issued_meeting(world: Any) -> Any:
    """A held meeting whose minutes are issued with one decision for hrss (now a matter)."""
    office = world.users["city_office"]
    meeting = schedule(world, units=("hrss", "housing"))
    with time_machine.travel(at(THURSDAY, 17), tick=False):
        actions.hold(office, meeting)
        minutes = actions.create_minutes(office, meeting, body="会议议定如下。")
        actions.save_minutes(
            office,
            minutes,
            decisions=[
                {
                    "text": "人社局牵头落实负责人出庭应诉培训",
                    "lead_unit": world.units["hrss"],
                    "co_units": [world.units["court"]],
                    "deadline": datetime.date(2027, 3, 31),
                }
            ],
        )
        actions.minutes_transition(
            office, minutes, "circulate", comment_deadline=datetime.date(2026, 11, 24)
        )
        actions.minutes_transition(office, minutes, "finalise")
        actions.minutes_transition(office, minutes, "issue")
    meeting.refresh_from_db()
    return meeting


def test_meetings_are_scoped_as_on_the_pages(world):
    seed()
    city = schedule(world, units=("hrss",))
    county = schedule(world, mechanism="a", units=("a_hrss",), title="西平县协调会")
    assert ids(api(world, "city_office").get(MEETINGS)) == {city.pk, county.pk}
    assert ids(api(world, "a_office").get(MEETINGS)) == {county.pk}
    assert ids(api(world, "hrss_liaison").get(MEETINGS)) == {city.pk}
    # Housing is not invited: it sees neither meeting; the county office cannot open the city's.
    assert ids(api(world, "housing_liaison").get(MEETINGS)) == set()
    response = api(world, "a_office").get(f"{MEETINGS}{city.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "api.not_found"
    body = api(world, "hrss_liaison").get(f"{MEETINGS}{city.pk}/").json()
    assert body["kind"] == "coordination" and body["place"] == "市政府三楼会议室"
    assert [a["title"] for a in body["agenda"]] == ["研究行政机关负责人出庭应诉工作"]
    assert [(i["unit"], i["attendance"]) for i in body["invitations"]] == [
        (world.units["hrss"].pk, "unknown")
    ]
    assert body["minutes"] is None


def test_administrators_and_anonymous_are_refused(world):
    seed()
    schedule(world)
    response = api(world, "system_admin").get(MEETINGS)
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"
    response = APIClient().get(MEETINGS)
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "api.not_authenticated"


def test_filters_of_the_meeting_list(world):
    seed()
    coordination = schedule(world, units=("hrss",))
    symposium = schedule(
        world, kind="symposium", units=("housing",), day=datetime.date(2027, 1, 14)
    )
    client = api(world, "city_office")
    assert ids(client.get(MEETINGS, {"kind": "symposium"})) == {symposium.pk}
    assert ids(client.get(MEETINGS, {"year": 2026})) == {coordination.pk}
    assert ids(client.get(MEETINGS, {"unit": world.units["housing"].pk})) == {symposium.pk}
    assert ids(client.get(MEETINGS, {"starts_from": "2027-01-01"})) == {symposium.pk}
    actions.cancel(world.users["city_office"], symposium, "改期")
    assert ids(client.get(MEETINGS, {"state": "cancelled"})) == {symposium.pk}
    response = client.get(MEETINGS, {"kind": "banquet"})
    assert response.status_code == 400 and response.json()["code"] == "api.invalid"
    assert response.json()["errors"][0]["field"] == "kind"


def test_the_invited_unit_signs_in_through_the_action(world):
    seed()
    meeting = schedule(world)
    invitation = meeting.invitations.get(unit=world.units["hrss"])
    client = api(world, "hrss_liaison")
    mine = client.get(INVITATIONS, {"unit": world.units["hrss"].pk})
    assert ids(mine) == {invitation.pk}
    response = client.post(
        f"{INVITATIONS}{invitation.pk}/sign-in/",
        {"attendance": "observer", "attendee_name": "张三"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["attendance"] == "observer"
    invitation.refresh_from_db()
    assert invitation.attendance == Attendance.OBSERVER and invitation.attendee_name == "张三"
    assert invitation.signed_in_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(
        action="meetings.invitation.sign_in", object_id=str(invitation.pk)
    ).exists()
    assert ids(client.get(INVITATIONS, {"attendance": "observer"})) == {invitation.pk}


def test_refused_sign_ins_answer_in_the_error_shape(world):
    seed()
    meeting = schedule(world)
    housing = meeting.invitations.get(unit=world.units["housing"])
    hrss = meeting.invitations.get(unit=world.units["hrss"])
    client = api(world, "hrss_liaison")
    # Another unit's invitation: visible (the meeting is), not permitted.
    response = client.post(f"{INVITATIONS}{housing.pk}/sign-in/", {"attendance": "leave"})
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"
    response = client.post(f"{INVITATIONS}{hrss.pk}/sign-in/", {"attendance": "maybe"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "attendance",
        "code": "invalid_choice",
        "message": response.json()["errors"][0]["message"],
    }
    # A county office does not see the city's meeting at all.
    response = api(world, "a_office").post(
        f"{INVITATIONS}{hrss.pk}/sign-in/", {"attendance": "attend"}
    )
    assert response.status_code == 404
    actions.cancel(world.users["city_office"], meeting, "改期")
    response = client.post(f"{INVITATIONS}{hrss.pk}/sign-in/", {"attendance": "attend"})
    assert response.status_code == 403
    hrss.refresh_from_db()
    assert hrss.attendance == Attendance.UNKNOWN


def test_a_read_only_token_reads_but_cannot_sign_in(world):
    seed()
    meeting = schedule(world)
    invitation = meeting.invitations.get(unit=world.units["hrss"])
    reader = token_client(world, "hrss", {"meetings": "read"})
    assert ids(reader.get(MEETINGS)) == {meeting.pk}
    response = reader.post(f"{INVITATIONS}{invitation.pk}/sign-in/", {"attendance": "attend"})
    assert response.status_code == 403 and response.json()["code"] == "api.scope"
    writer = token_client(world, "housing", {"meetings": "write"})
    other = meeting.invitations.get(unit=world.units["housing"])
    response = writer.post(f"{INVITATIONS}{other.pk}/sign-in/", {"attendance": "leave"})
    assert response.status_code == 200
    assert response.json()["attendance"] == "leave"
    # A token without the meetings scope reads nothing.
    response = token_client(world, "court", {"liaison": "write"}).get(MEETINGS)
    assert response.status_code == 403 and response.json()["code"] == "api.scope"


def test_minutes_and_decisions_with_their_matter(world):
    seed()
    meeting = issued_meeting(world)
    decision = meeting.minutes.decisions.get()
    assert decision.matter_id is not None
    body = api(world, "hrss_liaison").get(f"{MEETINGS}{meeting.pk}/").json()
    assert body["minutes"]["state"] == "issued"
    assert body["minutes"]["issue_no"] == 1 and body["minutes"]["year"] == 2026
    rows = api(world, "hrss_liaison").get(DECISIONS, {"meeting": meeting.pk}).json()["results"]
    assert [(r["id"], r["matter"], r["lead_unit"]) for r in rows] == [
        (decision.pk, decision.matter_id, world.units["hrss"].pk)
    ]
    assert rows[0]["co_units"] == [world.units["court"].pk]
    # The court is named on the decision but was not invited: it sees the decision (issued
    # minutes), not the meeting.
    court = api(world, "court_staff")
    assert ids(court.get(DECISIONS)) == {decision.pk}
    assert court.get(f"{MEETINGS}{meeting.pk}/").status_code == 404
    assert ids(api(world, "a_office").get(DECISIONS)) == set()
    assert api(world, "a_office").get(f"{DECISIONS}{decision.pk}/").status_code == 404
    assert (
        ids(api(world, "city_office").get(DECISIONS, {"lead_unit": world.units["housing"].pk}))
        == set()
    )


def _count(client: APIClient, url: str) -> int:
    client.get(url)  # warm: the user's scope is rebuilt once after writes elsewhere
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_list_queries_do_not_grow_with_the_rows(world):
    seed()
    client = api(world, "city_office")
    for day in (THURSDAY, THURSDAY + datetime.timedelta(days=7)):
        schedule(world, day=day)
    small = [_count(client, url) for url in (MEETINGS, INVITATIONS)]
    for n in range(8):
        schedule(world, day=THURSDAY + datetime.timedelta(days=14 + n))
    issued_meeting(world)
    large = [_count(client, url) for url in (MEETINGS, INVITATIONS)]
    assert large == small
    decisions_small = _count(client, DECISIONS)
    issued_meeting(world)
    issued_meeting(world)
    assert _count(client, DECISIONS) == decisions_small
