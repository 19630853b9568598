"""The security administrator's reset (never one's own), the lock after too many failed
codes, and device removal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fuyuan.audit.models import AuditEntry
from fuyuan.twofactor import actions
from fuyuan.twofactor.models import Device, FactorLock, RecoveryCode

from .helpers import ENROL, HOME, VERIFY, code_for, sign_in, totp_device, verified_client

pytestmark = pytest.mark.django_db


def test_the_security_administrator_resets_another_users_second_factor(world, enforced):
    target = world.users["city_office"]
    device = totp_device(target)
    actions.generate_recovery_codes(target)
    admin = world.users["security_admin"]
    totp_device(admin)
    client = verified_client(admin)
    page = client.get(reverse("twofactor:user_list"))
    assert page.status_code == 200
    row = next(u for u in page.context["page"] if u.pk == target.pk)
    assert row.totp == 1 and row.recovery_left == 10
    # A reason is required.
    client.post(reverse("twofactor:reset", args=[target.pk]), {"reason": ""})
    assert Device.objects.filter(pk=device.pk).exists()
    response = client.post(
        reverse("twofactor:reset", args=[target.pk]), {"reason": "手机遗失，本人来电申请"}
    )
    assert response.status_code == 302
    assert not Device.objects.filter(user=target).exists()
    assert not RecoveryCode.objects.filter(user=target).exists()
    entry = AuditEntry.objects.get(action="twofactor.reset")
    assert entry.actor == admin and entry.object_id == str(target.pk)
    assert entry.detail["devices"] == 1 and entry.detail["recovery_codes"] == 10
    assert entry.detail["reason"] == "手机遗失，本人来电申请"
    # The user enrols again at the next sign-in.
    other = Client()
    assert sign_in(other, "city_office").url.startswith(ENROL)


def test_nobody_resets_their_own_and_only_the_security_administrator_resets(world, enforced):
    admin = world.users["security_admin"]
    own = totp_device(admin)
    client = verified_client(admin)
    response = client.post(reverse("twofactor:reset", args=[admin.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert Device.objects.filter(pk=own.pk).exists()
    target = world.users["city_office"]
    theirs = totp_device(target)
    for name in ("system_admin", "audit_admin", "city_office", "city_leader"):
        user = world.users[name]
        totp_device(user) if name != "city_office" else None
        assert (
            verified_client(user)
            .post(reverse("twofactor:reset", args=[target.pk]), {"reason": "x"})
            .status_code
            == 403
        ), name
    assert Device.objects.filter(pk=theirs.pk).exists()
    assert not AuditEntry.objects.filter(action="twofactor.reset").exists()


def test_five_failed_codes_lock_signing_in_even_after_a_correct_password(world, enforced, settings):
    user = world.users["city_office"]
    device = totp_device(user)
    start = timezone.now()
    wrong = "000000" if code_for(device, start.timestamp()) != "000000" else "111111"
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        sign_in(client, "city_office")
        for _ in range(settings.FUYUAN_SECOND_FACTOR_MAX_FAILURES - 1):
            assert client.post(VERIFY, {"provider": "totp", "code": wrong}).status_code == 200
        # Signing in again with the password does not reset the count.
        client = Client()
        sign_in(client, "city_office")
        last = client.post(VERIFY, {"provider": "totp", "code": wrong})
        assert last.status_code == 302 and last.url == reverse("accounts:login")
        # The half-signed-in session is over.
        assert client.get(HOME).url.startswith(reverse("accounts:login"))
        lock = FactorLock.objects.get(user=user)
        assert lock.is_locked()
        assert AuditEntry.objects.filter(action="twofactor.locked", actor=user).exists()
        # Locked: even the right code does not help, and the session ends again.
        again = Client()
        sign_in(again, "city_office")
        response = again.get(VERIFY)
        assert response.status_code == 302 and response.url == reverse("accounts:login")
        minutes = settings.FUYUAN_SECOND_FACTOR_LOCK_MINUTES
        clock.shift(datetime.timedelta(minutes=minutes, seconds=1))
        later = Client()
        sign_in(later, "city_office")
        ok = later.post(VERIFY, {"provider": "totp", "code": code_for(device, time_now())})
        assert ok.url == "/"
    assert (
        AuditEntry.objects.filter(action="twofactor.verify", actor=user, outcome="failed").count()
        == settings.FUYUAN_SECOND_FACTOR_MAX_FAILURES
    )


def time_now() -> float:
    import time

    return time.time()


def test_a_required_user_keeps_at_least_one_device(world, enforced):
    user = world.users["city_office"]
    device = totp_device(user)
    client = verified_client(user)
    client.post(reverse("twofactor:device_remove", args=[device.pk]))
    assert Device.objects.filter(pk=device.pk).exists()
    second = totp_device(user)
    client.post(reverse("twofactor:device_remove", args=[device.pk]))
    assert not Device.objects.filter(pk=device.pk).exists()
    assert Device.objects.filter(pk=second.pk).exists()
    assert AuditEntry.objects.filter(action="twofactor.device.remove", actor=user).count() == 1


def test_an_optional_user_may_remove_the_last_device_and_its_recovery_codes_go(world, enforced):
    user = world.users["hrss_liaison"]
    device = totp_device(user)
    actions.generate_recovery_codes(user)
    client = verified_client(user)
    client.post(reverse("twofactor:device_remove", args=[device.pk]))
    assert not Device.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert sign_in(Client(), "hrss_liaison").url == "/"


def test_someone_elses_device_is_not_found(world, enforced):
    device = totp_device(world.users["city_office"])
    totp_device(world.users["city_leader"])
    client = verified_client(world.users["city_leader"])
    assert client.post(reverse("twofactor:device_remove", args=[device.pk])).status_code == 404
