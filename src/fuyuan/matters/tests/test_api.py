"""The matters API: the ledger's rows (scoped as the ledger, with its filters and colours) in a
number of queries that does not grow with the rows; a matter with its timeline and latest
report, 404 outside the user's remit; progress reports and workflow steps through the same
actions as the page — audited, on the timeline — and refusals in the one error shape."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from fuyuan.audit.models import AuditEntry
from fuyuan.exchange.testing import client_token
from fuyuan.matters import actions
from fuyuan.matters.models import Feedback, Matter
from fuyuan.org.models import TaskArea
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db

LIST = reverse("api:matter-list")


def _api(world, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[role])
    return client


def _detail(pk: int) -> str:
    return reverse("api:matter-detail", kwargs={"pk": pk})


def _feedback(pk: int) -> str:
    return reverse("api:matter-feedback", kwargs={"pk": pk})


def _transition(pk: int) -> str:
    return reverse("api:matter-transition", kwargs={"pk": pk})


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_list_is_scoped_like_the_ledger(world):
    city = make_matter(world, title="市级事项", state="assigned")
    county_a = make_matter(world, mechanism="a", lead="a_hrss", title="西平事项", state="assigned")
    county_b = make_matter(
        world, mechanism="b", lead="b_office", title="上蔡事项", state="assigned"
    )
    assert _ids(_api(world, "city_office").get(LIST)) == {city.pk, county_a.pk, county_b.pk}
    assert _ids(_api(world, "a_office").get(LIST)) == {county_a.pk}
    assert _ids(_api(world, "hrss_liaison").get(LIST)) == {city.pk}
    assert _ids(_api(world, "a_hrss_liaison").get(LIST)) == {county_a.pk}
    # A county a user cannot read county b's matter: not found, in the one error shape.
    response = _api(world, "a_office").get(_detail(county_b.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "api.not_found"
    denied = _api(world, "system_admin").get(LIST)
    assert (denied.status_code, denied.json()["code"]) == (403, "api.forbidden")
    assert APIClient().get(LIST).status_code in (401, 403)


def test_rows_carry_what_the_ledger_shows(world):
    today = timezone.localdate()
    area = TaskArea.objects.create(
        mechanism=world.mechanisms["city"], code="bankruptcy", name="化解企业破产难题"
    )
    m = make_matter(
        world,
        title="欠薪案件协调",
        state="assigned",
        start=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=1),
        co_units=[world.units["housing"], world.units["court"]],
        task_area=area,
        matter_type="key_issue",
    )
    row = _api(world, "city_office").get(LIST).json()["results"][0]
    assert row["id"] == m.pk
    assert (row["colour"], row["state"], row["deadline"]) == (
        "red",
        "assigned",
        m.deadline.isoformat(),
    )
    assert (row["lead_unit"], row["lead_unit_name"]) == (
        world.units["hrss"].pk,
        "驻马店市人力资源和社会保障局",
    )
    assert [c["unit"] for c in row["co_units"]] == [
        world.units["housing"].pk,
        world.units["court"].pk,
    ]
    assert (row["matter_type"], row["progress"], row["latest_progress"]) == ("key_issue", 0, None)
    assert (row["task_area"], row["task_area_name"]) == (area.pk, "化解企业破产难题")
    assert row["colour_label"] and row["state_label"]


def test_the_ledgers_filters_apply(world):
    today = timezone.localdate()
    late = make_matter(
        world,
        title="逾期事项",
        state="assigned",
        start=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=1),
    )
    on_time = make_matter(world, title="正常事项", state="assigned")
    housing = make_matter(world, lead="housing", title="住建事项", state="assigned")
    draft = make_matter(world, title="草稿事项")
    office = _api(world, "city_office")
    assert _ids(office.get(LIST, {"colour": "red"})) == {late.pk}
    assert _ids(office.get(LIST, {"lead_unit": world.units["housing"].pk})) == {housing.pk}
    assert _ids(office.get(LIST, {"state": "draft"})) == {draft.pk}
    assert on_time.pk in _ids(office.get(LIST, {"colour": "green"}))
    # Worst first by default, as the ledger.
    assert office.get(LIST).json()["results"][0]["id"] == late.pk
    bad = office.get(LIST, {"colour": "purple"})
    assert (bad.status_code, bad.json()["code"]) == (400, "api.invalid")
    assert bad.json()["errors"][0]["field"] == "colour"


def test_the_list_takes_the_same_number_of_queries_for_2_and_10_matters(world):
    office = _api(world, "city_office")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        make_matter(world, title=f"事项{i}", state="assigned", co_units=[world.units["housing"]])
    count()  # the user's scope is built once, on the first request
    two = count()
    for i in range(8):
        make_matter(world, title=f"更多事项{i}", state="assigned", co_units=[world.units["court"]])
    assert len(office.get(LIST).json()["results"]) == 10
    assert count() == two


def test_a_matter_reads_with_its_timeline_and_latest_report(world):
    m = make_matter(world, title="欠薪案件协调", state="assigned")
    liaison = world.users["hrss_liaison"]
    for text in ("第一次进展", "第二次进展"):
        draft = actions.save_feedback_draft(liaison, Matter.objects.get(pk=m.pk), text, 20)
        actions.submit_feedback(liaison, draft)
    body = _api(world, "city_office").get(_detail(m.pk)).json()
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[:2] == ["created", "transition:assign"] and kinds.count("feedback") == 2
    assert body["latest_feedback"]["text"] == "第二次进展"
    assert body["latest_feedback"]["unit"] == world.units["hrss"].pk
    assert body["colour"] == "green" and body["latest_progress"] == "第二次进展"
    offered = {
        t["name"] for t in _api(world, "hrss_liaison").get(_detail(m.pk)).json()["transitions"]
    }
    assert offered == {"sign"}


def test_a_progress_report_goes_through_the_action_with_timeline_and_audit(world):
    m = make_matter(world, title="欠薪案件协调", state="assigned")
    response = _api(world, "hrss_liaison").post(
        _feedback(m.pk), {"text": "兑付工资80万元", "progress": 40}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["latest_feedback"]["text"] == "兑付工资80万元" and body["progress"] == 40
    report = Feedback.objects.get(matter=m)
    assert (report.status, report.author, report.progress) == (
        "submitted",
        world.users["hrss_liaison"],
        40,
    )
    assert m.timeline.filter(kind="feedback", text="兑付工资80万元").count() == 1
    assert AuditEntry.objects.filter(action="matters.feedback.submit").count() == 1
    assert AuditEntry.objects.filter(action="matters.matter.feedback").count() == 1


def test_a_refused_report_answers_in_the_error_shape(world):
    m = make_matter(world, title="欠薪案件协调", state="assigned")
    other = make_matter(world, title="另一事项", state="assigned")
    actions.set_milestones(
        world.users["city_office"], other, [{"title": "方案", "due_date": other.deadline}]
    )
    stone = other.milestones.get()
    office = _api(world, "city_office").post(_feedback(m.pk), {"text": "进展"}, format="json")
    assert (office.status_code, office.json()["code"]) == (403, "api.forbidden")
    hidden = _api(world, "court_staff").post(_feedback(m.pk), {"text": "进展"}, format="json")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "api.not_found")
    liaison = _api(world, "hrss_liaison")
    empty = liaison.post(_feedback(m.pk), {"text": ""}, format="json")
    assert (empty.status_code, empty.json()["code"]) == (400, "api.invalid")
    too_much = liaison.post(_feedback(m.pk), {"text": "进展", "progress": 120}, format="json")
    assert too_much.status_code == 400 and too_much.json()["errors"][0]["field"] == "progress"
    wrong = liaison.post(_feedback(m.pk), {"text": "进展", "milestone": stone.pk}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "feedback.milestone")
    assert not Feedback.objects.exists()


def test_workflow_steps_follow_the_graph(world):
    m = make_matter(world, title="欠薪案件协调", state="assigned")
    liaison = _api(world, "hrss_liaison")
    office = _api(world, "city_office")
    # The office may accept a matter, but not before it is reported: 409 with the code.
    early = office.post(_transition(m.pk), {"name": "complete"}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "workflow.not_allowed")
    # The lead unit never accepts its own matter: 403.
    own = liaison.post(_transition(m.pk), {"name": "complete"}, format="json")
    assert (own.status_code, own.json()["code"]) == (403, "api.forbidden")
    for step in ("sign", "start"):
        assert liaison.post(_transition(m.pk), {"name": step}, format="json").status_code == 200
    no_summary = liaison.post(_transition(m.pk), {"name": "report"}, format="json")
    assert (no_summary.status_code, no_summary.json()["code"]) == (409, "workflow.fields_required")
    reported = liaison.post(
        _transition(m.pk), {"name": "report", "summary": "已全部兑付"}, format="json"
    )
    assert reported.json()["state"] == "reported"
    no_reason = office.post(_transition(m.pk), {"name": "send_back"}, format="json")
    assert (no_reason.status_code, no_reason.json()["code"]) == (409, "workflow.comment_required")
    stale = office.post(_transition(m.pk), {"name": "complete", "version": 1}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "api.stale")
    version = reported.json()["version"]
    done = office.post(_transition(m.pk), {"name": "complete", "version": version}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "completed"
    m.refresh_from_db()
    assert m.state == "completed"
    assert m.timeline.filter(kind="transition:complete").count() == 1
    assert AuditEntry.objects.filter(action="matters.matter.complete", object_id=str(m.pk)).exists()
    unknown = office.post(_transition(m.pk), {"name": "close"}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "api.invalid")


def test_a_read_only_token_cannot_write(world):
    m = make_matter(world, title="欠薪案件协调", state="assigned")
    token = client_token(unit=world.units["hrss"], scopes={"matters": "read"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _ids(client.get(LIST)) == {m.pk}
    refused = client.post(_feedback(m.pk), {"text": "进展"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "api.scope")
    assert not Feedback.objects.exists()
