"""A matter is registered by the office, assigned, visible to its lead unit and not to
others, and coloured by SQL from its dates."""

import datetime

import pytest
from django.utils import timezone

from fuyuan.matters.models import Colour, Matter
from fuyuan.testing import make_matter

pytestmark = pytest.mark.django_db


def test_office_registers_and_assigns_a_matter(world):
    matter = make_matter(world, state="assigned")
    assert matter.state == "assigned"
    assert matter.timeline.count() == 2
    assert Matter.objects.visible_to(world.users["hrss_liaison"]).filter(pk=matter.pk).exists()
    assert not Matter.objects.visible_to(world.users["housing_liaison"]).exists()
    assert Matter.objects.visible_to(world.users["city_office"]).filter(pk=matter.pk).exists()
    assert not Matter.objects.visible_to(world.users["a_office"]).exists()


def test_colour_is_computed_from_dates(world):
    today = timezone.localdate()
    matter = make_matter(world, state="assigned", deadline=today + datetime.timedelta(days=20))
    colour = lambda day: Matter.objects.with_colour(day).get(pk=matter.pk).colour  # noqa: E731
    assert colour(today) == Colour.GREEN
    assert colour(matter.warn_from) == Colour.BLUE
    assert colour(matter.deadline + datetime.timedelta(days=1)) == Colour.RED
