"""Pages of government-debtor and livelihood cases: the ledger (filters, totals, flat query
count), registering through the form, payments and closing by POST, the campaign view."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from fuyuan.enforcement import case_actions as actions
from fuyuan.enforcement.models import EnforcementCase, EnforcementCaseState

pytestmark = pytest.mark.django_db

_N = iter(range(2000, 90_000))


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


def register(w: Any, **values: Any) -> EnforcementCase:
    defaults: dict[str, Any] = {
        "number": f"（2025）豫17执{next(_N)}号",
        "court": w.units["court"],
        "kind": "government_debtor",
        "debtor_unit": w.units["hrss"],
        "debtor_name": "驻马店市人力资源和社会保障局",
        "creditor": "驻马店市恒达建筑工程有限公司",
        "filed_on": datetime.date(2025, 9, 1),
        "amount_owed": "1000.00",
    }
    defaults.update(values)
    return actions.register_case(w.users["court_staff"], **defaults)


def test_ledger_lists_filters_and_totals(world, client_for):
    register(world, amount_paid="500")
    register(world, kind="enterprise_arrears", amount_owed="3000")
    url = reverse("enforcement:case_list")
    page = client_for("city_office").get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "驻马店市恒达建筑工程有限公司" in text
    assert page.context["page"].paginator.count == 2
    assert page.context["totals"]["paid_rate"] == 12.5
    only = client_for("city_office").get(url, {"enterprise": "on"})
    assert only.context["page"].paginator.count == 1
    assert client_for("a_office").get(url).context["page"].paginator.count == 0


def test_ledger_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    register(world)
    client = client_for("city_office")
    url = reverse("enforcement:case_list")
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for _ in range(9):
        register(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_registering_through_the_form(world, client_for):
    response = client_for("court_staff").post(
        reverse("enforcement:case_new"),
        {
            "number": "（2025）豫17执777号",
            "court": world.units["court"].pk,
            "kind": "government_debtor",
            "debtor_unit": world.units["hrss"].pk,
            "debtor_name": "市人社局",
            "creditor": "某建筑公司",
            "filed_on": "2025-10-01",
            "amount_owed": "88000",
            "amount_paid": "0",
        },
    )
    case = EnforcementCase.objects.get(number="（2025）豫17执777号")
    assert response.status_code == 302
    assert response["Location"] == reverse("enforcement:case_detail", args=[case.pk])


def test_a_refused_registration_shows_the_error_on_the_field(world, client_for):
    response = client_for("court_staff").post(
        reverse("enforcement:case_new"),
        {
            "number": "（2025）豫17行初1号",
            "court": world.units["court"].pk,
            "kind": "wages",
            "debtor_name": "某厂",
            "creditor": "工人",
            "filed_on": "2025-10-01",
            "amount_owed": "100",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("number", "enforcement.not_enforcement_case")


def test_payment_and_closing_by_post(world, client_for):
    case = register(world, amount_owed="100")
    client = client_for("court_staff")
    overpaid = client.post(
        reverse("enforcement:case_payment", args=[case.pk]),
        {"amount": "150", "paid_on": "2026-03-10"},
    )
    assert overpaid.status_code == 200
    assert overpaid.context["payment_form"].has_error("amount", "enforcement.overpaid")
    paid = client.post(
        reverse("enforcement:case_payment", args=[case.pk]),
        {"amount": "100", "paid_on": "2026-03-10"},
    )
    assert paid.status_code == 302
    closed = client.post(
        reverse("enforcement:case_close", args=[case.pk]), {"closed_on": "2026-03-16"}
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.state == EnforcementCaseState.CLOSED
    page = client.get(reverse("enforcement:case_detail", args=[case.pk]))
    assert b"case_payment" not in page.content and page.context["can_write"] is False


def test_the_debtor_body_reads_but_may_not_pay(world, client_for):
    case = register(world)
    client = client_for("hrss_liaison")
    assert client.get(reverse("enforcement:case_detail", args=[case.pk])).status_code == 200
    refused = client.post(
        reverse("enforcement:case_payment", args=[case.pk]),
        {"amount": "1", "paid_on": "2026-03-10"},
    )
    assert refused.status_code == 403


def test_campaign_view_for_offices_only(world, client_for):
    register(world, filed_on=datetime.date(2025, 1, 5))
    register(world, debtor_unit=world.units["a_hrss"], debtor_name="西平县人社局")
    page = client_for("city_office").get(reverse("enforcement:case_campaign"))
    assert page.status_code == 200
    assert page.context["figures"]["totals"]["open"] == 2
    assert {r["jurisdiction__name"] for r in page.context["figures"]["by_jurisdiction"]} == {
        "驻马店市",
        "西平县",
    }
    county = client_for("a_office").get(reverse("enforcement:case_campaign"))
    assert county.context["figures"]["totals"]["open"] == 1
    assert client_for("court_staff").get(reverse("enforcement:case_campaign")).status_code == 403
