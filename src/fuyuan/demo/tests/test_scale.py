"""`fuyuan gen_data` / fuyuan.demo.scale: the tiny scale writes the exact counts, the same
seed and day give the same data, the benchmark accounts see their matters, every warning
colour occurs, the debtor list is stored as the importer stores it and the matters' search
entries are the ones the search index builds."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from fuyuan.accounts.models import User
from fuyuan.core import crypto, search
from fuyuan.core.models import SearchEntry
from fuyuan.demo.scale import BENCH_USERS, COUNTS, generate, headline_models
from fuyuan.enforcement.importers import row_key_for
from fuyuan.enforcement.models import DebtorRecord, normalize_identifier
from fuyuan.enforcement.samples import bulk
from fuyuan.litigation.models import AdminCase, Appearance, Hearing, HearingState
from fuyuan.matters.models import Matter
from fuyuan.matters.search_index import row
from fuyuan.org.models import Mechanism, Unit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
TABLES = headline_models()


def fingerprint() -> str:
    """The matters' titles, deadlines, states and lead units, and the cases' numbers."""
    digest = hashlib.sha256()
    for values in Matter.objects.order_by("pk").values_list(
        "title", "deadline", "state", "lead_unit__name", "next_feedback_due"
    ):
        digest.update(repr(values).encode())
    for number in AdminCase.objects.order_by("pk").values_list("number", flat=True):
        digest.update(number.encode())
    return digest.hexdigest()


@pytest.fixture
def tiny() -> dict[str, int]:
    return generate("tiny", seed=2026, today=TODAY)


def test_tiny_writes_exactly_the_counts(tiny: dict[str, int]) -> None:
    for key, model in TABLES.items():
        assert model.objects.count() == COUNTS["tiny"][key], key
        assert tiny[key] == COUNTS["tiny"][key]
    assert Mechanism.objects.count() == 11
    # Every unit has a liaison officer; every held hearing an appearance record.
    assert not Unit.objects.exclude(role_assignments__role="liaison").exists()
    held = Hearing.objects.filter(state=HearingState.HELD).count()
    assert held and Appearance.objects.count() == held


def test_same_seed_and_day_give_the_same_data() -> None:
    with transaction.atomic():
        generate("tiny", seed=2026, today=TODAY)
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Matter.objects.exists()
    generate("tiny", seed=2026, today=TODAY)
    assert fingerprint() == first


def test_bench_accounts_see_their_matters(tiny: dict[str, int]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=BENCH_USERS)}
    assert set(users) == set(BENCH_USERS)
    office = Matter.objects.visible_to(users["bench_office"]).count()
    county = Matter.objects.visible_to(users["bench_county_office"]).count()
    liaison = Matter.objects.visible_to(users["bench_liaison"]).count()
    assert office > county > 0
    assert liaison > 0
    assert Matter.objects.visible_to(users["bench_leader"]).count() == office
    assert AdminCase.objects.visible_to(users["bench_court"]).exists()


def test_every_colour_occurs(tiny: dict[str, int]) -> None:
    colours = set(Matter.objects.with_colour(TODAY).values_list("colour", flat=True))
    assert {"red", "yellow", "blue", "green", "none"} <= colours


def test_debtors_are_stored_as_the_importer_stores_them(tiny: dict[str, int]) -> None:
    count = COUNTS["tiny"]["debtor_records"]
    for n in (0, 7, count - 1):
        ident = bulk.resident_id(n)
        record = DebtorRecord.objects.get(id_index=crypto.blind_index(normalize_identifier(ident)))
        assert record.id_number == ident  # decrypted by the field
        assert record.row_key == row_key_for(record.case_number, identifier=ident)
        assert record.name == bulk.debtor(n)["iname"]
        assert "*" in record.id_display
    miss = crypto.blind_index(normalize_identifier(bulk.resident_id(count)))
    assert not DebtorRecord.objects.filter(id_index=miss).exists()


def test_search_entries_match_the_index_builder(tiny: dict[str, int]) -> None:
    matters = Matter.objects.select_related("jurisdiction", "lead_unit").order_by("pk")[:40]
    for matter in matters:
        entry = SearchEntry.objects.get(kind="matters.matter", object_id=matter.pk)
        built = row(matter)
        assert entry.tokens == " ".join(search.tokens(built.text))
        assert entry.unit_ids.split() == [str(u) for u in sorted(set(built.unit_ids))]
    assert search.matching_ids("matters.matter", "联席会议") is not None


def test_command_refuses_a_database_with_data(tiny: dict[str, int]) -> None:
    with pytest.raises(CommandError, match="fresh database"):
        call_command("gen_data", "--scale", "tiny", stdout=io.StringIO())
