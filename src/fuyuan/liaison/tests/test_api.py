"""The liaison API: letters scoped as on the letter list (drafts only to the sender), the
list's filters (tab, keyword, state, overdue), writing and sending a letter and replying to
one through liaison.actions (audited), refusals in the one error shape, the token's scope,
and list query counts that do not grow."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.core.calendar import seed_year
from fuyuan.liaison import actions
from fuyuan.liaison.models import LiaisonLetter
from fuyuan.testing import make_user

pytestmark = pytest.mark.django_db

LETTERS = "/api/v1/liaison/letters/"


@pytest.fixture(autouse=True)
def calendar() -> None:
    year = timezone.localdate().year
    seed_year(year)
    seed_year(year + 1)


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


def write(world: Any, sender: str = "hrss", to: str = "court", send: bool = True, **kw: Any) -> Any:
    users = {"hrss": "hrss_liaison", "housing": "housing_liaison", "court": "court_staff"}
    return actions.create_letter(
        world.users[users[sender]],
        sender_unit=world.units[sender],
        recipient_unit=world.units[to],
        subject=kw.get("subject", "关于劳动争议案件协调的联系函"),
        body="请予协调。",
        reply_by=kw.get("reply_by"),
        send=send,
    )


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_letters_are_scoped_as_on_the_letter_list(world):
    sent = write(world)
    draft = write(world, send=False, subject="草稿")
    housing = write(world, sender="housing", subject="住建局来函")
    assert ids(api(world, "hrss_liaison").get(LETTERS)) == {sent.pk, draft.pk}
    assert ids(api(world, "court_staff").get(LETTERS)) == {sent.pk, housing.pk}
    assert ids(api(world, "city_office").get(LETTERS)) == {sent.pk, housing.pk}
    assert ids(api(world, "a_office").get(LETTERS)) == set()
    # A draft is the sender's; another unit's letter is not the housing liaison's.
    assert api(world, "court_staff").get(f"{LETTERS}{draft.pk}/").status_code == 404
    response = api(world, "housing_liaison").get(f"{LETTERS}{sent.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "api.not_found"
    body = api(world, "court_staff").get(f"{LETTERS}{sent.pk}/").json()
    assert body["sender_unit"] == world.units["hrss"].pk
    assert body["recipient_unit_name"] == world.units["court"].name
    assert body["state"] == "sent" and body["reply_by"] and body["replies"] == []
    response = api(world, "audit_admin").get(LETTERS)
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"


def test_filters_mirror_the_letter_list(world):
    to_court = write(world)
    from_court = write(world, sender="court", to="hrss", subject="法院致人社局函")
    late = write(world, sender="housing", subject="逾期未复")
    LiaisonLetter.objects.filter(pk=late.pk).update(
        reply_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    court = api(world, "court_staff")
    assert ids(court.get(LETTERS, {"tab": "received"})) == {to_court.pk, late.pk}
    assert ids(court.get(LETTERS, {"tab": "sent"})) == {from_court.pk}
    assert ids(court.get(LETTERS, {"q": "住房"})) == {late.pk}
    assert ids(court.get(LETTERS, {"overdue": "true"})) == {late.pk}
    assert ids(court.get(LETTERS, {"sender_unit": world.units["hrss"].pk})) == {to_court.pk}
    actions.reply(world.users["court_staff"], to_court, "已收悉。")
    assert ids(court.get(LETTERS, {"state": "replied"})) == {to_court.pk}
    assert ids(court.get(LETTERS, {"state": ["replied", "sent"]})) == {
        to_court.pk,
        from_court.pk,
        late.pk,
    }
    response = court.get(LETTERS, {"tab": "inbox"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "tab"


def test_a_unit_writes_and_sends_a_letter_through_the_action(world):
    response = api(world, "hrss_liaison").post(
        LETTERS,
        {"recipient_unit": world.units["court"].pk, "subject": "联系函", "body": "请予协调。"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    letter = LiaisonLetter.objects.get(pk=body["id"])
    assert letter.state == "sent" and letter.sender_unit == world.units["hrss"]
    assert letter.sender == world.users["hrss_liaison"] and letter.reply_by is not None
    assert body["state"] == "sent" and body["reply_by"] == letter.reply_by.isoformat()
    for name in ("liaison.letter.create", "liaison.letter.send"):
        assert AuditEntry.objects.filter(action=name, object_id=str(letter.pk)).exists()


def test_a_draft_is_sent_later_once(world):
    client = api(world, "hrss_liaison")
    response = client.post(
        LETTERS,
        {
            "sender_unit": world.units["hrss"].pk,
            "recipient_unit": world.units["court"].pk,
            "subject": "草稿",
            "body": "内容",
            "send": False,
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["state"] == "draft"
    pk = response.json()["id"]
    stale = client.post(f"{LETTERS}{pk}/send/", {"version": 99}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "api.stale"
    response = client.post(f"{LETTERS}{pk}/send/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "sent"
    again = client.post(f"{LETTERS}{pk}/send/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "workflow.not_allowed"
    # The receiving court sees it now, but does not send it.
    response = api(world, "court_staff").post(f"{LETTERS}{pk}/send/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"


def test_the_receiving_unit_replies_through_the_action(world):
    letter = write(world)
    response = api(world, "court_staff").post(
        f"{LETTERS}{letter.pk}/reply/", {"body": "已收悉，正在研究。"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "replied" and body["reply_working_days"] == 0
    assert [(r["unit"], r["body"]) for r in body["replies"]] == [
        (world.units["court"].pk, "已收悉，正在研究。")
    ]
    letter.refresh_from_db()
    assert letter.state == "replied" and letter.replied_at is not None
    assert AuditEntry.objects.filter(action="liaison.reply.create").exists()


def test_refused_writes_answer_in_the_error_shape(world):
    letter = write(world)
    # The sender does not reply to its own letter; an empty reply is refused.
    response = api(world, "hrss_liaison").post(f"{LETTERS}{letter.pk}/reply/", {"body": "补充"})
    assert response.status_code == 403 and response.json()["code"] == "api.forbidden"
    response = api(world, "court_staff").post(f"{LETTERS}{letter.pk}/reply/", {"body": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "body"
    # Office staff write no letters; a unit does not write to itself or into the past.
    response = api(world, "city_office").post(
        LETTERS, {"recipient_unit": world.units["court"].pk, "subject": "函", "body": "内容"}
    )
    assert response.status_code == 403
    client = api(world, "hrss_liaison")
    response = client.post(
        LETTERS, {"recipient_unit": world.units["hrss"].pk, "subject": "函", "body": "内容"}
    )
    assert response.status_code == 400 and response.json()["code"] == "liaison.same_unit"
    assert response.json()["errors"][0]["field"] == "recipient_unit"
    response = client.post(
        LETTERS,
        {
            "recipient_unit": world.units["court"].pk,
            "subject": "函",
            "body": "内容",
            "reply_by": "2000-01-01",
        },
    )
    assert response.status_code == 400 and response.json()["code"] == "liaison.reply_by_past"
    # Writing for another unit is not the user's to do.
    response = client.post(
        LETTERS,
        {
            "sender_unit": world.units["housing"].pk,
            "recipient_unit": world.units["court"].pk,
            "subject": "函",
            "body": "内容",
        },
    )
    assert response.status_code == 403
    assert LiaisonLetter.objects.count() == 1


def test_a_read_only_token_reads_but_cannot_write(world):
    letter = write(world)
    reader = token_client(world, "court", {"liaison": "read"})
    assert ids(reader.get(LETTERS)) == {letter.pk}
    response = reader.post(f"{LETTERS}{letter.pk}/reply/", {"body": "已收悉。"})
    assert response.status_code == 403 and response.json()["code"] == "api.scope"
    writer = token_client(world, "housing", {"liaison": "write"})
    response = writer.post(
        LETTERS, {"recipient_unit": world.units["court"].pk, "subject": "函", "body": "内容"}
    )
    assert response.status_code == 201
    assert response.json()["sender_unit"] == world.units["housing"].pk


def _count(client: APIClient) -> int:
    client.get(LETTERS)  # warm: the user's scope is rebuilt once after writes elsewhere
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LETTERS)
    assert response.status_code == 200
    return len(ctx)


def test_list_queries_do_not_grow_with_the_rows(world):
    client = api(world, "city_office")
    for _ in range(2):
        actions.reply(world.users["court_staff"], write(world), "已收悉。")
    small = _count(client)
    for n in range(8):
        letter = write(world, sender="housing", subject=f"函{n}")
        actions.reply(world.users["court_staff"], letter, "已收悉。")
        actions.reply(world.users["court_staff"], letter, "补充说明。")
    assert _count(client) == small
