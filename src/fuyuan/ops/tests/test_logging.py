"""Structured logs: the JSON formatter's fields, the request middleware's one line per request
(path without query string, status, duration, user id, request id) and the X-Request-ID
header, and the masking of identity numbers and passwords."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fuyuan.accounts.models import User
from fuyuan.ops.logging import JsonFormatter, RequestContextFilter, TextFormatter, request_context

ID_NUMBER = "41172119800101123X"


def _record(message: str, *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord("fuyuan.test", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_line_has_the_fields_and_masks_secrets():
    token = request_context.set({"request_id": "req-12345678", "method": "GET", "path": "/x/"})
    try:
        record = _record("查询 %s password=hunter2 done", ID_NUMBER)
        RequestContextFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_context.reset(token)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "fuyuan.test"
    assert entry["request_id"] == "req-12345678" and entry["path"] == "/x/"
    assert entry["time"].endswith("Z")
    assert ID_NUMBER not in line and "hunter2" not in line
    assert "[id-number]" in entry["message"] and "password=[redacted]" in entry["message"]
    assert "\n" not in line


def test_exceptions_are_one_line_of_json():
    try:
        raise ValueError(f"bad id {ID_NUMBER}")
    except ValueError:
        record = logging.LogRecord(
            "fuyuan.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "ValueError" in entry["exception"] and ID_NUMBER not in line


def test_text_lines_outside_a_request():
    line = TextFormatter().format(_record("plain"))
    assert "[-] plain" in line and "WARNING fuyuan.test" in line


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="fuyuan.request")
    return caplog


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "fuyuan.request"]


@pytest.mark.django_db
def test_one_line_per_request_without_the_query_string(request_log, client_for):
    client = client_for("city_office")
    response = client.get(f"/ops/health/?id_number={ID_NUMBER}&password=secret")
    assert response.status_code == 200
    lines = _request_lines(request_log)
    assert len(lines) == 1
    record = lines[0]
    assert (record.method, record.path, record.status) == ("GET", "/ops/health/", 200)
    assert record.duration_ms >= 0 and record.request_id == response["X-Request-ID"]
    line = JsonFormatter().format(record)
    assert ID_NUMBER not in line and "secret" not in line
    entry = json.loads(line)
    assert entry["path"] == "/ops/health/" and entry["status"] == 200
    # A page that loads the user logs its id.
    request_log.clear()
    client.get(reverse("home"))
    (home,) = _request_lines(request_log)
    assert home.user_id == User.objects.get(username="city_office").pk


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_others_replaced(request_log):
    client = Client()
    kept = client.get(reverse("ops:health"), HTTP_X_REQUEST_ID="nginx-5f2a9c1e7b")
    assert kept["X-Request-ID"] == "nginx-5f2a9c1e7b"
    for bad in ("short", "x" * 65, "has space in it", "abc\u4e2d\u6587defgh", "<script>alert</"):
        answer = client.get(reverse("ops:health"), HTTP_X_REQUEST_ID=bad)
        assert answer["X-Request-ID"] != bad and len(answer["X-Request-ID"]) == 32
    assert {r.request_id for r in _request_lines(request_log)} >= {"nginx-5f2a9c1e7b"}


@pytest.mark.django_db
def test_errors_are_logged_with_status(request_log, client_for):
    client_for("city_office").get(reverse("ops:queue"))
    (line,) = _request_lines(request_log)
    assert line.status == 403 and line.path == "/ops/queue/"


def test_the_request_log_is_quiet_in_tests_and_json_by_default():
    assert logging.getLogger("fuyuan.request").getEffectiveLevel() >= logging.WARNING
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.FUYUAN_LOG_FORMAT


def test_the_format_switch_is_checked():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.FUYUAN_LOG_FORMAT)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fuyuan.settings"}
    for value, expected in (("text", "text"), ("JSON", "json")):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "FUYUAN_LOG_FORMAT": value},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "FUYUAN_LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "FUYUAN_LOG_FORMAT" in bad.stderr
