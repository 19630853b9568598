"""REST API of bankruptcy coordination (bankruptcy.api): cases scoped and filtered as on the
ledger (flat query count), coordination items with their matters, queries answered by the
department through the action, the fund's balance and ledger for those the page shows it to,
and the purpose-bound dataset for system clients."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.testing import World

from .. import actions
from ..models import QueryState
from .helpers import make_case, make_fund, reviewed_application, seed_calendar

pytestmark = pytest.mark.django_db

CASES = "/api/v1/bankruptcy/cases/"
ITEMS = "/api/v1/bankruptcy/items/"
QUERIES = "/api/v1/bankruptcy/queries/"
FUNDS = "/api/v1/bankruptcy/funds/"


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        seed_calendar()
        yield


def api_for(world: World, name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[name])
    return client


def token_api(world: World, unit_key: str, role: str, scopes: dict[str, str]) -> APIClient:
    """A system client of the unit (its service user holds `role` there) with a token."""
    from fuyuan.exchange.testing import client_token

    api = APIClient()
    token = client_token(unit=world.units[unit_key], role=role, scopes=scopes)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _ask(world: World, case: Any, department: str = "hrss") -> Any:
    return actions.ask_query(
        world.users["court_staff"],
        case,
        department=world.units[department],
        kind="social_insurance",
        question="查询欠缴社会保险费及欠薪情况",
    )


def test_cases_are_scoped_as_on_the_ledger(world: World) -> None:
    case = make_case(world)
    b_case = make_case(world, court="b_court")
    for name in ("court_staff", "city_office", "city_leader"):
        assert case.pk in _ids(api_for(world, name).get(CASES)), name
    assert _ids(api_for(world, "b_court_staff").get(CASES)) == {b_case.pk}
    for name in ("a_office", "hrss_liaison"):
        assert _ids(api_for(world, name).get(CASES)) == set(), name
        assert api_for(world, name).get(f"{CASES}{case.pk}/").status_code == 404
    assert api_for(world, "audit_admin").get(CASES).status_code == 403
    assert APIClient().get(CASES).status_code == 401
    # A department asked a query on the case sees it.
    _ask(world, case)
    row = api_for(world, "hrss_liaison").get(f"{CASES}{case.pk}/").json()
    assert row["number"] == case.number and row["open_queries"] == 1 and row["item_count"] == 0


def test_case_filters_are_the_ledgers(world: World) -> None:
    a = make_case(world, debtor_name="驻马店市恒远纺织有限公司")
    b = make_case(world, stage="application", debtor_name="西平县宏达机械厂", no_assets=False)
    api = api_for(world, "city_office")
    assert _ids(api.get(f"{CASES}?q=宏达")) == {b.pk}
    assert _ids(api.get(f"{CASES}?stage=administration")) == {a.pk}
    assert _ids(api.get(f"{CASES}?no_assets=true")) == {a.pk}
    assert _ids(api.get(f"{CASES}?year=2026")) == {a.pk, b.pk}
    assert _ids(api.get(f"{CASES}?court={world.units['court'].pk}")) == {a.pk, b.pk}
    bad = api.get(f"{CASES}?court={world.units['hrss'].pk}")
    assert bad.status_code == 400 and bad.json()["code"] == "api.invalid"


def test_the_case_list_query_count_is_flat(world: World) -> None:
    api = api_for(world, "city_office")
    for _i in range(2):
        _ask(world, make_case(world))
    api.get(CASES)
    with CaptureQueriesContext(connection) as two:
        api.get(CASES)
    for _i in range(8):
        _ask(world, make_case(world))
    with CaptureQueriesContext(connection) as ten:
        assert api.get(CASES).json()["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_items_come_with_their_matters(world: World) -> None:
    case = make_case(world)
    other = make_case(world, court="b_court")
    item = actions.add_item(
        world.users["court_staff"],
        case,
        kind="asset_disposal",
        description="协调处置厂房土地",
        lead_unit=world.units["housing"],
        deadline=datetime.date(2026, 5, 31),
    )
    actions.add_item(
        world.users["b_court_staff"],
        other,
        kind="tax",
        description="协调税款清缴",
        lead_unit=world.units["b_office"],
        deadline=datetime.date(2026, 5, 31),
    )
    response = api_for(world, "housing_liaison").get(ITEMS)
    [row] = response.json()["results"]
    assert row["id"] == item.pk and row["matter"] == item.matter_id
    assert row["matter_state"] == "assigned" and row["case_number"] == case.number
    assert _ids(api_for(world, "court_staff").get(f"{ITEMS}?case={case.pk}")) == {item.pk}
    assert _ids(api_for(world, "city_office").get(f"{ITEMS}?kind=tax")) != set()
    assert _ids(api_for(world, "a_office").get(ITEMS)) == set()
    assert api_for(world, "a_office").get(f"{ITEMS}{item.pk}/").status_code == 404


def test_the_department_answers_a_query_through_the_action(world: World) -> None:
    query = _ask(world, make_case(world))
    url = f"{QUERIES}{query.pk}/answer/"
    assert _ids(api_for(world, "hrss_liaison").get(QUERIES)) == {query.pk}
    assert _ids(api_for(world, "housing_liaison").get(QUERIES)) == set()
    refused = api_for(world, "court_staff").post(url, {"result": "无"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "api.forbidden"
    hidden = api_for(world, "housing_liaison").post(url, {"result": "无"}, format="json")
    assert hidden.status_code == 404
    api = api_for(world, "hrss_liaison")
    empty = api.post(url, {"result": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "result"
    stale = api.post(url, {"result": "欠缴3个月", "version": query.version + 5}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "api.stale"
    response = api.post(url, {"result": "欠缴3个月", "version": query.version}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == QueryState.ANSWERED and body["answer_working_days"] == 0
    query.refresh_from_db()
    assert query.result == "欠缴3个月" and query.answered_by == world.users["hrss_liaison"]
    assert AuditEntry.objects.filter(action="bankruptcy.query.answer").count() == 1
    assert _ids(api.get(f"{QUERIES}?state=sent")) == set()
    # Answered: the department may not answer again.
    assert api.post(url, {"result": "再答"}, format="json").status_code == 403


def test_the_fund_balance_and_ledger_for_whom_the_page_shows_it(world: World) -> None:
    fund = make_fund(world, "100000")
    case = make_case(world)
    app = reviewed_application(world, case, "30000")
    actions.application_transition(world.users["city_office"], app, "approve", "同意")
    reviewed_application(world, case, "5000")
    for name in ("city_office", "city_leader", "court_staff"):
        assert _ids(api_for(world, name).get(FUNDS)) == {fund.pk}, name
    row = api_for(world, "city_office").get(FUNDS).json()["results"][0]
    assert row["budget"] == "100000.00" and row["committed"] == "30000.00"
    assert (
        row["balance"] == "70000.00" and row["waiting"] == 1 and row["waiting_amount"] == "5000.00"
    )
    assert "movements" not in row
    detail = api_for(world, "city_office").get(f"{FUNDS}{fund.pk}/").json()
    kinds = [m["kind"] for m in detail["movements"]]
    assert kinds == ["budget", "commit"] and detail["movements"][1]["case_number"] == case.number
    for name in ("hrss_liaison", "a_office"):
        assert _ids(api_for(world, name).get(FUNDS)) == set(), name
        assert api_for(world, name).get(f"{FUNDS}{fund.pk}/").status_code == 404


def test_system_clients_of_the_court_read_cases_and_others_need_a_grant(world: World) -> None:
    case = make_case(world)
    court = token_api(world, "court", Role.COURT, {"bankruptcy": "read"})
    assert _ids(court.get(CASES)) == {case.pk}
    hrss = token_api(world, "hrss", Role.LIAISON, {"bankruptcy": "read"})
    refused = hrss.get(CASES)
    assert refused.status_code == 403 and refused.json()["code"] == "api.no_grant"
    # Items and queries are not purpose-bound: the client reads what its unit may see.
    assert hrss.get(QUERIES).status_code == 200


def test_a_read_only_token_cannot_answer(world: World) -> None:
    query = _ask(world, make_case(world))
    api = token_api(world, "hrss", Role.LIAISON, {"bankruptcy": "read"})
    response = api.post(f"{QUERIES}{query.pk}/answer/", {"result": "无"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "api.scope"
    api = token_api(world, "hrss", Role.LIAISON, {"bankruptcy": "write"})
    response = api.post(f"{QUERIES}{query.pk}/answer/", {"result": "无"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == QueryState.ANSWERED
