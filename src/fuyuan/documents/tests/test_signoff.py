"""The sign-off chain of an outgoing office document, the short path without it, and issue
under a reserved number producing a GB/T 9704 .docx."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from fuyuan.core.workflow import TransitionError
from fuyuan.documents import actions
from fuyuan.documents.models import DocumentKind, DocumentNumber, OfficialDocument
from fuyuan.notify.models import OutboxMessage
from fuyuan.testing import World

BODY = "一、总体情况\n\n市人社局办理进度滞后。\n\n（一）存在问题\n\n未按期反馈。"


def draft(world: World, **extra: str) -> OfficialDocument:
    data = {
        "kind": DocumentKind.SUPERVISION_NOTICE,
        "title": "关于督促办理欠薪案件的通知",
        "body": BODY,
        "recipients": "市人力资源和社会保障局：",
        **extra,
    }
    return actions.create_document(world.users["city_office"], world.mechanisms["city"], data)


def reserve(world: World, raw: str = "驻府院办〔2026〕3号") -> DocumentNumber:
    return actions.reserve_number(world.users["city_office"], world.mechanisms["city"], raw)


def test_full_chain_with_send_back_requiring_a_comment(chain: World) -> None:
    users = chain.users
    document = draft(chain)
    with pytest.raises(TransitionError) as caught:
        actions.transition(users["city_office"], document, "issue_directly")
    assert caught.value.code == "workflow.not_allowed"
    with pytest.raises(TransitionError) as caught:
        actions.transition(users["city_office"], document, "submit")
    assert caught.value.code == "workflow.fields_required"

    actions.transition(
        users["city_office"],
        document,
        "submit",
        checker=users["chief"],
        signer=users["bureau_leader"],
    )
    assert document.state == "submitted"
    assert OutboxMessage.objects.filter(recipient=users["chief"]).exists()
    # Only the named section chief acts now.
    with pytest.raises(TransitionError):
        actions.transition(users["bureau_leader"], document, "approve")
    with pytest.raises(TransitionError) as caught:
        actions.transition(users["chief"], document, "return_by_checker")
    assert caught.value.code == "workflow.comment_required"
    actions.transition(users["chief"], document, "return_by_checker", comment="补充办理时限")
    assert document.state == "draft"
    assert document.steps.get(name="return_by_checker").comment == "补充办理时限"

    actions.update_document(users["city_office"], document, {"body": BODY + "\n\n限期十日内办结。"})
    actions.transition(
        users["city_office"],
        document,
        "submit",
        checker=users["chief"],
        signer=users["bureau_leader"],
    )
    actions.transition(users["chief"], document, "approve")
    assert document.state == "approved"
    with pytest.raises(TransitionError) as caught:
        actions.transition(users["bureau_leader"], document, "return_by_signer")
    assert caught.value.code == "workflow.comment_required"
    actions.transition(users["bureau_leader"], document, "sign")
    assert document.state == "signed"

    with pytest.raises(TransitionError) as caught:
        actions.issue(users["city_office"], document)
    assert caught.value.code == "document.number_required"
    number = reserve(chain)
    actions.issue(users["city_office"], document, number=number)
    document.refresh_from_db()
    assert document.state == "issued"
    assert document.issued_at is not None and document.file
    number.refresh_from_db()
    assert (number.used_by_kind, number.used_by_id) == ("documents.officialdocument", document.pk)
    assert [s.name for s in document.steps.all()] == [
        "submit",
        "return_by_checker",
        "submit",
        "approve",
        "sign",
        "issue",
    ]


def test_the_handler_cannot_name_themselves_or_an_outsider(chain: World) -> None:
    users = chain.users
    document = draft(chain)
    with pytest.raises(TransitionError) as caught:
        actions.transition(
            users["city_office"],
            document,
            "submit",
            checker=users["city_office"],
            signer=users["bureau_leader"],
        )
    assert caught.value.code == "document.checker_is_handler"
    with pytest.raises(TransitionError) as caught:
        actions.transition(
            users["city_office"],
            document,
            "submit",
            checker=users["chief"],
            signer=users["a_office"],
        )
    assert caught.value.code == "document.signer_not_office"
    document.refresh_from_db()
    assert document.state == "draft"


def test_without_office_sign_off_the_office_issues_the_draft_directly(world: World) -> None:
    office = world.users["city_office"]
    document = draft(world)
    with pytest.raises(TransitionError):
        actions.transition(office, document, "submit")
    actions.issue(office, document, number=reserve(world))
    assert document.state == "issued"
    assert [s.name for s in document.steps.all()] == ["issue_directly"]


def test_issue_produces_a_docx_showing_the_number_and_the_title(world: World) -> None:
    document = draft(world)
    actions.issue(world.users["city_office"], document, number=reserve(world))
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        doc = Document(io.BytesIO(handle.read()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "驻马店市府院联动联席会议办公室"
    head = texts[: texts.index("关于督促办理欠薪案件的通知") + 1]
    assert "驻府院办〔2026〕3号" in head
    assert "一、总体情况" in texts and "市人社局办理进度滞后。" in texts
    assert "市人力资源和社会保障局：" in texts


def test_a_number_used_by_one_document_is_refused_for_another(world: World) -> None:
    office = world.users["city_office"]
    number = reserve(world)
    actions.issue(office, draft(world), number=number)
    second = draft(world, title="关于督促办理另一事项的通知")
    with pytest.raises(TransitionError) as caught:
        actions.issue(office, second, number=number)
    assert caught.value.code == "docno.taken"
    second.refresh_from_db()
    assert second.state == "draft" and second.number_id is None
    with pytest.raises(PermissionDenied):
        actions.release_number(office, number)


def test_minutes_are_issued_with_an_issue_label_instead_of_a_number(world: World) -> None:
    office = world.users["city_office"]
    minutes = draft(world, kind=DocumentKind.MINUTES, title="第一次全体会议纪要")
    with pytest.raises(TransitionError) as caught:
        actions.issue(office, minutes)
    assert caught.value.code == "document.issue_label_required"
    actions.update_document(office, minutes, {"issue_label": "第1期"})
    actions.issue(office, minutes)
    minutes.refresh_from_db()
    with minutes.file.open("rb") as handle:
        texts = [p.text for p in Document(io.BytesIO(handle.read())).paragraphs]
    assert texts[0] == "驻马店市府院联动联席会议纪要"
    assert "第1期" in texts


def test_body_text_becomes_headings_and_paragraphs() -> None:
    blocks = actions.body_blocks(BODY)
    assert [(type(b).__name__, getattr(b, "level", None)) for b in blocks] == [
        ("Heading", 1),
        ("Paragraph", None),
        ("Heading", 2),
        ("Paragraph", None),
    ]
