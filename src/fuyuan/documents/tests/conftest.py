"""Fixtures of the documents tests: the city's office with a section chief and a bureau
leader, and an isolated media folder for the issued files."""

from __future__ import annotations

import pytest

from fuyuan.accounts.models import Role
from fuyuan.testing import World, make_user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def chain(world: World) -> World:
    """The city office with the sign-off chain switched on and its two extra office users."""
    world.users["chief"] = make_user("chief", Role.OFFICE, jurisdiction=world.city)
    world.users["bureau_leader"] = make_user("bureau_leader", Role.OFFICE, jurisdiction=world.city)
    mechanism = world.mechanisms["city"]
    mechanism.settings = {**mechanism.settings, "enabled_steps": ["office_sign_off"]}
    mechanism.save()
    return world
