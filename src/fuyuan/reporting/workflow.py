"""State graphs of material collection: the office's collection (征集) and each target's
submission (报送), with the unit's or county's own approval before the office sees it."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles (Collection.relations / Submission.relations).
OFFICE = "office"  # office staff of the collection's mechanism
AUTHOR = "author"  # the target's writer: the unit's liaison / court staff, or the county office
APPROVER = "approver"  # the unit's named leader in charge, or the county office / leader

# The step a submission passes before delivery. Always on for a county target (a county's
# material stays private until the county approves it); for a unit target it follows the
# mechanism's optional step "leader_check".
INTERNAL_APPROVAL = "internal_approval"

# --- collections ------------------------------------------------------------------------------
C_DRAFT = "draft"
C_OPEN = "open"
C_CLOSED = "closed"
C_COMPILED = "compiled"

COLLECTION_WORKFLOW = Workflow(
    name="reporting_collection",
    initial=C_DRAFT,
    states=(
        State(C_DRAFT, _("Draft"), tone="secondary"),
        State(C_OPEN, _("Open for submissions"), tone="primary"),
        State(C_CLOSED, _("Closed"), tone="warning"),
        State(C_COMPILED, _("Compiled"), tone="success"),
    ),
    transitions=(
        Transition(
            "open", _("Open and notify the targets"), (C_DRAFT,), C_OPEN, frozenset({OFFICE})
        ),
        Transition("close", _("Close"), (C_OPEN,), C_CLOSED, frozenset({OFFICE}), tone="warning"),
        Transition(
            "reopen",
            _("Reopen"),
            (C_CLOSED, C_COMPILED),
            C_OPEN,
            frozenset({OFFICE}),
            tone="secondary",
        ),
        Transition(
            "compile",
            _("Compile the accepted submissions"),
            (C_OPEN, C_CLOSED, C_COMPILED),
            C_COMPILED,
            frozenset({OFFICE}),
            tone="success",
        ),
    ),
)

# --- submissions ------------------------------------------------------------------------------
DRAFT = "draft"
AWAITING_APPROVAL = "awaiting_approval"
APPROVED = "approved"
DELIVERED = "delivered"
ACCEPTED = "accepted"
RETURNED = "returned"

# States in which the author may still edit the text.
EDITABLE_STATES = (DRAFT, RETURNED)
# States counted as "with the office".
WITH_OFFICE_STATES = (DELIVERED, ACCEPTED)

SUBMISSION_WORKFLOW = Workflow(
    name="reporting_submission",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Draft"), tone="secondary"),
        State(AWAITING_APPROVAL, _("Awaiting internal approval"), tone="warning"),
        State(APPROVED, _("Approved, to be delivered"), tone="info"),
        State(DELIVERED, _("Delivered to the office"), tone="primary"),
        State(ACCEPTED, _("Accepted"), final=True, tone="success"),
        State(RETURNED, _("Returned for revision"), tone="danger"),
    ),
    transitions=(
        Transition(
            "submit",
            _("Submit for internal approval"),
            (DRAFT, RETURNED),
            AWAITING_APPROVAL,
            frozenset({AUTHOR}),
            optional_step=INTERNAL_APPROVAL,
        ),
        Transition(
            "approve",
            _("Approve"),
            (AWAITING_APPROVAL,),
            APPROVED,
            frozenset({APPROVER}),
            optional_step=INTERNAL_APPROVAL,
            tone="success",
        ),
        Transition(
            "send_back",
            _("Send back to the writer"),
            (AWAITING_APPROVAL,),
            DRAFT,
            frozenset({APPROVER}),
            comment_required=True,
            optional_step=INTERNAL_APPROVAL,
            tone="danger",
        ),
        Transition(
            "deliver",
            _("Deliver to the office"),
            (APPROVED,),
            DELIVERED,
            frozenset({AUTHOR, APPROVER}),
            optional_step=INTERNAL_APPROVAL,
        ),
        Transition(
            "deliver_direct",
            _("Deliver to the office"),
            (DRAFT, RETURNED),
            DELIVERED,
            frozenset({AUTHOR}),
            unless_step=INTERNAL_APPROVAL,
        ),
        Transition(
            "accept",
            _("Accept"),
            (DELIVERED,),
            ACCEPTED,
            frozenset({OFFICE}),
            tone="success",
        ),
        Transition(
            "return",
            _("Return for revision"),
            (DELIVERED,),
            RETURNED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="danger",
        ),
    ),
)
