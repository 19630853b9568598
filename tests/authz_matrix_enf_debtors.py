"""Authorization-matrix rows of the enforcement app: the dishonest-debtor list and the imports
of the court's files.

The list is shared with every member of a mechanism (administrators 403); identifiers in clear
(the "show" button, a clear export) are for court and office staff only; removing and
confirming entries likewise; importing (upload, samples, confirm) for court and office staff,
a batch seen by whoever may import to its feed (others 404)."""

from __future__ import annotations

import itertools
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only

_SEQUENCE = itertools.count(700)
IMPORTERS = ("city_office", "a_office", "court_staff")
CLEAR_READERS = IMPORTERS  # debtor_actions.may_see_identifiers: court and office staff
MEMBERS_ONLY = {**expect(200), **dict.fromkeys(ADMINS, 403)}
CLEAR_ONLY = only(CLEAR_READERS)
MANAGE_POST = only(CLEAR_READERS, ok=302)
SEEN = {**expect(404), **dict.fromkeys(IMPORTERS, 200)}


def entry(w: Any, state: str = "active") -> dict[str, Any]:
    from fuyuan.enforcement.importers import row_key_for
    from fuyuan.enforcement.models import DebtorRecord

    n = next(_SEQUENCE)
    case = f"（2024）豫17执{n}号"
    identifier = "411702197508123459"
    item = DebtorRecord.objects.create(
        name="张建国",
        party_kind="person",
        id_type="resident_id",
        id_number=identifier,
        id_display="411702********3459",
        court_name="驻马店市中级人民法院",
        basis_number="（2023）豫17民初45号",
        case_number=case,
        state=state,
        row_key=row_key_for(case, identifier=identifier),
    )
    return {"pk": item.pk}


def _csv(number: int) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    headers = (
        "被执行人姓名/名称,身份证号码/组织机构代码,执行法院,执行依据文号,立案时间,案号,"
        "被执行人的履行情况\r\n"
    )
    row = (
        f"李秀英,41172119900315432X,驻马店市中级人民法院,（2023）豫17民初1号,2024-05-08,"
        f"（2024）豫17执{number}号,全部未履行\r\n"
    )
    return SimpleUploadedFile("debtors.csv", (headers + row).encode("gb18030"))


def court_batch(w: Any) -> dict[str, Any]:
    from fuyuan.core import importing
    from fuyuan.enforcement.importers import DEBTORS_FEED

    batch = importing.preview(DEBTORS_FEED, _csv(next(_SEQUENCE)), w.users["court_staff"])
    return {"batch": batch.pk}


def _removal(w: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {"removed_on": timezone.localdate().isoformat(), "reason": "performed"}


ENF_DEBTOR_CASES: list[Case] = [
    Case("enforcement:debtor_list", MEMBERS_ONLY),
    Case(
        "enforcement:debtor_list",
        MEMBERS_ONLY,
        variant="search by identifier",
        query=lambda w: "ident=411702197508123459&state=active",
    ),
    Case("enforcement:debtor_export", MEMBERS_ONLY),
    Case(
        "enforcement:debtor_export",
        CLEAR_ONLY,
        variant="identifiers in clear",
        query=lambda w: "clear=1",
    ),
    Case("enforcement:debtor_detail", MEMBERS_ONLY, kwargs=entry),
    Case("enforcement:debtor_reveal", expect(405), variant="GET", kwargs=entry),
    Case("enforcement:debtor_reveal", CLEAR_ONLY, method="post", kwargs=entry),
    Case("enforcement:debtor_remove", expect(405), variant="GET", kwargs=entry),
    Case(
        "enforcement:debtor_remove",
        MANAGE_POST,
        variant="performed",
        method="post",
        kwargs=entry,
        data=_removal,
    ),
    Case("enforcement:debtor_confirm", expect(405), variant="GET", kwargs=entry),
    Case(
        "enforcement:debtor_confirm",
        MANAGE_POST,
        variant="held entry",
        method="post",
        kwargs=lambda w: entry(w, state="to_confirm"),
        data=lambda w: {"reason": "已与法院核对"},
    ),
    Case("enforcement:debtor_import", only(IMPORTERS)),
    Case(
        "enforcement:debtor_import",
        only(IMPORTERS, ok=302),
        variant="upload a list file",
        method="post",
        data=lambda w: {"feed": "enforcement.debtors", "file": _csv(next(_SEQUENCE))},
    ),
    Case("enforcement:debtor_import_preview", SEEN, kwargs=court_batch),
    Case(
        "enforcement:debtor_import_confirm",
        {**expect(404), **dict.fromkeys(IMPORTERS, 302)},
        method="post",
        kwargs=court_batch,
    ),
    Case("enforcement:debtor_import_confirm", expect(405), variant="GET", kwargs=court_batch),
    Case("enforcement:debtor_sample", only(IMPORTERS), kwargs=lambda w: {"kind": "debtors"}),
    Case(
        "enforcement:debtor_sample",
        only(IMPORTERS),
        variant="removals as GB18030 CSV",
        kwargs=lambda w: {"kind": "removals"},
        query=lambda w: "format=csv",
    ),
    Case(
        "enforcement:debtor_sample",
        expect(404),
        variant="no such file",
        kwargs=lambda w: {"kind": "cases"},
    ),
]
