"""Authorization-matrix rows of the transfers: bulk pushes through the API (/api/v1/imports/),
export packages, and the system administrator's pages of file drops and pushed batches.

Pushing and reading a batch follow the feed: court staff and office staff may import
administrative cases; a batch is seen by its uploader and by everyone who may import to its
feed — others get 404. Export packages are for people acting for a unit (and the system
administrator); the drop and batch pages for the system administrator only."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only

IMPORTERS = ("city_office", "a_office", "court_staff")
CASE_HEADERS = "案号,原告,被告,案由,立案日期,审理阶段\r\n"
FEED = "litigation.cases"
ACTING = ("city_office", "a_office", "hrss_liaison", "court_staff", "system_admin")


def _csv(number: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "驻马店市人力资源和社会保障局"
    row = f"（2026）豫17行初{number}号,张玉梅,{body},工伤认定,2026-01-05,审理中\r\n"
    return SimpleUploadedFile("cases.csv", (CASE_HEADERS + row).encode("gb18030"))


def pushed_batch(w: Any) -> dict[str, Any]:
    """A cases batch pushed by the intermediate court's staff (queued: nothing imported)."""
    from fuyuan.core import importing
    from fuyuan.core.models import ImportBatch

    found = ImportBatch.objects.filter(feed=FEED, batch_id="matrix-push").first()
    if found is None:
        found, _ = importing.submit(
            FEED, _csv(931), w.users["court_staff"], batch_id="matrix-push", channel="push"
        )
    return {"pk": found.pk}


def court_package(w: Any) -> dict[str, Any]:
    """A package the court's staff had written for their own court (set-up, no files)."""
    from fuyuan.exchange.transfer_models import ExportPackage, PackageState

    found = ExportPackage.objects.filter(dataset="enforcement.debtors").first()
    if found is None:
        found = ExportPackage.objects.create(
            dataset="enforcement.debtors",
            recipient_unit=w.units["court"],
            folder="outbox/matrix/enforcement.debtors-20260101-000000-1",
            row_count=0,
            state=PackageState.WRITTEN,
            personal_revealed=True,
            created_by=w.users["court_staff"],
        )
    return {"pk": found.pk}


# A batch of cases: its uploader and whoever may import cases; 404 for the rest.
SEEN = {**expect(404, anonymous=401), **dict.fromkeys(IMPORTERS, 200)}
SYSTEM_ADMIN = only(["system_admin"])

API_TRANSFERS_CASES: list[Case] = [
    # --- the push API ----------------------------------------------------------------------------
    Case("api:import-feed-list", expect(200, anonymous=401)),
    Case("api:import-batch-list", expect(200, anonymous=401)),
    Case("api:import-batch-detail", SEEN, kwargs=pushed_batch),
    Case("api:import-batch-issues", SEEN, kwargs=pushed_batch),
    Case(
        "api:import-push-list",
        {**expect(403, anonymous=401), **dict.fromkeys(IMPORTERS, 202)},
        variant="push a cases file",
        method="post",
        kwargs=lambda w: {"feed": FEED},
        data=lambda w: {"file": _csv(932), "batch_id": "matrix-new"},
    ),
    Case(
        "api:import-push-list",
        # The court's staff sent it: the first result. Another sender with the same id: 409.
        {
            **expect(403, anonymous=401),
            **dict.fromkeys(IMPORTERS, 409),
            "court_staff": 200,
        },
        variant="the same batch id again: the first result",
        method="post",
        kwargs=lambda w: pushed_batch(w) and {"feed": FEED},
        data=lambda w: {"file": _csv(933), "batch_id": "matrix-push"},
    ),
    Case(
        "api:import-push-list",
        expect(404, anonymous=401),
        variant="no such feed",
        method="post",
        kwargs=lambda w: {"feed": "no.such"},
        data=lambda w: {"file": _csv(934)},
    ),
    Case(
        "api:import-push-list",
        expect(405, anonymous=401),
        variant="GET",
        kwargs=lambda w: {"feed": FEED},
    ),
    # --- export packages --------------------------------------------------------------------------
    Case("exchange:package_list", only(ACTING)),
    Case(
        "exchange:package_list",
        only(["court_staff"], ok=302),
        variant="ask for the court's own debtor list",
        method="post",
        data=lambda w: {"dataset": "enforcement.debtors", "recipient": w.units["court"].pk},
    ),
    Case(
        "exchange:package_detail",
        {**expect(404), "court_staff": 200, "system_admin": 200},
        kwargs=court_package,
    ),
    # --- file drops and batches: the system administrator ----------------------------------------
    Case("exchange:drop_list", SYSTEM_ADMIN),
    Case("exchange:drop_scan", only(["system_admin"], ok=302), method="post"),
    Case("exchange:drop_scan", expect(405), variant="GET"),
    Case("exchange:transfer_batch_list", SYSTEM_ADMIN),
    Case("exchange:transfer_batch_detail", SYSTEM_ADMIN, kwargs=pushed_batch),
]
