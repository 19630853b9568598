"""Mobile numbers are masked on every page; a member asks for one in clear with a POST that is
audited; administrators never get them; the contacts form keeps a number it shows masked."""

from __future__ import annotations

from django.urls import reverse

from fuyuan.accounts.models import Post, PostKind
from fuyuan.audit.models import AuditEntry

CLEAR = "13800001234"
MASKED = "138****1234"


def liaison_of(world, unit_key: str = "hrss"):
    return Post.objects.get(unit=world.units[unit_key], kind=PostKind.LIAISON).holder


def reveal_url(person) -> str:
    return reverse("org:contact_reveal", args=[person.pk])


def test_pages_show_mobiles_masked_with_a_show_button_for_members(client_for, world):
    person = liaison_of(world)
    assert person.phone == CLEAR
    for page in (
        reverse("org:mechanism_detail", args=[world.mechanisms["city"].pk]),
        reverse("org:unit_detail", args=[world.units["hrss"].pk]),
        reverse("org:directory"),
    ):
        html = client_for("city_office").get(page).content.decode()
        assert CLEAR not in html and MASKED in html, page
        assert reveal_url(person) in html, page
        admin = client_for("system_admin").get(page).content.decode()
        assert CLEAR not in admin and reveal_url(person) not in admin, page
    assert not AuditEntry.objects.filter(action="accounts.person.reveal_phone").exists()


def test_a_member_sees_one_number_in_clear_and_the_read_is_audited(client_for, world):
    person = liaison_of(world)
    back = reverse("org:directory")
    response = client_for("court_staff").post(reveal_url(person), {"next": back})
    assert response.status_code == 200
    html = response.content.decode()
    assert CLEAR in html and f'href="{back}"' in html
    assert "no-store" in response.headers["Cache-Control"]
    entry = AuditEntry.objects.get(action="accounts.person.reveal_phone")
    assert entry.actor == world.users["court_staff"]
    assert entry.object_kind == "accounts.person" and entry.object_id == str(person.pk)
    assert entry.outcome == "success"
    assert CLEAR not in str(entry.detail) + str(entry.after)


def test_reveal_is_post_only_refused_to_administrators_and_scoped(client_for, world):
    person = liaison_of(world)
    assert client_for("city_office").get(reveal_url(person)).status_code == 405
    for name in ("system_admin", "security_admin", "audit_admin"):
        assert client_for(name).post(reveal_url(person)).status_code == 403, name
    # A person with no post in a unit the reader may see is not found.
    outsider = type(person).objects.create(name="无岗位人员", phone="13911112222")
    assert client_for("city_office").post(reveal_url(outsider)).status_code == 404
    assert not AuditEntry.objects.filter(
        action="accounts.person.reveal_phone", outcome="success"
    ).exists()


def test_an_unsafe_back_link_is_dropped(client_for, world):
    response = client_for("city_office").post(
        reveal_url(liaison_of(world)), {"next": "https://evil.example/"}
    )
    assert response.status_code == 200 and "evil.example" not in response.content.decode()


def test_the_contacts_form_shows_the_mobile_masked_and_keeps_it(client_for, world):
    hrss = world.units["hrss"]
    client = client_for("hrss_liaison")
    page = client.get(reverse("org:unit_contacts", args=[hrss.pk]))
    assert CLEAR not in page.content.decode() and MASKED in page.content.decode()
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["liaison_office_phone"] = "0396-2620001"
    assert client.post(reverse("org:unit_contacts", args=[hrss.pk]), data).status_code == 302
    person = liaison_of(world)
    assert person.phone == CLEAR and person.office_phone == "0396-2620001"
    data = {
        k: v
        for k, v in client.get(reverse("org:unit_contacts", args=[hrss.pk]))
        .context["form"]
        .initial.items()
        if v is not None
    }
    data["liaison_phone"] = "13900009999"
    assert client.post(reverse("org:unit_contacts", args=[hrss.pk]), data).status_code == 302
    assert liaison_of(world).phone == "13900009999"


def test_every_member_role_may_ask_and_anonymous_is_sent_to_sign_in(client_for, world):
    from django.test import Client

    person = liaison_of(world)
    for name in ("city_office", "a_office", "city_leader", "hrss_liaison", "court_staff"):
        assert client_for(name).post(reveal_url(person)).status_code == 200, name
    assert Client().post(reveal_url(person)).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.person.reveal_phone").count() == 5
