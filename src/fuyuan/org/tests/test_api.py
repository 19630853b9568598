"""The org API: jurisdictions, units and joint meetings scoped as the org pages (a county sees
its own and the levels above, not a neighbouring county: 404); units with their history and
the unit list's filters, in a number of queries that does not grow with the rows; mechanism
rules without the security settings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from fuyuan.org.models import TaskArea, UnitKind
from fuyuan.testing import make_unit

pytestmark = pytest.mark.django_db

JURISDICTIONS = reverse("api:org-jurisdiction-list")
UNITS = reverse("api:org-unit-list")
MECHANISMS = reverse("api:org-mechanism-list")


def _api(world, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=world.users[role])
    return client


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _names(response) -> set[str]:
    return {row["name"] for row in _rows(response)}


def test_a_county_sees_its_own_and_the_levels_above_but_not_its_neighbour(world):
    county = _api(world, "a_office")
    assert _names(county.get(JURISDICTIONS)) == {"河南省", "驻马店市", "西平县"}
    units = _names(county.get(UNITS))
    assert "西平县司法局" in units and "驻马店市司法局" in units
    assert not any(name.startswith("上蔡县") for name in units)
    assert _names(county.get(MECHANISMS)) == {"驻马店市府院联动联席会议", "西平县府院联动联席会议"}
    for name, pk in (
        ("org-jurisdiction", world.county_b.pk),
        ("org-unit", world.units["b_office"].pk),
        ("org-mechanism", world.mechanisms["b"].pk),
    ):
        response = county.get(reverse(f"api:{name}-detail", kwargs={"pk": pk}))
        assert (response.status_code, response.json()["code"]) == (404, "api.not_found")
    city = _api(world, "city_office")
    assert "上蔡县" in _names(city.get(JURISDICTIONS))
    assert len(_rows(_api(world, "security_admin").get(JURISDICTIONS))) == 4
    denied = _api(world, "audit_admin").get(UNITS)
    assert (denied.status_code, denied.json()["code"]) == (403, "api.forbidden")


def test_units_carry_their_history(world):
    old, new = world.units["old_regulator"], world.units["new_regulator"]
    client = _api(world, "city_office")
    assert old.name not in _names(client.get(UNITS))  # current units only, as on the page
    rows = {row["id"]: row for row in _rows(client.get(UNITS, {"former": "true"}))}
    assert rows[old.pk]["valid_to"] == "2023-10-31" and rows[old.pk]["successor"] == new.pk
    assert rows[old.pk]["is_current"] is False
    assert rows[new.pk]["predecessors"] == [old.pk] and rows[new.pk]["valid_from"] == "2023-11-01"
    assert rows[new.pk]["order_no"] == 33 and "credit_code" in rows[new.pk]
    # A former unit is read from its own URL without the list's filter.
    detail = client.get(reverse("api:org-unit-detail", kwargs={"pk": old.pk}))
    assert detail.status_code == 200 and detail.json()["successor_name"] == new.name
    # Official order within a jurisdiction (排序号), never by name.
    city_units = [r["order_no"] for r in rows.values() if r["jurisdiction"] == world.city.pk]
    assert city_units == sorted(city_units)


def test_the_unit_lists_filters_apply(world):
    client = _api(world, "city_office")
    courts = _names(client.get(UNITS, {"kind": UnitKind.COURT}))
    assert courts == {"驻马店市中级人民法院", "上蔡县人民法院"}
    assert _names(client.get(UNITS, {"q": "人力资源"})) == {
        "驻马店市人力资源和社会保障局",
        "西平县人力资源和社会保障局",
    }
    in_a = _names(client.get(UNITS, {"jurisdiction": world.county_a.pk}))
    assert in_a == {"西平县人民政府", "西平县司法局", "西平县人力资源和社会保障局"}
    counties = _names(client.get(JURISDICTIONS, {"parent": world.city.pk}))
    assert counties == {"西平县", "上蔡县"}
    bad = client.get(UNITS, {"kind": "embassy"})
    assert (bad.status_code, bad.json()["code"]) == (400, "api.invalid")
    # A jurisdiction the user does not see is not a valid choice.
    hidden = _api(world, "a_office").get(UNITS, {"jurisdiction": world.county_b.pk})
    assert hidden.status_code == 400


def test_mechanism_rules_leave_out_the_security_settings(world):
    mechanism = world.mechanisms["city"]
    TaskArea.objects.create(mechanism=mechanism, code="bankruptcy", name="化解企业破产难题")
    response = _api(world, "hrss_liaison").get(
        reverse("api:org-mechanism-detail", kwargs={"pk": mechanism.pk})
    )
    body = response.json()
    assert body["office_unit"] == world.units["city_office"].pk
    assert body["rules"]["reds_for_formal_talk"] == mechanism.config.reds_for_formal_talk
    assert "second_factors" not in body["rules"] and "settings" not in body
    assert [a["code"] for a in body["task_areas"]] == ["bankruptcy"]


def test_the_unit_list_takes_the_same_number_of_queries_for_2_and_10_more_units(world):
    client = _api(world, "city_office")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(UNITS, {"former": "true", "page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        make_unit(f"测试单位{i}", world.city, order_no=50 + i)
    count()  # the user's scope is built once, on the first request
    two = count()
    for i in range(2, 10):
        make_unit(f"测试单位{i}", world.city, order_no=50 + i)
    assert count() == two
