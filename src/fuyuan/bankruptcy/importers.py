"""The court's file of bankruptcy cases (破产案件台账), read by the shared importer
(`fuyuan.core.importing`) as the feed `bankruptcy.cases`. Row key: the normalised case
number; a number already registered updates its case, a new one registers it.

Columns (Chinese or English headers):
    案号 · 受理法院 · 债务人 · 统一社会信用代码 · 管理人 · 管理人联系方式 · 申请日期 ·
    受理日期 · 终结日期 · 案件阶段 · 是否无产可破 · 职工人数 · 备注
  The court is told by the number's court code (a pre-2016 number by the court's name; a name
  that disagrees with the code is an error). The stage is written as the court does (破产申请
  审查, 已受理, 管理人接管, 重整, 和解, 破产清算, 已终结); left empty it follows the dates (a
  conclusion date → concluded, an acceptance date → accepted, else the application). A
  column missing from the file, or an empty cell, keeps an existing case's stored value.

Every row is checked with the case actions' own rules (`actions._validate_case`, the same
codes as the page: bankruptcy.not_bankruptcy_case, bankruptcy.court_mismatch,
bankruptcy.accepted_on_required, bankruptcy.date_order, uscc.checksum …) and written through
the actions (`create_case`, `update_case`), each audited as on the page; the batch has its
one `import.bankruptcy.cases` entry. A credit code failing its check character is refused:
only office staff may keep one, on the case's page. A number that changes (破申 → 破 once
accepted) is changed on the case's page; the file's new number registers a new case.
A low-volume feed: rows are written one by one through the actions.

Who may import: court staff. Each row must be within the importer's remit: a case of their
court (or one they may edit, for an existing case).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import can, scope_for
from fuyuan.core import importing
from fuyuan.core.case_numbers import CaseNumber, parse_case_number
from fuyuan.core.importing import CellError, Column, Context, Row, StoreResult
from fuyuan.org.models import Unit

from . import actions
from .models import BankruptcyCase, CaseStage

CASES_FEED = "bankruptcy.cases"

UNKNOWN_COURT = "bankruptcy.import.unknown_court"
OUTSIDE_REMIT = "bankruptcy.import.outside_remit"
NOT_BANKRUPTCY = "bankruptcy.not_bankruptcy_case"
COURT_MISMATCH = "bankruptcy.court_mismatch"

STAGE_WORDS = {
    "破产申请审查": CaseStage.APPLICATION,
    "申请审查": CaseStage.APPLICATION,
    "审查中": CaseStage.APPLICATION,
    "破申": CaseStage.APPLICATION,
    "已受理": CaseStage.ACCEPTED,
    "受理": CaseStage.ACCEPTED,
    "裁定受理": CaseStage.ACCEPTED,
    "管理人接管": CaseStage.ADMINISTRATION,
    "接管": CaseStage.ADMINISTRATION,
    "管理中": CaseStage.ADMINISTRATION,
    "重整": CaseStage.REORGANISATION,
    "破产重整": CaseStage.REORGANISATION,
    "和解": CaseStage.SETTLEMENT,
    "破产和解": CaseStage.SETTLEMENT,
    "清算": CaseStage.LIQUIDATION,
    "破产清算": CaseStage.LIQUIDATION,
    "破产宣告": CaseStage.LIQUIDATION,
    "已终结": CaseStage.CONCLUDED,
    "终结": CaseStage.CONCLUDED,
    "已结案": CaseStage.CONCLUDED,
    "结案": CaseStage.CONCLUDED,
    "程序终结": CaseStage.CONCLUDED,
    **{
        word: key
        for key, label in CaseStage.choices
        for word in (str(label), str(label).split("(")[0].strip())
    },
}
# Case fields set from the file (actions.CASE_FIELDS without the court and number) and the
# column each comes from.
FIELD_COLUMNS = {
    "debtor_name": "debtor_name",
    "debtor_credit_code": "debtor_credit_code",
    "administrator": "administrator",
    "administrator_contact": "administrator_contact",
    "applied_on": "applied_on",
    "accepted_on": "accepted_on",
    "concluded_on": "concluded_on",
    "stage": "stage",
    "no_assets": "no_assets",
    "employees": "employees",
    "note": "note",
}
# The actions' error fields → the feed's columns.
ERROR_COLUMNS = {**FIELD_COLUMNS, "number": "number", "court": "court_name"}


def _key(name: str) -> str:
    return importing.normalise_header(name)


def _parse_employees(text: str) -> int:
    value = importing.parse_int(unicodedata.normalize("NFKC", text).strip().removesuffix("人"))
    if value < 0:
        raise CellError("import.int", _("“%(value)s” is not a number of people.") % {"value": text})
    return value


def may_import(user: Any) -> bool:
    """Court staff (of any court)."""
    return bool(scope_for(user).units.get(Role.COURT))


class _Lookups:
    """Courts (current, by code and name) and the registered cases' numbers, once per run."""

    def __init__(self) -> None:
        courts = Unit.objects.current().courts().select_related("jurisdiction").order_by("pk")
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for court in courts:
            if court.court_code:
                self.by_code.setdefault(court.court_code, court)
            for name in {court.name, court.short_name} - {"", None}:
                self.by_name[_key(name)].append(court)
        self.cases = dict(BankruptcyCase.objects.values_list("number", "pk"))


def _action_errors(row: Row, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                row.error(error.code or "invalid", str(message), ERROR_COLUMNS.get(field, ""))
    else:
        for message in exc.messages:
            row.error(exc.code or "invalid", message)


def _first_code(exc: ValidationError) -> str:
    found = exc.error_list if hasattr(exc, "error_list") else []
    if hasattr(exc, "error_dict"):
        found = [e for errors in exc.error_dict.values() for e in errors]
    return next((str(e.code) for e in found if e.code), "invalid")


class CaseFeed(importing.Feed):
    name = CASES_FEED
    label = gettext_lazy("Bankruptcy cases (court file)")
    columns = (
        Column(
            "number",
            gettext_lazy("Case number"),
            headers=("案号", "case_number", "caseCode"),
            required=True,
            parse=parse_case_number,
        ),
        Column(
            "court_name",
            gettext_lazy("Court"),
            headers=("受理法院", "承办法院", "审理法院", "法院", "court"),
            max_length=100,
        ),
        Column(
            "debtor_name",
            gettext_lazy("Debtor enterprise"),
            headers=("债务人", "债务人名称", "破产企业", "企业名称", "debtor", "debtor_name"),
            required=True,
            max_length=200,
        ),
        Column(
            "debtor_credit_code",
            gettext_lazy("Debtor's credit code"),
            headers=("统一社会信用代码", "债务人统一社会信用代码", "信用代码", "credit_code"),
            max_length=30,
        ),
        Column(
            "administrator",
            gettext_lazy("Administrator"),
            headers=("管理人", "破产管理人", "administrator"),
            max_length=200,
        ),
        Column(
            "administrator_contact",
            gettext_lazy("Administrator's contact"),
            headers=("管理人联系方式", "管理人电话", "联系电话", "administrator_contact"),
            max_length=100,
        ),
        Column(
            "applied_on",
            gettext_lazy("Application received on"),
            headers=("申请日期", "收到申请日期", "申请时间", "立案日期", "applied_on"),
            required=True,
            parse=importing.parse_date,
        ),
        Column(
            "accepted_on",
            gettext_lazy("Accepted on"),
            headers=("受理日期", "裁定受理日期", "accepted_on"),
            parse=importing.parse_date,
        ),
        Column(
            "concluded_on",
            gettext_lazy("Concluded on"),
            headers=("终结日期", "裁定终结日期", "结案日期", "concluded_on"),
            parse=importing.parse_date,
        ),
        Column(
            "stage",
            gettext_lazy("Stage"),
            headers=("案件阶段", "阶段", "程序", "案件状态", "stage"),
            parse=importing.choice(STAGE_WORDS),
        ),
        Column(
            "no_assets",
            gettext_lazy("No assets (无产可破)"),
            headers=("是否无产可破", "无产可破", "no_assets"),
            parse=importing.parse_bool,
        ),
        Column(
            "employees",
            gettext_lazy("Employees affected"),
            headers=("职工人数", "涉及职工人数", "职工", "employees"),
            parse=_parse_employees,
        ),
        Column("note", gettext_lazy("Note"), headers=("备注", "说明", "note")),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        context.cache["lookups"] = _Lookups()
        context.cache["scope"] = scope_for(context.actor)

    def row_key(self, values: dict[str, Any]) -> str:
        return importing.case_number_key(values)

    # --- checks ---------------------------------------------------------------------------------
    def clean_row(self, row: Row, context: Context) -> None:
        lookups: _Lookups = context.cache["lookups"]
        number: CaseNumber = row.values["number"]
        if number.kind != "bankruptcy":
            row.error(
                NOT_BANKRUPTCY,
                _("%(number)s is not a bankruptcy case (its type code is %(type)s).")
                % {"number": number.normalized, "type": number.type_code or number.legacy_type},
                "number",
            )
            return
        court = self._court(row, number, lookups)
        if court is None:
            return
        pk = lookups.cases.get(number.normalized)
        case = (
            BankruptcyCase.objects.select_related("court", "mechanism__jurisdiction").get(pk=pk)
            if pk is not None
            else None
        )
        if not self._allowed(context, court, case):
            row.error(
                OUTSIDE_REMIT,
                _(
                    "Case %(number)s (%(court)s) is outside what you may import: the cases of "
                    "your court."
                )
                % {"number": number.normalized, "court": court.name},
                "number",
            )
            return
        values = self._values(row, context, case)
        values["court"] = court
        values["number"] = number.normalized
        try:
            _parsed, code, _reason = actions._validate_case(
                context.actor, actions._clean_values(values), case=case
            )
        except ValidationError as exc:
            _action_errors(row, exc)
            return
        changed: dict[str, Any] = {}
        if case is not None:
            cleaned = {**actions._clean_values(values), "debtor_credit_code": code}
            changed = {
                name: cleaned[name]
                for name in FIELD_COLUMNS
                if cleaned[name] != getattr(case, name)
            }
            if court.pk != case.court_id:
                changed["court"] = court
        row.values["_plan"] = {
            "pk": case.pk if case is not None else None,
            "court_id": court.pk,
            "values": values,
            "changed": changed,
        }

    def _court(self, row: Row, number: CaseNumber, lookups: _Lookups) -> Unit | None:
        def by_name(name: str) -> Unit | None:
            found = lookups.by_name.get(_key(name), [])
            return found[0] if len(found) == 1 else None

        court: Unit | None = importing.court_of_number(
            row,
            number,
            by_code=lookups.by_code.get,
            by_name=by_name,
            names=lambda c: (c.name, c.short_name, c.court_code),
            unknown=UNKNOWN_COURT,
            mismatch=COURT_MISMATCH,
        )
        return court

    def _allowed(self, context: Context, court: Unit, case: BankruptcyCase | None) -> bool:
        if case is not None:
            return can(context.actor, "edit", case)
        scope = context.cache["scope"]
        return bool(
            scope.acts_for(court.pk, Role.COURT)
            or scope.oversees(court.jurisdiction.path, Role.OFFICE)
        )

    def _values(self, row: Row, context: Context, case: BankruptcyCase | None) -> dict[str, Any]:
        """The case's fields from the row; for an existing case, columns missing from the file
        and empty cells keep the stored values."""
        v = row.values
        present = {k for k in (context.batch.header_map or {}).values() if k} or set(FIELD_COLUMNS)
        values: dict[str, Any] = {}
        for field, column in FIELD_COLUMNS.items():
            given = v[column]
            if case is not None and (column not in present or given in (None, "")):
                values[field] = getattr(case, field)
            else:
                values[field] = given
        if v["stage"] is None and (case is None or v["accepted_on"] or v["concluded_on"]):
            values["stage"] = self._stage_from_dates(values, case)
        if values["employees"] is None:
            values["employees"] = 0
        return values

    @staticmethod
    def _stage_from_dates(values: dict[str, Any], case: BankruptcyCase | None) -> str:
        concluded: datetime.date | None = values.get("concluded_on")
        accepted: datetime.date | None = values.get("accepted_on")
        if concluded is not None:
            return CaseStage.CONCLUDED
        if case is not None and case.stage not in (CaseStage.APPLICATION, CaseStage.CONCLUDED):
            return str(case.stage)  # accepted and moving on: keep the stored stage
        return CaseStage.ACCEPTED if accepted is not None else CaseStage.APPLICATION

    # --- storing --------------------------------------------------------------------------------
    def store(self, rows: list[Row], context: Context) -> StoreResult:
        result = StoreResult()
        plans = [row.values["_plan"] for row in rows]
        courts = Unit.objects.select_related("jurisdiction").in_bulk(
            {plan["court_id"] for plan in plans}
        )
        cases = BankruptcyCase.objects.select_related("court", "mechanism__jurisdiction").in_bulk(
            [plan["pk"] for plan in plans if plan["pk"]]
        )
        for row, plan in zip(rows, plans, strict=True):
            try:
                if plan["pk"] is None:
                    fields = {
                        **plan["values"],
                        "court": courts[plan["court_id"]],
                        "number": row.key,
                    }
                    actions.create_case(context.actor, **fields)
                    result.created += 1
                elif plan["changed"]:
                    actions.update_case(context.actor, cases[plan["pk"]], **plan["changed"])
                    result.updated += 1
                else:
                    result.unchanged += 1
            except (ValidationError, PermissionDenied) as exc:
                # A rule the preview could not see (the data changed since): the whole batch
                # fails with the row's problem, nothing is stored.
                problem = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                code = _first_code(exc) if isinstance(exc, ValidationError) else "permission"
                raise ValidationError(
                    [
                        ValidationError(
                            _("Row %(row)s: %(problem)s") % {"row": row.number, "problem": problem},
                            code=code,
                        )
                    ]
                ) from exc
        return result


importing.register(CaseFeed())
