"""A court issues a judicial recommendation (司法建议) to a body and the body replies, in the
browser at desktop and phone width: court staff register it, record its delivery (each item
becomes a rectification matter of the recipient), and the recipient's liaison officer replies
with a letter and the adoption of every item. Checked on the pages and in the database."""

from __future__ import annotations

from django.utils import timezone

from fuyuan.litigation.models import Recommendation, RecommendationAttachment
from fuyuan.testing import build_world

from .conftest import label, pdf_upload, zh

TITLE = "关于规范工伤认定程序的司法建议"
ITEMS = ["规范工伤认定调查取证程序", "建立行政诉讼败诉案件复盘机制"]


def test_court_issues_a_recommendation_and_the_body_replies(user_browser):
    world = build_world()
    court = user_browser("court_staff", who="court")
    court.menu(zh("Court business"), zh("Recommendations"))
    court.shot("recommendations")
    court.click(zh("Register a recommendation"), role="link")
    page = court.page
    form = page.locator("main form")
    form.get_by_label(label("Kind")).select_option(label=zh("Judicial recommendation (司法建议)"))
    recipient = "驻马店市 · 驻马店市人力资源和社会保障局"
    form.get_by_label(zh("Recipient unit")).select_option(label=recipient)
    form.get_by_label(zh("Document number")).fill("驻中法建〔2026〕3号")
    form.get_by_label(label("Title")).fill(TITLE)
    form.get_by_label(label("Content")).fill("近期审理的工伤认定案件中，发现调查程序不规范等问题。")
    form.get_by_label(label("Items")).fill("\n".join(ITEMS))
    court.shot("registration filled in")
    court.click(zh("Save the draft"))
    assert zh("The recommendation was registered as a draft.") in court.message()
    court.shot("draft saved")
    rec = Recommendation.objects.get(title=TITLE)
    assert rec.state == "draft" and rec.kind == "judicial"
    assert rec.issuer == world.units["court"] and rec.recipient == world.units["hrss"]
    assert rec.created_by == world.users["court_staff"]

    today = timezone.localdate()
    delivery = page.locator("form", has=page.get_by_role("button", name=zh("Record delivery")))
    delivery.get_by_label(zh("Delivered on")).fill(today.isoformat())
    court.click(zh("Record delivery"), within=delivery)
    assert zh("The delivery was recorded.") in court.message()
    court.shot("delivered")
    rec.refresh_from_db()
    assert rec.state == "delivered" and rec.delivered_on == today and rec.reply_due
    items = list(rec.items.select_related("matter").order_by("order"))
    assert [i.text for i in items] == ITEMS
    assert all(i.matter and i.matter.lead_unit == world.units["hrss"] for i in items)

    # The recipient's liaison officer finds it and replies.
    liaison = user_browser("hrss_liaison", who="liaison")
    liaison.menu(zh("Court business"), zh("Recommendations"))
    liaison.shot("recommendations")
    liaison.click(TITLE, role="link")
    liaison.shot("recommendation")
    liaison.click(zh("Reply"), role="link")
    page = liaison.page
    reply = "我局已修订工伤认定调查工作规程，并建立败诉案件季度复盘制度。"
    page.get_by_label(zh("Replied on")).fill(today.isoformat())
    page.get_by_label(label("Reply")).fill(reply)
    page.get_by_label(zh("Reply letter")).set_input_files(pdf_upload("回复函.pdf"))
    boxes = page.locator("main form .border.rounded")
    boxes.nth(0).get_by_label(label("Adopted")).check()
    boxes.nth(1).get_by_label(label("Partly adopted")).check()
    boxes.nth(1).get_by_label(zh("Reason or measures taken")).fill("复盘机制已建立，按季度开展。")
    liaison.shot("reply filled in")
    liaison.click(zh("Send the reply"))
    assert zh("The reply was sent.") in liaison.message()
    page.get_by_text(reply).wait_for()
    page.get_by_role("link", name="回复函.pdf").wait_for()
    liaison.shot("replied")

    rec.refresh_from_db()
    assert rec.state == "replied" and rec.replied_on == today and rec.reply == reply
    adoption = dict(rec.items.values_list("order", "adoption"))
    assert adoption == {1: "adopted", 2: "partly"}, adoption
    letter = RecommendationAttachment.objects.get(recommendation=rec)
    assert letter.kind == "reply" and letter.name == "回复函.pdf"

    # The court sees the reply on its page.
    court.page.reload()
    court.page.get_by_text(reply).wait_for()
    assert zh("Replied") in court.page.locator("h1").inner_text()
    court.shot("court reads the reply")
