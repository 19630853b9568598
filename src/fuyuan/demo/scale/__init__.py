"""A deterministic stress-scale data set for the benchmarks (`fuyuan gen_data`): a city like
驻马店 and its ten county-level jurisdictions over five years up to `today` — units, people
and accounts, matters with their timelines, administrative cases with hearings, meetings and
the dishonest-debtor list.

The same seed and the same `today` give the same rows (random.Random and a seeded Faker;
only ciphertexts differ, their plaintexts and blind indexes do not). Everything is written
through the bulk path — COPY on PostgreSQL, executemany on SQLite — in chunks, with ids handed
out by the generator (the target database must hold no generated data), no per-row actions
and no signals; the search index entries of the matters are written alongside them.

Modules by domain: `org` (jurisdictions, units, mechanisms, people, accounts), `matters`
(matters, timeline, co-units, milestones, reports, evaluations, search index), `litigation`
(cases, hearings, appearances), `meetings` (meetings, agendas, invitations, minutes,
decisions) and `debtors` (the debtor list).

Benchmark accounts (password `Fuyuan@2026`, like every generated account):
bench_office (city office), bench_leader (city leader), bench_county_office (西平县 office),
bench_liaison (liaison of the city department leading the most matters), bench_court
(intermediate court staff).
"""

from __future__ import annotations

import datetime
import time

from django.db import connection, transaction

from fuyuan.audit.record import record

from . import debtors, litigation, matters, meetings, org
from .common import Ctx, Output

COUNTS: dict[str, dict[str, int]] = {
    "city5y": {
        "mechanisms": 11,
        "units": 1500,
        "matters": 100_000,
        "timeline_entries": 1_000_000,
        "admin_cases": 60_000,
        "debtor_records": 3_000_000,
        "meetings": 10_000,
    },
    "quick": {
        "mechanisms": 11,
        "units": 75,
        "matters": 5_000,
        "timeline_entries": 50_000,
        "admin_cases": 3_000,
        "debtor_records": 150_000,
        "meetings": 500,
    },
    "tiny": {
        "mechanisms": 11,
        "units": 44,
        "matters": 100,
        "timeline_entries": 1_000,
        "admin_cases": 60,
        "debtor_records": 3_000,
        "meetings": 10,
    },
}
BENCH_USERS = (
    "bench_office",
    "bench_leader",
    "bench_county_office",
    "bench_liaison",
    "bench_court",
)


def headline_models() -> dict[str, type]:
    """The tables the issue sizes the scales by, under COUNTS' keys."""
    from fuyuan.enforcement.models import DebtorRecord
    from fuyuan.litigation.models import AdminCase
    from fuyuan.matters.models import Matter, TimelineEntry
    from fuyuan.meetings.models import Meeting
    from fuyuan.org.models import Mechanism, Unit

    return {
        "mechanisms": Mechanism,
        "units": Unit,
        "matters": Matter,
        "timeline_entries": TimelineEntry,
        "admin_cases": AdminCase,
        "debtor_records": DebtorRecord,
        "meetings": Meeting,
    }


def headline_counts() -> dict[str, int]:
    """How many rows each of those tables holds now."""
    return {k: m._default_manager.count() for k, m in headline_models().items()}


def generate(
    scale: str,
    seed: int = 2026,
    today: datetime.date | None = None,
    stdout: Output | None = None,
) -> dict[str, int]:
    """Write the data set of `scale` into the (empty) database; returns the rows written per
    table (the COUNTS keys exactly, and the other tables filled on the way)."""
    if scale not in COUNTS:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(COUNTS)}")
    counts = COUNTS[scale]
    ctx = Ctx(seed=seed, today=today or datetime.date.today(), stdout=stdout)
    timings: dict[str, float] = {}
    if connection.vendor == "sqlite":
        # A larger page cache for this connection: the debtor list's random-keyed indexes
        # otherwise spill out of SQLite's default 2 MB cache.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")

    def phase(name: str) -> float:
        ctx.say(f"{name} …")
        return time.perf_counter()

    started = phase("org and accounts")
    with transaction.atomic():
        world = org.build(ctx, counts["units"])
        org.finish(ctx, world)
    timings["org"] = time.perf_counter() - started

    started = phase("matters and timeline")
    with transaction.atomic():
        gen = matters.generate(ctx, world, counts["matters"], counts["timeline_entries"])
        org.add_bench_liaison(ctx, world, gen.busiest_city_department())
        org.finish(ctx, world)
    timings["matters"] = time.perf_counter() - started

    started = phase("administrative cases")
    with transaction.atomic():
        litigation.generate(ctx, world, counts["admin_cases"])
    timings["litigation"] = time.perf_counter() - started

    started = phase("meetings")
    with transaction.atomic():
        meetings.generate(ctx, world, counts["meetings"])
    timings["meetings"] = time.perf_counter() - started

    started = phase("debtor records")
    with transaction.atomic():
        debtors.generate(ctx, world, counts["debtor_records"])
    timings["debtors"] = time.perf_counter() - started

    world.ids.reset_sequences()
    # One audit entry for the whole batch (ARCHITECTURE rule 4: a bulk path audits per batch).
    record(
        None,
        "demo.scale.generate",
        object_kind="demo.scale",
        detail={"scale": scale, "seed": seed, "today": ctx.today.isoformat(), **ctx.written},
    )
    for name, seconds in timings.items():
        ctx.say(f"  {name}: {seconds:.1f} s")
    written = dict(ctx.written)
    for key, wanted in counts.items():
        if written.get(key) != wanted:
            raise RuntimeError(f"{key}: wrote {written.get(key)}, wanted {wanted}")
    return written
