"""Counties report up: the city sees a county's material only once the county approved and
delivered it; a unit's submission is its own until delivered; other units never see it."""

import datetime

import pytest
from django.utils import timezone

from fuyuan.core.workflow import TransitionError
from fuyuan.reporting import actions
from fuyuan.reporting import workflow as wf
from fuyuan.reporting.models import Collection, CollectionKind, Submission
from fuyuan.testing import make_user

pytestmark = pytest.mark.django_db


def _open(world, units=("hrss", "housing"), counties=("a",)):
    collection = actions.create_collection(
        world.users["city_office"],
        world.mechanisms["city"],
        kind=CollectionKind.GOOD_PRACTICE,
        title="经验做法征集",
        deadline=timezone.localdate() + datetime.timedelta(days=5),
        units=[world.units[k] for k in units],
        jurisdictions=[getattr(world, f"county_{c}") for c in counties],
    )
    return actions.transition_collection(world.users["city_office"], collection, "open")


def test_city_cannot_see_a_county_submission_before_the_county_approves_it(world, client_for):
    collection = _open(world)
    target = collection.targets.get(jurisdiction=world.county_a)
    a_office = world.users["a_office"]
    submission = actions.save_submission(a_office, target, text="西平县：诉前化解行政争议。")
    city = client_for("city_office")
    url = f"/reporting/submissions/{submission.pk}/"

    # Draft: the county office sees it, the city does not (page, list, collection table).
    assert client_for("a_office").get(url).status_code == 200
    assert city.get(url).status_code == 404
    assert city.get(url + "attachment/").status_code == 404
    assert not Submission.objects.visible_to(world.users["city_office"]).exists()
    assert not Submission.objects.visible_to(world.users["city_leader"]).exists()
    page = city.get(f"/reporting/{collection.pk}/")
    assert page.status_code == 200
    assert url not in page.content.decode()
    # The county cannot skip its own approval.
    with pytest.raises(TransitionError):
        actions.transition_submission(a_office, submission, "deliver_direct")

    submission = actions.submit(a_office, submission)
    assert city.get(url).status_code == 404
    leader = make_user("a_leader", "leader", jurisdiction=world.county_a)
    submission = actions.approve(leader, submission)
    assert submission.approved_by == leader
    assert city.get(url).status_code == 404  # approved, not yet delivered
    submission = actions.deliver(a_office, submission)
    assert submission.state == wf.DELIVERED

    response = city.get(url)
    assert response.status_code == 200
    assert "西平县：诉前化解行政争议。" in response.content.decode()
    assert url in city.get(f"/reporting/{collection.pk}/").content.decode()
    # Another county's office sees neither the submission nor the collection.
    assert client_for("b_office").get(url).status_code == 404
    assert client_for("b_office").get(f"/reporting/{collection.pk}/").status_code == 404


def test_a_liaison_of_another_unit_cannot_see_a_units_submission(world, client_for):
    collection = _open(world)
    hrss_target = collection.targets.get(unit=world.units["hrss"])
    submission = actions.save_submission(world.users["hrss_liaison"], hrss_target, text="人社局")
    submission = actions.deliver(world.users["hrss_liaison"], submission)
    url = f"/reporting/submissions/{submission.pk}/"
    assert client_for("hrss_liaison").get(url).status_code == 200
    assert client_for("housing_liaison").get(url).status_code == 404
    assert client_for("housing_liaison").get(url + "attachment/").status_code == 404
    assert client_for("court_staff").get(url).status_code == 404
    assert (
        client_for("housing_liaison").get(f"/reporting/targets/{hrss_target.pk}/write/").status_code
        == 404
    )
    # The housing liaison sees the collection (it is a target) but only its own row.
    page = client_for("housing_liaison").get(f"/reporting/{collection.pk}/").content.decode()
    assert url not in page
    # The court is no target: the collection itself is hidden.
    assert client_for("court_staff").get(f"/reporting/{collection.pk}/").status_code == 404


def test_a_draft_collection_is_the_offices_own(world):
    collection = actions.create_collection(
        world.users["city_office"],
        world.mechanisms["city"],
        kind=CollectionKind.INFORMATION_BRIEF,
        title="信息简报",
        deadline=timezone.localdate() + datetime.timedelta(days=5),
        units=[world.units["hrss"]],
        jurisdictions=[],
    )
    assert not Collection.objects.visible_to(world.users["hrss_liaison"]).exists()
    assert Collection.objects.visible_to(world.users["city_leader"]).filter(pk=collection.pk)
    actions.transition_collection(world.users["city_office"], collection, "open")
    assert Collection.objects.visible_to(world.users["hrss_liaison"]).filter(pk=collection.pk)


def test_the_office_cannot_accept_what_is_not_delivered_nor_a_liaison_accept(world):
    collection = _open(world)
    target = collection.targets.get(unit=world.units["hrss"])
    submission = actions.save_submission(world.users["hrss_liaison"], target, text="x")
    with pytest.raises(TransitionError):
        actions.accept(world.users["city_office"], submission)
    submission = actions.deliver(world.users["hrss_liaison"], submission)
    with pytest.raises(TransitionError):
        actions.accept(world.users["hrss_liaison"], submission)
