"""Feeds of the court's shared list of dishonest judgment debtors (失信被执行人名单), read by the
shared importer (`fuyuan.core.importing`): the periodic list file (`enforcement.debtors`) and
the court's removal file (`enforcement.debtor_removals`).

List file (row key: case number + the identifier's blind index, or + the name when the court
published the identifier masked):
    被执行人姓名/名称 · 证件类型 · 身份证号码/组织机构代码 · 性别 · 年龄 ·
    法定代表人或者负责人姓名 · 执行法院 · 省份 · 执行依据文号 · 做出执行依据单位 ·
    立案时间 · 案号 · 生效法律文书确定的义务 ·
    被执行人的履行情况 · 已履行部分 · 未履行部分 · 失信被执行人行为具体情形 · 发布时间
  The JSON field names of the Supreme People's Court's public list are accepted as well
  (iname, cardNum, sexy, age, businessEntity, courtName, areaName, gistId, gistUnit, regDate,
  caseCode, duty, performance, performedPart, unperformPart, disruptTypeName, publishDate).
  The identifier is parsed by `core.identifiers.parse_party_identifier` (document type from
  证件类型, else detected): a structural error refuses the row; a bad check character holds it
  "to confirm" — held rows are stored only when the importer accepts them with a reason, and
  then as entries in state "to_confirm" (they never trigger until someone confirms them,
  `debtor_actions.confirm_held`). The case number must be an enforcement number (执…); dates
  must be real and not in the future, publication not before filing.
  New keys create an entry (state active), changed rows update it, identical rows count
  unchanged; the state of an existing entry (held, removed) is never changed by this feed.
  The row key holds the identifier's blind index, never the clear number, so the key column
  does not undo the encryption.

Removal file (row key: the entry's key):
    案号 · 证件号码 · 被执行人姓名/名称 · 屏蔽日期/撤销日期 · 原因 · 备注
  Each row names an entry of the list (an unknown entry is a row error); the entry becomes
  "removed" with the date and the reason and stops triggering. The same removal twice is
  unchanged.

Who may import: court staff (of any court) and office staff. Lookups (courts, existing keys)
are loaded once per run in `prepare()`; each chunk's new entries go through the bulk path
(`importing.bulk_insert`: COPY on PostgreSQL), changed ones through bulk_update.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import re
import unicodedata
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import scope_for
from fuyuan.core import crypto, identifiers, importing
from fuyuan.core.case_numbers import CaseNumber, CaseNumberError, parse_case_number
from fuyuan.core.identifiers import IdentifierError
from fuyuan.core.importing import CellError, Column, Context, Row, StoreResult
from fuyuan.core.masking import mask_identifier
from fuyuan.org.models import Unit, UnitKind

from .models import (
    DebtorRecord,
    DebtorState,
    IdType,
    PartyKind,
    Performance,
    RemovalReason,
)

DEBTORS_FEED = "enforcement.debtors"
REMOVALS_FEED = "enforcement.debtor_removals"

# --- error codes of the import's own checks -------------------------------------------------------
NOT_ENFORCEMENT = "enforcement.import.not_enforcement"
BAD_ID_TYPE = "enforcement.import.id_type"
BAD_PERFORMANCE = "enforcement.import.performance"
BAD_PARTY_KIND = "enforcement.import.party_kind"
BAD_REASON = "enforcement.import.removal_reason"
FILED_IN_FUTURE = "enforcement.import.filed_in_future"
PUBLISHED_IN_FUTURE = "enforcement.import.published_in_future"
PUBLISHED_BEFORE_FILED = "enforcement.import.published_before_filed"
REMOVED_IN_FUTURE = "enforcement.import.removed_in_future"
REMOVED_BEFORE_PUBLISHED = "enforcement.import.removed_before_published"
UNKNOWN_ENTRY = "enforcement.import.unknown_entry"
ENTRY_NEEDS_KEY = "enforcement.import.entry_needs_identifier_or_name"
NAME_REQUIRED = "enforcement.import.name_required"

ROW_KEY_LENGTH = 120
NAME_HEADERS = (
    "被执行人姓名/名称",
    "被执行人姓名",
    "被执行人名称",
    "被执行人",
    "姓名",
    "名称",
    "iname",
)
_INDEX_CHARS = 40  # of the 64 hex characters of the blind index: 160 bits


def _today() -> datetime.date:
    return timezone.localdate()


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


# The day a run checks its dates against, set by the feeds' `prepare()` (once per run, not
# once per row: `timezone.localdate()` costs more than the rest of a case number's parse).
_RUN_TODAY: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar(
    "enforcement_import_today", default=None
)


# --- cell parsers ---------------------------------------------------------------------------------
def _parse_case_number(text: str) -> CaseNumber:
    try:
        return parse_case_number(text, today=_RUN_TODAY.get())
    except CaseNumberError as exc:
        raise CellError(exc.code, exc.message) from None


_ID_TYPES: dict[str, str] = {}
for _value, _words in (
    (IdType.RESIDENT_ID, ("居民身份证", "身份证", "身份证号", "身份证号码", "18位身份证")),
    (IdType.RESIDENT_ID_15, ("15位身份证", "旧身份证", "一代身份证", "15位居民身份证")),
    (
        IdType.HK_MACAO_PERMIT,
        ("港澳居民来往内地通行证", "港澳通行证", "回乡证", "港澳居民居住证", "港澳居民身份证"),
    ),
    (IdType.TAIWAN_PERMIT, ("台湾居民来往大陆通行证", "台胞证", "台湾居民居住证")),
    (IdType.PASSPORT, ("护照", "外国护照", "中国护照")),
    (IdType.CREDIT_CODE, ("统一社会信用代码", "信用代码", "社会信用代码")),
    (IdType.ORGANISATION_CODE, ("组织机构代码", "组织机构代码证", "机构代码")),
    (IdType.OTHER, ("其他", "其它")),
):
    for _word in (_value.value, str(_value.label), *_words):
        _ID_TYPES[_plain(_word)] = _value.value


@importing.pure_parser
def parse_id_type(text: str) -> str:
    """证件类型 as the court writes it (居民身份证, 护照, 统一社会信用代码 …) or the value."""
    found = _ID_TYPES.get(_plain(text))
    if found is None:
        raise CellError(
            BAD_ID_TYPE, _("“%(value)s” is not a known identity document.") % {"value": text}
        )
    return found


_PERFORMANCE = {
    _plain("全部未履行"): Performance.NONE.value,
    _plain("未履行"): Performance.NONE.value,
    _plain("none"): Performance.NONE.value,
    _plain("部分履行"): Performance.PARTIAL.value,
    _plain("部分未履行"): Performance.PARTIAL.value,
    _plain("partial"): Performance.PARTIAL.value,
}


@importing.pure_parser
def parse_performance(text: str) -> str:
    """被执行人的履行情况: 全部未履行 → none, 部分履行 / 部分未履行 → partial."""
    found = _PERFORMANCE.get(_plain(text))
    if found is None:
        raise CellError(
            BAD_PERFORMANCE,
            _("“%(value)s” is not a performance: write 全部未履行 or 部分履行.") % {"value": text},
        )
    return found


_PARTY_KINDS = {
    _plain("自然人"): PartyKind.PERSON.value,
    _plain("个人"): PartyKind.PERSON.value,
    _plain("person"): PartyKind.PERSON.value,
    _plain("法人"): PartyKind.ORGANISATION.value,
    _plain("单位"): PartyKind.ORGANISATION.value,
    _plain("法人或其他组织"): PartyKind.ORGANISATION.value,
    _plain("企业"): PartyKind.ORGANISATION.value,
    _plain("organisation"): PartyKind.ORGANISATION.value,
}


@importing.pure_parser
def parse_party_kind(text: str) -> str:
    found = _PARTY_KINDS.get(_plain(text))
    if found is None:
        raise CellError(
            BAD_PARTY_KIND,
            _("“%(value)s” is not a party type: write 自然人 or 法人.") % {"value": text},
        )
    return found


_REASONS = {
    RemovalReason.PERFORMED: ("履行", "已履行", "全部履行", "履行完毕", "履行义务"),
    RemovalReason.CORRECTED: ("纠错", "更正", "错误纳入", "纳入错误", "撤销", "错误"),
    RemovalReason.SETTLED: ("和解", "执行和解", "和解履行完毕", "达成和解"),
    RemovalReason.EXPIRED: ("期满", "到期", "期限届满", "失信期限届满"),
    RemovalReason.OTHER: ("其他", "其它"),
}
_REASON_WORDS = {
    _plain(w): value.value
    for value, words in _REASONS.items()
    for w in (value.value, str(value.label), *words)
}


@importing.pure_parser
def parse_removal_reason(text: str) -> str:
    """原因: 已履行 → performed, 纠错 → corrected, 和解 → settled, 期满 → expired, 其他."""
    plain = _plain(text)
    found = _REASON_WORDS.get(plain)
    if found is None:  # "因履行完毕屏蔽" and the like: the first reason word it contains
        found = next(
            (value for word, value in _REASON_WORDS.items() if len(word) >= 2 and word in plain),
            None,
        )
    if found is None:
        raise CellError(
            BAD_REASON,
            _("“%(value)s” is not a removal reason: write 已履行, 纠错, 和解, 期满 or 其他.")
            % {"value": text},
        )
    return found


# --- row keys -------------------------------------------------------------------------------------
def identifier_index(value: str) -> str:
    """The blind index of an identifier, as the list stores and searches it."""
    return str(_id_index_field().lookup_value(value))


@functools.cache
def _id_index_field() -> Any:
    return DebtorRecord._meta.get_field("id_index")


def row_key_for(case_number: str, *, identifier: str = "", name: str = "") -> str:
    """An entry's row key: case number + the identifier's blind index, or + the name (for an
    identifier published masked). The clear number never appears in the key."""
    if identifier:
        return f"{case_number}#{identifier_index(identifier)[:_INDEX_CHARS]}"
    return f"{case_number}#{_plain(name)}"[:ROW_KEY_LENGTH]


def may_import(user: Any) -> bool:
    """Court staff (any court) and office staff."""
    scope = scope_for(user)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


def _courts() -> dict[str, int]:
    found: dict[str, int] = {}
    for pk, name, short in (
        Unit.objects.filter(kind=UnitKind.COURT)
        .order_by("pk")
        .values_list("pk", "name", "short_name")
    ):
        for text in (name, short):
            if text:
                found.setdefault(_plain(text), pk)
    return found


# --- the list file --------------------------------------------------------------------------------
STORED_FIELDS = (
    "name",
    "party_kind",
    "id_type",
    "id_masked",
    "id_display",
    "sex",
    "age",
    "legal_representative",
    "court_id",
    "court_name",
    "province",
    "basis_number",
    "basis_issuer",
    "filed_on",
    "case_number",
    "obligation",
    "performance",
    "performed_part",
    "unperformed_part",
    "conduct",
    "published_on",
)


class DebtorFeed(importing.Feed):
    name = DEBTORS_FEED
    label = gettext_lazy("Dishonest debtor list (court file)")
    columns = (
        Column(
            "name",
            gettext_lazy("Name of the debtor"),
            headers=(
                "被执行人姓名/名称",
                "被执行人姓名",
                "被执行人名称",
                "被执行人",
                "姓名",
                "名称",
                "iname",
            ),
            max_length=200,
        ),
        Column(
            "party_kind",
            gettext_lazy("Party type"),
            headers=("当事人类型", "主体类型", "类型", "partyType"),
            parse=parse_party_kind,
        ),
        Column(
            "id_type",
            gettext_lazy("Identity document"),
            headers=("证件类型", "证照类型", "idType", "cardType"),
            parse=parse_id_type,
        ),
        Column(
            "id_number",
            gettext_lazy("Identifier"),
            headers=(
                "身份证号码/组织机构代码",
                "身份证号码/统一社会信用代码",
                "证件号码",
                "身份证号码",
                "统一社会信用代码",
                "组织机构代码",
                "cardNum",
            ),
            required=True,
            max_length=40,
            personal=True,
        ),
        Column("sex", gettext_lazy("Sex"), headers=("性别", "sexy", "sexname"), max_length=4),
        Column("age", gettext_lazy("Age"), headers=("年龄", "age"), parse=importing.parse_int),
        Column(
            "legal_representative",
            gettext_lazy("Legal representative or person in charge"),
            headers=("法定代表人或者负责人姓名", "法定代表人", "负责人", "businessEntity"),
            max_length=100,
        ),
        Column(
            "court_name",
            gettext_lazy("Executing court"),
            headers=("执行法院", "courtName"),
            required=True,
            max_length=100,
        ),
        Column(
            "province",
            gettext_lazy("Province"),
            headers=("省份", "地域名称", "areaName"),
            max_length=20,
        ),
        Column(
            "basis_number",
            gettext_lazy("Execution basis document number"),
            headers=("执行依据文号", "gistId"),
            required=True,
            max_length=100,
        ),
        Column(
            "basis_issuer",
            gettext_lazy("Body that issued the basis"),
            headers=("做出执行依据单位", "作出执行依据单位", "gistUnit"),
            max_length=100,
        ),
        Column(
            "filed_on",
            gettext_lazy("Filed on"),
            headers=("立案时间", "立案日期", "regDate"),
            required=True,
            parse=importing.parse_date,
        ),
        Column(
            "case_number",
            gettext_lazy("Case number"),
            headers=("案号", "caseCode"),
            required=True,
            parse=_parse_case_number,
        ),
        Column(
            "obligation",
            gettext_lazy("Obligation fixed by the judgment"),
            headers=("生效法律文书确定的义务", "duty"),
        ),
        Column(
            "performance",
            gettext_lazy("Performance"),
            headers=("被执行人的履行情况", "履行情况", "performance"),
            required=True,
            parse=parse_performance,
        ),
        Column(
            "performed_part",
            gettext_lazy("Performed part"),
            headers=("已履行部分", "performedPart"),
        ),
        Column(
            "unperformed_part",
            gettext_lazy("Unperformed part"),
            headers=("未履行部分", "unperformPart"),
        ),
        Column(
            "conduct",
            gettext_lazy("Dishonest conduct"),
            headers=("失信被执行人行为具体情形", "失信情形", "disruptTypeName"),
        ),
        Column(
            "published_on",
            gettext_lazy("Published on"),
            headers=("发布时间", "发布日期", "publishDate"),
            parse=importing.parse_date,
        ),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        context.cache["courts"] = _courts()
        context.cache["court_ids"] = {}  # court name as written → unit id (or None), per run
        context.cache["today"] = _today()  # once per run, not once per row
        _RUN_TODAY.set(context.cache["today"])

    def row_key(self, values: dict[str, Any]) -> str:
        return str(values.get("_key") or "")

    def clean_row(self, row: Row, context: Context) -> None:
        v = row.values
        name = (v["name"] or "").strip()
        if not name:
            row.error(NAME_REQUIRED, _("The debtor's name is missing."), "name")
        number: CaseNumber = v["case_number"]
        if number.kind != "enforcement":
            row.error(
                NOT_ENFORCEMENT,
                _("%(number)s is not an enforcement case number (执…).")
                % {"number": number.normalized},
                "case_number",
            )
        self._dates(row, context.cache.get("today") or _today())
        if v["party_kind"]:
            person: bool | None = v["party_kind"] == PartyKind.PERSON
        elif v["legal_representative"]:
            person = False
        elif v["sex"] or v["age"] is not None:
            person = True
        else:
            person = None
        today = context.cache.get("today")
        try:
            ident = identifiers.parse_party_identifier(
                v["id_number"], v["id_type"] or None, name_is_person=person, today=today
            )
            if person and not v["id_type"] and ident.id_type in identifiers.ORGANISATION_ID_TYPES:
                # A person's 18 characters read as a credit code: report them as an ID number.
                ident = identifiers.parse_party_identifier(
                    v["id_number"], IdType.RESIDENT_ID, today=today
                )
        except IdentifierError as exc:
            row.error(exc.code, exc.message, "id_number")
            return
        for warning in ident.warnings:
            row.warn(warning.code, warning.message, "id_number")
        if row.errors:
            return
        id_type = str(ident.id_type)
        organisation = id_type in (IdType.CREDIT_CODE, IdType.ORGANISATION_CODE)
        kind = v["party_kind"] or (PartyKind.ORGANISATION if organisation else PartyKind.PERSON)
        # The blind index the entry stores (`id_index`), computed once: the row key holds
        # its first characters.
        index = identifier_index(ident.value)
        if ident.masked:
            display = ident.value
            key = row_key_for(number.normalized, name=name)
        else:
            display = mask_identifier(ident.value, id_type)
            key = f"{number.normalized}#{index[:_INDEX_CHARS]}"
        court_name = v["court_name"].strip()
        court_ids: dict[str, int | None] = context.cache.setdefault("court_ids", {})
        if court_name in court_ids:
            court_id = court_ids[court_name]
        else:
            court_id = context.cache["courts"].get(_plain(court_name))
            if len(court_ids) < importing.PARSE_CACHE:
                court_ids[court_name] = court_id
        v["_key"] = key
        v["_id_number"] = ident.value
        v["_index"] = index
        v["_fields"] = {
            "name": name,
            "party_kind": str(kind),
            "id_type": id_type,
            "id_masked": bool(ident.masked),
            "id_display": display[:40],
            "sex": (v["sex"] or "").strip(),
            "age": v["age"] if v["age"] is None or 0 < v["age"] < 150 else None,
            "legal_representative": (v["legal_representative"] or "").strip(),
            "court_id": court_id,
            "court_name": court_name,
            "province": (v["province"] or "").strip(),
            "basis_number": v["basis_number"].strip(),
            "basis_issuer": (v["basis_issuer"] or "").strip(),
            "filed_on": v["filed_on"],
            "case_number": number.normalized,
            "obligation": (v["obligation"] or "").strip(),
            "performance": v["performance"],
            "performed_part": (v["performed_part"] or "").strip(),
            "unperformed_part": (v["unperformed_part"] or "").strip(),
            "conduct": (v["conduct"] or "").strip(),
            "published_on": v["published_on"],
        }

    def _dates(self, row: Row, today: datetime.date) -> None:
        v = row.values
        filed_on: datetime.date = v["filed_on"]
        published_on: datetime.date | None = v["published_on"]
        if filed_on > today:
            row.error(
                FILED_IN_FUTURE,
                _("The filing date %(date)s is in the future.") % {"date": filed_on.isoformat()},
                "filed_on",
            )
        if published_on is not None:
            if published_on > today:
                row.error(
                    PUBLISHED_IN_FUTURE,
                    _("The publication date %(date)s is in the future.")
                    % {"date": published_on.isoformat()},
                    "published_on",
                )
            elif published_on < filed_on:
                row.error(
                    PUBLISHED_BEFORE_FILED,
                    _("Published on %(end)s, before the case was filed (%(start)s).")
                    % {"end": published_on.isoformat(), "start": filed_on.isoformat()},
                    "published_on",
                )

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        # Which keys exist first (one light query; a first import finds none), then the
        # entries of those only.
        found = importing.existing_keys(DebtorRecord, "row_key", [row.key for row in rows])
        existing = (
            {r.row_key: r for r in DebtorRecord.objects.filter(row_key__in=found)} if found else {}
        )
        now = timezone.now()
        result = StoreResult()
        new: list[dict[str, Any]] = []
        clear: list[str] = []  # the new entries' identifiers, encrypted together below
        changed: list[DebtorRecord] = []
        held_reason = (context.batch.held_reason or "").strip()
        for row in rows:
            values = row.values["_fields"]
            record = existing.get(row.key)
            if record is None:
                held = row.status == "to_confirm"
                hold = "；".join(w.message for w in row.warnings)
                if held and held_reason:
                    hold = f"{hold}（{_('accepted at import')}: {held_reason}）"
                new.append(
                    {
                        **values,
                        "row_key": row.key,
                        "id_index": row.values["_index"],
                        "state": DebtorState.TO_CONFIRM.value if held else DebtorState.ACTIVE.value,
                        "hold_reason": hold if held else "",
                    }
                )
                clear.append(row.values["_id_number"])
                continue
            diff = [f for f in STORED_FIELDS if getattr(record, f) != values[f]]
            if record.id_masked and record.id_number != row.values["_id_number"]:
                diff.append("id_number")
            if not diff:
                result.unchanged += 1
                continue
            for f in diff:
                if f != "id_number":
                    setattr(record, f, values[f])
            record.id_number = row.values["_id_number"]
            record.id_index = identifier_index(record.id_number)  # bulk_update skips pre_save
            record.updated_at = now
            record.version = F("version") + 1  # type: ignore[assignment]
            changed.append(record)
        if new:
            # One random nonce per value, as `crypto.encrypt` gives it (`encrypt_many`).
            for values, token in zip(new, crypto.encrypt_many(clear), strict=True):
                values["id_number"] = token
            # Nothing needs the new entries' ids here (no search index, no follow-up rows):
            # their columns are given as values (identifier encrypted, blind index computed
            # once), written as they are (COPY on PostgreSQL).
            result.created += importing.bulk_insert(DebtorRecord, new)
        if changed:
            DebtorRecord.objects.bulk_update(
                changed, [*STORED_FIELDS, "id_number", "id_index", "updated_at", "version"]
            )
            result.updated += len(changed)
        return result


# --- the removal file -----------------------------------------------------------------------------
class RemovalFeed(importing.Feed):
    name = REMOVALS_FEED
    label = gettext_lazy("Removals from the dishonest debtor list (court file)")
    columns = (
        Column(
            "case_number",
            gettext_lazy("Case number"),
            headers=("案号", "caseCode"),
            required=True,
            parse=_parse_case_number,
        ),
        Column(
            "id_number",
            gettext_lazy("Identifier"),
            headers=(
                "证件号码",
                "身份证号码/组织机构代码",
                "身份证号码",
                "统一社会信用代码",
                "组织机构代码",
                "cardNum",
            ),
            max_length=40,
            personal=True,
        ),
        Column(
            "name",
            gettext_lazy("Name of the debtor"),
            headers=NAME_HEADERS,
            max_length=200,
        ),
        Column(
            "removed_on",
            gettext_lazy("Removed on"),
            headers=("屏蔽日期", "撤销日期", "删除日期", "移除日期", "屏蔽时间", "撤销时间"),
            required=True,
            parse=importing.parse_date,
        ),
        Column(
            "reason",
            gettext_lazy("Reason for removal"),
            headers=("原因", "屏蔽原因", "撤销原因", "删除原因"),
            required=True,
            parse=parse_removal_reason,
        ),
        Column("note", gettext_lazy("Note"), headers=("备注", "说明")),
    )

    def may_import(self, user: Any) -> bool:
        return may_import(user)

    def prepare(self, context: Context) -> None:
        _RUN_TODAY.set(_today())
        context.cache["entries"] = {
            key: (pk, published_on)
            for key, pk, published_on in DebtorRecord.objects.values_list(
                "row_key", "pk", "published_on"
            )
        }

    def row_key(self, values: dict[str, Any]) -> str:
        return str(values.get("_key") or "")

    def clean_row(self, row: Row, context: Context) -> None:
        v = row.values
        number: CaseNumber = v["case_number"]
        raw = (v["id_number"] or "").strip()
        name = (v["name"] or "").strip()
        if not raw and not name:
            row.error(
                ENTRY_NEEDS_KEY,
                _("Give the debtor's identifier or name to tell which entry is removed."),
                "id_number",
            )
            return
        keys: list[str] = []
        if raw:
            try:
                ident = identifiers.parse_party_identifier(raw)
            except IdentifierError as exc:
                row.error(exc.code, exc.message, "id_number")
                return
            if not ident.masked:
                keys.append(row_key_for(number.normalized, identifier=ident.value))
        if name:
            keys.append(row_key_for(number.normalized, name=name))
        entries: dict[str, tuple[int, datetime.date | None]] = context.cache["entries"]
        key = next((k for k in keys if k in entries), None)
        if key is None:
            row.error(
                UNKNOWN_ENTRY,
                _("No entry of the list has the case %(number)s with this debtor.")
                % {"number": number.normalized},
                "case_number",
            )
            return
        removed_on: datetime.date = v["removed_on"]
        published_on = entries[key][1]
        if removed_on > _today():
            row.error(
                REMOVED_IN_FUTURE,
                _("The removal date %(date)s is in the future.") % {"date": removed_on.isoformat()},
                "removed_on",
            )
        elif published_on is not None and removed_on < published_on:
            row.error(
                REMOVED_BEFORE_PUBLISHED,
                _("The entry cannot be removed (%(end)s) before it was published (%(start)s).")
                % {"end": removed_on.isoformat(), "start": published_on.isoformat()},
                "removed_on",
            )
        v["_key"] = key
        v["_pk"] = entries[key][0]

    def store(self, rows: list[Row], context: Context) -> StoreResult:
        records = DebtorRecord.objects.in_bulk([row.values["_pk"] for row in rows])
        now = timezone.now()
        result = StoreResult()
        changed: list[DebtorRecord] = []
        for row in rows:
            v = row.values
            record = records[v["_pk"]]
            note = (v["note"] or "").strip()
            wanted = (DebtorState.REMOVED, v["removed_on"], v["reason"], note)
            now_is = (record.state, record.removed_on, record.removal_reason, record.removal_note)
            if now_is == wanted:
                result.unchanged += 1
                continue
            record.state, record.removed_on, record.removal_reason, record.removal_note = wanted
            record.updated_at = now
            record.version = F("version") + 1  # type: ignore[assignment]
            changed.append(record)
        if changed:
            DebtorRecord.objects.bulk_update(
                changed,
                ["state", "removed_on", "removal_reason", "removal_note", "updated_at", "version"],
            )
            result.updated += len(changed)
        return result


importing.register(DebtorFeed())
importing.register(RemovalFeed())

# The feed of government-debtor and livelihood cases lives beside the case actions it calls.
from . import case_importers  # noqa: E402, F401
