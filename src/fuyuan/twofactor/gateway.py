"""Sending a sign-in code through the government SMS gateway at once. The HTTP call and the
gateway's answer are those of notify's SmsChannel; its do-not-disturb hold does not apply (a
code asked for now is wanted now), and nothing goes through the outbox (a code must not sit
in a queue or be retried later)."""

from __future__ import annotations

import base64
import json
import urllib.error

from django.conf import settings

from fuyuan.notify.channels import _post_json


def send_text(phone: str, text: str) -> tuple[bool, str]:
    """(accepted, what the gateway said). Same request and reading as SmsChannel.send."""
    headers = {}
    if settings.FUYUAN_SMS_GATEWAY_USER:
        token = f"{settings.FUYUAN_SMS_GATEWAY_USER}:{settings.FUYUAN_SMS_GATEWAY_PASSWORD}"
        headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
    try:
        status, body = _post_json(
            settings.FUYUAN_SMS_GATEWAY_URL,
            {"phone": phone, "content": text, "sign": settings.FUYUAN_SMS_SIGN},
            headers,
        )
    except (urllib.error.URLError, OSError) as exc:
        return False, f"unreachable: {exc}"[:500]
    ok = 200 <= status < 300
    if ok:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if isinstance(answer, dict) and answer.get("code") not in (None, 0, "0"):
            ok = False
    return ok, f"HTTP {status}: {body[:450]}"
