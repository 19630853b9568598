"""Every write about recommendations — judicial recommendations (司法建议) and, in the same flow,
procuratorial recommendations (检察建议), reconsideration opinions (行政复议意见书) and the court's
review reports (审查报告): register, edit a draft, record delivery (one rectification matter per
item, through the matter engine), reply with the adoption of each item, return or close out,
withdraw a draft, urge; the daily urging of overdue replies; and the figures computed from the
records. Each write checks permission (the state graph or `permits`), runs in one transaction,
is audited, and puts its notifications in the outbox (delivery kicked on commit)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuyuan.accounts.models import Role, RoleAssignment, User
from fuyuan.accounts.permissions import relations_to, require, scope_for
from fuyuan.audit.record import record, snapshot
from fuyuan.core.identifiers import IdentifierError
from fuyuan.core.workflow import Transition
from fuyuan.matters import actions as matter_actions
from fuyuan.matters import workflow as matter_wf
from fuyuan.matters.models import Matter, MatterType
from fuyuan.org.models import Mechanism, Unit, UnitKind

from . import search_index
from . import workflow as wf
from .actions import mechanism_for
from .models import (
    AdminCase,
    Adoption,
    Recommendation,
    RecommendationAttachment,
    RecommendationFileKind,
    RecommendationItem,
    RecommendationKind,
    RecommendationScope,
)

SOURCE_KIND = "litigation.recommendation_item"
REF_KIND = "litigation.recommendation"

# Who may issue which kind: a court issues judicial recommendations and review reports, a
# procuratorate procuratorial recommendations, a reconsideration body (the people's government
# since the 2023 Administrative Reconsideration Law; vertical agencies and financial regulators
# for their own system) reconsideration opinions.
ISSUER_KINDS: dict[str, tuple[str, ...]] = {
    RecommendationKind.JUDICIAL: (UnitKind.COURT,),
    RecommendationKind.REVIEW_REPORT: (UnitKind.COURT,),
    RecommendationKind.PROCURATORIAL: (UnitKind.PROCURATORATE,),
    RecommendationKind.RECONSIDERATION: (
        UnitKind.GOVERNMENT,
        UnitKind.VERTICAL,
        UnitKind.FINANCIAL_REGULATOR,
    ),
}
ISSUING_UNIT_KINDS = tuple(sorted({k for kinds in ISSUER_KINDS.values() for k in kinds}))

# Adoptions that report progress on the item's rectification matter.
ADOPTED = (Adoption.ADOPTED, Adoption.PARTLY)
NEEDS_REASON = (Adoption.PARTLY, Adoption.NOT_ADOPTED)

# What each figure of `recommendation_figures` means (shown beside the figure).
FIGURE_DEFINITIONS: dict[str, Any] = {
    "reply_rate": gettext_lazy("Recommendations replied to ÷ recommendations delivered."),
    "on_time_rate": gettext_lazy(
        "Replies received by the reply deadline ÷ recommendations due (replied, or past "
        "their reply deadline without a reply). The first reply counts."
    ),
    "items_closed_rate": gettext_lazy(
        "Items whose rectification matter is closed (struck off) ÷ items of the delivered "
        "recommendations."
    ),
    "overdue": gettext_lazy(
        "Delivered recommendations awaiting a reply whose reply deadline has passed."
    ),
}


def _today() -> datetime.date:
    return timezone.localdate()


def _error(field: str | None, message: str, code: str) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: [error]}) if field else error


def recommendation_url(rec: Recommendation) -> str:
    return reverse("litigation:recommendation_detail", args=[rec.pk])


def reply_days(mechanism: Mechanism) -> int:
    """Calendar days the recipient has to reply (mechanism setting, default 60)."""
    return int(mechanism.config.recommendation_reply_days)


# --- who ------------------------------------------------------------------------------------
def own_issuer_ids(actor: Any) -> frozenset[int]:
    scope = scope_for(actor)
    return scope.units.get(Role.COURT, frozenset()) | scope.units.get(Role.LIAISON, frozenset())


def issuer_units(actor: Any) -> QuerySet[Unit]:
    """Units the actor may register a recommendation for: the court, procuratorate or
    reconsideration body it acts for; office staff registering one received on paper may name
    any issuing body they can see."""
    scope = scope_for(actor)
    base = Unit.objects.current().filter(kind__in=ISSUING_UNIT_KINDS)
    q = Q(pk__in=sorted(own_issuer_ids(actor)))
    if scope.oversight.get(Role.OFFICE):
        q |= Q(pk__in=Unit.objects.visible_to(actor).values("pk"))
    return base.filter(q).select_related("jurisdiction").order_by("jurisdiction__path", "order_no")


def may_register(actor: Any) -> bool:
    return issuer_units(actor).exists()


def recipient_units(actor: Any) -> QuerySet[Unit]:
    """Any current unit the actor can see."""
    return (
        Unit.objects.visible_to(actor)
        .current()
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "order_no", "pk")
    )


def _unit_users(unit_id: int, *roles: str) -> list[Any]:
    active = RoleAssignment.objects.active_on(_today()).filter(unit_id=unit_id)
    if roles:
        active = active.filter(role__in=roles)
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def recipient_users(rec: Recommendation) -> list[Any]:
    """The recipient's liaison officers (court staff when a court is the recipient)."""
    return _unit_users(rec.recipient_id, Role.LIAISON, Role.COURT)


def issuer_users(rec: Recommendation) -> list[Any]:
    return _unit_users(rec.issuer_id, Role.COURT, Role.LIAISON)


def office_users(mechanism: Mechanism) -> list[Any]:
    active = RoleAssignment.objects.active_on(_today()).filter(
        role=Role.OFFICE, jurisdiction_id=mechanism.jurisdiction_id
    )
    return list(User.objects.filter(pk__in=active.values("user_id"), is_active=True))


def _notify(
    rec: Recommendation,
    kind: str,
    recipients: Iterable[Any],
    subject: str,
    body: str = "",
    due_date: datetime.date | None = None,
) -> int:
    from fuyuan.notify.outbox import notify
    from fuyuan.notify.tasks import kick_delivery

    people = [u for u in recipients if u is not None]
    if not people:
        return 0
    created = notify(
        ref_kind=REF_KIND,
        ref_id=rec.pk,
        kind=kind,
        due_date=due_date or _today(),
        recipients=people,
        subject=subject,
        body=body,
        url=recommendation_url(rec),
    )
    if created:
        kick_delivery()
    return created


# --- validation -----------------------------------------------------------------------------
_ITEM_MARKER = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]+[）)、.．]|[0-9]+\s)\s*")


def split_items(text: str) -> list[str]:
    """One item per line, blank lines dropped, a leading "1." / "一、" / "（一）" removed."""
    found = []
    for line in (text or "").splitlines():
        line = _ITEM_MARKER.sub("", line, count=1).strip()
        if line:
            found.append(line)
    return found


class _Errors:
    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.by_field.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)  # type: ignore[arg-type]


def _clean_case_numbers(
    actor: Any, text: str, errors: _Errors
) -> tuple[list[AdminCase], list[str]]:
    """Parse each line; numbers of cases held here (and visible to the actor) are linked as
    cases, the others (civil, criminal … cases) are kept as normalised text."""
    from fuyuan.core.case_numbers import CaseNumberError, parse_case_number

    numbers: list[str] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = parse_case_number(line)
        except CaseNumberError as exc:
            errors.add(
                "case_numbers",
                _("Line %(line)d: %(message)s") % {"line": n, "message": exc.message},
                exc.code,
            )
            continue
        if parsed.normalized not in numbers:
            numbers.append(parsed.normalized)
    held = list(AdminCase.objects.visible_to(actor).filter(number__in=numbers))
    linked = {c.number for c in held}
    return held, [n for n in numbers if n not in linked]


def _clean(
    actor: Any,
    *,
    kind: str,
    scope: str,
    issuer: Unit | None,
    recipient: Unit | None,
    title: str,
    content: str,
    items: list[str],
    document_number: str,
    cases: Iterable[AdminCase],
    case_numbers: str,
    mechanism: Mechanism | None,
    instance: Recommendation | None = None,
) -> dict[str, Any]:
    errors = _Errors()
    actor_scope = scope_for(actor)
    if issuer is None or not issuer_units(actor).filter(pk=issuer.pk).exists():
        raise PermissionDenied(_("You cannot register a recommendation for this issuing body."))
    if kind not in RecommendationKind.values:
        errors.add("kind", _("Choose the kind of recommendation."), "invalid_choice")
    elif issuer.kind not in ISSUER_KINDS[kind]:
        errors.add(
            "issuer",
            _("A %(kind)s is not issued by %(unit)s.")
            % {"kind": RecommendationKind(kind).label, "unit": issuer.name},
            "litigation.issuer_kind",
        )
    if scope not in RecommendationScope.values:
        errors.add("scope", _("Choose the scope of the recommendation."), "invalid_choice")
    title = (title or "").strip()
    content = (content or "").strip()
    if not title:
        errors.add("title", _("Write the title."), "required")
    if not content:
        errors.add("content", _("Write the content of the recommendation."), "required")
    items = [str(i).strip() for i in items or [] if str(i).strip()]
    if not items:
        errors.add("items", _("Write at least one item."), "litigation.items_required")
    if recipient is None:
        errors.add("recipient", _("Choose the recipient unit."), "required")
    elif recipient.pk == issuer.pk:
        errors.add("recipient", _("The recipient must be another unit."), "litigation.same_unit")
    elif not recipient_units(actor).filter(pk=recipient.pk).exists():
        errors.add("recipient", _("Choose a current unit you can see."), "litigation.recipient")
    else:
        field = "mechanism" if mechanism is not None else "recipient"
        mechanism = mechanism or mechanism_for(recipient)
        if mechanism is None:
            errors.add(
                "recipient",
                _("No joint meeting covers the recipient's jurisdiction."),
                "litigation.no_mechanism",
            )
        elif recipient.jurisdiction_id != mechanism.jurisdiction_id:
            # Item matters are led by the recipient, which must belong to the mechanism.
            errors.add(
                field,
                _("The recipient must belong to the joint meeting's jurisdiction."),
                "litigation.mechanism_scope",
            )
        elif issuer.pk not in own_issuer_ids(actor) and not actor_scope.oversees(
            mechanism.jurisdiction.path, Role.OFFICE
        ):
            errors.add(
                "recipient",
                _("Register recommendations only for units of the jurisdictions you oversee."),
                "litigation.office_scope",
            )
    number = (document_number or "").strip()
    if number:
        from fuyuan.core.documents import parse_document_number

        try:
            number = parse_document_number(number).value
        except IdentifierError as exc:
            errors.add("document_number", exc.message, exc.code)
        else:
            taken = Recommendation.objects.filter(issuer=issuer, document_number=number)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors.add(
                    "document_number",
                    _("The issuing body has already used this document number."),
                    "litigation.document_number_taken",
                )
    chosen = list(cases or [])
    visible = set(
        AdminCase.objects.visible_to(actor)
        .filter(pk__in=[c.pk for c in chosen])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in chosen):
        errors.add("cases", _("Choose cases you can see."), "litigation.case_not_visible")
    held, others = _clean_case_numbers(actor, case_numbers, errors)
    errors.raise_any()
    linked = {c.pk: c for c in [*chosen, *held]}
    return {
        "kind": kind,
        "scope": scope,
        "issuer": issuer,
        "recipient": recipient,
        "mechanism": mechanism,
        "title": title,
        "content": content,
        "items": items,
        "document_number": number,
        "cases": list(linked.values()),
        "case_numbers": "\n".join(others),
    }


FIELDS = (
    "kind",
    "scope",
    "issuer",
    "recipient",
    "mechanism",
    "title",
    "content",
    "document_number",
    "case_numbers",
)


def _items_snapshot(rec: Recommendation) -> list[dict[str, Any]]:
    return [
        {"id": i.pk, "order": i.order, "text": i.text, "adoption": i.adoption}
        for i in rec.items.order_by("order", "pk")
    ]


# --- registering and editing ------------------------------------------------------------------
@transaction.atomic
def create_recommendation(
    actor: Any,
    *,
    kind: str,
    scope: str,
    issuer: Unit,
    recipient: Unit,
    title: str,
    content: str,
    items: list[str],
    document_number: str = "",
    cases: Iterable[AdminCase] = (),
    case_numbers: str = "",
    mechanism: Mechanism | None = None,
) -> Recommendation:
    """Register a recommendation as a draft. The issuer is a unit the actor acts for (court
    staff for a court, the liaison officer of a procuratorate or reconsideration body) — or,
    for a letter received on paper, any issuing body, registered by the office of the
    recipient's joint meeting. The mechanism defaults to the recipient's (its item matters are
    led by the recipient). Case-number lines naming a case held here link that case."""
    data = _clean(
        actor,
        kind=kind,
        scope=scope,
        issuer=issuer,
        recipient=recipient,
        title=title,
        content=content,
        items=items,
        document_number=document_number,
        cases=cases,
        case_numbers=case_numbers,
        mechanism=mechanism,
    )
    rec = Recommendation(created_by=actor, state=wf.DRAFT, **{f: data[f] for f in FIELDS})
    rec.full_clean(exclude=["created_at", "updated_at"])
    rec.save()
    rec.cases.set(data["cases"])
    for n, text in enumerate(data["items"], start=1):
        RecommendationItem.objects.create(recommendation=rec, order=n, text=text)
    search_index.reindex_recommendation(rec)
    record(
        actor,
        "litigation.recommendation.create",
        rec,
        after=snapshot(rec),
        detail={"items": data["items"], "cases": [c.number for c in data["cases"]]},
    )
    return rec


@transaction.atomic
def update_recommendation(
    actor: Any,
    rec: Recommendation,
    *,
    kind: str,
    scope: str,
    issuer: Unit,
    recipient: Unit,
    title: str,
    content: str,
    items: list[str],
    document_number: str = "",
    cases: Iterable[AdminCase] = (),
    case_numbers: str = "",
    mechanism: Mechanism | None = None,
    expected_version: int | None = None,
) -> Recommendation:
    """Change a draft (the issuer or the office), items included. Linked cases the actor
    cannot see stay linked."""
    require(actor, "edit", rec)
    data = _clean(
        actor,
        kind=kind,
        scope=scope,
        issuer=issuer,
        recipient=recipient,
        title=title,
        content=content,
        items=items,
        document_number=document_number,
        cases=cases,
        case_numbers=case_numbers,
        mechanism=mechanism,
        instance=rec,
    )
    before = snapshot(rec)
    items_before = _items_snapshot(rec)
    for f in FIELDS:
        setattr(rec, f, data[f])
    rec.full_clean(exclude=["created_at", "updated_at"])
    rec.save_checked(rec.version if expected_version is None else expected_version, list(FIELDS))
    hidden = rec.cases.exclude(pk__in=AdminCase.objects.visible_to(actor).values("pk"))
    rec.cases.set([*data["cases"], *hidden])
    existing = list(rec.items.order_by("order", "pk"))
    for n, text in enumerate(data["items"], start=1):
        if n <= len(existing):
            item = existing[n - 1]
            if item.text != text or item.order != n:
                item.text, item.order = text, n
                item.save_checked(item.version, ["text", "order"])
        else:
            RecommendationItem.objects.create(recommendation=rec, order=n, text=text)
    for item in existing[len(data["items"]) :]:
        item.delete()
    search_index.reindex_recommendation(rec)
    record(
        actor,
        "litigation.recommendation.update",
        rec,
        before=before,
        after=snapshot(rec),
        detail={"items_before": items_before, "items_after": _items_snapshot(rec)},
    )
    return rec


def _take(
    actor: Any,
    rec: Recommendation,
    name: str,
    *,
    comment: str = "",
    expected_version: int | None = None,
    fields: list[str] | None = None,
    apply: Any = None,
    detail: dict[str, Any] | None = None,
) -> Transition:
    """Check the graph, apply the effects, move the state, save with the version check and
    audit."""
    step = wf.RECOMMENDATION_WORKFLOW.check(
        name, rec.state, relations_to(actor, rec), comment=comment
    )
    before = snapshot(rec)
    if apply is not None:
        apply(rec)
    rec.state = step.target
    rec.save_checked(
        rec.version if expected_version is None else expected_version,
        fields=["state", *(fields or [])],
    )
    extra = dict(detail or {})
    if comment:
        extra["comment"] = comment
    record(
        actor,
        f"litigation.recommendation.{name}",
        rec,
        before=before,
        after=snapshot(rec),
        detail=extra or None,
    )
    return step


def _check_date(field: str, day: datetime.date | None, today: datetime.date) -> None:
    if day is None:
        raise _error(field, _("Give the date."), "required")
    if day > today:
        raise _error(field, _("The date cannot be in the future."), "litigation.date_future")


# --- delivery -------------------------------------------------------------------------------
def _item_title(rec: Recommendation, item: RecommendationItem) -> str:
    title = _("%(title)s · item %(n)d") % {"title": rec.title, "n": item.order}
    return title[:200]


@transaction.atomic
def deliver(
    actor: Any,
    rec: Recommendation,
    delivered_on: datetime.date | None,
    expected_version: int | None = None,
) -> Recommendation:
    """Record delivery (the issuer or the office): the reply is due after the mechanism's
    number of calendar days; each item becomes a rectification matter led by the recipient
    (registered and assigned at once, deadline = the reply deadline); the recipient's liaison
    officers are told."""
    wf.RECOMMENDATION_WORKFLOW.check("deliver", rec.state, relations_to(actor, rec))
    _check_date("delivered_on", delivered_on, _today())
    assert delivered_on is not None
    due = delivered_on + datetime.timedelta(days=reply_days(rec.mechanism))
    items = list(rec.items.order_by("order", "pk"))
    if not items:
        raise _error("items", _("Write at least one item."), "litigation.items_required")
    opened = []
    for item in items:
        matter = matter_actions.open_for_source(
            actor,
            mechanism=rec.mechanism,
            source_kind=SOURCE_KIND,
            source_ref=str(rec.pk),
            title=_item_title(rec, item),
            lead_unit=rec.recipient,
            start_date=delivered_on,
            deadline=due,
            description=item.text,
            matter_type=MatterType.RECOMMENDATION,
        )
        item.matter = matter
        item.save_checked(item.version, ["matter"])
        opened.append(matter.pk)

    def apply(obj: Recommendation) -> None:
        obj.delivered_on = delivered_on
        obj.reply_due = due

    _take(
        actor,
        rec,
        "deliver",
        expected_version=expected_version,
        fields=["delivered_on", "reply_due"],
        apply=apply,
        detail={"matters": opened},
    )
    _notify(
        rec,
        "litigation.recommendation.delivered",
        recipient_users(rec),
        _("%(kind)s from %(issuer)s: %(title)s — reply by %(due)s")
        % {
            "kind": rec.get_kind_display(),
            "issuer": rec.issuer.name,
            "title": rec.title,
            "due": due.isoformat(),
        },
    )
    return rec


# --- the reply --------------------------------------------------------------------------------
def _check_files(files: Iterable[Any], errors: _Errors) -> None:
    for uploaded in files:
        try:
            matter_actions.check_upload(uploaded, "file")
        except ValidationError as exc:
            for error in exc.error_dict.get("file", []):
                errors.by_field.setdefault("file", []).append(error)


def _store_file(
    actor: Any, rec: Recommendation, uploaded_file: Any, kind: str
) -> RecommendationAttachment:
    content_type, name, _content = matter_actions.check_upload(uploaded_file, "file")
    attachment = RecommendationAttachment(
        recommendation=rec,
        kind=kind,
        name=name[:200],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    record(actor, "litigation.recommendation.attachment", attachment, after=snapshot(attachment))
    return attachment


def _report_on_matter(actor: Any, matter: Matter, text: str) -> bool:
    """Submit a progress report on the item's matter as its lead unit; False (matter left
    alone) when the actor may not report on it now or has an unsubmitted draft of its own
    there (which a report written for them would overwrite)."""
    from fuyuan.accounts.permissions import can

    if not can(actor, "feedback", matter):
        return False
    if matter_actions.own_draft(actor, matter) is not None:
        return False
    draft = matter_actions.save_feedback_draft(actor, matter, text)
    matter_actions.submit_feedback(actor, draft)
    return True


@transaction.atomic
def reply(
    actor: Any,
    rec: Recommendation,
    *,
    reply_text: str,
    replied_on: datetime.date | None,
    adoptions: dict[int, tuple[str, str]],
    files: Iterable[Any] = (),
    expected_version: int | None = None,
) -> Recommendation:
    """The recipient replies (again, after a return or to amend): the reply letter, the date,
    and the adoption of every item (adopted / partly / not — the last two with reasons). The
    first reply's date is kept for the on-time figure. Each adopted or partly adopted item's
    matter gets a progress report from the replying unit where the matter engine lets it
    report (`rec.matters_left_alone` lists the matters it did not touch); the issuer is
    told."""
    wf.RECOMMENDATION_WORKFLOW.check("reply", rec.state, relations_to(actor, rec))
    errors = _Errors()
    reply_text = (reply_text or "").strip()
    if not reply_text:
        errors.add("reply_text", _("Write the reply."), "required")
    if replied_on is None:
        errors.add("replied_on", _("Give the date."), "required")
    elif replied_on > _today():
        errors.add("replied_on", _("The date cannot be in the future."), "litigation.date_future")
    elif rec.delivered_on and replied_on < rec.delivered_on:
        errors.add(
            "replied_on",
            _("The reply cannot be dated before the delivery."),
            "litigation.replied_before_delivery",
        )
    items = list(rec.items.select_related("matter").order_by("order", "pk"))
    given = {int(k): v for k, v in (adoptions or {}).items()}
    chosen: dict[int, tuple[str, str]] = {}
    for item in items:
        adoption, reason = given.get(item.pk, ("", ""))
        adoption, reason = (adoption or "").strip(), (reason or "").strip()
        if adoption not in Adoption.values:
            errors.add(
                f"adoption_{item.pk}",
                _("Say whether item %(n)d is adopted.") % {"n": item.order},
                "litigation.adoption_required",
            )
            continue
        if adoption in NEEDS_REASON and not reason:
            errors.add(
                f"reason_{item.pk}",
                _("Give the reason for item %(n)d.") % {"n": item.order},
                "litigation.adoption_reason_required",
            )
        chosen[item.pk] = (adoption, reason)
    files = list(files or [])
    _check_files(files, errors)
    errors.raise_any()
    assert replied_on is not None
    for item in items:
        adoption, reason = chosen[item.pk]
        if (item.adoption, item.adoption_reason) != (adoption, reason):
            before = snapshot(item)
            item.adoption, item.adoption_reason = adoption, reason
            item.save_checked(item.version, ["adoption", "adoption_reason"])
            record(
                actor,
                "litigation.recommendation_item.adopt",
                item,
                before=before,
                after=snapshot(item),
            )

    def apply(obj: Recommendation) -> None:
        obj.reply = reply_text
        if obj.replied_on is None:
            obj.replied_on = replied_on

    _take(
        actor,
        rec,
        "reply",
        expected_version=expected_version,
        fields=["reply", "replied_on"],
        apply=apply,
        detail={"adoptions": {str(k): v[0] for k, v in chosen.items()}},
    )
    for uploaded in files:
        _store_file(actor, rec, uploaded, RecommendationFileKind.REPLY)
    left_alone: list[int] = []
    for item in items:
        adoption, reason = chosen[item.pk]
        if adoption not in ADOPTED or item.matter is None:
            continue
        text = _("Reply to the recommendation (%(date)s): %(adoption)s. %(reason)s") % {
            "date": replied_on.isoformat(),
            "adoption": Adoption(adoption).label,
            "reason": reason or reply_text,
        }
        if not _report_on_matter(actor, item.matter, text.strip()):
            left_alone.append(item.matter.pk)
    rec.matters_left_alone = left_alone  # type: ignore[attr-defined]
    _notify(
        rec,
        f"litigation.recommendation.replied.{rec.version}",
        [*issuer_users(rec), rec.created_by],
        _("Reply from %(unit)s: %(title)s") % {"unit": rec.recipient.name, "title": rec.title},
        reply_text,
    )
    return rec


@transaction.atomic
def return_reply(
    actor: Any, rec: Recommendation, comment: str, expected_version: int | None = None
) -> Recommendation:
    """The issuer finds the reply insufficient (comment required): the recipient must reply
    again; it is told why."""
    comment = (comment or "").strip()
    _take(actor, rec, "return", comment=comment, expected_version=expected_version)
    _notify(
        rec,
        f"litigation.recommendation.returned.{rec.version}",
        recipient_users(rec),
        _("Reply returned by %(unit)s: %(title)s") % {"unit": rec.issuer.name, "title": rec.title},
        comment,
    )
    return rec


@transaction.atomic
def close(
    actor: Any, rec: Recommendation, comment: str, expected_version: int | None = None
) -> Recommendation:
    """The issuer closes the recommendation out (comment required). The item matters are the
    office's to accept and strike off: where the actor is that office and a matter is reported
    or completed, it is completed and closed here; otherwise the office is told which matters
    await it (`rec.matters_for_office`)."""
    comment = (comment or "").strip()

    def apply(obj: Recommendation) -> None:
        obj.closed_on = _today()
        obj.close_comment = comment

    _take(
        actor,
        rec,
        "close",
        comment=comment,
        expected_version=expected_version,
        fields=["closed_on", "close_comment"],
        apply=apply,
    )
    pending: list[Matter] = []
    for item in rec.items.select_related("matter").order_by("order", "pk"):
        matter = item.matter
        if matter is None or matter.state == matter_wf.CLOSED:
            continue
        office = matter_wf.OFFICE in relations_to(actor, matter)
        if office and matter.state in (matter_wf.REPORTED, matter_wf.COMPLETED):
            if matter.state == matter_wf.REPORTED:
                matter_actions.transition(actor, matter, "complete")
            matter_actions.transition(actor, matter, "close")
        else:
            pending.append(matter)
    rec.matters_for_office = [m.pk for m in pending]  # type: ignore[attr-defined]
    if pending:
        _notify(
            rec,
            "litigation.recommendation.closed_office",
            office_users(rec.mechanism),
            _("Closed out by %(unit)s: %(title)s — %(n)d item matters to accept and close")
            % {"unit": rec.issuer.name, "title": rec.title, "n": len(pending)},
            comment,
        )
    _notify(
        rec,
        "litigation.recommendation.closed",
        recipient_users(rec),
        _("Closed out by %(unit)s: %(title)s") % {"unit": rec.issuer.name, "title": rec.title},
        comment,
    )
    return rec


@transaction.atomic
def withdraw(
    actor: Any, rec: Recommendation, comment: str = "", expected_version: int | None = None
) -> Recommendation:
    """Withdraw a draft (the issuer or the office)."""
    _take(
        actor, rec, "withdraw", comment=(comment or "").strip(), expected_version=expected_version
    )
    return rec


# --- urging -----------------------------------------------------------------------------------
@transaction.atomic
def urge(actor: Any, rec: Recommendation, note: str = "") -> Recommendation:
    """催复: the office or the issuer presses the recipient for its reply (once a day at most
    in the outbox); the date is kept."""
    require(actor, "urge", rec)
    note = (note or "").strip()
    today = _today()
    before = snapshot(rec)
    rec.last_urged_on = today
    rec.save_checked(rec.version, ["last_urged_on"])
    record(
        actor,
        "litigation.recommendation.urge",
        rec,
        before=before,
        after=snapshot(rec),
        detail={"note": note} if note else None,
    )
    _notify(
        rec,
        "litigation.recommendation.urge",
        recipient_users(rec),
        _("Reply urged: %(title)s (due %(due)s)")
        % {"title": rec.title, "due": rec.reply_due.isoformat() if rec.reply_due else "—"},
        note,
    )
    return rec


def overdue_point(due: datetime.date, today: datetime.date) -> datetime.date | None:
    """The day after the reply deadline, then every week after it: the most recent such day
    up to today (None while not overdue). It keys the weekly warning in the outbox."""
    if today <= due:
        return None
    days = (today - due).days
    return due + datetime.timedelta(days=1 + 7 * ((days - 1) // 7))


def urge_overdue_replies(today: datetime.date | None = None) -> int:
    """The daily job: every delivered recommendation past its reply deadline without a reply
    warns the recipient's liaison officers and the office of its joint meeting — the day after
    the deadline, then once a week (the outbox key carries the week's date, so a second run
    adds nothing). Returns how many recommendations were warned."""
    today = today or _today()
    overdue = (
        Recommendation.objects.filter(state=wf.DELIVERED, reply_due__lt=today)
        .select_related("mechanism", "recipient", "issuer")
        .order_by("pk")
    )
    offices: dict[int, list[Any]] = {}
    warned: list[int] = []
    for rec in overdue:
        assert rec.reply_due is not None
        point = overdue_point(rec.reply_due, today)
        if point is None:  # pragma: no cover - the filter says it is overdue
            continue
        if rec.mechanism_id not in offices:
            offices[rec.mechanism_id] = office_users(rec.mechanism)
        with transaction.atomic():
            created = _notify(
                rec,
                "litigation.recommendation.overdue",
                [*recipient_users(rec), *offices[rec.mechanism_id]],
                _("Reply overdue since %(due)s: %(title)s (%(issuer)s → %(recipient)s)")
                % {
                    "due": rec.reply_due.isoformat(),
                    "title": rec.title,
                    "issuer": rec.issuer.name,
                    "recipient": rec.recipient.name,
                },
                due_date=point,
            )
            if created:
                # A date written by the job, not an edit: no version bump.
                Recommendation.objects.filter(pk=rec.pk).update(last_urged_on=today)
                warned.append(rec.pk)
    if warned:
        with transaction.atomic():
            record(
                None,
                "litigation.recommendation.overdue_warned",
                object_kind="litigation.recommendation",
                detail={"today": today.isoformat(), "recommendations": warned},
            )
    return len(warned)


# --- attachments ------------------------------------------------------------------------------
def attachment_kinds(actor: Any, rec: Recommendation) -> list[str]:
    """The letter is the issuer's (or the registering office's), the reply letter the
    recipient's; anyone who may attach may add other files."""
    relations = relations_to(actor, rec)
    kinds: list[str] = []
    if relations & {wf.ISSUER, wf.OFFICE}:
        kinds.append(RecommendationFileKind.LETTER)
    if wf.RECIPIENT in relations:
        kinds.append(RecommendationFileKind.REPLY)
    kinds.append(RecommendationFileKind.OTHER)
    return kinds


@transaction.atomic
def add_attachment(
    actor: Any, rec: Recommendation, uploaded_file: Any, kind: str = RecommendationFileKind.OTHER
) -> RecommendationAttachment:
    """Add a file while the recommendation is open; type judged by content, size limited."""
    require(actor, "attach", rec)
    if kind not in attachment_kinds(actor, rec):
        raise _error("kind", _("You cannot add this kind of file."), "litigation.attachment_kind")
    return _store_file(actor, rec, uploaded_file, kind)


# --- figures ----------------------------------------------------------------------------------
def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def recommendation_figures(
    queryset: QuerySet[Recommendation], today: datetime.date
) -> dict[str, Any]:
    """Figures of the given recommendations (already scoped and filtered by the caller, e.g.
    by `delivered_on` in a period), computed from the records in two queries. Rates are
    percentages with one decimal, None when there is nothing to divide by (shown as "—");
    FIGURE_DEFINITIONS says what each means."""
    delivered = queryset.filter(delivered_on__isnull=False)
    due_q = Q(replied_on__isnull=False) | Q(reply_due__lt=today)
    recs = delivered.aggregate(
        delivered=Count("pk"),
        replied=Count("pk", filter=Q(replied_on__isnull=False)),
        on_time=Count("pk", filter=Q(replied_on__isnull=False, replied_on__lte=F("reply_due"))),
        due=Count("pk", filter=due_q),
        closed=Count("pk", filter=Q(state=wf.CLOSED)),
        overdue=Count("pk", filter=Q(state=wf.DELIVERED, reply_due__lt=today)),
    )
    items = RecommendationItem.objects.filter(
        recommendation__in=delivered.order_by().values("pk")
    ).aggregate(
        items=Count("pk"),
        adopted=Count("pk", filter=Q(adoption=Adoption.ADOPTED)),
        partly=Count("pk", filter=Q(adoption=Adoption.PARTLY)),
        not_adopted=Count("pk", filter=Q(adoption=Adoption.NOT_ADOPTED)),
        rectified=Count("pk", filter=Q(matter__state__in=matter_wf.DONE_STATES)),
        matters_closed=Count("pk", filter=Q(matter__state=matter_wf.CLOSED)),
    )
    return {
        "delivered": recs["delivered"],
        "replied": recs["replied"],
        "reply_rate": _rate(recs["replied"], recs["delivered"]),
        "due": recs["due"],
        "replied_on_time": recs["on_time"],
        "on_time_rate": _rate(recs["on_time"], recs["due"]),
        "closed": recs["closed"],
        "overdue": recs["overdue"],
        "items": items["items"],
        "items_adopted": items["adopted"],
        "items_partly": items["partly"],
        "items_not_adopted": items["not_adopted"],
        "items_rectified": items["rectified"],
        "items_closed": items["matters_closed"],
        "items_closed_rate": _rate(items["matters_closed"], items["items"]),
    }


__all__ = [
    "FIGURE_DEFINITIONS",
    "ISSUER_KINDS",
    "SOURCE_KIND",
    "add_attachment",
    "attachment_kinds",
    "close",
    "create_recommendation",
    "deliver",
    "issuer_units",
    "may_register",
    "recipient_units",
    "recommendation_figures",
    "reply",
    "return_reply",
    "split_items",
    "update_recommendation",
    "urge",
    "urge_overdue_replies",
    "withdraw",
]
