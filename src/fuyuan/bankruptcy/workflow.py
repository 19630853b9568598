"""State graph of the bankruptcy app, as data: applications to the bankruptcy-cost fund
(破产费用保障资金) — the court submits for a case with no assets, the office reviews, approves
(which commits the money) and pays, or rejects."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Roles a user holds towards a bankruptcy record (`relations(scope)` of each model).
COURT = "court"  # court staff of the court hearing the case (they act for the administrator)
OFFICE = "office"  # office staff of the fund's (the case's) joint meeting
OVERSIGHT = "oversight"  # office staff and leaders overseeing the case's jurisdiction
DEPARTMENT = "department"  # liaison officer of a department asked or leading an item

# --- fund applications -------------------------------------------------------------------------
SUBMITTED = "submitted"
REVIEWED = "reviewed"
APPROVED = "approved"
PAID = "paid"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

# States whose amount is committed against the fund's budget.
COMMITTED_STATES = (APPROVED, PAID)
OPEN_STATES = (SUBMITTED, REVIEWED)

APPLICATION_WORKFLOW = Workflow(
    name="bankruptcy_fund_application",
    initial=SUBMITTED,
    states=(
        State(SUBMITTED, _("Submitted, awaiting review"), tone="primary"),
        State(REVIEWED, _("Reviewed, awaiting approval"), tone="info"),
        State(APPROVED, _("Approved, awaiting payment"), tone="warning"),
        State(PAID, _("Paid"), final=True, tone="success"),
        State(REJECTED, _("Rejected"), final=True, tone="secondary"),
        State(WITHDRAWN, _("Withdrawn"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition("review", _("Record the review"), (SUBMITTED,), REVIEWED, frozenset({OFFICE})),
        # Approval commits the amount against the fund (actions.application_transition).
        Transition(
            "approve", _("Approve"), (REVIEWED,), APPROVED, frozenset({OFFICE}), tone="success"
        ),
        Transition("pay", _("Record payment"), (APPROVED,), PAID, frozenset({OFFICE})),
        Transition(
            "reject",
            _("Reject"),
            (SUBMITTED, REVIEWED),
            REJECTED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="danger",
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            (SUBMITTED,),
            WITHDRAWN,
            frozenset({COURT}),
            tone="secondary",
        ),
    ),
)
