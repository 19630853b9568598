"""Case numbers (案号): real-format numbers parse into their parts, malformed ones are refused
with a code naming the wrong part (DOMAIN.md §5)."""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest
from django.utils import translation

from fuyuan.core.case_numbers import (
    CASE_TYPES,
    PROVINCES,
    CaseNumberError,
    division_of,
    is_case_number,
    parse_case_number,
)
from fuyuan.core.identifiers import IdentifierError

TODAY = datetime.date(2026, 6, 1)

ADM, CIV, CRI, ENF, BKR = "administrative", "civil", "criminal", "enforcement", "bankruptcy"
COMP, SANC, OTH = "state_compensation", "judicial_sanction", "other"
FIRST, SECOND, REVIEW, RETRIAL = "first", "second", "retrial_review", "retrial"
NONLIT, ENFORCE, OTHER = "non_litigation", "enforcement", "other"
SUP, HIGH, MID, BASIC = "supreme", "high", "intermediate", "basic"

# raw, court_code, specialised, type_code, sequence, kind, instance, court_level
CURRENT = [
    # Zhumadian: the intermediate court and its basic courts (豫17, 豫17xx).
    ("（2022）豫17行初12号", "豫17", "", "行初", 12, ADM, FIRST, MID),
    ("(2023)豫1702行初45号", "豫1702", "", "行初", 45, ADM, FIRST, BASIC),
    ("（2021）豫1721民初3456号", "豫1721", "", "民初", 3456, CIV, FIRST, BASIC),
    ("（2020）豫1722执1234号", "豫1722", "", "执", 1234, ENF, ENFORCE, BASIC),
    ("（2023）豫1724行审56号", "豫1724", "", "行审", 56, ADM, NONLIT, BASIC),
    ("（2020）豫17法赔1号", "豫17", "", "法赔", 1, COMP, OTHER, MID),
    ("（2022）豫行终789号", "豫", "", "行终", 789, ADM, SECOND, HIGH),
    # Brackets and spacing as they come in exports and typed input.
    ("〔2022〕豫1729民申5号", "豫1729", "", "民申", 5, CIV, REVIEW, BASIC),
    ("[2021] 豫1728 民再 7 号", "豫1728", "", "民再", 7, CIV, RETRIAL, BASIC),
    ("（２０２２）豫１７行初１２号", "豫17", "", "行初", 12, ADM, FIRST, MID),
    ("  (2021）豫1727行初9号\u3000", "豫1727", "", "行初", 9, ADM, FIRST, BASIC),
    # Supreme People's Court, with and without the IP tribunal character.
    ("（2019）最高法行申1234号", "最高法", "", "行申", 1234, ADM, REVIEW, SUP),
    ("（2019）最高法知民终1号", "最高法", "知", "民终", 1, CIV, SECOND, SUP),
    ("（2020）最高法知行终12号", "最高法", "知", "行终", 12, ADM, SECOND, SUP),
    ("（2018）最高法委赔监12号", "最高法", "", "委赔监", 12, COMP, OTHER, SUP),
    # Specialised courts numbered like ordinary ones (IP, financial, maritime, internet).
    ("（2018）京73民初1234号", "京73", "", "民初", 1234, CIV, FIRST, MID),
    ("（2021）沪74民初123号", "沪74", "", "民初", 123, CIV, FIRST, MID),
    ("（2020）沪72民初456号", "沪72", "", "民初", 456, CIV, FIRST, MID),
    ("（2021）琼72民初34号", "琼72", "", "民初", 34, CIV, FIRST, MID),
    ("（2019）京0491民初12345号", "京0491", "", "民初", 12345, CIV, FIRST, BASIC),
    ("（2018）浙0192民初81号", "浙0192", "", "民初", 81, CIV, FIRST, BASIC),
    ("（2021）京73金民初3号", "京73", "金", "民初", 3, CIV, FIRST, MID),
    ("（2020）沪72海民初8号", "沪72", "海", "民初", 8, CIV, FIRST, MID),
    # Other provinces, the Corps courts (兵) and other case types.
    ("（2017）粤03民终5678号", "粤03", "", "民终", 5678, CIV, SECOND, MID),
    ("（2020）粤0305财保123号", "粤0305", "", "财保", 123, OTH, OTHER, BASIC),
    ("（2021）苏05刑终321号", "苏05", "", "刑终", 321, CRI, SECOND, MID),
    ("（2019）川01刑初88号", "川01", "", "刑初", 88, CRI, FIRST, MID),
    ("（2022）鲁02执恢56号", "鲁02", "", "执恢", 56, ENF, ENFORCE, MID),
    ("（2020）浙01破申10号", "浙01", "", "破申", 10, BKR, FIRST, MID),
    ("（2021）湘01破终3号", "湘01", "", "破终", 3, BKR, SECOND, MID),
    ("（2019）渝05强清12号", "渝05", "", "强清", 12, BKR, OTHER, MID),
    ("（2022）兵08民终123号", "兵08", "", "民终", 123, CIV, SECOND, MID),
    ("（2020）新01行赔初5号", "新01", "", "行赔初", 5, ADM, FIRST, MID),
    ("（2021）鄂01行审复2号", "鄂01", "", "行审复", 2, ADM, NONLIT, MID),
    ("（2019）陕01司惩1号", "陕01", "", "司惩", 1, SANC, OTHER, MID),
    ("（2021）甘01司救民3号", "甘01", "", "司救民", 3, OTH, OTHER, MID),
    ("（2020）粤03认港12号", "粤03", "", "认港", 12, OTH, OTHER, MID),
    ("（2019）沪01协外认8号", "沪01", "", "协外认", 8, OTH, OTHER, MID),
    ("（2020）黔02民辖终66号", "黔02", "", "民辖终", 66, CIV, OTHER, MID),
    ("（2022）京0105民特1234号", "京0105", "", "民特", 1234, CIV, OTHER, BASIC),
    ("（2019）藏01刑更5号", "藏01", "", "刑更", 5, CRI, OTHER, MID),
    ("（2022）津行抗2号", "津", "", "行抗", 2, ADM, REVIEW, HIGH),
    ("（2023）蒙04执异17号", "蒙04", "", "执异", 17, ENF, ENFORCE, MID),
    ("（2020）吉02执监9号", "吉02", "", "执监", 9, ENF, ENFORCE, MID),
    ("（2021）皖0104民督1号", "皖0104", "", "民督", 1, CIV, OTHER, BASIC),
    ("（2020）闽0203民催2号", "闽0203", "", "民催", 2, CIV, OTHER, BASIC),
    ("（2022）赣01刑再1号", "赣01", "", "刑再", 1, CRI, RETRIAL, MID),
    ("（2021）宁01刑申4号", "宁01", "", "刑申", 4, CRI, REVIEW, MID),
    ("（2020）青行再1号", "青", "", "行再", 1, ADM, RETRIAL, HIGH),
    ("（2019）桂01行辖3号", "桂01", "", "行辖", 3, ADM, OTHER, MID),
    ("（2023）冀01民撤2号", "冀01", "", "民撤", 2, CIV, FIRST, MID),
    ("（2016）晋行监1号", "晋", "", "行监", 1, ADM, REVIEW, HIGH),
]

# raw, legacy_court, legacy_type, sequence, kind, instance
LEGACY = [
    ("（2014）深中法商终字第1012号", "深中法", "商终", 1012, CIV, SECOND),
    ("（2013）驻行初字第00012号", "驻", "行初", 12, ADM, FIRST),
    ("(2012)西行初字第5号", "西", "行初", 5, ADM, FIRST),
    ("（2014）豫法行终字第12号", "豫法", "行终", 12, ADM, SECOND),
    ("（2013）民提字第125号", "", "民提", 125, CIV, RETRIAL),
    ("（2015）京知行初字第1号", "京", "知行初", 1, ADM, FIRST),
    ("（2010）一中民初字第1234号", "一中", "民初", 1234, CIV, FIRST),
    ("（2014）驻执字第345号", "驻", "执", 345, ENF, ENFORCE),
    ("（2011）豫法刑二终字第8号", "豫法", "刑二终", 8, CRI, SECOND),
    ("（2015） 行申字 第 321 号", "", "行申", 321, ADM, REVIEW),
    ("（2012）驻行审字第18号", "驻", "行审", 18, ADM, NONLIT),
    ("〔2014〕驻民一初字第7号", "驻", "民一初", 7, CIV, FIRST),
]

# Input that is not already canonical -> its normalized form (all others are canonical).
NORMALIZED = {
    "(2023)豫1702行初45号": "（2023）豫1702行初45号",
    "〔2022〕豫1729民申5号": "（2022）豫1729民申5号",
    "[2021] 豫1728 民再 7 号": "（2021）豫1728民再7号",
    "（２０２２）豫１７行初１２号": "（2022）豫17行初12号",
    "  (2021）豫1727行初9号\u3000": "（2021）豫1727行初9号",
    "(2012)西行初字第5号": "（2012）西行初字第5号",
    "（2015） 行申字 第 321 号": "（2015）行申字第321号",
    "〔2014〕驻民一初字第7号": "（2014）驻民一初字第7号",
}

MALFORMED = [
    ("", "case_number.empty"),
    (None, "case_number.empty"),
    (" \u3000 ", "case_number.empty"),
    ("2022豫17行初12号", "case_number.brackets"),
    ("（2022豫17行初12号", "case_number.brackets"),
    ("（22）豫17行初12号", "case_number.year"),
    ("（二〇二二）豫17行初12号", "case_number.year"),
    ("（1899）豫17行初12号", "case_number.year"),
    ("（2028）豫17行初12号", "case_number.year"),
    ("（2022）17行初12号", "case_number.court_code"),
    ("（2022）哈17行初12号", "case_number.province"),
    ("（2022）豫172行初12号", "case_number.court_digits"),
    ("（2022）豫17212行初12号", "case_number.court_digits"),
    ("（2022）最高法1行初12号", "case_number.court_digits"),
    ("（2022）豫17行X12号", "case_number.type_code"),
    ("（2022）豫1712号", "case_number.type_code"),
    ("（2022）豫17X民初12号", "case_number.type_code"),
    ("（2022）豫17知12号", "case_number.type_code"),
    ("（2022）豫17知民X12号", "case_number.type_code"),
    ("（2022）豫17行初号", "case_number.sequence"),
    ("（2022）豫17行初0号", "case_number.sequence"),
    ("（2022）豫17行初1a2号", "case_number.sequence"),
    ("（2022）豫17行初012号", "case_number.leading_zero"),
    ("（2022）豫17行初12", "case_number.suffix"),
    ("（2022）豫17行初12A", "case_number.suffix"),
    ("（2022）豫17行初12号之一", "case_number.trailing"),
    ("（2022）豫17行初12号号", "case_number.trailing"),
    ("（2022）豫17行初字第12号", "case_number.legacy"),
    ("（2014）深中法字第12号", "case_number.type_code"),
    ("（2014）深中法商终字第号", "case_number.sequence"),
    ("（2014）深中法商终字第12", "case_number.suffix"),
]


@pytest.mark.parametrize(
    ("raw", "court", "specialised", "type_code", "seq", "kind", "instance", "level"), CURRENT
)
def test_current_number_is_parsed_into_its_parts(  # type: ignore[no-untyped-def]
    raw, court, specialised, type_code, seq, kind, instance, level
):
    number = parse_case_number(raw, today=TODAY)
    normalized = NORMALIZED.get(raw, raw)
    assert number.normalized == normalized
    assert str(number) == normalized
    assert number.year == int(normalized[1:5])
    assert number.court_code == court
    assert number.province == ("" if court == "最高法" else court[0])
    assert number.court_division == ("" if court == "最高法" else court[1:])
    assert number.specialised == specialised
    assert number.type_code == type_code
    assert number.sequence == seq
    assert (number.kind, number.instance, number.court_level) == (kind, instance, level)
    assert not number.legacy
    assert number.legacy_court == number.legacy_type == ""


@pytest.mark.parametrize(("raw", "court", "type_part", "seq", "kind", "instance"), LEGACY)
def test_pre_2016_number_is_parsed_into_its_parts(  # type: ignore[no-untyped-def]
    raw, court, type_part, seq, kind, instance
):
    number = parse_case_number(raw, today=TODAY)
    assert number.legacy
    assert number.normalized == NORMALIZED.get(raw, raw)
    assert number.legacy_court == court
    assert number.legacy_type == type_part
    assert number.sequence == seq
    assert (number.kind, number.instance) == (kind, instance)
    assert number.court_code == number.type_code == number.court_division == ""


def test_legacy_court_level_is_supreme_only_without_abbreviation():
    assert parse_case_number("（2013）民提字第125号").court_level == "supreme"
    assert parse_case_number("（2014）深中法商终字第1012号").court_level == ""


@pytest.mark.parametrize("type_code", sorted(CASE_TYPES))
def test_every_supported_type_code_is_recognised(type_code: str) -> None:
    number = parse_case_number(f"（2022）豫1702{type_code}7号", today=TODAY)
    kind, instance, label = CASE_TYPES[type_code]
    assert number.type_code == type_code
    assert number.specialised == ""
    assert (number.kind, number.instance) == (kind, instance)
    assert number.normalized == f"（2022）豫1702{type_code}7号"
    assert str(number.type_label) == str(label) != ""


def test_longest_type_code_wins_over_its_prefixes():
    assert parse_case_number("（2020）豫17行赔初5号").type_code == "行赔初"
    assert parse_case_number("（2020）豫17行审复5号").type_code == "行审复"
    assert parse_case_number("（2020）豫17执恢5号").type_code == "执恢"
    assert parse_case_number("（2020）豫17民辖终5号").type_code == "民辖终"


def test_types_of_the_brief_are_all_in_the_table():
    brief = re.findall(
        r"\S+",
        "民初 民终 民申 民再 民特 民督 民辖 民催 民撤 民抗 行初 行终 行申 行再 行审 行审复 "
        "行赔初 行赔终 行辖 行抗 刑初 刑终 刑申 刑再 刑更 刑抗 执 执恢 执保 执异 执复 执监 "
        "执协 执他 破申 破 破终 强清 司惩 司惩复 赔 委赔 法赔 认台 认港 认澳",
    )
    assert set(brief) <= set(CASE_TYPES)


@pytest.mark.parametrize("province", sorted(PROVINCES))
def test_every_province_abbreviation_is_accepted(province: str) -> None:
    number = parse_case_number(f"（2022）{province}01民初1号", today=TODAY)
    assert number.province == province
    assert number.court_level == "intermediate"
    assert len(PROVINCES) == 32  # 31 mainland provinces + 兵


@pytest.mark.parametrize(("raw", "code"), MALFORMED)
def test_malformed_number_is_refused_naming_the_part(raw: str | None, code: str) -> None:
    with pytest.raises(CaseNumberError) as caught:
        parse_case_number(raw, today=TODAY)
    assert caught.value.code == code
    assert caught.value.message


def test_case_number_error_is_an_identifier_error():
    with pytest.raises(IdentifierError):
        parse_case_number("（2022）哈17行初12号")


def test_message_names_the_wrong_part_in_english():
    with translation.override("en"):
        with pytest.raises(CaseNumberError) as province:
            parse_case_number("（2022）哈17行初12号")
        with pytest.raises(CaseNumberError) as type_code:
            parse_case_number("（2022）豫17行X12号")
        with pytest.raises(CaseNumberError) as year:
            parse_case_number("（1899）豫17行初12号", today=TODAY)
    assert "哈" in province.value.message and "province" in province.value.message
    assert "行X" in type_code.value.message and "type code" in type_code.value.message
    assert "1899" in year.value.message and "1949" in year.value.message


def test_year_may_be_next_year_but_not_later():
    assert parse_case_number("（2027）豫17行初1号", today=TODAY).year == 2027
    assert parse_case_number("（1949）豫17行初1号", today=TODAY).year == 1949
    assert not is_case_number("（1948）豫17行初1号")
    with pytest.raises(CaseNumberError) as caught:
        parse_case_number("（2028）豫17行初1号", today=TODAY)
    assert caught.value.code == "case_number.year"


def test_normalized_form_parses_to_the_same_number():
    for raw, *_rest in CURRENT + LEGACY:
        number = parse_case_number(raw, today=TODAY)
        assert parse_case_number(number.normalized, today=TODAY) == number


def test_parsed_number_is_immutable():
    number = parse_case_number("（2022）豫17行初12号")
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.sequence = 13  # type: ignore[misc]


def test_is_case_number():
    assert is_case_number("（2022）豫17行初12号")
    assert not is_case_number("豫17行初12号")
    assert not is_case_number(None)


@pytest.mark.parametrize(
    ("court_code", "division"),
    [
        ("豫1702", "411702"),
        ("豫1721", "411721"),
        ("豫1722", "411722"),
        ("豫1723", "411723"),
        ("豫1724", "411724"),
        ("豫1725", "411725"),
        ("豫1726", "411726"),
        ("豫1727", "411727"),
        ("豫1728", "411728"),
        ("豫1729", "411729"),
        ("豫17", "411700"),
        ("豫", "410000"),
        ("粤0305", "440305"),
        ("京0105", "110105"),
        ("新01", "650100"),
        ("最高法", None),
        ("兵08", None),
        ("京73", None),
        ("京7101", None),
        ("哈17", None),
        ("豫172", None),
        ("", None),
    ],
)
def test_division_of_court_code(court_code: str, division: str | None) -> None:
    assert division_of(court_code) == division


def test_parsed_number_knows_its_division():
    assert parse_case_number("（2022）豫1722行初3号").division == "411722"
    assert parse_case_number("（2019）最高法行申1号").division is None
    assert parse_case_number("（2013）驻行初字第00012号").division is None
