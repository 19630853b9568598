"""SMS codes through a real gateway on 127.0.0.1: enrolment and sign-in, the masked number,
expiry, one use, wrong tries, the resend limits, the demo notice."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.notify.tests.servers import http_server
from fuyuan.twofactor.models import Device, DeviceKind, SmsCode

from .helpers import HOME, VERIFY, code_in, give_phone, sign_in, sms_device

pytestmark = pytest.mark.django_db
SEND = reverse("twofactor:sms_send")


def accepted(request):
    return 200, {"code": 0, "msg": "accepted"}


@pytest.fixture
def gateway(enforced):
    with http_server(accepted) as server:
        enforced.FUYUAN_SMS_GATEWAY_URL = f"{server.url}/sms/send"
        enforced.FUYUAN_SMS_GATEWAY_USER = "fuyuan"
        enforced.FUYUAN_SMS_GATEWAY_PASSWORD = "secret"
        # A sign-in code is never held by the do-not-disturb window.
        enforced.FUYUAN_SMS_QUIET_HOURS = "00:00-23:59"
        yield server


def test_enrolment_by_sms_to_the_number_on_file(world, gateway):
    user = world.users["city_leader"]
    give_phone(user, "13912345678")
    client = Client()
    sign_in(client, "city_leader")
    page = client.get(reverse("twofactor:enrol_sms"))
    html = page.content.decode()
    assert "139****5678" in html and "13912345678" not in html
    response = client.post(SEND, {"purpose": "enrol", "next": "/"})
    assert response.status_code == 302
    assert len(gateway.requests) == 1
    sent = gateway.requests[0]
    assert sent.method == "POST" and sent.path == "/sms/send"
    assert sent.body["phone"] == "13912345678"
    assert sent.headers["Authorization"].startswith("Basic ")
    code = code_in(sent.body["content"])
    # Stored hashed: neither the code nor a plain digest of it is in the row.
    row = SmsCode.objects.get(user=user)
    assert code not in (row.code_hash, row.salt) and len(row.code_hash) == 64
    assert row.sent and row.purpose == "enrol"
    done = client.post(reverse("twofactor:enrol_sms"), {"code": code, "next": "/"})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert Device.objects.get(user=user, kind=DeviceKind.SMS).confirmed_at is not None
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(
        action="twofactor.enrol", actor=user, detail__provider="sms"
    ).exists()
    assert AuditEntry.objects.filter(action="twofactor.sms.send", actor=user).count() == 1


def test_sign_in_by_sms_one_use_and_wrong_tries(world, gateway):
    user = world.users["city_office"]
    sms_device(user)
    client = Client()
    assert sign_in(client, "city_office").url.startswith(VERIFY)
    page = client.get(VERIFY)
    assert page.context["provider"] == "sms" and "139****5678" in page.content.decode()
    # Nothing is sent until asked.
    assert gateway.requests == []
    client.post(SEND, {"purpose": "sign_in", "next": "/"})
    code = code_in(gateway.requests[-1].body["content"])
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(VERIFY, {"provider": "sms", "code": wrong})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(VERIFY, {"provider": "sms", "code": code})
    assert response.status_code == 302 and response.url == "/"
    assert client.get(HOME).status_code == 200
    # Used once: a second sign-in cannot reuse it.
    other = Client()
    sign_in(other, "city_office")
    assert other.post(VERIFY, {"provider": "sms", "code": code}).status_code == 200
    assert other.get(HOME).url.startswith(VERIFY)


def test_three_wrong_tries_kill_the_code(world, gateway, settings):
    user = world.users["city_office"]
    sms_device(user)
    client = Client()
    sign_in(client, "city_office")
    client.post(SEND, {"purpose": "sign_in"})
    code = code_in(gateway.requests[-1].body["content"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(settings.FUYUAN_SMS_CODE_MAX_ATTEMPTS):
        client.post(VERIFY, {"provider": "sms", "code": wrong})
    response = client.post(VERIFY, {"provider": "sms", "code": code})
    assert response.status_code == 200
    assert client.get(HOME).url.startswith(VERIFY)
    assert SmsCode.objects.get(user=user).attempts == settings.FUYUAN_SMS_CODE_MAX_ATTEMPTS


def test_a_code_expires_after_five_minutes(world, gateway):
    sms_device(world.users["city_office"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        sign_in(client, "city_office")
        client.post(SEND, {"purpose": "sign_in"})
        code = code_in(gateway.requests[-1].body["content"])
        clock.shift(datetime.timedelta(seconds=301))
        response = client.post(VERIFY, {"provider": "sms", "code": code})
        assert response.status_code == 200
        assert client.get(HOME).url.startswith(VERIFY)
    assert AuditEntry.objects.filter(
        action="twofactor.verify", outcome="failed", detail__reason="expired"
    ).exists()


def test_resend_once_a_minute_and_five_an_hour(world, gateway):
    sms_device(world.users["city_office"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        sign_in(client, "city_office")
        client.post(SEND, {"purpose": "sign_in"})
        client.post(SEND, {"purpose": "sign_in"})
        assert len(gateway.requests) == 1
        for _ in range(4):
            clock.shift(datetime.timedelta(seconds=61))
            client.post(SEND, {"purpose": "sign_in"})
        assert len(gateway.requests) == 5
        clock.shift(datetime.timedelta(seconds=61))
        response = client.post(SEND, {"purpose": "sign_in"}, follow=True)
        assert len(gateway.requests) == 5
        assert any(m.level_tag == "error" for m in response.context["messages"])
        # A resend replaces the code before: only the newest counts.
        first = code_in(gateway.requests[0].body["content"])
        last = code_in(gateway.requests[-1].body["content"])
        if first != last:
            assert client.post(VERIFY, {"provider": "sms", "code": first}).status_code == 200
        assert client.post(VERIFY, {"provider": "sms", "code": last}).status_code == 302
        # An hour after the first, a new one may go.
        clock.shift(datetime.timedelta(minutes=56))
        other = Client()
        sign_in(other, "city_office")
        other.post(SEND, {"purpose": "sign_in"})
        assert len(gateway.requests) == 6


def test_a_refusing_gateway_is_reported_and_recorded(world, enforced):
    sms_device(world.users["city_office"])
    with http_server(lambda r: (200, {"code": 17, "msg": "blacklisted"})) as server:
        enforced.FUYUAN_SMS_GATEWAY_URL = server.url
        client = Client()
        sign_in(client, "city_office")
        response = client.post(SEND, {"purpose": "sign_in"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    row = SmsCode.objects.get()
    assert not row.sent and "blacklisted" in row.gateway_response
    assert AuditEntry.objects.get(action="twofactor.sms.send").outcome == "failed"


def test_demo_shows_the_code_only_when_debug_is_on_and_no_gateway(world, enforced):
    sms_device(world.users["city_office"])
    enforced.DEBUG = True
    client = Client()
    sign_in(client, "city_office")
    client.post(SEND, {"purpose": "sign_in"})
    page = client.get(VERIFY + "?provider=sms")
    code = page.context["demo_code"]
    assert len(code) == 6 and code in page.content.decode()
    assert client.post(VERIFY, {"provider": "sms", "code": code}).url == "/"
    # DEBUG off and no gateway: nothing to show and nothing sent.
    enforced.DEBUG = False
    other = Client()
    sign_in(other, "city_office")
    response = other.post(SEND, {"purpose": "sign_in"}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert other.get(VERIFY + "?provider=sms").context["demo_code"] == ""
