"""Delivery channels behind one interface: `channel.send(message) -> DeliveryResult`. E-mail
through Django's mail backend, SMS through the government gateway (with a do-not-disturb
window), work notifications in the shape of the 政务钉钉 / 企业微信 open-platform APIs. The
in-app inbox is written by `outbox.notify` itself. HTTP uses urllib: one JSON POST does not
justify a new dependency on an offline install."""

from __future__ import annotations

import base64
import datetime
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

from .models import Channel as ChannelName
from .models import OutboxMessage


@dataclass(frozen=True)
class DeliveryResult:
    """What a channel answered. `defer_until`: not sent, try again then (not a failure);
    `permanent`: retrying cannot help (no address)."""

    ok: bool
    response: str = ""
    defer_until: datetime.datetime | None = None
    permanent: bool = False


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.FUYUAN_SITE_URL}{url}"


def text_of(message: OutboxMessage) -> str:
    parts = [message.subject]
    if message.body:
        parts.append(message.body)
    if message.url:
        parts.append(absolute_url(message.url))
    return "\n".join(parts)


def _person(message: OutboxMessage) -> Any:
    user = message.recipient
    return getattr(user, "person", None) if user is not None else None


def _post_json(
    url: str, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    return _open(request)


def _open(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(  # URLs come from settings, not users
            request, timeout=settings.FUYUAN_HTTP_TIMEOUT_SECONDS
        ) as response:
            return response.status, response.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(4000).decode("utf-8", "replace")


class Channel:
    name: str = ""

    def send(self, message: OutboxMessage) -> DeliveryResult:
        raise NotImplementedError


class InboxChannel(Channel):
    """Already delivered: notify() writes the inbox row with the outbox row."""

    name = ChannelName.INBOX

    def send(self, message: OutboxMessage) -> DeliveryResult:
        return DeliveryResult(True, "inbox")


class EmailChannel(Channel):
    name = ChannelName.EMAIL

    def send(self, message: OutboxMessage) -> DeliveryResult:
        address = message.address or getattr(_person(message), "email", "")
        if not address:
            return DeliveryResult(False, "no e-mail address", permanent=True)
        count = send_mail(
            message.subject,
            text_of(message),
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
        return DeliveryResult(count == 1, f"accepted for {address}" if count else "not sent")


def parse_quiet_hours(value: str) -> tuple[datetime.time, datetime.time] | None:
    """ "22:00-07:00" → (22:00, 07:00); empty → no window."""
    if not value.strip():
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in value.split("-", 1))
    return start, end


def quiet_until(now: datetime.datetime, window: str) -> datetime.datetime | None:
    """When `now` falls in the do-not-disturb window, the (aware) moment it ends; else None.
    A window may wrap midnight (22:00-07:00)."""
    hours = parse_quiet_hours(window)
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now)
    t = local.time()
    wraps = start > end
    inside = (t >= start or t < end) if wraps else (start <= t < end)
    if not inside:
        return None
    day = local.date() + datetime.timedelta(days=1) if (wraps and t >= start) else local.date()
    return timezone.make_aware(datetime.datetime.combine(day, end))


class SmsChannel(Channel):
    """JSON POST {"phone", "content", "sign"} to the gateway with basic authentication; a
    2xx answer without a non-zero "code" counts as accepted."""

    name = ChannelName.SMS

    def send(self, message: OutboxMessage) -> DeliveryResult:
        held = quiet_until(timezone.now(), settings.FUYUAN_SMS_QUIET_HOURS)
        if held is not None:
            return DeliveryResult(False, "do-not-disturb window", defer_until=held)
        url = settings.FUYUAN_SMS_GATEWAY_URL
        if not url:
            return DeliveryResult(False, "SMS gateway not configured", permanent=True)
        phone = getattr(_person(message), "phone", "")
        if not phone:
            return DeliveryResult(False, "no mobile number", permanent=True)
        headers = {}
        if settings.FUYUAN_SMS_GATEWAY_USER:
            token = f"{settings.FUYUAN_SMS_GATEWAY_USER}:{settings.FUYUAN_SMS_GATEWAY_PASSWORD}"
            headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
        status, body = _post_json(
            url,
            {"phone": phone, "content": text_of(message), "sign": settings.FUYUAN_SMS_SIGN},
            headers,
        )
        ok = 200 <= status < 300
        if ok:
            try:
                answer = json.loads(body)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and answer.get("code") not in (None, 0, "0"):
                ok = False
        return DeliveryResult(ok, f"HTTP {status}: {body[:500]}")


TOKEN_CACHE_KEY = "fuyuan:notify:messenger-token"
# Open-platform error codes for a token that is invalid or has expired.
EXPIRED_TOKEN_CODES = {40001, 40014, 42001, 88}


class MessengerChannel(Channel):
    """Work notification (工作通知) in the open-platform shape: GET /gettoken?appkey&appsecret
    → {"errcode": 0, "access_token", "expires_in"} (cached until shortly before it expires),
    then POST /topapi/message/corpconversation/asyncsend_v2?access_token=… with the agent id,
    the recipient's messenger user id and a text message; errcode 0 means accepted."""

    name = ChannelName.MESSENGER
    token_path = "/gettoken"
    send_path = "/topapi/message/corpconversation/asyncsend_v2"

    def user_id(self, message: OutboxMessage) -> str:
        user = message.recipient
        if user is None:
            return message.address
        mapped: str = settings.FUYUAN_MESSENGER_USER_IDS.get(user.username, user.username)
        return mapped

    def token(self, *, refresh: bool = False) -> str:
        if not refresh:
            cached = cache.get(TOKEN_CACHE_KEY)
            if cached:
                return str(cached)
        query = urllib.parse.urlencode(
            {
                "appkey": settings.FUYUAN_MESSENGER_APPKEY,
                "appsecret": settings.FUYUAN_MESSENGER_APPSECRET,
            }
        )
        status, body = _open(
            urllib.request.Request(f"{settings.FUYUAN_MESSENGER_URL}{self.token_path}?{query}")
        )
        answer = json.loads(body) if 200 <= status < 300 else {}
        if answer.get("errcode") != 0 or not answer.get("access_token"):
            raise MessengerError(f"token: HTTP {status}: {body[:300]}")
        lifetime = int(answer.get("expires_in", 7200))
        cache.set(TOKEN_CACHE_KEY, answer["access_token"], timeout=max(60, lifetime - 300))
        return str(answer["access_token"])

    def send(self, message: OutboxMessage) -> DeliveryResult:
        if not settings.FUYUAN_MESSENGER_URL:
            return DeliveryResult(False, "messenger not configured", permanent=True)
        payload = {
            "agent_id": settings.FUYUAN_MESSENGER_AGENT_ID,
            "userid_list": self.user_id(message),
            "msg": {"msgtype": "text", "text": {"content": text_of(message)}},
        }
        try:
            status, body = self._send(payload, self.token())
            answer = _json_or_empty(body)
            if answer.get("errcode") in EXPIRED_TOKEN_CODES:
                status, body = self._send(payload, self.token(refresh=True))
                answer = _json_or_empty(body)
        except MessengerError as exc:
            return DeliveryResult(False, str(exc))
        ok = 200 <= status < 300 and answer.get("errcode") == 0
        return DeliveryResult(ok, f"HTTP {status}: {body[:500]}")

    def _send(self, payload: dict[str, Any], token: str) -> tuple[int, str]:
        query = urllib.parse.urlencode({"access_token": token})
        return _post_json(f"{settings.FUYUAN_MESSENGER_URL}{self.send_path}?{query}", payload)


class MessengerError(Exception):
    pass


def _json_or_empty(body: str) -> dict[str, Any]:
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


CHANNELS: dict[str, type[Channel]] = {
    ChannelName.INBOX: InboxChannel,
    ChannelName.EMAIL: EmailChannel,
    ChannelName.SMS: SmsChannel,
    ChannelName.MESSENGER: MessengerChannel,
}


def get_channel(name: str) -> Channel:
    return CHANNELS[name]()


def enabled_channels() -> tuple[str, ...]:
    """The channels a reminder goes out on: inbox and e-mail always, SMS and the messenger
    when their gateways are configured."""
    names: list[str] = [ChannelName.INBOX, ChannelName.EMAIL]
    if settings.FUYUAN_SMS_GATEWAY_URL:
        names.append(ChannelName.SMS)
    if settings.FUYUAN_MESSENGER_URL:
        names.append(ChannelName.MESSENGER)
    return tuple(names)
