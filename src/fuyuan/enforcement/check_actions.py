"""Every write about list checks (联合惩戒 · 触发反馈): a department checks one party or a batch
against the court's list of dishonest judgment debtors for a business scenario, confirms or
rejects the matches that need it, and reports what it did with each hit; the daily urging of
hits left without feedback; the feedback figures; reading a batch file.

Matching rules (decided here, shown on the check page):
- An entry can only match while it is on the list (`DebtorRecord.objects.hitting()`): a
  removed entry, or one held "to confirm", never matches.
- **Hit** (same identifier): the party's identifier, normalised, has the blind index of an
  entry's identifier, and
  - the entry is an organisation: the code alone decides (organisations rename; the credit
    code or organisation code is the identity). A party checked by credit code also matches an
    entry published under the organisation code embedded in it (characters 9–17);
  - the entry is a person: the names agree too (compared without spaces, full-width forms
    folded). Same identifier with another name → "needs confirmation" (match "identifier").
- **Needs confirmation**, never a hit until the department confirms it is the same party:
  - "masked": the entry's identifier was published masked (411721********1234), or the
    department typed a masked identifier, the names agree and the visible characters agree
    (different visible characters → not the same party, no match);
  - "name only": the names agree and one side has no identifier (the department checked a
    name alone, or the entry has none).
  A party whose clear identifier differs from an entry's clear identifier is a different
  party, whatever the names. A party the department typed with `*` is at most "needs
  confirmation".
- Matching is a set operation: the blind indexes are computed in Python, then ONE query per
  chunk of `CHUNK` indexes and ONE per chunk of names; matches are written with bulk_create;
  one audit entry per check (counts, scenario, file name), never one per party.

Figures (`feedback_figures`), per department over a period of check dates:
- checks, parties checked, hits (matches in state "hit" or "confirmed as the same party"),
  hits answered (feedback recorded: measure applied or not applicable with a reason),
  unanswered = hits − answered, still to confirm;
- feedback rate = hits answered ÷ hits × 100 (one decimal), None when there is no hit.

Urging: a hit without feedback `URGE_AFTER_WORKING_DAYS` working days after its check warns the
department's liaison officers (else the user who ran the check), once a week per check.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fuyuan.accounts.models import Role, RoleAssignment
from fuyuan.accounts.permissions import scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core import calendar
from fuyuan.core.identifiers import IdentifierError
from fuyuan.org.models import Mechanism, Unit

from . import measures
from .models import (
    Check,
    CheckHit,
    DebtorRecord,
    FeedbackAction,
    HitState,
    IdType,
    MatchKind,
    PartyKind,
    Scenario,
    normalize_identifier,
)

logger = logging.getLogger(__name__)

CHUNK = 5000  # parties per set query
MAX_BATCH = 100_000  # parties in one batch file
MAX_BATCH_BYTES = 20 * 1024 * 1024
URGE_AFTER_WORKING_DAYS = 5  # feedback expected within 5 working days of the check
URGE_EVERY_DAYS = 7  # then urged once a week per check
HIT_STATES = (HitState.HIT, HitState.CONFIRMED_HIT)
MIN_VISIBLE = 4  # visible characters that must agree for a masked match
REF_KIND = "enforcement.check"
ORG_TYPES = (IdType.CREDIT_CODE, IdType.ORGANISATION_CODE)


def _today() -> datetime.date:
    return timezone.localdate()


def _error(fld: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({fld: [error]}) if fld else error


def check_url(check: Check) -> str:
    return reverse("enforcement:check_detail", args=[check.pk])


# --- identifiers and names ------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedIdentifier:
    value: str  # normalised ("" when none or unusable)
    id_type: str
    masked: bool


def _guess_type(value: str) -> str:
    if len(value) == 18 and value[:17].isdigit():
        return IdType.RESIDENT_ID
    if len(value) == 15 and value.isdigit():
        return IdType.RESIDENT_ID_15
    if len(value) == 18 and value.isalnum():
        return IdType.CREDIT_CODE
    if len(value) == 9 and value[:8].isalnum():
        return IdType.ORGANISATION_CODE
    return IdType.OTHER


_PLAIN_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9Xx]")


def _plain_resident_id(text: str, today: datetime.date) -> ParsedIdentifier | None:
    """The common case of a batch, without the full parser: 17 ASCII digits + digit/X, a
    known division, a real birth date between `FIRST_BIRTH_YEAR` and today. Exactly what
    `parse_party_identifier` makes of such a value (a resident ID, before a credit code; the
    check character is only a warning there); None for anything else (the parser decides)."""
    from fuyuan.core import identifiers

    first_year = getattr(identifiers, "_FIRST_BIRTH_YEAR", None)
    if first_year is None or not _PLAIN_RESIDENT_ID.fullmatch(text):
        return None
    if not identifiers.division_known(text[:6]):
        return None
    year = int(text[6:10])
    if not first_year <= year <= today.year:
        return None
    try:
        born = datetime.date(year, int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if born > today:
        return None
    return ParsedIdentifier(text.upper(), IdType.RESIDENT_ID, False)


def parse_identifier(raw: str, today: datetime.date | None = None) -> ParsedIdentifier:
    """The party's identifier through `core.identifiers.parse_party_identifier` (the one parser
    of identity documents); raises IdentifierError for a structural error. A bad check
    character is only a warning: the value is still looked up. A plain 18-digit resident ID
    number takes a shortcut with the same result (`_plain_resident_id`)."""
    text = (raw or "").strip()
    if not text:
        return ParsedIdentifier("", "", False)
    try:
        from fuyuan.core.identifiers import parse_party_identifier  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - until the shared parser lands
        value = normalize_identifier(text)
        return ParsedIdentifier(value, _guess_type(value), "*" in value)
    plain = _plain_resident_id(text, today or _today())
    if plain is not None:
        return plain
    try:
        parsed = parse_party_identifier(text)
    except IdentifierError:
        if "*" in text:  # a masked number as the public list shows it
            value = normalize_identifier(text)
            return ParsedIdentifier(value, _guess_type(value.replace("*", "0")), True)
        raise
    return ParsedIdentifier(str(parsed.value), str(parsed.id_type), bool(parsed.masked))


def mask(value: str, id_type: str = "") -> str:
    """First 6 + stars + last 4 (`core.masking.mask_identifier` when present)."""
    if not value:
        return ""
    from fuyuan.core import masking

    fn = getattr(masking, "mask_identifier", None)
    if fn is not None:
        return str(fn(value, id_type or None))
    return masking.mask_id_number(value)


def name_key(name: str) -> str:
    """How names are compared: NFKC (full-width brackets and letters folded), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _name_variants(name: str) -> set[str]:
    """Spellings of a name as a list may store it (brackets full- or half-width)."""
    key = name_key(name)
    stripped = (name or "").strip()
    return {stripped, key, key.replace("(", "（").replace(")", "）")} - {""}


def visible_parts_agree(a: str, b: str) -> bool:
    """Do two identifiers, one or both masked with `*`, agree on the characters both show
    (at least MIN_VISIBLE of them)?"""
    a, b = normalize_identifier(a), normalize_identifier(b)
    if not a or not b:
        return False
    if len(a) == len(b):
        shown = [(x, y) for x, y in zip(a, b, strict=True) if x != "*" and y != "*"]
        return len(shown) >= MIN_VISIBLE and all(x == y for x, y in shown)
    head_a, head_b = a.split("*", 1)[0], b.split("*", 1)[0]
    tail_a = a.rsplit("*", 1)[-1] if "*" in a else a
    tail_b = b.rsplit("*", 1)[-1] if "*" in b else b
    n_head, n_tail = min(len(head_a), len(head_b)), min(len(tail_a), len(tail_b))
    if n_head + n_tail < MIN_VISIBLE:
        return False
    return head_a[:n_head] == head_b[:n_head] and (
        n_tail == 0 or tail_a[-n_tail:] == tail_b[-n_tail:]
    )


# --- who --------------------------------------------------------------------------------------
def check_units(actor: Any) -> QuerySet[Unit]:
    """Units the actor may run checks for: the departments it is liaison officer of, and, for
    office staff, the office unit of the joint meeting it is assigned to."""
    scope = scope_for(actor)
    q = Q(pk__in=sorted(scope.units.get(Role.LIAISON, frozenset())))
    office_jurisdictions = scope.assigned_jurisdictions.get(Role.OFFICE, frozenset())
    if office_jurisdictions:
        q |= Q(
            pk__in=Mechanism.objects.filter(
                jurisdiction_id__in=sorted(office_jurisdictions)
            ).values("office_unit_id")
        )
    return (
        Unit.objects.current().filter(q).select_related("jurisdiction").order_by("order_no", "pk")
    )


def may_act_for(actor: Any, unit_id: int) -> bool:
    """May the actor check for this unit, or answer the hits of its checks? Liaison officers
    of the unit (or of its successor) and office staff for their office unit."""
    scope = scope_for(actor)
    if scope.acts_for(unit_id, Role.LIAISON):
        return True
    office_jurisdictions = scope.assigned_jurisdictions.get(Role.OFFICE, frozenset())
    return bool(office_jurisdictions) and (
        Mechanism.objects.filter(
            jurisdiction_id__in=sorted(office_jurisdictions), office_unit_id=unit_id
        ).exists()
    )


def sees_figures(actor: Any) -> bool:
    """Office staff and leaders keep the feedback figures of their jurisdiction."""
    scope = scope_for(actor)
    return bool(scope.oversight.get(Role.OFFICE) or scope.oversight.get(Role.LEADER))


# --- running a check --------------------------------------------------------------------------
@dataclass
class _Party:
    row: int
    name: str
    raw_id: str
    ident: ParsedIdentifier
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = name_key(self.name)

    @property
    def clear(self) -> bool:
        return bool(self.ident.value) and not self.ident.masked


def _parties(items: Iterable[Sequence[Any]]) -> Iterator[_Party]:
    today = _today()
    for number, item in enumerate(items, start=1):
        name = str(item[0] or "").strip()
        raw = str(item[1] or "").strip() if len(item) > 1 else ""
        row = int(item[2]) if len(item) > 2 and item[2] else number
        if len(item) > 3 and isinstance(item[3], ParsedIdentifier):
            yield _Party(row, name, raw, item[3])  # parsed at the edge (parse_batch)
            continue
        try:
            ident = parse_identifier(raw, today)
        except IdentifierError:
            # An unusable number cannot be looked up: the party is checked by its name.
            ident = ParsedIdentifier("", "", False)
        yield _Party(row, name, raw, ident)


def _chunks(items: Iterable[_Party], size: int) -> Iterator[list[_Party]]:
    chunk: list[_Party] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Match:
    party: _Party
    debtor_id: int
    kind: str
    state: str


def _any(rows: QuerySet[DebtorRecord], column: str, values: list[str]) -> QuerySet[DebtorRecord]:
    """`column IN values`. On PostgreSQL one array parameter (`= ANY(%s)`) instead of
    thousands of placeholders: planned as index probes, without building and parsing a
    5,000-item IN list."""
    if connection.vendor != "postgresql":
        return rows.filter(**{f"{column}__in": values})
    return rows.extra(  # the values are one bound parameter; the column name is ours
        where=[f'"enforcement_debtorrecord"."{column}" = ANY(%s)'], params=[values]
    )


def _match_chunk(parties: list[_Party]) -> list[_Match]:
    """Two set queries for the chunk (identifiers, names), plus one for the visible form of
    clear entries when a masked party needs it."""
    lookup = DebtorRecord._meta.get_field("id_index").lookup_value  # type: ignore[attr-defined]
    by_index: dict[str, list[tuple[_Party, bool]]] = defaultdict(list)
    for p in parties:
        if not p.clear:
            continue
        by_index[lookup(p.ident.value)].append((p, False))
        if p.ident.id_type == IdType.CREDIT_CODE and len(p.ident.value) == 18:
            by_index[lookup(p.ident.value[8:17])].append((p, True))
    matched: set[tuple[int, int]] = set()
    found: list[_Match] = []
    hitting = DebtorRecord.objects.hitting().order_by()
    if by_index:
        rows = _any(hitting, "id_index", list(by_index)).values_list(
            "pk", "name", "party_kind", "id_type", "id_index"
        )
        for pk, name, kind, id_type, index in rows:
            for party, via_org_code in by_index.get(index, ()):
                if via_org_code and id_type != IdType.ORGANISATION_CODE:
                    continue
                if (party.row, pk) in matched:
                    continue
                matched.add((party.row, pk))
                same = kind == PartyKind.ORGANISATION or name_key(name) == party.key
                state = HitState.HIT if same else HitState.NEEDS_CONFIRMATION
                found.append(_Match(party, pk, MatchKind.IDENTIFIER, state))
    # Names: a party with a clear identifier can match by name only an entry published
    # masked or without an identifier (two clear, different identifiers are two parties), so
    # its names are looked up among those entries only; the other parties' among all.
    by_name: dict[str, list[_Party]] = defaultdict(list)
    variants_clear: set[str] = set()
    variants_other: set[str] = set()
    for p in parties:
        if p.key:
            by_name[p.key].append(p)
            (variants_clear if p.clear else variants_other).update(_name_variants(p.name))
    if not variants_clear and not variants_other:
        return found
    columns = ("pk", "name", "id_index", "id_masked", "id_display")
    candidates: list[tuple[int, str, str, bool, str]] = []
    if variants_other:
        candidates += _any(hitting, "name", sorted(variants_other)).values_list(*columns)
    variants_clear -= variants_other  # already read with every entry of the name
    if variants_clear:
        candidates += (
            _any(hitting, "name", sorted(variants_clear))
            .filter(Q(id_masked=True) | Q(id_index=""))
            .values_list(*columns)
        )
    # The visible form of an entry's identifier, for comparison with a masked one; read from
    # the encrypted column only for entries stored without it (one query).
    need_display = [pk for pk, _n, index, _m, display in candidates if index and not display]
    displays: dict[int, str] = {}
    if need_display and any(p.ident.value for p in parties):
        for pk, number, id_type in DebtorRecord.objects.filter(pk__in=need_display).values_list(
            "pk", "id_number", "id_type"
        ):
            text = str(number or "")
            displays[pk] = text if "*" in text else mask(text, id_type)
    for pk, name, index, is_masked, display in candidates:
        for party in by_name.get(name_key(name), ()):
            if (party.row, pk) in matched:
                continue
            how = _name_match(party, bool(index), is_masked, display or displays.get(pk, ""))
            if how is None:
                continue
            matched.add((party.row, pk))
            found.append(_Match(party, pk, how, HitState.NEEDS_CONFIRMATION))
    return found


def _name_match(party: _Party, has_id: bool, entry_masked: bool, visible: str) -> str | None:
    """The kind of a same-name match, or None when the identifiers say another party."""
    if not has_id:
        return MatchKind.NAME_ONLY
    if not party.ident.value:
        return MatchKind.NAME_ONLY
    if party.clear and not entry_masked:
        return None  # two clear, different identifiers: not the same party
    return MatchKind.MASKED if visible_parts_agree(party.ident.value, visible) else None


def _store_matches(check: Check, found: list[_Match], now: datetime.datetime) -> None:
    """The matches as rows of CheckHit, in one bulk write (COPY on PostgreSQL); each party's
    identifier encrypted once, as the model field would store it."""
    from fuyuan.core.importing import bulk_insert

    if not found:
        return
    from fuyuan.core import crypto

    # Each party's identifier encrypted once, all in one batch (crypto.encrypt_many), as
    # EncryptedTextField stores it: "" stays "".
    clear = sorted({m.party.raw_id for m in found if m.party.raw_id})
    plain = [v for v in clear if not v.startswith(crypto.PREFIX + ":")]
    stored = dict(zip(plain, crypto.encrypt_many(plain), strict=True))
    stored.update({v: v for v in clear if v not in stored})  # already encrypted: kept
    stored[""] = ""
    rows: list[dict[str, Any]] = []
    for m in found:
        party = m.party
        number = stored[party.raw_id or ""]
        rows.append(
            {
                "check_run_id": check.pk,
                "debtor_id": m.debtor_id,
                "party_name": party.name[:200],
                "party_id_number": number,
                "row_number": party.row,
                "match": str(m.kind),
                "state": str(m.state),
                "created_at": now,
                "updated_at": now,
            }
        )
    bulk_insert(CheckHit, rows, batch_size=1000)


@transaction.atomic
def run_check(
    actor: Any,
    *,
    unit: Unit,
    scenario: str,
    parties: Iterable[Sequence[Any]],
    reference: str = "",
    file_name: str = "",
) -> Check:
    """Check `parties` — (name, identifier) or (name, identifier, row number), or the rows of
    `parse_batch` (identifier already parsed) — for `unit` in
    `scenario`; store the matches and the counts; one audit entry. See the module docstring
    for the rules."""
    if not may_act_for(actor, unit.pk):
        raise PermissionDenied("enforcement.check.run")
    if scenario not in Scenario.values:
        raise _error("scenario", _("Choose a business scenario."), "enforcement.scenario")
    now = timezone.now()
    check = Check(
        unit=unit,
        checked_by=actor,
        scenario=scenario,
        reference=(reference or "").strip()[:120],
        file_name=(file_name or "")[:200],
    )
    check.save()
    count = 0
    found: list[_Match] = []
    for chunk in _chunks(_parties(parties), CHUNK):
        count += len(chunk)
        if count > MAX_BATCH:
            raise _error(
                "file",
                _("A batch may hold at most %(n)d parties.") % {"n": MAX_BATCH},
                "enforcement.batch_too_large",
            )
        found += _match_chunk(chunk)
    if not count:
        raise _error(None, _("Give at least one party to check."), "enforcement.no_parties")
    found.sort(key=lambda m: (m.party.row or 0, m.debtor_id))
    _store_matches(check, found, now)
    check.parties = count
    check.hits = sum(1 for m in found if m.state == HitState.HIT)
    check.to_confirm = sum(1 for m in found if m.state == HitState.NEEDS_CONFIRMATION)
    Check.objects.filter(pk=check.pk).update(
        parties=check.parties, hits=check.hits, to_confirm=check.to_confirm
    )
    record(
        actor,
        "enforcement.check.run",
        check,
        after=snapshot(check),
        detail={
            "scenario": scenario,
            "parties": check.parties,
            "hits": check.hits,
            "to_confirm": check.to_confirm,
            "file_name": check.file_name,
        },
    )
    return check


# --- confirmation and feedback ----------------------------------------------------------------
def _require_department(actor: Any, hit: CheckHit) -> Check:
    check = hit.check_run
    if not may_act_for(actor, check.unit_id):
        raise PermissionDenied("enforcement.check.answer")
    return check


@transaction.atomic
def confirm_match(actor: Any, hit: CheckHit, same: bool, note: str = "") -> CheckHit:
    """The department says whether a match needing confirmation is the same party: it becomes
    a confirmed hit (feedback then expected) or "not the same party" (closed)."""
    check = _require_department(actor, hit)
    if hit.state != HitState.NEEDS_CONFIRMATION:
        raise _error(
            None, _("This match does not need confirmation."), "enforcement.not_to_confirm"
        )
    note = (note or "").strip()
    if not same and not note:
        raise _error(
            "note",
            _("Say how you know it is not the same party (e.g. the ID number differs)."),
            "enforcement.reason_required",
        )
    before = snapshot(hit)
    hit.state = HitState.CONFIRMED_HIT if same else HitState.NOT_SAME
    if note:
        hit.feedback_note = note
    hit.save_checked(hit.version, ["state", "feedback_note"])
    # Counters are computed figures: no version bump on the check.
    Check.objects.filter(pk=check.pk).update(
        to_confirm=F("to_confirm") - 1, hits=F("hits") + (1 if same else 0)
    )
    record(actor, "enforcement.check.confirm", hit, before=before, after=snapshot(hit))
    return hit


@transaction.atomic
def give_feedback(
    actor: Any,
    hit: CheckHit,
    *,
    action: str,
    measure: str = "",
    note: str = "",
    on: datetime.date | None = None,
) -> CheckHit:
    """Record what the department did with a hit (触发反馈): the measure of the check's
    scenario it applied, or why none applies. A later answer replaces the earlier one."""
    check = _require_department(actor, hit)
    if hit.state not in HIT_STATES:
        raise _error(
            None,
            _("Feedback is given on hits and confirmed matches only."),
            "enforcement.feedback_not_hit",
        )
    note = (note or "").strip()
    measure = (measure or "").strip()
    if action == FeedbackAction.APPLIED:
        if not measure:
            raise _error(
                "measure", _("Choose the measure you applied."), "enforcement.measure_required"
            )
        if measure not in measures.measure_keys(check.scenario):
            raise _error(
                "measure",
                _("This measure does not belong to the check's business scenario."),
                "enforcement.measure_unknown",
            )
    elif action == FeedbackAction.NOT_APPLICABLE:
        measure = ""
        if not note:
            raise _error(
                "note",
                _("Give the reason no measure applies."),
                "enforcement.reason_required",
            )
    else:
        raise _error("action", _("Choose what you did."), "enforcement.feedback_action")
    before = snapshot(hit)
    hit.feedback = action
    hit.measure = measure
    hit.feedback_note = note
    hit.fed_back_on = on or _today()
    hit.fed_back_by = actor
    hit.save_checked(
        hit.version, ["feedback", "measure", "feedback_note", "fed_back_on", "fed_back_by"]
    )
    record(actor, "enforcement.check.feedback", hit, before=before, after=snapshot(hit))
    return hit


# --- urging -----------------------------------------------------------------------------------
def working_days_back(today: datetime.date, days: int) -> datetime.date:
    """The day `days` working days before `today` (CalendarMissing for an unknown year)."""
    day = today
    counted = 0
    with calendar.cached():
        while counted < days:
            day -= datetime.timedelta(days=1)
            if calendar.is_working_day(day):
                counted += 1
    return day


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def liaison_users(unit_ids: Iterable[int], on: datetime.date) -> dict[int, list[Any]]:
    """Active liaison officers per unit, in one query."""
    found: dict[int, list[Any]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.active_on(on)
        .filter(role=Role.LIAISON, unit_id__in=sorted(set(unit_ids)), user__is_active=True)
        .select_related("user")
    )
    for a in rows:
        if a.unit_id is not None:
            found[a.unit_id].append(a.user)
    return found


def urge_unanswered_hits(today: datetime.date | None = None) -> int:
    """The daily job: each check with hits still unanswered `URGE_AFTER_WORKING_DAYS` working
    days after it ran warns the department's liaison officers (else the user who ran it) —
    once a week per check (`last_urged_on`; the outbox key makes a second run the same day
    add nothing). Returns how many checks were urged."""
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    today = today or _today()
    try:
        cutoff = working_days_back(today, URGE_AFTER_WORKING_DAYS)
    except calendar.CalendarMissing as exc:
        logger.warning("enforcement: hits not urged, the calendar lacks a year: %s", exc)
        return 0
    week_ago = today - datetime.timedelta(days=URGE_EVERY_DAYS)
    pending = (
        CheckHit.objects.filter(
            state__in=HIT_STATES,
            feedback="",
            check_run__created_at__lt=_start_of(cutoff + datetime.timedelta(days=1)),
        )
        .filter(Q(last_urged_on__isnull=True) | Q(last_urged_on__lte=week_ago))
        .values("check_run_id")
        .annotate(n=Count("pk"))
        .order_by("check_run_id")
    )
    counts = {row["check_run_id"]: row["n"] for row in pending}
    if not counts:
        return 0
    checks = list(Check.objects.filter(pk__in=sorted(counts)).select_related("unit", "checked_by"))
    liaisons = liaison_users((c.unit_id for c in checks), today)
    urged: list[int] = []
    for check in checks:
        recipients = liaisons.get(check.unit_id) or [check.checked_by]
        with transaction.atomic():
            created = notify(
                ref_kind=REF_KIND,
                ref_id=check.pk,
                kind="enforcement.check.unanswered",
                due_date=today,
                recipients=recipients,
                subject=_(
                    "%(n)d hit(s) of the list check of %(day)s (%(scenario)s) await your feedback"
                )
                % {
                    "n": counts[check.pk],
                    "day": timezone.localdate(check.created_at).isoformat(),
                    "scenario": check.get_scenario_display(),
                },
                url=check_url(check),
            )
            # A date written by the job, not an edit: no version bump.
            CheckHit.objects.filter(check_run=check, state__in=HIT_STATES, feedback="").update(
                last_urged_on=today
            )
            if created:
                urged.append(check.pk)
    if urged:
        kick_delivery()
        with transaction.atomic():
            record(
                None,
                "enforcement.check.unanswered_urged",
                object_kind=REF_KIND,
                detail={"today": today.isoformat(), "checks": urged},
            )
    return len(urged)


# --- figures ----------------------------------------------------------------------------------
def rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class DepartmentFigures:
    unit: Unit
    checks: int = 0
    parties: int = 0
    hits: int = 0
    answered: int = 0
    to_confirm: int = 0

    @property
    def unanswered(self) -> int:
        return self.hits - self.answered

    @property
    def feedback_rate(self) -> Decimal | None:
        return rate(self.answered, self.hits)


def feedback_figures(
    source: QuerySet[Any], period: tuple[datetime.date, datetime.date] | None = None
) -> list[DepartmentFigures]:
    """Per department, for checks run in `period` (first and last day, inclusive): checks,
    parties, hits, hits answered, feedback rate, unanswered, still to confirm. `source` is a
    (scoped) queryset of checks, or of units (all their checks). Three queries whatever the
    size; departments in official order."""
    checks: QuerySet[Check] = (
        Check.objects.filter(unit__in=source.values("pk")) if source.model is Unit else source
    )
    if period is not None:
        first, last = period
        checks = checks.filter(
            created_at__gte=_start_of(first),
            created_at__lt=_start_of(last + datetime.timedelta(days=1)),
        )
    checks = checks.order_by()
    per_unit = checks.values("unit_id").annotate(n=Count("pk"), parties=Sum("parties"))
    figures: dict[int, DepartmentFigures] = {}
    rows = list(per_unit)
    if not rows:
        return []
    units = Unit.objects.select_related("jurisdiction").in_bulk([r["unit_id"] for r in rows])
    for r in rows:
        figures[r["unit_id"]] = DepartmentFigures(
            unit=units[r["unit_id"]], checks=r["n"], parties=r["parties"] or 0
        )
    hits = (
        CheckHit.objects.filter(check_run__in=checks.values("pk"))
        .values("check_run__unit_id")
        .annotate(
            hits=Count("pk", filter=Q(state__in=HIT_STATES)),
            answered=Count("pk", filter=Q(state__in=HIT_STATES) & ~Q(feedback="")),
            to_confirm=Count("pk", filter=Q(state=HitState.NEEDS_CONFIRMATION)),
        )
        .order_by()
    )
    for r in hits:
        f = figures[r["check_run__unit_id"]]
        f.hits, f.answered, f.to_confirm = r["hits"], r["answered"], r["to_confirm"]
    return sorted(
        figures.values(), key=lambda f: (f.unit.jurisdiction.path, f.unit.order_no, f.unit.pk)
    )


def total_figures(rows: Iterable[DepartmentFigures]) -> dict[str, Any]:
    rows = list(rows)
    hits = sum(r.hits for r in rows)
    answered = sum(r.answered for r in rows)
    return {
        "checks": sum(r.checks for r in rows),
        "parties": sum(r.parties for r in rows),
        "hits": hits,
        "answered": answered,
        "unanswered": hits - answered,
        "to_confirm": sum(r.to_confirm for r in rows),
        "feedback_rate": rate(answered, hits),
    }


# --- batch files ------------------------------------------------------------------------------
NAME_HEADERS = ("名称", "姓名", "姓名/名称", "名称/姓名", "当事人", "单位名称", "name")
ID_HEADERS = (
    "证件号码",
    "统一社会信用代码",
    "身份证号码",
    "身份证号",
    "证件号码/统一社会信用代码",
    "组织机构代码",
    "identifier",
    "id_number",
)


@dataclass
class RowError:
    row: int
    code: str
    message: str


@dataclass
class Batch:
    """Parties as (name, identifier as typed, row number, parsed identifier): `run_check`
    takes them as they are, so each number is parsed once."""

    parties: list[tuple[str, str, int, ParsedIdentifier]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _column(headers: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    from fuyuan.core.importing import normalise_header

    names = {normalise_header(h) for h in wanted}
    for h in headers:
        if normalise_header(h) in names:
            return h
    return None


def parse_batch(uploaded_file: Any) -> Batch:
    """The parties of a CSV (UTF-8 or GB18030) or .xlsx file with a name column (名称/姓名) and
    an identifier column (证件号码/统一社会信用代码). Rows without a name, or with an
    identifier that cannot be read, are listed as errors; empty rows are skipped. Raises
    ValidationError for a file that cannot be used at all."""
    from fuyuan.core.importing import ImportFileError, open_table

    if getattr(uploaded_file, "size", 0) > MAX_BATCH_BYTES:
        raise _error(
            "file",
            _("The file is larger than %(n)d MB.") % {"n": MAX_BATCH_BYTES // (1024 * 1024)},
            "enforcement.batch_size",
        )
    batch = Batch()
    uploaded_file.seek(0)
    try:
        with open_table(uploaded_file, getattr(uploaded_file, "name", "") or "") as table:
            name_col = _column(table.headers, NAME_HEADERS)
            id_col = _column(table.headers, ID_HEADERS)
            if name_col is None:
                raise _error(
                    "file",
                    _("The file needs a column 名称 or 姓名 (and 证件号码 or 统一社会信用代码)."),
                    "enforcement.batch_columns",
                )
            for number, cells in table.rows:
                name = unicodedata.normalize("NFKC", cells.get(name_col, "") or "").strip()
                raw = (cells.get(id_col, "") if id_col else "").strip()
                if not name and not raw:
                    continue
                if not name:
                    batch.errors.append(
                        RowError(number, "enforcement.name_required", _("The name is missing."))
                    )
                    continue
                try:
                    ident = parse_identifier(raw)
                except IdentifierError as exc:
                    batch.errors.append(RowError(number, exc.code, exc.message))
                    continue
                batch.parties.append((name, raw, number, ident))
                if len(batch.parties) > MAX_BATCH:
                    raise _error(
                        "file",
                        _("A batch may hold at most %(n)d parties.") % {"n": MAX_BATCH},
                        "enforcement.batch_too_large",
                    )
    except ImportFileError as exc:
        raise _error("file", exc.message, exc.code) from None
    if not batch.parties and not batch.errors:
        raise _error("file", _("The file holds no party."), "enforcement.no_parties")
    return batch


__all__ = [
    "CHUNK",
    "MAX_BATCH",
    "URGE_AFTER_WORKING_DAYS",
    "Batch",
    "DepartmentFigures",
    "check_units",
    "confirm_match",
    "feedback_figures",
    "give_feedback",
    "may_act_for",
    "name_key",
    "parse_batch",
    "parse_identifier",
    "run_check",
    "sees_figures",
    "total_figures",
    "urge_unanswered_hits",
    "visible_parts_agree",
]
