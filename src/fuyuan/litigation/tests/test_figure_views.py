"""Pages of the litigation figures, the loss-risk warnings and the annual report: what they
show (figures with their definitions, "—" without data, below-target marks, counts linking to
the case ledger), who may see or write what, and query counts flat for 1 and 10 bodies."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document

from fuyuan.litigation.models import AnnualReport, HeadRank, LossRiskWarning
from fuyuan.org.models import UnitKind
from fuyuan.testing import make_unit

from .test_figures import YEAR, build_data, d, hold_hearing, make_case, set_config

pytestmark = pytest.mark.django_db

FIGURES = reverse("litigation:figures")
WARNINGS = reverse("litigation:warnings")
REPORT = reverse("litigation:report")


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 3, 10, 10)), tick=False):
        yield


def links(html: str) -> list[dict[str, list[str]]]:
    """Query parameters of every link to the case ledger on the page."""
    ledger = reverse("litigation:case_list")
    found = []
    for part in html.split('href="')[1:]:
        url = part.split('"', 1)[0].replace("&amp;", "&")
        if url.startswith(ledger + "?"):
            found.append(parse_qs(urlparse(url).query))
    return found


# --- the figures page -----------------------------------------------------------------------------
def test_the_figures_page_shows_every_figure_with_its_definition(
    world: Any, client_for: Any
) -> None:
    build_data(world)
    response = client_for("city_office").get(FIGURES, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    for value in ("25.0%", "75.0%", "33.3%", "66.7%", "+100.0%", "100.0%", "40.0%", "60.0%"):
        assert value in html
    assert "—" in html  # 西平县: no case a year earlier, nobody appeared so no spoke rate
    assert html.count("text-bg-danger") >= 2  # 西平县 and the total are below the 70% target
    texts = response.context["definitions"]
    assert texts["appearance_rate"] in html.replace("&#x27;", "'")
    assert "70%" in texts["appearance_rate"]
    assert world.units["a_hrss"].name in html and world.units["hrss"].name in html


def test_counts_link_to_the_case_ledger_filtered(world: Any, client_for: Any) -> None:
    build_data(world)
    html = client_for("city_office").get(FIGURES, {"year": YEAR}).content.decode()
    found = links(html)
    hrss = str(world.units["hrss"].pk)
    assert {"instance": ["first"], "year": [str(YEAR)], "defendant": [hrss]} in found
    assert {"instance": ["first"], "year": [str(YEAR - 1)], "defendant": [hrss]} in found
    county = str(world.county_a.pk)
    assert {"instance": ["first"], "year": [str(YEAR)], "jurisdiction": [county]} in found
    # The city's row holds only the city's own bodies while the ledger's jurisdiction filter
    # takes the counties too: no link there rather than a wrong one.
    assert not any(q.get("jurisdiction") == [str(world.city.pk)] for q in found)
    # The ledger really shows those cases.
    ledger = client_for("city_office").get(
        reverse("litigation:case_list"), {"instance": "first", "year": YEAR, "defendant": hrss}
    )
    assert ledger.status_code == 200
    assert ledger.context["page"].paginator.count == 4  # C1–C4 (S1 is a second-instance case)


def test_concluded_and_loss_counts_link_to_exactly_those_cases(world: Any, client_for: Any) -> None:
    build_data(world)
    response = client_for("city_office").get(FIGURES, {"year": YEAR})
    hrss = str(world.units["hrss"].pk)
    row = next(r for r in response.context["result"].by_body if r.unit == world.units["hrss"])
    found = [q for q in links(response.content.decode()) if q.get("defendant") == [hrss]]
    loss_link = next(q for q in found if "outcome" in q)
    concluded_link = next(q for q in found if "concluded_from" in q and "outcome" not in q)
    ledger = reverse("litigation:case_list")
    assert row.losses and row.concluded > row.losses
    for query, expected in ((loss_link, row.losses), (concluded_link, row.concluded)):
        page = client_for("city_office").get(ledger, query).context["page"]
        assert page.paginator.count == expected


def test_a_year_without_cases_shows_dashes(world: Any, client_for: Any) -> None:
    build_data(world)
    response = client_for("city_office").get(FIGURES, {"year": 2020})
    assert response.status_code == 200
    total = response.context["result"].total
    assert total.is_empty and total.shown["loss_rate"] == "—"
    assert response.content.decode().count("—") >= 7


def test_a_date_range_and_a_jurisdiction_narrow_the_figures(world: Any, client_for: Any) -> None:
    build_data(world)
    client = client_for("city_office")
    may_june = {"date_from": "2025-05-01", "date_to": "2025-06-30"}
    result = client.get(FIGURES, may_june).context["result"]
    assert result.total.new_cases == 1  # C4
    assert result.total.heard == 3  # C1, C2 and 西平县's A1
    county = client.get(FIGURES, {**may_june, "jurisdiction": world.county_a.pk})
    result = county.context["result"]
    assert [r.label for r in result.by_body] == [world.units["a_hrss"].name]
    assert (result.total.new_cases, result.total.heard) == (0, 1)


def test_a_broken_period_is_refused_on_the_form(world: Any, client_for: Any) -> None:
    response = client_for("city_office").get(
        FIGURES, {"date_from": "2025-06-30", "date_to": "2025-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"][0]
    response = client_for("city_office").get(FIGURES, {"date_from": "2025-06-30"})
    assert response.context["form"].non_field_errors()


def test_each_member_sees_the_figures_of_their_own_cases(world: Any, client_for: Any) -> None:
    build_data(world)
    liaison = client_for("hrss_liaison").get(FIGURES, {"year": YEAR}).context["result"]
    assert [r.label for r in liaison.by_body] == [world.units["hrss"].name]
    court = client_for("b_court_staff").get(FIGURES, {"year": YEAR}).context["result"]
    assert [r.label for r in court.by_jurisdiction] == [world.county_a.name]
    assert client_for("audit_admin").get(FIGURES).status_code == 403
    assert client_for("system_admin").get(FIGURES).status_code == 403


def _bodies(world: Any, prefix: str, count: int) -> None:
    """`count` more city bodies, each with a concluded case and a held hearing."""
    for n in range(count):
        key = f"{prefix}{n}"
        world.units[key] = make_unit(f"{prefix}局{n}", world.city, UnitKind.DEPARTMENT, 50 + n)
        case = make_case(world, key, d(2, 1), concluded_on=d(5, 1), outcome="revoked")
        hold_hearing(case, d(3, 1), HeadRank.DEPUTY, spoke=True)


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(FIGURES, {"year": YEAR})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_figures_page_query_count_is_flat_for_1_and_10_bodies(
    world: Any, client_for: Any
) -> None:
    client = client_for("city_office")
    _bodies(world, "one", 1)
    one = _queries(client)
    _bodies(world, "more", 9)
    ten = _queries(client)
    assert ten == one
    assert len(client.get(FIGURES, {"year": YEAR}).context["result"].by_body) == 10


# --- warnings -------------------------------------------------------------------------------------
def test_the_warnings_page_lists_warnings_with_their_matters(world: Any, client_for: Any) -> None:
    from fuyuan.litigation import figures

    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    for n in range(3):
        make_case(
            world, "hrss", d(1, 5 + n, 2026), concluded_on=d(2, 1 + n, 2026), outcome="revoked"
        )
    figures.raise_loss_risk_warnings(datetime.date(2026, 3, 10))
    warning = LossRiskWarning.objects.get()
    response = client_for("hrss_liaison").get(WARNINGS)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("matters:matter_detail", args=[warning.matter_id]) in html
    assert "100.0%" in html
    assert client_for("housing_liaison").get(WARNINGS).context["page"].paginator.count == 0
    assert (
        client_for("city_office").get(WARNINGS, {"year": 2025}).context["page"].paginator.count == 0
    )


def test_the_office_runs_the_check_from_the_page(world: Any, client_for: Any) -> None:
    set_config(world.mechanisms["city"], loss_risk_min_cases=3)
    for n in range(3):
        make_case(
            world, "hrss", d(1, 5 + n, 2026), concluded_on=d(2, 1 + n, 2026), outcome="revoked"
        )
    assert client_for("hrss_liaison").post(WARNINGS).status_code == 403
    assert not LossRiskWarning.objects.exists()
    response = client_for("city_office").post(WARNINGS)
    assert response.status_code == 302
    assert LossRiskWarning.objects.get().level == "red"


# --- the annual report ----------------------------------------------------------------------------
def test_the_court_writes_the_report_text_on_the_page(world: Any, client_for: Any) -> None:
    client = client_for("court_staff")
    page = client.get(REPORT, {"year": YEAR})
    assert page.status_code == 200 and page.context["form"] is not None
    response = client.post(
        REPORT,
        {
            "mechanism": world.mechanisms["city"].pk,
            "year": YEAR,
            "problems": "程序违法问题突出。",
            "suggestions": "加强培训。",
            "version": 0,
        },
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.year, report.problems) == (YEAR, "程序违法问题突出。")
    # A stale form is refused with a message, not saved.
    stale = client.post(
        REPORT,
        {
            "mechanism": world.mechanisms["city"].pk,
            "year": YEAR,
            "problems": "旧的",
            "suggestions": "",
            "version": report.version - 1 if report.version > 1 else 99,
        },
    )
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    assert AnnualReport.objects.get().problems == "程序违法问题突出。"


def test_leaders_read_the_report_but_do_not_write_it(world: Any, client_for: Any) -> None:
    client = client_for("city_leader")
    page = client.get(REPORT, {"year": YEAR})
    assert page.status_code == 200 and page.context["form"] is None
    post = client.post(
        REPORT, {"mechanism": world.mechanisms["city"].pk, "year": YEAR, "problems": "x"}
    )
    assert post.status_code == 403
    assert client_for("hrss_liaison").get(REPORT).status_code == 403


def test_the_report_downloads_as_docx_with_its_figures(world: Any, client_for: Any) -> None:
    build_data(world)
    url = reverse("litigation:report_docx", args=[YEAR])
    response = client_for("city_office").get(url, {"mechanism": world.mechanisms["city"].pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert len(doc.inline_shapes) == 2
    cells = {cell.text for table in doc.tables for row in table.rows for cell in row.cells}
    assert {"25.0%", "75.0%", "40.0%"} <= cells
    # Another county's report is not within 西平县's office's remit.
    other = client_for("a_office").get(url, {"mechanism": world.mechanisms["b"].pk})
    assert other.status_code == 404
    assert client_for("hrss_liaison").get(url).status_code == 403
