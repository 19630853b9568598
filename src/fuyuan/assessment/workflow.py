"""State graphs of the assessment: a scheme (drafted by the office, published — locked — once
scoring starts, final once ranked) and each unit's result (scored by the system, reviewed by
the office, confirmed by a second reviewer, final and ranked with the scheme)."""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles (Scheme.relations / Result.relations).
OFFICE = "office"  # office staff of the scheme's mechanism (its own jurisdiction)
LEADER = "leader"  # a leader of the mechanism's jurisdiction (reads)
# Office staff or a leader of the mechanism's jurisdiction who has neither submitted the
# result for confirmation nor adjusted it: the second pair of eyes (双人复核).
SECOND_REVIEWER = "second_reviewer"

# --- schemes ----------------------------------------------------------------------------------
S_DRAFT = "draft"
S_PUBLISHED = "published"
S_FINAL = "final"

SCHEME_WORKFLOW = Workflow(
    name="assessment_scheme",
    initial=S_DRAFT,
    states=(
        State(S_DRAFT, _("Draft"), tone="secondary"),
        State(S_PUBLISHED, _("Published, scoring"), tone="primary"),
        State(S_FINAL, _("Final"), final=True, tone="success"),
    ),
    transitions=(
        Transition(
            "publish",
            _("Publish and lock the indicators"),
            (S_DRAFT,),
            S_PUBLISHED,
            frozenset({OFFICE}),
        ),
        Transition(
            "finalize",
            _("Finalize and rank"),
            (S_PUBLISHED,),
            S_FINAL,
            frozenset({OFFICE}),
            tone="success",
        ),
    ),
)

# --- results ----------------------------------------------------------------------------------
SCORED = "scored"
REVIEWED = "reviewed"
CONFIRMED = "confirmed"
FINAL = "final"

RESULT_WORKFLOW = Workflow(
    name="assessment_result",
    initial=SCORED,
    states=(
        State(SCORED, _("Scored, under review"), tone="secondary"),
        State(REVIEWED, _("Awaiting the second reviewer"), tone="warning"),
        State(CONFIRMED, _("Confirmed"), tone="info"),
        State(FINAL, _("Final"), final=True, tone="success"),
    ),
    transitions=(
        Transition(
            "submit",
            _("Submit for confirmation"),
            (SCORED,),
            REVIEWED,
            frozenset({OFFICE}),
        ),
        Transition(
            "confirm",
            _("Confirm"),
            (REVIEWED,),
            CONFIRMED,
            frozenset({SECOND_REVIEWER}),
            tone="success",
        ),
        Transition(
            "send_back",
            _("Send back for review"),
            (REVIEWED, CONFIRMED),
            SCORED,
            frozenset({SECOND_REVIEWER}),
            comment_required=True,
            tone="danger",
        ),
        # Taken for every result by the scheme's "finalize", never on its own.
        Transition("finalize", _("Finalize"), (CONFIRMED,), FINAL, frozenset({OFFICE})),
    ),
)

# Transitions a user takes on one result from the results pages.
RESULT_PAGE_TRANSITIONS = ("submit", "confirm", "send_back")
# Results still recomputed by "score" (re-scoring stops once a result is reviewed).
RESCORABLE = (SCORED,)
