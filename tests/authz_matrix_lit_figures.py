"""Authorization-matrix rows of the litigation app: figures, loss-risk warnings (and the
office's "check now") and the annual administrative-case report (the court's text, the
.docx)."""

from __future__ import annotations

import datetime
from typing import Any

from .authz_matrix import ADMINS, Case, expect, only

LAST_YEAR = lambda: datetime.date.today().year - 1  # noqa: E731


def _admins(status: int) -> dict[str, int]:
    return dict.fromkeys(ADMINS, status)


def _mechanism(key: str) -> Any:
    return lambda w: f"mechanism={w.mechanisms[key].pk}"


def _report_text(key: str) -> Any:
    return lambda w: {
        "mechanism": w.mechanisms[key].pk,
        "year": LAST_YEAR(),
        "problems": "程序问题",
        "suggestions": "加强培训",
        "version": 0,
    }


# Members read their own figures and warnings; administrators hold no working role.
MEMBERS_READ = {**expect(200), **_admins(403)}
# The report: offices and leaders overseeing the mechanism, its court's staff.
CITY_REPORT_READ = {**only(["city_office", "city_leader", "court_staff"]), "a_office": 404}
COUNTY_REPORT_READ = {**only(["city_office", "city_leader", "a_office"]), "court_staff": 404}

LIT_FIGURE_CASES: list[Case] = [
    Case("litigation:figures", MEMBERS_READ),
    Case(
        "litigation:figures",
        MEMBERS_READ,
        variant="a year and a jurisdiction",
        query=lambda w: f"year={LAST_YEAR()}&jurisdiction={w.county_a.pk}",
    ),
    Case("litigation:warnings", MEMBERS_READ),
    Case(
        "litigation:warnings",
        only(["city_office", "a_office"], ok=302),
        variant="the office runs the check now",
        method="post",
    ),
    Case("litigation:report", only(["city_office", "a_office", "city_leader", "court_staff"])),
    Case(
        "litigation:report",
        {**only(["city_office", "city_leader", "court_staff"]), "a_office": 404},
        variant="the city's report",
        query=_mechanism("city"),
    ),
    Case(
        "litigation:report",
        {**only(["city_office", "court_staff"], ok=302), "a_office": 404},
        variant="write the city's text",
        method="post",
        data=_report_text("city"),
    ),
    Case(
        "litigation:report",
        {**only(["a_office"], ok=302), "court_staff": 404},
        variant="write the county's text",
        method="post",
        data=_report_text("a"),
    ),
    Case(
        "litigation:report_docx",
        CITY_REPORT_READ,
        variant="the city's report",
        kwargs=lambda w: {"year": LAST_YEAR()},
        query=_mechanism("city"),
    ),
    Case(
        "litigation:report_docx",
        COUNTY_REPORT_READ,
        variant="a county's report",
        kwargs=lambda w: {"year": LAST_YEAR()},
        query=_mechanism("a"),
    ),
]
