"""Identity: who a human is (Person), what positions exist (Post), who may log in (User) and
which roles a login holds where and when (RoleAssignment)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core.fields import BlindIndexField, EncryptedTextField
from fuyuan.core.models import BaseModel


class Role(models.TextChoices):
    LEADER = "leader", _("Leader")
    OFFICE = "office", _("Office staff")
    LIAISON = "liaison", _("Liaison officer")
    COURT = "court", _("Court staff")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# The three administrators (三权分立): none may hold another's role, nor delegate.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that oversee a jurisdiction and everything below it.
JURISDICTION_ROLES = frozenset({Role.LEADER, Role.OFFICE})
# Roles that act for one unit (and its predecessors).
UNIT_ROLES = frozenset({Role.LIAISON, Role.COURT})
# Django admin is for reference data, kept by the system administrator only.
REFERENCE_DATA_APPS = frozenset({"org"})


def normalize_phone(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() or ch == "+")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(BaseModel):
    """A human the mechanism knows: a post holder, a liaison officer. May never log in."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_index = BlindIndexField(
        _("mobile phone index"), source="phone", normalize=normalize_phone
    )
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    personal_fields = ("phone", "phone_index")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    HEAD = "head", _("Head (principal)")
    EXECUTIVE_DEPUTY = "executive_deputy", _("Executive deputy head")
    DEPUTY = "deputy", _("Deputy head")
    LIAISON = "liaison", _("Liaison officer")
    STAFF = "staff", _("Staff")


class Post(BaseModel):
    """A position in a unit (市长, 局长, 联络员 …). Seats of the joint meeting are posts; the
    holder changes without any approval, the post stays."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts"
    )
    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    holder = models.ForeignKey(
        Person,
        verbose_name=_("holder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit__order_no", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.unit.short_name or self.unit.name}{self.title}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A login. What it may do comes only from its dated role assignments; there is no
    superuser flag (三权分立)."""

    username = models.CharField(_("username"), max_length=60, unique=True)
    display_name = models.CharField(_("display name"), max_length=60)
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    # --- roles ------------------------------------------------------------------------------
    def active_assignments(self, on: datetime.date | None = None) -> list[RoleAssignment]:
        day = on or timezone.localdate()
        cache: dict[datetime.date, list[RoleAssignment]] = self.__dict__.setdefault(
            "_assignment_cache", {}
        )
        if day not in cache:
            cache[day] = list(
                RoleAssignment.objects.active_on(day)
                .filter(user_id=self.pk)
                .select_related("jurisdiction", "unit")
            )
        return cache[day]

    def forget_roles(self) -> None:
        self.__dict__.pop("_assignment_cache", None)
        self.__dict__.pop("_scope_cache", None)

    def roles(self, on: datetime.date | None = None) -> set[str]:
        return {a.role for a in self.active_assignments(on)}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_staff(self) -> bool:
        """Django admin access: only the system administrator, for reference data."""
        return self.is_active and self.has_role(Role.SYSTEM_ADMIN)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        app_label = perm.split(".", 1)[0]
        return self.is_staff and app_label in REFERENCE_DATA_APPS

    def has_perms(self, perm_list: Any, obj: Any = None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff and app_label in REFERENCE_DATA_APPS


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: datetime.date) -> RoleAssignmentQuerySet:
        """Valid from `valid_from` through `valid_to` inclusive (the last day it holds)."""
        return (
            self.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .filter(user__is_active=True)
        )


class RoleAssignment(BaseModel):
    """A role held by a user for a jurisdiction or a unit over dates. Leave cover is a dated
    delegation: a copy of the delegator's assignment for another user, with `delegated_by`."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (last day)"), null=True, blank=True)
    delegated_by = models.ForeignKey(
        User,
        verbose_name=_("delegated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_given",
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments_granted",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user__username", "role", "valid_from"]
        indexes = [models.Index(fields=["user", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        where = self.unit or self.jurisdiction or ""
        return f"{self.user} · {self.get_role_display()} · {where}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)
