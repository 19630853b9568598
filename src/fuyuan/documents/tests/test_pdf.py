"""The PDF preview: LibreOffice headless converts the document's .docx for those who may
download it, others get 404, and without LibreOffice the page says so with a 503."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from fuyuan.core import documents as core_documents
from fuyuan.documents import actions
from fuyuan.documents.models import DocumentKind, OfficialDocument
from fuyuan.testing import World

needs_libreoffice = pytest.mark.skipif(
    core_documents.soffice_path() is None,
    reason="LibreOffice is not installed (make deps-pdf)",
)


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


@needs_libreoffice
def test_office_gets_the_draft_as_an_inline_pdf(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(world)
    response = client_for("city_office").get(reverse("documents:document_pdf", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content.startswith(b"%PDF")


def test_a_failed_conversion_raises_a_clear_error(
    world: World,
    client_for,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A "LibreOffice" that exits 1 without writing a PDF.
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: "/bin/false")
    with pytest.raises(core_documents.PdfConversionError, match="could not convert"):
        core_documents.docx_to_pdf(b"anything")
    document = city_document(world)
    response = client_for("city_office").get(reverse("documents:document_pdf", args=[document.pk]))
    assert response.status_code == 500
    assert ".docx" in response.content.decode()


def test_liaison_cannot_see_the_preview(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(world)
    response = client_for("hrss_liaison").get(reverse("documents:document_pdf", args=[document.pk]))
    assert response.status_code == 404


def test_without_libreoffice_the_preview_answers_503(
    world: World,
    client_for,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    assert core_documents.docx_to_pdf(b"anything") is None
    document = city_document(world)
    response = client_for("city_office").get(reverse("documents:document_pdf", args=[document.pk]))
    assert response.status_code == 503
    assert "make deps-pdf" in response.content.decode()


def test_detail_page_links_the_pdf_preview(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    document = city_document(world)
    response = client_for("city_office").get(
        reverse("documents:document_detail", args=[document.pk])
    )
    assert reverse("documents:document_pdf", args=[document.pk]) in response.content.decode()
