"""The sign-off chain (签批) of an outgoing office document, as data.

With the mechanism's optional step "office_sign_off" on: the handler drafts and submits to the
section chief (checker), who approves or sends back; the bureau leader (signer) signs or sends
back; the office then issues under a document number. With the step off, the office issues a
draft directly.
"""

from django.utils.translation import gettext_lazy as _

from fuyuan.core.workflow import State, Transition, Workflow

# Relational roles towards a document (OfficialDocument.relations).
HANDLER = "handler"
CHECKER = "checker"
SIGNER = "signer"
OFFICE = "office"

SIGN_OFF_STEP = "office_sign_off"

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
SIGNED = "signed"
ISSUED = "issued"
CANCELLED = "cancelled"

DOCUMENT_WORKFLOW = Workflow(
    name="official_document",
    initial=DRAFT,
    states=(
        State(DRAFT, _("Draft"), tone="secondary"),
        State(SUBMITTED, _("Awaiting the section chief"), tone="warning"),
        State(APPROVED, _("Awaiting the bureau leader's signature"), tone="warning"),
        State(SIGNED, _("Signed, awaiting issue"), tone="primary"),
        State(ISSUED, _("Issued"), final=True, tone="success"),
        State(CANCELLED, _("Cancelled"), final=True, tone="secondary"),
    ),
    transitions=(
        Transition(
            "submit",
            _("Submit to the section chief"),
            (DRAFT,),
            SUBMITTED,
            frozenset({HANDLER}),
            required_fields=("checker", "signer"),
            optional_step=SIGN_OFF_STEP,
        ),
        Transition(
            "approve",
            _("Approve"),
            (SUBMITTED,),
            APPROVED,
            frozenset({CHECKER}),
            optional_step=SIGN_OFF_STEP,
            tone="success",
        ),
        Transition(
            "return_by_checker",
            _("Send back"),
            (SUBMITTED,),
            DRAFT,
            frozenset({CHECKER}),
            comment_required=True,
            optional_step=SIGN_OFF_STEP,
            tone="danger",
        ),
        Transition(
            "sign",
            _("Sign"),
            (APPROVED,),
            SIGNED,
            frozenset({SIGNER}),
            optional_step=SIGN_OFF_STEP,
            tone="success",
        ),
        Transition(
            "return_by_signer",
            _("Send back"),
            (APPROVED,),
            DRAFT,
            frozenset({SIGNER}),
            comment_required=True,
            optional_step=SIGN_OFF_STEP,
            tone="danger",
        ),
        Transition(
            "issue",
            _("Issue"),
            (SIGNED,),
            ISSUED,
            frozenset({OFFICE}),
            optional_step=SIGN_OFF_STEP,
            tone="success",
        ),
        Transition(
            "issue_directly",
            _("Issue"),
            (DRAFT,),
            ISSUED,
            frozenset({OFFICE}),
            unless_step=SIGN_OFF_STEP,
            tone="success",
        ),
        Transition(
            "cancel",
            _("Cancel"),
            (DRAFT,),
            CANCELLED,
            frozenset({HANDLER}),
            comment_required=True,
            tone="secondary",
        ),
    ),
)

ISSUE_TRANSITIONS = frozenset({"issue", "issue_directly"})
EDITABLE_STATES = frozenset({DRAFT})
