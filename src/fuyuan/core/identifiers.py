"""Identifiers parsed once at the edge into value objects with a clear message (DOMAIN.md §5).

Unified social credit code (GB 32100-2015): a structural error (length, character set,
division digits) is refused; a wrong check character alone is a warning that an authorised
user may override with a reason.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_CHARS = re.compile(f"^[{USCC_ALPHABET}]+$")
# Registration authority (position 1) and organisation type (position 2) as published.
_USCC_AUTHORITIES = set("123456789ANY")
# GB 11714 organisation code: 8 body characters (digits or capital letters) + check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class IdentifierError(ValueError):
    """A structural error: the value is refused. `code` is stable for tests and APIs."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class IdentifierWarning:
    code: str
    message: str


@dataclass(frozen=True)
class CreditCode:
    value: str
    warnings: tuple[IdentifierWarning, ...] = field(default=())

    @property
    def check_ok(self) -> bool:
        return not self.warnings

    @property
    def division_code(self) -> str:
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        return self.value[8:17]

    @property
    def is_government_body(self) -> bool:
        return self.value.startswith("11")

    def __str__(self) -> str:
        return self.value


def organisation_code_check(body: str) -> str:
    """Check character of a GB 11714 organisation code.

    Written here because python-stdnum has no GB 11714 module: weights 3 7 9 10 5 8 4 2,
    letters count as 10..35, check = 11 - sum mod 11 with 10 -> 'X' and 11 -> '0'.
    """
    total = 0
    for char, weight in zip(body, _ORG_WEIGHTS, strict=True):
        value = int(char) if char.isdigit() else ord(char) - ord("A") + 10
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize_credit_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()


def parse_credit_code(raw: str) -> CreditCode:
    """Parse a credit code; raise IdentifierError for structural errors, and return warnings for
    a wrong check character (GB 32100) or a wrong organisation-code check (GB 11714)."""
    value = normalize_credit_code(raw)
    if not value:
        raise IdentifierError("uscc.empty", str(_("Enter the unified social credit code.")))
    if len(value) != 18:
        raise IdentifierError(
            "uscc.length",
            str(_("A unified social credit code has 18 characters; this one has %(n)d."))
            % {"n": len(value)},
        )
    # The 18th character is judged by the check below: a wrong one (even one outside the
    # alphabet) is "a wrong check character alone", a warning that can be overridden.
    if not _USCC_CHARS.match(value[:17]):
        bad = "".join(sorted({c for c in value[:17] if c not in USCC_ALPHABET}))
        raise IdentifierError(
            "uscc.charset",
            str(
                _(
                    "A unified social credit code may contain only digits and the capital "
                    "letters A-H J-N P Q R T U W X Y (no I, O, S, V, Z); found: %(bad)s."
                )
            )
            % {"bad": bad},
        )
    if value[0] not in _USCC_AUTHORITIES:
        raise IdentifierError(
            "uscc.authority",
            str(_("The first character (registration authority) %(c)s is not a known code."))
            % {"c": value[0]},
        )
    if not value[2:8].isdigit():
        raise IdentifierError(
            "uscc.division",
            str(_("Characters 3 to 8 must be the six digits of an administrative division code.")),
        )
    warnings: list[IdentifierWarning] = []
    if uscc.calc_check_digit(value[:17]) != value[17]:
        warnings.append(
            IdentifierWarning(
                "uscc.checksum",
                str(
                    _(
                        "The check character (the 18th) does not match: %(expected)s was "
                        "expected. Some early codes are real nevertheless; confirm with a reason."
                    )
                )
                % {"expected": uscc.calc_check_digit(value[:17])},
            )
        )
    else:
        org = value[8:17]
        if re.fullmatch(r"[0-9A-Z]{8}[0-9X]", org) and organisation_code_check(org[:8]) != org[8]:
            warnings.append(
                IdentifierWarning(
                    "uscc.org_checksum",
                    str(
                        _(
                            "Characters 9 to 17 (the organisation code) fail their own check "
                            "(GB 11714). Confirm with a reason if the code is right."
                        )
                    ),
                )
            )
    return CreditCode(value=value, warnings=tuple(warnings))


_COURT_CODE = re.compile(r"^[\u4e00-\u9fa5](\d{2}|\d{4})?$")


def parse_court_code(raw: str) -> str:
    """Court code of a case number: province abbreviation + 0, 2 or 4 digits (豫, 豫17, 豫1702)."""
    value = (raw or "").strip()
    if value == "最高法":
        return value
    if not _COURT_CODE.match(value):
        raise IdentifierError(
            "court_code.format",
            str(
                _(
                    "A court code is the province abbreviation followed by 2 digits "
                    "(intermediate court) or 4 digits (basic court), e.g. 豫17 or 豫1702."
                )
            ),
        )
    return value


# ---------------------------------------------------------------------------------------------
# Identity documents of parties in court data (DOMAIN.md §5): resident ID numbers (18 and old
# 15 digits), Hong Kong / Macao / Taiwan permits, passports, credit and organisation codes.
#
# Core imports nothing of the project, so the document types are plain strings here; they are
# exactly the values of `enforcement.models.IdType` (a test keeps the two in step).
# ---------------------------------------------------------------------------------------------

RESIDENT_ID = "resident_id"
RESIDENT_ID_15 = "resident_id_15"
HK_MACAO_PERMIT = "hk_macao_permit"
TAIWAN_PERMIT = "taiwan_permit"
PASSPORT = "passport"
CREDIT_CODE = "credit_code"
ORGANISATION_CODE = "organisation_code"
OTHER = "other"
ID_TYPES: tuple[str, ...] = (
    RESIDENT_ID,
    RESIDENT_ID_15,
    HK_MACAO_PERMIT,
    TAIWAN_PERMIT,
    PASSPORT,
    CREDIT_CODE,
    ORGANISATION_CODE,
    OTHER,
)
PERSONAL_ID_TYPES = frozenset(
    {RESIDENT_ID, RESIDENT_ID_15, HK_MACAO_PERMIT, TAIWAN_PERMIT, PASSPORT}
)
ORGANISATION_ID_TYPES = frozenset({CREDIT_CODE, ORGANISATION_CODE})

MALE = "男"
FEMALE = "女"
MASK_CHAR = "*"

# Division codes used in numbers although python-stdnum's table (GB/T 2260 as published on
# Wikipedia) lacks them: 830000 is the prefix of the residence permits of Taiwan residents
# (港澳台居民居住证, 810000 / 820000 are in the table); 411771 is the statistical code of
# Zhumadian's economic development zone (DOMAIN.md §5).
_EXTRA_DIVISIONS = frozenset({"830000", "411771"})
_MOD11_2_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_FIRST_BIRTH_YEAR = 1900
_HK_MACAO = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN_DETECT = re.compile(r"^\d{8}$")
_TAIWAN = re.compile(r"^(\d{8}|\d{10})(\([A-Z]\))?$")
_CN_PASSPORT = re.compile(r"^([EGPSD]\d{8}|E[A-Z]\d{7}|[A-Z]{1,2}\d{7,8})$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_OTHER_MAX = 64


@dataclass(frozen=True)
class PartyIdentifier:
    """An identity document number parsed once at the edge.

    `value` is normalised (no spaces or hyphens, upper case, full-width characters converted);
    `masked` says it contains `*` as on the court's public list: such a value cannot be matched
    exactly (a match on it needs confirmation). `warnings` (e.g. a bad check character) mark an
    imported row "to confirm". `birth_date`, `sex` and `division_code` are filled for resident
    ID numbers as far as they are visible.
    """

    id_type: str
    value: str
    masked: bool = False
    warnings: tuple[IdentifierWarning, ...] = field(default=())
    birth_date: date | None = None
    sex: str = ""
    division_code: str = ""

    @property
    def check_ok(self) -> bool:
        return not self.warnings

    @property
    def needs_confirmation(self) -> bool:
        """A warning or a masked value: the identifier cannot be relied on without a look."""
        return self.masked or bool(self.warnings)

    @property
    def is_personal(self) -> bool:
        return self.id_type in PERSONAL_ID_TYPES

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    def __str__(self) -> str:
        return self.value


_SPACES = re.compile(r"\s+")


def normalize_identifier(raw: str | None) -> str:
    """Full-width digits, letters, brackets and stars converted (NFKC); whitespace removed; upper
    case. Hyphens stay: each document type decides (see `parse_party_identifier`)."""
    value = raw or ""
    if not value.isascii():  # NFKC leaves ASCII as it is: skip it for the usual number
        value = unicodedata.normalize("NFKC", value)
    return _SPACES.sub("", value).upper()


@lru_cache(maxsize=4096)
def division_known(code: str) -> bool:
    """True when `code` is a 6-digit division code that existed in ANY year (GB/T 2260).

    Unlike `stdnum.cn.ric`, the holder's birth date does not matter: the code is the place of
    household registration when the card was issued (Zhumadian's 4117xx codes date from 2000).
    """
    if len(code) != 6 or not code.isdigit():
        return False
    if code in _EXTRA_DIVISIONS:
        return True
    from stdnum import numdb

    results = numdb.get("cn/loc").info(code)
    return any("county" in props for _part, props in results)


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (`X` for 10)."""
    if len(first17) == len(_MOD11_2_WEIGHTS):
        total = sum(map(operator.mul, map(int, first17), _MOD11_2_WEIGHTS))
    else:  # zip(strict=True) names the mismatch
        total = sum(int(c) * w for c, w in zip(first17, _MOD11_2_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _visible(part: str) -> bool:
    return MASK_CHAR not in part


def _sex(digit: str) -> str:
    if not digit.isdigit():
        return ""
    return MALE if int(digit) % 2 else FEMALE


_BIRTH_DATE_POSITIONS = {
    RESIDENT_ID: gettext_lazy("characters 7 to 14"),
    RESIDENT_ID_15: gettext_lazy("characters 7 to 12"),
}


def _birth_date(
    prefix: str, year: str, month: str, day: str, today: date, masked: bool
) -> date | None:
    """The birth date from its parts; a masked part is skipped, a visible one is checked."""
    # Messages are built only when a number is refused: a batch of 100,000 valid numbers
    # must not translate 100,000 labels.
    positions = _BIRTH_DATE_POSITIONS[prefix]
    shown = f"{year}{month}{day}"

    def refuse(message: str) -> IdentifierError:
        return IdentifierError(
            f"{prefix}.birth_date",
            message % {"part": str(positions), "date": shown, "today": today.isoformat()},
        )

    if _visible(year) and not _FIRST_BIRTH_YEAR <= int(year) <= today.year:
        raise refuse(
            str(_("The birth year in %(part)s (%(date)s) must be between 1900 and this year."))
        )
    if _visible(month) and not 1 <= int(month) <= 12:
        raise refuse(str(_("The birth month in %(part)s (%(date)s) is not a month.")))
    if _visible(day) and not 1 <= int(day) <= 31:
        raise refuse(str(_("The birth day in %(part)s (%(date)s) is not a day of a month.")))
    if masked and not _visible(shown):
        return None
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        raise refuse(str(_("The birth date in %(part)s (%(date)s) is not a real date."))) from None
    if born > today:
        raise refuse(str(_("The birth date in %(part)s (%(date)s) is in the future.")))
    return born


@lru_cache(maxsize=64)
def _characters_pattern(pattern: str, last: str | None) -> re.Pattern[str]:
    """A whole value of which each character is `*` or matches `pattern` (the last one `last`
    when given): the per-character rule of `_check_characters` as one expression."""
    star = re.escape(MASK_CHAR)
    body = f"(?:{star}|{pattern})*"
    return re.compile(body if last is None else f"{body}(?:{star}|{last})")


def _check_characters(
    prefix: str, value: str, pattern: str, label: str | Promise, last: str | None = None
) -> None:
    """Each visible character of a (possibly masked) value must match `pattern` (the last one
    `last` when given); a value masked entirely is refused: nothing of it can be checked."""
    # One match of the whole value (precompiled per pattern); the character-by-character
    # walk runs only for a value that fails it, to name the first character refused.
    if not _characters_pattern(pattern, last).fullmatch(value):
        for pos, char in enumerate(value, start=1):
            allowed = last if last is not None and pos == len(value) else pattern
            if char != MASK_CHAR and not re.fullmatch(allowed, char):
                raise IdentifierError(
                    f"{prefix}.characters",
                    str(_("Character %(pos)d (%(char)s) is not allowed: %(label)s."))
                    % {"pos": pos, "char": char, "label": str(label)},
                )
    if not value.strip(MASK_CHAR):
        raise IdentifierError(
            f"{prefix}.masked",
            str(_("Every character is masked: nothing of the number can be checked.")),
        )


_RESIDENT_ID_LABEL = gettext_lazy("a resident ID number is 17 digits followed by a digit or X")
_RESIDENT_ID_15_LABEL = gettext_lazy("an old resident ID number has only digits")


def _parse_resident_id(value: str, masked: bool, today: date) -> PartyIdentifier:
    if len(value) != 18:
        raise IdentifierError(
            "resident_id.length",
            str(_("A resident ID number has 18 characters; this one has %(n)d."))
            % {"n": len(value)},
        )
    _check_characters("resident_id", value, r"\d", _RESIDENT_ID_LABEL, last=r"[\dX]")
    division = value[:6]
    if _visible(division) and not division_known(division):
        raise IdentifierError(
            "resident_id.division",
            str(
                _(
                    "The first 6 digits (%(code)s) are not an administrative division code "
                    "known in any year."
                )
            )
            % {"code": division},
        )
    born = _birth_date(RESIDENT_ID, value[6:10], value[10:12], value[12:14], today, masked)
    warnings: list[IdentifierWarning] = []
    if not masked:
        expected = resident_id_check_char(value[:17])
        if expected != value[17]:
            warnings.append(
                IdentifierWarning(
                    "resident_id.check",
                    str(
                        _(
                            "The check character (the 18th, %(found)s) does not match: "
                            "%(expected)s was expected. Confirm the number with a reason."
                        )
                    )
                    % {"found": value[17], "expected": expected},
                )
            )
    return PartyIdentifier(
        id_type=RESIDENT_ID,
        value=value,
        masked=masked,
        warnings=tuple(warnings),
        birth_date=born,
        sex=_sex(value[16]),
        division_code=division if _visible(division) else "",
    )


def _parse_resident_id_15(value: str, masked: bool, today: date) -> PartyIdentifier:
    if len(value) != 15:
        raise IdentifierError(
            "resident_id_15.length",
            str(_("An old resident ID number has 15 digits; this one has %(n)d characters."))
            % {"n": len(value)},
        )
    _check_characters("resident_id_15", value, r"\d", _RESIDENT_ID_15_LABEL)
    division = value[:6]
    if _visible(division) and not division_known(division):
        raise IdentifierError(
            "resident_id_15.division",
            str(
                _(
                    "The first 6 digits (%(code)s) are not an administrative division code "
                    "known in any year."
                )
            )
            % {"code": division},
        )
    year = value[6:8]
    born = _birth_date(
        RESIDENT_ID_15,
        f"19{year}" if _visible(year) else MASK_CHAR * 4,
        value[8:10],
        value[10:12],
        today,
        masked,
    )
    return PartyIdentifier(
        id_type=RESIDENT_ID_15,
        value=value,
        masked=masked,
        birth_date=born,
        sex=_sex(value[14]),
        division_code=division if _visible(division) else "",
    )


def _parse_credit(value: str, masked: bool) -> PartyIdentifier:
    if not masked:
        code = parse_credit_code(value)
        return PartyIdentifier(
            id_type=CREDIT_CODE,
            value=code.value,
            warnings=code.warnings,
            division_code=code.division_code,
        )
    value = value.replace("-", "")
    if len(value) != 18:
        raise IdentifierError(
            "uscc.length",
            str(_("A unified social credit code has 18 characters; this one has %(n)d."))
            % {"n": len(value)},
        )
    _check_characters(
        "uscc",
        value,
        f"[{USCC_ALPHABET}]",
        gettext_lazy("a credit code uses digits and capital letters other than I, O, S, V, Z"),
    )
    if value[0] != MASK_CHAR and value[0] not in _USCC_AUTHORITIES:
        raise IdentifierError(
            "uscc.authority",
            str(_("The first character (registration authority) %(c)s is not a known code."))
            % {"c": value[0]},
        )
    division = value[2:8]
    return PartyIdentifier(
        id_type=CREDIT_CODE,
        value=value,
        masked=True,
        division_code=division if _visible(division) else "",
    )


def _parse_organisation_code(value: str, masked: bool) -> PartyIdentifier:
    value = value.replace("-", "")
    if len(value) != 9:
        raise IdentifierError(
            "organisation_code.length",
            str(
                _(
                    "An organisation code has 9 characters (8 + check character, written "
                    "XXXXXXXX-X); this one has %(n)d."
                )
            )
            % {"n": len(value)},
        )
    label = gettext_lazy("an organisation code is 8 digits or capital letters and a digit or X")
    _check_characters("organisation_code", value, r"[0-9A-Z]", label, last=r"[0-9X]")
    warnings: list[IdentifierWarning] = []
    if not masked:
        expected = organisation_code_check(value[:8])
        if expected != value[8]:
            warnings.append(
                IdentifierWarning(
                    "organisation_code.check",
                    str(
                        _(
                            "The check character (the 9th, %(found)s) does not match: "
                            "%(expected)s was expected. Confirm the code with a reason."
                        )
                    )
                    % {"found": value[8], "expected": expected},
                )
            )
    return PartyIdentifier(
        id_type=ORGANISATION_CODE, value=value, masked=masked, warnings=tuple(warnings)
    )


def _parse_document(id_type: str, value: str, masked: bool) -> PartyIdentifier:
    """Permits and passports: the format only (they carry no check character)."""
    value = value.replace("-", "")
    formats = {
        HK_MACAO_PERMIT: (
            _HK_MACAO,
            9,
            11,
            _(
                "A Hong Kong / Macao permit number is H or M followed by 8 digits (or 10 "
                "digits with the issue count), e.g. H12345678."
            ),
        ),
        TAIWAN_PERMIT: (
            _TAIWAN,
            8,
            13,
            _(
                "A Taiwan permit number is 8 digits (older cards: 10 digits, sometimes with a "
                "letter in brackets)."
            ),
        ),
        PASSPORT: (
            _PASSPORT,
            5,
            20,
            _("A passport number is 5 to 20 letters and digits, e.g. E12345678."),
        ),
    }
    pattern, shortest, longest, message = formats[id_type]
    if masked:
        ok = shortest <= len(value) <= longest and bool(value.strip(MASK_CHAR))
        ok = ok and all(c == MASK_CHAR or c.isalnum() or c in "()" for c in value)
        if id_type == HK_MACAO_PERMIT and value[:1] not in ("H", "M", MASK_CHAR):
            ok = False
    else:
        ok = bool(pattern.match(value))
    if not ok:
        raise IdentifierError(f"{id_type}.format", str(message))
    return PartyIdentifier(id_type=id_type, value=value, masked=masked)


def _parse_other(value: str, masked: bool) -> PartyIdentifier:
    if len(value) > _OTHER_MAX:
        raise IdentifierError(
            "other.length",
            str(_("An identity document number has at most %(max)d characters."))
            % {"max": _OTHER_MAX},
        )
    return PartyIdentifier(id_type=OTHER, value=value, masked=masked)


def _parse_as(id_type: str, value: str, masked: bool, today: date) -> PartyIdentifier:
    if id_type == RESIDENT_ID:
        return _parse_resident_id(value.replace("-", ""), masked, today)
    if id_type == RESIDENT_ID_15:
        return _parse_resident_id_15(value.replace("-", ""), masked, today)
    if id_type == CREDIT_CODE:
        return _parse_credit(value, masked)
    if id_type == ORGANISATION_CODE:
        return _parse_organisation_code(value, masked)
    if id_type == OTHER:
        return _parse_other(value, masked)
    return _parse_document(id_type, value, masked)


def _try(id_type: str, value: str, masked: bool, today: date) -> PartyIdentifier | None:
    try:
        return _parse_as(id_type, value, masked, today)
    except IdentifierError:
        return None


_RESIDENT_ID_SHAPE = re.compile(r"[\d*]{17}[\dX*]")


def _detect_18(
    value: str, masked: bool, name_is_person: bool | None, today: date
) -> PartyIdentifier:
    """Resident ID first. A value of 17 digits + digit/X is a credit code only when the party
    is known to be an organisation, or when it is no valid resident ID but a credit code whose
    check character holds; otherwise the resident ID's error is raised."""
    if not _RESIDENT_ID_SHAPE.fullmatch(value):
        return _parse_credit(value, masked)
    resident = _try(RESIDENT_ID, value, masked, today)
    if resident is not None and name_is_person is not False:
        return resident
    credit = _try(CREDIT_CODE, value, masked, today)
    if credit is not None and (name_is_person is False or not credit.needs_confirmation):
        return credit
    if resident is not None:
        return resident
    if name_is_person is False:
        return _parse_credit(value, masked)  # raises the credit code's error
    return _parse_resident_id(value, masked, today)  # raises the resident ID's error


def _detect_9(
    value: str, masked: bool, name_is_person: bool | None, today: date
) -> PartyIdentifier:
    """9 characters: H/M permit, Chinese passport or organisation code."""
    permit_shaped = bool(_HK_MACAO.match(value) or re.fullmatch(r"[HM][\d*]{8}", value))
    if name_is_person is not False and permit_shaped:
        return _parse_document(HK_MACAO_PERMIT, value, masked)
    if masked:
        if name_is_person is True and value[0].isalpha():
            return _parse_document(PASSPORT, value, masked)
        return _parse_organisation_code(value, masked)
    if _CN_PASSPORT.match(value):
        org = _try(ORGANISATION_CODE, value, masked, today)
        if name_is_person is True or org is None or org.warnings:
            return _parse_document(PASSPORT, value, masked)
        return org
    return _parse_organisation_code(value, masked)


def _detect(value: str, masked: bool, name_is_person: bool | None, today: date) -> PartyIdentifier:
    compact = value.replace("-", "")
    if "-" in value and len(compact) == 9:
        return _parse_organisation_code(compact, masked)
    if len(compact) == 18:
        return _detect_18(compact, masked, name_is_person, today)
    if len(compact) == 15 and re.fullmatch(r"[\d*]{15}", compact):
        return _parse_resident_id_15(compact, masked, today)
    if len(compact) == 9:
        return _detect_9(compact, masked, name_is_person, today)
    if _HK_MACAO.match(compact) or (masked and compact[:1] in "HM" and len(compact) in (9, 11)):
        return _parse_document(HK_MACAO_PERMIT, compact, masked)
    if _TAIWAN_DETECT.match(compact) or (masked and re.fullmatch(r"[\d*]{8}", compact)):
        return _parse_document(TAIWAN_PERMIT, compact, masked)
    if not masked and _CN_PASSPORT.match(compact):
        return _parse_document(PASSPORT, compact, masked)
    raise IdentifierError(
        "identifier.unknown",
        str(
            _(
                "The document type of this number (%(n)d characters) cannot be recognised; "
                "choose the document type."
            )
        )
        % {"n": len(value)},
    )


def parse_party_identifier(
    raw: str | None,
    id_type: str | None = None,
    *,
    name_is_person: bool | None = None,
    today: date | None = None,
) -> PartyIdentifier:
    """Parse the identity document number of a party in court data.

    `id_type` is one of `ID_TYPES` (= `enforcement.models.IdType` values); when None the type
    is detected from the shape: 18 digits (+X) → resident ID (before a credit code), 15 digits →
    old resident ID, 18 credit-code characters → credit code, `XXXXXXXX-X` / 9 characters →
    organisation code (or a Chinese passport when the party is a person or the organisation
    code's check fails), H/M + 8 (+2) digits → Hong Kong / Macao permit, 8 digits → Taiwan
    permit, letter(s) + 7–8 digits → passport. Foreign passports and "other" documents are
    free-form: they need `id_type`. `name_is_person` (when known) breaks ties between a
    personal document and an organisation code.

    Structural errors raise `IdentifierError` (code `<type>.<part>`); a bad check character is
    only a warning (the row is "to confirm"). A value containing `*` (masked as on the court's
    public list) is checked as far as it is visible, without check-character validation.
    Resident IDs of Hong Kong / Macao / Taiwan residents' residence permits (810000 / 820000 /
    830000) stay resident IDs.
    """
    value = normalize_identifier(raw)
    if not value:
        raise IdentifierError("identifier.empty", str(_("Enter the identity document number.")))
    masked = MASK_CHAR in value
    day = today or _today()
    if id_type is None or id_type == "":
        return _detect(value, masked, name_is_person, day)
    id_type = str(id_type)
    if id_type not in ID_TYPES:
        raise IdentifierError(
            "identifier.id_type",
            str(_("%(type)s is not a known identity document type.")) % {"type": id_type},
        )
    return _parse_as(id_type, value, masked, day)
