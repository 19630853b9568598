"""Memory and speed of a bulk push: a 100,000-row NDJSON debtor-list file (the court's
dishonest-debtor list in the public list's field names) submitted and processed by the
importer exactly as an API push is (`core.importing.submit` then `process`), while
tracemalloc records the peak of Python allocations. Prints one line.

Run from the repository root (part of `make bench`):

    .venv/bin/python benchmarks/push_memory.py --rows 100000
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuyuan   # or on PostgreSQL
    .venv/bin/python benchmarks/push_memory.py --rows 100000

It needs no running server and touches no real data: Django is set up from `fuyuan.settings`
with FUYUAN_TESTING=1 (test encryption keys unless FUYUAN_DATA_KEYS is set) and
FUYUAN_VAR_DIR pointing to a temporary folder (uploaded files), then a throwaway database is
created the way the test runner does (SQLite: in memory; PostgreSQL: `<name>_push_bench`,
dropped at the end) with the test world's users. The file is generated to disk and streamed;
the rows never sit in memory whole.

Options: --rows N (default 100,000), --no-tracemalloc (speed without the tracing overhead,
which slows Python allocation-heavy code about 2-3×; the peak is then not measured),
--chunk N (rows per feed.store call, default the feed's own).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")
    os.environ.setdefault("FUYUAN_TESTING", "1")
    os.environ["FUYUAN_VAR_DIR"] = var_dir
    import django

    django.setup()


def _rss_mb() -> float:
    """Peak resident set size of the whole process so far (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    parser.add_argument("--chunk", type=int, default=0)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="fuyuan-push-bench-") as var_dir:
        _setup(var_dir)
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()
        settings_dict = connection.settings_dict
        if connection.vendor == "postgresql":
            settings_dict.setdefault("TEST", {})["NAME"] = f"{settings_dict['NAME']}_push_bench"
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            return _run(args, Path(var_dir))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(args: argparse.Namespace, var_dir: Path) -> int:
    from django.core.files import File
    from django.db import connection

    from fuyuan.core import importing
    from fuyuan.core.models import ImportState
    from fuyuan.enforcement.importers import DEBTORS_FEED
    from fuyuan.enforcement.models import DebtorRecord
    from fuyuan.enforcement.samples import bulk
    from fuyuan.testing import build_world

    actor = build_world().users["court_staff"]
    feed = importing.get(DEBTORS_FEED)
    if args.chunk:
        type(feed).chunk_size = args.chunk  # type: ignore[misc]
    path = var_dir / "push.ndjson"
    with path.open("wb") as out:
        size = bulk.write_ndjson(out, args.rows)

    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    with path.open("rb") as handle:
        batch, _created = importing.submit(DEBTORS_FEED, File(handle, name=path.name), actor)
    batch = importing.process(batch)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if args.trace else None
    if args.trace:
        tracemalloc.stop()
    stored = DebtorRecord.objects.count()
    ok = batch.state == ImportState.IMPORTED and stored == args.rows
    traced = f"peak {peak:.1f} MB (tracemalloc)" if peak is not None else "peak not traced"
    print(
        f"push_memory: {args.rows} rows ({DEBTORS_FEED}, NDJSON {size / 2**20:.1f} MB) on "
        f"{connection.vendor}: {batch.state}, {stored} stored, {traced}, "
        f"max RSS {_rss_mb():.0f} MB, "
        f"{args.rows / seconds:.0f} rows/s ({seconds:.1f} s)"
        + ("" if ok else f" — FAILED: {batch.failure_code} {batch.failure}")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
