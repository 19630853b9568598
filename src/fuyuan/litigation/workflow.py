"""State graphs of the litigation app, as data: the head-appearance record (court records,
the body confirms or disputes), recommendations (司法建议 and the like), and referrals for
substantive resolution of administrative disputes (行政争议实质性化解)."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Roles a user holds towards a litigation record (`relations(scope)` of each model).
COURT = "court"  # court staff of the court hearing the case
BODY = "body"  # liaison officer of the defendant body (or its predecessor)
OFFICE = "office"  # office staff overseeing the body's jurisdiction
ISSUER = "issuer"  # staff of the body that issued a recommendation (court, procuratorate …)
RECIPIENT = "recipient"  # liaison officer of the unit a recommendation is addressed to
COORDINATOR = "coordinator"  # office staff coordinating a dispute

# --- head appearance in court (出庭应诉记录) -----------------------------------------------------
RECORDED = "recorded"
CONFIRMED = "confirmed"
DISPUTED = "disputed"

APPEARANCE_WORKFLOW = Workflow(
    name="litigation_appearance",
    initial=RECORDED,
    states=(
        State(RECORDED, _("Recorded by the court, awaiting the body"), tone="primary"),
        State(DISPUTED, _("Disputed by the body"), tone="warning"),
        State(CONFIRMED, _("Confirmed"), final=True, tone="success"),
    ),
    transitions=(
        Transition(
            "confirm", _("Confirm"), (RECORDED,), CONFIRMED, frozenset({BODY}), tone="success"
        ),
        Transition(
            "dispute",
            _("Dispute the record"),
            (RECORDED,),
            DISPUTED,
            frozenset({BODY}),
            comment_required=True,
            tone="warning",
        ),
        # The court answers a dispute: it corrects the record (back to the body) or keeps it.
        Transition(
            "correct",
            _("Correct the record"),
            (DISPUTED,),
            RECORDED,
            frozenset({COURT}),
            comment_required=True,
        ),
        Transition(
            "uphold",
            _("Keep the record as it is"),
            (DISPUTED,),
            CONFIRMED,
            frozenset({COURT}),
            comment_required=True,
        ),
    ),
)

# --- recommendations (司法建议 / 检察建议 / 行政复议意见书 / 审查报告) ---------------------
DRAFT = "draft"
DELIVERED = "delivered"
REPLIED = "replied"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

RECOMMENDATION_WORKFLOW = Workflow(
    name="litigation_recommendation",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Draft"), tone="secondary"),
        State(DELIVERED, _("Delivered, awaiting reply"), tone="primary"),
        State(REPLIED, _("Replied"), tone="info"),
        State(CLOSED, _("Closed out by the issuer"), final=True, tone="success"),
        State(WITHDRAWN, _("Withdrawn"), final=True, tone="secondary"),
    ),
    transitions=(
        # Delivery creates one rectification matter per item (actions.deliver).
        Transition(
            "deliver", _("Record delivery"), (DRAFT,), DELIVERED, frozenset({ISSUER, OFFICE})
        ),
        # The reply carries the letter and the adoption of every item (actions.reply).
        Transition("reply", _("Reply"), (DELIVERED, REPLIED), REPLIED, frozenset({RECIPIENT})),
        # The issuer finds the reply insufficient: the recipient must reply again.
        Transition(
            "return",
            _("Return the reply"),
            (REPLIED,),
            DELIVERED,
            frozenset({ISSUER}),
            comment_required=True,
            tone="warning",
        ),
        Transition(
            "close",
            _("Close out"),
            (REPLIED,),
            CLOSED,
            frozenset({ISSUER}),
            comment_required=True,
            tone="success",
        ),
        Transition(
            "withdraw",
            _("Withdraw"),
            (DRAFT,),
            WITHDRAWN,
            frozenset({ISSUER, OFFICE}),
            tone="secondary",
        ),
    ),
)

# --- substantive resolution of administrative disputes (行政争议实质性化解) -------------
REFERRED = "referred"
COORDINATING = "coordinating"
RESOLVED = "resolved"  # resolved and the suit withdrawn (or never filed)
SETTLED = "settled"  # settled by agreement or mediation
FAILED = "failed"  # coordination failed: the dispute continues in court

DISPUTE_FINAL = (RESOLVED, SETTLED, FAILED)

DISPUTE_WORKFLOW = Workflow(
    name="litigation_dispute",
    initial=REFERRED,
    states=(
        State(REFERRED, _("Referred for coordination"), tone="primary"),
        State(COORDINATING, _("Being coordinated"), tone="info"),
        State(RESOLVED, _("Resolved, suit withdrawn"), final=True, tone="success"),
        State(SETTLED, _("Settled"), final=True, tone="success"),
        State(FAILED, _("Failed: continues in court"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition(
            "start",
            _("Start coordinating"),
            (REFERRED,),
            COORDINATING,
            frozenset({COORDINATOR, BODY}),
        ),
        Transition(
            "resolve",
            _("Resolved and withdrawn"),
            (REFERRED, COORDINATING),
            RESOLVED,
            frozenset({COORDINATOR}),
            comment_required=True,
            tone="success",
        ),
        Transition(
            "settle",
            _("Settled"),
            (REFERRED, COORDINATING),
            SETTLED,
            frozenset({COORDINATOR}),
            comment_required=True,
            tone="success",
        ),
        Transition(
            "fail",
            _("Coordination failed"),
            (REFERRED, COORDINATING),
            FAILED,
            frozenset({COORDINATOR}),
            comment_required=True,
            tone="secondary",
        ),
    ),
)
