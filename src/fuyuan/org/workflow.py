"""State graphs of the org app."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles towards a membership change (see accounts.permissions.relations_to).
PROPOSING_UNIT = "proposing_unit"
OFFICE = "office"
CONVENER_SIDE = "convener_side"
# A security administrator, towards a liaison officer's account the office provisioned.
SECURITY_SIDE = "security_side"

MEMBERSHIP_CHANGE = Workflow(
    name="membership_change",
    initial="proposed",
    states=(
        State("proposed", _("Awaiting the convener"), tone="warning"),
        State("approved", _("Approved"), final=True, tone="success"),
        State("rejected", _("Rejected"), final=True, tone="danger"),
        State("withdrawn", _("Withdrawn"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition(
            "approve",
            _("Approve"),
            ("proposed",),
            "approved",
            frozenset({CONVENER_SIDE}),
            tone="success",
        ),
        Transition(
            "confirm",
            _("Confirm the liaison role"),
            ("proposed",),
            "approved",
            frozenset({SECURITY_SIDE}),
            tone="success",
        ),
        Transition(
            "reject",
            _("Reject"),
            ("proposed",),
            "rejected",
            frozenset({CONVENER_SIDE, SECURITY_SIDE}),
            comment_required=True,
            tone="danger",
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            ("proposed",),
            "withdrawn",
            frozenset({PROPOSING_UNIT, OFFICE}),
            tone="secondary",
        ),
    ),
)
