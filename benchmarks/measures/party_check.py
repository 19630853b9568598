"""Checking a batch of parties against the list of dishonest debtors: 100,000 parties (quick:
5,000) through the product's check path (`check_actions.run_check`, as a department's batch
file reaches it: (name, identifier as typed) pairs, each identifier parsed and blind-indexed,
matched set-based, matches stored, one audit entry) against the records of the benchmark
database (`bulk.debtor(n)` for n < ctx.counts["debtor_records"]).

The mix: half the parties are entries of the list (their name and clear resident ID: hits);
of the other half, 5 % of all parties give a masked identifier (4117…****…1234), 5 % a name
alone, the rest a clear ID number not on the list under a name that is (the generated list
draws its names from a pool of about 500,000, `bulk.debtor_name`: a name is carried by a
handful of entries, as on a real list). The masked and name-only parties carry names absent
from the list, so their "needs confirmation" matches do not depend on the pool's size.

Baselines: a loop of one query per party (parse, blind index, one SELECT by index or name) on
a 2,000-party slice (quick: 200), scaled to parties/s; DuckDB's in-memory hash join of the
same parties' blind indexes with the records' (id_index, state), the physical limit —
loading both into DuckDB is not timed.

The check does not change the benchmark database: the department, its liaison officer, the
check, its matches and the audit entry are written inside a transaction that is rolled back
after the timing (the database's sequences advance, nothing else).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from typing import Any

from benchmarks.common import Context, Result


class _Rollback(Exception):
    pass


def _parties(total: int, count: int) -> Iterator[tuple[str, str, bool]]:
    """(name, identifier, hits) for party i: even i an entry of the list, spread over it."""
    from fuyuan.enforcement.samples import bulk

    stride = max(1, count // max(1, total // 2))
    for i in range(total):
        if i % 2 == 0 and count:
            n = (i // 2 * stride + i % 7) % count
            row = bulk.debtor(n)
            yield row["iname"], row["cardNum"], True
        elif i % 20 == 1:
            number = bulk.resident_id(count + 7_000_000 + i)
            yield f"核查甲{i}", number[:6] + "********" + number[-4:], False
        elif i % 20 == 3:
            yield f"核查乙{i}", "", False
        else:
            n = count + 5_000_000 + i
            row = bulk.debtor(n)
            yield row["iname"], row["cardNum"], False


def run(ctx: Context) -> list[Result]:
    from django.db import transaction

    count = int(ctx.counts.get("debtor_records") or 0)
    if not count:
        from fuyuan.enforcement.models import DebtorRecord

        count = DebtorRecord.objects.count()
    total = 5_000 if ctx.quick else 100_000
    slice_size = 200 if ctx.quick else 2_000
    parties = [(name, ident) for name, ident, _hit in _parties(total, count)]
    expected = sum(1 for _n, _i, hit in _parties(total, count) if hit)
    box: dict[str, Any] = {}
    try:
        with transaction.atomic():
            box.update(_product(parties))
            box["loop"] = _loop(parties[:slice_size])
            raise _Rollback
    except _Rollback:
        pass
    seconds = box["seconds"]
    rate = total / seconds
    loop_rate = slice_size / box["loop"]
    ok = box["hits"] == expected
    detail = (
        f"{total:,} parties ({expected:,} on the list) against {count:,} entries on "
        f"{ctx.vendor}: {box['hits']:,} hits, {box['to_confirm']:,} to confirm, "
        f"{seconds:.2f} s in run_check; the check and its matches rolled back"
        + ("" if ok else f" — WRONG: {expected:,} hits expected")
    )
    results = [
        Result(
            "party check seconds (100k parties)" if not ctx.quick else "party check seconds",
            seconds,
            "s",
            target="≤ 2 s at 100,000 parties vs 3,000,000 entries",
            met=(seconds <= 2 and ok) if not ctx.quick else None,
            status="ok" if ok else "error",
            detail=detail,
        ),
        Result(
            "party check parties/s (vs one query per party)",
            rate,
            "rows/s",
            baseline="query per party",
            baseline_value=loop_rate,
            ratio=rate / loop_rate,
            target="≥ 50×",
            met=ok and rate / loop_rate >= 50,
            status="ok" if ok else "error",
            detail=(
                f"baseline: a loop of one SELECT per party (parse, blind index, by index or by "
                f"name) over {slice_size:,} parties, {box['loop']:.2f} s, scaled to parties/s"
            ),
        ),
    ]
    results.append(_duckdb(ctx, parties, seconds))
    return results


def _product(parties: list[tuple[str, str]]) -> dict[str, Any]:
    import uuid

    from fuyuan.accounts.models import Role
    from fuyuan.enforcement.check_actions import run_check
    from fuyuan.org.models import JurisdictionLevel
    from fuyuan.testing import make_jurisdiction, make_unit, make_user

    tag = uuid.uuid4().hex[:8]
    place = make_jurisdiction(f"基准区{tag}", f"9{tag[:5]}", JurisdictionLevel.COUNTY)
    unit = make_unit(f"基准核查局{tag}", place)
    actor = make_user(f"bench_check_{tag}", Role.LIAISON, unit=unit)
    started = time.perf_counter()
    check = run_check(actor, unit=unit, scenario="procurement", parties=parties)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "hits": check.hits, "to_confirm": check.to_confirm}


def _loop(parties: list[tuple[str, str]]) -> float:
    """One query per party, as a check written without set queries would run."""
    from fuyuan.core.identifiers import IdentifierError
    from fuyuan.enforcement.check_actions import parse_identifier
    from fuyuan.enforcement.importers import identifier_index
    from fuyuan.enforcement.models import DebtorRecord

    hitting = DebtorRecord.objects.hitting().order_by()
    started = time.perf_counter()
    for name, raw in parties:
        try:
            ident = parse_identifier(raw)
        except IdentifierError:
            ident = None
        if ident is not None and ident.value and not ident.masked:
            rows = hitting.filter(id_index=identifier_index(ident.value))
        else:
            rows = hitting.filter(name=name)
        list(rows.values_list("pk", "name", "party_kind", "id_index"))
    return time.perf_counter() - started


def _duckdb(ctx: Context, parties: list[tuple[str, str]], product: float) -> Result:
    name = "party check DuckDB join (physical limit)"
    try:
        import duckdb
    except ImportError:
        return Result(name, None, "s", status="not built", detail="duckdb is not installed")
    from django.db import connection

    from fuyuan.enforcement.check_actions import parse_identifier
    from fuyuan.enforcement.importers import identifier_index

    indexes = []
    for _name, raw in parties:
        try:
            ident = parse_identifier(raw)
        except Exception:
            continue
        if ident.value and not ident.masked:
            indexes.append((identifier_index(ident.value),))
    path = ctx.scratch / "party_check_records.csv"
    ctx.scratch.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out, connection.cursor() as cursor:
        writer = csv.writer(out)
        cursor.execute("SELECT id, id_index, state FROM enforcement_debtorrecord")
        while block := cursor.fetchmany(50_000):
            writer.writerows(block)
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE records AS SELECT * FROM read_csv(?, header=false, "
        "columns={'id': 'BIGINT', 'id_index': 'VARCHAR', 'state': 'VARCHAR'})",
        [str(path)],
    )
    db.execute("CREATE TABLE parties (idx VARCHAR)")
    db.executemany("INSERT INTO parties VALUES (?)", indexes)
    started = time.perf_counter()
    found = db.execute(
        "SELECT count(*) FROM (SELECT p.idx, r.id FROM parties p JOIN records r "
        "ON r.id_index = p.idx AND r.state = 'active')"
    ).fetchone()
    seconds = time.perf_counter() - started
    db.close()
    path.unlink()
    return Result(
        name,
        seconds,
        "s",
        baseline="product run_check",
        baseline_value=product,
        ratio=product / seconds,
        detail=(
            f"DuckDB in memory: {len(indexes):,} parties' blind indexes joined with the records' "
            f"(id_index, state), {found[0] if found else 0:,} pairs; loading both into DuckDB "
            "and computing the parties' indexes not timed; ratio = product ÷ DuckDB"
        ),
    )
