"""Registers the shared fixtures for every test under src/ and tests/, and skips tests marked
`postgres_only` when the suite runs on SQLite (they run in the PostgreSQL pass of CI)."""

import pytest

pytest_plugins = ["fuyuan.fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)
