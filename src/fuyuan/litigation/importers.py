"""Feeds of the court's periodic exports (法院案件系统定期导出), read by the shared importer
(`fuyuan.core.importing`): administrative cases (`litigation.cases`) and hearings with the
heads' appearance (`litigation.hearings`). Both are idempotent: the same file twice is a
"duplicate_file" batch; another file with the same rows leaves every record unchanged.

Cases (row key: the normalised case number):
    案号 · 承办法院/审理法院 · 原告 · 被告 · 案由 · 是否涉企 · 立案日期 · 审理阶段/案件状态 ·
    结案日期 · 结案方式 · 备注
  The court is told by the number's court code (`org.Unit.court_code`; a pre-2016 number has
  none, so its court is found by the 承办法院 name); a court name that disagrees is an error.
  Defendants are bodies by their full or short name, several separated by 、 (the first is the
  primary defendant); the unit valid on the filing date is taken, else the current one.
  New numbers create a case (source "import"), changed rows update it, identical rows count
  unchanged. For an existing case a column missing from the file keeps the stored value.

Hearings (row key: case number + start time):
    案号 · 开庭时间 · 法庭 · 状态 · 出庭负责人 · 职务 · 负责人类别 · 是否出声 · 未出庭原因
  The case must already be registered, or be a good row of the cases file uploaded with it
  (`options["cases_batch"]`: the two files of one import; the cases are confirmed first).
  A held hearing with the appearance columns filled creates or updates its head-appearance
  record (state "recorded", recorded today by the importer, for the primary defendant). A
  record the body has already confirmed — or disputed, which the court answers on the
  record's page — is left as it is (the row counts as unchanged unless the hearing itself
  changed). The defendant bodies' liaison officers get one message per body and import.

Who may import: court staff (of any court) and office staff. Each row must be within the
importer's remit: court staff for cases of their court or the courts below it, office staff
for cases whose defendant is in a jurisdiction they oversee.

Rules shared with the manual entry forms (litigation.actions) report the same codes
(litigation.not_administrative, litigation.filed_in_future, …); the import's own checks use
litigation.import.*. Lookups (courts, bodies, joint meetings, cases) are loaded once per run
in `prepare()`, so the number of queries does not grow with the rows.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core import importing
from fuyuan.core.case_numbers import CaseNumber, CaseNumberError, parse_case_number
from fuyuan.core.importing import Column, Context, Row, StoreResult
from fuyuan.org.models import Mechanism, Unit, UnitKind

from . import search_index
from . import workflow as wf
from .models import (
    AdminCase,
    Appearance,
    CaseStage,
    CoDefendant,
    HeadRank,
    Hearing,
    HearingState,
    Instance,
    RecordSource,
)

CASES_FEED = "litigation.cases"
HEARINGS_FEED = "litigation.hearings"

# --- error codes of the import's own checks -------------------------------------------------------
UNKNOWN_COURT = "litigation.import.unknown_court"
COURT_NAME_MISMATCH = "litigation.import.court_mismatch"
UNKNOWN_BODY = "litigation.import.unknown_body"
AMBIGUOUS_BODY = "litigation.import.ambiguous_body"
STAGE_CONFLICT = "litigation.import.stage_conflict"
CONCLUDED_DATE_REQUIRED = "litigation.import.concluded_on_required"
OUTSIDE_REMIT = "litigation.import.outside_remit"
UNKNOWN_CASE = "litigation.import.unknown_case"
APPEARANCE_NOT_HELD = "litigation.import.appearance_not_held"
RANK_REQUIRED = "litigation.import.rank_required"
HAS_RECORD = "litigation.hearing_has_record"
# --- codes shared with the manual forms (litigation.actions) --------------------------------------
NOT_ADMINISTRATIVE = "litigation.not_administrative"
DEFENDANT_IS_COURT = "litigation.defendant_is_court"
NO_MECHANISM = "litigation.no_mechanism"
FILED_IN_FUTURE = "litigation.filed_in_future"
CONCLUDED_IN_FUTURE = "litigation.concluded_in_future"
CONCLUDED_BEFORE_FILED = "litigation.concluded_before_filed"
OUTCOME_REQUIRED = "litigation.outcome_required"
HEARING_BEFORE_FILING = "litigation.hearing_before_filing"
HEARING_IN_FUTURE = "litigation.hearing_in_future"
HEAD_NAME_REQUIRED = "litigation.head_name_required"
ABSENCE_REASON_REQUIRED = "litigation.absence_reason_required"
SPOKE_WITHOUT_APPEARING = "litigation.spoke_without_appearing"

# --- the court system's words for stages, outcomes, hearing states and ranks ----------------------
STAGE_WORDS = {
    "立案": CaseStage.FILED,
    "已立案": CaseStage.FILED,
    "新收": CaseStage.FILED,
    "收案": CaseStage.FILED,
    "审理中": CaseStage.HEARING,
    "在审": CaseStage.HEARING,
    "审理": CaseStage.HEARING,
    "未结": CaseStage.HEARING,
    "已结案": CaseStage.CONCLUDED,
    "结案": CaseStage.CONCLUDED,
    "已结": CaseStage.CONCLUDED,
    "审结": CaseStage.CONCLUDED,
    "已审结": CaseStage.CONCLUDED,
    **{str(label): key for key, label in CaseStage.choices},
}
OUTCOME_WORDS = {
    "驳回诉讼请求": "dismissed",
    "判决驳回诉讼请求": "dismissed",
    "驳回起诉": "dismissed",
    "裁定驳回起诉": "dismissed",
    "驳回": "dismissed",
    "维持": "upheld",
    "维持原判": "upheld",
    "驳回上诉,维持原判": "upheld",
    "驳回上诉维持原判": "upheld",
    "撤销": "revoked",
    "判决撤销": "revoked",
    "确认违法": "confirmed_unlawful",
    "确认无效": "confirmed_invalid",
    "责令履行": "ordered_to_perform",
    "判决履行": "ordered_to_perform",
    "履行法定职责": "ordered_to_perform",
    "变更": "modified",
    "赔偿": "compensation",
    "补偿": "compensation",
    "行政赔偿": "compensation",
    "调解": "mediated",
    "撤诉": "withdrawn",
    "准予撤诉": "withdrawn",
    "按撤诉处理": "withdrawn",
    "移送": "transferred",
    "终结": "transferred",
    "终结诉讼": "transferred",
    "终止": "transferred",
    "其他": "other",
}
HEARING_STATE_WORDS = {
    "已开庭": HearingState.HELD,
    "开庭": HearingState.HELD,
    "已审理": HearingState.HELD,
    "待开庭": HearingState.SCHEDULED,
    "未开庭": HearingState.SCHEDULED,
    "开庭预告": HearingState.SCHEDULED,
    "已排期": HearingState.SCHEDULED,
    "取消": HearingState.CANCELLED,
    "已取消": HearingState.CANCELLED,
    "取消开庭": HearingState.CANCELLED,
    **{str(label): key for key, label in HearingState.choices},
}
RANK_WORDS = {
    "正职": HeadRank.TOP,
    "正职负责人": HeadRank.TOP,
    "主要负责人": HeadRank.TOP,
    "副职": HeadRank.DEPUTY,
    "副职负责人": HeadRank.DEPUTY,
    "未出庭": HeadRank.NONE,
    "负责人未出庭": HeadRank.NONE,
    "无": HeadRank.NONE,
    **{str(label): key for key, label in HeadRank.choices},
}

_SEPARATORS = re.compile(r"[、；;\r\n]+")
_DEFENDANT_SEPARATORS = re.compile(r"[、；;，,\r\n]+")


def _split(text: str | None, pattern: re.Pattern[str] = _SEPARATORS) -> list[str]:
    """Names separated by 、 or ；, in order, without repeats."""
    seen: dict[str, None] = {}
    for part in pattern.split(text or ""):
        name = part.strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _key(name: str) -> str:
    """How names are compared: NFKC, no spaces, case-folded (full-width brackets match)."""
    return importing.normalise_header(name)


def _today() -> datetime.date:
    return timezone.localdate()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def may_import(user: Any) -> bool:
    """Court staff (any court) and office staff."""
    scope = scope_for(user)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


class _Lookups:
    """Units (courts and bodies) and joint meetings, loaded once per run."""

    def __init__(self) -> None:
        self.units: dict[int, dict[str, Any]] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.by_short: dict[str, list[int]] = defaultdict(list)
        self.courts: dict[str, list[int]] = defaultdict(list)
        rows = Unit.objects.values(
            "id",
            "name",
            "short_name",
            "kind",
            "court_code",
            "valid_from",
            "valid_to",
            "successor_id",
            "jurisdiction_id",
            "jurisdiction__path",
        ).order_by("pk")
        for unit in rows:
            self.units[unit["id"]] = dict(unit)
            self.by_name[_key(unit["name"])].append(unit["id"])
            if unit["short_name"]:
                self.by_short[_key(unit["short_name"])].append(unit["id"])
            if unit["court_code"]:
                self.courts[unit["court_code"]].append(unit["id"])
        self.mechanisms = dict(
            Mechanism.objects.values_list("jurisdiction__path", "id").order_by("pk")
        )

    @staticmethod
    def _valid(unit: dict[str, Any], day: datetime.date) -> bool:
        return (unit["valid_from"] is None or unit["valid_from"] <= day) and (
            unit["valid_to"] is None or unit["valid_to"] >= day
        )

    def _pick(self, ids: list[int], day: datetime.date | None) -> list[int]:
        """The units valid on `day` (the filing date), else those current today."""
        for when in (day, _today()):
            if when is None:
                continue
            found = [i for i in ids if self._valid(self.units[i], when)]
            if found:
                return found
        return []

    def court(self, code: str) -> dict[str, Any] | None:
        ids = self._pick(self.courts.get(code, []), None) or self.courts.get(code, [])
        return self.units[ids[0]] if ids else None

    def court_by_name(self, name: str) -> dict[str, Any] | None:
        key = _key(name)
        ids = [
            i
            for i in self.by_name.get(key, []) + self.by_short.get(key, [])
            if self.units[i]["kind"] == UnitKind.COURT
        ]
        ids = self._pick(ids, None)
        return self.units[ids[0]] if len(set(ids)) == 1 else None

    def bodies(self, name: str, day: datetime.date | None) -> tuple[list[int], bool]:
        """(matching unit ids, whether any unit ever had that name)."""
        key = _key(name)
        ids = self.by_name.get(key) or self.by_short.get(key) or []
        return sorted(set(self._pick(ids, day))), bool(ids)

    def mechanism_for(self, unit_id: int) -> int | None:
        """The joint meeting of the unit's jurisdiction, else the nearest above it (as
        litigation.actions.mechanism_for, from the preloaded table)."""
        path = self.units[unit_id]["jurisdiction__path"]
        for p in reversed(_ancestor_paths(path)):
            if p in self.mechanisms:
                return self.mechanisms[p]
        return None

    def path(self, unit_id: int) -> str:
        return str(self.units[unit_id]["jurisdiction__path"])


class _Remit:
    """Which cases the importer may write: court staff those of their court and the courts
    below it; office staff those whose defendant is in a jurisdiction they oversee."""

    def __init__(self, actor: Any, lookups: _Lookups) -> None:
        scope = scope_for(actor)
        court_ids = scope.units.get(Role.COURT, frozenset())
        self.court_paths = tuple(
            lookups.path(pk) for pk in sorted(court_ids) if pk in lookups.units
        )
        self.court_ids = frozenset(court_ids)
        self.office_paths = tuple(scope.oversight.get(Role.OFFICE, ()))
        self.lookups = lookups

    def allows(self, court_id: int, defendant_ids: list[int]) -> bool:
        if court_id in self.court_ids:
            return True
        court_path = self.lookups.path(court_id)
        if any(court_path.startswith(p) for p in self.court_paths):
            return True
        return any(
            self.lookups.path(d).startswith(p) for d in defendant_ids for p in self.office_paths
        )


def _present(context: Context) -> set[str] | None:
    """Keys of the columns the file has (None: unknown, treat all as present)."""
    header_map = getattr(context.batch, "header_map", None) or {}
    keys = {k for k in header_map.values() if k}
    return keys or None


# --- administrative cases ------------------------------------------------------------------------
class CaseFeed(importing.Feed):
    name = CASES_FEED
    label = gettext_lazy("Administrative cases (court export)")
    columns = (
        Column(
            "number",
            gettext_lazy("Case number"),
            headers=("案号", "case_number", "case_no"),
            required=True,
            parse=parse_case_number,
        ),
        Column(
            "court_name",
            gettext_lazy("Court"),
            headers=("承办法院", "审理法院", "法院", "court"),
            max_length=80,
        ),
        Column(
            "plaintiffs",
            gettext_lazy("Plaintiffs"),
            headers=("原告", "原告名称", "plaintiffs"),
            required=True,
        ),
        Column(
            "defendants",
            gettext_lazy("Defendants"),
            headers=("被告", "被告名称", "被告单位", "defendants", "defendant"),
            required=True,
        ),
        Column(
            "cause",
            gettext_lazy("Cause of action"),
            headers=("案由", "cause"),
            required=True,
            max_length=120,
        ),
        Column(
            "enterprise",
            gettext_lazy("Enterprise-related"),
            headers=("是否涉企", "涉企", "enterprise_related"),
            parse=importing.parse_bool,
        ),
        Column(
            "filed_on",
            gettext_lazy("Filed on"),
            headers=("立案日期", "收案日期", "filed_on"),
            required=True,
            parse=importing.parse_date,
        ),
        Column(
            "stage",
            gettext_lazy("Stage"),
            headers=("审理阶段", "案件状态", "stage"),
            parse=importing.choice(STAGE_WORDS),
        ),
        Column(
            "concluded_on",
            gettext_lazy("Concluded on"),
            headers=("结案日期", "concluded_on"),
            parse=importing.parse_date,
        ),
        Column(
            "outcome",
            gettext_lazy("Outcome"),
            headers=("结案方式", "裁判结果", "outcome"),
            parse=importing.choice(OUTCOME_WORDS),
        ),
        Column("note", gettext_lazy("Note"), headers=("备注", "note", "remarks")),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        lookups = _Lookups()
        context.cache["lookups"] = lookups
        context.cache["remit"] = _Remit(context.actor, lookups)

    def row_key(self, values: dict[str, Any]) -> str:
        return importing.case_number_key(values)

    def clean_row(self, row: Row, context: Context) -> None:
        lookups: _Lookups = context.cache["lookups"]
        v = row.values
        number: CaseNumber = v["number"]
        if number.kind != "administrative":
            row.error(
                NOT_ADMINISTRATIVE,
                _("%(number)s is not an administrative case (its type code is %(type)s).")
                % {"number": number.normalized, "type": number.type_code or number.legacy_type},
                "number",
            )
        court = self._court(row, number, lookups)
        defendant_ids = self._defendants(row, lookups)
        plaintiffs = _split(v["plaintiffs"])
        if not plaintiffs:
            row.error("import.required", _("Name at least one plaintiff."), "plaintiffs")
        stage = self._dates_and_stage(row)
        if court is None or not defendant_ids or row.errors:
            return
        primary = defendant_ids[0]
        mechanism_id = lookups.mechanism_for(primary)
        if mechanism_id is None:
            row.error(
                NO_MECHANISM,
                _("No joint meeting covers the jurisdiction of %(body)s.")
                % {"body": lookups.units[primary]["name"]},
                "defendants",
            )
            return
        if not context.cache["remit"].allows(court["id"], defendant_ids):
            row.error(
                OUTSIDE_REMIT,
                _(
                    "Case %(number)s (%(court)s, against %(body)s) is outside what you may "
                    "import: your court and the courts below it, or the bodies your office "
                    "oversees."
                )
                % {
                    "number": number.normalized,
                    "court": court["name"],
                    "body": lookups.units[primary]["name"],
                },
                "number",
            )
            return
        v["_fields"] = {
            "mechanism_id": mechanism_id,
            "year": number.year,
            "court_id": court["id"],
            "type_code": (number.type_code or number.legacy_type)[:6],
            "instance": number.instance if number.instance in Instance.values else "other",
            "plaintiffs": "\n".join(plaintiffs),
            "defendant_id": primary,
            "jurisdiction_id": lookups.units[primary]["jurisdiction_id"],
            "cause": v["cause"].strip(),
            "enterprise_related": bool(v["enterprise"]),
            "filed_on": v["filed_on"],
            "stage": stage,
            "concluded_on": v["concluded_on"],
            "outcome": v["outcome"] or "",
            "outcome_note": (v["note"] or "").strip(),
        }
        v["_co"] = sorted(set(defendant_ids[1:]) - {primary})

    # --- checks ---------------------------------------------------------------------------------
    def _court(self, row: Row, number: CaseNumber, lookups: _Lookups) -> dict[str, Any] | None:
        court: dict[str, Any] | None = importing.court_of_number(
            row,
            number,
            by_code=lookups.court,
            by_name=lookups.court_by_name,
            names=lambda c: (c["name"], c["short_name"], c["court_code"]),
            unknown=UNKNOWN_COURT,
            mismatch=COURT_NAME_MISMATCH,
        )
        return court

    def _defendants(self, row: Row, lookups: _Lookups) -> list[int]:
        names = _split(row.values["defendants"], _DEFENDANT_SEPARATORS)
        if not names:
            row.error("import.required", _("Name the defendant body."), "defendants")
            return []
        day = row.values.get("filed_on")
        found: list[int] = []
        for name in names:
            ids, known = lookups.bodies(name, day)
            if not ids:
                if known:
                    message = _("%(body)s was not a body on the filing date nor is it today.")
                else:
                    message = _("Unknown defendant body: %(body)s (use its full or short name).")
                row.error(UNKNOWN_BODY, message % {"body": name}, "defendants")
            elif len(ids) > 1:
                row.error(
                    AMBIGUOUS_BODY,
                    _("%(body)s names several bodies (%(names)s): use the full name.")
                    % {
                        "body": name,
                        "names": "、".join(lookups.units[i]["name"] for i in ids),
                    },
                    "defendants",
                )
            elif lookups.units[ids[0]]["kind"] == UnitKind.COURT:
                row.error(
                    DEFENDANT_IS_COURT,
                    _("%(body)s is a court: a court cannot be the defendant here.")
                    % {"body": name},
                    "defendants",
                )
            elif ids[0] not in found:
                found.append(ids[0])
        return found if len(found) == len(names) else []

    def _dates_and_stage(self, row: Row) -> str:
        v = row.values
        today = _today()
        filed_on: datetime.date = v["filed_on"]
        concluded_on: datetime.date | None = v["concluded_on"]
        outcome: str | None = v["outcome"]
        if filed_on > today:
            row.error(
                FILED_IN_FUTURE,
                _("The filing date %(date)s is in the future.") % {"date": filed_on.isoformat()},
                "filed_on",
            )
        if concluded_on is not None:
            if concluded_on > today:
                row.error(
                    CONCLUDED_IN_FUTURE,
                    _("The conclusion date %(date)s is in the future.")
                    % {"date": concluded_on.isoformat()},
                    "concluded_on",
                )
            elif concluded_on < filed_on:
                row.error(
                    CONCLUDED_BEFORE_FILED,
                    _("The case cannot be concluded (%(end)s) before it was filed (%(start)s).")
                    % {"end": concluded_on.isoformat(), "start": filed_on.isoformat()},
                    "concluded_on",
                )
        stage = v["stage"]
        if stage is None:  # not given: told by the conclusion date or the outcome
            stage = CaseStage.CONCLUDED if (concluded_on or outcome) else CaseStage.FILED
        if stage == CaseStage.CONCLUDED:
            if concluded_on is None:
                row.error(
                    CONCLUDED_DATE_REQUIRED,
                    _("A concluded case needs the date it was concluded."),
                    "concluded_on",
                )
            if not outcome:
                row.error(OUTCOME_REQUIRED, _("A concluded case needs its outcome."), "outcome")
        elif concluded_on is not None or outcome:
            row.error(
                STAGE_CONFLICT,
                _("A case with an outcome or a conclusion date is concluded, not “%(stage)s”.")
                % {"stage": CaseStage(stage).label},
                "stage",
            )
        return str(stage)

    # --- storing --------------------------------------------------------------------------------
    # Fields of the case that the columns set; for an existing case, a group whose columns are
    # all missing from the file keeps the stored values.
    ALWAYS = (
        "mechanism_id",
        "year",
        "court_id",
        "type_code",
        "instance",
        "plaintiffs",
        "defendant_id",
        "jurisdiction_id",
        "cause",
        "filed_on",
    )
    OPTIONAL = {
        "enterprise_related": ("enterprise",),
        "outcome_note": ("note",),
        "stage": ("stage", "concluded_on", "outcome"),
        "concluded_on": ("stage", "concluded_on", "outcome"),
        "outcome": ("stage", "concluded_on", "outcome"),
    }

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        present = _present(context)
        fields = list(self.ALWAYS) + [
            f
            for f, columns in self.OPTIONAL.items()
            if present is None or any(c in present for c in columns)
        ]
        keys = [row.key for row in rows]
        existing = {c.number: c for c in AdminCase.objects.filter(number__in=keys)}
        co_now: dict[int, set[int]] = defaultdict(set)
        for case_id, unit_id in CoDefendant.objects.filter(
            case_id__in=[c.pk for c in existing.values()]
        ).values_list("case_id", "unit_id"):
            co_now[case_id].add(unit_id)
        now = timezone.now()
        result = StoreResult()
        new: list[tuple[AdminCase, list[int]]] = []
        changed: list[AdminCase] = []
        co_replace: dict[int, list[int]] = {}
        for row in rows:
            values = row.values["_fields"]
            co = row.values["_co"]
            case = existing.get(row.key)
            if case is None:
                case = AdminCase(
                    number=row.key,
                    source=RecordSource.IMPORT,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                new.append((case, co))
                continue
            diff = [f for f in fields if getattr(case, f) != values[f]]
            co_changed = set(co) != co_now.get(case.pk, set())
            if not diff and not co_changed:
                result.unchanged += 1
                continue
            for f in diff:
                setattr(case, f, values[f])
            if co_changed:
                co_replace[case.pk] = co
            case.updated_at = now
            case.version = F("version") + 1  # type: ignore[assignment]
            changed.append(case)
        if new:
            AdminCase.objects.bulk_create([case for case, _co in new])
            CoDefendant.objects.bulk_create(
                [CoDefendant(case_id=case.pk, unit_id=u) for case, co in new for u in co]
            )
            result.created += len(new)
        if changed:
            AdminCase.objects.bulk_update(changed, [*fields, "updated_at", "version"])
            result.updated += len(changed)
        if co_replace:
            CoDefendant.objects.filter(case_id__in=list(co_replace)).delete()
            CoDefendant.objects.bulk_create(
                [CoDefendant(case_id=pk, unit_id=u) for pk, co in co_replace.items() for u in co]
            )
        # The search index, in the same transaction: one bulk write for the chunk.
        search_index.index_cases([case.pk for case, _co in new] + [c.pk for c in changed])
        return result


# --- hearings and head appearances ----------------------------------------------------------------
APPEARANCE_COLUMNS = ("head_name", "head_post", "rank", "absence_reason")


class HearingFeed(importing.Feed):
    name = HEARINGS_FEED
    label = gettext_lazy("Hearings and heads in court (court export)")
    columns = (
        Column(
            "number",
            gettext_lazy("Case number"),
            headers=("案号", "case_number", "case_no"),
            required=True,
            parse=parse_case_number,
        ),
        Column(
            "starts_at",
            gettext_lazy("Hearing time"),
            headers=("开庭时间", "开庭日期", "starts_at"),
            required=True,
            parse=importing.parse_datetime,
        ),
        Column(
            "place",
            gettext_lazy("Courtroom"),
            headers=("法庭", "开庭地点", "place"),
            max_length=100,
        ),
        Column(
            "state",
            gettext_lazy("Hearing state"),
            headers=("状态", "开庭状态", "state"),
            parse=importing.choice(HEARING_STATE_WORDS),
        ),
        Column(
            "head_name",
            gettext_lazy("Head who appeared"),
            headers=("出庭负责人", "负责人姓名", "head_name"),
            max_length=60,
        ),
        Column(
            "head_post",
            gettext_lazy("Post of the head"),
            headers=("职务", "负责人职务", "head_post"),
            max_length=60,
        ),
        Column(
            "rank",
            gettext_lazy("Who appeared"),
            headers=("负责人类别", "出庭类别", "rank"),
            parse=importing.choice(RANK_WORDS),
        ),
        Column(
            "spoke",
            gettext_lazy("The head spoke"),
            headers=("是否出声", "出庭出声", "spoke"),
            parse=importing.parse_bool,
        ),
        Column(
            "absence_reason",
            gettext_lazy("Reason for absence"),
            headers=("未出庭原因", "absence_reason"),
        ),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        lookups = _Lookups()
        context.cache["lookups"] = lookups
        context.cache["remit"] = _Remit(context.actor, lookups)
        context.cache["cases"] = {
            number: (pk, filed_on, court_id, defendant_id)
            for number, pk, filed_on, court_id, defendant_id in AdminCase.objects.values_list(
                "number", "id", "filed_on", "court_id", "defendant_id"
            )
        }
        context.cache["recorded"] = {
            (case_id, starts_at)
            for case_id, starts_at in Hearing.objects.filter(appearance__isnull=False).values_list(
                "case_id", "starts_at"
            )
        }
        pending: dict[str, datetime.date | None] = {}
        linked = (context.options or {}).get("cases_batch")
        if linked and context.mode == "preview":
            pending = pending_cases(linked)
        context.cache["pending"] = pending

    def row_key(self, values: dict[str, Any]) -> str:
        number = values.get("number")
        starts_at = values.get("starts_at")
        if not isinstance(number, CaseNumber) or starts_at is None:
            return ""
        return f"{number.normalized}@{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"

    def clean_row(self, row: Row, context: Context) -> None:
        v = row.values
        number: CaseNumber = v["number"]
        starts_at: datetime.datetime = v["starts_at"]
        known = context.cache["cases"].get(number.normalized)
        if known is not None:
            case_id, filed_on, court_id, defendant_id = known
            if not context.cache["remit"].allows(court_id, [defendant_id]):
                row.error(
                    OUTSIDE_REMIT,
                    _("Case %(number)s is outside what you may import.")
                    % {"number": number.normalized},
                    "number",
                )
        elif number.normalized in context.cache["pending"]:
            case_id, filed_on = None, context.cache["pending"][number.normalized]
        else:
            row.error(
                UNKNOWN_CASE,
                _(
                    "Case %(number)s is not registered: import it in the cases file first "
                    "(or upload both files together)."
                )
                % {"number": number.normalized},
                "number",
            )
            return
        if filed_on is not None and timezone.localtime(starts_at).date() < filed_on:
            row.error(
                HEARING_BEFORE_FILING,
                _("A hearing cannot be before the case was filed (%(date)s).")
                % {"date": filed_on.isoformat()},
                "starts_at",
            )
        filled = any(v[c] for c in APPEARANCE_COLUMNS) or bool(v["spoke"])
        state = v["state"]
        if state is None:  # not given: held when it has a record, else by the time
            if filled:
                state = HearingState.HELD
            else:
                future = starts_at > timezone.now()
                state = HearingState.SCHEDULED if future else HearingState.HELD
        if state == HearingState.HELD and starts_at > timezone.now():
            row.error(
                HEARING_IN_FUTURE,
                _("A hearing can be marked held only once its time has come."),
                "state",
            )
        recorded = (case_id, starts_at) in context.cache["recorded"]
        if case_id is not None and state != HearingState.HELD and recorded:
            row.error(
                HAS_RECORD,
                _("The hearing has an appearance record: it was held."),
                "state",
            )
        appearance = None
        if filled:
            if state != HearingState.HELD:
                row.error(
                    APPEARANCE_NOT_HELD,
                    _("The appearance columns are filled but the hearing was not held."),
                    "state",
                )
            appearance = self._appearance(row)
        v["_state"] = str(state)
        v["_case_id"] = case_id
        v["_appearance"] = appearance

    def _appearance(self, row: Row) -> dict[str, Any] | None:
        v = row.values
        rank = v["rank"]
        values = {
            "rank": rank,
            "head_name": (v["head_name"] or "").strip(),
            "head_post": (v["head_post"] or "").strip(),
            "spoke": bool(v["spoke"]),
            "absence_reason": (v["absence_reason"] or "").strip(),
        }
        if rank is None:
            row.error(
                RANK_REQUIRED,
                _("Say who appeared: 正职, 副职 or 未出庭."),
                "rank",
            )
            return None
        if rank == HeadRank.NONE:
            if not values["absence_reason"]:
                row.error(
                    ABSENCE_REASON_REQUIRED,
                    _("Give the written reason why no head appeared."),
                    "absence_reason",
                )
            if values["spoke"]:
                row.error(
                    SPOKE_WITHOUT_APPEARING,
                    _("Only a head who appeared can have spoken in court."),
                    "spoke",
                )
            values["head_name"] = values["head_post"] = ""
        else:
            if not values["head_name"]:
                row.error(
                    HEAD_NAME_REQUIRED,
                    _("Give the name of the head who appeared."),
                    "head_name",
                )
            values["absence_reason"] = ""
        return values

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        present = _present(context)
        keep_place = present is not None and "place" not in present
        cases = context.cache["cases"]
        case_ids = {row.values["_case_id"] for row in rows}
        existing: dict[tuple[int, datetime.datetime], Hearing] = {
            (h.case_id, h.starts_at): h
            for h in Hearing.objects.filter(case_id__in=case_ids).select_related("appearance")
        }
        defendant_of = {pk: defendant_id for pk, _f, _c, defendant_id in cases.values()}
        now = timezone.now()
        today = _today()
        result = StoreResult()
        new_hearings: list[tuple[Hearing, dict[str, Any] | None]] = []
        changed_hearings: list[Hearing] = []
        new_records: list[Appearance] = []
        changed_records: list[Appearance] = []
        told: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # unit -> [hearings, records]
        for row in rows:
            v = row.values
            case_id = v["_case_id"]
            place = (v["place"] or "").strip()
            record_values = v["_appearance"]
            hearing = existing.get((case_id, v["starts_at"]))
            if hearing is None:
                hearing = Hearing(
                    case_id=case_id,
                    starts_at=v["starts_at"],
                    place=place,
                    state=v["_state"],
                    source=RecordSource.IMPORT,
                    created_at=now,
                    updated_at=now,
                )
                new_hearings.append((hearing, record_values))
                if hearing.state == HearingState.SCHEDULED and hearing.starts_at > now:
                    told[defendant_of[case_id]][0] += 1
                result.created += 1
                continue
            changed = False
            if hearing.state != v["_state"] or (not keep_place and hearing.place != place):
                hearing.state = v["_state"]
                if not keep_place:
                    hearing.place = place
                hearing.updated_at = now
                hearing.version = F("version") + 1  # type: ignore[assignment]
                changed_hearings.append(hearing)
                changed = True
            if record_values is not None:
                record = getattr(hearing, "appearance", None)
                if record is None:
                    new_records.append(
                        self._new_record(hearing, defendant_of[case_id], record_values, context)
                    )
                    told[defendant_of[case_id]][1] += 1
                    changed = True
                elif record.state == wf.RECORDED and any(
                    getattr(record, f) != value for f, value in record_values.items()
                ):
                    for f, value in record_values.items():
                        setattr(record, f, value)
                    record.recorded_on = today
                    record.recorded_by = context.actor
                    record.updated_at = now
                    record.version = F("version") + 1  # type: ignore[assignment]
                    changed_records.append(record)
                    told[record.unit_id][1] += 1
                    changed = True
                # A confirmed or disputed record is left as it is.
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        if new_hearings:
            Hearing.objects.bulk_create([h for h, _r in new_hearings])
            for hearing, record_values in new_hearings:
                if record_values is not None:
                    unit_id = defendant_of[hearing.case_id]
                    new_records.append(self._new_record(hearing, unit_id, record_values, context))
                    told[unit_id][1] += 1
        if changed_hearings:
            Hearing.objects.bulk_update(
                changed_hearings, ["state", "place", "updated_at", "version"]
            )
        if new_records:
            Appearance.objects.bulk_create(new_records)
        if changed_records:
            Appearance.objects.bulk_update(
                changed_records,
                [
                    "rank",
                    "head_name",
                    "head_post",
                    "spoke",
                    "absence_reason",
                    "recorded_on",
                    "recorded_by",
                    "updated_at",
                    "version",
                ],
            )
        if told:
            _tell_bodies(told, context)
        return result

    @staticmethod
    def _new_record(
        hearing: Hearing, unit_id: int, values: dict[str, Any], context: Context
    ) -> Appearance:
        now = timezone.now()
        return Appearance(
            case_id=hearing.case_id,
            hearing=hearing,
            unit_id=unit_id,
            state=wf.APPEARANCE_WORKFLOW.initial,
            recorded_by=context.actor,
            recorded_on=_today(),
            created_at=now,
            updated_at=now,
            **values,
        )


def _tell_bodies(told: dict[int, list[int]], context: Context) -> None:
    """One message per defendant body and import chunk: hearings announced, records to
    confirm (the daily job reminds before each hearing and confirms unanswered records)."""
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    from .actions import body_users

    batch = context.batch
    chunk = context.cache["chunk"] = context.cache.get("chunk", 0) + 1
    days = {m.pk: int(m.config.hearing_record_auto_confirm_days) for m in Mechanism.objects.all()}
    lookups: _Lookups = context.cache["lookups"]
    from django.urls import reverse

    url = reverse("litigation:hearing_list")
    for unit in Unit.objects.filter(pk__in=sorted(told)).select_related("jurisdiction"):
        hearings, records = told[unit.pk]
        mechanism_id = lookups.mechanism_for(unit.pk)
        by = _today() + datetime.timedelta(days=days.get(mechanism_id or 0, 5))
        parts = []
        if hearings:
            parts.append(_("%(n)s hearings announced") % {"n": hearings})
        if records:
            parts.append(
                _("%(n)s head-appearance records to confirm or dispute by %(date)s")
                % {"n": records, "date": by.isoformat()}
            )
        notify(
            ref_kind="litigation.import",
            ref_id=batch.pk,
            kind=f"litigation.import_told.{chunk}",
            due_date=_today(),
            recipients=body_users(unit),
            subject=(_("From the court's export: %(what)s") % {"what": "；".join(parts)})[:200],
            url=url,
        )
    kick_delivery()


def pending_cases(batch_id: int) -> dict[str, datetime.date | None]:
    """The good rows of a cases batch previewed but not yet imported: number → filing date.
    Lets the hearings file of the same import be checked before the cases are stored."""
    from fuyuan.core.models import ImportBatch, ImportState

    batch = ImportBatch.objects.filter(
        pk=batch_id, feed=CASES_FEED, state=ImportState.PREVIEWED
    ).first()
    if batch is None or not batch.file:
        return {}
    bad = set(batch.issues.values_list("row_number", flat=True))
    feed = importing.get(CASES_FEED)
    number_col, filed_col = feed.column("number"), feed.column("filed_on")
    assert number_col is not None and filed_col is not None
    found: dict[str, datetime.date | None] = {}
    batch.file.open("rb")
    try:
        with importing.open_table(batch.file, batch.name) as table:
            names = {importing.normalise_header(h): h for h in table.headers if h}
            number_header = next((names[n] for n in number_col.names() if n in names), None)
            filed_header = next((names[n] for n in filed_col.names() if n in names), None)
            if number_header is None:
                return {}
            for row_number, cells in table.rows:
                if row_number in bad:
                    continue
                try:
                    number = parse_case_number(cells.get(number_header, ""))
                except CaseNumberError:
                    continue
                filed: datetime.date | None = None
                if filed_header and cells.get(filed_header):
                    try:
                        filed = importing.parse_date(cells[filed_header])
                    except ValueError:
                        filed = None
                found[number.normalized] = filed
    finally:
        batch.file.close()
    return found


importing.register(CaseFeed())
importing.register(HearingFeed())
