"""Fixtures of the reporting tests: uploaded and compiled files go to a temporary folder."""

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
