"""Builders of the second-factor tests: sign in through the real login page, a TOTP code for
a device at a given moment, a confirmed device made as test set-up."""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from fuyuan.accounts.models import Person
from fuyuan.testing import PASSWORD
from fuyuan.twofactor import SESSION_KEY
from fuyuan.twofactor.models import Device, DeviceKind
from fuyuan.twofactor.providers import new_totp_secret

HOME = reverse("home")
VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def code_for(device: Device, at: float | None = None, steps: int = 0) -> str:
    totp = TOTP(bytes.fromhex(device.secret), step=30, digits=6)
    totp.time = (at if at is not None else time.time()) + steps * 30
    return f"{totp.token():06d}"


def totp_device(user: Any) -> Device:
    """A confirmed authenticator app (set-up; enrolment itself is tested through the pages)."""
    return Device.objects.create(
        user=user,
        kind=DeviceKind.TOTP,
        name="app",
        secret=new_totp_secret(),
        confirmed_at=timezone.now(),
    )


def sms_device(user: Any, phone: str = "13912345678") -> Device:
    give_phone(user, phone)
    return Device.objects.create(user=user, kind=DeviceKind.SMS, confirmed_at=timezone.now())


def give_phone(user: Any, phone: str) -> None:
    user.person = Person.objects.create(name=user.username, phone=phone)
    user.save(update_fields=["person"])


def verified_client(user: Any, provider: str = "totp") -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = provider
    session.save()
    return client


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)
