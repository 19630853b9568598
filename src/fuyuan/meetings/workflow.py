"""State graphs of the meetings app: a meeting (scheduled → held / cancelled) and its minutes
(draft → circulated for comments → final → issued after the office's sign-off)."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles towards a meeting or its minutes (Meeting.relations, Minutes.relations).
OFFICE = "office"  # office staff of the meeting's own mechanism
INVITEE = "invitee"  # liaison officer or court staff of an invited unit

SCHEDULED = "scheduled"
HELD = "held"
CANCELLED = "cancelled"

MEETING_WORKFLOW = Workflow(
    name="meeting",
    initial=SCHEDULED,
    states=(
        State(SCHEDULED, _("Scheduled"), tone="primary"),
        State(HELD, _("Held"), final=True, tone="success"),
        State(CANCELLED, _("Cancelled"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition("hold", _("Mark as held"), (SCHEDULED,), HELD, frozenset({OFFICE})),
        Transition(
            "cancel",
            _("Cancel the meeting"),
            (SCHEDULED,),
            CANCELLED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="danger",
        ),
    ),
)

DRAFT = "draft"
CIRCULATED = "circulated"
FINAL = "final"
ISSUED = "issued"

MINUTES_WORKFLOW = Workflow(
    name="minutes",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Draft"), tone="secondary"),
        State(CIRCULATED, _("Circulated for comments"), tone="warning"),
        State(FINAL, _("Final, awaiting sign-off"), tone="info"),
        State(ISSUED, _("Issued"), final=True, tone="success"),
    ),
    transitions=(
        Transition(
            "circulate",
            _("Circulate to attendees for comments"),
            (DRAFT,),
            CIRCULATED,
            frozenset({OFFICE}),
            required_fields=("comment_deadline",),
        ),
        Transition(
            "back_to_draft",
            _("Back to draft"),
            (CIRCULATED, FINAL),
            DRAFT,
            frozenset({OFFICE}),
            tone="secondary",
        ),
        Transition("finalise", _("Finalise"), (DRAFT, CIRCULATED), FINAL, frozenset({OFFICE})),
        Transition(
            "issue", _("Sign off and issue"), (FINAL,), ISSUED, frozenset({OFFICE}), tone="success"
        ),
    ),
)

# States in which the office may still edit the text and the decisions.
EDITABLE_MINUTES_STATES = (DRAFT, CIRCULATED)
