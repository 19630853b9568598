"""The dispute pages: the list with its filters and figures, referring from a case's page or
before filing, a dispute's page with its steps and outcome buttons, and who gets what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fuyuan.litigation import dispute_actions as actions
from fuyuan.litigation import workflow as wf
from fuyuan.litigation.models import Dispute
from fuyuan.matters import sources

from .test_disputes import TODAY, make_case, refer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


LIST = reverse("litigation:dispute_list")
CREATE = reverse("litigation:dispute_create")


def detail(dispute: Dispute) -> str:
    return reverse("litigation:dispute_detail", args=[dispute.pk])


def page_text(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- list -------------------------------------------------------------------------------------
def test_list_shows_the_disputes_their_count_and_the_figures(world, client_for):
    office = world.users["city_office"]
    resolved = refer(world, title="甲争议")
    actions.dispute_transition(office, resolved, "resolve", "撤诉")
    refer(world, "court_staff", case=make_case(world), title="乙争议")
    refer(world, "a_office", unit="a_hrss", title="丙争议")
    text = page_text(client_for("city_office"), LIST)
    assert "甲争议" in text and "乙争议" in text and "丙争议" in text
    assert "共 3 条" in text
    assert "100.0%" in text  # one closed, resolved
    county = page_text(client_for("a_office"), LIST)
    assert "丙争议" in county and "甲争议" not in county and "共 1 条" in county
    assert "—" in county  # nothing closed: no rate


def test_list_filters_by_state_unit_year_and_case(world, client_for):
    office = world.users["city_office"]
    before = refer(world, title="诉前争议")
    during = refer(world, "court_staff", case=make_case(world), title="诉中争议")
    county = refer(world, "a_office", unit="a_hrss", title="县级争议")
    actions.dispute_transition(office, during, "fail", "未能化解")
    c = client_for("city_office")

    def titles(**params: Any) -> set[str]:
        text = page_text(c, LIST, **params)
        return {t for t in ("诉前争议", "诉中争议", "县级争议") if t in text}

    assert titles(state=wf.FAILED) == {"诉中争议"}
    assert titles(unit=world.units["a_hrss"].pk) == {"县级争议"}
    assert titles(has_case="yes") == {"诉中争议"}
    assert titles(has_case="no") == {"诉前争议", "县级争议"}
    assert titles(year=2026) == {"诉前争议", "诉中争议", "县级争议"}
    assert titles(year=2025) == set()
    # The chosen filters stay on the form, and in the page links (the query without the page).
    response = c.get(LIST, {"has_case": "no", "page": 1})
    assert '<option value="no" selected>' in response.content.decode()
    assert response.context["query"] == "has_case=no"
    assert before.pk != county.pk


def test_list_queries_do_not_grow_with_rows(world, client_for):
    c = client_for("city_office")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    refer(world, "court_staff", case=make_case(world))
    one = count()
    for i in range(9):
        unit = ("hrss", "a_hrss")[i % 2]
        refer(world, "city_office", unit=unit, title=f"争议{i}")
    assert count() == one


def test_the_list_is_for_members(world, client_for):
    assert client_for("audit_admin").get(LIST).status_code == 403
    assert client_for("hrss_liaison").get(LIST).status_code == 200


# --- referring --------------------------------------------------------------------------------
def test_referring_from_a_case_prefills_the_case_and_the_body(world, client_for):
    case = make_case(world)
    c = client_for("court_staff")
    text = page_text(c, CREATE, case=case.pk)
    assert case.number in text
    assert f'<option value="{world.units["hrss"].pk}" selected>' in text
    response = c.post(
        f"{CREATE}?case={case.pk}",
        {
            "case": case.number,
            "unit": world.units["hrss"].pk,
            "title": "工伤认定争议",
            "applicant": "张某",
            "summary": "对工伤认定不服",
            "referred_on": "2026-03-09",
            "mediator": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dispute = Dispute.objects.get()
    assert response["Location"] == detail(dispute)
    assert dispute.case == case and dispute.unit == world.units["hrss"]


def test_referring_before_filing_leaves_the_case_empty(world, client_for):
    response = client_for("hrss_liaison").post(
        CREATE,
        {
            "case": "",
            "unit": world.units["hrss"].pk,
            "title": "社保缴费争议",
            "applicant": "某公司",
            "summary": "对补缴决定有异议",
            "referred_on": "2026-03-10",
        },
    )
    assert response.status_code == 302
    assert Dispute.objects.get().case is None


def test_an_unknown_case_number_is_refused_on_the_form(world, client_for):
    make_case(world)
    response = client_for("a_office").post(
        CREATE,
        {
            "case": "（2026）豫17行初3号",  # exists, but not open to county a's office
            "unit": world.units["a_hrss"].pk,
            "title": "争议",
            "applicant": "某人",
            "summary": "摘要",
            "referred_on": "2026-03-10",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("case", "litigation.dispute_case_not_visible")
    assert not Dispute.objects.exists()


def test_who_may_open_the_referral_form(world, client_for):
    case = make_case(world)
    assert client_for("city_office").get(CREATE).status_code == 200
    assert client_for("hrss_liaison").get(CREATE).status_code == 200
    assert client_for("court_staff").get(CREATE).status_code == 403  # only from a case
    assert client_for("court_staff").get(CREATE, {"case": case.pk}).status_code == 200
    assert client_for("city_leader").get(CREATE).status_code == 403
    assert client_for("a_office").get(CREATE, {"case": case.pk}).status_code == 404
    assert client_for("city_office").get(CREATE, {"case": "x"}).status_code == 404


# --- a dispute's page -------------------------------------------------------------------------
def test_steps_and_outcome_through_the_page(world, client_for):
    dispute = refer(world, "court_staff", case=make_case(world))
    c = client_for("city_office")
    text = page_text(c, detail(dispute))
    assert reverse("litigation:dispute_step_add", args=[dispute.pk]) in text
    for name in ("start", "resolve", "settle", "fail"):
        assert reverse("litigation:dispute_transition", args=[dispute.pk, name]) in text
    response = c.post(
        reverse("litigation:dispute_step_add", args=[dispute.pk]),
        {"on": "2026-03-09", "kind": "mediation", "note": "组织双方调解"},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == wf.COORDINATING
    assert "组织双方调解" in page_text(c, detail(dispute))
    url = reverse("litigation:dispute_transition", args=[dispute.pk, "resolve"])
    refused = c.post(url, {"comment": "", "version": dispute.version})
    assert refused.status_code == 200
    assert refused.context["outcome_form"].has_error("comment", "workflow.comment_required")
    done = c.post(url, {"comment": "原告撤诉", "on": "2026-03-10", "version": dispute.version})
    assert done.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == wf.RESOLVED and dispute.outcome_note == "原告撤诉"
    closed = page_text(c, detail(dispute))
    assert "原告撤诉" in closed
    assert reverse("litigation:dispute_step_add", args=[dispute.pk]) not in closed


def test_the_body_sees_no_outcome_buttons_and_may_not_press_them(world, client_for):
    dispute = refer(world)
    c = client_for("hrss_liaison")
    text = page_text(c, detail(dispute))
    assert reverse("litigation:dispute_transition", args=[dispute.pk, "start"]) in text
    assert reverse("litigation:dispute_transition", args=[dispute.pk, "resolve"]) not in text
    url = reverse("litigation:dispute_transition", args=[dispute.pk, "resolve"])
    assert c.post(url, {"comment": "撤诉"}).status_code == 403
    assert (
        c.post(reverse("litigation:dispute_transition", args=[dispute.pk, "x"])).status_code == 404
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("city_office", 200),
        ("city_leader", 200),
        ("hrss_liaison", 200),
        ("a_office", 404),  # another county's office
        ("b_office", 404),
        ("housing_liaison", 404),  # another body's liaison
        ("court_staff", 404),  # no case of its court
        ("audit_admin", 403),
    ],
)
def test_who_opens_a_dispute(world, client_for, role, status):
    dispute = refer(world)
    assert client_for(role).get(detail(dispute)).status_code == status


def test_a_county_dispute_is_hidden_from_another_county_and_other_bodies(world, client_for):
    dispute = refer(world, "a_hrss_liaison", unit="a_hrss")
    assert client_for("b_office").get(detail(dispute)).status_code == 404
    assert client_for("hrss_liaison").get(detail(dispute)).status_code == 404
    step = reverse("litigation:dispute_step_add", args=[dispute.pk])
    assert client_for("b_office").post(step, {"on": "2026-03-10"}).status_code == 404
    assert client_for("a_office").get(detail(dispute)).status_code == 200


def test_the_page_offers_the_agenda_and_lists_meetings_when_disputes_are_a_registered_kind(
    world, client_for, monkeypatch
):
    dispute = refer(world)
    monkeypatch.setitem(
        sources._KINDS,
        actions.DISPUTE_KIND,
        sources.SourceKind(actions.DISPUTE_KIND, "争议", lambda m: ""),
    )
    seen: list[tuple[str, str]] = []

    def provider(kind: str, ref: str, user: Any) -> list[sources.Backlink]:
        seen.append((kind, ref))
        return [sources.Backlink("案件分析会", "/meetings/1/", TODAY, "议程")]

    monkeypatch.setattr(sources, "_PROVIDERS", [provider])
    text = page_text(client_for("city_office"), detail(dispute))
    assert reverse("meetings:agenda_pick") in text and "案件分析会" in text
    assert seen == [(actions.DISPUTE_KIND, str(dispute.pk))]
    assert reverse("meetings:agenda_pick") not in page_text(
        client_for("hrss_liaison"), detail(dispute)
    )
