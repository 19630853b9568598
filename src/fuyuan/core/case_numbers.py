"""Case numbers (案号) parsed once at the edge into a value object (DOMAIN.md §5).

Current form (Supreme People's Court rules of 2016, revised 2018)::

    （收案年度） + court code + [specialised-court character] + type code + sequence + 号
    （2022）豫17行初12号      （2019）最高法知民终1号      （2020）沪74民初123号

The court code is a province abbreviation (豫) alone for a high court, with 2 digits for an
intermediate court (豫17) or 4 digits for a basic court (豫1702, the county division code's
last 4 digits), or 最高法 for the Supreme People's Court. The type code comes from the SPC table
of case types and their codes (人民法院案件类型及其代字标准, 2018 revision).

Pre-2016 form: year + court abbreviation + type characters + 字第 + sequence + 号, e.g.
（2014）深中法商终字第1012号. The abbreviation cannot be mapped to a court, so `court_code` is
empty and the raw abbreviation is kept in `legacy_court`.

Errors are `CaseNumberError` (an `IdentifierError`) with a stable `code` naming the wrong part
and a message translated at call time.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.core.identifiers import IdentifierError

CaseKind = Literal[
    "administrative",
    "civil",
    "criminal",
    "enforcement",
    "bankruptcy",
    "state_compensation",
    "judicial_sanction",
    "other",
]
# Values match litigation.models.Instance where they overlap.
CaseInstance = Literal[
    "first", "second", "retrial_review", "retrial", "non_litigation", "enforcement", "other"
]
CourtLevel = Literal["supreme", "high", "intermediate", "basic", ""]

SUPREME_COURT = "最高法"
FIRST_YEAR = 1949

# Province abbreviation -> first two digits of its GB/T 2260 division codes. 兵 (the Xinjiang
# Production and Construction Corps courts) has court codes but no division code of its own.
PROVINCE_DIVISIONS: dict[str, str] = {
    "京": "11",
    "津": "12",
    "冀": "13",
    "晋": "14",
    "蒙": "15",
    "辽": "21",
    "吉": "22",
    "黑": "23",
    "沪": "31",
    "苏": "32",
    "浙": "33",
    "皖": "34",
    "闽": "35",
    "赣": "36",
    "鲁": "37",
    "豫": "41",
    "鄂": "42",
    "湘": "43",
    "粤": "44",
    "桂": "45",
    "琼": "46",
    "渝": "50",
    "川": "51",
    "黔": "52",
    "滇": "53",
    "藏": "54",
    "陕": "61",
    "甘": "62",
    "青": "63",
    "宁": "64",
    "新": "65",
}
PROVINCES: frozenset[str] = frozenset([*PROVINCE_DIVISIONS, "兵"])

# Specialised-court characters that may stand between the court code and the type code
# (e.g. 最高法知民终: the SPC's intellectual-property tribunal).
SPECIALISED_COURTS: dict[str, str | Promise] = {
    "知": gettext_lazy("Intellectual property"),
    "金": gettext_lazy("Financial"),
    "海": gettext_lazy("Maritime"),
    "铁": gettext_lazy("Railway transport"),
    "林": gettext_lazy("Forestry"),
    "农": gettext_lazy("Land reclamation (farm)"),
    "军": gettext_lazy("Military"),
    "互": gettext_lazy("Internet"),
    "环": gettext_lazy("Environment and resources"),
}

# Type code -> (kind, instance, label), after the SPC table (2018 revision). Administrative
# compensation (行赔…, 赔辖…) counts as administrative: its defendants are administrative bodies.
CASE_TYPES: dict[str, tuple[CaseKind, CaseInstance, str | Promise]] = {
    # Jurisdiction (管辖)
    "刑辖": ("criminal", "other", gettext_lazy("Criminal jurisdiction")),
    "民辖": ("civil", "other", gettext_lazy("Civil jurisdiction")),
    "民辖终": ("civil", "other", gettext_lazy("Civil jurisdiction appeal")),
    "民辖监": ("civil", "other", gettext_lazy("Civil jurisdiction supervision")),
    "行辖": ("administrative", "other", gettext_lazy("Administrative jurisdiction")),
    "行辖终": ("administrative", "other", gettext_lazy("Administrative jurisdiction appeal")),
    "赔辖": (
        "administrative",
        "other",
        gettext_lazy("Administrative compensation jurisdiction"),
    ),
    "赔辖终": (
        "administrative",
        "other",
        gettext_lazy("Administrative compensation jurisdiction appeal"),
    ),
    # Criminal (刑事)
    "刑初": ("criminal", "first", gettext_lazy("Criminal first instance")),
    "刑终": ("criminal", "second", gettext_lazy("Criminal second instance")),
    "刑监": ("criminal", "retrial_review", gettext_lazy("Criminal retrial review (ex officio)")),
    "刑申": ("criminal", "retrial_review", gettext_lazy("Criminal petition for retrial")),
    "刑抗": ("criminal", "retrial_review", gettext_lazy("Criminal protest for retrial")),
    "刑再": ("criminal", "retrial", gettext_lazy("Criminal retrial")),
    "刑没": ("criminal", "other", gettext_lazy("Confiscation of illegal gains")),
    "刑核": ("criminal", "other", gettext_lazy("Criminal sentence review")),
    "刑医": ("criminal", "other", gettext_lazy("Compulsory medical treatment")),
    "刑医解": ("criminal", "other", gettext_lazy("Release from compulsory medical treatment")),
    "刑医复": (
        "criminal",
        "other",
        gettext_lazy("Compulsory medical treatment reconsideration"),
    ),
    "刑医监": ("criminal", "other", gettext_lazy("Compulsory medical treatment supervision")),
    "刑止": ("criminal", "other", gettext_lazy("Stay of execution of a death sentence")),
    "刑止调": ("criminal", "other", gettext_lazy("Stay of execution: investigation")),
    "刑止核": ("criminal", "other", gettext_lazy("Stay of execution: investigation review")),
    "刑更": ("criminal", "other", gettext_lazy("Commutation, parole and change of sentence")),
    "刑更监": ("criminal", "other", gettext_lazy("Change of sentence: supervision")),
    "刑更备": ("criminal", "other", gettext_lazy("Change of sentence: record filing")),
    "刑他": ("criminal", "other", gettext_lazy("Other criminal case")),
    "刑教": ("criminal", "other", gettext_lazy("Placement education")),
    "刑教解": ("criminal", "other", gettext_lazy("Release from placement education")),
    "刑教复": ("criminal", "other", gettext_lazy("Placement education reconsideration")),
    "刑教监": ("criminal", "other", gettext_lazy("Placement education supervision")),
    # Civil (民事)
    "民初": ("civil", "first", gettext_lazy("Civil first instance")),
    "民终": ("civil", "second", gettext_lazy("Civil second instance")),
    "民监": ("civil", "retrial_review", gettext_lazy("Civil retrial review (ex officio)")),
    "民申": ("civil", "retrial_review", gettext_lazy("Civil petition for retrial")),
    "民抗": ("civil", "retrial_review", gettext_lazy("Civil protest for retrial")),
    "民再": ("civil", "retrial", gettext_lazy("Civil retrial")),
    "民撤": ("civil", "first", gettext_lazy("Third-party revocation suit")),
    "民特": ("civil", "other", gettext_lazy("Civil special procedure")),
    "民特监": ("civil", "other", gettext_lazy("Civil special procedure supervision")),
    "民催": ("civil", "other", gettext_lazy("Public summons for claims")),
    "民督": ("civil", "other", gettext_lazy("Payment order")),
    "民督监": ("civil", "other", gettext_lazy("Payment order supervision")),
    "民他": ("civil", "other", gettext_lazy("Other civil case")),
    "民保令": ("civil", "other", gettext_lazy("Personal safety protection order")),
    "民保更": ("civil", "other", gettext_lazy("Change of a personal safety protection order")),
    "民诉前调": ("civil", "other", gettext_lazy("Civil pre-litigation mediation")),
    # Administrative (行政)
    "行初": ("administrative", "first", gettext_lazy("Administrative first instance")),
    "行终": ("administrative", "second", gettext_lazy("Administrative second instance")),
    "行监": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative retrial review (ex officio)"),
    ),
    "行申": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative petition for retrial"),
    ),
    "行抗": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative protest for retrial"),
    ),
    "行再": ("administrative", "retrial", gettext_lazy("Administrative retrial")),
    "行审": (
        "administrative",
        "non_litigation",
        gettext_lazy("Review of an application to enforce an administrative act"),
    ),
    "行审复": (
        "administrative",
        "non_litigation",
        gettext_lazy("Reconsideration of a non-litigation enforcement review"),
    ),
    "行他": ("administrative", "other", gettext_lazy("Other administrative case")),
    # Administrative compensation (行政赔偿)
    "行赔初": (
        "administrative",
        "first",
        gettext_lazy("Administrative compensation first instance"),
    ),
    "行赔终": (
        "administrative",
        "second",
        gettext_lazy("Administrative compensation second instance"),
    ),
    "行赔监": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative compensation retrial review (ex officio)"),
    ),
    "行赔申": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative compensation petition for retrial"),
    ),
    "行赔抗": (
        "administrative",
        "retrial_review",
        gettext_lazy("Administrative compensation protest for retrial"),
    ),
    "行赔再": ("administrative", "retrial", gettext_lazy("Administrative compensation retrial")),
    "行赔他": ("administrative", "other", gettext_lazy("Other administrative compensation case")),
    # Judicial (state) compensation (司法赔偿)
    "法赔": ("state_compensation", "other", gettext_lazy("Court as compensation obligor")),
    "委赔": ("state_compensation", "other", gettext_lazy("Compensation committee case")),
    "委赔监": (
        "state_compensation",
        "other",
        gettext_lazy("Judicial compensation supervision review"),
    ),
    "赔确监": (
        "state_compensation",
        "other",
        gettext_lazy("Petition on confirmation of compensation"),
    ),
    "委赔提": (
        "state_compensation",
        "other",
        gettext_lazy("Rehearing by a higher compensation committee"),
    ),
    "委赔再": (
        "state_compensation",
        "other",
        gettext_lazy("Rehearing by the court's compensation committee"),
    ),
    "赔他": ("state_compensation", "other", gettext_lazy("Other compensation case")),
    "赔": ("state_compensation", "other", gettext_lazy("State compensation")),
    # Judicial aid (司法救助)
    "司救刑": ("other", "other", gettext_lazy("Judicial aid (criminal)")),
    "司救民": ("other", "other", gettext_lazy("Judicial aid (civil)")),
    "司救行": ("other", "other", gettext_lazy("Judicial aid (administrative)")),
    "司救赔": ("other", "other", gettext_lazy("Judicial aid (state compensation)")),
    "司救执": ("other", "other", gettext_lazy("Judicial aid (enforcement)")),
    "司救访": ("other", "other", gettext_lazy("Judicial aid (petitions)")),
    "司救他": ("other", "other", gettext_lazy("Judicial aid (other)")),
    # Inter-regional judicial assistance (区际司法协助)
    "认台": ("other", "other", gettext_lazy("Recognition of a Taiwan judgment or award")),
    "认港": ("other", "other", gettext_lazy("Recognition of a Hong Kong judgment or award")),
    "认澳": ("other", "other", gettext_lazy("Recognition of a Macao judgment or award")),
    "认复": ("other", "other", gettext_lazy("Recognition review reconsideration")),
    "认他": ("other", "other", gettext_lazy("Other recognition case")),
    "请台送": ("other", "other", gettext_lazy("Service request to Taiwan")),
    "请港送": ("other", "other", gettext_lazy("Service request to Hong Kong")),
    "请澳送": ("other", "other", gettext_lazy("Service request to Macao")),
    "台请送": ("other", "other", gettext_lazy("Service request from Taiwan")),
    "港请送": ("other", "other", gettext_lazy("Service request from Hong Kong")),
    "澳请送": ("other", "other", gettext_lazy("Service request from Macao")),
    "请台调": ("other", "other", gettext_lazy("Evidence request to Taiwan")),
    "请港调": ("other", "other", gettext_lazy("Evidence request to Hong Kong")),
    "请澳调": ("other", "other", gettext_lazy("Evidence request to Macao")),
    "台请调": ("other", "other", gettext_lazy("Evidence request from Taiwan")),
    "港请调": ("other", "other", gettext_lazy("Evidence request from Hong Kong")),
    "澳请调": ("other", "other", gettext_lazy("Evidence request from Macao")),
    "请移管": ("other", "other", gettext_lazy("Receiving a person sentenced in Taiwan")),
    "助移管": ("other", "other", gettext_lazy("Transferring a sentenced person to Taiwan")),
    "请移赃": ("other", "other", gettext_lazy("Receiving proceeds of crime from Taiwan")),
    "助移赃": ("other", "other", gettext_lazy("Transferring proceeds of crime to Taiwan")),
    # International judicial assistance (国际司法协助)
    "协外认": ("other", "other", gettext_lazy("Recognition of a foreign judgment or award")),
    "协他": ("other", "other", gettext_lazy("Other recognition of foreign decisions")),
    "协外送": ("other", "other", gettext_lazy("Service request from a foreign court")),
    "请外送": ("other", "other", gettext_lazy("Service request to a foreign court")),
    "协外调": ("other", "other", gettext_lazy("Evidence request from a foreign court")),
    "请外调": ("other", "other", gettext_lazy("Evidence request to a foreign court")),
    "请外移": ("other", "other", gettext_lazy("Receiving a person sentenced abroad")),
    "协外移": ("other", "other", gettext_lazy("Transferring a sentenced person abroad")),
    "请外引": ("other", "other", gettext_lazy("Extradition request to a foreign state")),
    "协外引": ("other", "other", gettext_lazy("Extradition request from a foreign state")),
    # Judicial sanctions (司法制裁)
    "司惩": ("judicial_sanction", "other", gettext_lazy("Judicial detention or fine")),
    "司惩复": ("judicial_sanction", "other", gettext_lazy("Judicial sanction reconsideration")),
    # Non-litigation preservation (非诉保全)
    "财保": ("other", "other", gettext_lazy("Pre-litigation property preservation")),
    "行保": ("other", "other", gettext_lazy("Pre-litigation conduct preservation")),
    "行保复": ("other", "other", gettext_lazy("Conduct preservation reconsideration")),
    "证保": ("other", "other", gettext_lazy("Pre-litigation evidence preservation")),
    # Enforcement (执行)
    "执": ("enforcement", "enforcement", gettext_lazy("Enforcement")),
    "执恢": ("enforcement", "enforcement", gettext_lazy("Resumed enforcement")),
    "执保": ("enforcement", "enforcement", gettext_lazy("Enforcement of preservation")),
    "执异": ("enforcement", "enforcement", gettext_lazy("Enforcement objection")),
    "执复": ("enforcement", "enforcement", gettext_lazy("Enforcement reconsideration")),
    "执监": ("enforcement", "enforcement", gettext_lazy("Enforcement supervision")),
    "执协": ("enforcement", "enforcement", gettext_lazy("Enforcement coordination")),
    "执他": ("enforcement", "enforcement", gettext_lazy("Other enforcement case")),
    # Compulsory liquidation and bankruptcy (强制清算与破产)
    "清申": ("bankruptcy", "first", gettext_lazy("Compulsory liquidation application review")),
    "破申": ("bankruptcy", "first", gettext_lazy("Bankruptcy application review")),
    "清终": ("bankruptcy", "second", gettext_lazy("Compulsory liquidation appeal")),
    "破终": ("bankruptcy", "second", gettext_lazy("Bankruptcy appeal")),
    "清监": ("bankruptcy", "other", gettext_lazy("Compulsory liquidation supervision")),
    "破监": ("bankruptcy", "other", gettext_lazy("Bankruptcy supervision")),
    "强清": ("bankruptcy", "other", gettext_lazy("Compulsory liquidation")),
    "破": ("bankruptcy", "other", gettext_lazy("Bankruptcy")),
}
_TYPE_STARTS = frozenset(code[0] for code in CASE_TYPES)

# Pre-2016 numbers: the type part starts at the first of these characters; its kind is told by
# the first decisive character and its instance by the procedure character.
_LEGACY_TYPE_STARTS = frozenset("民商经知行刑执破赔委立")
_LEGACY_KINDS: dict[str, CaseKind] = {
    "行": "administrative",
    "民": "civil",
    "商": "civil",
    "经": "civil",
    "刑": "criminal",
    "执": "enforcement",
    "破": "bankruptcy",
    "赔": "state_compensation",
}
_LEGACY_INSTANCES: tuple[tuple[str, CaseInstance], ...] = (
    ("终", "second"),
    ("初", "first"),
    ("再", "retrial"),
    ("提", "retrial"),
    ("申", "retrial_review"),
    ("监", "retrial_review"),
)

_LEVELS: dict[int, CourtLevel] = {0: "high", 2: "intermediate", 4: "basic"}
_OPENING = "(（〔[［【"
_CLOSING = ")）〕]］】"
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９號", "0123456789号")
_DIGITS = re.compile(r"[0-9]*")
_NON_DIGITS = re.compile(r"[^0-9号]*")


class CaseNumberError(IdentifierError):
    """A case number is refused; `code` names the wrong part (case_number.year, …)."""


@dataclass(frozen=True)
class CaseNumber:
    normalized: str
    year: int
    court_code: str
    province: str
    court_division: str
    specialised: str
    type_code: str
    sequence: int
    kind: CaseKind
    instance: CaseInstance
    court_level: CourtLevel
    legacy: bool = False
    legacy_court: str = ""
    legacy_type: str = ""

    def __str__(self) -> str:
        return self.normalized

    @property
    def type_label(self) -> str | Promise:
        """The type's name from the SPC table; the raw type characters for old numbers."""
        if self.legacy:
            return self.legacy_type
        return CASE_TYPES[self.type_code][2]

    @property
    def division(self) -> str | None:
        return division_of(self.court_code) if self.court_code else None


def division_of(court_code: str) -> str | None:
    """The GB/T 2260 division code a court code is derived from: 豫1702 -> 411702,
    豫17 -> 411700, 豫 -> 410000. None for 最高法, 兵 courts, the specialised courts numbered
    from 70 (豫71, 京7101) and anything that is not a court code."""
    code = (court_code or "").strip()
    if not code or code[0] not in PROVINCE_DIVISIONS:
        return None
    prefix, digits = PROVINCE_DIVISIONS[code[0]], code[1:]
    if not digits:
        return prefix + "0000"
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (2, 4):
        return None
    if digits[0] == "7":
        return None
    return prefix + digits.ljust(4, "0")


def is_case_number(raw: str | None) -> bool:
    try:
        parse_case_number(raw)
    except CaseNumberError:
        return False
    return True


def _clean(raw: str) -> str:
    value = _INVISIBLE.sub("", raw).translate(_FULLWIDTH_DIGITS)
    for char in _OPENING:
        value = value.replace(char, "（")
    for char in _CLOSING:
        value = value.replace(char, "）")
    return value


def parse_case_number(raw: str | None, *, today: datetime.date | None = None) -> CaseNumber:
    """Parse a case number in the current or the pre-2016 form; raise CaseNumberError."""
    if raw is None:
        raw = ""
    value = _clean(str(raw))
    if not value:
        raise CaseNumberError(
            "case_number.empty", _("Enter the case number, like （2022）豫17行初12号.")
        )
    if not value.startswith("（"):
        raise CaseNumberError(
            "case_number.brackets",
            _("A case number begins with the year in brackets, like （2022）豫17行初12号."),
        )
    close = value.find("）")
    if close < 0:
        raise CaseNumberError(
            "case_number.brackets",
            _("The bracket around the year is not closed; write the year like （2022）."),
        )
    year = _parse_year(value[1:close], today)
    rest = value[close + 1 :]
    if "字" in rest:
        return _parse_legacy(year, rest)
    return _parse_current(year, rest)


def _parse_year(text: str, today: datetime.date | None) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise CaseNumberError(
            "case_number.year", _("The year in brackets must be four digits, like （2022）.")
        )
    year = int(text)
    last = (today or timezone.localdate()).year + 1
    if not FIRST_YEAR <= year <= last:
        raise CaseNumberError(
            "case_number.year",
            _("The year in brackets, %(year)d, must be between %(first)d and %(last)d.")
            % {"year": year, "first": FIRST_YEAR, "last": last},
        )
    return year


def _parse_current(year: int, rest: str) -> CaseNumber:
    # Court code.
    if rest.startswith(SUPREME_COURT):
        court_code, province, court_division = SUPREME_COURT, "", ""
        position = len(SUPREME_COURT)
        digits = _DIGITS.match(rest, position)
        if digits and digits.group():
            raise CaseNumberError(
                "case_number.court_digits",
                _("The court code 最高法 takes no digits; found %(code)s.")
                % {"code": SUPREME_COURT + digits.group()},
            )
        level: CourtLevel = "supreme"
    else:
        if not rest or rest[0].isdigit() or rest[0] == "号":
            raise CaseNumberError(
                "case_number.court_code",
                _(
                    "The court code is missing after the year: a province abbreviation with "
                    "2 or 4 digits (such as 豫17 or 豫1702), or 最高法."
                ),
            )
        province = rest[0]
        if province not in PROVINCES:
            raise CaseNumberError(
                "case_number.province",
                _(
                    "%(found)s is not a province abbreviation: the court code must begin with "
                    "one such as 豫, 京 or 粤, or be 最高法."
                )
                % {"found": province},
            )
        digits = _DIGITS.match(rest, 1)
        court_division = digits.group() if digits else ""
        if len(court_division) not in (0, 2, 4):
            raise CaseNumberError(
                "case_number.court_digits",
                _(
                    "The court code %(code)s has %(n)d digits after the province abbreviation; "
                    "it takes none (high court), 2 (intermediate court) or 4 (basic court)."
                )
                % {"code": province + court_division, "n": len(court_division)},
            )
        court_code = province + court_division
        position = len(court_code)
        level = _LEVELS[len(court_division)]

    # Optional specialised-court character + type code: the whole run up to the sequence.
    run_match = _NON_DIGITS.match(rest, position)
    run = run_match.group() if run_match else ""
    if not run or run in SPECIALISED_COURTS:
        raise CaseNumberError(
            "case_number.type_code",
            _("The case type code (such as 行初, 民终 or 执) is missing after the court code."),
        )
    specialised = ""
    if run in CASE_TYPES:
        type_code = run
    elif run[0] in SPECIALISED_COURTS and run[1:] in CASE_TYPES:
        specialised, type_code = run[0], run[1:]
    elif run[0] in _TYPE_STARTS or (run[0] in SPECIALISED_COURTS and len(run) > 1):
        raise CaseNumberError(
            "case_number.type_code",
            _("%(found)s is not a known case type code (such as 行初, 民终 or 执).")
            % {"found": run[1:] if run[0] in SPECIALISED_COURTS else run},
        )
    else:
        raise CaseNumberError(
            "case_number.type_code",
            _(
                "%(found)s after the court code is neither a specialised-court character "
                "(知, 金, 海 …) nor the start of a case type code (such as 行初)."
            )
            % {"found": run[0] if run[1:] in CASE_TYPES else run},
        )
    position += len(run)

    sequence, position = _parse_sequence(rest, position, legacy=False)
    kind, instance, _label = CASE_TYPES[type_code]
    return CaseNumber(
        normalized=f"（{year}）{court_code}{specialised}{type_code}{sequence}号",
        year=year,
        court_code=court_code,
        province=province,
        court_division=court_division,
        specialised=specialised,
        type_code=type_code,
        sequence=sequence,
        kind=kind,
        instance=instance,
        court_level=level,
    )


def _parse_sequence(rest: str, position: int, *, legacy: bool) -> tuple[int, int]:
    """Digits then 号 then nothing; returns (sequence, position after the digits)."""
    digits_match = _DIGITS.match(rest, position)
    digits = digits_match.group() if digits_match else ""
    if not digits:
        raise CaseNumberError(
            "case_number.sequence",
            _("The sequence number before 号 is missing, like the 12 in …行初12号."),
        )
    if int(digits) == 0:
        raise CaseNumberError(
            "case_number.sequence", _("The sequence number must be a positive whole number.")
        )
    if digits[0] == "0" and not legacy:
        raise CaseNumberError(
            "case_number.leading_zero",
            _("The sequence number %(found)s must not begin with 0; write %(fixed)s.")
            % {"found": digits, "fixed": str(int(digits))},
        )
    after = position + len(digits)
    tail = rest[after:]
    if not tail:
        raise CaseNumberError("case_number.suffix", _("The case number must end with 号."))
    if tail[0] != "号":
        if "号" in tail:
            raise CaseNumberError(
                "case_number.sequence",
                _("The sequence number must be digits only; found %(found)s.")
                % {"found": digits + tail[: tail.index("号")]},
            )
        raise CaseNumberError("case_number.suffix", _("The case number must end with 号."))
    if len(tail) > 1:
        raise CaseNumberError(
            "case_number.trailing",
            _("Nothing may follow 号; found %(found)s.") % {"found": tail[1:]},
        )
    return int(digits), after


def _parse_legacy(year: int, rest: str) -> CaseNumber:
    """Pre-2016: court abbreviation + type characters + 字第 + sequence + 号."""
    index = rest.index("字")
    body, after = rest[:index], rest[index + 1 :]
    if any(char.isdigit() for char in body):
        raise CaseNumberError(
            "case_number.legacy",
            _(
                "字第 belongs to the pre-2016 form (like （2014）深中法商终字第1012号), which has "
                "no court code digits; since 2016 write it like （2022）豫17行初12号."
            ),
        )
    start = next((i for i, char in enumerate(body) if char in _LEGACY_TYPE_STARTS), None)
    if start is None:
        raise CaseNumberError(
            "case_number.type_code",
            _(
                "The case type (such as 行初 or 商终) is missing before 字第; the pre-2016 form "
                "is like （2014）深中法商终字第1012号."
            ),
        )
    court, type_part = body[:start], body[start:]
    position = 1 if after.startswith("第") else 0
    sequence, digits_end = _parse_sequence(after, position, legacy=True)
    digits = after[position:digits_end]
    kind: CaseKind = next(
        (_LEGACY_KINDS[char] for char in type_part if char in _LEGACY_KINDS), "other"
    )
    instance: CaseInstance = next(
        (inst for char, inst in _LEGACY_INSTANCES if char in type_part), "other"
    )
    if kind == "enforcement":
        instance = "enforcement"
    elif kind == "administrative" and instance == "other" and "审" in type_part:
        instance = "non_litigation"
    level: CourtLevel = "supreme" if court in ("", SUPREME_COURT) else ""
    return CaseNumber(
        normalized=f"（{year}）{court}{type_part}字第{digits}号",
        year=year,
        court_code="",
        province="",
        court_division="",
        specialised="",
        type_code="",
        sequence=sequence,
        kind=kind,
        instance=instance,
        court_level=level,
        legacy=True,
        legacy_court=court,
        legacy_type=type_part,
    )
