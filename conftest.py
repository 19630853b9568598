"""Registers the shared fixtures for every test under src/ and tests/."""

pytest_plugins = ["fuyuan.fixtures"]
