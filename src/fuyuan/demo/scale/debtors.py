"""The dishonest-debtor list at scale: entry n is `enforcement.samples.bulk.debtor(n)` for n in
range(count), so a benchmark makes a party that hits (n < count) or misses (n ≥ count). Each
entry is stored as the court-file importer stores it: identifier encrypted (core.crypto, as
EncryptedTextField does), its blind index of the normalised identifier (as BlindIndexField
does), the masked form for display, and the importer's row key."""

from __future__ import annotations

from fuyuan.core import crypto
from fuyuan.core.case_numbers import parse_case_number
from fuyuan.core.masking import mask_identifier
from fuyuan.enforcement.importers import row_key_for
from fuyuan.enforcement.models import (
    DebtorRecord,
    DebtorState,
    IdType,
    PartyKind,
    Performance,
    normalize_identifier,
)
from fuyuan.enforcement.samples import bulk

from .common import Ctx, TableWriter
from .org import World

INDEX_CHARS = 40  # enforcement.importers: the row key keeps 40 hex characters of the index


def generate(ctx: Ctx, world: World, count: int) -> None:
    # The generated case numbers are already in their normalised form and the row key is the
    # importer's: checked once here rather than parsed three million times.
    sample = bulk.debtor(0)
    assert parse_case_number(sample["caseCode"]).normalized == sample["caseCode"]
    writer = TableWriter(
        ctx,
        DebtorRecord,
        [
            "name",
            "id_number",
            "id_index",
            "id_display",
            "sex",
            "age",
            "court_id",
            "court_name",
            "basis_number",
            "basis_issuer",
            "filed_on",
            "case_number",
            "obligation",
            "unperformed_part",
            "conduct",
            "published_on",
            "row_key",
        ],
        chunk=20000,
        constants={
            "party_kind": PartyKind.PERSON,
            "id_type": IdType.RESIDENT_ID,
            "id_masked": False,
            "province": "河南",
            "performance": Performance.NONE,
            "state": DebtorState.ACTIVE,
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
    )
    courts = world.courts_by_name
    encrypt, blind_index = crypto.encrypt, crypto.blind_index
    for n in range(count):
        row = bulk.debtor(n)
        ident = row["cardNum"]
        index = blind_index(normalize_identifier(ident))
        case_number = row["caseCode"]
        key = f"{case_number}#{index[:INDEX_CHARS]}"
        if n == 0 and key != row_key_for(case_number, identifier=ident):
            raise RuntimeError("the debtor row key no longer matches the importer's")
        writer.add(
            row["iname"],
            encrypt(ident),
            index,
            mask_identifier(ident, IdType.RESIDENT_ID),
            row["sexy"],
            row["age"],
            courts.get(row["courtName"]),
            row["courtName"],
            row["gistId"],
            row["gistUnit"],
            row["regDate"],
            case_number,
            row["duty"],
            row["unperformPart"],
            row["disruptTypeName"],
            row["publishDate"],
            key,
        )
        if (n + 1) % 500000 == 0:
            ctx.say(f"  debtor records: {n + 1:,}")
    writer.close("debtor_records")
