"""The matter journeys in the browser, at desktop and phone width: a liaison officer signs for
an assigned matter and reports progress with a file; the office sends a report back with a
reason, the liaison reports again, and the office accepts, closes and rates the matter. Buttons
and fields are found by the Chinese labels a user reads; the outcome is checked on the page and
in the database (state, reports, files, timeline, rating)."""

from __future__ import annotations

from typing import Any

from fuyuan.matters import actions
from fuyuan.matters.models import Attachment, Evaluation, Feedback, FeedbackStatus, Matter
from fuyuan.testing import build_world, make_matter

from .conftest import pdf_upload, zh

TITLE = "推进行政机关负责人出庭应诉工作落实"


def _kinds(matter: Matter) -> list[str]:
    return list(matter.timeline.order_by("at", "pk").values_list("kind", flat=True))


def _open_from_ledger(user: Any, title: str) -> None:
    """Home → menu 督查督办 › 工作落实台账 → the matter's row."""
    user.menu(zh("Supervision"), zh("Ledger"))
    user.shot("ledger")
    user.click(title, role="link")


def _next_step(user: Any) -> Any:
    """The "next step" card of a matter's page (its comment field and workflow buttons)."""
    return user.page.locator("section.card").filter(
        has=user.page.get_by_role("heading", name=zh("Next step"))
    )


def test_liaison_signs_for_a_matter_and_reports_progress(user_browser):
    world = build_world()
    matter = make_matter(world, title=TITLE, state="assigned")

    liaison = user_browser("hrss_liaison")
    liaison.shot("home")
    _open_from_ledger(liaison, TITLE)
    page = liaison.page
    page.get_by_role("heading", name=TITLE).wait_for()
    liaison.shot("assigned matter")

    liaison.click(zh("Sign for"), within=_next_step(liaison))
    assert zh("Signed for") in liaison.message() or zh("Sign for") in liaison.message()
    liaison.shot("signed for")
    matter.refresh_from_db()
    assert matter.state == "signed"

    liaison.click(zh("Start handling"), within=_next_step(liaison))
    liaison.shot("handling started")
    matter.refresh_from_db()
    assert matter.state == "in_progress"

    report = "已召开专题会议部署，完成第一批12件案件负责人出庭安排。"
    page.get_by_label(zh("Progress made")).fill(report)
    page.get_by_label(zh("Progress (%)")).fill("40")
    page.get_by_label(zh("Attachment")).set_input_files(pdf_upload("出庭安排表.pdf"))
    liaison.shot("report filled in")
    liaison.click(zh("Submit the report"))
    assert zh("The progress report was submitted.") in liaison.message()
    # The report and its file are on the page, and the timeline shows every step.
    page.get_by_text(report).first.wait_for()
    page.get_by_role("link", name="出庭安排表.pdf").wait_for()
    timeline = page.locator("ol.list-group").inner_text()
    for label in (zh("Sign for"), zh("Start handling"), zh("Progress report")):
        assert label in timeline, (label, timeline)
    liaison.shot("report submitted")

    matter.refresh_from_db()
    assert matter.state == "in_progress"
    assert matter.progress == 40
    sent = Feedback.objects.get(matter=matter)
    assert sent.status == FeedbackStatus.SUBMITTED
    assert sent.text == report
    assert sent.author == world.users["hrss_liaison"]
    attached = Attachment.objects.get(matter=matter)
    assert attached.feedback_id == sent.pk and attached.name == "出庭安排表.pdf"
    assert attached.content_type == "application/pdf"
    kinds = _kinds(matter)
    assert kinds[:3] == ["created", "transition:assign", "transition:sign"], kinds
    assert {"transition:start", "feedback", "attachment"} <= set(kinds), kinds


def test_office_sends_back_then_closes_and_rates(user_browser):
    world = build_world()
    matter = make_matter(world, title=TITLE, state="assigned")
    officer = world.users["hrss_liaison"]
    for step in ("sign", "start"):
        actions.transition(officer, matter, step)
    actions.transition(officer, matter, "report", values={"summary": "已全部完成。"})
    matter.refresh_from_db()
    assert matter.state == "reported"

    # The office reads the report and sends it back with a reason.
    office = user_browser("city_office", who="office")
    _open_from_ledger(office, TITLE)
    office.shot("reported matter")
    reason = "办结报告缺少出庭率数据，请补充后重新上报。"
    card = _next_step(office)
    card.get_by_label(zh("Comment")).fill(reason)
    office.click(zh("Send back for redoing"), within=card)
    office.shot("sent back")
    matter.refresh_from_db()
    assert matter.state == "in_progress"
    back = matter.timeline.get(kind="transition:send_back")
    assert back.text == reason and back.actor == world.users["city_office"]
    assert back.from_state == "reported" and back.to_state == "in_progress"

    # The liaison officer sees the reason and reports again.
    liaison = user_browser("hrss_liaison", who="liaison")
    _open_from_ledger(liaison, TITLE)
    liaison.page.get_by_text(reason).first.wait_for()
    liaison.shot("reason seen")
    card = _next_step(liaison)
    card.get_by_label(zh("Completion report")).fill("已补充：本年度负责人出庭率100%，共出庭36件。")
    liaison.click(zh("Report done"), within=card)
    liaison.shot("reported again")
    matter.refresh_from_db()
    assert matter.state == "reported"
    assert "出庭率100%" in matter.summary

    # The office accepts, closes and rates it.
    office.page.reload()
    office.click(zh("Accept as completed"), within=_next_step(office))
    office.shot("accepted")
    matter.refresh_from_db()
    assert matter.state == "completed"
    office.click(zh("Close and strike off"), within=_next_step(office))
    office.shot("closed")
    matter.refresh_from_db()
    assert matter.state == "closed"

    page = office.page
    rating = page.locator("form", has=page.get_by_role("button", name=zh("Record the rating")))
    rating.get_by_label(zh("Timeliness")).select_option("5")
    rating.get_by_label(zh("Quality")).select_option("4")
    rating.get_by_label(zh("Effect")).select_option("4")
    rating.get_by_label(zh("Comment")).fill("整改到位，数据翔实。")
    office.shot("rating filled in")
    office.click(zh("Record the rating"))
    assert zh("The rating was recorded.") in office.message()
    page.get_by_role("heading", name=zh("Rating"), exact=True).wait_for()
    office.shot("rated")

    evaluation = Evaluation.objects.get(matter=matter)
    assert (evaluation.timeliness, evaluation.quality, evaluation.effect) == (5, 4, 4)
    assert evaluation.rated_by == world.users["city_office"]
    assert evaluation.unit == world.units["hrss"]
    assert str(evaluation.score) in page.locator("main").inner_text()
    kinds = _kinds(matter)
    tail = [k for k in kinds if k.startswith("transition:") or k == "evaluated"][-5:]
    assert tail == [
        "transition:send_back",
        "transition:report",
        "transition:complete",
        "transition:close",
        "evaluated",
    ], kinds
