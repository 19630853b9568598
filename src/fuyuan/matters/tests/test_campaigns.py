"""Special campaigns: planning, grouping matters, starting with the campaign's cadence, the
follow-up report (page, sheet, document) and conclusion; who sees what."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fuyuan.audit.models import AuditEntry
from fuyuan.core.calendar import seed_year
from fuyuan.core.workflow import TransitionError
from fuyuan.matters import actions, campaigns
from fuyuan.matters.models import (
    Campaign,
    CampaignKind,
    CampaignMatter,
    Colour,
    FeedbackCadence,
)
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calendar(db: None) -> None:
    today = timezone.localdate()
    for year in {today.year - 1, today.year, today.year + 1}:
        seed_year(year)


def _campaign(world, **extra) -> Campaign:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    values = {
        "mechanism": world.mechanisms["city"],
        "kind": CampaignKind.SPECIAL_SUPERVISION,
        "title": "涉企行政案件专项督促",
        "start_date": today - datetime.timedelta(days=10),
        "end_date": today + datetime.timedelta(days=80),
        "feedback_cadence": FeedbackCadence.MONTHLY,
        "feedback_day": 25,
    }
    values.update(extra)
    return campaigns.create_campaign(world.users["city_office"], **values)


def _three_matters(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    overdue = make_matter(
        world,
        lead="housing",
        title="问题楼盘化解",
        start=today - datetime.timedelta(days=60),
        deadline=today - datetime.timedelta(days=5),
        state="assigned",
    )
    on_track = make_matter(world, lead="hrss", title="出庭应诉率提升", state="assigned")
    court = make_matter(world, lead="court", title="司法建议回复", state="assigned")
    return overdue, on_track, court


def test_campaign_report_lists_matters_with_colours_and_totals(world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    assert campaign.state == "planned"
    overdue, on_track, court = _three_matters(world)
    campaigns.add_matters(office, campaign, [overdue, on_track, court])
    assert CampaignMatter.objects.filter(campaign=campaign).count() == 3

    result = campaigns.start_campaign(office, campaign, apply_cadence=True)
    campaign.refresh_from_db()
    assert campaign.state == "running" and campaign.started_at is not None
    # All three had no cadence: each now reports monthly before the 25th.
    assert sorted(result.cadence_set) == sorted([overdue.pk, on_track.pk, court.pk])
    on_track.refresh_from_db()
    assert on_track.feedback_cadence == FeedbackCadence.MONTHLY
    assert on_track.feedback_day == 25
    assert on_track.next_feedback_due is not None and on_track.next_feedback_due.day in (
        25,
        on_track.deadline.day,
    )

    today = timezone.localdate()
    rows = list(campaigns.campaign_matters(office, campaign, today))
    # Official order of the lead units: 人社局 (6), 住建局 (9), 中院 (40).
    assert [m.pk for m in rows] == [on_track.pk, overdue.pk, court.pk]
    colours = {m.pk: m.colour for m in rows}
    assert colours[overdue.pk] == Colour.RED
    assert colours[on_track.pk] != Colour.RED
    totals = campaigns.report_totals(rows, today)
    assert (totals.matters, totals.overdue, totals.red, totals.completed_on_time) == (3, 1, 1, 0)

    campaigns.conclude_campaign(office, campaign, "三项事项均已督促，一项逾期已约谈。")
    campaign.refresh_from_db()
    assert campaign.state == "concluded"
    assert campaign.conclusion.startswith("三项事项")
    verbs = list(
        AuditEntry.objects.filter(object_kind="matters.campaign", object_id=str(campaign.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert verbs == [
        "matters.campaign.create",
        "matters.campaign.add_matters",
        "matters.campaign.start",
        "matters.campaign.conclude",
    ]


def test_report_page_and_spreadsheet_show_totals(world, client_for) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    overdue, on_track, court = _three_matters(world)
    campaigns.add_matters(office, campaign, [overdue, on_track, court])
    campaigns.start_campaign(office, campaign)
    client = client_for("city_office")
    page = client.get(reverse("matters:campaign_report", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-total="matters">3<' in html
    assert 'data-total="red">1<' in html
    assert 'data-total="overdue">1<' in html
    assert html.count('data-colour="red"') == 1

    sheet = client.get(reverse("matters:campaign_report_xlsx", args=[campaign.pk]))
    assert sheet.status_code == 200
    ws = load_workbook(io.BytesIO(sheet.content)).active
    assert ws["B3"].value == "驻马店市人力资源和社会保障局"
    assert ws["C4"].value == "问题楼盘化解"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert [None, "红色预警", 1] in [r[:3] for r in values]
    assert [None, "事项总数", 3] in [r[:3] for r in values]


def test_report_document_when_the_renderer_exists(world, client_for) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    overdue, on_track, court = _three_matters(world)
    campaigns.add_matters(office, campaign, [overdue, on_track, court])
    response = client_for("city_office").get(
        reverse("matters:campaign_report_docx", args=[campaign.pk])
    )
    assert response.status_code == 200
    import docx

    document = docx.Document(io.BytesIO(response.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "问题楼盘化解" in cells
    assert "驻马店市中级人民法院" in cells


def test_liaison_sees_the_campaign_with_only_its_own_units_matter(world, client_for) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    overdue, on_track, court = _three_matters(world)
    campaigns.add_matters(office, campaign, [overdue, on_track, court])
    liaison = world.users["hrss_liaison"]
    assert list(Campaign.objects.visible_to(liaison)) == [campaign]
    rows = list(campaigns.campaign_matters(liaison, campaign, timezone.localdate()))
    assert [m.pk for m in rows] == [on_track.pk]
    client = client_for("hrss_liaison")
    page = client.get(reverse("matters:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    assert "出庭应诉率提升" in page.content.decode()
    assert "问题楼盘化解" not in page.content.decode()
    # The liaison officer neither manages the campaign nor reads the office's report.
    assert client.get(reverse("matters:campaign_add", args=[campaign.pk])).status_code == 403
    assert client.get(reverse("matters:campaign_report", args=[campaign.pk])).status_code == 403
    # A unit with no matter in it does not see the campaign at all.
    assert not Campaign.objects.visible_to(world.users["regulator_liaison"]).exists()


def test_county_office_cannot_see_the_city_campaign(world, client_for) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world)
    client = client_for("a_office")
    for name in ("campaign_detail", "campaign_report", "campaign_add"):
        assert client.get(reverse(f"matters:{name}", args=[campaign.pk])).status_code == 404
    assert (
        client.post(reverse("matters:campaign_transition", args=[campaign.pk, "start"])).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        campaigns.create_campaign(
            world.users["a_office"],
            mechanism=world.mechanisms["city"],
            kind=CampaignKind.SPECIAL_RECTIFICATION,
            title="x",
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
        )


def test_city_leader_reads_but_does_not_run_the_campaign(world, client_for) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world)
    client = client_for("city_leader")
    assert client.get(reverse("matters:campaign_detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("matters:campaign_report", args=[campaign.pk])).status_code == 200
    assert (
        client.post(reverse("matters:campaign_transition", args=[campaign.pk, "start"])).status_code
        == 403
    )
    with pytest.raises(TransitionError):
        campaigns.start_campaign(world.users["city_leader"], campaign)


def test_only_candidate_matters_may_be_added(world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    county_private = make_matter(world, mechanism="a", lead="a_hrss", shared_upward=False)
    county_shared = make_matter(world, mechanism="a", lead="a_hrss", title="县级分解事项")
    with pytest.raises(ValidationError) as err:
        campaigns.add_matters(office, campaign, [county_private])
    assert err.value.error_dict["matters"][0].code == "campaign.matter_not_allowed"
    campaigns.add_matters(office, campaign, [county_shared])
    # Starting with the cadence leaves the county's matter alone (not the city's to edit).
    result = campaigns.start_campaign(office, campaign, apply_cadence=True)
    assert result.cadence_skipped == [county_shared.pk]
    county_shared.refresh_from_db()
    assert county_shared.feedback_cadence == FeedbackCadence.NONE


def test_concluding_needs_a_conclusion_and_a_concluded_campaign_is_frozen(world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    matter = make_matter(world)
    campaigns.start_campaign(office, campaign)
    with pytest.raises(TransitionError) as err:
        campaigns.conclude_campaign(office, campaign, "  ")
    assert err.value.code == "workflow.fields_required"
    campaign.refresh_from_db()
    campaigns.conclude_campaign(office, campaign, "完成")
    with pytest.raises(PermissionDenied):
        campaigns.add_matters(office, campaign, [matter])


def test_pages_create_add_and_start_through_the_browser(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    today = timezone.localdate()
    response = client.post(
        reverse("matters:campaign_create"),
        {
            "mechanism": world.mechanisms["city"].pk,
            "kind": CampaignKind.EFFECT_TRACKING,
            "title": "跟踪问效",
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=30)).isoformat(),
            "feedback_cadence": FeedbackCadence.QUARTERLY,
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(title="跟踪问效")
    hrss = make_matter(world, lead="hrss", title="人社事项")
    make_matter(world, lead="housing", title="住建事项")
    add_url = reverse("matters:campaign_add", args=[campaign.pk])
    found = client.get(add_url, {"q": "人社"})
    assert found.status_code == 200
    assert "人社事项" in found.content.decode() and "住建事项" not in found.content.decode()
    by_unit = client.get(add_url, {"lead_unit": world.units["housing"].pk}).content.decode()
    assert "住建事项" in by_unit and "人社事项" not in by_unit
    assert client.post(add_url, {"matters": [hrss.pk]}).status_code == 302
    assert list(campaign.entries.values_list("matter_id", flat=True)) == [hrss.pk]
    listing = client.get(reverse("matters:campaign_list"))
    assert listing.status_code == 200 and "跟踪问效" in listing.content.decode()
    start = reverse("matters:campaign_transition", args=[campaign.pk, "start"])
    assert client.post(start, {"apply_cadence": "on"}).status_code == 302
    hrss.refresh_from_db()
    assert hrss.feedback_cadence == FeedbackCadence.QUARTERLY
    remove = reverse("matters:campaign_remove", args=[campaign.pk, hrss.pk])
    assert client.post(remove).status_code == 302
    assert not campaign.entries.exists()


def test_administrators_and_anonymous_are_kept_out(world, client_for) -> None:  # type: ignore[no-untyped-def]
    campaign = _campaign(world)
    from django.test import Client

    assert Client().get(reverse("matters:campaign_list")).status_code == 302
    for name in ("system_admin", "security_admin", "audit_admin"):
        client = client_for(name)
        assert client.get(reverse("matters:campaign_list")).status_code == 403
        assert client.get(reverse("matters:campaign_detail", args=[campaign.pk])).status_code == 403


def _detail_queries(client, campaign) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("matters:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_page_query_count_is_flat(world, client_for) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    campaign = _campaign(world)
    client = client_for("city_office")
    first = [make_matter(world, lead=lead, state="assigned") for lead in ("hrss", "court")]
    campaigns.add_matters(office, campaign, first)
    few = _detail_queries(client, campaign)
    more = [
        make_matter(world, lead=lead, title=f"事项{i}", state="assigned")
        for i, lead in enumerate(("hrss", "housing", "court", "housing", "hrss", "court"))
    ]
    campaigns.add_matters(office, campaign, more)
    assert _detail_queries(client, campaign) == few


def test_report_counts_late_reports_and_shows_the_latest_progress(world) -> None:  # type: ignore[no-untyped-def]
    office = world.users["city_office"]
    liaison = world.users["hrss_liaison"]
    today = timezone.localdate()
    late = make_matter(
        world,
        lead="hrss",
        title="按月反馈事项",
        start=today - datetime.timedelta(days=40),
        deadline=today + datetime.timedelta(days=60),
        state="assigned",
        feedback_cadence=FeedbackCadence.MONTHLY,
        feedback_day=1,
    )
    assert late.next_feedback_due is not None and late.next_feedback_due < today
    draft = actions.save_feedback_draft(liaison, late, "已完成调研。", progress=40)
    actions.submit_feedback(liaison, draft)
    campaign = _campaign(world)
    campaigns.add_matters(office, campaign, [late])
    [row] = campaigns.campaign_matters(office, campaign, today)
    assert row.late_reports == 1
    assert row.latest_progress == "已完成调研。"
    assert row.progress == 40
    assert campaigns.report_totals([row], today).late_reports == 1
