"""Fixtures shared by every app's tests (registered by the top-level conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from fuyuan.testing import World, build_world


@pytest.fixture(autouse=True)
def default_language():  # type: ignore[no-untyped-def]
    """Every test starts in the platform's default language, whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True, scope="session")
def media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Uploaded and generated files go to a temporary folder, never the checkout's var/."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True, scope="session")
def shared_client_handler():  # type: ignore[no-untyped-def]
    """Test clients share one request handler per process: loading the middleware (whitenoise
    indexes every static file) costs about 150 ms, and the authorization matrix alone makes
    thousands of clients. A changed setting drops the shared handlers, since middleware read
    some settings when they load (SecurityMiddleware's HSTS, for one)."""
    from django.test.signals import setting_changed

    original_init = Client.__init__
    handlers: dict[bool, object] = {}

    def init(self: Client, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        # Middleware load lazily, on a handler's first request: keep the first handler.
        self.handler = handlers.setdefault(self.handler.enforce_csrf_checks, self.handler)  # type: ignore[assignment]

    def forget(**kwargs: object) -> None:
        handlers.clear()

    setting_changed.connect(forget, weak=False)
    Client.__init__ = init  # type: ignore[method-assign]
    yield
    Client.__init__ = original_init  # type: ignore[method-assign]
    setting_changed.disconnect(forget)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World):  # type: ignore[no-untyped-def]
    """client_for("hrss_liaison") -> a Client signed in as that demo user."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return make
