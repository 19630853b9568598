"""The authenticator app: enrolment with a QR code (inline SVG without styles) and a first
code, then sign-in codes with one step of drift, never the same step twice."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.twofactor import SESSION_KEY
from fuyuan.twofactor.models import Device, RecoveryCode

from .helpers import ENROL, HOME, VERIFY, code_for, sign_in, totp_device

pytestmark = pytest.mark.django_db


def test_enrolment_shows_a_qr_code_and_the_key_and_counts_after_the_first_code(world, enforced):
    user = world.users["city_office"]
    client = Client()
    sign_in(client, "city_office")
    # Setting up is a POST (a GET writes nothing).
    assert client.get(reverse("twofactor:enrol_totp")).status_code == 200
    assert not Device.objects.filter(user=user).exists()
    response = client.post(reverse("twofactor:enrol_totp"), {"start": "1", "next": "/"})
    assert response.status_code == 302
    device = Device.objects.get(user=user)
    assert device.confirmed_at is None
    page = client.get(response.url)
    html = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg is not None
    # The CSP forbids inline styles: the QR code carries none.
    assert "style" not in svg.group(0)
    # The key for manual entry, in groups of four (base32 of the 20-byte secret).
    from fuyuan.twofactor.providers import totp_key_b32, totp_uri

    key = totp_key_b32(device)
    assert " ".join(key[i : i + 4] for i in range(0, len(key), 4)) in html
    assert totp_uri(device).startswith("otpauth://totp/")
    # The secret is stored encrypted, not as the hex the app is given.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM twofactor_device WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert device.secret not in stored
    # Not yet a device: the rest of the platform is still closed.
    assert client.get(HOME).url.startswith(ENROL)
    wrong = client.post(reverse("twofactor:enrol_totp"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 200 and wrong.context["form"].non_field_errors()
    device.refresh_from_db()
    assert device.confirmed_at is None
    done = client.post(
        reverse("twofactor:enrol_totp"), {"code": code_for(device), "next": "/matters/"}
    )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert client.session[SESSION_KEY] == "totp"
    assert client.get(HOME).status_code == 200
    entry = AuditEntry.objects.get(action="twofactor.enrol", actor=user)
    assert entry.detail == {"provider": "totp"} and entry.object_id == str(device.pk)
    assert "[redacted]" in str(entry.after)
    assert AuditEntry.objects.filter(action="twofactor.recovery.generate", actor=user).exists()


def test_sign_in_code_with_one_step_of_drift_and_never_the_same_step_twice(world, enforced):
    user = world.users["city_leader"]
    device = totp_device(user)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        now = start.timestamp()
        client = Client()
        response = sign_in(client, "city_leader")
        assert response.url.startswith(VERIFY)
        page = client.get(VERIFY)
        assert page.status_code == 200 and page.context["provider"] == "totp"
        # Two steps behind: too far.
        refused = client.post(VERIFY, {"provider": "totp", "code": code_for(device, now, -2)})
        assert refused.status_code == 200 and refused.context["form"].non_field_errors()
        assert client.get(HOME).url.startswith(VERIFY)
        # One step behind (a phone a little slow): accepted.
        ok = client.post(VERIFY, {"provider": "totp", "code": code_for(device, now, -1)})
        assert ok.status_code == 302 and ok.url == "/"
        assert client.get(HOME).status_code == 200
        assert client.session[SESSION_KEY] == "totp"

        # The same code again in another sign-in: refused (replay).
        other = Client()
        sign_in(other, "city_leader")
        replay = other.post(VERIFY, {"provider": "totp", "code": code_for(device, now, -1)})
        assert replay.status_code == 200
        # The current step is newer than the one used: accepted once.
        assert other.post(VERIFY, {"provider": "totp", "code": code_for(device, now)}).url == "/"
        third = Client()
        sign_in(third, "city_leader")
        same_step = third.post(VERIFY, {"provider": "totp", "code": code_for(device, now)})
        assert same_step.status_code == 200
        clock.shift(datetime.timedelta(seconds=30))
        later = code_for(device, now + 30)
        assert third.post(VERIFY, {"provider": "totp", "code": later}).url == "/"
    outcomes = list(
        AuditEntry.objects.filter(action="twofactor.verify", actor=user)
        .order_by("seq")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["failed", "success", "failed", "success", "failed", "success"]
    failed = AuditEntry.objects.filter(action="twofactor.verify", outcome="failed").first()
    assert failed.detail["provider"] == "totp" and failed.detail["reason"] == "wrong_code"


def test_malformed_and_wrong_codes_are_refused(world, enforced):
    device = totp_device(world.users["city_office"])
    client = Client()
    sign_in(client, "city_office")
    for code in ("abcdef", "12345", "1234567", "000000" if code_for(device) != "000000" else "1"):
        response = client.post(VERIFY, {"provider": "totp", "code": code})
        assert response.status_code == 200, code
    assert client.get(HOME).url.startswith(VERIFY)
