"""Import of the court's ledger of bankruptcy cases (feed `bankruptcy.cases`, in `importers`):
the upload page with the sample files, the preview of a batch with every row's problem, and
the confirmation — the shared importer's pages (`fuyuan.core.import_views.ImportPages`). Only
batches of this feed visible to the user are shown (404 otherwise); only those who may import
(court staff) upload, confirm or download the samples (403)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuyuan.core.import_views import ImportPages

from .importers import CASES_FEED
from .samples import make_samples

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PAGES = ImportPages(
    namespace="bankruptcy",
    name="case_import",
    feeds=(CASES_FEED,),
    title=_("Import the court's ledger of bankruptcy cases"),
    list_url_name="bankruptcy:case_list",
    templates="bankruptcy/case_import",
    samples={
        "xlsx": ("XLSX", "xlsx", XLSX, make_samples.build),
        "csv": ("CSV (GB18030)", "csv", "text/csv; charset=gb18030", make_samples.build),
    },
    sample_name="破产案件台账样例",
)
