"""Links between a government identity (issuer + subject) and a platform account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel


class SsoIdentityQuerySet(models.QuerySet["SsoIdentity"]):
    def visible_to(self, user: Any) -> SsoIdentityQuerySet:
        """The security administrator sees every link; anyone else only their own."""
        from fuyuan.accounts.models import Role

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_role(Role.SECURITY_ADMIN):
            return self.all()
        return self.filter(user_id=user.pk)


class SsoIdentity(BaseModel):
    """A person's identity at the government identity provider, linked to the platform account
    it signs in as. Made at the first sign-in by the username claim; later sign-ins find the
    account by (issuer, subject) only, so a renamed provider account keeps its link. SSO never
    creates accounts: the office provisions them and the security administrator confirms."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identities",
    )
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("subject at the identity provider"), max_length=255)
    username_at_link = models.CharField(_("username claim when linked"), max_length=150)
    linked_at = models.DateTimeField(_("linked at"))
    last_login_at = models.DateTimeField(_("last sign-in at"), null=True, blank=True)

    objects = SsoIdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on link")
        verbose_name_plural = _("single sign-on links")
        ordering = ["user__username", "issuer"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_subject"),
            # One identity per account and provider: a second identity claiming the same
            # username is refused instead of silently sharing the account.
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_identity_user_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.username_at_link}"
