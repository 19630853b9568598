"""A mechanism's settings (ARCHITECTURE rule 9): city-specific rules kept as data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.utils.translation import gettext_lazy as _

# Optional steps a mechanism can switch on (DOMAIN.md §1 "Inside a unit").
OPTIONAL_STEPS = {
    "handler_assignment": _("Hand to a section handler inside the unit (分办)"),
    "leader_check": _("Check by the leader in charge before submitting (分管领导审核)"),
    "lead_unit_consolidation": _("Co-units report to the lead unit, which consolidates"),
    "office_sign_off": _("Office documents go handler → section chief → bureau leader"),
    "county_approval": _("County material is approved by the county before the city sees it"),
}

SECOND_FACTORS = {
    "sms": _("SMS code"),
    "totp": _("Authenticator app (TOTP)"),
    "sso": _("Government single sign-on"),
    "certificate": _("Certificate key"),
}


# Outcomes of an administrative case (for the defendant body). Kept here, not in the
# litigation app, because a mechanism's settings choose which of them count as a loss.
ADMIN_CASE_OUTCOMES = {
    "dismissed": _("Claims dismissed or suit rejected (驳回)"),
    "upheld": _("Decision upheld on appeal (维持)"),
    "revoked": _("Act revoked (撤销)"),
    "confirmed_unlawful": _("Act confirmed unlawful (确认违法)"),
    "confirmed_invalid": _("Act confirmed invalid (确认无效)"),
    "ordered_to_perform": _("Ordered to perform a duty (责令履行)"),
    "modified": _("Act modified (变更)"),
    "compensation": _("Compensation or indemnity ordered (赔偿/补偿)"),
    "mediated": _("Mediated (调解)"),
    "withdrawn": _("Withdrawn (撤诉)"),
    "transferred": _("Transferred or terminated (移送/终结)"),
    "other": _("Other"),
}
# Outcomes of an administrative case that count as the body losing (败诉), by default.
DEFAULT_LOSS_OUTCOMES = (
    "revoked",
    "confirmed_unlawful",
    "confirmed_invalid",
    "ordered_to_perform",
    "modified",
    "compensation",
)
# Denominator of the loss rate: every concluded case, or only cases decided by judgment
# (mediated and withdrawn cases left out).
LOSS_DENOMINATORS = {
    "concluded": _("Cases concluded (first instance)"),
    "judgments": _("Cases decided by judgment or ruling (first instance)"),
}


@dataclass
class MechanismSettings:
    """Defaults follow common practice; each city sets its own."""

    # Days before a deadline from which a matter shows the "near deadline" colour.
    warn_days_before_deadline: int = 5
    yellow_card_points: int = 1
    red_card_points: int = 2
    reds_for_formal_talk: int = 3
    minutes_due_working_days: int = 3
    recommendation_reply_days: int = 60
    appearance_target_percent: int = 70
    hearing_record_auto_confirm_days: int = 5
    liaison_reply_days: int = 10
    # Administrative litigation (DOMAIN.md §4): definitions differ between places, so they are
    # settings shown beside each figure.
    hearing_reminder_days: int = 3
    loss_outcomes: list[str] = field(default_factory=lambda: list(DEFAULT_LOSS_OUTCOMES))
    loss_denominator: str = "concluded"
    loss_risk_min_cases: int = 3
    loss_risk_red_percent: int = 40
    loss_risk_orange_percent: int = 30
    loss_risk_yellow_percent: int = 20
    new_cases_red: int = 30
    new_cases_orange: int = 20
    new_cases_yellow: int = 10
    enabled_steps: list[str] = field(default_factory=list)
    second_factors: list[str] = field(default_factory=lambda: ["sms", "totp", "sso"])

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> MechanismSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


LABELS = {
    "warn_days_before_deadline": _("Days before a deadline when the warning starts"),
    "yellow_card_points": _("Points deducted for a yellow card"),
    "red_card_points": _("Points deducted for a red card"),
    "reds_for_formal_talk": _("Red cards in a year that lead to a formal talk"),
    "minutes_due_working_days": _("Working days to issue minutes after a meeting"),
    "recommendation_reply_days": _("Days to reply to a judicial recommendation"),
    "appearance_target_percent": _("Target rate of heads appearing in court (%)"),
    "hearing_record_auto_confirm_days": _("Days after which a hearing record confirms itself"),
    "liaison_reply_days": _("Working days to reply to a liaison letter"),
    "hearing_reminder_days": _("Days before a hearing when the body's head is reminded"),
    "loss_outcomes": _("Outcomes counted as a loss"),
    "loss_denominator": _("Denominator of the loss rate"),
    "loss_risk_min_cases": _("Concluded cases needed before a loss rate warns"),
    "loss_risk_red_percent": _("Loss rate for a red warning (%)"),
    "loss_risk_orange_percent": _("Loss rate for an orange warning (%)"),
    "loss_risk_yellow_percent": _("Loss rate for a yellow warning (%)"),
    "new_cases_red": _("New cases in a year for a red warning"),
    "new_cases_orange": _("New cases in a year for an orange warning"),
    "new_cases_yellow": _("New cases in a year for a yellow warning"),
    "enabled_steps": _("Optional workflow steps"),
    "second_factors": _("Allowed second factors"),
}

# The six task areas of the notice (驻政〔2022〕59号, 二(一)).
DEFAULT_TASK_AREAS = [
    ("rule_of_law_government", "协同推进法治政府建设"),
    ("enforcement_supervision", "健全执法司法监督联动机制"),
    ("business_environment", "营造法治化营商环境"),
    ("bankruptcy", "化解企业破产难题"),
    ("enforcement_linkage", "完善执行联动机制"),
    ("major_risks", "建立重大风险处置协调机制"),
]

# The usual pair of dual lists (DOMAIN.md §2).
DEFAULT_LIST_KINDS = [
    ("court_needs_government", "法院需政府支持事项清单", "court", "government"),
    ("government_needs_court", "政府需法院支持事项清单", "government", "court"),
]
