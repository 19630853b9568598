"""A city matter split to two counties and, by one county, to its unit: progress rolls up by
weight; a county office never sees the other county's sub-matter; the city sees a county's
own split only once the county shares it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fuyuan.accounts.models import Role
from fuyuan.matters import actions
from fuyuan.matters.models import Matter
from fuyuan.testing import make_matter, make_user

pytestmark = pytest.mark.django_db


def _split(world):
    today = timezone.localdate()
    city = make_matter(world, title="清理拖欠企业账款", state="assigned")
    due = today + datetime.timedelta(days=20)
    a_part, b_part = actions.decompose(
        world.users["city_office"],
        city,
        [
            {
                "mechanism": world.mechanisms["a"],
                "lead_unit": world.units["a_office"],
                "title": "西平县清欠",
                "deadline": due,
                "weight": 3,
            },
            {
                "mechanism": world.mechanisms["b"],
                "lead_unit": world.units["b_office"],
                "title": "上蔡县清欠",
                "deadline": due,
                "weight": 1,
            },
        ],
    )
    (grandchild,) = actions.decompose(
        world.users["a_office"],
        a_part,
        [
            {
                "mechanism": world.mechanisms["a"],
                "lead_unit": world.units["a_hrss"],
                "title": "西平县人社局清欠",
                "deadline": due,
                "weight": 1,
            }
        ],
    )
    return city, a_part, b_part, grandchild


def test_split_to_two_counties_and_a_county_unit_rolls_progress_up(world, client_for):
    city, a_part, b_part, grandchild = _split(world)
    assert a_part.state == b_part.state == grandchild.state == "assigned"
    assert a_part.jurisdiction == world.county_a and a_part.shared_upward
    assert grandchild.parent == a_part and not grandchild.shared_upward

    a_hrss = world.users["a_hrss_liaison"]
    b_liaison = make_user("b_liaison", Role.LIAISON, unit=world.units["b_office"])
    # The county unit finishes its sub-matter: county a is 100%, county b still 0%.
    actions.transition(a_hrss, grandchild, "sign")
    actions.transition(a_hrss, grandchild, "start")
    actions.transition(a_hrss, grandchild, "report", values={"summary": "已清偿"})
    actions.transition(world.users["a_office"], grandchild, "complete")
    assert Matter.objects.get(pk=a_part.pk).progress == 100
    assert Matter.objects.get(pk=city.pk).progress == 75  # (100*3 + 0*1) / 4
    # County b reports 40% typed progress (no milestones, no children).
    draft = actions.save_feedback_draft(b_liaison, b_part, "已清偿部分", 40)
    actions.submit_feedback(b_liaison, draft)
    assert Matter.objects.get(pk=b_part.pk).progress == 40
    assert Matter.objects.get(pk=city.pk).progress == 85  # (300 + 40) / 4


def test_a_county_office_cannot_see_the_other_county_s_sub_matter(world, client_for):
    _city, a_part, b_part, _grandchild = _split(world)
    b_office = world.users["b_office"]
    visible = set(Matter.objects.visible_to(b_office).values_list("pk", flat=True))
    assert visible == {b_part.pk}
    assert client_for("b_office").get(f"/matters/m/{a_part.pk}/").status_code == 404
    assert client_for("b_office").get(f"/matters/m/{b_part.pk}/").status_code == 200
    assert client_for("a_office").get(f"/matters/m/{b_part.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.decompose(b_office, a_part, [])


def test_the_city_sees_a_county_s_own_split_only_once_shared(world, client_for):
    _city, a_part, _b_part, grandchild = _split(world)
    city_office = world.users["city_office"]
    assert not Matter.objects.visible_to(city_office).filter(pk=grandchild.pk).exists()
    assert client_for("city_office").get(f"/matters/m/{grandchild.pk}/").status_code == 404
    page = client_for("city_office").get(f"/matters/m/{a_part.pk}/")
    assert "西平县人社局清欠" not in page.content.decode()
    assert client_for("a_office").post(f"/matters/m/{grandchild.pk}/share/").status_code == 302
    assert Matter.objects.visible_to(city_office).filter(pk=grandchild.pk).exists()
    page = client_for("city_office").get(f"/matters/m/{a_part.pk}/")
    assert "西平县人社局清欠" in page.content.decode()


def test_a_sub_matter_cannot_outlast_its_parent(world):
    city = make_matter(world, state="assigned")
    with pytest.raises(Exception) as exc:
        actions.decompose(
            world.users["city_office"],
            city,
            [
                {
                    "mechanism": world.mechanisms["a"],
                    "lead_unit": world.units["a_office"],
                    "title": "x",
                    "deadline": city.deadline + datetime.timedelta(days=1),
                    "weight": 1,
                }
            ],
        )
    assert exc.value.error_dict["deadline"][0].code == "decompose.deadline_after_parent"
    assert not city.children.exists()


def test_decompose_page_creates_sub_matters(world, client_for):
    city = make_matter(world, state="assigned")
    client = client_for("city_office")
    assert client.get(f"/matters/m/{city.pk}/decompose/").status_code == 200
    response = client.post(
        f"/matters/m/{city.pk}/decompose/",
        {
            "parts-TOTAL_FORMS": "2",
            "parts-INITIAL_FORMS": "0",
            "parts-0-lead_unit": world.units["a_office"].pk,
            "parts-0-title": "西平县",
            "parts-0-deadline": city.deadline.isoformat(),
            "parts-0-weight": "2",
            "parts-1-lead_unit": world.units["b_office"].pk,
            "parts-1-deadline": city.deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    children = list(city.children.order_by("pk"))
    assert [c.jurisdiction for c in children] == [world.county_a, world.county_b]
    assert [c.weight for c in children] == [2, 1]
