"""What a user enrolled as a second factor, the SMS codes sent, the recovery codes issued and
the failed-try counter that locks the second factor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core.fields import EncryptedTextField
from fuyuan.core.models import BaseModel


class DeviceKind(models.TextChoices):
    TOTP = "totp", _("Authenticator app (TOTP)")
    SMS = "sms", _("SMS code")


class Device(BaseModel):
    """A second factor a user enrolled: an authenticator app (its TOTP secret, encrypted) or
    the mobile number on file (an SMS device holds no number: codes go to the person's current
    mobile phone). Counts only once confirmed with a first code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="second_factor_devices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    # TOTP: the shared key as hex, SM4-encrypted at rest.
    secret = EncryptedTextField(_("secret"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # TOTP: the last accepted time step (a code of that step or earlier is refused) and the
    # clock drift learnt from the last accepted code, in steps.
    last_t = models.BigIntegerField(default=-1)
    drift = models.SmallIntegerField(default=0)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    personal_fields = ("secret",)

    class Meta:
        verbose_name = _("second-factor device")
        verbose_name_plural = _("second-factor devices")
        ordering = ["user_id", "kind", "pk"]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class SmsPurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in")
    ENROL = "enrol", _("Enrolment")


class SmsCode(BaseModel):
    """One SMS code sent to a user: stored as a keyed HMAC-SM3 of a salt and the code, valid
    for a few minutes, used once, dead after a few wrong tries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="second_factor_sms_codes",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=SmsPurpose.choices)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    sent = models.BooleanField(_("accepted by the gateway"), default=False)
    gateway_response = models.CharField(_("gateway response"), max_length=500, blank=True)

    personal_fields = ("salt", "code_hash")

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, max_attempts: int) -> bool:
        return (
            self.used_at is None
            and self.sent
            and self.expires_at > timezone.now()
            and self.attempts < max_attempts
        )


class RecoveryCode(BaseModel):
    """One of the ten one-time codes a user keeps on paper: a keyed HMAC-SM3 of the code;
    regenerating deletes the old set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="second_factor_recovery_codes",
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    personal_fields = ("code_hash",)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        ordering = ["user_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code_hash"], name="twofactor_recovery_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class FactorLock(BaseModel):
    """Consecutive failed second-factor tries of a user and, after too many, the time until
    which the second factor (and so the sign-in) is locked. A password success does not reset
    it: only a second-factor success or the end of the lock does."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="second_factor_lock",
    )
    failures = models.PositiveSmallIntegerField(_("failed tries"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor lock")
        verbose_name_plural = _("second-factor locks")

    def __str__(self) -> str:
        return str(self.user)

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()
