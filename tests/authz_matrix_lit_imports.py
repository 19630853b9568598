"""Authorization-matrix rows of the litigation app: imports of the court's exports.

Court staff and office staff may import (the upload page, samples, confirming); a batch is
seen by its uploader and by everyone who may import to its feed — others get 404."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only

IMPORTERS = ("city_office", "a_office", "court_staff")
CASE_HEADERS = "案号,原告,被告,案由,立案日期,审理阶段\r\n"


def _csv(number: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "驻马店市人力资源和社会保障局"
    row = f"（2026）豫17行初{number}号,张玉梅,{body},工伤认定,2026-01-05,审理中\r\n"
    return SimpleUploadedFile("cases.csv", (CASE_HEADERS + row).encode("gb18030"))


def court_batch(w: Any) -> dict[str, Any]:
    """A cases batch previewed by the intermediate court's staff."""
    from fuyuan.core import importing
    from fuyuan.litigation.importers import CASES_FEED

    batch = importing.preview(CASES_FEED, _csv(901), w.users["court_staff"])
    return {"batch": batch.pk}


SEEN = {**expect(404), **dict.fromkeys(IMPORTERS, 200)}

LIT_IMPORT_CASES: list[Case] = [
    Case("litigation:import", only(IMPORTERS)),
    Case(
        "litigation:import",
        only(IMPORTERS, ok=302),
        variant="upload a cases file",
        method="post",
        data=lambda w: {"feed": "litigation.cases", "file": _csv(902)},
    ),
    Case("litigation:import_preview", SEEN, kwargs=court_batch),
    Case(
        "litigation:import_confirm",
        {**expect(404), **dict.fromkeys(IMPORTERS, 302)},
        kwargs=court_batch,
        method="post",
    ),
    Case("litigation:import_confirm", expect(405), variant="GET", kwargs=court_batch),
    Case("litigation:import_sample", only(IMPORTERS), kwargs=lambda w: {"feed": "cases"}),
    Case(
        "litigation:import_sample",
        only(IMPORTERS),
        variant="GB18030 CSV of hearings",
        kwargs=lambda w: {"feed": "hearings"},
        query=lambda w: "format=csv",
    ),
    Case(
        "litigation:import_sample",
        expect(404),
        variant="no such feed",
        kwargs=lambda w: {"feed": "debtors"},
    ),
]
