"""Pages of the documents app: who sees and who may write (the authorization matrix), the
sign-off chain through the forms, and the permission-checked download."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fuyuan.documents import actions
from fuyuan.documents.models import DocumentKind, DocumentNumber, OfficialDocument
from fuyuan.testing import World

ROLES = [
    "city_office",
    "a_office",
    "city_leader",
    "hrss_liaison",
    "court_staff",
    "system_admin",
    "security_admin",
    "audit_admin",
]


def city_document(world: World) -> OfficialDocument:
    return actions.create_document(
        world.users["city_office"],
        world.mechanisms["city"],
        {
            "kind": DocumentKind.BULLETIN,
            "title": "关于全市府院联动工作情况的通报",
            "body": "正文。",
        },
    )


@pytest.mark.parametrize(
    ("name", "list_", "detail", "create", "download", "numbers", "reserve"),
    [
        ("city_office", 200, 200, 200, 200, 200, 200),
        ("a_office", 200, 404, 200, 404, 200, 200),
        ("city_leader", 200, 200, 403, 200, 403, 403),
        ("hrss_liaison", 403, 404, 403, 404, 403, 403),
        ("court_staff", 403, 404, 403, 404, 403, 403),
        ("system_admin", 403, 404, 403, 404, 403, 403),
        ("security_admin", 403, 404, 403, 404, 403, 403),
        ("audit_admin", 403, 404, 403, 404, 403, 403),
    ],
)
def test_pages_by_role(
    world: World,
    client_for,  # type: ignore[no-untyped-def]
    name: str,
    list_: int,
    detail: int,
    create: int,
    download: int,
    numbers: int,
    reserve: int,
) -> None:
    document = city_document(world)
    client = client_for(name)
    assert client.get(reverse("documents:document_list")).status_code == list_
    assert (
        client.get(reverse("documents:document_detail", args=[document.pk])).status_code == detail
    )
    assert client.get(reverse("documents:document_create")).status_code == create
    response = client.get(reverse("documents:document_download", args=[document.pk]))
    assert response.status_code == download
    assert client.get(reverse("documents:number_list")).status_code == numbers
    assert client.get(reverse("documents:number_reserve")).status_code == reserve


def test_anonymous_is_sent_to_login(world: World) -> None:
    document = city_document(world)
    client = Client()
    for url in (
        reverse("documents:document_list"),
        reverse("documents:document_detail", args=[document.pk]),
        reverse("documents:number_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_liaison_cannot_post_a_draft_or_a_transition(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(world)
    client = client_for("hrss_liaison")
    response = client.post(
        reverse("documents:document_create"), {"kind": "bulletin", "title": "越权草稿"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("documents:document_transition", args=[document.pk, "issue_directly"])
    )
    assert response.status_code == 404
    assert OfficialDocument.objects.count() == 1


def test_leader_sees_but_cannot_issue(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(world)
    client = client_for("city_leader")
    page = client.get(reverse("documents:document_detail", args=[document.pk]))
    assert b"issue_directly" not in page.content
    response = client.post(
        reverse("documents:document_transition", args=[document.pk, "issue_directly"])
    )
    assert response.status_code == 403


def test_office_drafts_reserves_and_issues_through_the_pages(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("city_office")
    response = client.post(
        reverse("documents:document_create"),
        {
            "kind": "urging_letter",
            "title": "关于加快办理进度的催办函",
            "body": "一、基本情况\n\n请抓紧办理。",
        },
    )
    document = OfficialDocument.objects.get()
    assert response.status_code == 302
    list_page = client.get(reverse("documents:document_list"), {"kind": "urging_letter"})
    assert "关于加快办理进度的催办函" in list_page.content.decode()
    assert "1" in list_page.content.decode()

    response = client.post(
        reverse("documents:number_reserve"),
        {"mechanism": world.mechanisms["city"].pk, "number": "驻府院办〔2026〕03号"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["number"].as_data()[0].code == "docno.leading_zero"
    client.post(
        reverse("documents:number_reserve"),
        {"mechanism": world.mechanisms["city"].pk, "number": "驻府院办[2026]8号"},
    )
    number = DocumentNumber.objects.get()
    response = client.post(
        reverse("documents:number_reserve"),
        {"mechanism": world.mechanisms["city"].pk, "number": "驻府院办〔2026〕8号"},
    )
    assert response.context["form"].errors["number"].as_data()[0].code == "docno.taken"

    detail = client.get(reverse("documents:document_detail", args=[document.pk]))
    assert "issue_directly" in detail.content.decode()
    assert "驻府院办〔2026〕8号" in detail.content.decode()
    response = client.post(
        reverse("documents:document_transition", args=[document.pk, "issue_directly"]),
        {"number": number.pk, "version": document.version},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.state == "issued"
    download = client.get(reverse("documents:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_send_back_without_comment_shows_the_error(chain: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(chain)
    actions.transition(
        chain.users["city_office"],
        document,
        "submit",
        checker=chain.users["chief"],
        signer=chain.users["bureau_leader"],
    )
    client = Client()
    client.force_login(chain.users["chief"])
    url = reverse("documents:document_transition", args=[document.pk, "return_by_checker"])
    response = client.post(url, {"version": document.version})
    assert response.status_code == 200
    assert (
        response.context["form"].errors["comment"].as_data()[0].code == "workflow.comment_required"
    )
    document.refresh_from_db()
    assert document.state == "submitted"
