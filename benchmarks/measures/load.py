"""Load: gunicorn with 2 workers, as deployed (DEBUG off, persistent database connections,
figures precomputed), and 50 concurrent clients from wrk on 127.0.0.1 with no think time,
for 60 s (quick: 3 s) on a mix of the ledger, matter pages, the cockpit and the brief, signed
in as the generated city office member. Baseline, in the same run and with the same clients:
a view that does nothing behind the same middleware (benchmarks/bench_urls.py).

Targets: throughput ≥ 0.4× the trivial view's, p99 ≤ 500 ms, no error. With clients that
never pause, latency is concurrency ÷ throughput (Little's law): 50 clients at p99 ≤ 500 ms
need about 100 pages a second from two workers that share two cores with PostgreSQL and wrk.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Context, Result

CLIENTS = 50
WORKERS = 2
MIN_RATIO = 0.4
P99_MS = 500.0

LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session_cookie(user: Any) -> str:
    """A signed-in session for `user`, made the way `login()` makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from fuyuan.accounts.middleware import LAST_ACTIVITY

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LAST_ACTIVITY] = time.time()
    # Signed in with a second factor, as office members must be (fuyuan.twofactor).
    store["fuyuan_second_factor"] = "totp"
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _server_env(ctx: Context) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DATABASE_URL": ctx.database_url,
        "FUYUAN_TESTING": "0",
        "DEBUG": "0",
        "FUYUAN_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": settings.SECRET_KEY,
        "FUYUAN_DATA_KEYS": settings.FUYUAN_DATA_KEYS,
        "FUYUAN_INDEX_KEY": settings.FUYUAN_INDEX_KEY,
        "FUYUAN_VAR_DIR": str(ctx.scratch),
        "FUYUAN_FIGURES_MAX_AGE_SECONDS": "3600",
        "FUYUAN_ACTIVITY_GRANULARITY_SECONDS": "60",
    }


def _collectstatic(env: dict[str, str]) -> None:
    """Collected once, again only when the app's static files or the npm lock changed."""
    manifest = ROOT / "var" / "bench" / "static" / "staticfiles.json"
    sources = [ROOT / "package-lock.json", *(ROOT / "src" / "fuyuan").glob("**/static/**/*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    subprocess.run(
        [str(ROOT / ".venv/bin/fuyuan"), "collectstatic", "--noinput", "--verbosity", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        "fuyuan.wsgi:application",
    ]
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def _warm(port: int, cookie: str, paths: list[str]) -> None:
    """Every page once per worker (imports, templates, the figures' snapshots)."""
    import http.client

    for _ in range(WORKERS):
        for p in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", p, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise RuntimeError(f"warm-up: HTTP {response.status} for {p}")


def _wrk(port: int, cookie: str, paths: list[str], seconds: int, scratch: Path) -> dict[str, Any]:
    script = scratch / "mix.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    cmd = [
        "wrk",
        "-t2",
        f"-c{CLIENTS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Cookie: {cookie}",
        "-H",
        "Host: 127.0.0.1",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return _parse(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _parse(out: str) -> dict[str, Any]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rps": rps,
        "p50": p.get("50"),
        "p99": p.get("99"),
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0,
    }


def run(ctx: Context) -> list[Result]:
    from django.db.models import Count

    from fuyuan.accounts.models import User
    from fuyuan.matters.models import Matter

    if shutil.which("wrk") is None:
        return [
            Result(
                "load: page mix",
                None,
                "req/s",
                status="error",
                detail="wrk is not installed (make bench installs it)",
            )
        ]
    user = User.objects.get(username=os.environ.get("BENCH_USER", "bench_office"))
    cookie = _session_cookie(user)
    matters = list(
        Matter.objects.visible_to(user)
        .annotate(n=Count("timeline"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[:8]
    )
    mix = [
        "/matters/",
        *(f"/matters/m/{pk}/" for pk in matters[:4]),
        "/dashboard/cockpit/",
        "/matters/?o=deadline",
        *(f"/matters/m/{pk}/" for pk in matters[4:8]),
        "/dashboard/brief/",
    ]
    env = _server_env(ctx)
    _collectstatic(env)
    port = _free_port()
    log = ctx.scratch / "gunicorn.log"
    server = _start(env, port, log)
    seconds = 3 if ctx.quick else 60
    try:
        _warm(port, cookie, [*mix, "/__bench__/trivial/"])
        trivial = _wrk(port, cookie, ["/__bench__/trivial/"], seconds, ctx.scratch)
        pages = _wrk(port, cookie, mix, seconds, ctx.scratch)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = pages["non_2xx"] + pages["socket_errors"]
    ratio = pages["rps"] / trivial["rps"] if trivial["rps"] else None
    met = errors == 0 and ratio is not None and ratio >= MIN_RATIO and pages["p99"] <= P99_MS
    detail = f"{pages['requests']} requests, {errors} errors; p50 {pages['p50']:.0f} ms"
    if errors:
        print(log.read_text()[-3000:], file=sys.stderr)
    return [
        Result(
            "load: page mix, 50 clients",
            pages["rps"],
            "req/s",
            baseline="trivial view",
            baseline_value=trivial["rps"],
            ratio=ratio,
            target=f"≥ {MIN_RATIO}× trivial, p99 ≤ {P99_MS:.0f} ms, no errors",
            met=met if not ctx.quick else None,
            status="ok" if errors == 0 else "error",
            detail=detail,
            extra={"p99_ms": pages["p99"], "trivial": trivial, "pages": pages, "mix": mix},
        ),
        Result(
            "load: page mix p99",
            pages["p99"],
            "ms",
            target=f"≤ {P99_MS:.0f} ms",
            met=(pages["p99"] <= P99_MS) if not ctx.quick else None,
        ),
    ]
