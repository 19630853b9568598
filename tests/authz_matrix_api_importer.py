"""Authorization-matrix rows of the case-ledger imports: the court's ledger of
government-debtor and livelihood cases (enforcement:case_import*) and of bankruptcy cases
(bankruptcy:case_import*).

Court staff may import (the upload page, the samples, confirming); a batch is seen by its
uploader and by everyone who may import to its feed — others get 404."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only

IMPORTERS = ("court_staff",)
ENF_HEADERS = "案号,案件类型,被执行单位,申请执行人,立案日期,执行标的\r\n"
BANKRUPTCY_HEADERS = "案号,债务人,申请日期,案件阶段\r\n"


def _enforcement_csv(number: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "驻马店市人力资源和社会保障局"
    row = f"（2025）豫17执{number}号,涉党政机关,{body},某建筑公司,2025-01-05,10000\r\n"
    return SimpleUploadedFile("cases.csv", (ENF_HEADERS + row).encode("gb18030"))


def _bankruptcy_csv(number: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    row = f"（2025）豫17破申{number}号,驻马店市某纺织有限公司,2025-01-05,破产申请审查\r\n"
    return SimpleUploadedFile("cases.csv", (BANKRUPTCY_HEADERS + row).encode("gb18030"))


def enforcement_batch(w: Any) -> dict[str, Any]:
    """A ledger previewed by the intermediate court's staff."""
    from fuyuan.core import importing
    from fuyuan.enforcement.case_importers import CASES_FEED

    batch = importing.preview(CASES_FEED, _enforcement_csv(9901), w.users["court_staff"])
    return {"batch": batch.pk}


def bankruptcy_batch(w: Any) -> dict[str, Any]:
    from fuyuan.bankruptcy.importers import CASES_FEED
    from fuyuan.core import importing

    batch = importing.preview(CASES_FEED, _bankruptcy_csv(9901), w.users["court_staff"])
    return {"batch": batch.pk}


SEEN = {**expect(404), **dict.fromkeys(IMPORTERS, 200)}
CONFIRMED = {**expect(404), **dict.fromkeys(IMPORTERS, 302)}


def _rows(app: str, feed: str, make_csv: Any, batch: Any) -> list[Case]:
    return [
        Case(f"{app}:case_import", only(IMPORTERS)),
        Case(
            f"{app}:case_import",
            only(IMPORTERS, ok=302),
            variant="upload a ledger",
            method="post",
            data=lambda w: {"feed": feed, "file": make_csv(9902)},
        ),
        Case(f"{app}:case_import_preview", SEEN, kwargs=batch),
        Case(f"{app}:case_import_confirm", CONFIRMED, kwargs=batch, method="post"),
        Case(f"{app}:case_import_confirm", expect(405), variant="GET", kwargs=batch),
        Case(f"{app}:case_import_sample", only(IMPORTERS)),
        Case(
            f"{app}:case_import_sample",
            only(IMPORTERS),
            variant="GB18030 CSV",
            query=lambda w: "format=csv",
        ),
        Case(
            f"{app}:case_import_sample",
            only(IMPORTERS, ok=404),
            variant="no such format",
            query=lambda w: "format=pdf",
        ),
    ]


API_IMPORTER_CASES: list[Case] = [
    *_rows("enforcement", "enforcement.cases", _enforcement_csv, enforcement_batch),
    *_rows("bankruptcy", "bankruptcy.cases", _bankruptcy_csv, bankruptcy_batch),
]
