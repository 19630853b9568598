"""Outgoing official documents: the register of document numbers (发文字号) and the documents
that pass the office's sign-off chain (签批) before they are issued as GB/T 9704 .docx files."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


def _own_jurisdictions_q(user: Any, field: str) -> Q:
    """Office staff and leaders assigned to the mechanism's own jurisdiction: outgoing
    documents are the office's own papers, not shared with the level above or below."""
    from fuyuan.accounts.models import Role
    from fuyuan.accounts.permissions import scope_for

    scope = scope_for(user)
    ids: set[int] = set()
    for role in (Role.OFFICE, Role.LEADER):
        ids |= scope.assigned_jurisdictions.get(role, frozenset())
    return Q(**{f"{field}__in": sorted(ids)}) if ids else Q(pk__in=[])


class DocumentNumberQuerySet(models.QuerySet["DocumentNumber"]):
    def visible_to(self, user: Any) -> DocumentNumberQuerySet:
        return self.filter(_own_jurisdictions_q(user, "mechanism__jurisdiction_id"))

    def free(self) -> DocumentNumberQuerySet:
        """Reserved and not yet used by any document."""
        return self.filter(used_by_kind="", document__isnull=True)


class DocumentNumber(BaseModel):
    """A document number (发文字号) entered or reserved by office staff — it usually comes from
    the bureau's own register — and, once a document is issued under it, the record it was
    used by. A number exists once (unique in the database)."""

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="document_numbers",
    )
    number = models.CharField(_("document number"), max_length=60, unique=True)
    issuer_code = models.CharField(_("issuer code"), max_length=40)
    year = models.PositiveIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    reserved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reserved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reserved_at = models.DateTimeField(_("reserved at"))
    # The record issued under this number (a registered reference, not a foreign key).
    used_by_kind = models.CharField(_("used by (kind)"), max_length=40, blank=True)
    used_by_id = models.PositiveBigIntegerField(_("used by (id)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DocumentNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        ordering = ["mechanism", "-year", "issuer_code", "-sequence"]
        indexes = [models.Index(fields=["mechanism", "year"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_used(self) -> bool:
        return bool(self.used_by_kind)

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        jurisdiction_id = self.mechanism.jurisdiction_id
        if action == "view":
            return scope.assigned_to(jurisdiction_id, Role.OFFICE) or scope.assigned_to(
                jurisdiction_id, Role.LEADER
            )
        if action == "release":
            return scope.assigned_to(jurisdiction_id, Role.OFFICE) and not self.is_used
        return False


class DocumentKind(models.TextChoices):
    SUPERVISION_NOTICE = "supervision_notice", _("Supervision notice")
    URGING_LETTER = "urging_letter", _("Urging letter")
    BULLETIN = "bulletin", _("Bulletin")
    FORMAL_TALK_NOTICE = "formal_talk_notice", _("Formal-talk notice")
    MINUTES = "minutes", _("Minutes")
    DUAL_LIST = "dual_list", _("Dual lists")
    OTHER = "other", _("Other")


class OfficialDocumentQuerySet(models.QuerySet["OfficialDocument"]):
    def visible_to(self, user: Any) -> OfficialDocumentQuerySet:
        """Office staff and leaders of the mechanism's jurisdiction; the handler, checker and
        signer of a document."""
        q = _own_jurisdictions_q(user, "mechanism__jurisdiction_id")
        user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
        if user_id is not None:
            q |= Q(handler_id=user_id) | Q(checker_id=user_id) | Q(signer_id=user_id)
        return self.filter(q)


class OfficialDocument(BaseModel):
    """An outgoing office document — supervision notice (督办通知单), urging letter (催办函),
    bulletin (通报), formal-talk notice (约谈通知), minutes, the dual lists — drafted by a
    handler, checked by the section chief, signed by the bureau leader and issued under a
    document number as a GB/T 9704 .docx file."""

    workflow = wf.DOCUMENT_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="official_documents",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "Paragraphs are separated by a blank line; a paragraph starting with 一、 becomes "
            "a first-level heading, one starting with （一） a second-level heading."
        ),
    )
    recipients = models.CharField(_("recipients"), max_length=200, blank=True)
    copy_to = models.CharField(_("copy to"), max_length=300, blank=True)
    number = models.OneToOneField(
        DocumentNumber,
        verbose_name=_("document number"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
    )
    issue_label = models.CharField(
        _("issue label"), max_length=20, blank=True, help_text=_("Minutes: e.g. 第3期.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=wf.DOCUMENT_WORKFLOW.choices(), default=wf.DRAFT
    )
    handler = models.ForeignKey(
        "accounts.User", verbose_name=_("handler"), on_delete=models.PROTECT, related_name="+"
    )
    checker = models.ForeignKey(
        "accounts.User",
        verbose_name=_("section chief"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("bureau leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The record this document was generated from (registered reference: kind + id).
    source_kind = models.CharField(_("source (kind)"), max_length=40, blank=True)
    source_id = models.PositiveBigIntegerField(_("source (id)"), null=True, blank=True)
    file = models.FileField(_("issued file"), upload_to="documents/%Y/", blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OfficialDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["mechanism", "state"]),
            models.Index(fields=["source_kind", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state_obj(self) -> Any:
        return wf.DOCUMENT_WORKFLOW.state(self.state)

    @property
    def is_minutes(self) -> bool:
        return self.kind == DocumentKind.MINUTES

    def enabled_steps(self) -> list[str]:
        steps: list[str] = self.mechanism.config.enabled_steps
        return steps

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        jurisdiction_id = self.mechanism.jurisdiction_id
        office = scope.assigned_to(jurisdiction_id, Role.OFFICE)
        if office:
            found.add(wf.OFFICE)
        # The chain's people act only while they are office staff of the jurisdiction.
        if office and scope.user_id is not None:
            if self.handler_id == scope.user_id:
                found.add(wf.HANDLER)
            if self.checker_id == scope.user_id:
                found.add(wf.CHECKER)
            if self.signer_id == scope.user_id:
                found.add(wf.SIGNER)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        jurisdiction_id = self.mechanism.jurisdiction_id
        if action in {"view", "download"}:
            return (
                scope.assigned_to(jurisdiction_id, Role.OFFICE)
                or scope.assigned_to(jurisdiction_id, Role.LEADER)
                or scope.user_id in {self.handler_id, self.checker_id, self.signer_id}
            )
        relations = self.relations(scope)
        if action == "edit":
            return self.state in wf.EDITABLE_STATES and bool(relations & {wf.HANDLER, wf.OFFICE})
        return False


class DocumentStep(BaseModel):
    """One step of a document's sign-off chain as it happened: who, when, from which state
    to which, and the comment (a document sent back carries the reason)."""

    document = models.ForeignKey(
        OfficialDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="steps"
    )
    name = models.CharField(_("step"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=20)
    to_state = models.CharField(_("to state"), max_length=20)
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("document step")
        verbose_name_plural = _("document steps")
        ordering = ["document", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} · {self.name}"

    @property
    def label(self) -> Any:
        return wf.DOCUMENT_WORKFLOW.transition(self.name).label
