"""What every benchmark shares: Django set up against the benchmark database, one `Result`
per measure (figure, baseline, ratio, target), timing and memory helpers.

A measure module in `benchmarks/measures/` exposes `run(ctx: Context) -> list[Result]`.
It never fakes a figure: a path that is not built is reported with `status="not built"`.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Context:
    """What a measure is given: the scale generated (quick | city5y), the database vendor
    (sqlite | postgresql), a scratch folder, and whether this is the quick run (measures
    shorten their repetitions and durations)."""

    scale: str
    vendor: str
    scratch: Path
    quick: bool
    database_url: str
    counts: dict[str, int] = dataclasses.field(default_factory=dict)

    def reps(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclasses.dataclass
class Result:
    """One line of the table. `value` in `unit`; `baseline_value` of the named baseline in the
    same unit; `ratio` is value/baseline for rates (higher is better) or baseline/value
    for times, as the measure states in `ratio_kind`. `target` is the text of the issue's
    bound and `met` whether this run met it (None when the bound does not apply to this
    scale or database). `queries` is the SQL statement count per page where counted."""

    name: str
    value: float | None
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    queries: int | None = None
    status: str = "ok"  # ok | not built | error
    detail: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def line(self) -> str:
        def fmt(v: float | None) -> str:
            if v is None:
                return "—"
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"

        parts = [f"{self.name:<44}", f"{fmt(self.value):>12} {self.unit:<8}"]
        if self.baseline:
            unit = self.unit.split()[0] if self.unit else ""
            parts.append(f"baseline {self.baseline}: {fmt(self.baseline_value)} {unit}")
            parts.append(f"ratio {fmt(self.ratio)}")
        if self.queries is not None:
            parts.append(f"{self.queries} queries")
        if self.target:
            verdict = {True: "met", False: "NOT MET", None: "n/a"}[self.met]
            parts.append(f"target {self.target}: {verdict}")
        if self.status != "ok":
            parts.append(f"[{self.status}] {self.detail}")
        elif self.detail:
            parts.append(self.detail)
        return " | ".join(parts)


def setup_django(database_url: str | None = None, var_dir: str | None = None) -> None:
    """Django with the project's settings against `database_url` (the benchmark database),
    test encryption keys unless FUYUAN_DATA_KEYS is set, uploaded files in `var_dir`."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuyuan.settings")
    os.environ.setdefault("FUYUAN_TESTING", "1")
    # As deployed, not as the tests run: figures precomputed, activity saved once a minute.
    os.environ.setdefault("FUYUAN_FIGURES_MAX_AGE_SECONDS", "600")
    os.environ.setdefault("FUYUAN_ACTIVITY_GRANULARITY_SECONDS", "60")
    if var_dir:
        os.environ["FUYUAN_VAR_DIR"] = var_dir
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def time_calls(fn: Callable[[], Any], reps: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of `reps` calls of `fn` after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Peak resident set size of the largest waited-for child process, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: …` then `t[0]` is the elapsed seconds."""
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)
