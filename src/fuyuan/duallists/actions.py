"""Every write of the dual lists: permission check, one transaction, write, audit
(ARCHITECTURE rule 4). Matters are created and advanced only through fuyuan.matters.actions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import can, relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.workflow import TransitionError
from fuyuan.org.models import Mechanism, Seat, SeatRole, Unit

from . import workflow as wf
from .models import ListCall, ListItem, ListVersion, VersionKind, side_matches

SOURCE_KIND = "duallists.item"
REF_CALL = "duallists.call"
REF_ITEM = "duallists.item"

ITEM_TEXT_FIELDS = ("title", "content", "measurable_target")
# Fields a proposer (on resubmission) or the office (revision) may change.
ITEM_FIELDS = (*ITEM_TEXT_FIELDS, "list_kind", "lead_unit", "co_units", "deadline", "task_area")


# --- helpers ----------------------------------------------------------------------------------
def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: dict[str, list[ValidationError]], field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def unit_users(unit_ids: Iterable[int]) -> Any:
    """Users acting for these units today (liaison officers, court staff)."""
    active = RoleAssignment.objects.active_on(_today()).filter(
        unit_id__in=list(unit_ids), role__in=[Role.LIAISON, Role.COURT]
    )
    return User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("pk")


def office_users(mechanism: Mechanism) -> Any:
    active = RoleAssignment.objects.active_on(_today()).filter(
        jurisdiction_id=mechanism.jurisdiction_id, role=Role.OFFICE
    )
    return User.objects.filter(pk__in=active.values("user_id"), is_active=True).order_by("pk")


def member_units(mechanism: Mechanism) -> Any:
    """The units holding a current member seat of the joint meeting, in official order."""
    seats = Seat.objects.filter(mechanism=mechanism, role=SeatRole.MEMBER).current()
    return Unit.objects.filter(pk__in=seats.values("unit_id")).order_by("order_no", "pk")


def call_url(call: ListCall) -> str:
    return reverse("duallists:call_detail", args=[call.pk])


def item_url(item: ListItem) -> str:
    return reverse("duallists:item_detail", args=[item.pk])


def _notify(
    *,
    ref_kind: str,
    ref_id: int,
    kind: str,
    recipients: Iterable[Any],
    subject: str,
    url: str,
    due_date: datetime.date | None = None,
) -> None:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return
    due = due_date or _today()

    def send() -> None:
        notify(
            ref_kind=ref_kind,
            ref_id=ref_id,
            kind=kind,
            due_date=due,
            recipients=people,
            subject=subject,
            url=url,
        )

    transaction.on_commit(send)
    kick_delivery()


def _is_office(actor: Any, mechanism: Mechanism) -> bool:
    return scope_for(actor).assigned_to(mechanism.jurisdiction_id, Role.OFFICE)


# --- the call ---------------------------------------------------------------------------------
def may_open_call(actor: Any, mechanism: Mechanism) -> bool:
    return _is_office(actor, mechanism)


@transaction.atomic
def open_call(
    actor: Any,
    mechanism: Mechanism,
    *,
    year: int,
    proposal_deadline: datetime.date,
    note: str = "",
) -> ListCall:
    """The office opens the annual call for proposals; member units' liaison officers are
    told in their inbox."""
    if not may_open_call(actor, mechanism):
        raise PermissionDenied("open_call")
    errors: dict[str, list[ValidationError]] = {}
    if ListCall.objects.filter(mechanism=mechanism, year=year).exists():
        _add(errors, "year", _("A call for this year already exists."), "call.year_taken")
    if proposal_deadline < _today():
        _add(errors, "proposal_deadline", _("The deadline has passed."), "call.deadline_past")
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    call = ListCall.objects.create(
        mechanism=mechanism,
        year=year,
        proposal_deadline=proposal_deadline,
        note=(note or "").strip(),
        opened_by=actor,
    )
    record(actor, "duallists.call.open", call, after=snapshot(call))
    _notify(
        ref_kind=REF_CALL,
        ref_id=call.pk,
        kind="call_opened",
        due_date=proposal_deadline,
        recipients=unit_users(member_units(mechanism).values_list("pk", flat=True)),
        subject=_("Call for %(year)s dual-list proposals, due %(deadline)s")
        % {"year": year, "deadline": proposal_deadline.isoformat()},
        url=call_url(call),
    )
    return call


def _call_transition(actor: Any, call: ListCall, name: str, values: dict[str, Any]) -> Any:
    return wf.CALL_WORKFLOW.check(name, call.state, relations_to(actor, call), values=values)


@transaction.atomic
def close_call(actor: Any, call: ListCall) -> ListCall:
    """The office closes the call: units no longer propose; review and drafting follow."""
    step = _call_transition(actor, call, "close", {})
    before = snapshot(call)
    call.state = step.target
    call.save_checked(call.version, ["state"])
    record(actor, "duallists.call.close", call, before=before, after=snapshot(call))
    return call


def _snapshot_items(items: Iterable[ListItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        co = sorted(item.co_units.all(), key=lambda u: (u.order_no, u.pk))
        rows.append(
            {
                "id": item.pk,
                "list_kind": item.list_kind.name,
                "title": item.title,
                "lead": item.lead_unit.name,
                "co_units": [u.name for u in co],
                "deadline": item.deadline.isoformat(),
                "target": item.measurable_target,
                "task_area": item.task_area.name if item.task_area is not None else "",
            }
        )
    return rows


def _items_in(call: ListCall, state: str) -> Any:
    return (
        ListItem.objects.filter(call=call, state=state)
        .select_related("list_kind", "lead_unit", "task_area")
        .prefetch_related("co_units")
        .order_by("list_kind__order", "lead_unit__order_no", "pk")
    )


def _new_version(
    actor: Any, call: ListCall, kind: str, meeting_ref: str, items: Any
) -> ListVersion:
    last = call.versions.order_by("-number").first()
    return ListVersion.objects.create(
        call=call,
        number=(last.number + 1) if last else 1,
        kind=kind,
        meeting_ref=meeting_ref,
        created_by=actor,
        snapshot=_snapshot_items(items),
    )


@transaction.atomic
def settle_draft(actor: Any, call: ListCall, *, meeting_ref: str) -> ListVersion:
    """After the coordination meeting the office settles the draft: a kept version of the
    accepted items. It may be settled again (a new version) until the joint meeting approves."""
    meeting_ref = (meeting_ref or "").strip()
    step = _call_transition(actor, call, "settle_draft", {"meeting_ref": meeting_ref})
    items = _items_in(call, wf.ACCEPTED)
    if not items.exists():
        raise ValidationError(
            _("No item has been accepted into the draft yet."), code="call.draft_empty"
        )
    before = snapshot(call)
    version = _new_version(actor, call, VersionKind.DRAFT, meeting_ref, items)
    call.state = step.target
    call.save_checked(call.version, ["state"])
    record(
        actor,
        "duallists.call.settle_draft",
        call,
        before=before,
        after=snapshot(call),
        detail={"version": version.number, "meeting": meeting_ref, "items": len(version.snapshot)},
    )
    return version


@transaction.atomic
def approve(
    actor: Any,
    call: ListCall,
    *,
    meeting_ref: str,
    approved_on: datetime.date | None = None,
) -> ListVersion:
    """Record the joint meeting's approval (by the office or a leader of the jurisdiction):
    an approved version, every accepted item approved, and — when the office records it — a
    matter for each item. A leader's record leaves the matters for the office to register
    (matters.create_matter lets only the office register matters); the office is told."""
    meeting_ref = (meeting_ref or "").strip()
    step = _call_transition(actor, call, "approve", {"meeting_ref": meeting_ref})
    items = list(_items_in(call, wf.ACCEPTED))
    if not items:
        raise ValidationError(_("The draft has no accepted item."), code="call.draft_empty")
    before = snapshot(call)
    version = _new_version(actor, call, VersionKind.APPROVED, meeting_ref, items)
    call.state = step.target
    call.approved_on = approved_on or _today()
    call.save_checked(call.version, ["state", "approved_on"])
    relations = relations_to(actor, call)
    for item in items:
        item_before = snapshot(item)
        wf.ITEM_WORKFLOW.check("approve", item.state, relations)
        item.state = wf.APPROVED
        item.save_checked(item.version, ["state"])
        record(actor, "duallists.item.approve", item, before=item_before, after=snapshot(item))
    record(
        actor,
        "duallists.call.approve",
        call,
        before=before,
        after=snapshot(call),
        detail={"version": version.number, "meeting": meeting_ref, "items": len(items)},
    )
    if _is_office(actor, call.mechanism):
        register_matters(actor, call)
    else:
        _notify(
            ref_kind=REF_CALL,
            ref_id=call.pk,
            kind="call_approved",
            recipients=office_users(call.mechanism),
            subject=_("The %(year)s dual lists were approved: register their matters")
            % {"year": call.year},
            url=call_url(call),
        )
    return version


@transaction.atomic
def register_matters(actor: Any, call: ListCall) -> list[Any]:
    """A matter for every approved item that has none yet (idempotent), assigned at once to
    its lead unit, started on the approval date with the item's deadline."""
    from fuyuan.matters import actions as matter_actions

    require(actor, "register_matters", call)
    created = []
    start = call.approved_on or _today()
    items = (
        ListItem.objects.filter(call=call, state=wf.APPROVED, matter__isnull=True)
        .select_related("lead_unit", "task_area", "call__mechanism")
        .prefetch_related("co_units")
        .order_by("pk")
    )
    for item in items:
        description = item.content
        if item.measurable_target:
            description += "\n\n" + _("Measurable target: %(target)s") % {
                "target": item.measurable_target
            }
        matter = matter_actions.create_matter(
            actor,
            mechanism=call.mechanism,
            title=item.title,
            description=description,
            lead_unit=item.lead_unit,
            co_units=list(item.co_units.all()),
            start_date=start,
            deadline=item.deadline,
            matter_type="dual_list",
            task_area=item.task_area,
            source_kind=SOURCE_KIND,
            source_ref=str(item.pk),
        )
        matter_actions.transition(actor, matter, "assign")
        before = snapshot(item)
        item.matter = matter
        item.save_checked(item.version, ["matter"])
        record(actor, "duallists.item.register_matter", item, before=before, after=snapshot(item))
        created.append(matter)
    return created


# --- proposals --------------------------------------------------------------------------------
def proposable_units(actor: Any, call: ListCall) -> Any:
    """Units the actor may propose for: the office for any current unit of the jurisdiction;
    a liaison officer or court staff for its own unit when it holds a member seat."""
    units = Unit.objects.current().filter(jurisdiction_id=call.mechanism.jurisdiction_id)
    if _is_office(actor, call.mechanism):
        return units.order_by("order_no", "pk")
    scope = scope_for(actor)
    own = scope.units.get(Role.LIAISON, frozenset()) | scope.units.get(Role.COURT, frozenset())
    return member_units(call.mechanism).filter(pk__in=sorted(own)).current()


def _check_item(
    call: ListCall, values: dict[str, Any], errors: dict[str, list[ValidationError]]
) -> None:
    mechanism = call.mechanism
    for name in ITEM_TEXT_FIELDS:
        values[name] = (values.get(name) or "").strip()
        if not values[name]:
            _add(errors, name, _("This field is required."), "required")
    kind = values.get("list_kind")
    if kind is None or kind.mechanism_id != mechanism.pk or not kind.active:
        _add(errors, "list_kind", _("Choose one of this joint meeting's lists."), "item.list_kind")
        kind = None
    area = values.get("task_area")
    if area is not None and area.mechanism_id != mechanism.pk:
        _add(errors, "task_area", _("Choose one of this joint meeting's task areas."), "item.area")
    lead = values.get("lead_unit")
    if lead is None or lead.jurisdiction_id != mechanism.jurisdiction_id or not lead.is_current:
        _add(
            errors,
            "lead_unit",
            _("The lead unit must be a current unit of the joint meeting's jurisdiction."),
            "item.lead_jurisdiction",
        )
    elif kind is not None and not side_matches(lead, kind.provider_side):
        _add(
            errors,
            "lead_unit",
            _("The lead unit must be on the providing side of this list (%(side)s).")
            % {"side": kind.get_provider_side_display()},
            "item.lead_side",
        )
    co_units = list(values.get("co_units") or [])
    for unit in co_units:
        if unit.jurisdiction_id != mechanism.jurisdiction_id:
            _add(
                errors,
                "co_units",
                _("Co-units must belong to the joint meeting's jurisdiction."),
                "item.co_unit_jurisdiction",
            )
            break
    values["co_units"] = [u for u in co_units if lead is None or u.pk != lead.pk]
    deadline = values.get("deadline")
    if deadline is None:
        _add(errors, "deadline", _("Enter the deadline."), "required")
    elif deadline < _today():
        _add(errors, "deadline", _("The deadline has passed."), "item.deadline_past")


@transaction.atomic
def propose(
    actor: Any,
    call: ListCall,
    *,
    proposing_unit: Unit,
    list_kind: Any,
    title: str,
    content: str,
    measurable_target: str,
    lead_unit: Unit,
    deadline: datetime.date,
    co_units: Iterable[Unit] = (),
    task_area: Any = None,
    carried_over_from: ListItem | None = None,
) -> ListItem:
    """A member unit proposes an item for its own unit before the deadline (the office may
    propose for any unit). The named lead unit is asked to claim or object; a unit proposing
    what it will lead itself has claimed it already."""
    require(actor, "propose", call)
    if not proposable_units(actor, call).filter(pk=proposing_unit.pk).exists():
        raise PermissionDenied("propose for this unit")
    values: dict[str, Any] = {
        "list_kind": list_kind,
        "title": title,
        "content": content,
        "measurable_target": measurable_target,
        "lead_unit": lead_unit,
        "co_units": list(co_units),
        "deadline": deadline,
        "task_area": task_area,
    }
    errors: dict[str, list[ValidationError]] = {}
    _check_item(call, values, errors)
    if (
        values["list_kind"] is not None
        and "list_kind" not in errors
        and not side_matches(proposing_unit, list_kind.requester_side)
    ):
        _add(
            errors,
            "list_kind",
            _("This list is asked for by the %(side)s side.")
            % {"side": list_kind.get_requester_side_display()},
            "item.requester_side",
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    own = proposing_unit.pk == lead_unit.pk
    item = ListItem.objects.create(
        call=call,
        list_kind=list_kind,
        title=values["title"],
        content=values["content"],
        measurable_target=values["measurable_target"],
        proposing_unit=proposing_unit,
        lead_unit=lead_unit,
        deadline=deadline,
        task_area=task_area,
        state=wf.CLAIMED if own else wf.SUBMITTED,
        claimed_at=timezone.now() if own else None,
        proposed_by=actor,
        carried_over_from=carried_over_from,
    )
    item.co_units.set(values["co_units"])
    record(
        actor,
        "duallists.item.propose",
        item,
        after=snapshot(item),
        detail={"co_units": [u.pk for u in values["co_units"]]},
    )
    if not own:
        _ask_lead_unit(item)
    return item


def _ask_lead_unit(item: ListItem) -> None:
    _notify(
        ref_kind=REF_ITEM,
        ref_id=item.pk,
        kind="item_claim_requested",
        recipients=unit_users([item.lead_unit_id]),
        subject=_("Claim or object: dual-list item “%(title)s”") % {"title": item.title},
        url=item_url(item),
    )


def _take(
    actor: Any,
    item: ListItem,
    name: str,
    comment: str = "",
    *,
    values: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    expected_version: int | None = None,
    detail: dict[str, Any] | None = None,
) -> tuple[ListItem, dict[str, Any] | None]:
    """Check the transition against the item's graph, set its state and `fields` (already
    set on the object by the caller), save and audit."""
    step = wf.ITEM_WORKFLOW.check(
        name, item.state, relations_to(actor, item), comment=comment, values=values
    )
    before = snapshot(ListItem.objects.get(pk=item.pk))
    item.state = step.target
    item.save_checked(
        item.version if expected_version is None else expected_version, ["state", *fields]
    )
    record(
        actor,
        f"duallists.item.{name}",
        item,
        before=before,
        after=snapshot(item),
        detail={**(detail or {}), **({"comment": comment} if comment else {})} or None,
    )
    return item, before


@transaction.atomic
def claim(actor: Any, item: ListItem, expected_version: int | None = None) -> ListItem:
    """The named lead unit claims (认领) the item."""
    item.claimed_at = timezone.now()
    return _take(actor, item, "claim", fields=["claimed_at"], expected_version=expected_version)[0]


@transaction.atomic
def object_to(
    actor: Any, item: ListItem, reason: str, expected_version: int | None = None
) -> ListItem:
    """The named lead unit objects (异议) with a reason; the office arbitrates."""
    reason = (reason or "").strip()
    item.objection_reason = reason
    _take(
        actor,
        item,
        "object",
        reason,
        fields=["objection_reason"],
        expected_version=expected_version,
    )
    _notify(
        ref_kind=REF_ITEM,
        ref_id=item.pk,
        kind="item_objected",
        recipients=office_users(item.call.mechanism),
        subject=_("Objection to dual-list item “%(title)s”") % {"title": item.title},
        url=item_url(item),
    )
    return item


@transaction.atomic
def arbitrate(
    actor: Any,
    item: ListItem,
    *,
    comment: str,
    lead_unit: Unit | None = None,
    expected_version: int | None = None,
) -> ListItem:
    """The office decides an objection: the lead unit stays, or another unit is named lead.
    Either way the decision binds: the item counts as claimed by its (new) lead."""
    comment = (comment or "").strip()
    old_lead = item.lead_unit
    if lead_unit is not None and lead_unit.pk != old_lead.pk:
        values = {"lead_unit": lead_unit, "list_kind": item.list_kind}
        errors: dict[str, list[ValidationError]] = {}
        for name in (*ITEM_TEXT_FIELDS, "deadline"):
            values[name] = getattr(item, name)
        _check_item(item.call, values, errors)
        if "lead_unit" in errors:
            raise ValidationError({"lead_unit": errors["lead_unit"]})
        item.lead_unit = lead_unit
        item.co_units.remove(lead_unit)
    item.arbitration_comment = comment
    item.claimed_at = timezone.now()
    _take(
        actor,
        item,
        "arbitrate",
        comment,
        fields=["lead_unit", "arbitration_comment", "claimed_at"],
        expected_version=expected_version,
        detail={"old_lead": old_lead.pk, "new_lead": item.lead_unit_id},
    )
    recipients = unit_users({old_lead.pk, item.lead_unit_id})
    _notify(
        ref_kind=REF_ITEM,
        ref_id=item.pk,
        kind="item_arbitrated",
        recipients=recipients,
        subject=_("The office decided the objection to “%(title)s”") % {"title": item.title},
        url=item_url(item),
    )
    return item


@transaction.atomic
def accept(actor: Any, item: ListItem, expected_version: int | None = None) -> ListItem:
    """The office accepts a claimed item into the draft."""
    return _take(actor, item, "accept", expected_version=expected_version)[0]


@transaction.atomic
def return_item(
    actor: Any, item: ListItem, comment: str, expected_version: int | None = None
) -> ListItem:
    """The office returns an item to the proposer with its comments."""
    comment = (comment or "").strip()
    item.return_comment = comment
    _take(
        actor,
        item,
        "return_item",
        comment,
        fields=["return_comment"],
        expected_version=expected_version,
    )
    _notify(
        ref_kind=REF_ITEM,
        ref_id=item.pk,
        kind="item_returned",
        recipients=[item.proposed_by, *unit_users([item.proposing_unit_id])],
        subject=_("Dual-list item “%(title)s” was returned to you") % {"title": item.title},
        url=item_url(item),
    )
    return item


def _apply_changes(
    item: ListItem, changes: dict[str, Any], errors: dict[str, list[ValidationError]]
) -> tuple[list[str], list[Unit] | None]:
    """Validate `changes` (a subset of ITEM_FIELDS) together with the item's other values and
    set them on the object. Returns the changed field names and the new co-units, if given."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not item fields: {sorted(unknown)}")
    values: dict[str, Any] = {
        name: getattr(item, name) for name in ITEM_FIELDS if name != "co_units"
    }
    values["co_units"] = list(item.co_units.all())
    values.update(changes)
    _check_item(item.call, values, errors)
    kind = values["list_kind"]
    if (
        kind is not None
        and "list_kind" not in errors
        and not side_matches(item.proposing_unit, kind.requester_side)
    ):
        _add(
            errors,
            "list_kind",
            _("This list is asked for by the %(side)s side.")
            % {"side": kind.get_requester_side_display()},
            "item.requester_side",
        )
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    changed = []
    for name in ITEM_FIELDS:
        if name == "co_units" or name not in changes:
            continue
        if getattr(item, name) != values[name]:
            setattr(item, name, values[name])
            changed.append(name)
    co_units = values["co_units"] if "co_units" in changes else None
    return changed, co_units


@transaction.atomic
def resubmit(
    actor: Any, item: ListItem, expected_version: int | None = None, **changes: Any
) -> ListItem:
    """The proposer resubmits a returned item, changed as the office asked; the lead unit is
    asked again to claim or object."""
    errors: dict[str, list[ValidationError]] = {}
    wf.ITEM_WORKFLOW.check("resubmit", item.state, relations_to(actor, item))
    changed, co_units = _apply_changes(item, changes, errors)
    if co_units is not None:
        item.co_units.set(co_units)
    item.claimed_at = None
    fields = [*changed, "claimed_at"]
    _take(
        actor,
        item,
        "resubmit",
        fields=fields,
        expected_version=expected_version,
        detail={"changed": sorted([*changed, *(["co_units"] if co_units is not None else [])])},
    )
    if item.lead_unit_id == item.proposing_unit_id:
        # A unit leading its own proposal has claimed it already.
        item.state = wf.CLAIMED
        item.claimed_at = timezone.now()
        item.save_checked(item.version, ["state", "claimed_at"])
    else:
        _ask_lead_unit(item)
    return item


@transaction.atomic
def revise_item(
    actor: Any, item: ListItem, expected_version: int | None = None, **changes: Any
) -> ListItem:
    """The office adjusts an item while the lists are drafted (wording, lead, co-units,
    deadline, target); a changed lead unit must claim again unless the item was accepted."""
    require(actor, "revise", item)
    errors: dict[str, list[ValidationError]] = {}
    before = snapshot(item)
    old_co = sorted(item.co_units.values_list("pk", flat=True))
    changed, co_units = _apply_changes(item, changes, errors)
    if co_units is not None:
        item.co_units.set(co_units)
    item.save_checked(item.version if expected_version is None else expected_version, changed)
    record(
        actor,
        "duallists.item.revise",
        item,
        before=before,
        after=snapshot(item),
        detail={"co_units_before": old_co, "co_units": sorted(u.pk for u in co_units)}
        if co_units is not None
        else None,
    )
    return item


@transaction.atomic
def merge(actor: Any, target: ListItem, other: ListItem, comment: str = "") -> ListItem:
    """The office merges a duplicate (`other`) into `target`: `other` is marked merged and
    points at `target`; its lead and co-units join `target` as co-units."""
    require(actor, "revise", target)
    if other.pk == target.pk or other.call_id != target.call_id:
        raise ValidationError(
            _("Choose another item of the same call."), code="item.merge_other_call"
        )
    if other.list_kind_id != target.list_kind_id:
        raise ValidationError(_("Both items must be on the same list."), code="item.merge_kind")
    other.merged_into = target
    _take(actor, other, "merge", comment, fields=["merged_into"], detail={"into": target.pk})
    before = snapshot(target)
    joining = [other.lead_unit, *other.co_units.all()]
    added = [u for u in joining if u.pk != target.lead_unit_id]
    target.co_units.add(*added)
    target.save_checked(target.version, [])
    record(
        actor,
        "duallists.item.merge_into",
        target,
        before=before,
        after=snapshot(target),
        detail={"merged": other.pk, "co_units_added": sorted(u.pk for u in added)},
    )
    return target


# --- after approval ---------------------------------------------------------------------------
@transaction.atomic
def rate(
    actor: Any,
    item: ListItem,
    *,
    timeliness: int,
    quality: int,
    effect: int,
    comment: str = "",
) -> ListItem:
    """The requesting side rates the result once the matter is completed: the proposing unit
    on the list kind's requester side (the court rates 法院需政府支持 items)."""
    require(actor, "rate", item)
    errors: dict[str, list[ValidationError]] = {}
    for name, value in (("timeliness", timeliness), ("quality", quality), ("effect", effect)):
        if value is None or not 1 <= int(value) <= 5:
            _add(errors, name, _("Rate from 1 to 5."), "rating.score")
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]
    before = snapshot(item)
    item.rating_timeliness = int(timeliness)
    item.rating_quality = int(quality)
    item.rating_effect = int(effect)
    item.rating_comment = (comment or "").strip()
    item.rated_by = actor
    item.rated_at = timezone.now()
    item.save_checked(
        item.version,
        [
            "rating_timeliness",
            "rating_quality",
            "rating_effect",
            "rating_comment",
            "rated_by",
            "rated_at",
        ],
    )
    record(actor, "duallists.item.rate", item, before=before, after=snapshot(item))
    return item


def unfinished_items(call: ListCall) -> Any:
    """Approved items of the call whose matter is not completed (or was never registered)."""
    from fuyuan.matters import workflow as matter_wf

    return (
        ListItem.objects.filter(call=call, state=wf.APPROVED)
        .exclude(matter__state__in=matter_wf.DONE_STATES)
        .select_related("list_kind", "lead_unit", "proposing_unit", "task_area")
        .prefetch_related("co_units")
        .order_by("pk")
    )


@transaction.atomic
def carry_over(
    actor: Any,
    from_call: ListCall,
    to_call: ListCall,
    *,
    deadline: datetime.date | None = None,
) -> list[ListItem]:
    """The office carries the unfinished items of a year into a later year's call, as
    proposals of the same units (the lead unit claims again). Items already carried into that
    call are skipped, so it can be run twice."""
    require(actor, "carry_over", from_call)
    require(actor, "carry_over", to_call)
    if to_call.mechanism_id != from_call.mechanism_id or to_call.year <= from_call.year:
        raise ValidationError(
            _("Carry over into a later call of the same joint meeting."), code="carry.target"
        )
    if to_call.state not in (wf.CALL_OPEN, wf.CALL_CLOSED):
        raise ValidationError(_("That call no longer takes proposals."), code="carry.closed")
    new_deadline = deadline or datetime.date(to_call.year, 12, 31)
    done = set(
        ListItem.objects.filter(call=to_call, carried_over_from__isnull=False).values_list(
            "carried_over_from_id", flat=True
        )
    )
    carried = []
    for item in unfinished_items(from_call):
        if item.pk in done:
            continue
        new = ListItem.objects.create(
            call=to_call,
            list_kind=item.list_kind,
            title=item.title,
            content=item.content,
            measurable_target=item.measurable_target,
            proposing_unit=item.proposing_unit,
            lead_unit=item.lead_unit,
            deadline=new_deadline,
            task_area=item.task_area,
            state=wf.SUBMITTED,
            proposed_by=actor,
            carried_over_from=item,
        )
        new.co_units.set(item.co_units.all())
        record(
            actor,
            "duallists.item.carry_over",
            new,
            after=snapshot(new),
            detail={"from": item.pk},
        )
        _ask_lead_unit(new)
        carried.append(new)
    return carried


def late_units(call: ListCall) -> list[Unit]:
    """Member units (current member seats) that have proposed nothing in the call."""
    proposed = ListItem.objects.filter(call=call).values("proposing_unit_id")
    return list(member_units(call.mechanism).exclude(pk__in=proposed))


@transaction.atomic
def urge(actor: Any, call: ListCall) -> list[Unit]:
    """The office urges the member units that have not proposed: their liaison officers (and
    court staff) are told. One message per person per day, however often it is pressed."""
    require(actor, "urge", call)
    units = late_units(call)
    if not units:
        return []
    record(
        actor,
        "duallists.call.urge",
        call,
        detail={"units": [u.pk for u in units]},
    )
    _notify(
        ref_kind=REF_CALL,
        ref_id=call.pk,
        kind="call_urge",
        recipients=unit_users([u.pk for u in units]),
        subject=_("Reminder: propose your %(year)s dual-list items (due %(deadline)s)")
        % {"year": call.year, "deadline": call.proposal_deadline.isoformat()},
        url=call_url(call),
    )
    return units


def check_transition(actor: Any, item: ListItem, name: str) -> None:
    """Raise PermissionDenied when the item's graph offers `name` to none of the actor's
    relations in the current state (views show 403 before asking for input)."""
    if not can(actor, name, item):
        raise PermissionDenied(name)


__all__ = [
    "TransitionError",
    "accept",
    "approve",
    "arbitrate",
    "carry_over",
    "claim",
    "close_call",
    "late_units",
    "merge",
    "object_to",
    "open_call",
    "propose",
    "rate",
    "register_matters",
    "resubmit",
    "return_item",
    "revise_item",
    "settle_draft",
    "unfinished_items",
    "urge",
]
