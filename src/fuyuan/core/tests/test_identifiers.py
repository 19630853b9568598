"""Credit codes: structural errors refused with a code, a bad check character only warns."""

import pytest

from fuyuan.core.identifiers import (
    IdentifierError,
    organisation_code_check,
    parse_court_code,
    parse_credit_code,
)


def test_valid_credit_code_is_accepted_without_warnings():
    code = parse_credit_code(" 91350100m000100y43 ")
    assert code.value == "91350100M000100Y43"
    assert code.check_ok
    assert code.division_code == "350100"


def test_government_body_code_is_recognised():
    code = parse_credit_code("11330109002514937D")
    assert code.check_ok
    assert code.is_government_body


def test_wrong_check_character_is_a_warning_not_an_error():
    code = parse_credit_code("91350100M000100Y4Z")
    assert not code.check_ok
    assert [w.code for w in code.warnings] == ["uscc.checksum"]


@pytest.mark.parametrize(
    ("raw", "error_code"),
    [
        ("", "uscc.empty"),
        ("91350100M000100Y4", "uscc.length"),
        ("9135010OM000100Y43", "uscc.charset"),
        ("9135010IM000100Y43", "uscc.charset"),
        ("Z1350100M000100Y43", "uscc.charset"),
        ("91350100M0001-0Y43", "uscc.length"),
        ("B1350100M000100Y43", "uscc.authority"),
        ("9135A100M000100Y43", "uscc.division"),
    ],
)
def test_structural_errors_are_refused_with_a_code(raw, error_code):
    with pytest.raises(IdentifierError) as exc:
        parse_credit_code(raw)
    assert exc.value.code == error_code
    assert exc.value.message


def test_error_message_is_chinese_by_default():
    with pytest.raises(IdentifierError) as exc:
        parse_credit_code("123")
    assert "统一社会信用代码" in exc.value.message


def test_organisation_code_check_matches_published_example():
    # The organisation code inside the GB 32100 example 91350100M000100Y43 is M000100Y4.
    assert organisation_code_check("M000100Y") == "4"


@pytest.mark.parametrize("raw", ["豫17", "豫1702", "豫", "最高法"])
def test_court_codes_accepted(raw):
    assert parse_court_code(raw) == raw


@pytest.mark.parametrize("raw", ["豫170", "17", "豫17a", ""])
def test_bad_court_codes_refused(raw):
    with pytest.raises(IdentifierError) as exc:
        parse_court_code(raw)
    assert exc.value.code == "court_code.format"
