"""Identifiers parsed once at the edge into value objects with a clear message (DOMAIN.md §5).

Unified social credit code (GB 32100-2015): a structural error (length, character set,
division digits) is refused; a wrong check character alone is a warning that an authorised
user may override with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
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
