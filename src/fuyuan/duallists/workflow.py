"""State graphs of the dual lists: the annual call, and each proposed item from submission
through claim or objection, arbitration, return, merge and acceptance to approval."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles towards a call or an item (see ListCall.relations / ListItem.relations).
OFFICE = "office"  # office staff of the call's jurisdiction
LEADER = "leader"  # a leader of the call's jurisdiction (records the joint meeting's approval)
LEAD_UNIT = "lead_unit"  # liaison officer or court staff of the item's (proposed) lead unit
PROPOSER = "proposer"  # liaison officer or court staff of the proposing unit

# --- the call ---------------------------------------------------------------------------------
CALL_OPEN = "open"
CALL_CLOSED = "closed"
CALL_DRAFTED = "drafted"
CALL_APPROVED = "approved"

CALL_WORKFLOW = Workflow(
    name="dual_list_call",
    initial=CALL_OPEN,
    states=(
        State(CALL_OPEN, _("Open for proposals"), tone="primary"),
        State(CALL_CLOSED, _("Closed, under review"), tone="warning"),
        State(CALL_DRAFTED, _("Draft settled"), tone="info"),
        State(CALL_APPROVED, _("Approved"), final=True, tone="success"),
    ),
    transitions=(
        Transition("close", _("Close the call"), (CALL_OPEN,), CALL_CLOSED, frozenset({OFFICE})),
        Transition(
            "settle_draft",
            _("Settle the draft"),
            (CALL_CLOSED, CALL_DRAFTED),
            CALL_DRAFTED,
            frozenset({OFFICE}),
            required_fields=("meeting_ref",),
        ),
        Transition(
            "approve",
            _("Record the approval"),
            (CALL_DRAFTED,),
            CALL_APPROVED,
            frozenset({OFFICE, LEADER}),
            required_fields=("meeting_ref",),
            tone="success",
        ),
    ),
)

# --- an item ----------------------------------------------------------------------------------
SUBMITTED = "submitted"
CLAIMED = "claimed"
OBJECTED = "objected"
RETURNED = "returned"
ACCEPTED = "accepted"
MERGED = "merged"
APPROVED = "approved"

# States in which an item is still a live proposal (may be merged, revised, returned).
LIVE_STATES = (SUBMITTED, CLAIMED, OBJECTED, ACCEPTED)

ITEM_WORKFLOW = Workflow(
    name="dual_list_item",
    initial=SUBMITTED,
    states=(
        State(SUBMITTED, _("Awaiting the lead unit"), tone="warning"),
        State(CLAIMED, _("Claimed by the lead unit"), tone="primary"),
        State(OBJECTED, _("Objected, awaiting the office"), tone="danger"),
        State(RETURNED, _("Returned to the proposer"), tone="secondary"),
        State(ACCEPTED, _("Accepted into the draft"), tone="info"),
        State(MERGED, _("Merged into another item"), final=True, tone="secondary"),
        State(APPROVED, _("Approved"), final=True, tone="success"),
    ),
    transitions=(
        Transition("claim", _("Claim"), (SUBMITTED,), CLAIMED, frozenset({LEAD_UNIT})),
        Transition(
            "object",
            _("Object"),
            (SUBMITTED,),
            OBJECTED,
            frozenset({LEAD_UNIT}),
            comment_required=True,
            tone="danger",
        ),
        Transition(
            "arbitrate",
            _("Arbitrate"),
            (OBJECTED,),
            CLAIMED,
            frozenset({OFFICE}),
            comment_required=True,
        ),
        Transition(
            "accept",
            _("Accept into the draft"),
            (CLAIMED,),
            ACCEPTED,
            frozenset({OFFICE}),
            tone="success",
        ),
        Transition(
            "return_item",
            _("Return to the proposer"),
            (SUBMITTED, CLAIMED, OBJECTED, ACCEPTED),
            RETURNED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="secondary",
        ),
        Transition("resubmit", _("Resubmit"), (RETURNED,), SUBMITTED, frozenset({PROPOSER})),
        Transition(
            "merge",
            _("Merge into another item"),
            LIVE_STATES,
            MERGED,
            frozenset({OFFICE}),
            tone="secondary",
        ),
        Transition("approve", _("Approve"), (ACCEPTED,), APPROVED, frozenset({OFFICE, LEADER})),
    ),
)

# Transitions an item page offers as a plain comment form (the others have their own forms).
SIMPLE_ITEM_TRANSITIONS = ("claim", "object", "accept", "return_item")
