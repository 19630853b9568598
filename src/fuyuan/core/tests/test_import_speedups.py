"""The importer's fast paths give what the plain paths give: one expression for the characters
of a document number, parsed texts reused for pure parsers only, encryption of many values."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.utils import translation

from fuyuan.core import crypto, identifiers, importing
from fuyuan.core.identifiers import IdentifierError, parse_party_identifier
from fuyuan.core.models import ImportBatch

TODAY = datetime.date(2025, 6, 1)


# --- document numbers ----------------------------------------------------------------------------
def _walk(value: str, pattern: str, last: str | None) -> int | None:
    """The first refused position as the character-by-character rule sees it (None: all pass)."""
    for pos, char in enumerate(value, start=1):
        allowed = last if last is not None and pos == len(value) else pattern
        if char != "*" and not re.fullmatch(allowed, char):
            return pos
    return None


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "110105194912310021",
        "1101051949123100X1",
        "110105*****1234002X",
        "11010519491231002x",
        "ABC",
        "",
        "*" * 18,
        "1101051949123100٣X",  # an Arabic-Indic digit is a digit for \d
        "12345678-9",
        "1234567X9",
    ],
)
@pytest.mark.parametrize(
    ("pattern", "last"),
    [(r"\d", r"[\dX]"), (r"\d", None), (r"[0-9A-Z]", r"[0-9X]"), (r"[0-9A-HJ-NPQRTUWXY]", None)],
)
def test_the_whole_value_expression_accepts_what_the_walk_accepts(
    value: str, pattern: str, last: str | None
) -> None:
    fast = bool(identifiers._characters_pattern(pattern, last).fullmatch(value))
    assert fast == ((bool(value) or last is None) and _walk(value, pattern, last) is None)
    try:
        with translation.override("en"):
            identifiers._check_characters("x", value, pattern, "label", last=last)
    except IdentifierError as exc:
        refused = _walk(value, pattern, last)
        if refused is None:
            assert exc.code == "x.masked"
        else:
            assert exc.code == "x.characters"
            assert f"Character {refused} ({value[refused - 1]})" in exc.message
    else:
        assert _walk(value, pattern, last) is None and value.strip("*")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1101051949123100A2", "resident_id.characters"),
        ("110105194912310021", None),  # a warning (check character), not an error
        ("１１０１０５１９４９１２３１００２Ｘ", None),  # full width: NFKC first
        (" 11010519491231002x ", None),
        ("******************", "resident_id.masked"),
    ],
)
def test_resident_id_numbers_parse_as_before(raw: str, code: str | None) -> None:
    if code is None:
        parsed = parse_party_identifier(raw, identifiers.RESIDENT_ID, today=TODAY)
        assert parsed.value.isascii() and len(parsed.value) == 18
    else:
        with pytest.raises(IdentifierError) as caught:
            parse_party_identifier(raw, identifiers.RESIDENT_ID, today=TODAY)
        assert caught.value.code == code


def test_the_check_character_of_a_wrong_length_is_still_refused() -> None:
    assert identifiers.resident_id_check_char("11010519491231002") == "X"
    with pytest.raises(ValueError):
        identifiers.resident_id_check_char("1101051949123100")


# --- encryption of many values -------------------------------------------------------------------
def test_encrypt_many_gives_each_value_its_own_nonce_and_decrypts() -> None:
    values = ["11010519491231002X"] * 3 + ["", "张三"]
    tokens = crypto.encrypt_many(values)
    assert [crypto.decrypt(t) for t in tokens] == values
    assert len(set(tokens)) == len(tokens)
    assert len({t.rsplit(":", 1)[1][:16] for t in tokens}) == len(tokens)  # nonces differ
    assert crypto.encrypt_many([]) == []


def test_encrypt_many_falls_back_to_encrypt_for_another_provider(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    class Plain:
        def encrypt(self, plaintext: str) -> str:
            return f"plain:{plaintext}"

    monkeypatch.setattr(crypto, "get_provider", lambda: Plain())
    assert crypto.encrypt_many(["a", "b"]) == ["plain:a", "plain:b"]


# --- parsed texts reused -------------------------------------------------------------------------
def _run(feed: importing.Feed, text: str) -> list[importing.Row]:
    context = importing.Context(batch=ImportBatch(feed="test"), actor=None)
    with importing.open_table(io.BytesIO(text.encode()), "rows.csv") as table:
        return list(importing._Run(feed, context, table).rows())


def test_a_pure_parser_parses_each_text_once_and_errors_every_time() -> None:
    calls: list[tuple[str, str]] = []

    @importing.pure_parser
    def pure(text: str) -> int:
        calls.append(("pure", text))
        if text == "bad":
            raise importing.CellError("t.bad", "bad")
        return len(text)

    def plain(text: str) -> int:
        calls.append(("plain", text))
        return len(text)

    class TwoColumns(importing.Feed):
        name = "test.speedups"
        columns = (
            importing.Column("a", "A", parse=pure),
            importing.Column("b", "B", parse=plain),
            importing.Column("d", "D", parse=importing.parse_date),
        )

        def row_key(self, values: dict[str, Any]) -> str:
            return ""

    rows = _run(TwoColumns(), "a,b,d\nxx,yy,2024-03-01\nxx,yy,2024-03-01\nbad,yy,\nbad,yy,x\n")
    assert [r.values for r in rows[:2]] == [{"a": 2, "b": 2, "d": datetime.date(2024, 3, 1)}] * 2
    assert calls.count(("pure", "xx")) == 1
    assert calls.count(("plain", "yy")) == 4
    assert calls.count(("pure", "bad")) == 2
    importing._PURE_PARSERS.discard(pure)
    assert [[e.code for e in r.errors] for r in rows] == [
        [],
        [],
        ["t.bad"],
        ["t.bad", "import.date"],
    ]


def test_a_short_row_and_a_row_of_spaces_are_read_as_before() -> None:
    class OneColumn(importing.Feed):
        name = "test.speedups.short"
        columns = (
            importing.Column("a", "A", required=True),
            importing.Column("b", "B", max_length=3),
        )

        def row_key(self, values: dict[str, Any]) -> str:
            return str(values["a"])

    rows = _run(OneColumn(), "a,b\n x\u3000,\n \u3000, \xa0\nx\ny,long\n")
    assert [(r.number, r.values, r.status) for r in rows] == [
        (2, {"a": "x", "b": None}, "ok"),
        (4, {"a": "x", "b": None}, "duplicate"),
        (5, {"a": "y", "b": None}, "error"),
    ]
