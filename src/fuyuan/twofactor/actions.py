"""Every write of the second factor: one transaction, the write, the audit entry."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role
from fuyuan.audit.models import Outcome
from fuyuan.audit.record import record, snapshot

from . import gateway
from .models import Device, DeviceKind, FactorLock, RecoveryCode, SmsCode, SmsPurpose
from .policy import is_required
from .providers import (
    RECOVERY_COUNT,
    Check,
    check_sms_code,
    demo_sms,
    get,
    new_recovery_code,
    new_totp_secret,
    offered_for_enrolment,
    offered_for_verification,
    person_phone,
    primary_devices,
    recovery_hash,
    sms_hash,
    totp_match,
)


def _require_allowed(user: Any, provider: str) -> None:
    if provider not in {p.name for p in offered_for_enrolment(user)}:
        raise PermissionDenied(_("Your mechanism does not allow this second factor."))


# --- recovery codes ---------------------------------------------------------------------------
@transaction.atomic
def generate_recovery_codes(user: Any) -> list[str]:
    """A new set of ten codes; the old set (used or not) stops working. The codes are returned
    once, to be shown; only their keyed hashes are stored."""
    if not primary_devices(user):
        raise ValidationError(
            _("Enrol an authenticator app or SMS codes before recovery codes."), code="no_device"
        )
    dropped = RecoveryCode.objects.filter(user=user).delete()[0]
    codes: list[str] = []
    while len(codes) < RECOVERY_COUNT:
        code = new_recovery_code()
        if code not in codes:
            codes.append(code)
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [
            RecoveryCode(user=user, code_hash=recovery_hash(c), created_at=now, updated_at=now)
            for c in codes
        ]
    )
    record(
        user,
        "twofactor.recovery.generate",
        user,
        detail={"codes": len(codes), "replaced": dropped},
    )
    return codes


def _first_enrolment_codes(user: Any) -> list[str]:
    """Recovery codes come with the first device (shown once on the confirmation page)."""
    if RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
        return []
    return generate_recovery_codes(user)


# --- TOTP enrolment -----------------------------------------------------------------------
@transaction.atomic
def begin_totp(user: Any) -> Device:
    """A new, unconfirmed authenticator-app device with a fresh secret (any earlier unconfirmed
    one is dropped). It counts only after confirm_totp."""
    _require_allowed(user, "totp")
    Device.objects.filter(user=user, kind=DeviceKind.TOTP, confirmed_at__isnull=True).delete()
    device = Device.objects.create(
        user=user, kind=DeviceKind.TOTP, name=_("Authenticator app"), secret=new_totp_secret()
    )
    record(user, "twofactor.totp.begin", device, after=snapshot(device))
    return device


@dataclass
class Enrolment:
    device: Device
    recovery_codes: list[str] = field(default_factory=list)


@transaction.atomic
def confirm_totp(user: Any, device: Device, code: str) -> Enrolment:
    _require_allowed(user, "totp")
    device = Device.objects.select_for_update().get(
        pk=device.pk, user=user, kind=DeviceKind.TOTP, confirmed_at__isnull=True
    )
    totp = totp_match(device, code)
    if totp is None:
        raise ValidationError(
            _("The code does not match. Check the phone's clock and type the current code."),
            code="wrong_code",
        )
    before = snapshot(device)
    device.last_t = totp.t()
    device.drift = totp.drift
    device.confirmed_at = device.last_used_at = timezone.now()
    device.save(update_fields=["last_t", "drift", "confirmed_at", "last_used_at"])
    record(
        user,
        "twofactor.enrol",
        device,
        before=before,
        after=snapshot(device),
        detail={"provider": "totp"},
    )
    return Enrolment(device, _first_enrolment_codes(user))


# --- SMS ----------------------------------------------------------------------------------
@dataclass
class SentCode:
    sms: SmsCode
    # Only in the demo (DEBUG without a gateway): the code, to be shown on the page.
    demo_code: str = ""


def _check_send_rate(user: Any) -> None:
    now = timezone.now()
    recent = SmsCode.objects.filter(user=user)
    gap = datetime.timedelta(seconds=settings.FUYUAN_SMS_RESEND_SECONDS)
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < gap:
        wait = int((gap - (now - last)).total_seconds()) + 1
        raise ValidationError(
            _("A code was just sent. You may ask for another in %(s)s seconds.") % {"s": wait},
            code="too_soon",
        )
    hour = recent.filter(created_at__gt=now - datetime.timedelta(hours=1)).count()
    if hour >= settings.FUYUAN_SMS_MAX_PER_HOUR:
        raise ValidationError(
            _("Too many codes were sent in the last hour. Try again later or use another method."),
            code="too_many",
        )


def send_sms_code(user: Any, purpose: str) -> SentCode:
    """A new 6-digit code to the mobile number on file, sent at once. The row is written (and
    audited) whether the gateway accepted it or not, so refusals count towards the limits."""
    if purpose == SmsPurpose.ENROL:
        _require_allowed(user, "sms")
    else:
        if "sms" not in {p.name for p in offered_for_verification(user)}:
            raise PermissionDenied(_("SMS codes are not a second factor of yours."))
    phone = person_phone(user)
    if not phone:
        raise ValidationError(
            _("No mobile number is on file for you. Ask the system administrator to add it."),
            code="no_phone",
        )
    demo = demo_sms()
    if not demo and not settings.FUYUAN_SMS_GATEWAY_URL:
        raise ValidationError(_("The SMS gateway is not available."), code="no_gateway")
    with transaction.atomic():
        # One sender at a time per user: the rate check and the insert cannot interleave.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        _check_send_rate(user)
        code = f"{secrets.randbelow(10**6):06d}"
        salt = secrets.token_hex(16)
        ttl = settings.FUYUAN_SMS_CODE_TTL_SECONDS
        sms = SmsCode.objects.create(
            user=user,
            purpose=purpose,
            salt=salt,
            code_hash=sms_hash(salt, code),
            expires_at=timezone.now() + datetime.timedelta(seconds=ttl),
        )
    text = _(
        "Your verification code is %(code)s, valid for %(minutes)s minutes. "
        "If you did not ask for it, tell the security administrator."
    ) % {"code": code, "minutes": ttl // 60}
    if demo:
        ok, response = True, "demo: shown on the page, not sent"
    else:
        ok, response = gateway.send_text(phone, text)
    with transaction.atomic():
        sms.sent = ok
        sms.gateway_response = response[:500]
        sms.save(update_fields=["sent", "gateway_response"])
        record(
            user,
            "twofactor.sms.send",
            sms,
            outcome=Outcome.SUCCESS if ok else Outcome.FAILED,
            detail={"purpose": purpose, "demo": demo, "gateway": response[:200]},
        )
    if not ok:
        raise ValidationError(
            _("The SMS gateway did not accept the message. Try again or use another method."),
            code="gateway_refused",
        )
    return SentCode(sms, code if demo else "")


@transaction.atomic
def confirm_sms(user: Any, code: str) -> Enrolment:
    """Enrolment by SMS: the code sent for enrolment proves the number on file is the user's."""
    _require_allowed(user, "sms")
    result = check_sms_code(user, code, SmsPurpose.ENROL)
    if not result.ok:
        raise ValidationError(result.message, code=result.reason)
    device = Device.objects.filter(user=user, kind=DeviceKind.SMS).first()
    now = timezone.now()
    if device is None:
        device = Device(user=user, kind=DeviceKind.SMS)
    device.name = _("Mobile phone")
    device.confirmed_at = device.last_used_at = now
    device.save()
    record(user, "twofactor.enrol", device, after=snapshot(device), detail={"provider": "sms"})
    return Enrolment(device, _first_enrolment_codes(user))


# --- verification at sign-in --------------------------------------------------------------
@dataclass
class Verification:
    ok: bool
    message: str = ""
    locked_until: datetime.datetime | None = None
    recovery_left: int | None = None


def lock_of(user: Any) -> FactorLock | None:
    return FactorLock.objects.filter(user=user).first()


def locked_until(user: Any) -> datetime.datetime | None:
    lock = lock_of(user)
    return lock.locked_until if lock is not None and lock.is_locked() else None


def verify(user: Any, provider_name: str, code: str) -> Verification:
    """Answer a sign-in code. Every outcome is audited; after FUYUAN_SECOND_FACTOR_MAX_FAILURES
    failures in a row the second factor is locked for FUYUAN_SECOND_FACTOR_LOCK_MINUTES (a
    correct password does not reset the count, only a correct second factor does)."""
    with transaction.atomic():
        lock, _created = FactorLock.objects.select_for_update().get_or_create(user=user)
        if lock.is_locked():
            record(
                user,
                "twofactor.verify",
                user,
                outcome=Outcome.DENIED,
                detail={"provider": provider_name, "reason": "locked"},
            )
            return Verification(False, _("The second factor is locked."), lock.locked_until)
        provider = get(provider_name)
        if provider is None or provider_name not in {
            p.name for p in offered_for_verification(user)
        }:
            result = Check(False, "not_allowed", _("This method is not available to you."))
        else:
            result = provider.check(user, code)
        if result.ok:
            lock.failures = 0
            lock.locked_until = None
            lock.save(update_fields=["failures", "locked_until"])
            record(user, "twofactor.verify", user, detail={"provider": provider_name})
            left = None
            if provider_name == "recovery":
                left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                record(user, "twofactor.recovery.use", user, detail={"left": left})
            return Verification(True, recovery_left=left)
    # Outside the provider's transaction: a failed try is counted even if the check wrote
    # (an SMS code's wrong-try count) and is recorded in its own transaction.
    with transaction.atomic():
        lock = FactorLock.objects.select_for_update().get(user=user)
        lock.failures += 1
        record(
            user,
            "twofactor.verify",
            user,
            outcome=Outcome.FAILED,
            detail={"provider": provider_name, "reason": result.reason, "failures": lock.failures},
        )
        until = None
        if lock.failures >= settings.FUYUAN_SECOND_FACTOR_MAX_FAILURES:
            until = timezone.now() + datetime.timedelta(
                minutes=settings.FUYUAN_SECOND_FACTOR_LOCK_MINUTES
            )
            lock.failures = 0
            lock.locked_until = until
            record(
                user,
                "twofactor.locked",
                user,
                outcome=Outcome.DENIED,
                detail={"until": until.isoformat()},
            )
        lock.save(update_fields=["failures", "locked_until"])
    return Verification(False, result.message, until)


# --- managing devices ---------------------------------------------------------------------
@transaction.atomic
def remove_device(user: Any, device: Device) -> None:
    """A user removes one of their own devices; a user who must have a second factor keeps at
    least one. Without any device left, the recovery codes go too."""
    device = Device.objects.select_for_update().get(pk=device.pk, user=user)
    others = [d for d in primary_devices(user) if d.pk != device.pk]
    if device.confirmed and is_required(user) and not others:
        raise ValidationError(
            _("You must keep at least one second factor. Enrol another one first."),
            code="last_device",
        )
    before = snapshot(device)
    device.delete()
    record(
        user,
        "twofactor.device.remove",
        before=before,
        object_kind="twofactor.device",
        object_id=str(before["id"] if before else ""),
        object_repr=str(user),
    )
    if not Device.objects.filter(user=user, confirmed_at__isnull=False).exists():
        RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def reset(actor: Any, target: Any, reason: str = "") -> dict[str, int]:
    """The security administrator clears another user's second factor (lost phone, new
    number): devices, recovery codes, pending SMS codes and the lock. A user who must have a
    second factor enrols again at the next sign-in. Never one's own."""
    if not (actor.is_authenticated and actor.has_role(Role.SECURITY_ADMIN)):
        raise PermissionDenied(Role.SECURITY_ADMIN)
    if target.pk == actor.pk:
        raise PermissionDenied(_("Nobody may reset their own second factor."))
    counts = {
        "devices": Device.objects.filter(user=target).delete()[0],
        "recovery_codes": RecoveryCode.objects.filter(user=target).delete()[0],
        "sms_codes": SmsCode.objects.filter(user=target, used_at__isnull=True).delete()[0],
    }
    FactorLock.objects.filter(user=target).delete()
    record(actor, "twofactor.reset", target, detail={**counts, "reason": reason[:200]})
    return counts
