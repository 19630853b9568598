"""Pages of list checks: the list with the feedback table (query count flat), a new check (one
party, a batch file), a check's page (measures and basis, masked identifiers), feedback and
confirmation posts, the figures page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuyuan.enforcement import check_actions as actions
from fuyuan.enforcement.models import Check, CheckHit, FeedbackAction, HitState, Scenario
from fuyuan.testing import World

from .test_checks import entry, person_id

pytestmark = pytest.mark.django_db


def _check(w: World, parties: list[tuple[str, str]], scenario: str = Scenario.PROCUREMENT) -> Any:
    return actions.run_check(
        w.users["hrss_liaison"], unit=w.units["hrss"], scenario=scenario, parties=parties
    )


def test_the_list_shows_checks_and_the_feedback_rate_per_department(
    world: World, client_for: Any
) -> None:
    entry("王建国", person_id(1))
    c = _check(world, [("王建国", person_id(1))])
    [hit] = c.matches.all()
    actions.give_feedback(
        world.users["hrss_liaison"], hit, action=FeedbackAction.APPLIED, measure="procurement.award"
    )
    page = client_for("city_office").get(reverse("enforcement:check_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.units["hrss"].name in text and "100.0%" in text
    assert reverse("enforcement:check_detail", args=[c.pk]) in text


def test_the_list_runs_a_flat_number_of_queries(
    world: World, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    entry("王建国", person_id(1))
    client = client_for("city_office")
    _check(world, [("王建国", person_id(1))])
    client.get(reverse("enforcement:check_list"))
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("enforcement:check_list"))
    for _i in range(9):
        _check(world, [("王建国", person_id(1)), ("李四", "")])
    actions.run_check(
        world.users["housing_liaison"],
        unit=world.units["housing"],
        scenario=Scenario.MARKET_ENTRY,
        parties=[("王建国", "")],
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("enforcement:check_list"))
    assert response.context["page"].paginator.count == 11


def test_a_department_checks_one_party_and_sees_the_measures_of_its_scenario(
    world: World, client_for: Any
) -> None:
    entry("王建国", person_id(1))
    client = client_for("hrss_liaison")
    assert client.get(reverse("enforcement:check_new")).status_code == 200
    response = client.post(
        reverse("enforcement:check_new"),
        {
            "unit": world.units["hrss"].pk,
            "scenario": Scenario.HONOURS,
            "reference": "2026年度劳动模范推荐",
            "name": "王建国",
            "identifier": person_id(1),
        },
    )
    check = Check.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enforcement:check_detail", args=[check.pk])
    page = client.get(response["Location"]).content.decode()
    assert "文明城市" in page and "中办发〔2016〕64号" in page
    assert "财库〔2016〕125号" not in page  # procurement measures are not honours measures
    assert person_id(1) in page  # the department sees what it typed


def test_the_office_sees_identifiers_masked(world: World, client_for: Any) -> None:
    entry("王建国", person_id(1))
    c = _check(world, [("王建国", person_id(1))])
    page = client_for("city_office").get(reverse("enforcement:check_detail", args=[c.pk]))
    text = page.content.decode()
    assert person_id(1) not in text
    assert person_id(1)[:6] + "********" + person_id(1)[-4:] in text
    assert "check_feedback" not in text and "Record feedback" not in text


def test_a_bad_identifier_is_refused_on_the_form(world: World, client_for: Any) -> None:
    response = client_for("hrss_liaison").post(
        reverse("enforcement:check_new"),
        {
            "unit": world.units["hrss"].pk,
            "scenario": Scenario.SUBSIDY,
            "name": "王",
            "identifier": "12",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("identifier")
    assert not Check.objects.exists()


def test_a_batch_file_is_checked_and_its_row_errors_reported(world: World, client_for: Any) -> None:
    entry("王建国", person_id(1))
    text = f"姓名,证件号码\n王建国,{person_id(1)}\n,{person_id(2)}\n李秀兰,\n"
    upload = SimpleUploadedFile("名单.csv", text.encode("gb18030"))
    response = client_for("hrss_liaison").post(
        reverse("enforcement:check_new"),
        {"unit": world.units["hrss"].pk, "scenario": Scenario.SUBSIDY, "file": upload},
        follow=True,
    )
    check = Check.objects.get()
    assert (check.parties, check.hits, check.file_name) == (2, 1, "名单.csv")
    shown = [str(m) for m in response.context["messages"]]
    assert any("3" in m for m in shown if "Row" in m or "行" in m)


def test_feedback_is_posted_and_a_missing_reason_refused(world: World, client_for: Any) -> None:
    entry("王建国", person_id(1))
    c = _check(world, [("王建国", person_id(1))])
    hit = CheckHit.objects.get(check_run=c)
    client = client_for("hrss_liaison")
    url = reverse("enforcement:check_feedback", args=[hit.pk])
    refused = client.post(url, {"action": FeedbackAction.NOT_APPLICABLE, "note": ""})
    assert refused.status_code == 302
    hit.refresh_from_db()
    assert hit.feedback == ""
    client.post(url, {"action": FeedbackAction.APPLIED, "measure": "procurement.supplier"})
    hit.refresh_from_db()
    assert (hit.feedback, hit.measure) == (FeedbackAction.APPLIED, "procurement.supplier")
    page = client.get(reverse("enforcement:check_detail", args=[c.pk])).content.decode()
    assert "依法限制失信被执行人作为供应商参加政府采购活动" in page
    assert client_for("city_office").post(url, {"action": "applied"}).status_code == 403
    assert client_for("a_office").post(url, {"action": "applied"}).status_code == 404


def test_a_match_is_confirmed_by_the_department(world: World, client_for: Any) -> None:
    entry("刘桂芳", person_id(9))
    c = _check(world, [("刘桂芳", "")])
    hit = CheckHit.objects.get(check_run=c)
    client = client_for("hrss_liaison")
    client.post(reverse("enforcement:check_confirm", args=[hit.pk]), {"same": "yes"})
    hit.refresh_from_db()
    assert hit.state == HitState.CONFIRMED_HIT


def test_figures_for_offices_and_leaders_only(world: World, client_for: Any) -> None:
    entry("王建国", person_id(1))
    _check(world, [("王建国", person_id(1))])
    page = client_for("city_leader").get(
        reverse("enforcement:check_figures"), {"first": "2000-01-01", "last": "2099-12-31"}
    )
    assert page.status_code == 200
    assert page.context["figures"][0].hits == 1
    assert page.context["figures"][0].feedback_rate == 0
    assert client_for("hrss_liaison").get(reverse("enforcement:check_figures")).status_code == 403


def test_other_departments_and_counties_do_not_see_the_check(world: World, client_for: Any) -> None:
    c = _check(world, [("王建国", "")])
    url = reverse("enforcement:check_detail", args=[c.pk])
    assert client_for("housing_liaison").get(url).status_code == 404
    assert client_for("a_office").get(url).status_code == 404
    assert client_for("system_admin").get(url).status_code == 403
