"""Pages of material collection: who gets which status, the create form, the submission
page showing only the allowed steps, and the compiled file download."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from fuyuan.reporting import actions
from fuyuan.reporting import workflow as wf
from fuyuan.reporting.models import Collection, CollectionKind, Submission

pytestmark = pytest.mark.django_db

ROLES = (
    "city_office",
    "a_office",
    "city_leader",
    "hrss_liaison",
    "court_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
)


@pytest.fixture
def setup(world):
    office = world.users["city_office"]
    collection = actions.create_collection(
        office,
        world.mechanisms["city"],
        kind=CollectionKind.ANNUAL_SUMMARY,
        title="2026年度工作总结",
        deadline=timezone.localdate() + datetime.timedelta(days=5),
        units=[world.units["hrss"], world.units["housing"]],
        jurisdictions=[world.county_a],
        template=SimpleUploadedFile("模板.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
    )
    collection = actions.transition_collection(office, collection, "open")
    hrss = collection.targets.get(unit=world.units["hrss"])
    submission = actions.save_submission(world.users["hrss_liaison"], hrss, text="人社局年度总结")
    submission = actions.deliver(world.users["hrss_liaison"], submission)
    county = collection.targets.get(jurisdiction=world.county_a)
    county_draft = actions.save_submission(world.users["a_office"], county, text="西平县草稿")
    return collection, submission, county_draft


EXPECTED_GET = {
    # url key: status per role, in ROLES order
    "list": (200, 200, 200, 200, 200, 403, 403, 403),
    "create": (200, 200, 403, 403, 403, 403, 403, 403),
    "detail": (200, 200, 200, 200, 404, 403, 403, 403),
    "template": (200, 200, 200, 200, 404, 403, 403, 403),
    "submission": (200, 404, 200, 200, 404, 403, 403, 403),
    "county_draft": (404, 200, 404, 404, 404, 403, 403, 403),
    # The county's draft exists: to the city it is as if there were nothing (404).
    "write_county": (404, 200, 404, 404, 404, 403, 403, 403),
}


def test_get_pages_by_role(world, client_for, setup):
    collection, submission, county_draft = setup
    county_target = county_draft.target
    urls = {
        "list": "/reporting/",
        "create": "/reporting/new/",
        "detail": f"/reporting/{collection.pk}/",
        "template": f"/reporting/{collection.pk}/template/",
        "submission": f"/reporting/submissions/{submission.pk}/",
        "county_draft": f"/reporting/submissions/{county_draft.pk}/",
        "write_county": f"/reporting/targets/{county_target.pk}/write/",
    }
    assert client_for("city_office").get("/reporting/").status_code == 200
    found = {
        key: tuple(client_for(role).get(url).status_code for role in ROLES)
        for key, url in urls.items()
    }
    assert found == EXPECTED_GET
    from django.test import Client

    assert Client().get("/reporting/").status_code == 302  # anonymous: to the login page


def test_list_shows_the_count_and_only_visible_collections(world, client_for, setup):
    page = client_for("city_office").get("/reporting/").content.decode()
    assert "2026年度工作总结" in page
    assert "共 1 条" in page
    assert "2026年度工作总结" not in client_for("court_staff").get("/reporting/").content.decode()


def test_create_page_drafts_a_collection(world, client_for):
    client = client_for("city_office")
    form = client.get("/reporting/new/").content.decode()
    assert world.units["hrss"].name in form and world.county_a.name in form
    response = client.post(
        "/reporting/new/",
        {
            "kind": "typical_case",
            "title": "典型案例",
            "instructions": "每单位1-2个",
            "deadline": "2026-12-01",
            "units": [world.units["court"].pk],
            "jurisdictions": [],
        },
    )
    collection = Collection.objects.get(title="典型案例")
    assert response.status_code == 302
    assert [t.unit for t in collection.targets.all()] == [world.units["court"]]
    assert collection.state == wf.C_DRAFT
    # Open from the detail page.
    client.post(f"/reporting/{collection.pk}/do/open/")
    assert Collection.objects.get(pk=collection.pk).state == wf.C_OPEN
    assert (
        client_for("court_staff").post(f"/reporting/{collection.pk}/do/close/").status_code == 403
    )
    assert (
        client_for("housing_liaison").post(f"/reporting/{collection.pk}/do/close/").status_code
        == 404
    )
    assert (
        client_for("city_leader").post(f"/reporting/{collection.pk}/do/close/").status_code == 403
    )


def test_submission_page_shows_only_allowed_steps_and_return_needs_a_comment(
    world, client_for, setup
):
    _collection, submission, county_draft = setup
    url = f"/reporting/submissions/{submission.pk}/"
    office_page = client_for("city_office").get(url).content.decode()
    assert f"{url}do/accept/" in office_page and f"{url}do/return/" in office_page
    liaison_page = client_for("hrss_liaison").get(url).content.decode()
    assert "do/accept/" not in liaison_page
    assert client_for("hrss_liaison").post(f"{url}do/accept/").status_code == 403
    assert client_for("city_leader").post(f"{url}do/accept/").status_code == 403
    response = client_for("city_office").post(f"{url}do/return/", {"comment": ""})
    assert response.status_code == 200
    assert Submission.objects.get(pk=submission.pk).state == wf.DELIVERED
    client_for("city_office").post(f"{url}do/return/", {"comment": "请补充数据"})
    assert Submission.objects.get(pk=submission.pk).state == wf.RETURNED
    # The county's draft page offers the county its own approval path, never direct delivery.
    county_url = f"/reporting/submissions/{county_draft.pk}/"
    county_page = client_for("a_office").get(county_url).content.decode()
    assert f"{county_url}do/submit/" in county_page
    assert "do/deliver_direct/" not in county_page


def test_writing_through_the_page_and_the_compiled_download(world, client_for, setup):
    collection, submission, _draft = setup
    housing = collection.targets.get(unit=world.units["housing"])
    client = client_for("housing_liaison")
    response = client.post(f"/reporting/targets/{housing.pk}/write/", {"text": "住建局总结"})
    written = Submission.objects.get(target=housing)
    assert response.status_code == 302
    client.post(f"/reporting/submissions/{written.pk}/do/deliver_direct/")
    office = client_for("city_office")
    for s in (submission, written):
        office.post(f"/reporting/submissions/{s.pk}/do/accept/")
    assert office.get(f"/reporting/{collection.pk}/compiled/").status_code == 404
    office.post(f"/reporting/{collection.pk}/do/compile/")
    response = office.get(f"/reporting/{collection.pk}/compiled/")
    assert response.status_code == 200
    text = [p.text for p in Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs]
    assert any("住建局总结" in t for t in text)
    assert client_for("city_leader").get(f"/reporting/{collection.pk}/compiled/").status_code == 200
    assert (
        client_for("hrss_liaison").get(f"/reporting/{collection.pk}/compiled/").status_code == 403
    )
    assert client_for("a_office").get(f"/reporting/{collection.pk}/compiled/").status_code == 403


def test_urge_button_after_the_deadline(world, client_for, setup):
    import time_machine

    collection, _submission, _draft = setup
    later = timezone.now() + datetime.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        page = client_for("city_office").get(f"/reporting/{collection.pk}/").content.decode()
        assert f"/reporting/{collection.pk}/urge/" in page
        assert (
            client_for("hrss_liaison").post(f"/reporting/{collection.pk}/urge/").status_code == 403
        )
        client_for("city_office").post(f"/reporting/{collection.pk}/urge/")
    urged = {t.name for t in collection.targets.filter(urge_count=1)}
    assert urged == {world.units["housing"].name, world.county_a.name}
