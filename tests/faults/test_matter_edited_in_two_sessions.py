"""Fault: two people edit the same matter at the same time.

Two signed-in sessions (two office staff of the city, and the same person in two browser
tabs) open the matter's edit page; the form carries the version each read. The first to save
wins; the second is refused with the conflict message in the page, in Chinese — its changes
are not saved, the first's are kept, nothing is overwritten silently. A form posted without
the version is refused too. Through the API the same race on a step of the workflow gives
409 `api.stale` to the second."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fuyuan.accounts.models import Role
from fuyuan.audit.models import AuditEntry
from fuyuan.matters.models import Matter
from fuyuan.testing import make_matter, make_user

from .forms import form_fields

pytestmark = pytest.mark.django_db
CONFLICT = "您打开该记录后，已有他人修改。请刷新后重试。"


def _open_edit_page(client: Client, matter: Matter) -> dict[str, list[str]]:
    page = client.get(f"/matters/m/{matter.pk}/edit/")
    assert page.status_code == 200
    fields = form_fields(page.content.decode(), "version")
    assert fields["version"] == [str(matter.version)]
    return fields


def _second_office_user(world: Any) -> Any:
    """Another member of staff of the city's office, signed in on another machine."""
    return make_user("city_office_2", Role.OFFICE, jurisdiction=world.city)


@pytest.mark.parametrize("who", ["two_office_staff", "one_person_two_tabs"])
def test_the_second_save_is_refused_and_the_first_kept(world, who) -> None:  # type: ignore[no-untyped-def]
    matter = make_matter(world, title="推进行政机关负责人出庭应诉")
    first_user = world.users["city_office"]
    second_user = _second_office_user(world) if who == "two_office_staff" else first_user
    first, second = Client(), Client()
    first.force_login(first_user)
    second.force_login(second_user)
    first_form = _open_edit_page(first, matter)
    second_form = _open_edit_page(second, matter)
    version = matter.version

    first_form["title"] = ["推进行政机关负责人出庭应诉（第一人修改）"]
    saved = first.post(f"/matters/m/{matter.pk}/edit/", first_form)
    assert saved.status_code == 302, saved.content.decode()[:3000]

    second_form["title"] = ["第二人的标题"]
    second_form["deadline_days"] = ["45"]
    refused = second.post(f"/matters/m/{matter.pk}/edit/", second_form)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert CONFLICT in page and 'class="alert alert-danger"' in page
    # The page keeps what the second person typed, so nothing they wrote is lost to them.
    assert "第二人的标题" in page

    matter.refresh_from_db()
    assert matter.title == "推进行政机关负责人出庭应诉（第一人修改）"
    assert matter.version == version + 1
    updates = AuditEntry.objects.filter(action="matters.matter.update", object_id=str(matter.pk))
    assert updates.count() == 1
    assert updates.get().actor_id == first_user.pk

    # Reloaded, the second person sees the first's change and may save over it knowingly.
    again = _open_edit_page(second, matter)
    assert again["title"] == ["推进行政机关负责人出庭应诉（第一人修改）"]
    again["title"] = ["第二人的标题"]
    assert second.post(f"/matters/m/{matter.pk}/edit/", again).status_code == 302
    matter.refresh_from_db()
    assert (matter.title, matter.version) == ("第二人的标题", version + 2)


def test_a_form_posted_without_its_version_is_refused(world, client_for) -> None:  # type: ignore[no-untyped-def]
    matter = make_matter(world)
    client = client_for("city_office")
    fields = _open_edit_page(client, matter)
    del fields["version"]
    fields["title"] = ["没有版本号的修改"]
    response = client.post(f"/matters/m/{matter.pk}/edit/", fields)
    assert response.status_code == 200
    assert response.context["form"].has_error("version")
    matter.refresh_from_db()
    assert matter.title != "没有版本号的修改" and matter.version == 1


def test_the_same_race_through_the_api_gives_409_to_the_second(world) -> None:  # type: ignore[no-untyped-def]
    matter = make_matter(world, state="assigned")
    liaison = world.users["hrss_liaison"]
    one, two = APIClient(), APIClient()
    one.force_authenticate(liaison)
    two.force_authenticate(liaison)
    url = f"/api/v1/matters/{matter.pk}/"
    read_one = one.get(url).json()["version"]
    read_two = two.get(url).json()["version"]
    assert read_one == read_two == matter.version

    signed = one.post(url + "transition/", {"name": "sign", "version": read_one}, format="json")
    assert signed.status_code == 200, signed.content
    # The second session, on its stale read, takes a step the new state allows: refused as
    # stale, not applied over the first's.
    stale = two.post(url + "transition/", {"name": "start", "version": read_two}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "api.stale")
    assert "message" in stale.json()
    # The same step as the first (already taken): refused by the workflow.
    again = two.post(url + "transition/", {"name": "sign", "version": read_two}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "workflow.not_allowed")
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.state, stored.version) == ("signed", read_one + 1)
    # Read again, the second session's step goes through.
    fresh = two.get(url).json()["version"]
    started = two.post(url + "transition/", {"name": "start", "version": fresh}, format="json")
    assert started.status_code == 200
    assert Matter.objects.get(pk=matter.pk).state == "in_progress"
