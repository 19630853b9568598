"""Authorization matrix rows of the twofactor app. The suite runs with the second factor not
enforced (force_login sessions), so these rows are about who may use each page; enforcement
itself is tested in src/fuyuan/twofactor/tests/."""

from __future__ import annotations

from typing import Any

from .authz_matrix import Case, expect, only


def city_office_device(w: Any) -> Any:
    """A confirmed authenticator app of the city office (made once for the module's world)."""
    from django.utils import timezone

    from fuyuan.twofactor.models import Device, DeviceKind
    from fuyuan.twofactor.providers import new_totp_secret

    user = w.users["city_office"]
    device = Device.objects.filter(user=user, kind=DeviceKind.TOTP).first()
    if device is None:
        device = Device.objects.create(
            user=user,
            kind=DeviceKind.TOTP,
            secret=new_totp_secret(),
            confirmed_at=timezone.now(),
        )
    return device


TWOFACTOR_CASES: list[Case] = [
    # Nothing to verify (not enforced): on to the next page.
    Case("twofactor:verify", expect(302)),
    Case("twofactor:sms_send", expect(405)),
    # Not in the verification step: back to the page asked for.
    Case("twofactor:sms_send", expect(302), variant="post", method="post"),
    Case("twofactor:enrol", expect(200)),
    Case("twofactor:enrol_totp", expect(200)),
    Case("twofactor:enrol_totp", expect(302), variant="start", method="post"),
    Case("twofactor:enrol_sms", expect(200)),
    Case("twofactor:devices", expect(200)),
    Case(
        "twofactor:device_remove",
        expect(405),
        kwargs=lambda w: {"pk": city_office_device(w).pk},
    ),
    # Only one's own device; the city office keeps its last one (a message, no removal).
    Case(
        "twofactor:device_remove",
        expect(404, city_office=302),
        variant="post",
        method="post",
        kwargs=lambda w: {"pk": city_office_device(w).pk},
    ),
    Case("twofactor:recovery_codes", expect(200)),
    # New codes are shown at once to whoever has a device; the others are told to enrol first.
    Case(
        "twofactor:recovery_codes",
        expect(302, city_office=200),
        variant="regenerate",
        method="post",
        kwargs=lambda w: (city_office_device(w), {})[1],
    ),
    Case("twofactor:user_list", only(["security_admin"])),
    Case(
        "twofactor:reset",
        expect(405),
        kwargs=lambda w: {"pk": w.users["city_office"].pk},
    ),
    Case(
        "twofactor:reset",
        only(["security_admin"], ok=302),
        variant="post",
        method="post",
        kwargs=lambda w: {"pk": w.users["city_office"].pk},
        data=lambda w: {"reason": "matrix"},
    ),
]
