"""Daily liaison: letters between departments and courts, replies, escalation.

A department or a court writes to a counterpart unit (工作联系函); the counterpart replies; the
sender agrees or finds no consensus, which escalates the letter to the office of the joint
meeting, which coordinates (notice 三(二) 日常化沟通联络制度)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel, StoredFile

from . import workflow as wf


class LetterQuerySet(models.QuerySet["LiaisonLetter"]):
    def visible_to(self, user: Any) -> LetterQuerySet:
        """The sending unit (drafts included) and the receiving unit (once sent), through their
        liaison officers and court staff, predecessors included; office staff: every letter
        sent within the jurisdictions they oversee (they supervise daily liaison and keep its
        figures); leaders: escalated letters of the jurisdictions they oversee."""
        from fuyuan.accounts.models import Role
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        sent = ~Q(state=wf.DRAFT)
        q = scope.unit_q("sender_unit_id") | (scope.unit_q("recipient_unit_id") & sent)
        path = "mechanism__jurisdiction__path"
        office = Q(pk__in=[])
        for p in scope.oversight.get(Role.OFFICE, ()):
            office |= Q(**{f"{path}__startswith": p})
        leader = Q(pk__in=[])
        for p in scope.oversight.get(Role.LEADER, ()):
            leader |= Q(**{f"{path}__startswith": p})
        q |= (office & sent) | (leader & Q(escalated_at__isnull=False))
        return self.filter(q)


class LiaisonLetter(BaseModel):
    """A liaison letter (工作联系函) from a department or a court to a counterpart unit, with
    the date by which a reply is expected, the replies, and — when the two sides find no
    consensus — the office's coordination outcome (and possibly a supervised matter)."""

    workflow = wf.LETTER_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("joint meeting"),
        on_delete=models.PROTECT,
        related_name="liaison_letters",
    )
    sender_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("sending unit"),
        on_delete=models.PROTECT,
        related_name="liaison_letters_sent",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="liaison_letters_received",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("content"))
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=wf.LETTER_WORKFLOW.choices(),
        default=wf.DRAFT,
        db_index=True,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("first replied at"), null=True, blank=True)
    # Working days from sending to the first reply, computed from the office's calendar when
    # the reply arrives, so the figures aggregate in SQL.
    reply_working_days = models.PositiveIntegerField(
        _("reply time (working days)"), null=True, blank=True
    )
    no_consensus_reason = models.TextField(_("why there is no consensus"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    outcome = models.TextField(_("coordination outcome"), blank=True)
    agenda_note = models.CharField(
        _("coordination meeting agenda note"), max_length=200, blank=True
    )
    coordinated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_comment = models.TextField(_("closing comment"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("supervised matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="liaison_letter",
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison letter")
        verbose_name_plural = _("liaison letters")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient_unit", "state"]),
            models.Index(fields=["sender_unit", "state"]),
            models.Index(fields=["mechanism", "state"]),
        ]

    def __str__(self) -> str:
        return self.subject

    # --- permission hooks (accounts.permissions.can) -----------------------------------------
    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.acts_for(self.sender_unit_id, Role.LIAISON, Role.COURT):
            found.add(wf.SENDER)
        if self.state != wf.DRAFT and scope.acts_for(
            self.recipient_unit_id, Role.LIAISON, Role.COURT
        ):
            found.add(wf.RECIPIENT)
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # callers fetch through visible_to(); being here means visible
        if action == "attach":
            return self.state in wf.OPEN_STATES and bool(
                self.relations(scope) & {wf.SENDER, wf.RECIPIENT}
            )
        return False

    @property
    def state_obj(self) -> Any:
        return wf.LETTER_WORKFLOW.state(self.state)

    @property
    def is_overdue(self) -> bool:
        """Sent, no reply, and the reply-by date has passed."""
        from django.utils import timezone

        return (
            self.state == wf.SENT
            and self.reply_by is not None
            and self.reply_by < timezone.localdate()
        )


class LetterReply(BaseModel):
    """A reply of the receiving unit to a liaison letter (there may be several)."""

    letter = models.ForeignKey(
        LiaisonLetter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("reply"))

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["letter", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.letter} · {self.created_at:%Y-%m-%d}"


class LetterAttachment(StoredFile):
    """A file sent with a liaison letter or one of its replies; type checked by content."""

    letter = models.ForeignKey(
        LiaisonLetter,
        verbose_name=_("letter"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    reply = models.ForeignKey(
        LetterReply,
        verbose_name=_("reply"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="liaison/%Y/%m/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["letter", "pk"]
