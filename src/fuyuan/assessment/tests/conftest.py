"""Fixtures of the assessment tests: the hand-built year of tests/helpers.py."""

import pytest

from .helpers import build_year


@pytest.fixture
def year(db):
    return build_year()
