"""The set-based batch check (check_actions.run_check): a mixed batch — clear identifiers,
credit and organisation codes, masked entries and parties, entries and parties without an
identifier — gives the matches the rules give each party checked alone; the plain
resident-ID shortcut of `parse_identifier` agrees with the shared parser; matches are stored
with the identifier encrypted and one audit entry; on PostgreSQL the same-name lookup of
clear-identifier parties goes through the partial index."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.core.identifiers import IdentifierError, parse_party_identifier
from fuyuan.enforcement import check_actions as actions
from fuyuan.enforcement.models import (
    Check,
    CheckHit,
    DebtorRecord,
    DebtorState,
    HitState,
    IdType,
    MatchKind,
    PartyKind,
)
from fuyuan.testing import World

from .test_checks import check, credit_code, entry, person_id

pytestmark = pytest.mark.django_db


def _masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def _list_and_batch() -> tuple[dict[str, DebtorRecord], list[tuple[str, str]]]:
    """Entries of every kind and a batch with parties that meet them in every way."""
    e = {
        "hit": entry("王建国", person_id(1)),
        "other_name": entry("李秀英", person_id(2)),
        "org": entry(
            "驻马店市宏远建材有限公司",
            credit_code(3),
            kind=PartyKind.ORGANISATION,
            id_type=IdType.CREDIT_CODE,
        ),
        "org_code": entry(
            "西平县恒达商贸有限公司",
            credit_code(4)[8:17],
            kind=PartyKind.ORGANISATION,
            id_type=IdType.ORGANISATION_CODE,
        ),
        "masked": entry("张卫东", _masked(person_id(5)), masked=True),
        "masked_other": entry("张卫东", "411702********" + person_id(6)[-4:], masked=True),
        "no_id": entry("刘桂芳", ""),
        "named": entry("刘桂芳", person_id(7)),
        "removed": entry("赵红梅", person_id(8), state=DebtorState.REMOVED),
        "held": entry("孙丽", person_id(9), state=DebtorState.TO_CONFIRM),
        "twin_a": entry("陈伟", person_id(10)),
        "twin_b": entry("陈伟", _masked(person_id(10)), masked=True),
    }
    batch = [
        ("王建国", person_id(1)),  # hit
        ("王 建国", person_id(1).lower()),  # hit, typed loosely
        ("李秀兰", person_id(2)),  # same identifier, other name: to confirm
        ("驻马店宏远新型建材有限公司", credit_code(3)),  # organisation: the code decides
        ("西平县恒达商贸有限公司", credit_code(4)),  # via the organisation code
        ("张卫东", person_id(5)),  # masked entry, visible parts agree
        ("张卫东", person_id(6)),  # masked entries: visible parts differ, no match
        ("张卫东", _masked(person_id(5))),  # typed masked
        ("刘桂芳", ""),  # name alone: both 刘桂芳 entries
        ("刘桂芳", person_id(11)),  # clear and different: only the entry without identifier
        ("刘桂芳", _masked(person_id(7))),  # typed masked: the entry without id, and 7
        ("赵红梅", person_id(8)),  # removed: nothing
        ("孙丽", ""),  # held: nothing
        ("陈伟", person_id(10)),  # hit and masked twin
        ("无名氏", person_id(12)),  # nothing
        ("", ""),  # nothing to look up
    ]
    return e, batch


def _found(c: Check) -> list[tuple[int | None, int, str, str]]:
    return [
        (h.row_number, h.debtor_id, h.match, h.state)
        for h in CheckHit.objects.filter(check_run=c).order_by("row_number", "debtor_id")
    ]


def test_a_mixed_batch_gives_what_each_party_alone_gives(world: World) -> None:
    e, batch = _list_and_batch()
    c = check(world, batch)
    alone = []
    for row, party in enumerate(batch, start=1):
        if not party[0] and not party[1]:
            continue
        one = check(world, [party])
        alone += [(row, debtor, match, state) for _r, debtor, match, state in _found(one)]
    assert _found(c) == sorted(alone)
    ident, masked, name = MatchKind.IDENTIFIER, MatchKind.MASKED, MatchKind.NAME_ONLY
    hit, confirm = HitState.HIT, HitState.NEEDS_CONFIRMATION
    assert _found(c) == sorted(
        [
            (1, e["hit"].pk, ident, hit),
            (2, e["hit"].pk, ident, hit),
            (3, e["other_name"].pk, ident, confirm),
            (4, e["org"].pk, ident, hit),
            (5, e["org_code"].pk, ident, hit),
            (6, e["masked"].pk, masked, confirm),
            (8, e["masked"].pk, masked, confirm),
            (9, e["no_id"].pk, name, confirm),
            (9, e["named"].pk, name, confirm),
            (10, e["no_id"].pk, name, confirm),
            (11, e["no_id"].pk, name, confirm),
            (11, e["named"].pk, masked, confirm),
            (14, e["twin_a"].pk, ident, hit),
            (14, e["twin_b"].pk, masked, confirm),
        ]
    )
    assert (c.parties, c.hits, c.to_confirm) == (len(batch), 5, 9)
    c.refresh_from_db()
    assert (c.parties, c.hits, c.to_confirm) == (len(batch), 5, 9)


def test_stored_matches_keep_the_party_as_typed_encrypted(world: World) -> None:
    entry("王建国", person_id(1))
    typed = person_id(1).lower()
    c = check(world, [("王 建国", typed), ("王建国", person_id(1))])
    first, second = CheckHit.objects.filter(check_run=c).order_by("row_number")
    assert (first.party_name, first.party_id_number) == ("王 建国", typed)
    assert second.party_id_number == person_id(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT party_id_number FROM enforcement_checkhit WHERE id = %s", [first.pk])
        [stored] = cursor.fetchone()
    assert stored and typed not in stored  # encrypted at rest
    assert first.version == 1 and first.created_at == first.updated_at
    assert first.feedback == "" and first.fed_back_by_id is None


def test_a_batch_check_is_one_audit_entry_with_its_counts(world: World) -> None:
    _e, batch = _list_and_batch()
    before = AuditEntry.objects.count()
    c = check(world, batch)
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [a.action for a in entries] == ["enforcement.check.run"]
    detail = entries[0].detail or {}
    assert (detail["parties"], detail["hits"], detail["to_confirm"]) == (len(batch), 5, 9)
    assert entries[0].object_id == str(c.pk)


def _reference(text: str) -> tuple[str, str, bool] | None:
    try:
        parsed = parse_party_identifier(text)
    except IdentifierError:
        return None
    return str(parsed.value), str(parsed.id_type), bool(parsed.masked)


def test_the_plain_resident_id_shortcut_agrees_with_the_shared_parser() -> None:
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    values = [
        person_id(1),
        person_id(2).lower(),
        person_id(3)[:17] + ("0" if person_id(3)[17] != "0" else "1"),  # bad check character
        person_id(4, division="999999"),  # unknown division
        person_id(5, division="810000"),  # Hong Kong residents' permit: still a resident ID
        person_id(6, birth="19000101"),
        person_id(7, birth="18991231"),
        person_id(8, birth="19800230"),
        person_id(9, birth="19801301"),
        person_id(10, birth=f"{tomorrow:%Y%m%d}"),
        person_id(11, birth=f"{today:%Y%m%d}"),
        person_id(12, birth="20991231"),
        "91411700" + "12345678" + "9X",
        "１２３４５６７８９０１２３４５６７８",
    ]
    rng = random.Random(7)
    for _ in range(400):
        division = rng.choice(("411721", "411702", "110101", "000000", "411799", "999999"))
        birth = (
            f"{rng.randint(1890, today.year + 1)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
        )
        values.append(person_id(rng.randint(0, 999), division=division, birth=birth))
    shortcuts = 0
    for value in values:
        plain = actions._plain_resident_id(value, today)
        if plain is not None:
            shortcuts += 1
            assert (plain.value, plain.id_type, plain.masked) == _reference(value), value
        reference = _reference(value)
        if reference is not None:
            parsed = actions.parse_identifier(value, today)
            assert (parsed.value, parsed.id_type, parsed.masked) == reference, value
    assert shortcuts > 50


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_same_name_lookups_of_clear_parties_use_the_partial_index() -> None:
    now = timezone.now()
    DebtorRecord.objects.bulk_create(
        DebtorRecord(
            name=f"人员{n % 50}",
            party_kind=PartyKind.PERSON,
            id_type=IdType.RESIDENT_ID,
            id_number=person_id(n, birth="19700101" if n < 1000 else "19710101"),
            court_name="驻马店市驿城区人民法院",
            basis_number=f"（2024）豫1702民初{n}号",
            case_number=f"（2025）豫1702执{n}号",
            id_masked=n % 500 == 0,
            row_key=f"bulk-{n}",
            created_at=now,
            updated_at=now,
        )
        for n in range(2000)
    )
    query = (
        DebtorRecord.objects.hitting()
        .order_by()
        .filter(name__in=["人员1", "人员2"])
        .filter(Q(id_masked=True) | Q(id_index=""))
        .values_list("pk", "name", "id_index", "id_masked", "id_display")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE enforcement_debtorrecord")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "enforcement_debtor_noid_name" in plan, plan
