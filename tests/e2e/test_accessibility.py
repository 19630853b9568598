"""axe-core on the main pages, for every role, at desktop and phone width: no serious or
critical violation (the rule ids and targets are listed when there is one). Each page must also
fit the window (no sideways scrolling: wide tables scroll in their own box), load without
console errors, and run htmx. The first test proves the check can fail."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fuyuan.litigation import recommendation_actions
from fuyuan.matters import actions
from fuyuan.testing import build_world, make_matter

from .conftest import VIEWPORTS, axe_violations, describe


def test_axe_reports_a_page_with_real_violations(chromium):
    """The helper finds serious and critical problems when they are there."""
    context = chromium.new_context(viewport=VIEWPORTS["desktop"])
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="zh-hans"><head><title>t</title></head><body><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            "<button></button><input type=text></main></body></html>"
        )
        found = {v["id"] for v in axe_violations(page)}
    finally:
        context.close()
    assert {"image-alt", "button-name", "label"} <= found, found


def _world() -> dict[str, Any]:
    world = build_world()
    today = timezone.localdate()
    matter = make_matter(world, title="推进行政机关负责人出庭应诉", state="assigned")
    liaison = world.users["hrss_liaison"]
    actions.transition(liaison, matter, "sign")
    actions.transition(liaison, matter, "start")
    draft = actions.save_feedback_draft(liaison, matter, "已部署专项工作。", 30)
    actions.submit_feedback(liaison, draft)
    make_matter(
        world,
        title="逾期事项：规范行政执法程序",
        lead="housing",
        start=today - timezone.timedelta(days=60),
        deadline=today - timezone.timedelta(days=5),
        state="assigned",
    )
    rec = recommendation_actions.create_recommendation(
        world.users["court_staff"],
        kind="judicial",
        scope="single_case",
        issuer=world.units["court"],
        recipient=world.units["hrss"],
        title="关于规范工伤认定程序的司法建议",
        content="审理中发现调查程序不规范。",
        items=["规范调查取证程序", "建立败诉案件复盘机制"],
        document_number="驻中法建〔2026〕3号",
        case_numbers="",
    )
    recommendation_actions.deliver(world.users["court_staff"], rec, today)
    return {"world": world, "matter": matter, "rec": rec}


def test_main_pages_have_no_serious_accessibility_violations(user_browser):
    data = _world()
    matter, rec = data["matter"].pk, data["rec"].pk
    mechanism = data["world"].mechanisms["city"].pk
    pages: dict[str | None, list[tuple[str, str]]] = {
        None: [("login", "/accounts/login/")],
        "city_office": [
            ("home", "/"),
            ("ledger", "/matters/"),
            ("matter", f"/matters/m/{matter}/"),
            ("mechanism", f"/org/mechanisms/{mechanism}/"),
            ("brief", "/dashboard/brief/"),
        ],
        "hrss_liaison": [
            ("home", "/"),
            ("matter", f"/matters/m/{matter}/"),
            ("recommendation", f"/litigation/recommendations/{rec}/"),
            ("reply form", f"/litigation/recommendations/{rec}/reply/"),
        ],
        "court_staff": [
            ("home", "/"),
            ("recommendations", "/litigation/recommendations/"),
            ("recommendation", f"/litigation/recommendations/{rec}/"),
            ("registration form", "/litigation/recommendations/new/"),
        ],
        "city_leader": [
            ("home", "/"),
            ("brief", "/dashboard/brief/"),
            ("cockpit", "/dashboard/cockpit/"),
        ],
    }
    problems: list[str] = []
    for username, steps in pages.items():
        user = user_browser(username)
        for step, path in steps:
            user.goto(path)
            if step == "cockpit":
                user.page.locator("[data-chart=ranking] canvas").first.wait_for()
            user.shot(step)
            found = axe_violations(user.page)
            if found:
                problems.append(f"{user.who} {path}:\n{describe(found)}")
            if user.overflow() > 0:
                problems.append(
                    f"{user.who} {path}: {user.overflow()}px wider than the window: "
                    f"{user.too_wide()}"
                )
            if username and user.page.evaluate("typeof window.htmx") != "object":
                problems.append(f"{user.who} {path}: htmx did not load")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_a_blocked_inline_script_is_caught_as_a_console_error(user_browser):
    """The Content Security Policy forbids inline scripts, and the console watch every test
    relies on sees the violation."""
    anon = user_browser(None)
    anon.goto("/accounts/login/")
    assert not anon.errors
    anon.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.append(s); }"
    )
    anon.page.wait_for_timeout(200)
    assert anon.page.evaluate("typeof window.injected") == "undefined"
    assert any("Content Security Policy" in e for e in anon.errors), anon.errors
    with pytest.raises(AssertionError, match="Content Security Policy"):
        anon.shot("inline script blocked")
    anon.errors.clear()
