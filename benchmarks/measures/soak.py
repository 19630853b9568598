"""Soak: 50 concurrent users for 5 minutes (quick: 8 s) on a read-and-write mix, against
gunicorn with 2 workers as deployed, on the benchmark database. Afterwards every write the
server acknowledged is looked for in the database: zero errors and zero lost or doubled
writes are the target.

The users: a third are office members who read the ledger and matter pages and urge lead
units (催办: a timeline entry, an audit entry and notifications each), a third are liaison
officers who read their matters and autosave a progress report draft on a matter of their
own (each client its own matter, so the drafts never contend), and a third are leaders
reading the cockpit and the brief. Every written text carries the run's tag, the client and
a sequence number, so the check afterwards is exact.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks.common import Context, Result, percentile
from benchmarks.measures.load import (
    WORKERS,
    _collectstatic,
    _free_port,
    _server_env,
    _session_cookie,
    _start,
    _warm,
)

USERS = 50
SECONDS = 300
QUICK_SECONDS = 8
WRITE_SHARE = 0.25


@dataclass
class Client:
    """One simulated user: a session, what it reads, what it may write."""

    n: int
    role: str
    cookie: str
    csrf: str
    reads: list[str]
    write_path: str = ""
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)


def _request(conn: http.client.HTTPConnection, method: str, path: str, c: Client, body: str = ""):
    headers = {"Host": "127.0.0.1", "Cookie": f"{c.cookie}; csrftoken={c.csrf}"}
    if method == "POST":
        headers |= {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": c.csrf,
            "HX-Request": "true",
        }
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _drive(c: Client, port: int, tag: str, until: float, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seq = 0
    while time.time() < until:
        write = bool(c.write_path) and rng.random() < WRITE_SHARE
        if write:
            seq += 1
            text = f"{tag} c{c.n} #{seq}"
            method, path, body = "POST", c.write_path, urllib.parse.urlencode({"text": text})
        else:
            method, path, body = "GET", rng.choice(c.reads), ""
        t0 = time.perf_counter()
        try:
            status = _request(conn, method, path, c, body)
        except (OSError, http.client.HTTPException) as exc:
            c.failures.append(f"{method} {path}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        c.latencies.append((time.perf_counter() - t0) * 1000)
        c.statuses[status] += 1
        if status >= 400:
            c.failures.append(f"{method} {path}: HTTP {status}")
        elif write:
            c.acknowledged.append(text)
        # A person, not a load generator: a short pause between pages.
        time.sleep(rng.uniform(0.05, 0.3))
    conn.close()


def _clients(tag: str) -> list[Client]:
    from django.contrib.auth import get_user_model

    from fuyuan.accounts.permissions import can
    from fuyuan.matters.models import Matter

    users = get_user_model().objects
    office = users.get(username="bench_office")
    liaison = users.get(username="bench_liaison")
    leader = users.get(username="bench_leader")

    urgeable = [
        m.pk
        for m in Matter.objects.visible_to(office).order_by("-pk")[:400]
        if can(office, "urge", m)
    ]
    own = [
        m.pk
        for m in Matter.objects.visible_to(liaison).order_by("-pk")[:600]
        if can(liaison, "feedback", m)
    ]
    per_role = USERS // 3 + 1
    if len(urgeable) < per_role or len(own) < per_role:
        raise RuntimeError(
            f"soak needs {per_role} matters to urge and to report on "
            f"(found {len(urgeable)} and {len(own)})"
        )
    clients = []
    for n in range(USERS):
        role = ("office", "liaison", "leader")[n % 3]
        csrf = secrets.token_hex(16)  # a 32-character secret, as Django's cookie holds
        if role == "office":
            pk = urgeable[n // 3]
            reads = ["/matters/", "/matters/?o=deadline", f"/matters/m/{pk}/"]
            c = Client(n, role, _session_cookie(office), csrf, reads, f"/matters/m/{pk}/urge/")
        elif role == "liaison":
            pk = own[n // 3]
            reads = ["/matters/", f"/matters/m/{pk}/", "/"]
            c = Client(n, role, _session_cookie(liaison), csrf, reads, f"/matters/m/{pk}/feedback/")
        else:
            reads = ["/dashboard/cockpit/", "/dashboard/brief/", "/"]
            c = Client(n, role, _session_cookie(leader), csrf, reads)
        clients.append(c)
    return clients


def _account(clients: list[Client], tag: str) -> tuple[int, list[str]]:
    """Look for every acknowledged write; returns (found, problems)."""
    from fuyuan.audit.models import AuditEntry
    from fuyuan.matters.models import Feedback, TimelineEntry

    problems: list[str] = []
    urged = Counter(
        TimelineEntry.objects.filter(kind="urge", text__startswith=tag).values_list(
            "text", flat=True
        )
    )
    audited = Counter(
        t["text"]
        for t in AuditEntry.objects.filter(
            action="matters.matter.urge", detail__text__startswith=tag
        ).values_list("detail", flat=True)
    )
    found = 0
    for c in clients:
        if c.role == "office":
            for text in c.acknowledged:
                if urged[text] != 1 or audited[text] != 1:
                    problems.append(f"{text}: {urged[text]} timeline, {audited[text]} audit")
                else:
                    found += 1
            extra = {t for t in urged if t.startswith(f"{tag} c{c.n} #")} - set(c.acknowledged)
            # A write the server committed but whose answer the client never read (a dropped
            # connection) is not lost; it is reported so a failure can be explained.
            problems += [f"{t}: stored but not acknowledged" for t in sorted(extra)]
        elif c.role == "liaison" and c.acknowledged:
            pk = int(c.write_path.split("/")[3])
            drafts = list(Feedback.objects.filter(matter_id=pk, text__startswith=f"{tag} c{c.n} #"))
            if len(drafts) != 1 or drafts[0].text != c.acknowledged[-1]:
                problems.append(
                    f"c{c.n}: {len(drafts)} drafts, last {drafts[-1].text if drafts else None!r}"
                    f" against {c.acknowledged[-1]!r}"
                )
            else:
                found += len(c.acknowledged)
    return found, problems


def run(ctx: Context) -> list[Result]:
    tag = f"soak-{int(time.time())}"
    clients = _clients(tag)
    env = _server_env(ctx)
    _collectstatic(env)
    port = _free_port()
    log = ctx.scratch / "gunicorn-soak.log"
    server = _start(env, port, log)
    # SOAK_SECONDS runs the full soak on the quick data too (benchmarks/README in docs).
    seconds = int(os.environ.get("SOAK_SECONDS") or (QUICK_SECONDS if ctx.quick else SECONDS))
    try:
        _warm(port, clients[0].cookie, clients[0].reads)
        _warm(port, clients[2].cookie, clients[2].reads)
        until = time.time() + seconds
        threads = [
            threading.Thread(target=_drive, args=(c, port, tag, until, 7919 * (c.n + 1)))
            for c in clients
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    requests = sum(sum(c.statuses.values()) for c in clients)
    failures = [f for c in clients for f in c.failures]
    writes = sum(len(c.acknowledged) for c in clients)
    found, problems = _account(clients, tag)
    latencies = [ms for c in clients for ms in c.latencies]
    p99 = percentile(latencies, 99) if latencies else None
    ok = not failures and not problems and writes > 0
    if not ok:
        print("\n".join((failures + problems)[:20]), file=sys.stderr)
        print(log.read_text()[-3000:], file=sys.stderr)
    detail = (
        f"{USERS} users, {seconds} s, {WORKERS} workers: {requests} requests, "
        f"{len(failures)} errors; {writes} writes acknowledged, {found} found once, "
        f"{len(problems)} unaccounted"
    )
    extra: dict[str, Any] = {
        "requests": requests,
        "errors": len(failures),
        "writes": writes,
        "found": found,
        "problems": problems[:20],
        "p99_ms": p99,
        "statuses": dict(sum((c.statuses for c in clients), Counter())),
    }
    return [
        Result(
            f"soak: {USERS} users, read and write",
            len(failures) + len(problems),
            "errors",
            target="0 errors, every acknowledged write stored once",
            met=ok,
            status="ok" if ok else "error",
            detail=detail,
            extra=extra,
        )
    ]
