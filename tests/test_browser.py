"""End-to-end in a real browser (Debian's chromium): sign in through the form, open the
joint meeting page on a phone-sized screen, and check that the page fits 390 px, that the
Content Security Policy blocks nothing (no console errors), and that htmx runs."""

from __future__ import annotations

import os
import shutil

import pytest

from fuyuan.testing import PASSWORD, build_world

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="chromium is not installed (CI installs it)",
    ),
]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
        # Playwright's greenlet gives the test its own context, so its database connection is
        # not the one pytest-django closes: close it here, or PostgreSQL cannot drop the test
        # database at the end ("being accessed by other users").
        from django.db import connections

        connections.close_all()


def test_phone_sized_mechanism_page_fits_and_csp_blocks_nothing(live_server, browser):
    world = build_world()
    mechanism = world.mechanisms["city"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "city_office")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/org/mechanisms/{mechanism.pk}/")
    assert "驻马店市人力资源和社会保障局" in page.content()
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-responsive'))
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert overflow <= 0, f"page is {overflow}px wider than a 390px screen: {wide}"
    # The menu collapses behind the toggler on a phone and opens with Bootstrap's script.
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    assert page.evaluate("typeof window.htmx") == "object"
    assert not errors, errors
