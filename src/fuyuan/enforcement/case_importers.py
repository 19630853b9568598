"""The court's file of government-debtor and livelihood enforcement cases (涉党政机关 / 涉民生
执行案件台账), read by the shared importer (`fuyuan.core.importing`) as the feed
`enforcement.cases`. Row key: the normalised case number; a number already registered updates
its case, a new one registers it.

Columns (Chinese or English headers):
    案号 · 执行法院 · 案件类型 · 是否涉企 · 被执行单位 · 被执行人 · 申请执行人 · 立案日期 ·
    执行标的 · 已执行到位金额 · 到位日期 · 案件状态 · 结案日期 · 办结期限 · 备注
  The court is told by the number's court code (a pre-2016 number by the 执行法院 name; a name
  that disagrees with the code is an error). The debtor body is a unit by its full or short
  name (required for the government kinds); 被执行人 defaults to the body's name. Kinds, states
  and amounts are written as the court does (涉党政机关, 拖欠企业账款, 追索劳动报酬 …; 执行中,
  还款计划, 已结案; 12,000.00元).

Every write goes through the case actions (`case_actions`), the same as the page's:
- a new number → `register_case` (opens the supervised matter, audited), then a payment
  plan (`update_case`) or the closing (`close_case`) when the row says so;
- an existing case → `update_case` for the changed fields (kind, parties, filing date, amount
  owed, state, note; a column missing from the file keeps the stored value), `record_payment`
  for an increase of the amount paid (dated 到位日期, else today), `close_case` for a row
  that closes it. The executing court and the debtor body are fixed (a different one is a row
  error); an amount paid lower than the stored one is an error (payments are not undone);
  a closed case only accepts an identical row.
The rules of the actions are checked on every row in the preview with the actions' codes
(enforcement.filed_in_future, enforcement.overpaid, enforcement.debtor_body_required …); the
import's own checks use enforcement.import.*. Each row's action is audited as on the page,
and the batch has its one `import.enforcement.cases` entry. A low-volume feed: rows are
written one by one through the actions (in the batch's one transaction).

Who may import: court staff. Each row must be within the importer's remit: a case of their
court (or one they may write, for an existing case).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core import importing
from fuyuan.core.case_numbers import CaseNumber, parse_case_number
from fuyuan.core.importing import Column, Context, Row, StoreResult
from fuyuan.org.models import Mechanism, Unit, UnitKind

from . import case_actions
from .models import (
    GOVERNMENT_KINDS,
    EnforcementCase,
    EnforcementCaseKind,
    EnforcementCaseState,
)

CASES_FEED = "enforcement.cases"

# --- the import's own checks ---------------------------------------------------------------------
UNKNOWN_COURT = "enforcement.import.unknown_court"
UNKNOWN_BODY = "enforcement.import.unknown_body"
AMBIGUOUS_BODY = "enforcement.import.ambiguous_body"
OUTSIDE_REMIT = "enforcement.import.outside_remit"
FIXED_CHANGED = "enforcement.import.fixed_changed"
PAID_DECREASED = "enforcement.import.paid_decreased"
STATE_CONFLICT = "enforcement.import.state_conflict"
# --- codes of the case actions -------------------------------------------------------------------
NOT_ENFORCEMENT = "enforcement.not_enforcement_case"
COURT_MISMATCH = "enforcement.court_mismatch"
DEBTOR_IS_COURT = "enforcement.debtor_is_court"
DEBTOR_BODY_REQUIRED = "enforcement.debtor_body_required"
NO_MECHANISM = "enforcement.no_mechanism"
CASE_CLOSED = "enforcement.case_closed"
CLOSE_NOTE_REQUIRED = "enforcement.close_note_required"
DATE_FUTURE = "enforcement.date_future"
DATE_BEFORE_FILING = "enforcement.date_before_filing"
DEADLINE_BEFORE_FILING = "enforcement.deadline_before_filing"

KIND_WORDS = {
    "涉党政机关": EnforcementCaseKind.GOVERNMENT_DEBTOR,
    "党政机关": EnforcementCaseKind.GOVERNMENT_DEBTOR,
    "涉党政机关执行案件": EnforcementCaseKind.GOVERNMENT_DEBTOR,
    "政府机关": EnforcementCaseKind.GOVERNMENT_DEBTOR,
    "拖欠企业账款": EnforcementCaseKind.ENTERPRISE_ARREARS,
    "拖欠民营企业账款": EnforcementCaseKind.ENTERPRISE_ARREARS,
    "涉企欠款": EnforcementCaseKind.ENTERPRISE_ARREARS,
    "追索劳动报酬": EnforcementCaseKind.WAGES,
    "拖欠工资": EnforcementCaseKind.WAGES,
    "劳动报酬": EnforcementCaseKind.WAGES,
    "赡养费": EnforcementCaseKind.SUPPORT,
    "扶养费": EnforcementCaseKind.SUPPORT,
    "抚养费": EnforcementCaseKind.SUPPORT,
    "赡养费、扶养费、抚养费": EnforcementCaseKind.SUPPORT,
    "三养费": EnforcementCaseKind.SUPPORT,
    "医疗损害赔偿": EnforcementCaseKind.MEDICAL_INJURY,
    "交通事故损害赔偿": EnforcementCaseKind.MEDICAL_INJURY,
    "工伤赔偿": EnforcementCaseKind.MEDICAL_INJURY,
    "人身损害赔偿": EnforcementCaseKind.MEDICAL_INJURY,
    "其他涉民生": EnforcementCaseKind.OTHER_LIVELIHOOD,
    "其他民生": EnforcementCaseKind.OTHER_LIVELIHOOD,
    "涉民生": EnforcementCaseKind.OTHER_LIVELIHOOD,
    **{
        word: key
        for key, label in EnforcementCaseKind.choices
        for word in (str(label), str(label).split("(")[0].strip())
    },
}
STATE_WORDS = {
    "执行中": EnforcementCaseState.OPEN,
    "在执": EnforcementCaseState.OPEN,
    "未结": EnforcementCaseState.OPEN,
    "未结案": EnforcementCaseState.OPEN,
    "还款计划": EnforcementCaseState.PLAN,
    "已达成还款计划": EnforcementCaseState.PLAN,
    "分期履行": EnforcementCaseState.PLAN,
    "执行和解分期履行": EnforcementCaseState.PLAN,
    "已结案": EnforcementCaseState.CLOSED,
    "结案": EnforcementCaseState.CLOSED,
    "已结": EnforcementCaseState.CLOSED,
    "结案销号": EnforcementCaseState.CLOSED,
    "已销号": EnforcementCaseState.CLOSED,
    **{str(label): key for key, label in EnforcementCaseState.choices},
}
# Row fields → the case's editable fields (case_actions.EDIT_FIELDS) and their columns.
EDIT_COLUMNS = {
    "kind": "kind",
    "enterprise_related": "enterprise",
    "debtor_name": "debtor_name",
    "creditor": "creditor",
    "filed_on": "filed_on",
    "amount_owed": "amount_owed",
    "note": "note",
}
# The actions' error fields → the feed's columns.
FIELD_COLUMNS = {
    "number": "number",
    "court": "court_name",
    "debtor_unit": "debtor_unit",
    "kind": "kind",
    "debtor_name": "debtor_name",
    "creditor": "creditor",
    "filed_on": "filed_on",
    "amount_owed": "amount_owed",
    "amount_paid": "amount_paid",
    "state": "state",
    "deadline": "deadline",
}
CENT = Decimal("0.01")


def _key(name: str) -> str:
    return importing.normalise_header(name)


def _court_names(court: dict[str, Any]) -> tuple[str, str | None, str]:
    return court["name"], court["short_name"], court["court_code"]


def _parse_amount(text: str) -> Decimal:
    """12000, 12,000.00, ¥12000, 12000元, 1.2万元."""
    s = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace(" ", "")
    if s.endswith(("万元", "万")):
        return (importing.parse_decimal(s.removesuffix("元").removesuffix("万")) * 10000).quantize(
            CENT
        )
    return importing.parse_decimal(s).quantize(CENT)


def may_import(user: Any) -> bool:
    """Court staff (of any court)."""
    return bool(scope_for(user).units.get(Role.COURT))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class _Lookups:
    """Courts, bodies, joint meetings and the registered cases, loaded once per run."""

    def __init__(self) -> None:
        today = timezone.localdate()
        self.units: dict[int, dict[str, Any]] = {}
        self.courts: dict[str, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for row in (
            Unit.objects.current(today)
            .values("id", "name", "short_name", "kind", "court_code", "jurisdiction__path")
            .order_by("pk")
        ):
            unit: dict[str, Any] = dict(row)
            self.units[unit["id"]] = unit
            if unit["court_code"]:
                self.courts[unit["court_code"]].append(unit["id"])
            for name in {unit["name"], unit["short_name"]} - {"", None}:
                self.by_name[_key(name)].append(unit["id"])
        self.mechanism_paths = set(Mechanism.objects.values_list("jurisdiction__path", flat=True))
        self.cases: dict[str, dict[str, Any]] = {
            row["number"]: row
            for row in EnforcementCase.objects.values(
                "pk",
                "number",
                "court_id",
                "debtor_unit_id",
                "jurisdiction__path",
                "state",
                "amount_paid",
                *EDIT_COLUMNS,
            )
        }

    def court(self, code: str) -> dict[str, Any] | None:
        ids = self.courts.get(code) or []
        return self.units[ids[0]] if ids else None

    def named(self, name: str) -> list[dict[str, Any]]:
        return [self.units[i] for i in self.by_name.get(_key(name), [])]

    def has_mechanism(self, path: str) -> bool:
        return any(p in self.mechanism_paths for p in _ancestor_paths(path))


def _present(context: Context) -> set[str] | None:
    keys = {k for k in (context.batch.header_map or {}).values() if k}
    return keys or None


def _action_errors(row: Row, exc: ValidationError) -> None:
    """The action's ValidationError as the row's errors, on the feed's columns."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                row.error(error.code or "invalid", str(message), FIELD_COLUMNS.get(field, ""))
    else:
        for message in exc.messages:
            row.error(exc.code or "invalid", message)


class CaseFeed(importing.Feed):
    name = CASES_FEED
    label = gettext_lazy("Government-debtor and livelihood cases (court file)")
    columns = (
        Column(
            "number",
            gettext_lazy("Case number"),
            headers=("案号", "执行案号", "case_number", "caseCode"),
            required=True,
            parse=parse_case_number,
        ),
        Column(
            "court_name",
            gettext_lazy("Executing court"),
            headers=("执行法院", "承办法院", "法院", "court"),
            max_length=100,
        ),
        Column(
            "kind",
            gettext_lazy("Kind"),
            headers=("案件类型", "案件类别", "类型", "kind"),
            required=True,
            parse=importing.choice(KIND_WORDS),
        ),
        Column(
            "enterprise",
            gettext_lazy("Enterprise-related"),
            headers=("是否涉企", "涉企", "enterprise_related"),
            parse=importing.parse_bool,
        ),
        Column(
            "debtor_unit",
            gettext_lazy("Debtor body"),
            headers=("被执行单位", "被执行机关", "被执行人单位", "debtor_unit"),
            max_length=100,
        ),
        Column(
            "debtor_name",
            gettext_lazy("Debtor"),
            headers=("被执行人", "被执行人名称", "被执行人姓名/名称", "debtor", "debtor_name"),
            max_length=200,
        ),
        Column(
            "creditor",
            gettext_lazy("Applicant creditor"),
            headers=("申请执行人", "申请人", "creditor"),
            required=True,
            max_length=200,
        ),
        Column(
            "filed_on",
            gettext_lazy("Filed on"),
            headers=("立案日期", "立案时间", "filed_on"),
            required=True,
            parse=importing.parse_date,
        ),
        Column(
            "amount_owed",
            gettext_lazy("Amount owed (yuan)"),
            headers=("执行标的", "申请执行标的", "执行标的金额", "应执行金额", "amount_owed"),
            required=True,
            parse=_parse_amount,
        ),
        Column(
            "amount_paid",
            gettext_lazy("Amount paid (yuan)"),
            headers=("已执行到位金额", "执行到位金额", "到位金额", "已执行金额", "amount_paid"),
            parse=_parse_amount,
        ),
        Column(
            "paid_on",
            gettext_lazy("Paid on"),
            headers=("到位日期", "最近到位日期", "paid_on"),
            parse=importing.parse_date,
        ),
        Column(
            "state",
            gettext_lazy("State"),
            headers=("案件状态", "执行状态", "状态", "state"),
            parse=importing.choice(STATE_WORDS),
        ),
        Column(
            "closed_on",
            gettext_lazy("Closed on"),
            headers=("结案日期", "销号日期", "closed_on"),
            parse=importing.parse_date,
        ),
        Column(
            "deadline",
            gettext_lazy("Deadline"),
            headers=("办结期限", "化解期限", "deadline"),
            parse=importing.parse_date,
        ),
        Column("note", gettext_lazy("Note"), headers=("备注", "进展情况", "说明", "note")),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        context.cache["lookups"] = _Lookups()
        context.cache["scope"] = scope_for(context.actor)
        context.cache["today"] = timezone.localdate()

    def row_key(self, values: dict[str, Any]) -> str:
        return importing.case_number_key(values)

    # --- checks ---------------------------------------------------------------------------------
    def clean_row(self, row: Row, context: Context) -> None:
        lookups: _Lookups = context.cache["lookups"]
        v = row.values
        number: CaseNumber = v["number"]
        if number.kind != "enforcement":
            row.error(
                NOT_ENFORCEMENT,
                _("%(number)s is not an enforcement case (its type code is %(type)s).")
                % {"number": number.normalized, "type": number.type_code or number.legacy_type},
                "number",
            )
            return
        court = self._court(row, number, lookups)
        body = self._body(row, lookups)
        if court is None or row.errors:
            return
        existing = lookups.cases.get(number.normalized)
        if existing is None:
            self._check_new(row, context, court, body)
        else:
            self._check_existing(row, context, existing, court, body)

    def _court(self, row: Row, number: CaseNumber, lookups: _Lookups) -> dict[str, Any] | None:
        def by_name(name: str) -> dict[str, Any] | None:
            found = [u for u in lookups.named(name) if u["kind"] == UnitKind.COURT]
            return found[0] if len(found) == 1 else None

        court: dict[str, Any] | None = importing.court_of_number(
            row,
            number,
            by_code=lookups.court,
            by_name=by_name,
            names=_court_names,
            unknown=UNKNOWN_COURT,
            mismatch=COURT_MISMATCH,
        )
        return court

    def _body(self, row: Row, lookups: _Lookups) -> dict[str, Any] | None:
        name = (row.values["debtor_unit"] or "").strip()
        if not name:
            return None
        found = lookups.named(name)
        if not found:
            row.error(
                UNKNOWN_BODY,
                _("Unknown debtor body: %(body)s (use its full or short name).") % {"body": name},
                "debtor_unit",
            )
            return None
        if len(found) > 1:
            row.error(
                AMBIGUOUS_BODY,
                _("%(body)s names several bodies (%(names)s): use the full name.")
                % {"body": name, "names": "、".join(u["name"] for u in found)},
                "debtor_unit",
            )
            return None
        if found[0]["kind"] == UnitKind.COURT:
            row.error(DEBTOR_IS_COURT, _("A court cannot be the debtor body here."), "debtor_unit")
            return None
        return found[0]

    def _common(self, row: Row, values: dict[str, Any], paid: Decimal) -> None:
        """The actions' own rules (kind, parties, filing date, amounts)."""
        errors: case_actions.Errors = {}
        case_actions._check_common(errors, values, paid)
        if errors:
            _action_errors(row, ValidationError(errors))  # type: ignore[arg-type]

    def _closing(
        self, row: Row, context: Context, filed_on: datetime.date, owed: Decimal, paid: Decimal
    ) -> str:
        """The state the row asks for: open, plan or closed (with its checks)."""
        v = row.values
        state = v["state"] or (EnforcementCaseState.CLOSED if v["closed_on"] else "")
        closed_on: datetime.date | None = v["closed_on"]
        if state == EnforcementCaseState.CLOSED:
            if closed_on is None:
                row.error("required", _("Enter the closing date."), "closed_on")
            elif closed_on > context.cache["today"]:
                row.error(DATE_FUTURE, _("The date cannot be in the future."), "closed_on")
            elif closed_on < filed_on:
                row.error(
                    DATE_BEFORE_FILING,
                    _("The closing date is before the case was filed."),
                    "closed_on",
                )
            if paid < owed and not (v["note"] or "").strip():
                row.error(
                    CLOSE_NOTE_REQUIRED,
                    _(
                        "The case is not fully paid: say why it is closed (settlement, "
                        "termination …)."
                    ),
                    "note",
                )
        elif closed_on is not None:
            row.error(
                STATE_CONFLICT,
                _("A case with a closing date is closed, not “%(state)s”.")
                % {"state": EnforcementCaseState(state).label},
                "state",
            )
        return str(state or EnforcementCaseState.OPEN)

    def _check_new(
        self,
        row: Row,
        context: Context,
        court: dict[str, Any],
        body: dict[str, Any] | None,
    ) -> None:
        lookups: _Lookups = context.cache["lookups"]
        v = row.values
        v["debtor_name"] = (v["debtor_name"] or (body["name"] if body else "")).strip()
        if body is None and v["kind"] in GOVERNMENT_KINDS:
            row.error(
                DEBTOR_BODY_REQUIRED,
                _("A case against a government body needs the debtor body."),
                "debtor_unit",
            )
        paid = v["amount_paid"] if v["amount_paid"] is not None else Decimal("0.00")
        values = {
            "kind": v["kind"],
            "debtor_name": v["debtor_name"],
            "creditor": v["creditor"],
            "filed_on": v["filed_on"],
            "amount_owed": v["amount_owed"],
        }
        self._common(row, values, paid)
        if v["deadline"] is not None and v["deadline"] < v["filed_on"]:
            row.error(
                DEADLINE_BEFORE_FILING,
                _("The deadline is before the filing date."),
                "deadline",
            )
        anchor = body or court
        if not lookups.has_mechanism(anchor["jurisdiction__path"]):
            row.error(
                NO_MECHANISM,
                _("No joint meeting covers this jurisdiction."),
                "debtor_unit" if body else "court_name",
            )
        scope = context.cache["scope"]
        if not (
            scope.acts_for(court["id"], Role.COURT)
            or scope.oversees(anchor["jurisdiction__path"], Role.OFFICE)
        ):
            self._outside(row, court)
        state = self._closing(row, context, v["filed_on"], v["amount_owed"], paid)
        v["_plan"] = {"new": True, "court_id": court["id"], "body_id": body and body["id"]}
        v["_plan"]["state"] = state

    def _check_existing(
        self,
        row: Row,
        context: Context,
        existing: dict[str, Any],
        court: dict[str, Any],
        body: dict[str, Any] | None,
    ) -> None:
        v = row.values
        present = _present(context)
        scope = context.cache["scope"]
        if not (
            scope.acts_for(existing["court_id"], Role.COURT)
            or scope.oversees(existing["jurisdiction__path"], Role.OFFICE)
        ):
            self._outside(row, court)
            return
        if court["id"] != existing["court_id"]:
            row.error(
                FIXED_CHANGED,
                _("The executing court of a registered case is fixed: register it again."),
                "court_name",
            )
        body_given = bool((v["debtor_unit"] or "").strip())
        if body_given and (body and body["id"]) != existing["debtor_unit_id"]:
            row.error(
                FIXED_CHANGED,
                _("The debtor body of a registered case is fixed: register it again."),
                "debtor_unit",
            )
        if existing["state"] == EnforcementCaseState.CLOSED:
            self._check_closed(row, existing, present)
            return
        wanted: dict[str, Any] = {}
        for field, column in EDIT_COLUMNS.items():
            if present is not None and column not in present:
                continue  # a column missing from the file keeps the stored value
            given = v[column]
            if isinstance(given, str):
                given = given.strip()
            if given is None or given == "":
                continue  # so does an empty cell
            wanted[field] = given
        closing = (v["state"] or (EnforcementCaseState.CLOSED if v["closed_on"] else "")) == (
            EnforcementCaseState.CLOSED
        )
        note = wanted.pop("note", "")
        merged = {f: wanted.get(f, existing[f]) for f in EDIT_COLUMNS}
        if merged["kind"] in GOVERNMENT_KINDS and existing["debtor_unit_id"] is None:
            row.error(
                DEBTOR_BODY_REQUIRED,
                _("A case against a government body needs the debtor body."),
                "kind",
            )
        if merged["kind"] == EnforcementCaseKind.ENTERPRISE_ARREARS and "kind" in wanted:
            wanted["enterprise_related"] = True
        changed = {f: val for f, val in wanted.items() if val != existing[f]}
        if note and not closing and note not in (existing["note"] or ""):
            # The file's note is added to the progress note (payments are noted there too).
            changed["note"] = f"{existing['note']}\n{note}".strip()
        paid_now: Decimal = existing["amount_paid"]
        paid = v["amount_paid"] if v["amount_paid"] is not None else paid_now
        if paid < paid_now:
            row.error(
                PAID_DECREASED,
                _("The amount paid (%(paid)s) is less than the %(now)s already recorded.")
                % {"paid": paid, "now": paid_now},
                "amount_paid",
            )
        self._common(row, merged, max(paid, paid_now))
        state = existing["state"]
        if v["state"] or v["closed_on"]:
            state = self._closing(row, context, merged["filed_on"], merged["amount_owed"], paid)
        if state != existing["state"] and not closing:
            changed["state"] = state
        payment = paid - paid_now if paid > paid_now else None
        if payment is not None:
            paid_on = v["paid_on"] or context.cache["today"]
            if paid_on > context.cache["today"]:
                row.error(DATE_FUTURE, _("The date cannot be in the future."), "paid_on")
            elif paid_on < merged["filed_on"]:
                row.error(
                    DATE_BEFORE_FILING,
                    _("The payment date is before the case was filed."),
                    "paid_on",
                )
        v["_plan"] = {
            "new": False,
            "pk": existing["pk"],
            "changed": changed,
            "payment": payment,
            "close": closing,
        }

    def _check_closed(self, row: Row, existing: dict[str, Any], present: set[str] | None) -> None:
        """A closed case takes no change: the row must say what is stored (or less)."""
        v = row.values
        differs = [
            column
            for field, column in EDIT_COLUMNS.items()
            if field != "note"
            and (present is None or column in present)
            and v[column] not in (None, "")
            and (v[column].strip() if isinstance(v[column], str) else v[column]) != existing[field]
        ]
        if v["amount_paid"] is not None and v["amount_paid"] != existing["amount_paid"]:
            differs.append("amount_paid")
        if v["state"] and v["state"] != EnforcementCaseState.CLOSED:
            differs.append("state")
        if differs:
            row.error(CASE_CLOSED, _("The case is closed."), differs[0])
        v["_plan"] = {"new": False, "pk": existing["pk"], "changed": {}, "payment": None}
        v["_plan"]["close"] = False

    def _outside(self, row: Row, court: dict[str, Any]) -> None:
        row.error(
            OUTSIDE_REMIT,
            _(
                "Case %(number)s (%(court)s) is outside what you may import: the cases of "
                "your court."
            )
            % {"number": row.values["number"].normalized, "court": court["name"]},
            "number",
        )

    # --- storing --------------------------------------------------------------------------------
    def store(self, rows: list[Row], context: Context) -> StoreResult:
        result = StoreResult()
        unit_ids = {
            i
            for row in rows
            if row.values["_plan"]["new"]
            for i in (row.values["_plan"]["court_id"], row.values["_plan"]["body_id"])
            if i
        }
        units = Unit.objects.select_related("jurisdiction").in_bulk(unit_ids)
        cases = EnforcementCase.objects.select_related(
            "jurisdiction", "mechanism__jurisdiction", "matter"
        ).in_bulk([row.values["_plan"]["pk"] for row in rows if not row.values["_plan"]["new"]])
        for row in rows:
            plan = row.values["_plan"]
            try:
                if plan["new"]:
                    self._register(row, context, units)
                    result.created += 1
                elif self._update(row, context, cases[plan["pk"]]):
                    result.updated += 1
                else:
                    result.unchanged += 1
            except ValidationError as exc:
                # A rule the preview could not see (the data changed since): the whole batch
                # fails with the row's problem, nothing is stored.
                raise ValidationError(
                    [
                        ValidationError(
                            _("Row %(row)s: %(problem)s")
                            % {"row": row.number, "problem": "；".join(exc.messages)},
                            code=_first_code(exc),
                        )
                    ]
                ) from exc
        return result

    def _register(self, row: Row, context: Context, units: dict[Any, Unit]) -> None:
        """A new case through `register_case` (its matter opened), then its plan or closing."""
        v = row.values
        plan = v["_plan"]
        note = (v["note"] or "").strip()
        case = case_actions.register_case(
            context.actor,
            number=v["number"].normalized,
            court=units[plan["court_id"]],
            kind=v["kind"],
            debtor_unit=units[plan["body_id"]] if plan["body_id"] else None,
            debtor_name=v["debtor_name"],
            creditor=v["creditor"].strip(),
            filed_on=v["filed_on"],
            amount_owed=v["amount_owed"],
            amount_paid=v["amount_paid"] if v["amount_paid"] is not None else 0,
            enterprise_related=bool(v["enterprise"]),
            note="" if plan["state"] == EnforcementCaseState.CLOSED else note,
            deadline=v["deadline"],
        )
        if plan["state"] == EnforcementCaseState.PLAN:
            case_actions.update_case(context.actor, case, state=EnforcementCaseState.PLAN)
        elif plan["state"] == EnforcementCaseState.CLOSED:
            case_actions.close_case(context.actor, case, v["closed_on"], note)

    def _update(self, row: Row, context: Context, case: EnforcementCase) -> bool:
        """An existing case's changes through the actions; False when there is none."""
        v = row.values
        plan = v["_plan"]
        if not (plan["changed"] or plan["payment"] or plan["close"]):
            return False
        if plan["changed"]:
            case = case_actions.update_case(context.actor, case, **plan["changed"])
        if plan["payment"]:
            case = case_actions.record_payment(
                context.actor,
                case,
                amount=plan["payment"],
                paid_on=v["paid_on"] or context.cache["today"],
                note=_("imported from %(file)s") % {"file": context.batch.name},
            )
        if plan["close"]:
            case_actions.close_case(context.actor, case, v["closed_on"], (v["note"] or "").strip())
        return True


def _first_code(exc: ValidationError) -> str:
    found = exc.error_list if hasattr(exc, "error_list") else []
    if hasattr(exc, "error_dict"):
        found = [e for errors in exc.error_dict.values() for e in errors]
    return next((str(e.code) for e in found if e.code), "invalid")


importing.register(CaseFeed())
