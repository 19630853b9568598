"""Menu entries of the litigation app."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from fuyuan.accounts.permissions import scope_for
from fuyuan.core.menu import MenuEntry, register


def _member(user: Any) -> bool:
    return scope_for(user).is_member


for key, label, url, order in (
    ("litigation.cases", _("Administrative cases"), "litigation:case_list", 60),
    ("litigation.hearings", _("Hearing notices"), "litigation:hearing_list", 61),
    ("litigation.recommendations", _("Recommendations"), "litigation:recommendation_list", 62),
    ("litigation.disputes", _("Dispute resolution"), "litigation:dispute_list", 63),
    ("litigation.figures", _("Litigation figures"), "litigation:figures", 64),
):
    register(MenuEntry(key, label, url, order, _member, group="court"))


def _importer(user: Any) -> bool:
    from fuyuan.core import importing

    from .importers import CASES_FEED

    return importing.get(CASES_FEED).may_import(user)


register(
    MenuEntry(
        "litigation.import",
        _("Import court exports"),
        "litigation:import",
        65,
        _importer,
        group="court",
    )
)
