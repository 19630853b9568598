"""Second-factor providers behind one interface, and their registry.

A provider has a `name` (stored in the session flag when it verified the session), a `setting`
(the value of the mechanism's `second_factors` setting that allows it; None for the recovery
codes, which back up whatever primary factor is allowed), and says whether a user can enrol
it here. `check(user, code)` answers a code; writes it needs (the TOTP step, an SMS code's
tries) happen inside the calling action's transaction (actions.py), which audits.

To add a provider (a certificate key, say): write a class with these attributes and methods,
`register()` it, and let the enrolment page link to its own enrolment view.
"""

from __future__ import annotations

import base64
import secrets
import string
import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.oath import TOTP

from fuyuan.core.crypto import blind_index, constant_time_equal
from fuyuan.core.masking import mask_phone

from .models import Device, DeviceKind, RecoveryCode, SmsCode, SmsPurpose


@dataclass(frozen=True)
class Check:
    """The answer to a code: ok, or why not (shown to the user, recorded in the audit)."""

    ok: bool
    reason: str = ""
    message: str = ""


class Provider(Protocol):
    name: str
    setting: str | None
    label: Any  # a lazy translation
    enrollable: bool

    def available(self, user: Any) -> bool:
        """Whether this user can use the provider here at all (a number on file, a gateway)."""

    def check(self, user: Any, code: str) -> Check:
        """Answer a sign-in code."""


_REGISTRY: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    _REGISTRY[provider.name] = provider
    return provider


def get(name: str) -> Provider | None:
    return _REGISTRY.get(name)


def registered() -> list[Provider]:
    return list(_REGISTRY.values())


def digits_only(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


# --- TOTP -------------------------------------------------------------------------------------
TOTP_STEP = 30
TOTP_DIGITS = 6
# One step either way: a phone's clock a little off, or a code typed as it changes.
TOTP_TOLERANCE = 1


def new_totp_secret() -> str:
    return secrets.token_hex(20)


def totp_key_b32(device: Device) -> str:
    return base64.b32encode(bytes.fromhex(device.secret)).decode().rstrip("=")


def totp_uri(device: Device) -> str:
    issuer = settings.FUYUAN_TOTP_ISSUER
    label = urllib.parse.quote(f"{issuer}:{device.user.username}")
    query = urllib.parse.urlencode(
        {
            "secret": totp_key_b32(device),
            "issuer": issuer,
            "digits": TOTP_DIGITS,
            "period": TOTP_STEP,
            "algorithm": "SHA1",
        },
        quote_via=urllib.parse.quote,
    )
    return f"otpauth://totp/{label}?{query}"


def totp_qr_svg(device: Device) -> str:
    """The provisioning URI as an inline SVG: only presentation attributes, no style (CSP)."""
    import segno

    qr = segno.make(totp_uri(device), error="m")
    return str(qr.svg_inline(scale=5, dark="#000", light="#fff", svgclass="totp-qr", title=""))


def totp_match(device: Device, code: str) -> TOTP | None:
    """The TOTP state matching the code (one step of drift either way, never a step already
    used), else None. The caller stores `t()` and `drift` on success."""
    code = digits_only(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    key = bytes.fromhex(device.secret)
    totp = TOTP(key, step=TOTP_STEP, digits=TOTP_DIGITS, drift=device.drift)
    if totp.verify(int(code), tolerance=TOTP_TOLERANCE, min_t=device.last_t + 1):
        return totp
    return None


class TotpProvider:
    name: str = "totp"
    setting: str | None = "totp"
    label: Any = gettext_lazy("Authenticator app (TOTP)")
    enrollable: bool = True

    def available(self, user: Any) -> bool:
        return True

    def check(self, user: Any, code: str) -> Check:
        for device in Device.objects.select_for_update().filter(
            user=user, kind=DeviceKind.TOTP, confirmed_at__isnull=False
        ):
            totp = totp_match(device, code)
            if totp is not None:
                device.last_t = totp.t()
                device.drift = totp.drift
                device.last_used_at = timezone.now()
                device.save(update_fields=["last_t", "drift", "last_used_at"])
                return Check(True)
        return Check(False, "wrong_code", _("The code is wrong or was already used."))


# --- SMS --------------------------------------------------------------------------------------
def person_phone(user: Any) -> str:
    person = getattr(user, "person", None)
    return str(getattr(person, "phone", "") or "") if person is not None else ""


def masked_phone(user: Any) -> str:
    return mask_phone(person_phone(user))


def demo_sms() -> bool:
    """`make run` without a gateway: the code is shown on the page (never when DEBUG is off)."""
    return bool(settings.DEBUG and not settings.FUYUAN_SMS_GATEWAY_URL)


def sms_hash(salt: str, code: str) -> str:
    return blind_index(f"twofactor.sms:{salt}:{code}")


def latest_sms_code(user: Any, purpose: str) -> SmsCode | None:
    return (
        SmsCode.objects.select_for_update()
        .filter(user=user, purpose=purpose, sent=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def check_sms_code(user: Any, code: str, purpose: str) -> Check:
    """Only the newest code sent counts (a resend replaces the one before)."""
    sms = latest_sms_code(user, purpose)
    if sms is None or sms.used_at is not None:
        return Check(False, "no_code", _("No code was sent, or it was used. Send a new code."))
    if sms.expires_at <= timezone.now():
        return Check(False, "expired", _("The code has expired. Send a new code."))
    limit = settings.FUYUAN_SMS_CODE_MAX_ATTEMPTS
    if sms.attempts >= limit:
        return Check(False, "too_many", _("Too many wrong codes. Send a new code."))
    code = digits_only(code)
    if not constant_time_equal(sms_hash(sms.salt, code), sms.code_hash):
        SmsCode.objects.filter(pk=sms.pk).update(attempts=F("attempts") + 1)
        if sms.attempts + 1 >= limit:
            return Check(False, "too_many", _("Too many wrong codes. Send a new code."))
        return Check(False, "wrong_code", _("The code is wrong."))
    sms.used_at = timezone.now()
    sms.save(update_fields=["used_at"])
    return Check(True)


class SmsProvider:
    name: str = "sms"
    setting: str | None = "sms"
    label: Any = gettext_lazy("SMS code")
    enrollable: bool = True

    def available(self, user: Any) -> bool:
        return bool(person_phone(user)) and bool(settings.FUYUAN_SMS_GATEWAY_URL or demo_sms())

    def check(self, user: Any, code: str) -> Check:
        result = check_sms_code(user, code, SmsPurpose.SIGN_IN)
        if result.ok:
            Device.objects.filter(
                user=user, kind=DeviceKind.SMS, confirmed_at__isnull=False
            ).update(last_used_at=timezone.now())
        return result


# --- recovery codes ---------------------------------------------------------------------------
RECOVERY_COUNT = 10
# No 0/O, 1/I/L: codes are copied from paper.
RECOVERY_ALPHABET = "".join(
    ch for ch in string.ascii_uppercase + string.digits if ch not in "01OIL"
)
RECOVERY_LENGTH = 10


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def recovery_hash(code: str) -> str:
    return blind_index(f"twofactor.recovery:{normalize_recovery_code(code)}")


class RecoveryProvider:
    name: str = "recovery"
    setting: str | None = None
    label: Any = gettext_lazy("Recovery code")
    enrollable: bool = False

    def available(self, user: Any) -> bool:
        return RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists()

    def check(self, user: Any, code: str) -> Check:
        normalized = normalize_recovery_code(code)
        if len(normalized) != RECOVERY_LENGTH:
            return Check(False, "wrong_code", _("The recovery code is wrong or was already used."))
        # A conditional UPDATE: two requests racing with one code cannot both win.
        used = RecoveryCode.objects.filter(
            user=user, code_hash=recovery_hash(normalized), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used != 1:
            return Check(False, "wrong_code", _("The recovery code is wrong or was already used."))
        return Check(True)


register(TotpProvider())
register(SmsProvider())
register(RecoveryProvider())


# --- what a user has and may use ----------------------------------------------------------
def allowed_primary(user: Any) -> list[Provider]:
    """Registered primary providers the user's mechanisms allow (whether enrolled or not)."""
    from .policy import allowed_mechanisms

    allowed = allowed_mechanisms(user)
    return [p for p in registered() if p.setting is not None and p.setting in allowed]


def primary_devices(user: Any) -> list[Device]:
    """Confirmed devices of providers the user's mechanisms allow."""
    names = {p.name for p in allowed_primary(user)}
    if not names:
        return []
    return list(
        Device.objects.filter(user=user, confirmed_at__isnull=False, kind__in=sorted(names))
    )


def offered_for_verification(user: Any) -> list[Provider]:
    kinds = {d.kind for d in primary_devices(user)}
    offered = [p for p in allowed_primary(user) if p.name in kinds]
    recovery = get("recovery")
    if offered and recovery is not None and recovery.available(user):
        offered.append(recovery)
    return offered


def offered_for_enrolment(user: Any) -> list[Provider]:
    return [p for p in allowed_primary(user) if p.enrollable]
