"""Pages of cases, hearing notices and head-appearance records: the ledger with its filters
in the URL and a flat number of queries, entering and correcting a case, a case's page with
the steps each side may take, announcing hearings, recording and answering records."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fuyuan.litigation import actions
from fuyuan.litigation.models import AdminCase, Appearance, Hearing

from .test_case_actions import make_case

pytestmark = pytest.mark.django_db

LIST = reverse("litigation:case_list")


def _numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [case.number for case in response.context["page"]]


def _cases(world, n: int) -> list[AdminCase]:  # type: ignore[no-untyped-def]
    found = []
    for i in range(n):
        case = make_case(
            world,
            number=f"（2024）豫1722行初{100 + i}号",
            co_defendants=[world.units["a_gov"]] if i % 2 else [],
            enterprise_related=bool(i % 3 == 0),
        )
        found.append(case)
    return found


# --- the ledger -------------------------------------------------------------------------------
def test_ledger_lists_the_users_cases_with_the_count(world, client_for):
    make_case(world)
    make_case(world, "court_staff", number="（2025）豫17行初7号", court="court", defendant="hrss")
    response = client_for("b_court_staff").get(LIST)
    assert response.status_code == 200
    assert _numbers(response) == ["（2024）豫1722行初35号"]
    assert response.context["page"].paginator.count == 1
    assert "上蔡县人民法院" in response.content.decode()
    assert response.context["can_create"]
    city = client_for("city_office").get(LIST)
    assert city.context["page"].paginator.count == 2
    assert not client_for("hrss_liaison").get(LIST).context["can_create"]


def test_ledger_filters_are_kept_in_the_url(world, client_for):
    make_case(world, enterprise_related=True, cause="政府信息公开")
    make_case(world, "court_staff", number="（2025）豫17行初7号", court="court", defendant="hrss")
    office = client_for("city_office")
    assert _numbers(office.get(LIST, {"year": 2025})) == ["（2025）豫17行初7号"]
    assert _numbers(office.get(LIST, {"elsewhere": "on"})) == ["（2024）豫1722行初35号"]
    assert _numbers(office.get(LIST, {"enterprise": "on"})) == ["（2024）豫1722行初35号"]
    assert _numbers(office.get(LIST, {"q": "信息公开"})) == ["（2024）豫1722行初35号"]
    assert _numbers(office.get(LIST, {"q": "王秀兰", "court": world.units["court"].pk})) == [
        "（2025）豫17行初7号"
    ]
    assert _numbers(office.get(LIST, {"jurisdiction": world.county_a.pk})) == [
        "（2024）豫1722行初35号"
    ]
    assert _numbers(office.get(LIST, {"defendant": world.units["hrss"].pk})) == [
        "（2025）豫17行初7号"
    ]
    response = office.get(LIST, {"instance": "first", "stage": "filed"})
    assert response.context["query"] == "instance=first&stage=filed"


def test_ledger_query_count_does_not_grow_with_rows(
    world, client_for, django_assert_max_num_queries
):
    _cases(world, 1)
    client = client_for("a_office")
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(20) as one:
        assert client.get(LIST).status_code == 200
    _cases_more = [
        make_case(
            world, number=f"（2024）豫1722行初{200 + i}号", co_defendants=[world.units["a_gov"]]
        )
        for i in range(9)
    ]
    assert len(_cases_more) == 9
    with django_assert_max_num_queries(len(one.captured_queries)) as ten:
        response = client.get(LIST)
    assert response.context["page"].paginator.count == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_admins_have_no_ledger(client_for):
    assert client_for("system_admin").get(LIST).status_code == 403


# --- entering and correcting ------------------------------------------------------------------
def _form(world, **extra):  # type: ignore[no-untyped-def]
    data = {
        "number": "（2024）豫1722行初36号",
        "court": world.units["b_court"].pk,
        "defendant": world.units["a_hrss"].pk,
        "co_defendants": [world.units["a_gov"].pk],
        "plaintiffs": "河南豫丰建材有限公司",
        "cause": "行政处罚",
        "enterprise_related": "on",
        "filed_on": (timezone.localdate() - datetime.timedelta(days=20)).isoformat(),
        "stage": "filed",
    }
    data.update(extra)
    return data


def test_court_registers_a_case_through_the_form(world, client_for):
    client = client_for("b_court_staff")
    page = client.get(reverse("litigation:case_create"))
    assert page.status_code == 200
    assert page.context["form"].initial["court"] == world.units["b_court"].pk
    response = client.post(reverse("litigation:case_create"), _form(world))
    case = AdminCase.objects.get()
    assert response.status_code == 302 and response["Location"] == actions.case_url(case)
    assert case.enterprise_related and case.co_defendants.get().unit == world.units["a_gov"]


def test_the_form_shows_the_actions_codes(world, client_for):
    response = client_for("b_court_staff").post(
        reverse("litigation:case_create"), _form(world, number="（2024）豫1722民初36号")
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("number", "litigation.not_administrative")
    assert not AdminCase.objects.exists()


def test_a_body_may_not_open_the_entry_form(client_for):
    assert client_for("hrss_liaison").get(reverse("litigation:case_create")).status_code == 403


def test_office_corrects_a_case_with_the_version_it_read(world, client_for):
    case = make_case(world)
    client = client_for("a_office")
    url = reverse("litigation:case_edit", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["version"] == case.version
    today = timezone.localdate()
    data = _form(
        world,
        number=case.number,
        co_defendants=[],
        stage="concluded",
        concluded_on=today.isoformat(),
        outcome="withdrawn",
        version=case.version,
    )
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == ("concluded", "withdrawn")
    stale = client.post(url, {**data, "cause": "另一案由"})  # the old version again
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()


# --- a case's page ----------------------------------------------------------------------------
def _past_hearing(world, case: AdminCase) -> Hearing:  # type: ignore[no-untyped-def]
    return actions.add_hearing(
        world.users["b_court_staff"],
        case,
        timezone.now() - datetime.timedelta(hours=3),
        "第二审判庭",
    )


def test_case_page_shows_each_side_its_steps(world, client_for):
    case = make_case(world)
    hearing = _past_hearing(world, case)
    url = reverse("litigation:case_detail", args=[case.pk])
    court = client_for("b_court_staff").get(url)
    assert court.status_code == 200
    record_url = reverse("litigation:appearance_record", args=[hearing.pk])
    assert record_url in court.content.decode()
    assert "meetings/agenda/pick" not in court.content.decode()

    item = actions.record_appearance(
        world.users["b_court_staff"], hearing, rank="top", head_name="钱卫东", spoke=True
    )
    body = client_for("a_hrss_liaison").get(url).content.decode()
    assert reverse("litigation:appearance_transition", args=[item.pk, "confirm"]) in body
    assert reverse("litigation:appearance_transition", args=[item.pk, "dispute"]) in body
    assert record_url not in body

    office = client_for("a_office").get(url).content.decode()
    assert f"{reverse('meetings:agenda_pick')}?kind=litigation.case&amp;ref={case.pk}" in office
    assert f"{reverse('litigation:dispute_create')}?case={case.pk}" in office
    assert "confirm" not in [t.name for t in _buttons(client_for("a_office"), url)]


def _buttons(client, url: str) -> list:  # type: ignore[no-untyped-def]
    hearings = client.get(url).context["hearings"]
    return [t for h in hearings if h.record for t in h.record.buttons]


def test_case_page_is_not_found_outside_the_users_remit(world, client_for):
    case = make_case(world)
    url = reverse("litigation:case_detail", args=[case.pk])
    for name in ("court_staff", "hrss_liaison", "b_office"):
        assert client_for(name).get(url).status_code == 404


# --- hearings ---------------------------------------------------------------------------------
def test_court_announces_a_hearing_and_it_shows_in_the_notices(world, client_for):
    case = make_case(world)
    client = client_for("b_court_staff")
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        reverse("litigation:hearing_create", args=[case.pk]),
        {"starts_at": f"{day.isoformat()}T09:30", "place": "第一审判庭"},
    )
    assert response.status_code == 302
    hearing = Hearing.objects.get()
    assert timezone.localtime(hearing.starts_at).date() == day
    far = actions.add_hearing(
        world.users["b_court_staff"], case, hearing.starts_at + datetime.timedelta(days=40)
    )

    notices = client_for("a_hrss_liaison").get(reverse("litigation:hearing_list"))
    assert notices.status_code == 200
    assert [h.pk for h in notices.context["page"]] == [hearing.pk]
    later = client_for("a_hrss_liaison").get(
        reverse("litigation:hearing_list"),
        {"date_from": (day + datetime.timedelta(days=30)).isoformat()},
    )
    assert [h.pk for h in later.context["page"]] == [far.pk]
    assert (
        client_for("hrss_liaison")
        .get(reverse("litigation:hearing_list"))
        .context["page"]
        .paginator.count
        == 0
    )


def test_court_cancels_a_hearing_through_its_form(world, client_for):
    case = make_case(world)
    hearing = actions.add_hearing(
        world.users["b_court_staff"], case, timezone.now() + datetime.timedelta(days=3)
    )
    url = reverse("litigation:hearing_edit", args=[hearing.pk])
    client = client_for("b_court_staff")
    page = client.get(url)
    assert page.status_code == 200
    local = timezone.localtime(hearing.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"starts_at": local, "place": "", "state": "cancelled", "version": hearing.version}
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.state == "cancelled"
    assert client_for("a_hrss_liaison").get(url).status_code == 403


# --- appearance records -----------------------------------------------------------------------
def test_court_records_the_body_disputes_and_the_court_corrects(world, client_for):
    case = make_case(world)
    hearing = _past_hearing(world, case)
    court = client_for("b_court_staff")
    url = reverse("litigation:appearance_record", args=[hearing.pk])
    assert court.get(url).status_code == 200
    response = court.post(url, {"rank": "deputy", "head_name": "赵国强", "head_post": "副局长"})
    assert response.status_code == 302
    item = Appearance.objects.get()
    assert (item.rank, item.spoke) == ("deputy", False)

    body = client_for("a_hrss_liaison")
    dispute = reverse("litigation:appearance_transition", args=[item.pk, "dispute"])
    prefix = f"appearance-{item.pk}"
    missing = body.post(dispute, {f"{prefix}-version": item.version})
    assert missing.status_code == 200
    assert any(
        h.record and h.record.form.has_error("comment", "workflow.comment_required")
        for h in missing.context["hearings"]
    )
    ok = body.post(
        dispute, {f"{prefix}-version": item.version, f"{prefix}-comment": "副局长出庭且发言"}
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.state == "disputed"

    page = court.get(url)
    assert page.status_code == 200 and page.context["existing"] == item
    response = court.post(
        url,
        {
            "rank": "deputy",
            "head_name": "赵国强",
            "head_post": "副局长",
            "spoke": "on",
            "comment": "已按庭审笔录更正为出声。",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.spoke) == ("recorded", True)

    confirm = reverse("litigation:appearance_transition", args=[item.pk, "confirm"])
    assert body.post(confirm, {f"{prefix}-version": item.version}).status_code == 302
    item.refresh_from_db()
    assert item.state == "confirmed"
    assert court.get(url).status_code == 403  # nothing left to correct


def test_the_body_may_not_record_and_the_court_may_not_confirm(world, client_for):
    case = make_case(world)
    hearing = _past_hearing(world, case)
    url = reverse("litigation:appearance_record", args=[hearing.pk])
    assert client_for("a_hrss_liaison").get(url).status_code == 403
    item = actions.record_appearance(
        world.users["b_court_staff"], hearing, rank="none", absence_reason="因公出差"
    )
    confirm = reverse("litigation:appearance_transition", args=[item.pk, "confirm"])
    assert client_for("b_court_staff").post(confirm).status_code == 403
    assert client_for("a_hrss_liaison").get(confirm).status_code == 405
    unknown = reverse("litigation:appearance_transition", args=[item.pk, "erase"])
    assert client_for("a_hrss_liaison").post(unknown).status_code == 404
