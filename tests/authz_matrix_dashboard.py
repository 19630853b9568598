"""Authorization-matrix rows of the leaders' brief and the cockpit: offices and leaders (who
oversee a jurisdiction) read them; liaison officers, court staff and the administrators get
403. A jurisdiction outside the user's oversight is a 404 (西平县's office asking for the
city, or for 上蔡县). Only an office pushes the brief to its leaders."""

from __future__ import annotations

from .authz_matrix import Case, only

READERS = ("city_office", "a_office", "city_leader")


def _city(w: object) -> str:
    return f"j={w.city.pk}"  # type: ignore[attr-defined]


def _county_b(w: object) -> str:
    return f"j={w.county_b.pk}"  # type: ignore[attr-defined]


DASHBOARD_CASES: list[Case] = [
    Case("dashboard:brief", only(READERS)),
    Case("dashboard:brief", only(READERS) | {"a_office": 404}, variant="city", query=_city),
    Case(
        "dashboard:brief",
        only(READERS) | {"a_office": 404},
        variant="another county",
        query=_county_b,
    ),
    Case("dashboard:brief_docx", only(READERS)),
    Case("dashboard:brief_docx", only(READERS) | {"a_office": 404}, variant="city", query=_city),
    Case("dashboard:cockpit", only(READERS)),
    Case("dashboard:cockpit", only(READERS) | {"a_office": 404}, variant="city", query=_city),
    Case("dashboard:brief_push", only((), others=405), variant="GET"),
    Case(
        "dashboard:brief_push",
        only(("city_office", "a_office"), ok=302),
        method="post",
    ),
    Case(
        "dashboard:brief_push",
        only(("city_office",), ok=302) | {"a_office": 404},
        variant="city",
        method="post",
        query=_city,
    ),
]
