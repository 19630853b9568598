"""Fault: the database goes away while the platform serves requests, and comes back.

In-process (every database): an OperationalError from a view, from the session read of an
inner middleware, or on an API path, answers 503 "service temporarily unavailable" in Chinese
with Retry-After — rendered without the database or the session — and the error is logged.

With a real server (PostgreSQL pass): a THROWAWAY PostgreSQL cluster (`initdb` in a temporary
folder, another port, run as the postgres user; never the machine's server) holding a copy of
the test database, and a real gunicorn serving the app against it. The cluster is restarted
between two requests: the next request is served at once (CONN_HEALTH_CHECKS: the kept,
now dead connection is replaced). The cluster is stopped while requests keep coming: every
answer is the 503 page (or a page served before the stop), never a 500 or a dropped
connection. Started again, the SAME gunicorn worker process serves pages again, no restart."""

from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from .processes import child_env, children, free_port, wait_for

PG_BIN = Path("/usr/lib/postgresql/15/bin")
UNAVAILABLE = "服务暂时不可用"
# A page that needs the session, the user and a query of its own: the inbox.
INBOX = "/notify/"


def _db_down_view(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


urlpatterns = [
    path("down/", _db_down_view),
    path("api/v1/down/", _db_down_view),
    path("", include("fuyuan.urls")),
]


def _assert_unavailable_page(response) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert UNAVAILABLE in body and "请稍后重试" in body
    assert "csrfmiddlewaretoken" not in body
    return body


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_error_in_a_view_answers_503_in_chinese_without_the_database(caplog) -> None:  # type: ignore[no-untyped-def]
    # No django_db mark: any use of the database in answering would fail the request.
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING, logger="fuyuan.core.middleware"):
        response = client.get("/down/")
    _assert_unavailable_page(response)
    assert response["Content-Language"] == "zh-hans"
    assert "database unavailable: GET /down/ answered 503 (OperationalError" in caplog.text

    api = client.get("/api/v1/down/")
    assert (api.status_code, api["Retry-After"]) == (503, "30")
    assert api.json()["code"] == "service.unavailable"
    assert UNAVAILABLE in api.json()["message"]

    english = Client(raise_request_exception=False)
    english.cookies["django_language"] = "en"
    page = english.get("/down/")
    assert page.status_code == 503
    assert "Service temporarily unavailable" in page.content.decode()


@pytest.mark.django_db
def test_the_session_store_failing_in_a_middleware_answers_503(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    client.force_login(world.users["city_office"])
    assert client.get(INBOX).status_code == 200

    def refuse(self):  # type: ignore[no-untyped-def]
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", refuse)
    _assert_unavailable_page(client.get(INBOX))
    monkeypatch.undo()
    assert client.get(INBOX).status_code == 200


@pytest.mark.django_db
def test_a_mistake_in_a_query_stays_a_server_error() -> None:
    """Only the database being away is a 503: an error of the query itself is a 500."""
    from django.db import ProgrammingError

    from fuyuan.core.middleware import database_unavailable

    with pytest.raises((OperationalError, ProgrammingError)) as caught, connection.cursor() as c:
        c.execute("SELECT no_such_column FROM accounts_user")
    assert not database_unavailable(caught.value)
    assert database_unavailable(OperationalError("connection refused"))


# --- a throwaway cluster and a real gunicorn ---------------------------------------------------
def _as_postgres(args: list[str], **kwargs):  # type: ignore[no-untyped-def]
    """Run a PostgreSQL binary as the postgres user (initdb refuses root)."""
    command = args if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(command, check=True, capture_output=True, timeout=60, **kwargs)


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data = folder / "data"

    def init(self) -> None:
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
            " -c fsync=off -c full_page_writes=off"
        )
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.folder / "server.log"),
                "-w",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def running(self) -> bool:
        status = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return status.returncode == 0


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="fuyuan-pg-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    pg = Cluster(folder, free_port())
    pg.init()
    pg.start()
    try:
        yield pg
    finally:
        if pg.running():
            pg.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _copy_test_database(pg: Cluster, name: str) -> None:
    """The test database (migrated, with the world and a session) copied into the cluster."""
    db = connection.settings_dict
    source = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", name],
        check=True,
        timeout=30,
    )
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), *source, "-U", db.get("USER") or "postgres", "-Fc", db["NAME"]],
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(
        [
            str(PG_BIN / "pg_restore"),
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-U",
            "postgres",
            "--no-owner",
            "-d",
            name,
        ],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _get(port: int, target: str, cookie: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", target, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def _workers_of(master_pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(pid) for pid in text)
    return found


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_restarted_database_gives_503_pages_then_the_same_process_serves_again(
    world, cluster, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    signed_in = Client()
    signed_in.force_login(world.users["city_office"])
    cookie = f"sessionid={signed_in.cookies['sessionid'].value}"
    _copy_test_database(cluster, "fuyuan_fault")
    web_port = free_port()
    env = child_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{cluster.port}/fuyuan_fault",
        FUYUAN_VAR_DIR=str(tmp_path),
    )
    gunicorn = [
        str(Path(sys.executable).parent / "gunicorn"),
        "fuyuan.wsgi",
        "-b",
        f"127.0.0.1:{web_port}",
        "-w",
        "1",
        "--timeout",
        "60",
    ]
    with children() as start:
        server = start(gunicorn, env, tmp_path / "gunicorn.log")

        def home() -> tuple[int, dict[str, str], str]:
            return _get(web_port, INBOX, cookie)

        def serving() -> bool:
            try:
                return home()[0] == 200
            except OSError:
                return False

        assert wait_for(serving, 45, step=0.3), server.output()
        workers = _workers_of(server.pid)
        assert len(workers) == 1, workers

        # 1. Restarted between two requests: the kept connection is dead, the next request is
        # served at once all the same (the health check replaces it).
        status, _headers, body = home()
        assert status == 200 and "府院联动" in body
        cluster.stop("fast")
        cluster.start()
        status, _headers, body = home()
        assert status == 200, body[:2000]

        # 2. Stopped while requests keep coming: each answer is a page or the 503 page.
        answers: list[tuple[int, str]] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                code, headers, text = home()
                answers.append((code, headers.get("retry-after", "")))
                if code not in (200, 503):
                    answers.append((code, text[:3000]))

        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            time.sleep(0.5)
            cluster.stop("immediate")
            time.sleep(1.5)
        finally:
            stop.set()
            thread.join(timeout=60)
        assert answers and {code for code, _ in answers} <= {200, 503}, answers
        assert answers[-1] == (503, "30"), answers[-5:]

        status, headers, body = home()
        assert (status, headers["retry-after"], headers["cache-control"]) == (503, "30", "no-store")
        assert UNAVAILABLE in body and "<form" not in body
        assert f"database unavailable: GET {INBOX} answered 503" in server.output()
        status, headers, body = _get(web_port, "/api/v1/matters/", cookie)
        assert status == 503 and json.loads(body)["code"] == "service.unavailable"
        assert server.alive()

        # 3. Started again: the same worker process serves pages, nothing restarted.
        cluster.start()
        status, _headers, body = home()
        assert status == 200, body[:2000]
        assert _get(web_port, "/api/v1/matters/", cookie)[0] == 200
        assert _workers_of(server.pid) == workers and server.alive()
        assert "Booting worker" in server.output()
        assert server.output().count("Booting worker") == 1
