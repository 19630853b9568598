"""Interactive pages as a user opens them: the ledger's first page, the ledger with three
filters and a Chinese keyword, a matter's page, the cockpit and the leaders' brief.

Each page is requested in-process through the whole middleware stack (Django's test client,
logged in as the generated city office member `bench_office`), so the time is the server's
time without the network. Per page: p95 and median of the repetitions, SQL statements per
request (the count must be the same at both scales and at most 15), and the database time of
the page against hand-written SQL that fetches the same rows (target ≤ 3×).

The cockpit and brief are measured as users get them (figures precomputed by the scheduler,
dashboard/snapshots.py) and, for the record, computed live on the spot (`?fresh=1`).
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.common import Context, Result, median, percentile

P95_MS = 50.0
MAX_QUERIES = 15
MAX_SQL_RATIO = 3.0
KEYWORD = "征收"


class _Timer:
    """Counts and times every SQL statement run while installed (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _scope_sql(user: Any) -> tuple[str, list[Any]]:
    """The WHERE clause of the matters a user may see, hand-written (Matter.visible_to)."""
    from fuyuan.accounts.permissions import scope_for

    scope = scope_for(user)
    own = sorted({j for ids in scope.assigned_jurisdictions.values() for j in ids})
    parts: list[str] = []
    params: list[Any] = []
    if own:
        parts.append(f"m.jurisdiction_id IN ({','.join(['%s'] * len(own))})")
        params += own
    for path in scope.oversight_paths:
        parts.append(
            "(m.shared_upward AND m.jurisdiction_id IN "
            "(SELECT id FROM org_jurisdiction WHERE path LIKE %s))"
        )
        params.append(path + "%")
    if scope.unit_ids:
        ids = sorted(scope.unit_ids)
        marks = ",".join(["%s"] * len(ids))
        parts.append(f"m.lead_unit_id IN ({marks})")
        parts.append(
            f"EXISTS (SELECT 1 FROM matters_mattercounit c WHERE c.matter_id = m.id "
            f"AND c.unit_id IN ({marks}))"
        )
        params += ids + ids
    parts.append("m.handler_id = %s OR m.unit_leader_id = %s")
    params += [user.pk, user.pk]
    return "(" + " OR ".join(parts) + ")", params


def _colour_rank_sql(today: Any) -> tuple[str, list[Any]]:
    from fuyuan.matters import workflow as wf

    running = ",".join(f"'{s}'" for s in wf.RUNNING_STATES)
    sql = (
        f"CASE WHEN m.state IN ({running}) AND m.deadline < %s THEN 0 "
        f"WHEN m.state IN ({running}) AND (m.next_feedback_due < %s "
        f"OR m.next_milestone_due < %s) THEN 1 "
        f"WHEN m.state IN ({running}) AND m.warn_from <= %s THEN 2 "
        f"WHEN m.state IN ({running}) THEN 3 "
        f"WHEN m.state = 'reported' AND m.deadline < %s THEN 0 ELSE 4 END"
    )
    return sql, [today] * 5


def _ledger_sql(user: Any, today: Any, extra: str = "", extra_params: Any = ()) -> Any:
    """First page of the ledger (50 rows, worst colour first) with units, task area, latest
    progress and co-units, and the total for the pager — written the fastest way found by
    hand: the count, the page's ids by a narrow sort, then the fifty rows by id."""
    from django.db import connection

    where, params = _scope_sql(user)
    rank, rank_params = _colour_rank_sql(today)
    where = where + extra
    params = params + list(extra_params)

    def run() -> int:
        with connection.cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM matters_matter m WHERE {where}", params)
            c.fetchone()
            c.execute(
                f"SELECT m.id FROM matters_matter m WHERE {where} "
                f"ORDER BY {rank}, m.deadline, m.id LIMIT 50",
                params + rank_params,
            )
            ids = [row[0] for row in c.fetchall()]
            if ids:
                marks = ",".join(["%s"] * len(ids))
                c.execute(
                    f"SELECT m.id, m.title, m.state, m.deadline, u.name, t.name, j.name, "
                    f"(SELECT f.text FROM matters_feedback f WHERE f.matter_id = m.id "
                    f"AND f.status = 'submitted' ORDER BY f.submitted_at DESC, f.id DESC "
                    f"LIMIT 1) FROM matters_matter m "
                    f"JOIN org_unit u ON u.id = m.lead_unit_id "
                    f"JOIN org_jurisdiction j ON j.id = m.jurisdiction_id "
                    f"LEFT JOIN org_taskarea t ON t.id = m.task_area_id WHERE m.id IN ({marks})",
                    ids,
                )
                c.fetchall()
                c.execute(
                    "SELECT c.matter_id, u.name FROM matters_mattercounit c JOIN org_unit u "
                    f"ON u.id = c.unit_id WHERE c.matter_id IN ({marks})",
                    ids,
                )
                c.fetchall()
            return len(ids)

    return run


def _keyword_subquery() -> tuple[str, tuple[Any, ...]]:
    """The search engine's own match (FTS5 or tsvector), compiled by the ORM: the hand-written
    ledger query uses it as is, since matching words is the search index's job."""
    from fuyuan.core import search
    from fuyuan.matters.filters import SEARCH_KIND

    qs = search.matching_ids(SEARCH_KIND, KEYWORD)
    assert qs is not None
    sql, params = qs.query.sql_with_params()
    return sql, params


def _matter_sql(pk: int) -> Any:
    from django.db import connection

    def run() -> int:
        with connection.cursor() as c:
            for sql in (
                "SELECT m.*, u.name, j.name FROM matters_matter m JOIN org_unit u ON "
                "u.id = m.lead_unit_id JOIN org_jurisdiction j ON j.id = m.jurisdiction_id "
                "WHERE m.id = %s",
                "SELECT c.*, u.name FROM matters_mattercounit c JOIN org_unit u ON "
                "u.id = c.unit_id WHERE c.matter_id = %s",
                "SELECT * FROM matters_milestone WHERE matter_id = %s ORDER BY due_date",
                "SELECT * FROM matters_feedback WHERE matter_id = %s ORDER BY id DESC",
                "SELECT * FROM matters_timelineentry WHERE matter_id = %s ORDER BY at DESC, id "
                "DESC LIMIT 100",
            ):
                c.execute(sql, [pk])
                c.fetchall()
        return 1

    return run


def _snapshot_sql(kind: str, user: Any, area_kind: str) -> Any:
    """What a precomputed page must read at least: the area it shows (the jurisdiction and
    its mechanism) and its snapshot row."""
    from django.db import connection

    from fuyuan.dashboard import snapshots
    from fuyuan.dashboard.area import area_from

    area = area_from(user, {}, default_kind=area_kind)
    key = snapshots.key_for(kind, user, area)

    def run() -> int:
        with connection.cursor() as c:
            c.execute("SELECT * FROM org_jurisdiction WHERE id = %s", [area.jurisdiction.pk])
            c.fetchall()
            c.execute(
                "SELECT * FROM org_mechanism WHERE jurisdiction_id = %s", [area.jurisdiction.pk]
            )
            c.fetchall()
            c.execute("SELECT payload FROM dashboard_figuresnapshot WHERE key = %s", [key])
            c.fetchall()
        return 1

    return run


def _with_base(hand: Any, session_key: str, user_id: int) -> Any:
    """What any signed-in page must read besides its rows: the session, the user, the
    user's roles and the header's unread count (four indexed lookups), then the page's own
    hand-written SQL."""
    from django.db import connection

    def run() -> int:
        with connection.cursor() as c:
            c.execute(
                "SELECT session_data FROM django_session WHERE session_key = %s", [session_key]
            )
            c.fetchall()
            c.execute("SELECT * FROM accounts_user WHERE id = %s", [user_id])
            c.fetchall()
            c.execute("SELECT * FROM accounts_roleassignment WHERE user_id = %s", [user_id])
            c.fetchall()
            # The header's count of unread messages, on every page.
            c.execute(
                "SELECT COUNT(*) FROM notify_inboxmessage WHERE user_id = %s AND read_at IS NULL",
                [user_id],
            )
            c.fetchall()
        return int(hand())

    return run


def _busiest_matter(user: Any) -> int:
    """A matter with the longest timeline among those the user sees."""
    from django.db.models import Count

    from fuyuan.matters.models import Matter

    row = (
        Matter.objects.visible_to(user)
        .annotate(n=Count("timeline"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[:1]
    )
    return next(iter(row))


def _measure_page(
    client: Any, url: str, reps: int, hand: Any, ctx: Context
) -> tuple[list[float], int, float, float, int]:
    from django.db import connection

    status = 0
    for _ in range(2):  # warm: templates, URL resolver, the page's snapshot
        status = client.get(url).status_code
    times = []
    db_times = []
    queries = 0
    for _ in range(reps):
        timer = _Timer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        status = response.status_code
        queries = timer.count
        db_times.append(timer.seconds)
    hand_times = []
    for _ in range(max(3, reps // 2)):
        started = time.perf_counter()
        hand()
        hand_times.append(time.perf_counter() - started)
    return times, queries, median(db_times), median(hand_times), status


def run(ctx: Context) -> list[Result]:
    from django.test import Client
    from django.utils import timezone

    from fuyuan.accounts.models import User

    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench_office"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    today = timezone.localdate()
    year = today.year
    kw_sql, kw_params = _keyword_subquery()
    matter_pk = _busiest_matter(user)
    pages = [
        ("ledger", "/matters/", _ledger_sql(user, today)),
        (
            "ledger, 3 filters + keyword",
            f"/matters/?state=in_progress&state=assigned&matter_type=key_issue&year={year}"
            f"&q={KEYWORD}",
            _ledger_sql(
                user,
                today,
                " AND m.state IN ('in_progress', 'assigned') AND m.matter_type = 'key_issue' "
                f"AND m.year = %s AND m.id IN ({kw_sql})",
                [year, *kw_params],
            ),
        ),
        ("matter page", f"/matters/m/{matter_pk}/", _matter_sql(matter_pk)),
        ("cockpit", "/dashboard/cockpit/", _snapshot_sql("cockpit", user, "year")),
        ("brief", "/dashboard/brief/", _snapshot_sql("brief", user, "month")),
    ]
    reps = ctx.reps(60, 8)
    results = []
    session_key = client.session.session_key
    for name, url, hand in pages:
        hand = _with_base(hand, session_key, user.pk)
        times, queries, db_s, hand_s, status = _measure_page(client, url, reps, hand, ctx)
        p95 = percentile(times, 95) * 1000
        ratio = db_s / hand_s if hand_s else None
        met = status == 200 and p95 <= P95_MS and queries <= MAX_QUERIES
        if ratio is not None:
            met = met and ratio <= MAX_SQL_RATIO
        results.append(
            Result(
                name=f"page: {name}",
                value=p95,
                unit="ms p95",
                baseline="hand-written SQL, ms (ratio: the page's SQL time ÷ it)",
                baseline_value=hand_s * 1000,
                ratio=ratio,
                target=(
                    f"p95 ≤ {P95_MS:.0f} ms, ≤ {MAX_QUERIES} queries, db ≤ {MAX_SQL_RATIO:.0f}× SQL"
                ),
                met=met if not ctx.quick else None,
                queries=queries,
                status="ok" if status == 200 else "error",
                detail=(
                    f"median {median(times) * 1000:.1f} ms, page SQL {db_s * 1000:.1f} ms"
                    if status == 200
                    else f"HTTP {status} for {url}"
                ),
                extra={
                    "url": url,
                    "median_ms": median(times) * 1000,
                    "db_ms": db_s * 1000,
                    "reps": reps,
                },
            )
        )
    # For the record: the dashboard pages computed live, as a page would without snapshots.
    for name, url in (("cockpit", "/dashboard/cockpit/"), ("brief", "/dashboard/brief/")):
        live_reps = ctx.reps(5, 2)
        times = []
        queries = 0
        from django.db import connection

        for _ in range(live_reps):
            timer = _Timer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(url + "?fresh=1")
                times.append(time.perf_counter() - started)
            queries = timer.count
        results.append(
            Result(
                name=f"page: {name} computed live",
                value=median(times) * 1000,
                unit="ms median",
                detail="for the record: what the snapshot saves (no target)",
                status="ok" if response.status_code == 200 else "error",
                extra={"queries_live": queries},
            )
        )
    return results
