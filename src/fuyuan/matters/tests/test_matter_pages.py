"""A matter's page: registered by the office, only the steps the graph allows shown, a
liaison reaching only its unit's matters (403/404 otherwise), errors shown on the form, and
a query count that does not grow with the timeline or the sub-matters."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuyuan.matters import actions
from fuyuan.matters.models import Matter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


def test_office_registers_a_matter_with_milestones(world, client_for):
    client = client_for("city_office")
    assert client.get("/matters/m/new/").status_code == 200
    today = timezone.localdate()
    response = client.post(
        "/matters/m/new/",
        {
            "mechanism": world.mechanisms["city"].pk,
            "title": "推进负责人出庭应诉",
            "matter_type": "key_issue",
            "lead_unit": world.units["hrss"].pk,
            "co_units": [world.units["housing"].pk],
            "tags": "出庭, 涉企",
            "start_date": today.isoformat(),
            "deadline_kind": "calendar_days",
            "deadline_days": "30",
            "feedback_cadence": "monthly",
            "feedback_day": "25",
            "milestones-TOTAL_FORMS": "3",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "制定方案",
            "milestones-0-due_date": (today + datetime.timedelta(days=10)).isoformat(),
            "milestones-0-weight": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    matter = Matter.objects.get(title="推进负责人出庭应诉")
    assert response["Location"] == f"/matters/m/{matter.pk}/"
    assert matter.deadline == today + datetime.timedelta(days=30)
    assert matter.tags == ["出庭", "涉企"] and matter.milestones.count() == 1
    assert list(matter.co_units.values_list("unit", flat=True)) == [world.units["housing"].pk]
    assert client_for("hrss_liaison").get("/matters/m/new/").status_code == 403


def test_page_shows_only_the_steps_the_graph_allows(world, client_for):
    matter = make_matter(world, state="assigned")
    liaison_page = client_for("hrss_liaison").get(f"/matters/m/{matter.pk}/").content.decode()
    assert f"/matters/m/{matter.pk}/do/sign/" in liaison_page
    assert f"/matters/m/{matter.pk}/do/complete/" not in liaison_page
    assert f"/matters/m/{matter.pk}/urge/" not in liaison_page
    office_page = client_for("city_office").get(f"/matters/m/{matter.pk}/").content.decode()
    assert f"/matters/m/{matter.pk}/do/sign/" not in office_page
    assert f"/matters/m/{matter.pk}/urge/" in office_page
    assert 'style="' not in office_page


def test_a_liaison_reaches_only_its_unit_s_matters(world, client_for):
    mine = make_matter(world, state="assigned")
    other = make_matter(world, lead="housing", state="assigned")
    client = client_for("hrss_liaison")
    assert client.get(f"/matters/m/{mine.pk}/").status_code == 200
    assert client.get(f"/matters/m/{other.pk}/").status_code == 404
    assert client.post(f"/matters/m/{other.pk}/do/sign/").status_code == 404
    assert client.post(f"/matters/m/{other.pk}/feedback/", {"text": "x"}).status_code == 404
    # Visible but not permitted: 403.
    assert client.post(f"/matters/m/{mine.pk}/urge/", {"text": "x"}).status_code == 403
    assert client.post(f"/matters/m/{mine.pk}/do/complete/").status_code == 403
    assert client.get(f"/matters/m/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/matters/m/{mine.pk}/do/sign/").status_code == 302
    assert Matter.objects.get(pk=mine.pk).state == "signed"
    assert Matter.objects.get(pk=other.pk).state == "assigned"
    office = client_for("city_office")
    assert office.get(f"/matters/m/{other.pk}/").status_code == 200


def test_send_back_without_a_comment_is_shown_as_a_form_error(world, client_for):
    matter = make_matter(world, state="assigned")
    liaison = world.users["hrss_liaison"]
    actions.transition(liaison, matter, "sign")
    actions.transition(liaison, matter, "start")
    actions.transition(liaison, matter, "report", values={"summary": "done"})
    response = client_for("city_office").post(f"/matters/m/{matter.pk}/do/send_back/", {})
    assert response.status_code == 200
    form = response.context["transition_form"]
    assert form.has_error("comment", "workflow.comment_required")
    assert Matter.objects.get(pk=matter.pk).state == "reported"
    stale = client_for("city_office").post(
        f"/matters/m/{matter.pk}/do/complete/", {"version": matter.version - 1}
    )
    assert stale.status_code == 200 and stale.context["transition_form"].non_field_errors()


def test_extension_decision_through_the_page(world, client_for):
    today = timezone.localdate()
    matter = make_matter(world, state="assigned")
    client = client_for("hrss_liaison")
    response = client.post(
        f"/matters/m/{matter.pk}/extension/",
        {
            "new_deadline": (matter.deadline + datetime.timedelta(days=10)).isoformat(),
            "reason": "需协调",
            "progress_note": "过半",
        },
    )
    assert response.status_code == 302
    ext = matter.extensions.get()
    url = f"/matters/m/{matter.pk}/extension/{ext.pk}/refuse/"
    assert client.post(url, {"comment": "x"}).status_code == 403
    office = client_for("city_office")
    assert (
        office.post(url, {})
        .context["decision_form"]
        .has_error("comment", "extension.comment_required")
    )
    assert office.post(f"/matters/m/{matter.pk}/extension/{ext.pk}/approve/").status_code == 302
    assert Matter.objects.get(pk=matter.pk).deadline > today + datetime.timedelta(days=30)


def test_detail_query_count_is_flat(world, client_for):
    matter = make_matter(world, state="assigned")
    office = world.users["city_office"]
    client = client_for("city_office")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/matters/m/{matter.pk}/").status_code == 200
        return len(ctx.captured_queries)

    part = {
        "mechanism": world.mechanisms["a"],
        "lead_unit": world.units["a_office"],
        "title": "子事项",
        "deadline": matter.deadline,
        "weight": 1,
    }
    actions.decompose(office, matter, [part])
    actions.urge(office, matter, "催办一")
    small = count()
    actions.decompose(office, matter, [part, part, part])
    for i in range(5):
        actions.urge(office, matter, f"催办{i}")
    assert count() == small
