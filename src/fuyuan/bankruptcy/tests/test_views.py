"""Pages of the bankruptcy app: the ledger (query count flat for 1 and 10 rows), a case's
page, forms that call the actions and show their refusals, the fund pages and the figures."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from ..models import BankruptcyCase, FundApplication, InformationQuery
from .helpers import BAD_CHECK_CODE, make_case, make_fund, reviewed_application, seed_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        seed_calendar()
        yield


def test_the_ledger_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    client = client_for("city_office")
    make_case(world)
    url = reverse("bankruptcy:case_list")
    client.get(url)
    with django_assert_max_num_queries(12) as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        make_case(world)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/bankruptcy/cases/") >= 10


def test_the_query_list_query_count_is_flat(world, client_for, django_assert_max_num_queries):
    from .. import actions

    client = client_for("city_office")
    case = make_case(world)

    def ask() -> None:
        actions.ask_query(
            world.users["court_staff"],
            case,
            department=world.units["housing"],
            kind="real_estate",
            question="查询不动产",
        )

    ask()
    url = reverse("bankruptcy:query_list")
    client.get(url)
    with django_assert_max_num_queries(12) as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        ask()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_registering_a_case_through_the_form_shows_the_credit_code_warning(world, client_for):
    client = client_for("court_staff")
    data = {
        "number": "（2026）豫17破申12号",
        "court": world.units["court"].pk,
        "debtor_name": "驻马店市天合建材有限公司",
        "debtor_credit_code": BAD_CHECK_CODE,
        "applied_on": "2026-03-02",
        "stage": "application",
        "employees": "30",
    }
    response = client.post(reverse("bankruptcy:case_create"), data)
    assert response.status_code == 200
    assert "uscc.checksum" in {
        e.code for e in response.context["form"].errors.as_data()["debtor_credit_code"]
    }
    data["debtor_credit_code"] = "91411700MA44A1B2CK"
    response = client.post(reverse("bankruptcy:case_create"), data)
    case = BankruptcyCase.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "bankruptcy:case_detail", args=[case.pk]
    )


def test_case_page_and_forms(world, client_for):
    case = make_case(world)
    court = client_for("court_staff")
    page = court.get(reverse("bankruptcy:case_detail", args=[case.pk]))
    assert page.status_code == 200 and case.debtor_name in page.content.decode()
    response = court.post(
        reverse("bankruptcy:query_create", args=[case.pk]),
        {"department": world.units["housing"].pk, "kind": "vehicles", "question": "查询车辆"},
    )
    assert response.status_code == 302
    query = InformationQuery.objects.get()
    liaison = client_for("housing_liaison")
    response = liaison.post(
        reverse("bankruptcy:query_answer", args=[query.pk]), {"result": "无登记车辆", "version": 1}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.state == "answered" and query.answer_working_days == 0
    response = court.post(
        reverse("bankruptcy:item_create", args=[case.pk]),
        {
            "kind": "credit_repair",
            "lead_unit": world.units["hrss"].pk,
            "description": "修复重整后企业信用",
            "deadline": "2026-05-01",
        },
    )
    assert response.status_code == 302
    assert (
        client_for("hrss_liaison")
        .get(reverse("bankruptcy:case_detail", args=[case.pk]))
        .status_code
        == 200
    )


def test_fund_pages_and_steps(world, client_for):
    office = client_for("city_office")
    response = office.post(
        reverse("bankruptcy:fund_budget"),
        {"mechanism": world.mechanisms["city"].pk, "year": 2026, "budget": "20000"},
    )
    assert response.status_code == 302
    case = make_case(world)
    court = client_for("court_staff")
    response = court.post(
        reverse("bankruptcy:application_create", args=[case.pk]),
        {"amount": "15000", "reason": "管理人报酬"},
    )
    assert response.status_code == 302
    app = FundApplication.objects.get()
    for step in ("review", "approve"):
        response = office.post(
            reverse("bankruptcy:application_transition", args=[app.pk, step]), {"next": "fund"}
        )
        assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "approved"
    second = reviewed_application(world, case, "8000")
    response = office.post(
        reverse("bankruptcy:application_transition", args=[second.pk, "approve"]), follow=True
    )
    assert "5000" in response.content.decode()  # the refusal names the available balance
    second.refresh_from_db()
    assert second.state == "reviewed"
    fund_page = office.get(reverse("bankruptcy:fund_detail", args=[app.fund_id]))
    assert fund_page.status_code == 200
    assert client_for("court_staff").get(reverse("bankruptcy:fund_list")).status_code == 200
    assert office.get(reverse("bankruptcy:figures")).status_code == 200
    make_fund(world, "1000", mechanism="b")
    assert (
        client_for("a_office")
        .get(reverse("bankruptcy:fund_detail", args=[app.fund_id]))
        .status_code
        == 404
    )
