"""The default life cycle of a supervised matter (DOMAIN.md §3), as data.

待交办 → 已交办 → 已签收 → 办理中 → 已上报 → 已办结 → 已销号, with send-back (comment
required), suspension on request with the office's approval, and the optional steps a
mechanism switches on: a unit's internal hand-over to a section handler (分办) and the check by
the unit's leader in charge (分管领导审核) before the report goes to the office.
"""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Roles a user holds towards a matter (matters.models.Matter.relations).
OFFICE = "office"  # the office of the matter's own jurisdiction: the supervisor
LEADER = "leader"  # a leader of the matter's jurisdiction (second extensions)
LEAD_UNIT = "lead_unit"  # liaison officer or court staff of the lead unit
HANDLER = "handler"  # the section handler named on the matter
UNIT_LEADER = "unit_leader"  # the lead unit's leader in charge who checks the report
CO_UNIT = "co_unit"  # liaison officer of a co-unit

# States
DRAFT = "draft"
ASSIGNED = "assigned"
SIGNED = "signed"
IN_PROGRESS = "in_progress"
AWAITING_CHECK = "awaiting_check"
REPORTED = "reported"
COMPLETED = "completed"
CLOSED = "closed"
SUSPENSION_REQUESTED = "suspension_requested"
SUSPENDED = "suspended"

OPEN_STATES = (ASSIGNED, SIGNED, IN_PROGRESS, AWAITING_CHECK, REPORTED, SUSPENSION_REQUESTED)
DONE_STATES = (COMPLETED, CLOSED)
# States in which the deadline runs (suspended and draft matters do not turn red).
RUNNING_STATES = (ASSIGNED, SIGNED, IN_PROGRESS, AWAITING_CHECK, SUSPENSION_REQUESTED)

WORKERS = frozenset({LEAD_UNIT, HANDLER})

MATTER_WORKFLOW = Workflow(
    name="matter",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Awaiting assignment"), tone="secondary"),
        State(ASSIGNED, _("Assigned"), tone="primary"),
        State(SIGNED, _("Signed for"), tone="primary"),
        State(IN_PROGRESS, _("In progress"), tone="primary"),
        State(AWAITING_CHECK, _("Awaiting the unit leader's check"), tone="info"),
        State(REPORTED, _("Reported done"), tone="info"),
        State(COMPLETED, _("Completed"), tone="success"),
        State(CLOSED, _("Closed"), final=True, tone="success"),
        State(SUSPENSION_REQUESTED, _("Suspension requested"), tone="warning"),
        State(SUSPENDED, _("Suspended"), tone="secondary"),
    ),
    transitions=(
        Transition("assign", _("Assign"), (DRAFT,), ASSIGNED, frozenset({OFFICE})),
        Transition("sign", _("Sign for"), (ASSIGNED,), SIGNED, frozenset({LEAD_UNIT})),
        Transition(
            "start",
            _("Start handling"),
            (SIGNED,),
            IN_PROGRESS,
            frozenset({LEAD_UNIT}),
            unless_step="handler_assignment",
        ),
        Transition(
            "hand_to_handler",
            _("Hand to a section handler"),
            (SIGNED,),
            IN_PROGRESS,
            frozenset({LEAD_UNIT}),
            required_fields=("handler",),
            optional_step="handler_assignment",
        ),
        Transition(
            "report",
            _("Report done"),
            (IN_PROGRESS,),
            REPORTED,
            WORKERS,
            required_fields=("summary",),
            unless_step="leader_check",
        ),
        Transition(
            "submit_for_check",
            _("Submit to the leader in charge"),
            (IN_PROGRESS,),
            AWAITING_CHECK,
            WORKERS,
            required_fields=("summary",),
            optional_step="leader_check",
        ),
        Transition(
            "approve_check",
            _("Approve and report"),
            (AWAITING_CHECK,),
            REPORTED,
            frozenset({UNIT_LEADER}),
            optional_step="leader_check",
            tone="success",
        ),
        Transition(
            "return_check",
            _("Return to the handler"),
            (AWAITING_CHECK,),
            IN_PROGRESS,
            frozenset({UNIT_LEADER}),
            comment_required=True,
            optional_step="leader_check",
            tone="danger",
        ),
        Transition(
            "send_back",
            _("Send back for redoing"),
            (REPORTED,),
            IN_PROGRESS,
            frozenset({OFFICE}),
            comment_required=True,
            tone="danger",
        ),
        Transition(
            "complete",
            _("Accept as completed"),
            (REPORTED,),
            COMPLETED,
            frozenset({OFFICE}),
            tone="success",
        ),
        Transition(
            "close",
            _("Close and strike off"),
            (COMPLETED,),
            CLOSED,
            frozenset({OFFICE}),
            tone="success",
        ),
        Transition(
            "request_suspension",
            _("Request suspension"),
            (ASSIGNED, SIGNED, IN_PROGRESS),
            SUSPENSION_REQUESTED,
            frozenset({LEAD_UNIT, OFFICE}),
            comment_required=True,
            tone="warning",
        ),
        Transition(
            "approve_suspension",
            _("Approve suspension"),
            (SUSPENSION_REQUESTED,),
            SUSPENDED,
            frozenset({OFFICE}),
            tone="warning",
        ),
        Transition(
            "reject_suspension",
            _("Refuse suspension"),
            (SUSPENSION_REQUESTED,),
            IN_PROGRESS,
            frozenset({OFFICE}),
            comment_required=True,
            tone="danger",
        ),
        Transition("resume", _("Resume"), (SUSPENDED,), IN_PROGRESS, frozenset({OFFICE})),
    ),
)

# Extension requests (延期申请): the office decides the first; a second needs a leader.
EXT_PENDING = "pending"
EXT_APPROVED = "approved"
EXT_REJECTED = "rejected"
EXTENSION_STATES = (
    (EXT_PENDING, _("Awaiting decision")),
    (EXT_APPROVED, _("Approved")),
    (EXT_REJECTED, _("Refused")),
)
