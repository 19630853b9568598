"""The life cycle of an access grant, as data: a unit asks (requested); the provider approves
or refuses with a reason; the requester may withdraw while it waits; the provider may revoke
an approved grant with a reason. An approved grant opens the dataset only within its period.
"""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

from .models import GrantState

# Roles a user holds towards a grant (AccessGrant.relations).
REQUESTER = "requester"  # acts for the requesting unit
PROVIDER = "provider"  # acts for the provider unit

GRANT_WORKFLOW = Workflow(
    name="access_grant",
    initial=GrantState.REQUESTED,
    states=(
        State(GrantState.REQUESTED, _("Awaiting decision"), tone="primary"),
        State(GrantState.APPROVED, _("Approved"), tone="success"),
        State(GrantState.REFUSED, _("Refused"), final=True, tone="danger"),
        State(GrantState.WITHDRAWN, _("Withdrawn"), final=True, tone="secondary"),
        State(GrantState.REVOKED, _("Revoked"), final=True, tone="warning"),
    ),
    transitions=(
        Transition(
            "approve",
            _("Approve"),
            (GrantState.REQUESTED,),
            GrantState.APPROVED,
            frozenset({PROVIDER}),
            tone="success",
        ),
        Transition(
            "refuse",
            _("Refuse"),
            (GrantState.REQUESTED,),
            GrantState.REFUSED,
            frozenset({PROVIDER}),
            comment_required=True,
            tone="danger",
        ),
        Transition(
            "withdraw",
            _("Withdraw the request"),
            (GrantState.REQUESTED,),
            GrantState.WITHDRAWN,
            frozenset({REQUESTER}),
            tone="secondary",
        ),
        Transition(
            "revoke",
            _("Revoke"),
            (GrantState.APPROVED,),
            GrantState.REVOKED,
            frozenset({PROVIDER}),
            comment_required=True,
            tone="warning",
        ),
    ),
)

TRANSITIONS = tuple(t.name for t in GRANT_WORKFLOW.transitions)
