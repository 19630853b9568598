"""Identity documents of parties in court data (DOMAIN.md §5): resident ID numbers are checked
for length, digits, a real birth date and a division code known in ANY year; a bad check
character only warns; masked values are checked as far as they are visible."""

import datetime

import pytest
import time_machine
from stdnum.cn import ric, uscc

from fuyuan.core.identifiers import (
    ID_TYPES,
    IdentifierError,
    PartyIdentifier,
    division_known,
    organisation_code_check,
    parse_party_identifier,
    resident_id_check_char,
)
from fuyuan.core.masking import mask_identifier

TODAY = datetime.date(2025, 6, 16)


def resident_id(first17: str) -> str:
    """A resident ID number with its check character computed by python-stdnum (independent
    of the code under test)."""
    assert len(first17) == 17
    return first17 + ric.calc_check_digit(first17 + "0")


def wrong_check(number: str) -> str:
    return number[:17] + ("1" if number[17] != "1" else "2")


def parse(raw: str, id_type: str | None = None, **kwargs: object) -> PartyIdentifier:
    return parse_party_identifier(raw, id_type, today=TODAY, **kwargs)  # type: ignore[arg-type]


def first_with_x_check() -> str:
    for seq in range(1000):
        first17 = f"41170219900315{seq:03d}"
        if resident_id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence gives X")


# --- the values of enforcement.models.IdType -------------------------------------------------


def test_id_types_are_exactly_the_values_of_the_enforcement_model():
    from fuyuan.enforcement.models import IdType  # test only: core itself imports no app

    assert set(ID_TYPES) == set(IdType.values)


def test_check_character_agrees_with_stdnum():
    for first17 in ("11010119850101123", "41170219750315123", "44030520010228456"):
        assert resident_id_check_char(first17) == ric.calc_check_digit(first17 + "0")


# --- valid values ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["1975", "1990"])
def test_zhumadian_number_of_someone_born_before_2000_is_valid(year):
    number = resident_id(f"411702{year}0315123")
    assert not ric.is_valid(number)  # the reason DOMAIN.md warns against stdnum's is_valid
    parsed = parse(number)
    assert parsed.id_type == "resident_id"
    assert parsed.value == number
    assert parsed.warnings == ()
    assert parsed.birth_date == datetime.date(int(year), 3, 15)
    assert parsed.division_code == "411702"
    assert parsed.sex == "男"


@pytest.mark.parametrize(
    ("first17", "sex"),
    [
        ("11010119850101124", "女"),  # 北京 东城区
        ("31010419671231001", "男"),  # 上海 徐汇区
        ("44030520010228456", "女"),  # 深圳 南山区
        ("51010719990909013", "男"),  # 成都 武侯区
        ("65010219500601022", "女"),  # 乌鲁木齐 天山区
        ("41280119700101035", "男"),  # 驻马店地区 (4128xx before 2000)
        ("41172120050606998", "女"),  # 西平县, born after 2000
        ("81000019880808011", "男"),  # 香港居民居住证
        ("82000019920202020", "女"),  # 澳门居民居住证
        ("83000019770707031", "男"),  # 台湾居民居住证
    ],
)
def test_resident_ids_of_several_provinces_and_residence_permits_are_valid(first17, sex):
    number = resident_id(first17)
    parsed = parse(number, "resident_id")
    assert parsed.check_ok
    assert parsed.sex == sex
    assert parsed.division_code == first17[:6]
    assert parsed.birth_date == datetime.date(
        int(first17[6:10]), int(first17[10:12]), int(first17[12:14])
    )


def test_x_check_character_is_accepted_in_lower_case_and_full_width():
    number = first_with_x_check()
    assert parse(number).value == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:-1])
    parsed = parse(" " + full_width + "ｘ ")
    assert parsed.value == number
    assert parsed.check_ok


def test_spaces_inside_a_number_are_removed():
    number = resident_id("41170219900315123")
    assert parse(f"411702 19900315 {number[14:]}").value == number


def test_old_15_digit_number_is_valid_with_a_19xx_birth_date():
    parsed = parse("411721750315123")
    assert parsed.id_type == "resident_id_15"
    assert parsed.birth_date == datetime.date(1975, 3, 15)
    assert parsed.sex == "男"
    assert parsed.division_code == "411721"
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("raw", "id_type", "value"),
    [
        ("H12345678", "hk_macao_permit", "H12345678"),
        ("m1234567801", "hk_macao_permit", "M1234567801"),
        ("12345678", "taiwan_permit", "12345678"),
        ("E12345678", "passport", "E12345678"),
        ("EA1234567", "passport", "EA1234567"),
    ],
)
def test_permits_and_chinese_passports_are_detected(raw, id_type, value):
    parsed = parse(raw)
    assert (parsed.id_type, parsed.value, parsed.masked) == (id_type, value, False)


def test_taiwan_permit_of_the_old_format_is_valid_when_the_type_is_given():
    assert parse("1234567890（B）", "taiwan_permit").value == "1234567890(B)"


def test_foreign_passport_is_free_form_when_the_type_is_given():
    assert parse("c 01x00t47", "passport").value == "C01X00T47"
    assert parse("533380006", "passport").id_type == "passport"


def test_credit_codes_are_detected_and_parsed():
    code = parse("91350100M000100Y43")
    assert (code.id_type, code.value, code.warnings) == ("credit_code", "91350100M000100Y43", ())
    government = parse("１１３３０１０９００２５１４９３７Ｄ")
    assert government.id_type == "credit_code"
    assert government.value == "11330109002514937D"


def test_organisation_code_with_hyphen_or_without_is_detected():
    assert organisation_code_check("M000100Y") == "4"
    for raw in ("M000100Y-4", "M000100Y4"):
        parsed = parse(raw)
        assert (parsed.id_type, parsed.value, parsed.warnings) == (
            "organisation_code",
            "M000100Y4",
            (),
        )


def test_nine_characters_are_a_passport_for_a_person_and_an_organisation_code_otherwise():
    body = "G1234567"
    as_org = body + organisation_code_check(body)
    assert parse(as_org).id_type == "organisation_code"
    assert parse(as_org, name_is_person=True).id_type == "passport"
    wrong_org = body + ("0" if as_org[-1] != "0" else "1")
    assert parse(wrong_org).id_type == "passport"


def test_all_digit_value_is_a_resident_id_before_a_credit_code_unless_the_party_is_an_org():
    number = resident_id("41170219900315123")
    assert parse(number).id_type == "resident_id"
    assert parse(number, name_is_person=True).id_type == "resident_id"
    assert parse(number, name_is_person=False).id_type == "credit_code"


def test_all_digit_credit_code_whose_check_holds_is_a_credit_code():
    codes = (
        first17 + uscc.calc_check_digit(first17)
        for n in range(12345678, 12345778)
        for first17 in ["91411700" + str(n) + organisation_code_check(str(n))]
    )
    code = next(c for c in codes if c.isdigit())
    parsed = parse(code)
    assert (parsed.id_type, parsed.warnings) == ("credit_code", ())


def test_masked_value_of_an_organisation_is_read_as_a_credit_code():
    parsed = parse("9141****1234567890", name_is_person=False)
    assert (parsed.id_type, parsed.masked) == ("credit_code", True)


@pytest.mark.parametrize(
    ("raw", "birth_date", "sex", "division"),
    [
        ("4117021990****1234", None, "男", "411702"),  # the court's public list
        ("41170219******1234", None, "男", "411702"),
        ("411702********124X", None, "女", "411702"),  # our own display mask
        ("411702199003151***", datetime.date(1990, 3, 15), "", "411702"),
    ],
)
def test_masked_resident_ids_are_accepted_without_check_validation(raw, birth_date, sex, division):
    parsed = parse(raw)
    assert parsed.id_type == "resident_id"
    assert parsed.masked
    assert parsed.needs_confirmation
    assert parsed.warnings == ()
    assert (parsed.birth_date, parsed.sex, parsed.division_code) == (birth_date, sex, division)


def test_masked_values_of_other_types():
    assert parse("4117217503****3").id_type == "resident_id_15"
    assert parse("H1****678").id_type == "hk_macao_permit"
    assert parse("E1****678", "passport").masked
    masked_credit = parse("9135****M000100Y43")
    assert (masked_credit.id_type, masked_credit.masked) == ("credit_code", True)


def test_age_on_a_day():
    parsed = parse(resident_id("41170219900315123"))
    assert parsed.age_on(datetime.date(2025, 3, 14)) == 34
    assert parsed.age_on(datetime.date(2025, 3, 15)) == 35


def test_division_known_in_any_year():
    assert division_known("411702")  # from 2000
    assert division_known("412801")  # until 2000
    assert division_known("830000")
    assert not division_known("999999")
    assert not division_known("41")


@time_machine.travel(datetime.datetime(2025, 6, 16, 12, tzinfo=datetime.UTC), tick=False)
def test_default_today_is_the_local_date():
    assert parse_party_identifier(resident_id("41170220250616123")).birth_date == (
        datetime.date(2025, 6, 16)
    )
    with pytest.raises(IdentifierError) as exc:
        parse_party_identifier(resident_id("41170220250617123"))
    assert exc.value.code == "resident_id.birth_date"


# --- warnings --------------------------------------------------------------------------------


def test_bad_check_character_is_a_warning_not_an_error():
    number = wrong_check(resident_id("41170219900315123"))
    parsed = parse(number)
    assert parsed.id_type == "resident_id"
    assert [w.code for w in parsed.warnings] == ["resident_id.check"]
    assert "18" in parsed.warnings[0].message
    assert not parsed.check_ok
    assert parsed.needs_confirmation


def test_bad_check_characters_of_credit_and_organisation_codes_are_warnings():
    assert [w.code for w in parse("91350100M000100Y4Z").warnings] == ["uscc.checksum"]
    assert [w.code for w in parse("M000100Y-5").warnings] == ["organisation_code.check"]


# --- malformed values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "id_type", "code"),
    [
        ("", None, "identifier.empty"),
        ("   ", "resident_id", "identifier.empty"),
        ("41170219900315123", "resident_id", "resident_id.length"),
        ("4117021990031512345", "resident_id", "resident_id.length"),
        ("41170219900315A234", "resident_id", "resident_id.characters"),
        ("4117021990031512Y4", "resident_id", "resident_id.characters"),
        ("411702199013151234", "resident_id", "resident_id.birth_date"),  # month 13
        ("411702199002301234", "resident_id", "resident_id.birth_date"),  # 30 February
        ("411702189912311234", "resident_id", "resident_id.birth_date"),  # before 1900
        ("411702202507011234", "resident_id", "resident_id.birth_date"),  # in the future
        ("999999199003151234", "resident_id", "resident_id.division"),
        ("411799199003151234", None, "resident_id.division"),
        ("9999991990****1234", None, "resident_id.division"),
        ("4117021990****123", "resident_id", "resident_id.length"),
        ("4117021990**A*1234", "resident_id", "resident_id.characters"),
        ("4117021899****1234", "resident_id", "resident_id.birth_date"),  # visible year
        ("******************", None, "resident_id.masked"),
        ("41172175031512", "resident_id_15", "resident_id_15.length"),
        ("411721751315123", None, "resident_id_15.birth_date"),
        ("999999750315123", None, "resident_id_15.division"),
        ("41172175031512X", "resident_id_15", "resident_id_15.characters"),
        ("H1234567", "hk_macao_permit", "hk_macao_permit.format"),
        ("K12345678", "hk_macao_permit", "hk_macao_permit.format"),
        ("1234567", "taiwan_permit", "taiwan_permit.format"),
        ("E12", "passport", "passport.format"),
        ("9135010OM000100Y43", None, "uscc.charset"),
        ("B1350100M000100Y43", "credit_code", "uscc.authority"),
        ("M000100", "organisation_code", "organisation_code.length"),
        ("M000100Y-A", "organisation_code", "organisation_code.characters"),
        ("ABC", None, "identifier.unknown"),
        ("41170219900315123", None, "identifier.unknown"),
        ("411702199003151234", "id_card", "identifier.id_type"),
    ],
)
def test_malformed_values_are_refused_with_a_code(raw, id_type, code):
    with pytest.raises(IdentifierError) as exc:
        parse(raw, id_type)
    assert exc.value.code == code
    assert exc.value.message


def test_error_message_names_the_wrong_part():
    with pytest.raises(IdentifierError) as exc:
        parse("999999199003151234", "resident_id")
    assert "999999" in exc.value.message
    with pytest.raises(IdentifierError) as exc:
        parse("411702199002301234", "resident_id")
    assert "19900230" in exc.value.message
    with pytest.raises(IdentifierError) as exc:
        parse("41170219900315A234", "resident_id")
    assert "15" in exc.value.message and "A" in exc.value.message


# --- masking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "id_type", "shown"),
    [
        ("411702199003151234", "resident_id", "411702********1234"),
        ("411721750315123", "resident_id_15", "411721*****5123"),
        ("H1234567801", "hk_macao_permit", "H1*******01"),
        ("12345678", "taiwan_permit", "12****78"),
        ("E12345678", "passport", "E1*****78"),
        ("X1234", "other", "X1*34"),
        ("91350100M000100Y43", "credit_code", "91350100M000100Y43"),
        ("M000100Y4", "organisation_code", "M000100Y4"),
        ("4117021990****1234", "resident_id", "4117021990****1234"),
        ("", "resident_id", ""),
    ],
)
def test_mask_identifier_by_type(value, id_type, shown):
    assert mask_identifier(value, id_type) == shown
