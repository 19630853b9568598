"""Take the README's screenshots from the running app (`make run` in another terminal):
.venv/bin/python tools/screenshots.py [base URL]. Needs Debian's chromium and a CJK font
(fonts-wqy-zenhei) so Chinese renders. The accounts sign in with the password alone, so run
the app with `FUYUAN_SECOND_FACTOR_ENFORCED=0 make run`; the second factor's own page is
opened from the profile, as a liaison officer would."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def login(page, username: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Fuyuan@2026")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desk = browser.new_page(viewport={"width": 1366, "height": 900})
        desk.goto(f"{BASE}/accounts/login/")
        desk.screenshot(path=str(OUT / "login.png"))
        login(desk, "office")
        desk.screenshot(path=str(OUT / "home-office.png"))
        desk.goto(f"{BASE}/")
        desk.click("text=成员与联络员")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(OUT / "mechanism.png"), full_page=True)
        mechanism_url = desk.url
        desk.goto(f"{BASE}/matters/")
        desk.screenshot(path=str(OUT / "ledger.png"))
        desk.click("table tbody tr:nth-child(2) td:nth-child(2) a")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(OUT / "matter.png"), full_page=True)
        desk.goto(f"{BASE}/matters/cards/")
        desk.screenshot(path=str(OUT / "cards.png"))
        desk.goto(f"{BASE}/meetings/")
        desk.screenshot(path=str(OUT / "meetings.png"))
        desk.goto(f"{BASE}/org/directory/")
        desk.screenshot(path=str(OUT / "directory.png"))
        desk.goto(f"{BASE}/org/changes/")
        desk.screenshot(path=str(OUT / "membership-changes.png"))
        desk.goto(f"{BASE}/litigation/figures/")
        desk.screenshot(path=str(OUT / "litigation-figures.png"))
        desk.goto(f"{BASE}/litigation/")
        desk.screenshot(path=str(OUT / "litigation-cases.png"))
        desk.goto(f"{BASE}/litigation/recommendations/")
        desk.click("table tbody tr:nth-child(1) a")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(OUT / "recommendation.png"), full_page=True)
        desk.goto(f"{BASE}/litigation/import/")
        desk.screenshot(path=str(OUT / "litigation-import.png"))
        desk.goto(f"{BASE}/enforcement/debtors/")
        desk.screenshot(path=str(OUT / "debtor-list.png"))
        desk.goto(f"{BASE}/enforcement/checks/")
        desk.screenshot(path=str(OUT / "checks.png"))
        desk.goto(f"{BASE}/enforcement/cases/campaign/")
        desk.screenshot(path=str(OUT / "government-debtor-campaign.png"))
        desk.goto(f"{BASE}/bankruptcy/fund/")
        desk.screenshot(path=str(OUT / "bankruptcy-fund.png"))
        desk.goto(f"{BASE}/api/v1/docs/")
        desk.wait_for_selector(".opblock", timeout=20000)
        desk.screenshot(path=str(OUT / "api-docs.png"))
        # The dashboard (the leader's view), the assessment, bulletins and search.
        leader = browser.new_page(viewport={"width": 1366, "height": 900})
        login(leader, "leader")
        leader.goto(f"{BASE}/dashboard/brief/")
        leader.screenshot(path=str(OUT / "brief.png"), full_page=True)
        leader.goto(f"{BASE}/dashboard/cockpit/")
        leader.wait_for_selector("[data-chart=ranking] canvas")
        leader.wait_for_timeout(500)
        leader.screenshot(path=str(OUT / "cockpit.png"), full_page=True)
        wall = browser.new_page(viewport={"width": 1920, "height": 1080})
        login(wall, "leader")
        wall.goto(f"{BASE}/dashboard/cockpit/?screen=1")
        wall.wait_for_selector("[data-chart=trend] canvas")
        wall.wait_for_timeout(500)
        wall.screenshot(path=str(OUT / "big-screen.png"))
        desk.goto(f"{BASE}/assessment/")
        desk.click("table tbody tr:nth-child(1) a")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(OUT / "assessment.png"))
        desk.goto(f"{BASE}/dashboard/bulletins/")
        desk.click("table tbody tr:nth-child(1) a")
        desk.wait_for_load_state("networkidle")
        desk.screenshot(path=str(OUT / "bulletin.png"))
        desk.goto(f"{BASE}/dashboard/search/?q=拖欠")
        desk.screenshot(path=str(OUT / "search.png"))
        court = browser.new_page(viewport={"width": 1366, "height": 900})
        login(court, "court")
        court.goto(f"{BASE}/exchange/grants/incoming/")
        court.screenshot(path=str(OUT / "access-grants.png"))
        court.goto(f"{BASE}/exchange/grants/log/")
        court.screenshot(path=str(OUT / "pull-log.png"))
        admin = browser.new_page(viewport={"width": 1366, "height": 900})
        login(admin, "sysadmin")
        admin.goto(f"{BASE}/exchange/clients/")
        admin.screenshot(path=str(OUT / "system-clients.png"))
        admin.goto(f"{BASE}/exchange/transfers/batches/?state=all")
        admin.screenshot(path=str(OUT / "pushed-batches.png"))
        admin.goto(f"{BASE}/ops/queue/")
        admin.screenshot(path=str(OUT / "ops-queue.png"))
        security = browser.new_page(viewport={"width": 1366, "height": 900})
        login(security, "secadmin")
        security.goto(f"{BASE}/accounts/roles/")
        security.screenshot(path=str(OUT / "roles.png"))
        enrol = browser.new_page(viewport={"width": 1366, "height": 900})
        login(enrol, "liaison2")
        enrol.goto(f"{BASE}/accounts/second-factor/enrol/")
        enrol.click("form[action$='/enrol/totp/'] button")
        enrol.wait_for_load_state("networkidle")
        enrol.screenshot(path=str(OUT / "second-factor.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        login(phone, "liaison")
        phone.goto(mechanism_url)
        phone.screenshot(path=str(OUT / "mechanism-phone.png"))
        phone.goto(f"{BASE}/litigation/hearings/")
        phone.screenshot(path=str(OUT / "hearings-phone.png"))
        boss = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        login(boss, "leader")
        boss.goto(f"{BASE}/dashboard/brief/")
        boss.screenshot(path=str(OUT / "brief-phone.png"))
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
