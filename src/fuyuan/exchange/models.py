"""Data exchange (notice 二(二) business collaboration and data sharing; DOMAIN.md §1
"Networks"): who may pull or push data by machine, what each unit may read of another's
datasets and why, and the trace of every pull and every file that crossed the gateway."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel


class Access(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


# The scope names of the API (resource × read/write), in the order the client form lists them.
SCOPE_RESOURCES: tuple[tuple[str, Any], ...] = (
    ("matters", _("Matters")),
    ("org", _("Organisation")),
    ("meetings", _("Meetings")),
    ("duallists", _("Dual lists")),
    ("liaison", _("Liaison letters")),
    ("litigation.cases", _("Administrative cases")),
    ("litigation.recommendations", _("Judicial recommendations")),
    ("enforcement.debtors", _("Debtor list")),
    ("enforcement.checks", _("Debtor checks")),
    ("enforcement.cases", _("Government-debtor cases")),
    ("bankruptcy", _("Bankruptcy")),
    ("risks", _("Risks")),
    ("imports", _("Imports (bulk pushes)")),
    ("exchange.grants", _("Access grants and pull log")),
)


class ClientState(models.TextChoices):
    """Separation of the administrators (三权分立): the system administrator creates a client
    and its service user without a role; the security administrator, who alone grants
    roles, confirms it (granting the service user its unit's role) or rejects it. Only a
    confirmed client gets tokens, and only its tokens are accepted."""

    PENDING = "pending", _("Awaiting the security administrator's confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class ApiClient(BaseModel):
    """A system of a unit that calls the API or drops files (the court's case system, a
    department's business system): a service user of that unit — whose role assignments
    decide what it may see and do, like a person's — narrowed by scopes
    (resource × read/write) and a rate limit. Created by the system administrator, its
    service user's role granted by the security administrator (`state`)."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="api_clients"
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    # {"matters": "read", "enforcement.checks": "write", …}: resource → Access.
    scopes = models.JSONField(_("scopes"), default=dict, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ClientState.choices, default=ClientState.PENDING
    )
    # The security administrator's decision (confirmation or rejection) and its reason.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("system client")
        verbose_name_plural = _("system clients")
        ordering = ["unit__order_no", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def allows(self, resource: str, *, write: bool) -> bool:
        given = (self.scopes or {}).get(resource)
        return given == Access.WRITE or (given == Access.READ and not write)

    @property
    def is_confirmed(self) -> bool:
        return self.state == ClientState.CONFIRMED

    @property
    def is_pending(self) -> bool:
        return self.state == ClientState.PENDING

    def may_act(self) -> bool:
        """Whether the client may call the API or drop files at all: active, confirmed by the
        security administrator, its service user active and still holding a role today."""
        user = self.service_user
        return bool(
            self.is_active and self.is_confirmed and user.is_active and user.active_assignments()
        )


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, at: Any = None) -> ApiTokenQuerySet:
        """Not revoked and not expired (whether or not its client is active)."""
        now = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def usable(self, at: Any = None) -> ApiTokenQuerySet:
        now = at or timezone.now()
        return self.filter(revoked_at__isnull=True, client__is_active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(BaseModel):
    """A bearer token of a system client. Only its SHA-256 is kept; the token is shown once,
    when issued. Rotation issues a new token and lets the old one live until `expires_at`
    (a grace period for the client to switch); revocation ends it at once."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("system client"), on_delete=models.CASCADE, related_name="tokens"
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    # The digest is as good as a password hash: kept out of the audit trail.
    personal_fields = ("digest",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    # The permission class asks the token (request.auth) what it allows.
    def allows(self, resource: str, *, write: bool) -> bool:
        return self.client.allows(resource, write=write)

    def is_usable(self, at: Any = None) -> bool:
        now = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class GrantState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


def _office_jurisdiction_q(scope: Any, *path_fields: str) -> Q:
    """Rows whose unit (any of `path_fields`) lies in a jurisdiction the user oversees as
    office staff."""
    from fuyuan.accounts.models import Role

    q = Q(pk__in=[])
    for path in scope.oversight.get(Role.OFFICE, ()):
        for path_field in path_fields:
            q |= Q(**{f"{path_field}__startswith": path})
    return q


class AccessGrantQuerySet(models.QuerySet["AccessGrant"]):
    def visible_to(self, user: Any) -> AccessGrantQuerySet:
        """The requesting unit's and the provider's people (and their systems) see a grant;
        office staff see every grant of the units in their jurisdiction."""
        from fuyuan.accounts.permissions import scope_for

        from .access import acting_unit_ids

        scope = scope_for(user)
        ids = sorted(acting_unit_ids(user))
        return self.filter(
            Q(requesting_unit_id__in=ids)
            | Q(provider_unit_id__in=ids)
            | _office_jurisdiction_q(
                scope, "requesting_unit__jurisdiction__path", "provider_unit__jurisdiction__path"
            )
        )

    def approved_on(self, day: Any) -> AccessGrantQuerySet:
        return self.filter(state=GrantState.APPROVED, valid_from__lte=day, valid_to__gte=day)


class AccessGrant(BaseModel):
    """A unit's request to read a provider's dataset (e.g. the court's debtor list) for a
    stated purpose and period, and the provider's decision. Without an approved grant in its
    period, a system client of another unit gets nothing of a purpose-bound dataset; personal
    fields stay masked unless `personal_granted`."""

    dataset = models.CharField(_("dataset"), max_length=60, db_index=True)
    requesting_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("requesting unit"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    provider_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="access_grants_given",
    )
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (last day)"))
    personal_requested = models.BooleanField(_("personal fields requested"), default=False)
    personal_granted = models.BooleanField(_("personal fields granted"), default=False)
    state = models.CharField(
        _("state"), max_length=12, choices=GrantState.choices, default=GrantState.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("reason given"), blank=True)
    # Withdrawal by the requester or revocation by the provider.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn or revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("withdrawn or revoked at"), null=True, blank=True)
    end_reason = models.TextField(_("reason for revocation"), blank=True)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="grant_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(personal_granted=False) | Q(personal_requested=True),
                name="grant_personal_only_if_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requesting_unit} → {self.dataset}"

    @property
    def dataset_label(self) -> str:
        from .access import dataset_label

        return dataset_label(self.dataset)

    def is_valid_on(self, day: Any) -> bool:
        return self.state == GrantState.APPROVED and self.valid_from <= day <= self.valid_to

    # --- permission layer ------------------------------------------------------------------
    def relations(self, scope: Any) -> set[str]:
        """requester: acts for the requesting unit; provider: acts for the provider."""
        from . import grant_workflow as gw
        from .access import scope_unit_ids

        ids = scope_unit_ids(scope)
        found = set()
        if self.requesting_unit_id in ids:
            found.add(gw.REQUESTER)
        if self.provider_unit_id in ids:
            found.add(gw.PROVIDER)
        return found

    @property
    def workflow(self) -> Any:
        from .grant_workflow import GRANT_WORKFLOW

        return GRANT_WORKFLOW

    @property
    def state_obj(self) -> Any:
        return self.workflow.state(self.state)


class Channel(models.TextChoices):
    API = "api", _("API")
    PACKAGE = "package", _("Export package")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def visible_to(self, user: Any) -> AccessLogQuerySet:
        """The provider's log: pulls served from the user's own unit's data (under a grant it
        gave, or by its own systems), and pulls of a dataset the unit provides by people or
        systems of the jurisdictions below it where no single provider was named; office
        staff see every pull by or from a unit of their jurisdiction."""
        from fuyuan.accounts.permissions import scope_for

        from .access import DATASETS, acting_units

        scope = scope_for(user)
        q = _office_jurisdiction_q(
            scope, "unit__jurisdiction__path", "provider_unit__jurisdiction__path"
        )
        for unit in acting_units(user):
            provided = [key for key, d in DATASETS.items() if unit.kind in d.provider_kinds]
            if not provided:
                continue
            q |= Q(provider_unit_id=unit.pk, dataset__in=provided)
            q |= Q(
                provider_unit__isnull=True,
                dataset__in=provided,
                unit__jurisdiction__path__startswith=unit.jurisdiction.path,
            )
        return self.filter(q)


class AccessLog(models.Model):
    """One pull of a purpose-bound dataset: who (client or person), which dataset, under which
    grant, with which filter, how many rows, when. Append-only; visible to the provider."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    dataset = models.CharField(_("dataset"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("system client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grant = models.ForeignKey(
        AccessGrant,
        verbose_name=_("access grant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pulls",
    )
    # Whose data was served: the grant's provider, or the client's own unit when it is a
    # provider; empty for a person's pull across the providers of their area.
    provider_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    personal_revealed = models.BooleanField(_("personal fields in clear"), default=False)
    path = models.CharField(_("path"), max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["dataset", "-at"], name="accesslog_dataset_at")]

    def __str__(self) -> str:
        return f"{self.dataset} {self.at:%Y-%m-%d %H:%M}"

    @property
    def dataset_label(self) -> str:
        from .access import dataset_label

        return dataset_label(self.dataset)

    @property
    def filter_text(self) -> str:
        """The filter as `name=value,value; …` for the log page."""
        parts = []
        for key, value in (self.filters or {}).items():
            shown = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts.append(f"{key}={shown}")
        return "; ".join(parts)


# Files that crossed the gateway (file drops and export packages) are in their own module.
from .transfer_models import DroppedFile, DropState, ExportPackage, PackageState  # noqa: E402

__all__ = [
    "AccessGrant",
    "AccessLog",
    "ApiClient",
    "ApiToken",
    "ClientState",
    "DropState",
    "DroppedFile",
    "ExportPackage",
    "PackageState",
]
