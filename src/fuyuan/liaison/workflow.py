"""The life cycle of a liaison letter (工作联系函), as data (notice 三(二) 日常化沟通联络制度).

draft → sent → replied → agreed (closed); or, when the sender finds no consensus, the letter
goes straight to the office (escalated) which coordinates and records the outcome
(coordinated, closed). The sender may withdraw a letter until it is agreed or escalated.
"""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Roles a user holds towards a letter (LiaisonLetter.relations).
SENDER = "sender"  # liaison officer or court staff of the sending unit
RECIPIENT = "recipient"  # liaison officer or court staff of the receiving unit
OFFICE = "office"  # office of the letter's joint meeting: coordinates after escalation

# States
DRAFT = "draft"
SENT = "sent"
REPLIED = "replied"
AGREED = "agreed"
ESCALATED = "escalated"
COORDINATED = "coordinated"
WITHDRAWN = "withdrawn"

CLOSED_STATES = (AGREED, COORDINATED, WITHDRAWN)
# States in which files may still be added by the two units.
OPEN_STATES = (DRAFT, SENT, REPLIED, ESCALATED)

LETTER_WORKFLOW = Workflow(
    name="liaison_letter",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Draft"), tone="secondary"),
        State(SENT, _("Awaiting reply"), tone="primary"),
        State(REPLIED, _("Replied"), tone="info"),
        State(AGREED, _("Agreed (closed)"), final=True, tone="success"),
        State(ESCALATED, _("No consensus: with the office"), tone="warning"),
        State(COORDINATED, _("Coordinated by the office (closed)"), final=True, tone="success"),
        State(WITHDRAWN, _("Withdrawn"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition("send", _("Send"), (DRAFT,), SENT, frozenset({SENDER})),
        Transition(
            "reply",
            _("Reply"),
            (SENT, REPLIED),
            REPLIED,
            frozenset({RECIPIENT}),
            comment_required=True,
        ),
        Transition(
            "agree", _("Agree (close)"), (REPLIED,), AGREED, frozenset({SENDER}), tone="success"
        ),
        Transition(
            "no_consensus",
            _("No consensus: escalate to the office"),
            (REPLIED,),
            ESCALATED,
            frozenset({SENDER}),
            comment_required=True,
            tone="warning",
        ),
        Transition(
            "coordinate",
            _("Record the coordination outcome"),
            (ESCALATED,),
            COORDINATED,
            frozenset({OFFICE}),
            required_fields=("outcome",),
            tone="success",
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            (DRAFT, SENT, REPLIED),
            WITHDRAWN,
            frozenset({SENDER}),
            tone="secondary",
        ),
    ),
)

# Transitions taken through the generic transition form (reply and coordinate have their own).
SIMPLE_TRANSITIONS = ("send", "agree", "no_consensus", "withdraw")
