"""The liaison pages: lists with their tabs, the figures for the office, the key-issue list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fuyuan.core import calendar
from fuyuan.liaison import actions
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calendar() -> None:
    calendar.seed_year(2026)


def _send(world, subject: str, sender: str = "hrss_liaison", unit: str = "hrss"):  # type: ignore[no-untyped-def]
    return actions.create_letter(
        world.users[sender],
        sender_unit=world.units[unit],
        recipient_unit=world.units["court"],
        subject=subject,
        body="内容",
        send=True,
    )


def test_lists_show_received_sent_and_escalated_letters(world, client_for):
    plain = _send(world, "普通联系函")
    disputed = _send(world, "有分歧的联系函")
    actions.reply(world.users["court_staff"], disputed, "意见")
    actions.no_consensus(world.users["hrss_liaison"], disputed, "分歧")
    url = reverse("liaison:letter_list")

    court = client_for("court_staff").get(url, {"tab": "received"})
    assert court.status_code == 200
    assert "普通联系函" in court.content.decode() and "有分歧的联系函" in court.content.decode()
    sent = client_for("court_staff").get(url, {"tab": "sent"}).content.decode()
    assert "普通联系函" not in sent

    escalated = client_for("city_office").get(url, {"tab": "escalated"}).content.decode()
    assert "有分歧的联系函" in escalated and "普通联系函" not in escalated
    everything = client_for("city_office").get(url, {"tab": "all"}).content.decode()
    assert "有分歧的联系函" in everything and "普通联系函" in everything
    leader = client_for("city_leader").get(url).content.decode()
    assert "有分歧的联系函" in leader and "普通联系函" not in leader
    assert plain.pk != disputed.pk


def test_office_figures_per_unit(world, client_for):
    letter = _send(world, "联系函")
    actions.reply(world.users["court_staff"], letter, "意见")
    page = client_for("city_office").get(reverse("liaison:statistics"))
    assert page.status_code == 200
    assert "驻马店市中级人民法院" in page.content.decode()
    assert client_for("hrss_liaison").get(reverse("liaison:statistics")).status_code == 403
    assert client_for("system_admin").get(reverse("liaison:statistics")).status_code == 403


def test_compose_only_for_units(world, client_for):
    assert client_for("hrss_liaison").get(reverse("liaison:letter_create")).status_code == 200
    assert client_for("court_staff").get(reverse("liaison:letter_create")).status_code == 200
    assert client_for("city_office").get(reverse("liaison:letter_create")).status_code == 403
    assert client_for("audit_admin").get(reverse("liaison:letter_list")).status_code == 403


def test_key_issue_page_lists_only_key_issue_matters_the_user_may_see(world, client_for):
    area = world.mechanisms["city"].task_areas.first()
    mine = make_matter(
        world, title="重点：欠薪案件清零", state="assigned", is_key_issue=True, task_area=area
    )
    others = make_matter(
        world, lead="housing", title="重点：问题楼盘化解", state="assigned", is_key_issue=True
    )
    plain = make_matter(world, title="一般事项：培训", state="assigned")
    url = reverse("liaison:key_issues")

    hrss = client_for("hrss_liaison").get(url).content.decode()
    assert mine.title in hrss
    assert others.title not in hrss
    assert plain.title not in hrss
    assert f"/matters/m/{mine.pk}/" in hrss

    office = client_for("city_office").get(url).content.decode()
    assert mine.title in office and others.title in office and plain.title not in office
    county = client_for("a_office").get(url).content.decode()
    assert mine.title not in county
    assert client_for("security_admin").get(url).status_code == 403
