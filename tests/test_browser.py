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


def _signed_in(browser, live_server, username: str, width: int = 390):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 844})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page, errors


def _dashboard_world():  # type: ignore[no-untyped-def]
    import datetime

    from django.utils import timezone

    from fuyuan.testing import make_matter

    world = build_world()
    today = timezone.localdate()
    for n in range(6):
        make_matter(
            world,
            title=f"长标题的逾期督办事项第{n}项：推进行政争议实质性化解与行政机关负责人出庭应诉",
            lead="housing" if n % 2 else "hrss",
            start=today - datetime.timedelta(days=90),
            deadline=today - datetime.timedelta(days=10 + n),
            state="assigned",
        )
    return world


def test_the_brief_fits_a_phone_and_the_cockpit_draws_its_charts(live_server, browser):
    _dashboard_world()
    page, errors = _signed_in(browser, live_server, "city_office")
    page.goto(f"{live_server.url}/dashboard/brief/")
    assert "长标题的逾期督办事项第0项" in page.content()
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 0, f"the brief is {overflow}px wider than a 390px screen"
    page.close()
    page, errors2 = _signed_in(browser, live_server, "city_leader", width=1280)
    page.goto(f"{live_server.url}/dashboard/cockpit/")
    page.wait_for_selector("[data-chart=colours] canvas")
    assert page.locator("[data-chart] canvas").count() == 4
    page.goto(f"{live_server.url}/dashboard/cockpit/?screen=1")
    page.wait_for_selector(".big-screen [data-chart=trend] canvas")
    assert not errors + errors2, errors + errors2
