"""Every write about administrative cases, hearings (开庭预告) and heads appearing in court
(出庭应诉): permission check, one transaction, write, audit, and the notifications (queued in
the outbox in the same transaction; delivery is kicked on commit).

Court data mostly arrives by import; these actions are the manual entry and correction path
and the daily job's two steps (hearing reminders, automatic confirmation of records)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuyuan.accounts import recipients
from fuyuan.accounts.models import Post, PostKind, Role, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.case_numbers import CaseNumberError, parse_case_number
from fuyuan.core.workflow import Transition
from fuyuan.org.models import Jurisdiction, Mechanism, Unit, UnitKind
from fuyuan.org.settings_schema import ADMIN_CASE_OUTCOMES

from . import search_index
from . import workflow as wf
from .models import (
    AdminCase,
    Appearance,
    CaseStage,
    CoDefendant,
    HeadRank,
    Hearing,
    HearingState,
    Instance,
    RecordSource,
)

CASE_KIND = "litigation.case"
HEARING_KIND = "litigation.hearing"
APPEARANCE_KIND = "litigation.appearance"
CASE_FIELDS = (
    "number",
    "court",
    "defendant",
    "co_defendants",
    "plaintiffs",
    "cause",
    "enterprise_related",
    "filed_on",
    "stage",
    "concluded_on",
    "outcome",
    "outcome_note",
)
APPEARANCE_FIELDS = ("rank", "head_name", "head_post", "spoke", "absence_reason")

Errors = dict[str, list[ValidationError]]


def _today() -> datetime.date:
    return timezone.localdate()


def _add(errors: Errors, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)  # type: ignore[arg-type]


def case_url(case: AdminCase | int) -> str:
    pk = case if isinstance(case, int) else case.pk
    return reverse("litigation:case_detail", args=[pk])


# --- where a case belongs ---------------------------------------------------------------------
def mechanism_for(unit: Unit) -> Mechanism | None:
    """The joint meeting of the unit's jurisdiction, else the nearest one above it (a zone
    without its own mechanism works with its city's)."""
    return Mechanism.objects.covering(unit.jurisdiction)


# --- who --------------------------------------------------------------------------------------
def acting_courts(actor: Any) -> QuerySet[Unit]:
    """Courts the actor works for as court staff (predecessors included)."""
    ids = scope_for(actor).units.get(Role.COURT, frozenset())
    return Unit.objects.filter(pk__in=sorted(ids), kind=UnitKind.COURT)


def _parent_paths(paths: Iterable[str]) -> set[str]:
    """The path one level up of each path (itself at the top): a county's city."""
    found: set[str] = set()
    for path in paths:
        parts = [p for p in path.split("/") if p]
        found.add("/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else path)
    return found


def _under(paths: Iterable[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def office_paths(actor: Any) -> tuple[str, ...]:
    return tuple(scope_for(actor).oversight.get(Role.OFFICE, ()))


def may_enter_cases(actor: Any) -> bool:
    """Court staff and office staff enter and correct cases."""
    scope = scope_for(actor)
    return bool(scope.units.get(Role.COURT)) or bool(scope.oversight.get(Role.OFFICE))


def court_choices(actor: Any) -> QuerySet[Unit]:
    """Courts a case may be entered for: those the actor works for; for office staff, every
    current court of the city their jurisdiction belongs to (a county's cases are often heard
    by another county's court, 相对集中管辖) and any other court they may see."""
    scope = scope_for(actor)
    q = Q(pk__in=sorted(scope.units.get(Role.COURT, frozenset())))
    paths = office_paths(actor)
    if paths:
        visible = Unit.objects.visible_to(actor).values("pk")
        q |= Q(pk__in=visible) | _under(_parent_paths(paths), "jurisdiction__path")
    return (
        Unit.objects.current()
        .courts()
        .exclude(court_code="")
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def defendant_choices(actor: Any) -> QuerySet[Unit]:
    """Current bodies (not courts) a case may be entered against: for office staff, those of
    the jurisdictions they oversee; for court staff, those they may see and those of the
    court's city (the bodies whose cases the court hears)."""
    scope = scope_for(actor)
    q = Q(pk__in=[])
    paths = office_paths(actor)
    if paths:
        q |= _under(paths, "jurisdiction__path")
    court_ids = sorted(scope.units.get(Role.COURT, frozenset()))
    if court_ids:
        court_paths = Unit.objects.filter(pk__in=court_ids).values_list(
            "jurisdiction__path", flat=True
        )
        q |= Q(pk__in=Unit.objects.visible_to(actor).values("pk"))
        q |= _under(_parent_paths(court_paths), "jurisdiction__path")
    return (
        Unit.objects.current()
        .exclude(kind=UnitKind.COURT)
        .filter(q)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def _may_enter(actor: Any, court: Unit, defendant: Unit) -> bool:
    """Court staff of the court hearing the case, or office staff overseeing the defendant's
    jurisdiction."""
    scope = scope_for(actor)
    return scope.acts_for(court.pk, Role.COURT) or scope.oversees(
        defendant.jurisdiction.path, Role.OFFICE
    )


def head_users(unit: Unit) -> list[Any]:
    """Holders of the body's head post (正职) who have an account. A head without an account
    cannot be reached: notifications (SMS included) go to users only."""
    posts = Post.objects.filter(
        unit_id__in=recipients.unit_and_successor(unit), kind=PostKind.HEAD, holder__isnull=False
    )
    return list(
        User.objects.filter(person__posts__in=posts, is_active=True).distinct().order_by("pk")
    )


def _notify(
    *,
    ref_kind: str,
    ref_id: int,
    kind: str,
    recipients: Iterable[Any],
    subject: str,
    url: str,
    due_date: datetime.date | None = None,
    channels: Iterable[str] | None = None,
    kick: bool = True,
) -> int:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return 0
    extra: dict[str, Any] = {"channels": tuple(channels)} if channels is not None else {}
    queued = notify(
        ref_kind=ref_kind,
        ref_id=ref_id,
        kind=kind,
        due_date=due_date or _today(),
        recipients=people,
        subject=subject[:200],
        url=url,
        **extra,
    )
    if kick:
        kick_delivery()
    return queued


# --- cases ------------------------------------------------------------------------------------
def _plaintiff_lines(value: str) -> str:
    lines = [line.strip() for line in (value or "").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _validate_case(values: dict[str, Any], *, exclude_pk: int | None = None) -> Any:
    """Check a case's values (all of them: a create, or an update merged with the row) and
    return the parsed case number. Raises ValidationError with every problem found."""
    errors: Errors = {}
    parsed = None
    raw = (values.get("number") or "").strip()
    court: Unit | None = values.get("court")
    defendant: Unit | None = values.get("defendant")
    if not raw:
        _add(errors, "number", _("Enter the case number."), "required")
    else:
        try:
            parsed = parse_case_number(raw)
        except CaseNumberError as exc:
            _add(errors, "number", exc.message, exc.code)
    if parsed is not None:
        if parsed.kind != "administrative":
            _add(
                errors,
                "number",
                _("%(number)s is not an administrative case (its type code is %(type)s).")
                % {"number": parsed.normalized, "type": parsed.type_code},
                "litigation.not_administrative",
            )
        same = AdminCase.objects.filter(number=parsed.normalized).select_related("court")
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        duplicate = same.first()
        if duplicate is not None:
            _add(
                errors,
                "number",
                _("Case %(number)s is already registered (%(court)s, filed on %(date)s).")
                % {
                    "number": duplicate.number,
                    "court": duplicate.court.name,
                    "date": duplicate.filed_on.isoformat(),
                },
                "litigation.duplicate_number",
            )
    if court is None:
        _add(errors, "court", _("Choose the court."), "required")
    elif court.kind != UnitKind.COURT or not court.court_code:
        _add(errors, "court", _("Choose a court with a court code."), "litigation.not_a_court")
    elif parsed is not None and not parsed.legacy and parsed.court_code != court.court_code:
        _add(
            errors,
            "court",
            _("The number %(number)s belongs to court %(code)s, not to %(court)s (%(own)s).")
            % {
                "number": parsed.normalized,
                "code": parsed.court_code,
                "court": court.name,
                "own": court.court_code,
            },
            "litigation.court_mismatch",
        )
    if defendant is None:
        _add(errors, "defendant", _("Choose the defendant body."), "required")
    elif defendant.kind == UnitKind.COURT:
        _add(
            errors,
            "defendant",
            _("A court cannot be the defendant of an administrative case here."),
            "litigation.defendant_is_court",
        )
    elif mechanism_for(defendant) is None:
        _add(
            errors,
            "defendant",
            _("No joint meeting covers the defendant's jurisdiction."),
            "litigation.no_mechanism",
        )
    for unit in values.get("co_defendants") or ():
        if unit.kind == UnitKind.COURT:
            _add(
                errors,
                "co_defendants",
                _("A court cannot be a co-defendant."),
                "litigation.defendant_is_court",
            )
            break
    if not values.get("plaintiffs"):
        _add(errors, "plaintiffs", _("Name at least one plaintiff."), "required")
    if not values.get("cause"):
        _add(errors, "cause", _("Enter the cause of action."), "required")
    today = _today()
    filed_on: datetime.date | None = values.get("filed_on")
    if filed_on is None:
        _add(errors, "filed_on", _("Enter the filing date."), "required")
    elif filed_on > today:
        _add(
            errors,
            "filed_on",
            _("The filing date cannot be in the future."),
            "litigation.filed_in_future",
        )
    stage = values.get("stage") or ""
    if stage not in CaseStage.values:
        _add(errors, "stage", _("Choose the stage."), "invalid_choice")
    outcome = values.get("outcome") or ""
    concluded_on: datetime.date | None = values.get("concluded_on")
    if outcome and outcome not in ADMIN_CASE_OUTCOMES:
        _add(errors, "outcome", _("Choose an outcome from the list."), "invalid_choice")
    if stage == CaseStage.CONCLUDED:
        if concluded_on is None:
            _add(
                errors,
                "concluded_on",
                _("A concluded case needs the date it was concluded."),
                "litigation.outcome_required",
            )
        if not outcome:
            _add(
                errors,
                "outcome",
                _("A concluded case needs its outcome."),
                "litigation.outcome_required",
            )
    elif stage and (concluded_on is not None or outcome):
        _add(
            errors,
            "stage",
            _("A case with an outcome or a conclusion date is concluded: set the stage."),
            "litigation.outcome_required",
        )
    if concluded_on is not None:
        if concluded_on > today:
            _add(
                errors,
                "concluded_on",
                _("The conclusion date cannot be in the future."),
                "litigation.concluded_in_future",
            )
        elif filed_on is not None and concluded_on < filed_on:
            _add(
                errors,
                "concluded_on",
                _("The case cannot be concluded before it was filed."),
                "litigation.concluded_before_filed",
            )
    _raise(errors)
    return parsed


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    cleaned["number"] = (cleaned.get("number") or "").strip()
    cleaned["plaintiffs"] = _plaintiff_lines(cleaned.get("plaintiffs") or "")
    cleaned["cause"] = (cleaned.get("cause") or "").strip()
    cleaned["outcome"] = (cleaned.get("outcome") or "").strip()
    cleaned["outcome_note"] = (cleaned.get("outcome_note") or "").strip()
    cleaned["enterprise_related"] = bool(cleaned.get("enterprise_related"))
    defendant = cleaned.get("defendant")
    seen: dict[int, Unit] = {}
    for unit in cleaned.get("co_defendants") or ():
        if defendant is None or unit.pk != defendant.pk:
            seen.setdefault(unit.pk, unit)
    cleaned["co_defendants"] = list(seen.values())
    return cleaned


def _instance(value: str) -> str:
    return value if value in Instance.values else Instance.OTHER


def _case_snapshot(case: AdminCase) -> dict[str, Any]:
    data = snapshot(case) or {}
    data["co_defendants"] = sorted(case.co_defendants.values_list("unit_id", flat=True))
    return data


def _set_co_defendants(case: AdminCase, units: list[Unit]) -> None:
    wanted = {u.pk for u in units}
    CoDefendant.objects.filter(case=case).exclude(unit_id__in=wanted).delete()
    have = set(CoDefendant.objects.filter(case=case).values_list("unit_id", flat=True))
    CoDefendant.objects.bulk_create(
        [CoDefendant(case=case, unit_id=pk) for pk in sorted(wanted - have)]
    )


@transaction.atomic
def create_case(
    actor: Any,
    *,
    number: str,
    court: Unit,
    defendant: Unit,
    co_defendants: Iterable[Unit] = (),
    plaintiffs: str,
    cause: str,
    enterprise_related: bool,
    filed_on: datetime.date,
    stage: str,
    concluded_on: datetime.date | None = None,
    outcome: str = "",
    outcome_note: str = "",
    source: str = RecordSource.MANUAL,
) -> AdminCase:
    """Register an administrative case. The number is parsed (year, court code, type code,
    procedure come from it) and must be an administrative case of the chosen court; the
    jurisdiction and the joint meeting are the defendant's. Court staff of the court, or
    office staff overseeing the defendant's jurisdiction, may enter it."""
    if not may_enter_cases(actor) or (
        court is not None and defendant is not None and not _may_enter(actor, court, defendant)
    ):
        raise PermissionDenied("litigation.case.create")
    values = _clean_values(
        {
            "number": number,
            "court": court,
            "defendant": defendant,
            "co_defendants": list(co_defendants),
            "plaintiffs": plaintiffs,
            "cause": cause,
            "enterprise_related": enterprise_related,
            "filed_on": filed_on,
            "stage": stage,
            "concluded_on": concluded_on,
            "outcome": outcome,
            "outcome_note": outcome_note,
        }
    )
    parsed = _validate_case(values)
    mechanism = mechanism_for(defendant)
    assert mechanism is not None and parsed is not None
    case = AdminCase(
        mechanism=mechanism,
        number=parsed.normalized,
        year=parsed.year,
        court=court,
        type_code=parsed.type_code or parsed.legacy_type[:6],
        instance=_instance(parsed.instance),
        plaintiffs=values["plaintiffs"],
        defendant=defendant,
        jurisdiction=defendant.jurisdiction,
        cause=values["cause"],
        enterprise_related=values["enterprise_related"],
        filed_on=filed_on,
        stage=stage,
        concluded_on=concluded_on,
        outcome=values["outcome"],
        outcome_note=values["outcome_note"],
        source=source,
    )
    case.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    case.save()
    _set_co_defendants(case, values["co_defendants"])
    search_index.index_cases([case.pk])
    record(actor, "litigation.case.create", case, after=_case_snapshot(case))
    return case


@transaction.atomic
def update_case(
    actor: Any, case: AdminCase, expected_version: int | None = None, **fields: Any
) -> AdminCase:
    """Correct a case's data (the court, or the office correcting an import). Only the
    fields given change; the whole case is checked again, and the new court and defendant
    must still be within the editor's remit. Optimistic locking on `expected_version`."""
    require(actor, "edit", case)
    unknown = set(fields) - set(CASE_FIELDS) - {"source"}
    if unknown:
        raise TypeError(f"update_case: unknown fields {sorted(unknown)}")
    current = {
        "number": case.number,
        "court": case.court,
        "defendant": case.defendant,
        "co_defendants": [cd.unit for cd in case.co_defendants.select_related("unit")],
        "plaintiffs": case.plaintiffs,
        "cause": case.cause,
        "enterprise_related": case.enterprise_related,
        "filed_on": case.filed_on,
        "stage": case.stage,
        "concluded_on": case.concluded_on,
        "outcome": case.outcome,
        "outcome_note": case.outcome_note,
    }
    values = _clean_values({**current, **{k: v for k, v in fields.items() if k != "source"}})
    court, defendant = values["court"], values["defendant"]
    if (
        court is not None
        and defendant is not None
        and (court.pk != case.court_id or defendant.pk != case.defendant_id)
        and not _may_enter(actor, court, defendant)
    ):
        raise PermissionDenied("litigation.case.edit")
    parsed = _validate_case(values, exclude_pk=case.pk)
    assert parsed is not None
    before = _case_snapshot(case)
    case.number = parsed.normalized
    case.year = parsed.year
    case.type_code = parsed.type_code or parsed.legacy_type[:6]
    case.instance = _instance(parsed.instance)
    case.court = court
    if defendant.pk != case.defendant_id:
        mechanism = mechanism_for(defendant)
        assert mechanism is not None
        case.mechanism = mechanism
    case.defendant = defendant
    case.jurisdiction = defendant.jurisdiction
    for name in (
        "plaintiffs",
        "cause",
        "enterprise_related",
        "filed_on",
        "stage",
        "concluded_on",
        "outcome",
        "outcome_note",
    ):
        setattr(case, name, values[name])
    if "source" in fields:
        case.source = fields["source"]
    case.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    case.save_checked(
        case.version if expected_version is None else expected_version,
        fields=[
            "mechanism",
            "number",
            "year",
            "court",
            "type_code",
            "instance",
            "plaintiffs",
            "defendant",
            "jurisdiction",
            "cause",
            "enterprise_related",
            "filed_on",
            "stage",
            "concluded_on",
            "outcome",
            "outcome_note",
            "source",
        ],
    )
    _set_co_defendants(case, values["co_defendants"])
    search_index.index_cases([case.pk])
    record(actor, "litigation.case.update", case, before=before, after=_case_snapshot(case))
    return case


# --- hearings ---------------------------------------------------------------------------------
def hearing_subject(hearing: Hearing, text: str) -> str:
    when = timezone.localtime(hearing.starts_at).strftime("%Y-%m-%d %H:%M")
    place = f" {hearing.place}" if hearing.place else ""
    return f"{text}: {hearing.case.number} {when}{place}"


def _check_hearing_time(
    case: AdminCase, starts_at: datetime.datetime | None, exclude_pk: int | None = None
) -> Errors:
    errors: Errors = {}
    if starts_at is None:
        _add(errors, "starts_at", _("Enter the date and time of the hearing."), "required")
        return errors
    if timezone.localtime(starts_at).date() < case.filed_on:
        _add(
            errors,
            "starts_at",
            _("A hearing cannot be before the case was filed (%(date)s).")
            % {"date": case.filed_on.isoformat()},
            "litigation.hearing_before_filing",
        )
    same = Hearing.objects.filter(case=case, starts_at=starts_at)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        _add(
            errors,
            "starts_at",
            _("This case already has a hearing at that time."),
            "litigation.hearing_duplicate",
        )
    return errors


@transaction.atomic
def add_hearing(
    actor: Any,
    case: AdminCase,
    starts_at: datetime.datetime,
    place: str = "",
    source: str = RecordSource.MANUAL,
) -> Hearing:
    """Announce a hearing (开庭预告); a filed case moves into trial. The defendant body's
    liaison officers are told at once; the reminder follows before the day."""
    require(actor, "hearing", case)
    _raise(_check_hearing_time(case, starts_at))
    hearing = Hearing(case=case, starts_at=starts_at, place=(place or "").strip(), source=source)
    hearing.full_clean(exclude=["created_at", "updated_at"], validate_constraints=False)
    hearing.save()
    record(actor, "litigation.hearing.create", hearing, after=snapshot(hearing))
    # A filed case goes into trial with its first hearing (whatever version the caller read:
    # only this derived field changes, and only from "filed").
    moved = AdminCase.objects.filter(pk=case.pk, stage=CaseStage.FILED).update(
        stage=CaseStage.HEARING, version=F("version") + 1, updated_at=timezone.now()
    )
    if moved:
        before = snapshot(case)
        case.refresh_from_db(fields=["stage", "version", "updated_at"])
        record(actor, "litigation.case.update", case, before=before, after=snapshot(case))
    if timezone.localtime(starts_at).date() >= _today():
        _notify(
            ref_kind=HEARING_KIND,
            ref_id=hearing.pk,
            kind="litigation.hearing_announced",
            due_date=timezone.localtime(starts_at).date(),
            recipients=body_users(case.defendant),
            subject=hearing_subject(hearing, _("Hearing announced")),
            url=case_url(case),
        )
    return hearing


@transaction.atomic
def update_hearing(
    actor: Any,
    hearing: Hearing,
    *,
    state: str | None = None,
    starts_at: datetime.datetime | None = None,
    place: str | None = None,
    expected_version: int | None = None,
) -> Hearing:
    """Move, mark held or cancel a hearing. A hearing is held only once its time has come;
    one with an appearance record can be neither cancelled nor announced again. A new time
    resets the reminder."""
    case = hearing.case
    require(actor, "hearing", case)
    errors: Errors = {}
    new_state = state or hearing.state
    new_time = starts_at or hearing.starts_at
    if new_state not in HearingState.values:
        _add(errors, "state", _("Choose the state of the hearing."), "invalid_choice")
    if starts_at is not None and starts_at != hearing.starts_at:
        errors.update(_check_hearing_time(case, starts_at, exclude_pk=hearing.pk))
    if new_state == HearingState.HELD and new_time > timezone.now():
        _add(
            errors,
            "state",
            _("A hearing can be marked held only once its time has come."),
            "litigation.hearing_in_future",
        )
    has_record = Appearance.objects.filter(hearing=hearing).exists()
    if has_record and new_state != HearingState.HELD:
        _add(
            errors,
            "state",
            _("The hearing has an appearance record: it was held."),
            "litigation.hearing_has_record",
        )
    _raise(errors)
    before = snapshot(hearing)
    moved = new_time != hearing.starts_at
    hearing.state = new_state
    hearing.starts_at = new_time
    if place is not None:
        hearing.place = place.strip()
    if moved:
        hearing.reminded_on = None
    hearing.save_checked(
        hearing.version if expected_version is None else expected_version,
        fields=["state", "starts_at", "place", "reminded_on"],
    )
    record(actor, "litigation.hearing.update", hearing, before=before, after=snapshot(hearing))
    old_state = (before or {}).get("state")
    if new_state == HearingState.CANCELLED and old_state != HearingState.CANCELLED:
        text, kind = _("Hearing cancelled"), "litigation.hearing_cancelled"
    elif moved and new_state == HearingState.SCHEDULED:
        text, kind = _("Hearing moved"), "litigation.hearing_moved"
    else:
        return hearing
    _notify(
        ref_kind=HEARING_KIND,
        ref_id=hearing.pk,
        kind=kind,
        due_date=timezone.localtime(hearing.starts_at).date(),
        recipients=body_users(case.defendant),
        subject=hearing_subject(hearing, text),
        url=case_url(case),
    )
    return hearing


def _hearing_was_held(actor: Any, hearing: Hearing) -> None:
    """A record can be made for a held hearing, or one whose time has passed (which it then
    marks held)."""
    if hearing.state == HearingState.CANCELLED:
        raise ValidationError(
            _("The hearing was cancelled: there is nothing to record."),
            code="litigation.hearing_cancelled",
        )
    if hearing.state == HearingState.HELD:
        return
    if hearing.starts_at > timezone.now():
        raise ValidationError(
            _("The hearing has not taken place yet."), code="litigation.hearing_not_held"
        )
    before = snapshot(hearing)
    hearing.state = HearingState.HELD
    hearing.save_checked(hearing.version, fields=["state"])
    record(actor, "litigation.hearing.update", hearing, before=before, after=snapshot(hearing))


# --- head appearance records ------------------------------------------------------------------
def _appearance_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the content of a record: an appearing head has a name and may
    have spoken; an absence needs its written reason."""
    rank = values.get("rank") or ""
    cleaned = {
        "rank": rank,
        "head_name": (values.get("head_name") or "").strip(),
        "head_post": (values.get("head_post") or "").strip(),
        "spoke": bool(values.get("spoke")),
        "absence_reason": (values.get("absence_reason") or "").strip(),
    }
    errors: Errors = {}
    if rank not in HeadRank.values:
        _add(errors, "rank", _("Say who appeared."), "invalid_choice")
    elif rank == HeadRank.NONE:
        if not cleaned["absence_reason"]:
            _add(
                errors,
                "absence_reason",
                _("Give the written reason why no head appeared."),
                "litigation.absence_reason_required",
            )
        if cleaned["spoke"]:
            _add(
                errors,
                "spoke",
                _("Only a head who appeared can have spoken in court."),
                "litigation.spoke_without_appearing",
            )
        cleaned["head_name"] = cleaned["head_post"] = ""
    else:
        if not cleaned["head_name"]:
            _add(
                errors,
                "head_name",
                _("Give the name of the head who appeared."),
                "litigation.head_name_required",
            )
        cleaned["absence_reason"] = ""
    _raise(errors)
    return cleaned


def confirm_by(appearance: Appearance) -> datetime.date:
    """The day an unanswered record confirms itself (mechanism setting, calendar days)."""
    days = int(appearance.case.mechanism.config.hearing_record_auto_confirm_days)
    return appearance.recorded_on + datetime.timedelta(days=days)


def _appearance_subject(appearance: Appearance, text: str) -> str:
    return f"{text}: {appearance.case.number} ({appearance.get_rank_display()})"


@transaction.atomic
def record_appearance(
    actor: Any,
    hearing: Hearing,
    *,
    rank: str,
    head_name: str = "",
    head_post: str = "",
    spoke: bool = False,
    absence_reason: str = "",
) -> Appearance:
    """The court records whether the defendant body's head appeared at a hearing, at which
    rank, whether the head spoke — or the written reason for absence. The body's liaison
    officers are asked to confirm or dispute it before it confirms itself."""
    case = hearing.case
    if wf.COURT not in case.relations(scope_for(actor)):
        raise PermissionDenied("litigation.appearance.record")
    if Appearance.objects.filter(hearing=hearing).exists():
        raise ValidationError(
            _("This hearing already has a record: correct it instead."),
            code="litigation.appearance_exists",
        )
    values = _appearance_values(
        {
            "rank": rank,
            "head_name": head_name,
            "head_post": head_post,
            "spoke": spoke,
            "absence_reason": absence_reason,
        }
    )
    _hearing_was_held(actor, hearing)
    appearance = Appearance(
        case=case,
        hearing=hearing,
        unit=case.defendant,
        recorded_by=actor,
        recorded_on=_today(),
        state=wf.APPEARANCE_WORKFLOW.initial,
        **values,
    )
    appearance.full_clean(exclude=["created_at", "updated_at"], validate_unique=False)
    appearance.save()
    record(actor, "litigation.appearance.create", appearance, after=snapshot(appearance))
    _notify(
        ref_kind=APPEARANCE_KIND,
        ref_id=appearance.pk,
        kind="litigation.appearance_recorded",
        recipients=body_users(appearance.unit),
        subject=_appearance_subject(
            appearance,
            _("Head appearance recorded by the court, confirm or dispute by %(date)s")
            % {"date": confirm_by(appearance).isoformat()},
        ),
        url=case_url(case),
    )
    return appearance


@transaction.atomic
def correct_appearance(
    actor: Any,
    appearance: Appearance,
    *,
    comment: str = "",
    expected_version: int | None = None,
    **fields: Any,
) -> Appearance:
    """The court corrects its record while the body has not confirmed it. A disputed record
    goes back to the body through the graph's "correct" (the comment answers the dispute);
    either way the body's time to answer starts again."""
    require(actor, "edit", appearance)
    unknown = set(fields) - set(APPEARANCE_FIELDS)
    if unknown:
        raise TypeError(f"correct_appearance: unknown fields {sorted(unknown)}")
    step: Transition | None = None
    if appearance.state == wf.DISPUTED:
        step = wf.APPEARANCE_WORKFLOW.check(
            "correct", appearance.state, relations_to(actor, appearance), comment=comment
        )
    current = {name: getattr(appearance, name) for name in APPEARANCE_FIELDS}
    values = _appearance_values({**current, **fields})
    before = snapshot(appearance)
    for name, value in values.items():
        setattr(appearance, name, value)
    appearance.recorded_on = _today()
    appearance.recorded_by = actor
    changed = ["recorded_on", "recorded_by", *APPEARANCE_FIELDS]
    if step is not None:
        appearance.state = step.target
        appearance.court_answer = comment.strip()
        changed += ["state", "court_answer"]
    appearance.save_checked(
        appearance.version if expected_version is None else expected_version, fields=changed
    )
    record(
        actor,
        "litigation.appearance.correct",
        appearance,
        before=before,
        after=snapshot(appearance),
        detail={"comment": comment.strip()} if comment.strip() else None,
    )
    _notify(
        ref_kind=APPEARANCE_KIND,
        ref_id=appearance.pk,
        kind=f"litigation.appearance_corrected.{appearance.version}",
        recipients=body_users(appearance.unit),
        subject=_appearance_subject(
            appearance,
            _("Head appearance record corrected by the court, confirm or dispute by %(date)s")
            % {"date": confirm_by(appearance).isoformat()},
        ),
        url=case_url(appearance.case),
    )
    return appearance


@transaction.atomic
def appearance_transition(
    actor: Any,
    appearance: Appearance,
    name: str,
    comment: str = "",
    expected_version: int | None = None,
) -> Appearance:
    """Take a step of the record's graph: the body confirms or disputes (with its reason);
    the court answers a dispute by correcting the record (back to the body) or keeping it
    (confirmed). The other side is notified."""
    step = wf.APPEARANCE_WORKFLOW.check(
        name, appearance.state, relations_to(actor, appearance), comment=comment
    )
    comment = (comment or "").strip()
    before = snapshot(appearance)
    changed = ["state"]
    if name == "confirm":
        appearance.confirmed_on = _today()
        changed.append("confirmed_on")
    elif name == "dispute":
        appearance.dispute_reason = comment
        changed.append("dispute_reason")
    elif name == "correct":
        appearance.court_answer = comment
        appearance.recorded_on = _today()
        changed += ["court_answer", "recorded_on"]
    elif name == "uphold":
        appearance.court_answer = comment
        appearance.confirmed_on = _today()
        changed += ["court_answer", "confirmed_on"]
    appearance.state = step.target
    appearance.save_checked(
        appearance.version if expected_version is None else expected_version, fields=changed
    )
    record(
        actor,
        f"litigation.appearance.{name}",
        appearance,
        before=before,
        after=snapshot(appearance),
        detail={"comment": comment} if comment else None,
    )
    case = appearance.case
    if name in ("confirm", "dispute"):
        recipients = court_users(case.court)
        text = (
            _("The body confirmed the head appearance record")
            if name == "confirm"
            else _("The body disputes the head appearance record")
        )
    else:
        recipients = body_users(appearance.unit)
        text = (
            _("The court corrected the head appearance record")
            if name == "correct"
            else _("The court keeps the head appearance record as it is")
        )
    _notify(
        ref_kind=APPEARANCE_KIND,
        ref_id=appearance.pk,
        kind=f"litigation.appearance_{name}.{appearance.version}",
        recipients=recipients,
        subject=_appearance_subject(appearance, text),
        url=case_url(case),
    )
    return appearance


# --- the daily job ----------------------------------------------------------------------------
def auto_confirm_appearances(today: datetime.date | None = None) -> int:
    """Records still awaiting the body `hearing_record_auto_confirm_days` calendar days after
    they were recorded confirm themselves (`auto_confirmed`). One audit entry per record, by
    the system (no user). Idempotent: a confirmed record is not touched again."""
    today = today or _today()
    rows = list(
        Appearance.objects.filter(state=wf.RECORDED, recorded_on__lte=today)
        .select_related("case__mechanism")
        .order_by("pk")
    )
    days_of: dict[int, int] = {}
    done = 0
    for appearance in rows:
        mechanism = appearance.case.mechanism
        if mechanism.pk not in days_of:
            days_of[mechanism.pk] = int(mechanism.config.hearing_record_auto_confirm_days)
        days = days_of[mechanism.pk]
        if appearance.recorded_on + datetime.timedelta(days=days) > today:
            continue
        with transaction.atomic():
            fresh = (
                Appearance.objects.select_for_update()
                .filter(pk=appearance.pk, state=wf.RECORDED)
                .first()
            )
            if fresh is None:
                continue
            before = snapshot(fresh)
            fresh.state = wf.CONFIRMED
            fresh.confirmed_on = today
            fresh.auto_confirmed = True
            fresh.save_checked(fresh.version, fields=["state", "confirmed_on", "auto_confirmed"])
            record(
                None,
                "litigation.appearance.auto_confirm",
                fresh,
                before=before,
                after=snapshot(fresh),
                detail={"job": "litigation.daily", "days": days},
            )
        done += 1
    return done


def send_hearing_reminders(today: datetime.date | None = None) -> int:
    """For announced hearings within the mechanism's `hearing_reminder_days` days, remind the
    defendant bodies' liaison officers, the head of the primary defendant (when the head has
    an account) and the office of the defendant's jurisdiction — once per hearing and date
    (outbox key), on every enabled channel. Returns the number of hearings reminded."""
    from fuyuan.notify.channels import enabled_channels

    today = today or _today()
    horizon = max((int(m.config.hearing_reminder_days) for m in Mechanism.objects.all()), default=0)
    hearings = list(
        Hearing.objects.filter(
            state=HearingState.SCHEDULED,
            reminded_on__isnull=True,
            starts_at__gte=_start_of(today),
            starts_at__lt=_start_of(today + datetime.timedelta(days=horizon + 1)),
        )
        .select_related("case__mechanism", "case__defendant__jurisdiction")
        .prefetch_related("case__co_defendants__unit")
        .order_by("starts_at", "pk")
    )
    channels = enabled_channels()
    reminded = 0
    with translation.override(settings.LANGUAGE_CODE):
        for hearing in hearings:
            case = hearing.case
            days = int(case.mechanism.config.hearing_reminder_days)
            day = timezone.localtime(hearing.starts_at).date()
            if day > today + datetime.timedelta(days=days):
                continue
            with transaction.atomic():
                fresh = (
                    Hearing.objects.select_for_update()
                    .filter(pk=hearing.pk, reminded_on__isnull=True)
                    .first()
                )
                if fresh is None:
                    continue
                people: list[Any] = [*body_users(case.defendant), *head_users(case.defendant)]
                for co in case.co_defendants.all():
                    people += body_users(co.unit)
                people += office_users(case.defendant.jurisdiction)
                queued = _notify(
                    ref_kind=HEARING_KIND,
                    ref_id=hearing.pk,
                    kind="litigation.hearing_reminder",
                    due_date=day,
                    recipients=people,
                    subject=hearing_subject(hearing, _("Hearing reminder, the head should appear")),
                    url=case_url(case),
                    channels=channels,
                    kick=False,
                )
                before = snapshot(fresh)
                fresh.reminded_on = today
                fresh.save_checked(fresh.version, fields=["reminded_on"])
                record(
                    None,
                    "litigation.hearing.remind",
                    fresh,
                    before=before,
                    after=snapshot(fresh),
                    detail={"job": "litigation.daily", "queued": queued},
                )
            reminded += 1
    return reminded


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


__all__ = [
    "acting_courts",
    "add_hearing",
    "appearance_transition",
    "auto_confirm_appearances",
    "body_users",
    "case_url",
    "confirm_by",
    "correct_appearance",
    "court_choices",
    "court_users",
    "create_case",
    "defendant_choices",
    "head_users",
    "may_enter_cases",
    "mechanism_for",
    "office_users",
    "record_appearance",
    "send_hearing_reminders",
    "update_case",
    "update_hearing",
]


# --- recipients (accounts.recipients, under the names this module has always used) ---
def body_users(unit: Unit) -> list[Any]:
    """Liaison officers of a body (or of the body that took it over)."""
    return recipients.unit_users(unit)


def court_users(court: Unit) -> list[Any]:
    return recipients.court_users(court)


def office_users(jurisdiction: Jurisdiction) -> list[Any]:
    """Office staff assigned to the jurisdiction itself."""
    return recipients.office_users(jurisdiction.pk)
