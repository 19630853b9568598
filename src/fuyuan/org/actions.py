"""Every write of the org app: permission check, one transaction, write, audit (ARCHITECTURE
rule 4). Views, forms and the Django admin call these; none of them saves a model itself."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Person, Post, PostKind, Role
from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.identifiers import IdentifierError, parse_court_code, parse_credit_code

from .models import (
    SEAT_ROLE_ORDER,
    Jurisdiction,
    JurisdictionLevel,
    ListKind,
    Mechanism,
    MembershipChange,
    MembershipChangeKind,
    Seat,
    SeatRole,
    TaskArea,
    Unit,
    UnitKind,
)
from .queries import liaison_post_of
from .settings_schema import (
    ADMIN_CASE_OUTCOMES,
    LOSS_DENOMINATORS,
    OPTIONAL_STEPS,
    SECOND_FACTORS,
    MechanismSettings,
)
from .workflow import MEMBERSHIP_CHANGE

# The fields of a unit a form or the admin may set (credit_code_override comes with its rule).
UNIT_FIELDS = (
    "name",
    "short_name",
    "kind",
    "jurisdiction",
    "order_no",
    "credit_code",
    "court_code",
    "valid_from",
    "valid_to",
    "successor",
    "address",
    "phone",
)
_UNIT_FK_FIELDS = {"jurisdiction", "successor"}
# Codes of a credit code that is well formed but fails a check: a warning a user may override.
CREDIT_CODE_WARNING_CODES = frozenset({"uscc.checksum", "uscc.org_checksum"})
# Post title given to a liaison post created on the fly; data, as the notice names it.
LIAISON_POST_TITLE = "联络员"

JURISDICTION_FIELDS = (
    "name",
    "short_name",
    "code",
    "stat_code",
    "level",
    "order",
    "runs_own_mechanism",
)
SETTINGS_INT_FIELDS = (
    "warn_days_before_deadline",
    "yellow_card_points",
    "red_card_points",
    "reds_for_formal_talk",
    "minutes_due_working_days",
    "recommendation_reply_days",
    "appearance_target_percent",
    "hearing_record_auto_confirm_days",
    "liaison_reply_days",
    "hearing_reminder_days",
    "loss_risk_min_cases",
    "loss_risk_red_percent",
    "loss_risk_orange_percent",
    "loss_risk_yellow_percent",
    "new_cases_red",
    "new_cases_orange",
    "new_cases_yellow",
)
PERCENT_FIELDS = (
    "appearance_target_percent",
    "loss_risk_red_percent",
    "loss_risk_orange_percent",
    "loss_risk_yellow_percent",
)


def _is_system_admin(actor: Any) -> bool:
    return Role.SYSTEM_ADMIN in scope_for(actor).roles


def may_create_units(actor: Any) -> bool:
    """Office staff (somewhere) and the system administrator may add units."""
    scope = scope_for(actor)
    return Role.SYSTEM_ADMIN in scope.roles or bool(scope.oversight.get(Role.OFFICE))


def may_create_unit_in(actor: Any, jurisdiction: Jurisdiction) -> bool:
    scope = scope_for(actor)
    return Role.SYSTEM_ADMIN in scope.roles or scope.oversees(jurisdiction.path, Role.OFFICE)


def _add(errors: dict[str, list[ValidationError]], field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _current_value(unit: Unit, name: str) -> Any:
    if name in _UNIT_FK_FIELDS:
        return getattr(unit, name) if getattr(unit, f"{name}_id") else None
    return getattr(unit, name)


# --- units ------------------------------------------------------------------------------------
def check_unit_data(
    unit: Unit, data: Mapping[str, Any], override_reason: str = ""
) -> dict[str, Any]:
    """Validate the values for `unit` (new or existing) and return them normalised, including
    `credit_code_override`. Raise ValidationError({field: [errors with codes]}).

    The credit code rule (DOMAIN.md §5): a structural error is refused; a failed check
    character is refused unless a reason is given, which is then stored; a valid code clears
    an old reason. A reason given earlier stays while the code is unchanged."""
    values = {f: data[f] if f in data else _current_value(unit, f) for f in UNIT_FIELDS}
    errors: dict[str, list[ValidationError]] = {}
    for text_field in ("name", "short_name", "credit_code", "court_code", "address", "phone"):
        values[text_field] = (values[text_field] or "").strip()
    if not values["name"]:
        _add(errors, "name", _("Enter the name of the unit."), "required")
    if values["kind"] not in UnitKind.values:
        _add(errors, "kind", _("Choose the kind of unit."), "invalid_choice")
    jurisdiction = values["jurisdiction"]
    if jurisdiction is None:
        _add(errors, "jurisdiction", _("Choose the jurisdiction."), "required")
    elif values["name"] and (
        Unit.objects.filter(jurisdiction=jurisdiction, name=values["name"])
        .exclude(pk=unit.pk)
        .exists()
    ):
        _add(
            errors,
            "name",
            _("A unit with this name already exists in this jurisdiction."),
            "unit.name_taken",
        )
    if values["order_no"] is None or int(values["order_no"]) < 0:
        _add(errors, "order_no", _("Enter the official order number."), "required")

    # Credit code.
    reason = (override_reason or "").strip()
    values["credit_code_override"] = ""
    if values["credit_code"]:
        try:
            parsed = parse_credit_code(values["credit_code"])
        except IdentifierError as exc:
            _add(errors, "credit_code", exc.message, exc.code)
        else:
            values["credit_code"] = parsed.value
            if parsed.warnings:
                if (
                    not reason
                    and unit.pk
                    and unit.credit_code_override
                    and parsed.value == unit.credit_code
                ):
                    reason = unit.credit_code_override
                if reason:
                    values["credit_code_override"] = reason[:200]
                else:
                    for warning in parsed.warnings:
                        _add(errors, "credit_code", warning.message, warning.code)

    # Court code: courts need one (case numbers carry it); anybody else's must be well formed.
    if values["court_code"]:
        try:
            values["court_code"] = parse_court_code(values["court_code"])
        except IdentifierError as exc:
            _add(errors, "court_code", exc.message, exc.code)
    elif values["kind"] == UnitKind.COURT:
        _add(
            errors,
            "court_code",
            _("A court needs its court code, e.g. 豫17."),
            "court_code.required",
        )

    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        _add(errors, "valid_to", _("The last day is before the first day."), "unit.dates")

    successor = values["successor"]
    if successor is not None and unit.pk:
        if successor.pk == unit.pk:
            _add(errors, "successor", _("A unit cannot succeed itself."), "unit.successor_self")
        else:
            step: Unit | None = successor
            seen: set[int] = set()
            while step is not None and step.pk not in seen:
                if step.pk == unit.pk:
                    _add(
                        errors,
                        "successor",
                        _("This successor was itself taken over by this unit."),
                        "unit.successor_cycle",
                    )
                    break
                seen.add(step.pk)
                step = step.successor if step.successor_id else None
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return values


@transaction.atomic
def save_unit(
    actor: Any,
    unit: Unit,
    data: Mapping[str, Any],
    override_reason: str = "",
    expected_version: int | None = None,
) -> Unit:
    """Create (unit without pk) or update a unit. Office staff of the unit's jurisdiction (or
    above) and the system administrator; a move to another jurisdiction needs both sides."""
    creating = unit.pk is None
    if not creating:
        require(actor, "change", unit)
    target = data.get("jurisdiction") or (None if creating else unit.jurisdiction)
    if target is None or not may_create_unit_in(actor, target):
        if target is None:
            raise ValidationError(
                {"jurisdiction": [ValidationError(_("Choose the jurisdiction."), code="required")]}
            )
        raise PermissionDenied("change")
    values = check_unit_data(unit, data, override_reason)
    before = None if creating else snapshot(unit)
    for name, value in values.items():
        setattr(unit, name, value)
    if creating:
        unit.save()
    else:
        unit.save_checked(unit.version if expected_version is None else expected_version)
    record(
        actor,
        "org.unit.create" if creating else "org.unit.update",
        unit,
        before=before,
        after=snapshot(unit),
    )
    return unit


@transaction.atomic
def reorganise_unit(
    actor: Any,
    unit: Unit,
    *,
    last_day: datetime.date,
    successor: Unit | None = None,
    new_unit: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Unit:
    """A body is reorganised: it ends on `last_day` and `successor` (an existing unit, or a
    new one made from `new_unit`) takes over its open work. Returns the successor."""
    require(actor, "change", unit)
    errors: dict[str, list[ValidationError]] = {}
    if unit.successor_id:
        _add(errors, "__all__", _("This unit already has a successor."), "unit.has_successor")
    if unit.valid_from and last_day < unit.valid_from:
        _add(errors, "last_day", _("The last day is before the unit began."), "unit.dates")
    if successor is None and not new_unit:
        _add(errors, "successor", _("Choose the successor or name a new unit."), "required")
    if successor is not None:
        if successor.pk == unit.pk:
            _add(errors, "successor", _("A unit cannot succeed itself."), "unit.successor_self")
        elif successor.pk in {u.pk for u in unit.predecessor_chain()}:
            _add(
                errors,
                "successor",
                _("This successor was itself taken over by this unit."),
                "unit.successor_cycle",
            )
        elif not scope_for(actor).sees_reference(successor.jurisdiction):
            raise PermissionDenied("view")
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    if successor is None:
        assert new_unit is not None
        data = {
            "kind": unit.kind,
            "jurisdiction": unit.jurisdiction,
            "order_no": unit.order_no,
            "valid_from": last_day + datetime.timedelta(days=1),
            "address": unit.address,
            "phone": unit.phone,
            **new_unit,
        }
        successor = save_unit(actor, Unit(), data)
    before = snapshot(unit)
    unit.valid_to = last_day
    unit.successor = successor
    unit.save_checked(
        unit.version if expected_version is None else expected_version,
        fields=["valid_to", "successor_id"],
    )
    record(
        actor,
        "org.unit.reorganise",
        unit,
        before=before,
        after=snapshot(unit),
        detail={"successor": successor.pk},
    )
    return successor


def _set_holder(actor: Any, post: Post, person: Person | None) -> None:
    before = snapshot(post)
    post.holder = person
    post.save(update_fields=["holder"])
    record(actor, "org.post.holder", post, before=before, after=snapshot(post))


def _new_person(actor: Any, **fields: Any) -> Person:
    person = Person(**fields)
    person.full_clean()
    person.save()
    record(actor, "org.person.create", person, after=snapshot(person))
    return person


@transaction.atomic
def save_unit_contacts(
    actor: Any,
    unit: Unit,
    *,
    liaison: Mapping[str, str],
    holders: Mapping[int, str] | None = None,
    liaison_version: int | None = None,
) -> None:
    """The unit's liaison officer (name, mobile, office phone, e-mail) and the names of its
    post holders. Holders change without approval (DOMAIN.md §1): another name means another
    person now holds the post; the same name updates that person's contact details."""
    require(actor, "change_contacts", unit)
    name = (liaison.get("name") or "").strip()
    contact = {
        "phone": (liaison.get("phone") or "").strip(),
        "office_phone": (liaison.get("office_phone") or "").strip(),
        "email": (liaison.get("email") or "").strip(),
    }
    post = liaison_post_of(unit)
    if post is None and name:
        post = Post(unit=unit, title=LIAISON_POST_TITLE, kind=PostKind.LIAISON, order=90)
        post.save()
        record(actor, "org.post.create", post, after=snapshot(post))
        for seat in Seat.objects.filter(unit=unit, liaison_post__isnull=True).current():
            seat_before = snapshot(seat)
            seat.liaison_post = post
            seat.save(update_fields=["liaison_post"])
            record(actor, "org.seat.update", seat, before=seat_before, after=snapshot(seat))
    if post is not None:
        person = post.holder
        if not name:
            if person is not None:
                _set_holder(actor, post, None)
        elif person is None or person.name != name:
            _set_holder(actor, post, _new_person(actor, name=name, **contact))
        elif any(getattr(person, k) != v for k, v in contact.items()):
            before = snapshot(person)
            for key, value in contact.items():
                setattr(person, key, value)
            person.full_clean()
            person.save_checked(person.version if liaison_version is None else liaison_version)
            record(actor, "org.person.update", person, before=before, after=snapshot(person))
    for post_id, holder_name in (holders or {}).items():
        held = Post.objects.select_related("holder").get(pk=post_id, unit=unit)
        holder_name = (holder_name or "").strip()
        current = held.holder.name if held.holder else ""
        if holder_name == current:
            continue
        _set_holder(actor, held, _new_person(actor, name=holder_name) if holder_name else None)


# --- jurisdictions ----------------------------------------------------------------------------
def _require_system_admin(actor: Any) -> None:
    if not _is_system_admin(actor):
        raise PermissionDenied(Role.SYSTEM_ADMIN)


def _check_jurisdiction(jurisdiction: Jurisdiction, values: Mapping[str, Any]) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if not (values.get("name") or "").strip():
        _add(errors, "name", _("Enter the name."), "required")
    if values.get("level") not in JurisdictionLevel.values:
        _add(errors, "level", _("Choose the level."), "invalid_choice")
    code = (values.get("code") or "").strip()
    if code and (not code.isdigit() or len(code) != 6):
        _add(errors, "code", _("A division code has 6 digits."), "division.format")
    elif code and Jurisdiction.objects.filter(code=code).exclude(pk=jurisdiction.pk).exists():
        _add(errors, "code", _("This division code is already used."), "division.taken")
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


@transaction.atomic
def create_jurisdiction(
    actor: Any,
    *,
    name: str,
    code: str = "",
    level: str,
    parent: Jurisdiction | None = None,
    short_name: str = "",
    stat_code: str = "",
    order: int = 0,
    runs_own_mechanism: bool = True,
) -> Jurisdiction:
    """Reference data of the system administrator. The materialised path is the parent's path
    plus the new id (Jurisdiction.build_path), so a subtree is one prefix filter."""
    _require_system_admin(actor)
    values = {"name": name, "code": code, "level": level}
    jurisdiction = Jurisdiction(
        name=name.strip(),
        short_name=short_name.strip(),
        code=code.strip(),
        stat_code=stat_code.strip(),
        level=level,
        parent=parent,
        order=order,
        runs_own_mechanism=runs_own_mechanism,
        path=f"tmp-{uuid.uuid4().hex}",
    )
    _check_jurisdiction(jurisdiction, values)
    jurisdiction.save()
    jurisdiction.path = Jurisdiction.build_path(parent, jurisdiction.pk)
    jurisdiction.save(update_fields=["path"])
    record(actor, "org.jurisdiction.create", jurisdiction, after=snapshot(jurisdiction))
    return jurisdiction


@transaction.atomic
def update_jurisdiction(
    actor: Any,
    jurisdiction: Jurisdiction,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Jurisdiction:
    """Names, codes, level and order; the place in the tree (parent, path) does not move."""
    _require_system_admin(actor)
    values = {f: data.get(f, getattr(jurisdiction, f)) for f in JURISDICTION_FIELDS}
    _check_jurisdiction(jurisdiction, values)
    before = snapshot(jurisdiction)
    for key, value in values.items():
        setattr(jurisdiction, key, value.strip() if isinstance(value, str) else value)
    jurisdiction.save_checked(
        jurisdiction.version if expected_version is None else expected_version,
        fields=list(JURISDICTION_FIELDS),
    )
    record(
        actor, "org.jurisdiction.update", jurisdiction, before=before, after=snapshot(jurisdiction)
    )
    return jurisdiction


# --- mechanism settings, task areas and list kinds --------------------------------------------
def _check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}
    clean: dict[str, Any] = {}
    for name in SETTINGS_INT_FIELDS:
        if name not in values:
            continue
        try:
            number = int(values[name])
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            _add(errors, name, _("Enter a whole number, 0 or more."), "invalid")
        clean[name] = number
    for name in PERCENT_FIELDS:
        if name in clean and clean[name] > 100:
            _add(errors, name, _("A rate is at most 100."), "max_value")
    if "loss_outcomes" in values:
        outcomes = list(values["loss_outcomes"] or [])
        if set(outcomes) - set(ADMIN_CASE_OUTCOMES):
            _add(errors, "loss_outcomes", _("Unknown case outcome."), "invalid_choice")
        clean["loss_outcomes"] = [o for o in ADMIN_CASE_OUTCOMES if o in outcomes]
    if "loss_denominator" in values:
        if values["loss_denominator"] not in LOSS_DENOMINATORS:
            _add(errors, "loss_denominator", _("Choose a denominator."), "invalid_choice")
        clean["loss_denominator"] = values["loss_denominator"]
    if "enabled_steps" in values:
        steps = list(values["enabled_steps"] or [])
        if set(steps) - set(OPTIONAL_STEPS):
            _add(errors, "enabled_steps", _("Unknown workflow step."), "invalid_choice")
        clean["enabled_steps"] = [s for s in OPTIONAL_STEPS if s in steps]
    if "second_factors" in values:
        factors = list(values["second_factors"] or [])
        if set(factors) - set(SECOND_FACTORS):
            _add(errors, "second_factors", _("Unknown second factor."), "invalid_choice")
        if not factors:
            _add(errors, "second_factors", _("Allow at least one second factor."), "required")
        clean["second_factors"] = [f for f in SECOND_FACTORS if f in factors]
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    return clean


def _update_items(
    actor: Any,
    mechanism: Mechanism,
    model: type[TaskArea] | type[ListKind],
    rows: Iterable[Mapping[str, Any]],
    action: str,
) -> None:
    items = {item.pk: item for item in model.objects.filter(mechanism=mechanism)}
    for row in rows:
        item = items.get(int(row["id"]))
        if item is None:
            raise PermissionDenied("item of another mechanism")
        name = (row.get("name") or "").strip()
        active = bool(row.get("active"))
        if not name:
            raise ValidationError(_("Every name must be filled in."), code="required")
        if (item.name, item.active) == (name, active):
            continue
        before = snapshot(item)
        item.name, item.active = name, active
        item.save(update_fields=["name", "active"])
        record(actor, action, item, before=before, after=snapshot(item))


@transaction.atomic
def update_mechanism_settings(
    actor: Any,
    mechanism: Mechanism,
    values: Mapping[str, Any],
    *,
    task_areas: Iterable[Mapping[str, Any]] = (),
    list_kinds: Iterable[Mapping[str, Any]] = (),
    expected_version: int | None = None,
) -> Mechanism:
    """The office sets its mechanism's rules (ARCHITECTURE rule 9), and names and switches
    task areas and list kinds on or off."""
    require(actor, "change_settings", mechanism)
    clean = _check_settings(values)
    before = snapshot(mechanism)
    merged = {**(mechanism.settings or {}), **clean}
    mechanism.settings = {**merged, **MechanismSettings.from_json(merged).to_json()}
    mechanism.save_checked(
        mechanism.version if expected_version is None else expected_version, fields=["settings"]
    )
    record(actor, "org.mechanism.settings", mechanism, before=before, after=snapshot(mechanism))
    _update_items(actor, mechanism, TaskArea, task_areas, "org.task_area.update")
    _update_items(actor, mechanism, ListKind, list_kinds, "org.list_kind.update")
    return mechanism


@transaction.atomic
def save_mechanism_item(
    actor: Any, item: TaskArea | ListKind, data: Mapping[str, Any]
) -> TaskArea | ListKind:
    """Create or change a task area or a list kind (Django admin: system administrator;
    also the mechanism's office)."""
    mechanism = data.get("mechanism") or (item.mechanism if item.mechanism_id else None)
    if mechanism is None:
        raise ValidationError(
            {"mechanism": [ValidationError(_("Choose the mechanism."), code="required")]}
        )
    if not (_is_system_admin(actor) or can(actor, "change_settings", mechanism)):
        raise PermissionDenied("change_settings")
    if item.pk and item.mechanism_id != mechanism.pk:
        raise ValidationError(
            {
                "mechanism": [
                    ValidationError(_("An item cannot move to another mechanism."), code="invalid")
                ]
            }
        )
    creating = item.pk is None
    before = None if creating else snapshot(item)
    for key, value in data.items():
        setattr(item, key, value.strip() if isinstance(value, str) else value)
    if type(item).objects.filter(mechanism=mechanism, code=item.code).exclude(pk=item.pk).exists():
        raise ValidationError(
            {"code": [ValidationError(_("This code is already used."), code="code_taken")]}
        )
    item.save()
    kind = "task_area" if isinstance(item, TaskArea) else "list_kind"
    record(
        actor,
        f"org.{kind}.{'create' if creating else 'update'}",
        item,
        before=before,
        after=snapshot(item),
    )
    return item


# --- membership changes -----------------------------------------------------------------------
def current_member_seats(mechanism: Mechanism, unit: Unit) -> Any:
    return Seat.objects.filter(mechanism=mechanism, unit=unit, role=SeatRole.MEMBER).current()


def may_propose_for(actor: Any, mechanism: Mechanism, unit: Unit) -> bool:
    """A liaison officer proposes for its own unit; the office for any unit of its
    jurisdiction."""
    scope = scope_for(actor)
    if scope.acts_for(unit.pk, Role.LIAISON):
        return True
    return scope.assigned_to(mechanism.jurisdiction_id, Role.OFFICE) and (
        unit.jurisdiction_id == mechanism.jurisdiction_id
    )


@transaction.atomic
def propose_membership_change(
    actor: Any,
    mechanism: Mechanism,
    *,
    unit: Unit,
    kind: str,
    reason: str,
    representative_title: str = "",
) -> MembershipChange:
    """A unit asks to join or leave the joint meeting; the convener decides."""
    require(actor, "propose_membership_change", mechanism)
    if kind == MembershipChangeKind.LIAISON:
        raise PermissionDenied("liaison accounts are provisioned by the office")
    if not may_propose_for(actor, mechanism, unit):
        raise PermissionDenied("propose for this unit")
    errors: dict[str, list[ValidationError]] = {}
    reason = (reason or "").strip()
    representative_title = (representative_title or "").strip()
    if kind not in MembershipChangeKind.values:
        _add(errors, "kind", _("Choose join or leave."), "invalid_choice")
    if not reason:
        _add(errors, "reason", _("Give the reason for the change."), "required")
    if unit.jurisdiction_id != mechanism.jurisdiction_id:
        _add(
            errors,
            "unit",
            _("The unit does not belong to this joint meeting's jurisdiction."),
            "membership.other_jurisdiction",
        )
    if not unit.is_current:
        _add(errors, "unit", _("This unit no longer exists."), "membership.unit_not_current")
    is_member = current_member_seats(mechanism, unit).exists()
    if kind == MembershipChangeKind.JOIN:
        if is_member:
            _add(errors, "unit", _("This unit is already a member."), "membership.already_member")
        if not representative_title:
            _add(
                errors,
                "representative_title",
                _("Name the post that will represent the unit, e.g. 局长."),
                "required",
            )
    elif kind == MembershipChangeKind.LEAVE and not is_member:
        _add(errors, "unit", _("This unit is not a member."), "membership.not_member")
    if MembershipChange.objects.filter(
        mechanism=mechanism, unit=unit, state=MEMBERSHIP_CHANGE.initial
    ).exists():
        _add(
            errors,
            "unit",
            _("A proposal for this unit is already awaiting the convener."),
            "membership.pending",
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    change = MembershipChange(
        mechanism=mechanism,
        unit=unit,
        kind=kind,
        reason=reason,
        representative_title=representative_title if kind == MembershipChangeKind.JOIN else "",
        state=MEMBERSHIP_CHANGE.initial,
        proposed_by=actor,
    )
    change.save()
    record(actor, "org.membership_change.propose", change, after=snapshot(change))
    _notify_membership(
        change,
        "membership_proposed",
        _jurisdiction_users(change.mechanism.jurisdiction_id, Role.LEADER, Role.OFFICE),
        _("Membership change awaiting the convener: %(change)s") % {"change": change},
    )
    return change


def may_provision_liaisons(actor: Any, mechanism: Mechanism) -> bool:
    """The office of the joint meeting provisions its member units' liaison accounts."""
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


@transaction.atomic
def provision_liaison_account(
    actor: Any,
    mechanism: Mechanism,
    *,
    unit: Unit,
    username: str,
    display_name: str,
    password: str,
    reason: str,
) -> MembershipChange:
    """The office provisions a liaison officer's account for a member unit: the account is
    created switched off and without a role, and a request goes to the security
    administrator, whose confirmation grants the liaison role and switches the account on
    (三权分立: the office names the person, only the security administrator grants roles).
    The initial password is replaced by its holder at the first sign-in."""
    from django.contrib.auth.password_validation import validate_password

    from fuyuan.accounts.models import User

    if not may_provision_liaisons(actor, mechanism):
        raise PermissionDenied("provision liaison accounts")
    errors: dict[str, list[ValidationError]] = {}
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    reason = (reason or "").strip()
    if unit.jurisdiction_id != mechanism.jurisdiction_id:
        _add(
            errors,
            "unit",
            _("The unit does not belong to this joint meeting's jurisdiction."),
            "membership.other_jurisdiction",
        )
    elif not current_member_seats(mechanism, unit).exists():
        _add(errors, "unit", _("This unit is not a member."), "membership.not_member")
    if not username:
        _add(errors, "username", _("Enter the username."), "required")
    elif User.objects.filter(username=username).exists():
        _add(errors, "username", _("The username %(u)s is taken.") % {"u": username}, "taken")
    if not display_name:
        _add(errors, "display_name", _("Enter the liaison officer's name."), "required")
    if not reason:
        _add(errors, "reason", _("Give the reason for the change."), "required")
    user = User(username=username, display_name=display_name, is_active=False)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        for message in exc.messages:
            _add(errors, "password", message, "password")
    if MembershipChange.objects.filter(
        mechanism=mechanism,
        unit=unit,
        kind=MembershipChangeKind.LIAISON,
        state=MEMBERSHIP_CHANGE.initial,
    ).exists():
        _add(
            errors,
            "unit",
            _("A liaison account for this unit is already awaiting confirmation."),
            "membership.pending",
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    user.set_password(password)
    # Someone else chose it: the liaison officer sets their own at the first sign-in.
    user.password_changed_at = None
    post = liaison_post_of(unit)
    if post is not None and post.holder is not None and not hasattr(post.holder, "user"):
        user.person = post.holder
    user.save()
    record(actor, "accounts.user.create", user, after=snapshot(user), detail={"by": "office"})
    change = MembershipChange(
        mechanism=mechanism,
        unit=unit,
        kind=MembershipChangeKind.LIAISON,
        reason=reason,
        state=MEMBERSHIP_CHANGE.initial,
        proposed_by=actor,
        account=user,
    )
    change.save()
    record(actor, "org.membership_change.propose", change, after=snapshot(change))
    _notify_membership(
        change,
        "liaison_account_proposed",
        _security_admins(),
        _("Liaison account awaiting your confirmation: %(change)s") % {"change": change},
    )
    return change


def _security_admins() -> list[Any]:
    from fuyuan.accounts.models import RoleAssignment

    today = timezone.localdate()
    return [
        a.user
        for a in RoleAssignment.objects.active_on(today)
        .filter(role=Role.SECURITY_ADMIN)
        .select_related("user")
    ]


def _confirm_liaison(actor: Any, change: MembershipChange) -> None:
    """Grant the liaison role through the security administrator's own action (its checks:
    not to oneself, no role besides an administrator's), then switch the account on."""
    from fuyuan.accounts import actions as account_actions

    account = change.account
    if account is None:
        raise ValidationError(_("This request names no account."), code="membership.no_account")
    account_actions.grant_role(
        actor,
        user=account,
        role=Role.LIAISON,
        unit=change.unit,
        note=(_("Liaison officer, provisioned by the office (request %(pk)s)") % {"pk": change.pk})[
            :200
        ],
    )
    if not account.is_active:
        before = snapshot(account)
        account.is_active = True
        account.save(update_fields=["is_active"])
        record(actor, "accounts.user.activate", account, before=before, after=snapshot(account))
    account.forget_roles()


def _jurisdiction_users(jurisdiction_id: int, *roles: str) -> list[Any]:
    """Users holding one of `roles` for the jurisdiction today (the convener's side, the
    office)."""
    from fuyuan.accounts.models import RoleAssignment

    today = timezone.localdate()
    return [
        a.user
        for a in RoleAssignment.objects.active_on(today)
        .filter(jurisdiction_id=jurisdiction_id, role__in=roles)
        .select_related("user")
    ]


def _notify_membership(change: MembershipChange, kind: str, users: list[Any], subject: str) -> None:
    """Membership proposals and decisions reach the inbox and the channels (issue [mechanism]
    item 7); queued after commit, idempotent by the outbox key."""
    from fuyuan.notify.outbox import notify

    recipients = [u for u in users if u is not None]
    if not recipients:
        return
    url = f"/org/changes/{change.pk}/"
    day = timezone.localdate()
    transaction.on_commit(
        lambda: notify(
            ref_kind="org.membershipchange",
            ref_id=change.pk,
            kind=kind,
            due_date=day,
            recipients=recipients,
            subject=subject,
            url=url,
        )
    )


def _apply_join(actor: Any, change: MembershipChange, day: datetime.date) -> Seat:
    unit = change.unit
    if current_member_seats(change.mechanism, unit).exists():
        raise ValidationError(_("This unit is already a member."), code="membership.already_member")
    title = change.representative_title or ""
    post = (
        Post.objects.filter(unit=unit, kind=PostKind.HEAD, title=title).order_by("pk").first()
        if title
        else Post.objects.filter(unit=unit, kind=PostKind.HEAD).order_by("order", "pk").first()
    )
    if post is None:
        post = Post(unit=unit, kind=PostKind.HEAD, title=title or LIAISON_POST_TITLE)
        post.save()
        record(actor, "org.post.create", post, after=snapshot(post))
    seat = Seat(
        mechanism=change.mechanism,
        role=SeatRole.MEMBER,
        unit=unit,
        post=post,
        liaison_post=liaison_post_of(unit),
        order=SEAT_ROLE_ORDER[SeatRole.MEMBER],
        joined_on=day,
    )
    seat.save()
    record(actor, "org.seat.create", seat, after=snapshot(seat), detail={"change": change.pk})
    return seat


def _apply_leave(actor: Any, change: MembershipChange, day: datetime.date) -> None:
    seats = list(current_member_seats(change.mechanism, change.unit))
    if not seats:
        raise ValidationError(_("This unit is not a member."), code="membership.not_member")
    for seat in seats:
        before = snapshot(seat)
        seat.left_on = day
        seat.save(update_fields=["left_on"])
        record(
            actor,
            "org.seat.end",
            seat,
            before=before,
            after=snapshot(seat),
            detail={"change": change.pk},
        )


@transaction.atomic
def decide_membership_change(
    actor: Any,
    change: MembershipChange,
    transition_name: str,
    comment: str = "",
    expected_version: int | None = None,
) -> MembershipChange:
    """Take a transition of the membership workflow (approve, reject, withdraw). The graph
    decides who may and whether a comment is needed (raises TransitionError). Approving a join
    gives the unit a seat from today; approving a leave ends its seat today."""
    transition = MEMBERSHIP_CHANGE.check(
        transition_name, change.state, relations_to(actor, change), comment=comment
    )
    before = snapshot(change)
    today = timezone.localdate()
    change.state = transition.target
    change.decision_comment = (comment or "").strip()
    if transition.name in {"approve", "reject", "confirm"}:
        change.decided_by = actor
        change.decided_at = timezone.now()
    if transition.name == "confirm":
        change.effective_on = today
        _confirm_liaison(actor, change)
    elif transition.name == "approve":
        change.effective_on = today
        if change.kind == MembershipChangeKind.JOIN:
            _apply_join(actor, change, today)
        else:
            _apply_leave(actor, change, today)
    change.save_checked(
        change.version if expected_version is None else expected_version,
        fields=["state", "decision_comment", "decided_by_id", "decided_at", "effective_on"],
    )
    record(
        actor,
        f"org.membership_change.{transition.name}",
        change,
        before=before,
        after=snapshot(change),
    )
    _notify_membership(
        change,
        f"membership_{transition.name}",
        [change.proposed_by],
        _("Membership change %(state)s: %(change)s")
        % {"state": change.state_obj.label, "change": change},
    )
    return change
