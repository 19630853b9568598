"""The demo loader: the demo year's scheme for the city, scored, with adjustments and one
result awaiting the second reviewer; run twice with --if-empty it changes nothing."""

import io

import pytest
from django.core.management import call_command

from fuyuan.accounts.models import Role
from fuyuan.assessment import workflow as wf
from fuyuan.assessment.models import Adjustment, Result, Scheme
from fuyuan.testing import build_world, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_scores_the_city_and_leaves_one_result_for_the_second_reviewer():
    w = build_world()
    make_user("office", Role.OFFICE, jurisdiction=w.city)
    make_user("leader", Role.LEADER, jurisdiction=w.city)
    call_command("load_demo_assessment", "--if-empty", stdout=io.StringIO())
    scheme = Scheme.objects.get()
    assert (scheme.mechanism, scheme.state) == (w.mechanisms["city"], wf.S_PUBLISHED)
    assert scheme.indicators.count() == 8
    states = sorted(Result.objects.values_list("state", flat=True))
    assert states == [wf.CONFIRMED, wf.CONFIRMED, wf.REVIEWED]
    assert Adjustment.objects.count() == 3
    assert all(a.reason for a in Adjustment.objects.all())
    out = io.StringIO()
    call_command("load_demo_assessment", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert Scheme.objects.count() == 1
