"""End-to-end tests in a real browser: Playwright (pinned in requirements/dev.txt) drives
Debian's chromium (/usr/bin/chromium, headless, no sandbox, background networking off) against
the app that pytest-django's `live_server` serves on 127.0.0.1.

What every test gets from here:

- `user_browser(username)`: a new browser context at the test's viewport (desktop 1366×900 and
  phone 390×844: every test that uses it runs at both), signed in through the real login form.
  It collects console errors (Content Security Policy violations are reported there), uncaught
  page errors and HTTP errors; every `shot()` fails the test when one has appeared.
- `shot(step)`: a full-page PNG under test-artifacts/e2e/<test>/<nn>-<who>-<step>.png, kept after
  the run; on a failure, the last screen and a Playwright trace go to the same folder.
- `axe_violations(page)`: axe-core (node_modules/axe-core) run on the page; the serious and
  critical violations, with their rule ids and targets.
- `zh(msgid)`: the Simplified Chinese text the UI shows for an English msgid, so the tests find
  buttons and fields by the labels a user reads.

`make e2e` runs this folder; `make test` leaves it out (it runs in CI through `make e2e`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fuyuan.testing import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
]
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
# Playwright's default; the journeys' pages answer well within it even on a busy 2-core CI box.
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test of this folder needs committed data (the server thread reads it) and the
    browser; without chromium outside CI they are skipped (CI installs it: `make e2e`)."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="chromium is not installed (`make e2e` installs it)")
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        if "live_server" in getattr(item, "fixturenames", ()) or "user_browser" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.django_db(transaction=True))
        if CHROMIUM is None and not (os.environ.get("CI") or os.environ.get("FUYUAN_E2E")):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so the fixtures know whether the test failed."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def zh(msgid: str) -> str:
    """What the Chinese UI shows for an English msgid (the catalogue's translation)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(translation.gettext(msgid))


def label(msgid: str) -> re.Pattern[str]:
    """A field's label as the Chinese UI shows it, matched whole (a required field's label
    ends with an asterisk)."""
    return re.compile(rf"^\s*{re.escape(zh(msgid))}\s*\*?\s*$")


# --- the browser ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs its event loop in a greenlet of this thread; the ORM calls the
    # tests make around it stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return VIEWPORTS[request.param]


@pytest.fixture
def artefacts(request: pytest.FixtureRequest) -> Path:
    """test-artifacts/e2e/<test>/, emptied of an earlier run's files."""
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    folder = ARTIFACTS / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@dataclass
class UserBrowser:
    """One user's browser window: a context of its own (own cookies), one page."""

    who: str
    context: Any
    page: Any
    base_url: str
    folder: Path
    counter: list[int]
    errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))
        self.page.wait_for_load_state("load")

    def shot(self, step: str) -> Path:
        """Save a full-page PNG of this step and fail at once on any console error so far."""
        self.counter[0] += 1
        slug = re.sub(r"[^\w.-]+", "-", step).strip("-")
        path = self.folder / f"{self.counter[0]:02d}-{self.who}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.assert_no_errors(step)
        return path

    def assert_no_errors(self, step: str = "") -> None:
        assert not self.errors, f"console or HTTP errors for {self.who} at {step!r}: {self.errors}"

    def sign_in(self, username: str) -> None:
        """Through the real login form, by its visible labels."""
        page = self.page
        self.goto("/accounts/login/")
        page.get_by_label(zh("Username")).fill(username)
        page.get_by_label(zh("Password")).fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name=zh("Sign in"), exact=True).click()
        assert page.url == self.url("/"), f"{username} did not reach the home page: {page.url}"

    def menu(self, group: str, entry: str) -> None:
        """Open a page from the main menu the way a user does: behind the toggler on a phone,
        then the group's drop-down."""
        page = self.page
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            page.locator("#mainnav.show").wait_for()
        nav = page.locator("#mainnav")
        nav.get_by_role("button", name=group, exact=True).click()
        with page.expect_navigation():
            nav.get_by_role("link", name=entry, exact=True).click()

    def click(self, name: str, role: str = "button", within: Any = None) -> None:
        """Click the button (or link) a user reads as `name`, and wait for the next page."""
        scope = within if within is not None else self.page
        with self.page.expect_navigation():
            scope.get_by_role(role, name=name, exact=True).click()

    def message(self) -> str:
        """The text of the page's flash messages."""
        return " ".join(self.page.locator(".messages .alert").all_inner_texts())

    def overflow(self) -> int:
        """How many pixels the page is wider than the window (0 when it fits)."""
        return int(
            self.page.evaluate(
                "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
            )
        )

    def too_wide(self) -> list[str]:
        """The first elements sticking out of the window (tables scroll in their own box)."""
        return list(
            self.page.evaluate(
                """[...document.querySelectorAll('body *')]
                .filter(e => !e.closest('.table-responsive'))
                .filter(e => e.getBoundingClientRect().right
                             > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
            )
        )


@pytest.fixture
def user_browser(
    request: pytest.FixtureRequest,
    chromium: Any,
    live_server: Any,
    viewport: dict[str, int],
    artefacts: Path,
) -> Iterator[Callable[..., UserBrowser]]:
    """user_browser("hrss_liaison") → that user's window, signed in; user_browser(None, who=...)
    → a window nobody signed in to."""
    opened: list[UserBrowser] = []
    counter = [0]

    def open_browser(username: str | None, who: str | None = None) -> UserBrowser:
        context = chromium.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.tracing.start(screenshots=True, snapshots=True)
        page = context.new_page()
        user = UserBrowser(
            who=who or username or "anonymous",
            context=context,
            page=page,
            base_url=live_server.url,
            folder=artefacts,
            counter=counter,
        )
        page.on(
            "console",
            lambda m: user.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda exc: user.errors.append(f"page error: {exc}"))
        page.on(
            "response",
            lambda r: user.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )
        opened.append(user)
        if username:
            user.sign_in(username)
        return user

    yield open_browser

    report = getattr(request.node, "e2e_report_call", None)
    failed = report is None or report.failed
    for user in opened:
        try:
            if failed:
                user.page.screenshot(
                    path=str(artefacts / f"failure-{user.who}.png"), full_page=True
                )
                user.context.tracing.stop(path=str(artefacts / f"trace-{user.who}.zip"))
            else:
                user.context.tracing.stop()
        finally:
            user.context.close()
    # Playwright's greenlet gives the test its own database connection, which pytest-django
    # does not close: close it here, or PostgreSQL cannot drop the test database at the end.
    from django.db import connections

    connections.close_all()
    if not failed:
        leftover = [f"{u.who}: {e}" for u in opened for e in u.errors]
        assert not leftover, f"console or HTTP errors after the last step: {leftover}"


# --- accessibility ----------------------------------------------------------------------------
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now. The script is
    evaluated through the DevTools protocol, which the page's Content Security Policy (no inline
    script) does not govern, so the page is checked with its real policy in force."""
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['targets'][:6])}"
        for v in violations
    )


# --- small helpers the journeys share ----------------------------------------------------------
# A one-page PDF, small but real enough for the upload check (the type is judged by content).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}
