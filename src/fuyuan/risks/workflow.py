"""State graph of a major-risk event (重大风险事件), as data: reported → handling → resolved,
or closed (not a risk after all, merged into another event, handed over) from any open state;
a resolved event can be reopened when the risk returns."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Roles a user holds towards a risk event (`RiskEvent.relations(scope)`).
OFFICE = "office"  # office staff overseeing the mechanism's jurisdiction
LEADER = "leader"  # leaders overseeing it (read, no writes)
LEAD_UNIT = "lead_unit"  # liaison officer of the lead unit (牵头单位)
INVOLVED = "involved"  # liaison officer of a unit involved (责任/配合单位)
COURT = "court"  # court staff of an involved court

REPORTED = "reported"
HANDLING = "handling"
RESOLVED = "resolved"
CLOSED = "closed"

FINAL = (RESOLVED, CLOSED)

EVENT_WORKFLOW = Workflow(
    name="risks_event",
    initial=REPORTED,
    states=(
        State(REPORTED, _("Reported"), tone="primary"),
        State(HANDLING, _("Being handled"), tone="warning"),
        State(RESOLVED, _("Resolved"), final=True, tone="success"),
        State(CLOSED, _("Closed"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition(
            "start", _("Start handling"), (REPORTED,), HANDLING, frozenset({OFFICE, LEAD_UNIT})
        ),
        Transition(
            "resolve",
            _("Mark resolved"),
            (HANDLING,),
            RESOLVED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="success",
        ),
        Transition(
            "close",
            _("Close without resolution"),
            (REPORTED, HANDLING),
            CLOSED,
            frozenset({OFFICE}),
            comment_required=True,
            tone="secondary",
        ),
        Transition(
            "reopen",
            _("Reopen"),
            (RESOLVED, CLOSED),
            HANDLING,
            frozenset({OFFICE}),
            comment_required=True,
            tone="warning",
        ),
    ),
)
