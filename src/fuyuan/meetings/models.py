"""Meetings of the joint meeting and their minutes, whose decisions become matters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fuyuan.core.models import BaseModel

from . import workflow as wf


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary meeting")
    COORDINATION = "coordination", _("Coordination meeting")
    SYMPOSIUM = "symposium", _("Symposium")
    ASSESSMENT = "assessment", _("Assessment meeting")
    CASE_ANALYSIS = "case_analysis", _("Case analysis meeting")
    HEARING_OBSERVATION = "hearing_observation", _("Hearing observation")
    SEMINAR = "seminar", _("Seminar on hard reconsideration and enforcement questions")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not yet known")
    ATTEND = "attend", _("Attends (出席)")
    LEAVE = "leave", _("On leave (请假)")
    OBSERVER = "observer", _("Observer (列席)")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        """Office staff and leaders: the meetings of the mechanisms they oversee (their own
        jurisdiction and those below). Liaison officers and court staff: meetings their unit
        is invited to."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = scope.oversight_q("mechanism__jurisdiction_id", "mechanism__jurisdiction__path")
        if scope.unit_ids:
            q |= Q(
                Exists(
                    Invitation.objects.filter(
                        meeting=OuterRef("pk"), unit_id__in=sorted(scope.unit_ids)
                    )
                )
            )
        return self.filter(q)


class Meeting(BaseModel):
    """A meeting called under the mechanism: the annual plenary (全体会议), or a coordination
    meeting, symposium, assessment meeting, case analysis, hearing observation or seminar called
    by the office; chaired by the convener or a delegate; with an agenda and invited units."""

    workflow = wf.MEETING_WORKFLOW

    mechanism = models.ForeignKey(
        "org.Mechanism",
        verbose_name=_("mechanism"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    chair_post = models.ForeignKey(
        "accounts.Post",
        verbose_name=_("chair (post)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    chair_note = models.CharField(
        _("chair note"),
        max_length=120,
        blank=True,
        help_text=_("E.g. who chairs on the convener's behalf."),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.MEETING_WORKFLOW.choices(),
        default=wf.MEETING_WORKFLOW.initial,
        db_index=True,
    )
    state_comment = models.TextField(_("reason for cancelling"), blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["mechanism", "kind", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        from fuyuan.accounts.models import Role

        found: set[str] = set()
        if scope.assigned_to(self.mechanism.jurisdiction_id, Role.OFFICE):
            found.add(wf.OFFICE)
        if scope.unit_ids and self.invitations.filter(unit_id__in=scope.unit_ids).exists():
            found.add(wf.INVITEE)
        return found

    def permits(self, scope: Any, action: str) -> bool:
        if action == "view":
            return True  # callers fetch through visible_to()
        relations = self.relations(scope)
        if action in {"edit", "invite"}:
            return wf.OFFICE in relations and self.state == wf.SCHEDULED
        if action == "record_attendance":
            return wf.OFFICE in relations and self.state != wf.CANCELLED
        if action == "create_minutes":
            return (
                wf.OFFICE in relations
                and self.state == wf.HELD
                and not Minutes.objects.filter(meeting=self).exists()
            )
        return False

    @property
    def state_obj(self) -> Any:
        return wf.MEETING_WORKFLOW.state(self.state)


class AgendaItem(BaseModel):
    """An item on a meeting's agenda: free text, a matter, or a registered reference (a kind
    from the source-kind registry and an id) — never a link into another app's tables."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    matter = models.ForeignKey(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reference_kind = models.CharField(_("reference kind"), max_length=40, blank=True)
    reference_id = models.CharField(_("reference id"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(BaseModel):
    """A unit (and optionally a named person) invited to a meeting, with its attendance as the
    minutes will list it: 出席, 请假 or 列席. The unit's liaison signs in for it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    attendee_name = models.CharField(
        _("name of the attendee"), max_length=60, blank=True, help_text=_("Who came or is away.")
    )
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "unit__order_no", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                condition=Q(person__isnull=True),
                name="meetings_invitation_unit_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_attendance_display()}"

    def permits(self, scope: Any, action: str) -> bool:
        from fuyuan.accounts.models import Role

        meeting = self.meeting
        if action == "sign_in":
            if meeting.state == wf.CANCELLED:
                return False
            return scope.acts_for(self.unit_id, Role.LIAISON, Role.COURT) or (
                wf.OFFICE in meeting.relations(scope)
            )
        return False


class MinutesQuerySet(models.QuerySet["Minutes"]):
    def visible_to(self, user: Any) -> MinutesQuerySet:
        return self.filter(meeting__in=Meeting.objects.visible_to(user))


class Minutes(BaseModel):
    """The minutes (会议纪要) of a meeting, numbered by issue (第N期) per mechanism and year;
    drafted by the office, circulated to the attendees for comments, finalised and issued
    after sign-off. On issue each decision becomes a matter."""

    workflow = wf.MINUTES_WORKFLOW

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes"
    )
    mechanism = models.ForeignKey(
        "org.Mechanism", verbose_name=_("mechanism"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    issue_no = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=wf.MINUTES_WORKFLOW.choices(),
        default=wf.MINUTES_WORKFLOW.initial,
        db_index=True,
    )
    comment_deadline = models.DateField(_("comments due by"), null=True, blank=True)
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off and issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["-year", "-issue_no", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "year", "issue_no"],
                condition=Q(issue_no__isnull=False),
                name="meetings_minutes_issue_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def relations(self, scope: Any) -> set[str]:
        return self.meeting.relations(scope)

    def permits(self, scope: Any, action: str) -> bool:
        relations = self.relations(scope)
        if action == "view":
            return True
        if action == "edit":
            return wf.OFFICE in relations and self.state in wf.EDITABLE_MINUTES_STATES
        if action == "comment":
            return wf.INVITEE in relations and self.state == wf.CIRCULATED
        if action == "download":
            return bool(relations) or scope.oversees(self.meeting.mechanism.jurisdiction.path)
        return False

    @property
    def state_obj(self) -> Any:
        return wf.MINUTES_WORKFLOW.state(self.state)

    @property
    def issue_label(self) -> str:
        return f"第{self.issue_no}期" if self.issue_no else ""


class MinutesComment(BaseModel):
    """A comment on circulated minutes by an invited unit; kept after the minutes are issued."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="comments"
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
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")
        ordering = ["minutes", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.text[:30]}"


class DecisionQuerySet(models.QuerySet["Decision"]):
    def visible_to(self, user: Any) -> DecisionQuerySet:
        """Whoever sees the meeting, and the units named on the decision."""
        from fuyuan.accounts.permissions import scope_for

        scope = scope_for(user)
        q = Q(minutes__meeting__in=Meeting.objects.visible_to(user))
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            q |= Q(minutes__state=wf.ISSUED) & (Q(lead_unit_id__in=ids) | Q(co_units__in=ids))
        return self.filter(q).distinct()


class Decision(BaseModel):
    """A decision (议定事项) of the minutes: what a lead unit (with co-units) must do by a
    deadline, optionally on one item of the agenda. When the minutes are issued it becomes a
    matter the office supervises."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="decisions"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("decision"))
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("co-units"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name=_("matter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decision",
    )
    # The agenda item the decision settles: through it a decision on a case (or any other
    # registered reference) links back to that record's page.
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["minutes", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class FeedToken(BaseModel):
    """The secret in a user's calendar feed address: calendar apps fetch the feed without a
    session, so the token is the credential. Rotating it makes the old address answer 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="meeting_feed_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)

    personal_fields = ("token",)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.user}"
