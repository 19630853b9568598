"""What the scale generator's modules share: the run context (seeded random source, seeded
Faker, today), a streaming table writer (COPY on PostgreSQL, executemany on SQLite), id
allocation, date helpers and Zipf-like weighted choice."""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import random
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, models
from faker import Faker

DAY = datetime.timedelta(days=1)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


class Output(Protocol):
    """Where progress goes: a text stream or a management command's stdout."""

    def write(self, text: str) -> Any: ...

    def flush(self) -> Any: ...


@dataclass
class Ctx:
    """One generator run: the seed's random source and Faker, today, the database vendor,
    the counts written so far and where progress is reported."""

    seed: int
    today: datetime.date
    stdout: Output | None = None
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    written: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)
        # Every "created at" of rows that have no story of their own: today, late afternoon.
        self.now = at(self.today, 18, 0)

    @property
    def postgres(self) -> bool:
        return connection.vendor == "postgresql"

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")
            self.stdout.flush()

    def count(self, key: str, n: int) -> None:
        self.written[key] = self.written.get(key, 0) + n

    def sub_rng(self, name: str) -> random.Random:
        """An independent random source per domain, so adding rows to one domain does not
        change the others."""
        return random.Random(f"{self.seed}:{name}")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def at_random(rng: random.Random, day: datetime.date, first: int = 9, last: int = 17) -> Any:
    return at(day, rng.randint(first, last), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))


def month_end(day: datetime.date) -> datetime.date:
    first_next = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_next - DAY


def quarter_end(day: datetime.date) -> datetime.date:
    return month_end(datetime.date(day.year, ((day.month - 1) // 3 + 1) * 3, 1))


def snap_up(rng: random.Random, day: datetime.date) -> datetime.date:
    """Deadlines bunch at quarter ends (and month ends): most deadlines set by an office are
    "by the end of the quarter" or "by the end of the month"."""
    roll = rng.random()
    if roll < 0.55:
        return quarter_end(day)
    if roll < 0.85:
        return month_end(day)
    return day


def snap_down(rng: random.Random, day: datetime.date) -> datetime.date:
    """The last quarter (or month) end on or before `day`."""
    roll = rng.random()
    q = quarter_end(day)
    if roll < 0.55:
        return q if q <= day else quarter_end(day.replace(day=1) - 92 * DAY)
    if roll < 0.85:
        m = month_end(day)
        return m if m == day else day.replace(day=1) - DAY
    return day


class Zipf:
    """Weighted choice over items ranked by importance: weight 1 / rank^s (a few items take a
    large share, most a small one). One random number and a bisect per draw."""

    def __init__(self, items: Sequence[Any], s: float = 1.1, weights: Sequence[float] = ()):
        self.items = list(items)
        ws = list(weights) or [1.0 / (r + 1) ** s for r in range(len(self.items))]
        self.cum = list(itertools.accumulate(ws))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]

    def pick_distinct(self, rng: random.Random, n: int, exclude: Any = None) -> list[Any]:
        found: list[Any] = []
        tries = 0
        while len(found) < n and tries < n * 8:
            tries += 1
            item = self.pick(rng)
            if item is not exclude and item != exclude and item not in found:
                found.append(item)
        return found


def weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    roll = rng.random() * sum(w for _, w in table)
    for item, w in table:
        roll -= w
        if roll < 0:
            return item
    return table[-1][0]


# --- ids ---------------------------------------------------------------------------------------
class Ids:
    """Primary keys handed out by the generator (it writes into a database without the
    generated tables' rows, so the next id is max + 1); sequences are reset at the end."""

    def __init__(self) -> None:
        self.next: dict[type[models.Model], int] = {}
        self.used: list[type[models.Model]] = []

    def take(self, model: type[models.Model], n: int = 1) -> int:
        if model not in self.next:
            top = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
            self.next[model] = (top or 0) + 1
            self.used.append(model)
        first = self.next[model]
        self.next[model] = first + n
        return first

    def reset_sequences(self) -> None:
        if connection.vendor != "postgresql" or not self.used:
            return
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.used):
                cursor.execute(sql)


# --- the table writer ----------------------------------------------------------------------------
def _utc_text(value: datetime.datetime) -> str:
    """An aware datetime as Django's SQLite backend stores it: naive UTC, str()."""
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _adapter(f: models.Field[Any, Any], postgres: bool) -> Callable[[Any], Any] | None:
    if isinstance(f, models.JSONField):
        return json.dumps
    if postgres:
        return None
    if isinstance(f, models.DateTimeField):
        return _utc_text
    if isinstance(f, models.DateField):
        # ISO text as stored; a value already given as ISO text passes as it is.
        return lambda v: v if isinstance(v, str) else v.isoformat()
    return None


class TableWriter:
    """Streams rows into one table: `add(*values)` in the order of `names` (attnames, e.g.
    "matter_id"); every other column gets its field default (the database has no defaults of
    its own), or the value given in `constants`. Flushed every `chunk` rows: one COPY per
    chunk on PostgreSQL (psycopg 3), one executemany INSERT on SQLite. Values are written
    as the fields store them; callers pass ciphertexts and blind indexes already computed
    (core.crypto)."""

    def __init__(
        self,
        ctx: Ctx,
        model: type[models.Model],
        names: Sequence[str],
        chunk: int = 20000,
        constants: dict[str, Any] | None = None,
    ) -> None:
        self.ctx = ctx
        self.model = model
        self.chunk = chunk
        self.key = model._meta.label
        postgres = ctx.postgres
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [n for n in names if n not in by_attname]
        if unknown:
            raise ValueError(f"{model._meta.label} has no column {unknown}")
        constants = constants or {}
        given = [by_attname[n] for n in names]
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in names and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        for f in rest:
            if f.attname in constants:
                continue
            if not f.null and not f.has_default() and not f.empty_strings_allowed:
                raise ValueError(f"{model._meta.label}.{f.attname} needs a value")
        self.adapters = [
            (i, a) for i, a in enumerate(_adapter(f, postgres) for f in given) if a is not None
        ]
        defaults = []
        for f in rest:
            value = constants[f.attname] if f.attname in constants else f.get_default()
            adapt = _adapter(f, postgres)
            defaults.append(adapt(value) if adapt and value is not None else value)
        self.defaults = tuple(defaults)
        columns = [f.column for f in [*given, *rest]]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        cols = ", ".join(quote(c) for c in columns)
        if postgres:
            self.sql = f"COPY {table} ({cols}) FROM STDIN"
        else:
            marks = ", ".join("%s" for _ in columns)
            self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        self.rows: list[tuple[Any, ...]] = []
        self.total = 0
        self.counted = 0

    def add(self, *values: Any) -> None:
        if self.adapters:
            row = list(values)
            for i, adapt in self.adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            values = tuple(row)
        self.rows.append(values + self.defaults)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.ctx.postgres:
                with cursor.copy(self.sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.rows)
        self.total += len(self.rows)
        self.rows = []

    def close(self, key: str | None = None) -> int:
        self.flush()
        self.ctx.count(key or self.key, self.total - self.counted)
        self.counted = self.total
        return self.total
