"""Every write about access grants: a unit asks a provider for a dataset, the provider
approves or refuses, the requester withdraws, the provider revokes. Permission check (the
grant's workflow graph), one transaction, write, audit, and the other side told through the
outbox in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts import recipients
from fuyuan.accounts.models import Role
from fuyuan.accounts.permissions import relations_to
from fuyuan.audit.record import record, snapshot
from fuyuan.core.workflow import TransitionError
from fuyuan.org.models import Unit

from . import grant_workflow as gw
from .access import (
    DATASETS,
    acting_unit_ids,
    dataset_label,
    is_office_unit,
    provides,
)
from .models import AccessGrant, ApiClient, GrantState

REF_KIND = "exchange.grant"


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def grant_url(grant: AccessGrant) -> str:
    return reverse("exchange:grant_detail", args=[grant.pk])


def last_allowed_day(start: datetime.date) -> datetime.date:
    """A grant lasts at most a year: through the day before the same date a year later."""
    if start.year >= datetime.MAXYEAR:
        return datetime.date.max
    try:
        same_day = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        same_day = start.replace(year=start.year + 1, month=3, day=1)
    return same_day - datetime.timedelta(days=1)


# --- who is told ----------------------------------------------------------------------------
def unit_people(unit: Unit) -> list[Any]:
    """The people acting for a unit (court staff, liaison officers, and for the office of a
    joint meeting its office staff) — not the service users of its systems."""
    people = [
        *recipients.unit_users(unit, Role.COURT),
        *recipients.unit_users(unit, Role.LIAISON),
    ]
    if is_office_unit(unit):
        people += recipients.office_users(unit.jurisdiction_id)
    services = set(
        ApiClient.objects.filter(service_user_id__in=[u.pk for u in people]).values_list(
            "service_user_id", flat=True
        )
    )
    return [u for u in {u.pk: u for u in people}.values() if u.pk not in services]


def _notify(grant: AccessGrant, kind: str, people: list[Any], subject: str) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in people if u is not None and u.is_active]
    if not people:
        return
    notify(
        ref_kind=REF_KIND,
        ref_id=grant.pk,
        kind=kind,
        due_date=timezone.localdate(),
        recipients=people,
        subject=subject[:200],
        url=grant_url(grant),
    )
    kick_delivery()


def _tell_requester(grant: AccessGrant, kind: str, subject: str) -> None:
    _notify(grant, kind, [grant.requested_by, *unit_people(grant.requesting_unit)], subject)


# --- asking ---------------------------------------------------------------------------------
@transaction.atomic
def request_access(
    actor: Any,
    *,
    requesting_unit: Unit,
    provider_unit: Unit,
    dataset: str,
    purpose: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    legal_basis: str = "",
    personal_requested: bool = False,
) -> AccessGrant:
    """A unit's people (or its system) ask the provider to read a dataset for a purpose and a
    period of at most a year; personal fields only if asked (and the dataset has any)."""
    if requesting_unit.pk not in acting_unit_ids(actor):
        raise PermissionDenied("exchange.grant.request")
    found = DATASETS.get(dataset)
    if found is None:
        raise _error("dataset", _("Unknown dataset."), "grant.dataset_unknown")
    if provides(requesting_unit, dataset):
        raise _error(
            "requesting_unit",
            _("Your unit provides this dataset itself; it needs no grant."),
            "grant.own_data",
        )
    known = Unit.objects.visible_to(actor).filter(pk=provider_unit.pk).exists()
    if not provides(provider_unit, dataset) or not provider_unit.is_current or not known:
        raise _error(
            "provider_unit",
            _("%(unit)s does not provide %(dataset)s.")
            % {"unit": provider_unit.name, "dataset": found.label},
            "grant.not_provider",
        )
    purpose = (purpose or "").strip()
    if not purpose:
        raise _error("purpose", _("State the purpose."), "grant.purpose_required")
    if valid_to < valid_from:
        raise _error("valid_to", _("The end date is before the start date."), "grant.period_order")
    if valid_to > last_allowed_day(valid_from):
        raise _error("valid_to", _("A grant lasts at most one year."), "grant.period_too_long")
    if valid_to < timezone.localdate():
        raise _error("valid_to", _("The period is already over."), "grant.period_past")
    pending = AccessGrant.objects.filter(
        requesting_unit=requesting_unit,
        provider_unit=provider_unit,
        dataset=dataset,
        state=GrantState.REQUESTED,
    )
    if pending.exists():
        raise _error(
            None,
            _("Your unit already has a request for this dataset awaiting the provider."),
            "grant.pending_exists",
        )
    grant = AccessGrant.objects.create(
        dataset=dataset,
        requesting_unit=requesting_unit,
        provider_unit=provider_unit,
        purpose=purpose,
        legal_basis=(legal_basis or "").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        personal_requested=bool(personal_requested and found.personal),
        requested_by=actor,
    )
    record(actor, "exchange.grant.request", grant, after=snapshot(grant))
    _notify(
        grant,
        "exchange.grant.requested",
        unit_people(provider_unit),
        _("%(unit)s asks to read %(dataset)s")
        % {"unit": requesting_unit.name, "dataset": found.label},
    )
    return grant


# --- deciding -------------------------------------------------------------------------------
def _take(actor: Any, grant: AccessGrant, name: str, comment: str = "") -> None:
    """The graph's check: not the actor's to take → PermissionDenied (403); not in this state
    → TransitionError (409); a missing reason → ValidationError on `reason`."""
    transition = gw.GRANT_WORKFLOW.transition(name)
    relations = relations_to(actor, grant)
    if not transition.roles & relations:
        raise PermissionDenied(f"exchange.grant.{name}")
    try:
        gw.GRANT_WORKFLOW.check(name, grant.state, relations, comment=comment)
    except TransitionError as exc:
        if exc.code == "workflow.comment_required":
            raise _error("reason", _("Give the reason."), "grant.reason_required") from exc
        raise


def _save(grant: AccessGrant, fields: list[str], expected_version: int | None) -> None:
    if expected_version is not None:
        grant.save_checked(expected_version, fields)
    else:
        grant.save(update_fields=fields)


@transaction.atomic
def approve(
    actor: Any,
    grant: AccessGrant,
    *,
    personal_granted: bool = False,
    note: str = "",
    expected_version: int | None = None,
) -> AccessGrant:
    """The provider approves; personal fields only when the request asked for them."""
    _take(actor, grant, "approve")
    if personal_granted and not grant.personal_requested:
        raise _error(
            "personal_granted",
            _("Personal fields can be granted only when they were asked for."),
            "grant.personal_not_requested",
        )
    before = snapshot(grant)
    grant.state = GrantState.APPROVED
    grant.personal_granted = bool(personal_granted)
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.decision_note = (note or "").strip()
    _save(
        grant,
        ["state", "personal_granted", "decided_by", "decided_at", "decision_note"],
        expected_version,
    )
    record(actor, "exchange.grant.approve", grant, before=before, after=snapshot(grant))
    _tell_requester(
        grant,
        "exchange.grant.approved",
        _("%(provider)s approved your request for %(dataset)s")
        % {"provider": grant.provider_unit.name, "dataset": dataset_label(grant.dataset)},
    )
    return grant


@transaction.atomic
def refuse(
    actor: Any, grant: AccessGrant, *, reason: str, expected_version: int | None = None
) -> AccessGrant:
    """The provider refuses, giving the reason."""
    reason = (reason or "").strip()
    _take(actor, grant, "refuse", reason)
    before = snapshot(grant)
    grant.state = GrantState.REFUSED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.decision_note = reason
    _save(grant, ["state", "decided_by", "decided_at", "decision_note"], expected_version)
    record(actor, "exchange.grant.refuse", grant, before=before, after=snapshot(grant))
    _tell_requester(
        grant,
        "exchange.grant.refused",
        _("%(provider)s refused your request for %(dataset)s")
        % {"provider": grant.provider_unit.name, "dataset": dataset_label(grant.dataset)},
    )
    return grant


@transaction.atomic
def withdraw(actor: Any, grant: AccessGrant, *, expected_version: int | None = None) -> AccessGrant:
    """The requesting unit withdraws a request still awaiting the provider."""
    _take(actor, grant, "withdraw")
    before = snapshot(grant)
    grant.state = GrantState.WITHDRAWN
    grant.ended_by = actor
    grant.ended_at = timezone.now()
    _save(grant, ["state", "ended_by", "ended_at"], expected_version)
    record(actor, "exchange.grant.withdraw", grant, before=before, after=snapshot(grant))
    _notify(
        grant,
        "exchange.grant.withdrawn",
        unit_people(grant.provider_unit),
        _("%(unit)s withdrew its request for %(dataset)s")
        % {"unit": grant.requesting_unit.name, "dataset": dataset_label(grant.dataset)},
    )
    return grant


@transaction.atomic
def revoke(
    actor: Any, grant: AccessGrant, *, reason: str, expected_version: int | None = None
) -> AccessGrant:
    """The provider ends an approved grant before its period is over, giving the reason."""
    reason = (reason or "").strip()
    _take(actor, grant, "revoke", reason)
    before = snapshot(grant)
    grant.state = GrantState.REVOKED
    grant.ended_by = actor
    grant.ended_at = timezone.now()
    grant.end_reason = reason
    _save(grant, ["state", "ended_by", "ended_at", "end_reason"], expected_version)
    record(actor, "exchange.grant.revoke", grant, before=before, after=snapshot(grant))
    _tell_requester(
        grant,
        "exchange.grant.revoked",
        _("%(provider)s revoked your access to %(dataset)s")
        % {"provider": grant.provider_unit.name, "dataset": dataset_label(grant.dataset)},
    )
    return grant


def transition(actor: Any, grant: AccessGrant, name: str, **data: Any) -> AccessGrant:
    """The page's one entry: the named transition with the form's data."""
    if name == "approve":
        return approve(
            actor,
            grant,
            personal_granted=bool(data.get("personal_granted")),
            note=data.get("note", ""),
            expected_version=data.get("expected_version"),
        )
    if name == "refuse":
        return refuse(
            actor,
            grant,
            reason=data.get("reason", ""),
            expected_version=data.get("expected_version"),
        )
    if name == "withdraw":
        return withdraw(actor, grant, expected_version=data.get("expected_version"))
    if name == "revoke":
        return revoke(
            actor,
            grant,
            reason=data.get("reason", ""),
            expected_version=data.get("expected_version"),
        )
    raise TransitionError("workflow.unknown_transition", name)
