"""Structured logs: one JSON object per line (time, level, logger, message, and the request's
id, user id, method, path, status and duration when logged during a request), and the filter
that puts the current request's fields on every record.

This module is loaded by Django's logging configuration before the apps: it imports no model.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
from typing import Any

# The request being served (set by ops.middleware.RequestLogMiddleware).
request_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "fuyuan_request_context", default=None
)

FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms")
# Resident identity card numbers (18 characters, the last a digit or X) and password-like
# key=value pairs are masked in every message, whoever logged them.
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d{4}[0-9Xx](?![0-9A-Za-z])"
)
_SECRET_PAIR = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)([^\s&,;]+)"
)


def scrub(text: str) -> str:
    text = _ID_NUMBER.sub("[id-number]", text)
    return _SECRET_PAIR.sub(r"\1\2[redacted]", text)


class RequestContextFilter(logging.Filter):
    """Copies the current request's fields onto the record (empty outside a request), so every
    formatter can name them."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_context.get() or {}
        for name in FIELDS:
            if not hasattr(record, name):
                setattr(record, name, current.get(name, ""))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; empty fields are left out."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        current = request_context.get() or {}
        for name in FIELDS:
            value = getattr(record, name, None)
            if value in (None, ""):
                value = current.get(name)
            if value not in (None, ""):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for development: time, level, logger, [request id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        current = getattr(record, "request_id", "") or (request_context.get() or {}).get(
            "request_id", ""
        )
        record.request_id = current or "-"
        return scrub(super().format(record))
