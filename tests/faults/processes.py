"""Helpers for the fault tests: real child processes (`fuyuan db_worker`, `fuyuan scheduler`,
gunicorn) against the test database, started with the test settings' keys and always ended
by the test (SIGKILL, then reaped)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FUYUAN = [sys.executable, "-m", "fuyuan"]


def database_url(db: dict[str, Any] | None = None) -> str:
    db = db or connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: the test database and the test settings' keys,
    not a test run itself (PYTEST_VERSION dropped), output unbuffered for the test to read."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DATABASE_URL"}}
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        FUYUAN_DATA_KEYS=settings.FUYUAN_DATA_KEYS,
        FUYUAN_INDEX_KEY=settings.FUYUAN_INDEX_KEY,
        FUYUAN_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        FUYUAN_VAR_DIR=str(settings.VAR_DIR),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
        # The tests sign in with force_login, as the suite does (settings: off under tests).
        FUYUAN_SECOND_FACTOR_ENFORCED="0",
    )
    env.update(extra)
    return env


def wait_for(predicate: Callable[[], Any], seconds: float, step: float = 0.1) -> Any:
    """Poll until `predicate()` is truthy (returned) or `seconds` pass (None)."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(step)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Child:
    """A started process with its output in a file (read with `output()`)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            args, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process (only this one, by its id) and reap it."""
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=10)
        finally:
            self._out.close()


@contextmanager
def children() -> Iterator[Callable[..., Child]]:
    """Start children with `start(args, env, log)`; every one is killed when the block ends."""
    started: list[Child] = []

    def start(args: list[str], env: dict[str, str], log: Path) -> Child:
        child = Child(args, env, log)
        started.append(child)
        return child

    try:
        yield start
    finally:
        for child in started:
            child.kill()
